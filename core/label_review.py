"""The label-review queue: the redaction review queue's twin, for labels.

A message comes here when its independent annotators disagree (``disagreement``; its label stays empty
until a reviewer decides), when a reviewer samples labelled messages to check them (``sample``), or as
the spot-check share of a bulk acceptance of model suggestions (``spot_check``). A reviewer or admin
picks one of the annotators' labels or corrects it, optionally with a comment; the decision becomes the
message's label (source ``review``), which then stands.

The audit log records keyed message IDs, keyed label IDs, reasons and counts. A comment is free text
someone typed: it stays in the ``label_reviews`` table, never in the audit log.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrubdesk.core.adjudication import REVIEWED
from scrubdesk.core.audit_log import AuditLog, current_os_user
from scrubdesk.core.clock import utc_now
from scrubdesk.core.csv_input import csv_records
from scrubdesk.core.db import annotations as annotation_rows
from scrubdesk.core.db import label_reviews as review_rows
from scrubdesk.core.db import labels as label_rows
from scrubdesk.core.db import messages
from scrubdesk.core.db.rows import Connection
from scrubdesk.core.errors import InputError, PermissionDeniedError
from scrubdesk.core.labels import label_id, validate_label
from scrubdesk.core.project import Project
from scrubdesk.core.roles import REVIEWER_ROLES, require_role
from scrubdesk.core.store import Store

MAX_COMMENT_CHARS = 2000
DECIDE_ACTION, SAMPLE_ACTION = "label_review.decide", "label_review.sample"


@dataclass(frozen=True)
class LabelReviewItem:
    """One message awaiting a label decision: keyed ID, why, and every annotator's label. Never text."""

    message_id: int
    msg_key: str
    reason: str
    queued_at: str
    labels: dict[str, str]  # annotator -> their label
    current_label: str | None
    suggestion: str | None
    confidence: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "msg_key": self.msg_key,
            "reason": self.reason,
            "queued_at": self.queued_at,
            "labels": self.labels,
            "current_label": self.current_label,
            "suggestion": self.suggestion,
            "confidence": None if self.confidence is None else round(self.confidence, 4),
        }

    def __repr__(self) -> str:
        return f"LabelReviewItem(msg_key={self.msg_key!r}, reason={self.reason!r})"


def label_review_queue(store: Store, limit: int = 200, offset: int = 0) -> list[LabelReviewItem]:
    """Open label reviews, disagreements first, oldest first (reviewer or admin: it shows everyone's
    labels, which annotators must not see)."""
    require_role(store, REVIEWER_ROLES, "reading the label-review queue")
    rows = review_rows.open_rows(store, limit, offset)
    given = annotation_rows.labels_by_message(store, [r.message_id for r in rows])
    return [
        LabelReviewItem(
            r.message_id,
            r.msg_key,
            r.reason,
            r.queued_at,
            given.get(r.message_id, {}),
            r.current_label,
            r.suggestion,
            r.confidence,
        )
        for r in rows
    ]


def queue_counts(store: Store) -> dict[str, int]:
    """Open label reviews per reason (any role: counts only)."""
    return review_rows.open_counts(store)


# --- deciding -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    msg_key: str
    label: str
    comment: str | None = None

    def __repr__(self) -> str:  # the comment is free text
        return f"Decision(msg_key={self.msg_key!r})"


@dataclass
class DecisionSummary:
    decided: int = 0
    corrected: int = 0  # the decision is none of the annotators' labels (nor the label it had)
    with_comment: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "decided": self.decided,
            "corrected": self.corrected,
            "with_comment": self.with_comment,
            "by_reason": self.by_reason,
        }


def _clean_comment(comment: str | None) -> str | None:
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT_CHARS:
        raise InputError(
            f"a review comment must be at most {MAX_COMMENT_CHARS} characters (one has {len(text)})"
        )
    return text or None


