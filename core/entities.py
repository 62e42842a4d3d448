"""The PII entity vocabulary (Presidio-style names): spans, gold data, redaction and the engine share it."""

from __future__ import annotations

PERSON = "PERSON"
EMAIL_ADDRESS = "EMAIL_ADDRESS"
PHONE_NUMBER = "PHONE_NUMBER"
UK_POSTCODE = "UK_POSTCODE"
STREET_ADDRESS = "STREET_ADDRESS"
LOCATION = "LOCATION"
UK_NINO = "UK_NINO"
UK_NHS = "UK_NHS"
UK_SORT_CODE = "UK_SORT_CODE"
UK_BANK_ACCOUNT = "UK_BANK_ACCOUNT"
CREDIT_CARD = "CREDIT_CARD"
IBAN_CODE = "IBAN_CODE"
DATE_OF_BIRTH = "DATE_OF_BIRTH"
CUSTOMER_REF = "CUSTOMER_REF"
IP_ADDRESS = "IP_ADDRESS"

LABELS: tuple[str, ...] = (
    PERSON,
    EMAIL_ADDRESS,
    PHONE_NUMBER,
    UK_POSTCODE,
    STREET_ADDRESS,
    LOCATION,
    UK_NINO,
    UK_NHS,
    UK_SORT_CODE,
    UK_BANK_ACCOUNT,
    CREDIT_CARD,
    IBAN_CODE,
    DATE_OF_BIRTH,
    CUSTOMER_REF,
    IP_ADDRESS,
)

# Direct identifiers: the acceptance bar (recall >= 0.97) is measured on these.
DIRECT_IDENTIFIERS: tuple[str, ...] = (
    PERSON,
    EMAIL_ADDRESS,
    PHONE_NUMBER,
    UK_POSTCODE,
    UK_NINO,
    UK_NHS,
    UK_SORT_CODE,
    UK_BANK_ACCOUNT,
    STREET_ADDRESS,
)
