"""The two label vocabularies of the synthetic corpus: PII span labels and message intents."""

from __future__ import annotations

# Every PII occurrence in a generated body carries exactly one label of the core vocabulary.

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