def _decide(
    project: Project, conn: Connection, audit: AuditLog, decision: Decision, *, role: str, where: str, at: str
) -> tuple[str, bool]:
    """Apply one decision inside a transaction; (reason, corrected)."""
    label = validate_label(decision.label)
    if not label_rows.in_set(conn, label):
        raise InputError(f"{where}: label {label!r} is not in the project's label set")
    message_id = messages.id_of_key(conn, decision.msg_key)
    review = None if message_id is None else review_rows.row_of(conn, message_id)
    if message_id is None or review is None or review.status != "open":
        raise InputError(f"{where}: message {decision.msg_key} has no open label review")
    by_annotator = annotation_rows.labels_of(conn, message_id)
    reviewer = current_os_user()
    if reviewer in by_annotator:  # no one adjudicates their own label, nor a disagreement they are part of
        raise PermissionDeniedError(
            f"{where}: you labelled message {decision.msg_key} yourself, so another reviewer or admin must "
            "decide it. Nothing was changed."
        )
    given = set(by_annotator.values())
    previous = review.current_label or None
    corrected = label not in given and label != previous
    comment = _clean_comment(decision.comment)
    label_rows.set_message_label(conn, message_id, label, REVIEWED)
    review_rows.resolve(conn, message_id, label=label, reviewer=reviewer, role=role, comment=comment, at=at)
    details = {
        "reason": review.reason,
        "from": label_id(project, previous) if previous else None,
        "to": label_id(project, label),
        "annotators": len(given),
        "corrected": corrected,
        "with_comment": comment is not None,
    }
    audit.append(DECIDE_ACTION, objects=[decision.msg_key], details=details, role=role, at=at)
    return review.reason, corrected


def decide(project: Project, store: Store, decisions: Sequence[Decision]) -> DecisionSummary:
    """Decide the label of each message in the queue (reviewer or admin), all or nothing: one bad
    decision (unknown key, no open review, label not in the set) changes nothing and is named."""
    role = require_role(store, REVIEWER_ROLES, "deciding labels in the label-review queue")
    summary = DecisionSummary()
    reasons: dict[str, int] = {}
    at = utc_now()
    audit = AuditLog(store, project.keys.id_key)
    with store.transaction() as conn:
        for number, decision in enumerate(decisions, start=1):
            where = f"decision {number} of {len(decisions)}"
            reason, corrected = _decide(project, conn, audit, decision, role=role, where=where, at=at)
            summary.decided += 1
            summary.corrected += corrected
            summary.with_comment += bool(_clean_comment(decision.comment))
            reasons[reason] = reasons.get(reason, 0) + 1
    summary.by_reason = reasons
    return summary


def read_decisions_csv(
    path: Path, *, key_column: str = "msg_key", label_column: str = "label", comment_column: str = "comment"
) -> list[Decision]:
    """Decisions from a CSV (comment column optional). Errors name rows and columns, never cells."""
    path = Path(path)
    found: list[Decision] = []
    for number, record in csv_records(path, (key_column, label_column)):
        key, label = record[key_column].strip(), record[label_column].strip()
        if not key or not label:
            raise InputError(f"{path.name}: row {number} has no message key or no label")
        found.append(Decision(key, label, record.get(comment_column)))
    return found


# --- sampling -----------------------------------------------------------------------------------------------


def queue_sample(
    conn: Connection, message_ids: Sequence[int], share: float, *, reason: str, seed: int, at: str
) -> list[int]:
    """Open a ``reason`` review for a random ``share`` of ``message_ids`` (at least one when the share
    and the list are not empty) inside a transaction; returns the sampled IDs."""
    if not 0.0 <= share <= 1.0:
        raise InputError("a review share is from 0 to 1 (e.g. 0.1 for 10 %)")
    if not message_ids or share == 0:
        return []
    size = max(1, round(share * len(message_ids)))
    chosen = sorted(random.Random(seed).sample(list(message_ids), size))
    review_rows.queue(conn, chosen, reason=reason, queued_by=current_os_user(), at=at)
    return chosen


def sample_for_review(
    project: Project, store: Store, *, share: float | None = None, count: int | None = None, seed: int = 0
) -> int:
    """Put a random sample of labelled messages whose label was never reviewed into the queue (reviewer
    or admin; audit-logged); ``share`` of them or ``count``. Returns how many were queued."""
    role = require_role(store, REVIEWER_ROLES, "sampling labels for review")
    if (share is None) == (count is None):
        raise InputError("give a share or a count of labelled messages to sample, not both")
    candidates = review_rows.sample_candidates(store)
    if count is not None:
        if count < 0:
            raise InputError("the sample size must not be negative")
        share = min(count, len(candidates)) / len(candidates) if candidates else 0.0
    assert share is not None
    at = utc_now()
    with store.transaction() as conn:
        chosen = queue_sample(conn, candidates, share, reason="sample", seed=seed, at=at)
        if chosen:
            details = {"sampled": len(chosen), "of": len(candidates), "seed": seed}
            AuditLog(store, project.keys.id_key).append(
                SAMPLE_ACTION, objects=messages.keys_of(conn, chosen), details=details, role=role, at=at
            )
    return len(chosen)
