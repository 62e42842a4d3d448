"""Messages with analyser suggestions, and roles, for the span-review tests of core and gui (no Qt here).

The rows are written through ``tests/builders.py`` and the gateways, as the import and analysis jobs
write them.
"""

from __future__ import annotations

from scrubdesk.core.audit_log import current_os_user
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db.spans import record_analysis, replace_suggestions
from scrubdesk.core.roles import grant
from scrubdesk.core.spans import Span
from tests import builders

SUBJECT = "Refund for Jane Okafor"
BODY = "Hi, I am Jane Okafor, call 07700 900123.\nAccount 1234 at 5 Elm Road, Leeds.\nThanks"
BODY_SPANS = [
    Span(9, 20, "PERSON", 0.85, "spacy"),  # Jane Okafor
    Span(27, 39, "PHONE_NUMBER", 0.9, "phone"),  # 07700 900123
    Span(49, 53, "CUSTOMER_REF", 0.4, "ref"),  # 1234
]
SUBJECT_SPANS = [Span(11, 22, "PERSON", 0.8, "spacy")]  # Jane Okafor


def add_message(
    store,
    key: str,
    *,
    subject: str = SUBJECT,
    body: str = BODY,
    body_spans=BODY_SPANS,
    subject_spans=SUBJECT_SPANS,
    analysed: bool = True,
) -> int:
    """A message with analyser suggestions, as the analysis job stores them."""
    with store.transaction() as conn:
        mid = builders.add_message(
            conn, key, body, subject=subject, from_name="Jane Okafor", from_addr="jane@example.com"
        )
        if analysed:
            record_analysis(conn, mid, f"fp-{key}", "now")
            replace_suggestions(conn, mid, "body", body_spans, "v1")
            replace_suggestions(conn, mid, "subject", subject_spans, "v1")
    return mid


def as_role(store, role: str) -> None:
    with store.transaction() as conn:
        grant(conn, current_os_user(), role, granted_by="test", at=utc_now())


def suggest_labels(store, suggestions: dict[int, str], confidence: float = 0.8) -> None:
    """The model's label suggestions for these messages, as ``predict`` stores them."""
    from scrubdesk.core.db.trained_models import Prediction, record_model, store_predictions

    with store.transaction() as conn:
        model_id = record_model(
            conn, created_at=utc_now(), path="models/test.skops", msg_list_digest="test",
            member_ids=list(suggestions), labels=sorted(set(suggestions.values())), metrics={}, audit={},
            settings={},
        )  # fmt: skip
        rows = [Prediction(mid, label, confidence, 1 - confidence) for mid, label in suggestions.items()]
        store_predictions(conn, model_id, rows, utc_now())
