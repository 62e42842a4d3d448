"""A person's decisions on PII spans: accept, reject or retype a suggestion; add or delete a span.

Every edit runs in one transaction with its audit entry (action ``span_edit``, the message's keyed ID,
``{op, label}``); the span's text never leaves the store. Any project role may edit spans. Editing the
spans of an approved message puts its review back to ``pending``: the approved redaction changed.

Statuses (see migration 2): ``suggested`` (the analyser's, undecided), ``accepted``, ``rejected`` (not PII:
left in the scrubbed text) and ``added`` (found by a person). Re-analysis replaces only ``suggested``
spans and drops new suggestions that overlap a decided one
(:func:`scrubdesk.core.db.spans.replace_suggestions`).

Overlaps, when adding a span:

- rejected spans it overlaps are removed: the person's span supersedes that decision;
- suggested spans that lie wholly inside it are removed: it is their corrected extent;
- any other overlap (a suggestion sticking out of it, an accepted or added span) is refused: reject or
  retype that span first. Stored decided spans therefore never overlap each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scrubdesk.core.audit_log import AuditLog, current_os_user
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db import messages, reviews
from scrubdesk.core.db import spans as span_rows
from scrubdesk.core.db.spans import SpanRecord
from scrubdesk.core.entities import LABELS
from scrubdesk.core.errors import InputError
from scrubdesk.core.project import Project
from scrubdesk.core.roles import ROLES, require_role
from scrubdesk.core.spans import FIELDS, Span
from scrubdesk.core.store import Store

AUDIT_ACTION = "span_edit"
OPS = ("accept", "reject", "change_type", "add", "delete")


@dataclass(frozen=True)
class SpanEdit:
    """What an edit did: the span as it is now (None once deleted), and whether an approval was reset."""

    op: str
    record: SpanRecord | None
    review_reset: bool


def get_span(store: Store, span_id: int) -> SpanRecord:
    record = span_rows.get_span(store, span_id)
    if record is None:
        raise InputError(f"no span {span_id} in this project (deleted, or the message was re-imported)")
    return record


def _check_label(label: str) -> None:
    if label not in LABELS:
        raise InputError(f"unknown entity type {label!r}; known: {', '.join(LABELS)}")


def _msg_key(store: Store, message_id: int) -> str:
    state = messages.key_state(store, message_id)
    if state is None:
        raise InputError(f"no message {message_id}")
    if state.purged:
        raise InputError(f"message {state.msg_key} was purged: its spans can no longer be edited")
    return state.msg_key


def _audit_and_reset(
    project: Project, store: Store, message_id: int, *, role: str, details: dict[str, Any]
) -> bool:
    """Log one edit; put an approved review back to pending. Call inside the edit's transaction."""
    now = utc_now()
    reset = reviews.reopen_approval(store, message_id, reviewer=current_os_user(), role=role, at=now)
    if reset:
        details = {**details, "review_reset": True}
    AuditLog(store, project.keys.id_key).append(
        AUDIT_ACTION, objects=[_msg_key(store, message_id)], details=details, role=role, at=now
    )
    return reset


def _require_editor(store: Store) -> str:
    return require_role(store, ROLES, "editing PII spans")


def _set(
    project: Project, store: Store, span_id: int, *, op: str, status: str, label: str | None = None
) -> SpanEdit:
    role = _require_editor(store)
    with store.transaction() as conn:
        before = get_span(store, span_id)
        _msg_key(store, before.message_id)  # refuses purged messages before anything changes
        new_label = label or before.label
        span_rows.set_status(conn, span_id, status, new_label)
        details: dict[str, Any] = {"op": op, "label": new_label}
        if new_label != before.label:
            details["previous_label"] = before.label
        reset = _audit_and_reset(project, store, before.message_id, role=role, details=details)
        return SpanEdit(op, get_span(store, span_id), reset)


def accept_span(project: Project, store: Store, span_id: int) -> SpanEdit:
    """Confirm a suggested (or earlier rejected) span as PII. An added span stays ``added``."""
    current = get_span(store, span_id)
    status = "added" if current.status == "added" else "accepted"
    return _set(project, store, span_id, op="accept", status=status)


def reject_span(project: Project, store: Store, span_id: int) -> SpanEdit:
    """Mark a suggested (or accepted) span as not PII: it stays in the scrubbed text. A span a person
    added is deleted instead (:func:`delete_span`)."""
    if get_span(store, span_id).status == "added":
        raise InputError(f"span {span_id} was added by a person: delete it instead of rejecting it")
    return _set(project, store, span_id, op="reject", status="rejected")


def change_span_type(project: Project, store: Store, span_id: int, label: str) -> SpanEdit:
    """Give a span another entity type. That is a decision too: a suggested or rejected span becomes
    ``accepted``; an added span stays ``added``."""
    _check_label(label)
    current = get_span(store, span_id)
    status = "added" if current.status == "added" else "accepted"
    return _set(project, store, span_id, op="change_type", status=status, label=label)


def add_span(
    project: Project, store: Store, message_id: int, field: str, *, start: int, end: int, label: str
) -> SpanEdit:
    """Mark ``field[start:end]`` of a message as PII of type ``label`` (status ``added``).

    Offsets are Python string offsets into the stored field, end exclusive. Surrounding whitespace is
    trimmed off the range. See the module docstring for how overlaps are handled.
    """
    _check_label(label)
    if field not in FIELDS:
        raise InputError(f"unknown field {field!r}; known: {', '.join(FIELDS)}")
    role = _require_editor(store)
    with store.transaction() as conn:
        key = _msg_key(store, message_id)
        text = messages.field_text(conn, message_id, field) or ""
        if not 0 <= start < end <= len(text):
            raise InputError(
                f"span {start}..{end} is outside the {field} of message {key} ({len(text)} characters)"
            )
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start == end:
            raise InputError(f"span of the {field} of message {key} holds only white space")
        superseded: list[int] = []
        for other in span_rows.message_spans(store, message_id, field):
            if not other.span.overlaps(Span(start, end, label)):
                continue
            inside = start <= other.start and other.end <= end
            if other.status == "rejected" or (other.status == "suggested" and inside):
                superseded.append(other.id)
                continue
            raise InputError(
                f"the new span {start}..{end} overlaps the {other.status} {other.label} span "
                f"{other.start}..{other.end} of the {field} of message {key}: reject or retype that one"
            )
        span_rows.delete_spans(conn, superseded)
        span_id = span_rows.insert_added(conn, message_id, field, start=start, end=end, label=label)
        details: dict[str, Any] = {"op": "add", "label": label, "field": field}
        if superseded:
            details["superseded"] = len(superseded)
        reset = _audit_and_reset(project, store, message_id, role=role, details=details)
        return SpanEdit("add", get_span(store, int(span_id)), reset)


def delete_span(project: Project, store: Store, span_id: int) -> SpanEdit:
    """Remove a span a person added. The analyser's suggestions are rejected, never deleted, so that
    re-analysis does not suggest them again."""
    role = _require_editor(store)
    with store.transaction() as conn:
        record = get_span(store, span_id)
        if record.status != "added":
            raise InputError(
                f"span {span_id} is {record.status}, not added by a person: reject it instead of deleting it"
            )
        _msg_key(store, record.message_id)
        span_rows.delete_spans(conn, [span_id])
        details = {"op": "delete", "label": record.label}
        reset = _audit_and_reset(project, store, record.message_id, role=role, details=details)
        return SpanEdit("delete", None, reset)
