"""The team-flow tests' labels: the synthetic intents grouped into three, so that the 50-odd adjudicated
messages of a 300-message flow train a model, and the disagreement an annotator makes on purpose."""

from __future__ import annotations

COARSE = {
    "billing_query": "billing",
    "refund_request": "billing",
    "update_payment_details": "billing",
    "cancel_subscription": "account",
    "account_closure": "account",
    "change_of_address": "account",
    "password_reset": "account",
    "delivery_problem": "other",
    "complaint": "other",
    "general_enquiry": "other",
}
FLIP = {"billing": "account", "account": "other", "other": "billing"}
