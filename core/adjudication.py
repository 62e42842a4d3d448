"""Each person's own label of a message, and the message label that follows from them.

A message assigned to one annotator (or to nobody) takes the label of whoever labelled it last, as it
always did; who gave it is kept as their annotation. A message assigned to two or more annotators (the
*overlap*) is labelled independently: each assigned annotator's label is kept as their annotation and the
message's own label stays empty, so nobody sees another's label, until every one of them has labelled it:

- all agree: the message takes that label (source ``agreed``);
- they disagree: it goes to the label-review queue (:mod:`scrubdesk.core.label_review`), where a reviewer
  decides (source ``review``). A reviewer's decision stands: an annotator who changes their label later
  changes their annotation (and the agreement figures), not the message's label.

Which labels train a model is a project setting (:data:`TRAINING_LABELS`): ``all`` labels that are not
waiting for adjudication, or only ``adjudicated`` ones (agreed by 2+ annotators or decided by a reviewer).
Messages in the held-out test split never train either way (:mod:`scrubdesk.core.splits`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from scrubdesk.core.audit_log import AuditLog, current_os_user
from scrubdesk.core.db import annotations as annotation_rows
from scrubdesk.core.db import assignments as assignment_rows
from scrubdesk.core.db import label_reviews as review_rows
from scrubdesk.core.db import labels as label_rows
from scrubdesk.core.db import settings
from scrubdesk.core.db.messages import Message
from scrubdesk.core.db.rows import Connection
from scrubdesk.core.errors import InputError
from scrubdesk.core.project import Project
from scrubdesk.core.roles import REVIEWER_ROLES, require_role
from scrubdesk.core.store import Store

AGREED, REVIEWED = "agreed", "review"  # label sources of adjudicated labels
ADJUDICATED_SOURCES = (AGREED, REVIEWED)
TRAINING_LABEL_MODES = ("all", "adjudicated")
TRAINING_LABELS = settings.Setting("training_labels", "all")

# What became of a message after an independent label (see :func:`resolve`).
WAITING, AGREEMENT, DISAGREEMENT, DECIDED = "waiting", "agreed", "disagreement", "decided"


def is_independent(conn: Connection, message_id: int) -> bool:
    """Is this message labelled independently (assigned to two or more annotators)?"""
    return assignment_rows.is_overlap(conn, message_id)


def set_own(
    conn: Connection,
    message_id: int,
    annotator: str,
    label: str | None,
    *,
    source: str,
    seconds: float | None,
    at: str,
) -> None:
    """Make ``label`` the annotator's own label of the message (None: they have none)."""
    if label is None:
        annotation_rows.delete(conn, message_id, annotator)
    else:
        annotation_rows.put(conn, message_id, annotator, label, source=source, seconds=seconds, at=at)


def resolve(conn: Connection, message_id: int, *, by: str, at: str) -> str:
    """Bring an independently labelled message's label in line with its annotators' labels (inside the
    transaction that changed one); returns :data:`WAITING`, :data:`AGREEMENT`, :data:`DISAGREEMENT` or
    :data:`DECIDED` (a reviewer decided already: nothing changes)."""
    row = label_rows.message_label(conn, message_id)
    if row is None:
        raise InputError(f"there is no message {message_id} in this project")
    _key, current, source = row
    if source == REVIEWED:
        return DECIDED
    assigned = assignment_rows.annotators_of(conn, message_id)
    labelled = annotation_rows.labels_of(conn, message_id)
    given = {who: label for who, label in labelled.items() if who in assigned}
    if len(given) < len(assigned):
        if current:
            label_rows.set_message_label(conn, message_id, None, None)
        review_rows.withdraw(conn, message_id, "disagreement")
        return WAITING
    if len(set(given.values())) == 1:
        agreed = next(iter(given.values()))
        if current != agreed or source != AGREED:
            label_rows.set_message_label(conn, message_id, agreed, AGREED)
        review_rows.withdraw(conn, message_id, "disagreement")
        return AGREEMENT
    if current:
        label_rows.set_message_label(conn, message_id, None, None)
    review_rows.queue(conn, [message_id], reason="disagreement", queued_by=by, at=at)
    return DISAGREEMENT


def settle(conn: Connection, message_id: int, *, by: str, at: str) -> str | None:
    """After a message's assignments changed: an independent one is resolved again; one left with a
    single annotator who already labelled it takes their label. Returns what :func:`resolve` returned,
    ``single`` when the message took its one annotator's label, None when nothing changed."""
    if is_independent(conn, message_id):
        return resolve(conn, message_id, by=by, at=at)
    row = label_rows.message_label(conn, message_id)
    assigned = assignment_rows.annotators_of(conn, message_id)
    if row is None or row[1] or len(assigned) != 1:
        return None
    review_rows.withdraw(conn, message_id, "disagreement")
    own = annotation_rows.own_label(conn, message_id, assigned[0])
    if own is None:
        return None
    label_rows.set_message_label(conn, message_id, own, "annotator")
    return "single"


@dataclass(frozen=True)
class BulkOutcome:
    """What one bulk labelling run did to independently labelled messages."""

    independent: int = 0
    agreed: int = 0
    disagreements: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"independent": self.independent, "agreed": self.agreed, "disagreements": self.disagreements}


# --- which labels train -------------------------------------------------------------------------------------


def training_labels(store: Store) -> str:
    mode = settings.get(store, TRAINING_LABELS)
    return mode if mode in TRAINING_LABEL_MODES else "all"


def training_label_sources(store: Store) -> tuple[str, ...] | None:
    """The label sources that train under the project's setting (None: any label)."""
    return ADJUDICATED_SOURCES if training_labels(store) == "adjudicated" else None


def set_training_labels(project: Project, store: Store, mode: str) -> str:
    """Choose which labels train: ``all`` or ``adjudicated`` (admin; audit-logged)."""
    if mode not in TRAINING_LABEL_MODES:
        raise InputError(f"unknown training-label mode {mode!r}; known: {', '.join(TRAINING_LABEL_MODES)}")
    role = require_role(store, ("admin",), "choosing which labels train")
    with store.transaction() as conn:
        settings.put(conn, TRAINING_LABELS, mode)
        AuditLog(store, project.keys.id_key).append(
            "settings_change", details={"key": TRAINING_LABELS.key, "value": mode}, role=role
        )
    return mode


def independent_labels(store: Store) -> list[annotation_rows.IndependentLabel]:
    """Every independent label (overlap messages, by their assigned annotators), for agreement figures.
    Reviewer or admin: it holds everyone's labels, which annotators must not see."""
    require_role(store, REVIEWER_ROLES, "reading annotator agreement")
    return annotation_rows.independent_labels(store)


def with_own_label(store: Store, message: Message) -> Message:
    """The message as the current user sees its label: one still without a label shows their own label
    of it, if they gave one (never another annotator's: the message's label stays empty until then)."""
    if message.label:
        return message
    own = annotation_rows.own_label(store, message.id, current_os_user())
    return replace(message, label=own) if own else message
