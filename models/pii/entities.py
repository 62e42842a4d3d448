"""The entity labels the PII engine emits: the core vocabulary plus the labels only the engine adds."""

from __future__ import annotations

from scrubdesk.core.entities import (  # re-exported: recognizers import their labels from here
    CREDIT_CARD,
    CUSTOMER_REF,
    DATE_OF_BIRTH,
    DIRECT_IDENTIFIERS,
    EMAIL_ADDRESS,
    IBAN_CODE,
    IP_ADDRESS,
    LABELS,
    LOCATION,
    PERSON,
    PHONE_NUMBER,
    STREET_ADDRESS,
    UK_BANK_ACCOUNT,
    UK_NHS,
    UK_NINO,
    UK_POSTCODE,
    UK_SORT_CODE,
)

URL = "URL"  # detected and redacted, but not part of the gold vocabulary

__all__ = [
    "CREDIT_CARD",
    "CUSTOMER_REF",
    "DATE_OF_BIRTH",
    "DIRECT_IDENTIFIERS",
    "EMAIL_ADDRESS",
    "IBAN_CODE",
    "IP_ADDRESS",
    "LABELS",
    "LOCATION",
    "PERSON",
    "PHONE_NUMBER",
    "STREET_ADDRESS",
    "UK_BANK_ACCOUNT",
    "UK_NHS",
    "UK_NINO",
    "UK_POSTCODE",
    "UK_SORT_CODE",
    "URL",
]
