"""Bulk accept: the model's suggestions at or above a confidence become labels in one audited step, and
a random share of them goes to the label-review queue for a reviewer to spot-check.

Left out: messages in the held-out test split (a model must never be scored on its own suggestions),
messages someone is assigned to label and has not yet (their work, including independent labels), and
suggestions of a stale model. Accepted labels have source ``model``: under the project setting
``training_labels = adjudicated`` they train only once a reviewer has confirmed them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scrubdesk.core.audit_log import AuditLog
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db import assignments as assignment_rows
from scrubdesk.core.db import labels as label_rows
from scrubdesk.core.db import splits as split_rows
from scrubdesk.core.db import trained_models
from scrubdesk.core.errors import InputError
from scrubdesk.core.label_review import queue_sample
from scrubdesk.core.project import Project
from scrubdesk.core.roles import REVIEWER_ROLES, require_role
from scrubdesk.core.store import Store

MODEL_SOURCE = "model"
DEFAULT_SPOT_CHECK = 0.1


@dataclass(frozen=True)
class AcceptSummary:
    accepted: int
    spot_check: int  # of those, queued for a reviewer
    min_confidence: float
    skipped_held_out: int
    skipped_assigned: int
    per_label: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "spot_check": self.spot_check,
            "min_confidence": self.min_confidence,
            "skipped_held_out": self.skipped_held_out,
            "skipped_assigned": self.skipped_assigned,
            "per_label": self.per_label,
        }


def accept_suggestions(
    project: Project,
    store: Store,
    min_confidence: float,
    *,
    spot_check: float = DEFAULT_SPOT_CHECK,
    seed: int = 0,
) -> AcceptSummary:
    """Accept every suggestion with at least ``min_confidence`` as the message's label (reviewer or
    admin), queueing ``spot_check`` of them for review; one transaction, one audit entry."""
    role = require_role(store, REVIEWER_ROLES, "accepting model suggestions in bulk")
    if not 0.0 < min_confidence <= 1.0:
        raise InputError("the confidence threshold is above 0 and at most 1 (e.g. 0.9)")
    if not 0.0 <= spot_check <= 1.0:
        raise InputError("the spot-check share is from 0 to 1 (e.g. 0.1 for 10 %)")
    found = trained_models.confident_unlabelled(store, min_confidence)
    held_out = split_rows.test_ids(store)
    assigned = assignment_rows.assigned_ids(store)
    chosen = [s for s in found if s.message_id not in held_out and s.message_id not in assigned]
    per_label: dict[str, int] = {}
    for s in chosen:
        per_label[s.label] = per_label.get(s.label, 0) + 1
    at = utc_now()
    with store.transaction() as conn:
        label_rows.set_message_labels(conn, [(s.message_id, s.label) for s in chosen], MODEL_SOURCE)
        checked = queue_sample(
            conn, [s.message_id for s in chosen], spot_check, reason="spot_check", seed=seed, at=at
        )
        summary = AcceptSummary(
            len(chosen),
            len(checked),
            min_confidence,
            sum(1 for s in found if s.message_id in held_out),
            sum(1 for s in found if s.message_id in assigned and s.message_id not in held_out),
            dict(sorted(per_label.items(), key=lambda kv: (-kv[1], kv[0]))),
        )
        if chosen:
            details = {
                **{k: v for k, v in summary.as_dict().items() if k != "per_label"},
                "model_ids": sorted({s.model_id for s in chosen}),
            }
            AuditLog(store, project.keys.id_key).append(
                "label.accept_suggestions",
                objects=[s.msg_key for s in chosen],
                details=details,
                role=role,
                at=at,
            )
    return summary
