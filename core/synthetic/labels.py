"""The two label vocabularies of the synthetic corpus: PII span labels and message intents."""

from __future__ import annotations

# Presidio-style entity names. Every PII occurrence in a generated body carries exactly one of these.
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

INTENTS: tuple[str, ...] = (
    "change_of_address",
    "billing_query",
    "refund_request",
    "cancel_subscription",
    "delivery_problem",
    "password_reset",
    "complaint",
    "update_payment_details",
    "account_closure",
    "general_enquiry",
)
