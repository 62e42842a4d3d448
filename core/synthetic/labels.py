"""The two label vocabularies of the synthetic corpus: PII span labels and message intents."""

from __future__ import annotations

# Every PII occurrence in a generated body carries exactly one label of the core vocabulary.
from scrubdesk.core.entities import (
    CREDIT_CARD,
    CUSTOMER_REF,
    DATE_OF_BIRTH,
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

__all__ = [
    "CREDIT_CARD",
    "CUSTOMER_REF",
    "DATE_OF_BIRTH",
    "EMAIL_ADDRESS",
    "IBAN_CODE",
    "INTENTS",
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
]
