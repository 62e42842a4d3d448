"""Reviewer approval of a message's redaction: only approved, analysed messages may train a model.

An annotator submits a message (``pending``); a reviewer or admin approves it or sends it back with a
comment (``sent_back``). Annotators cannot approve: the core refuses, whatever the UI shows. Editing the
spans of an approved message puts it back to ``pending`` (see :mod:`scrubdesk.core.span_edits`). Which
roles may read raw (unscrubbed) text is a project setting; each raw view is audit-logged.

An approval records the analysis fingerprint it saw. If the message is analysed again with a different
result fingerprint (new content, new analyser), the approval no longer matches and the message is not
trainable until a reviewer approves it again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from scrubdesk.core.audit_log import AuditLog, current_os_user
from scrubdesk.core.errors import InputError
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.project import Project, utc_now
from scrubdesk.core.redaction import Redactor
from scrubdesk.core.roles import REVIEWER_ROLES, ROLES, require_role, role_of
from scrubdesk.core.spans import Span
from scrubdesk.core.store import Store

STATUSES = ("pending", "approved", "sent_back")

# Approved, and the approval is for the message's current analysis.
APPROVED_SQL = (
    "SELECT r.message_id FROM reviews r JOIN analysis_state a ON a.message_id = r.message_id "
    "WHERE r.status = 'approved' AND r.fingerprint = a.fingerprint"
)


@dataclass(frozen=True)
class ApprovalSummary:
    approved: int  # newly approved by this run
    already_approved: int
    not_analysed: int  # skipped: run `analyze` first
    role: str

    def as_dict(self) -> dict[str, int | str]:
        return {
            "approved": self.approved,
            "already_approved": self.already_approved,
            "not_analysed": self.not_analysed,
            "role": self.role,
        }


def approve_all(
    project: Project, control: JobControl | None = None, comment: str | None = None
) -> ApprovalSummary:
    """Approve the redaction of every analysed message. Needs the reviewer or admin role; audit-logged."""
    control = control or JobControl()
    with project.store() as store:
        role = require_role(store, REVIEWER_ROLES, "approving redactions")
        total = int(store.scalar("SELECT count(*) FROM messages"))
        analysed = int(store.scalar("SELECT count(*) FROM analysis_state"))
        already = int(store.scalar(f"SELECT count(*) FROM ({APPROVED_SQL})"))
        now = utc_now()
        with store.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO reviews (message_id, status, fingerprint, reviewer, role, comment, at) "
                "SELECT a.message_id, 'approved', a.fingerprint, ?, ?, ?, ? FROM analysis_state a "
                "LEFT JOIN reviews r ON r.message_id = a.message_id "
                "WHERE r.message_id IS NULL OR r.status != 'approved' "
                "OR r.fingerprint IS NOT a.fingerprint "
                "ON CONFLICT(message_id) DO UPDATE SET status = excluded.status, "
                "fingerprint = excluded.fingerprint, reviewer = excluded.reviewer, role = excluded.role, "
                "comment = excluded.comment, at = excluded.at",
                (current_os_user(), role, comment, now),
            )
            approved = max(cur.rowcount, 0)
            summary = ApprovalSummary(approved, already, total - analysed, role)
            AuditLog(store, project.keys.id_key).append(
                "review.approve_all", details=summary.as_dict(), role=role, at=now
            )
        control.progress(total, total, f"{approved} approved")
    return summary


def approved_message_ids(store: Store) -> set[int]:
    return {int(r[0]) for r in store.execute(APPROVED_SQL)}


def review_counts(store: Store) -> dict[str, int]:
    rows = store.execute("SELECT status, count(*) FROM reviews GROUP BY status ORDER BY status")
    return dict(rows.fetchall())


# --- one message at a time: submit, approve, send back --------------------------------------------------

SUBMIT_ACTION, APPROVE_ACTION, SEND_BACK_ACTION = "review_submit", "review_approve", "review_send_back"


@dataclass(frozen=True)
class ReviewState:
    """The current review decision of one message. ``current`` is False for an approval of an older
    analysis (the message was analysed again since): it no longer counts as approved."""

    message_id: int
    status: str
    reviewer: str
    role: str
    comment: str | None
    at: str
    current: bool

    @property
    def approved(self) -> bool:
        return self.status == "approved" and self.current

    def __repr__(self) -> str:  # the comment is free text a reviewer typed: keep it out of logs
        return f"ReviewState(message_id={self.message_id}, status={self.status!r}, current={self.current})"


def is_analysed(store: Store, message_id: int) -> bool:
    """Has the message been analysed (so that its scrubbed text can be built and reviewed)?"""
    return store.scalar("SELECT 1 FROM analysis_state WHERE message_id = ?", (message_id,)) is not None


def review_state(store: Store, message_id: int) -> ReviewState | None:
    """The review of a message, or None if nobody submitted or reviewed it yet."""
    row = store.execute(
        "SELECT r.status, r.reviewer, r.role, r.comment, r.at, r.fingerprint IS a.fingerprint "
        "FROM reviews r LEFT JOIN analysis_state a ON a.message_id = r.message_id WHERE r.message_id = ?",
        (message_id,),
    ).fetchone()
    if row is None:
        return None
    return ReviewState(message_id, row[0], row[1], row[2], row[3], row[4], bool(row[5]))


def _message(store: Store, message_id: int) -> tuple[str, str | None]:
    """(msg_key, current analysis fingerprint) of a message; InputError if there is no such message."""
    row = store.execute(
        "SELECT m.msg_key, a.fingerprint FROM messages m LEFT JOIN analysis_state a ON a.message_id = m.id "
        "WHERE m.id = ?",
        (message_id,),
    ).fetchone()
    if row is None:
        raise InputError(f"no message {message_id}")
    return str(row[0]), row[1]


def _analysed(store: Store, message_id: int, what: str) -> tuple[str, str]:
    key, fingerprint = _message(store, message_id)
    if fingerprint is None:
        raise InputError(f"message {key} has not been analysed: run `scrubdesk analyze` before {what}")
    return key, fingerprint


def _decide(
    project: Project,
    store: Store,
    message_id: int,
    *,
    status: str,
    fingerprint: str | None,
    role: str,
    comment: str | None,
    action: str,
    key: str,
) -> ReviewState:
    now = utc_now()
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO reviews (message_id, status, fingerprint, reviewer, role, comment, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(message_id) DO UPDATE SET status = excluded.status, "
            "fingerprint = excluded.fingerprint, reviewer = excluded.reviewer, role = excluded.role, "
            "comment = excluded.comment, at = excluded.at",
            (message_id, status, fingerprint, current_os_user(), role, comment, now),
        )
        # The comment stays in the reviews table: free text must not reach the audit log.
        AuditLog(store, project.keys.id_key).append(
            action, objects=[key], details={"with_comment": bool(comment)}, role=role, at=now
        )
    state = review_state(store, message_id)
    assert state is not None
    return state


def submit_for_review(project: Project, store: Store, message_id: int) -> ReviewState:
    """An annotator is done with a message's spans: its redaction now awaits a reviewer (``pending``).

    Any project role may submit. A message whose current analysis is already approved stays approved.
    """
    role = require_role(store, ROLES, "submitting a message for review")
    key, fingerprint = _analysed(store, message_id, "submitting it for review")
    state = review_state(store, message_id)
    if state is not None and (state.approved or state.status == "pending"):
        return state
    return _decide(
        project, store, message_id, status="pending", fingerprint=fingerprint, role=role, comment=None,
        action=SUBMIT_ACTION, key=key,
    )  # fmt: skip


def approve(project: Project, store: Store, message_id: int, comment: str | None = None) -> ReviewState:
    """Approve the redaction of one analysed message (reviewer or admin); it may then train a model."""
    role = require_role(store, REVIEWER_ROLES, "approving a redaction")
    key, fingerprint = _analysed(store, message_id, "approving it")
    state = review_state(store, message_id)
    if state is not None and state.approved:
        return state
    return _decide(
        project, store, message_id, status="approved", fingerprint=fingerprint, role=role,
        comment=(comment or "").strip() or None, action=APPROVE_ACTION, key=key,
    )  # fmt: skip


def send_back(project: Project, store: Store, message_id: int, comment: str) -> ReviewState:
    """Return a message to the annotators with a comment saying what to fix (reviewer or admin)."""
    role = require_role(store, REVIEWER_ROLES, "sending a redaction back")
    key, fingerprint = _message(store, message_id)
    comment = (comment or "").strip()
    if not comment:
        raise InputError(f"sending message {key} back needs a comment saying what to fix")
    return _decide(
        project, store, message_id, status="sent_back", fingerprint=fingerprint, role=role, comment=comment,
        action=SEND_BACK_ACTION, key=key,
    )  # fmt: skip


# --- the reviewer's queue ------------------------------------------------------------------------------

# Awaiting approval: submitted, or approved for an analysis that has since changed.
_QUEUE_WHERE = (
    "FROM reviews r JOIN messages m ON m.id = r.message_id "
    "LEFT JOIN analysis_state a ON a.message_id = r.message_id "
    "WHERE r.status = 'pending' OR (r.status = 'approved' AND r.fingerprint IS NOT a.fingerprint)"
)


@dataclass(frozen=True)
class QueueEntry:
    """One message awaiting approval: keyed ID, counts, who submitted it, and the subject as scrubbed
    (empty unless a redactor was given). Never raw text."""

    message_id: int
    msg_key: str
    sent_at: str | None
    submitted_by: str
    submitted_at: str
    pii_count: int  # spans that will be redacted (suggested, accepted, added)
    undecided: int  # suggestions nobody accepted or rejected yet
    stale_approval: bool  # approved once, but the message was analysed again since
    scrubbed_subject: str = ""

    def __repr__(self) -> str:
        return f"QueueEntry(message_id={self.message_id}, msg_key={self.msg_key!r})"


def review_queue(
    store: Store, limit: int = 200, offset: int = 0, redactor: Redactor | None = None
) -> list[QueueEntry]:
    """Messages whose redaction awaits approval, oldest submission first. With ``redactor``, each entry
    carries its subject as the model would see it."""
    rows = store.execute(
        "SELECT m.id, m.msg_key, m.sent_at, r.reviewer, r.at, r.status = 'approved', "
        "(SELECT count(*) FROM spans s WHERE s.message_id = m.id AND s.status != 'rejected'), "
        "(SELECT count(*) FROM spans s WHERE s.message_id = m.id AND s.status = 'suggested'), "
        "coalesce(m.subject, '') "
        f"{_QUEUE_WHERE} ORDER BY r.at, m.id LIMIT ? OFFSET ?",
        (limit, offset),
    ).fetchall()
    subjects: dict[int, str] = {}
    if redactor is not None and rows:
        spans: dict[int, list[Span]] = {r[0]: [] for r in rows}
        marks = ",".join("?" * len(rows))
        for mid, start, end, label in store.execute(
            f"SELECT message_id, start, \"end\", label FROM spans WHERE field = 'subject' "
            f"AND status != 'rejected' AND message_id IN ({marks})",
            list(spans),
        ):
            spans[mid].append(Span(start, end, label))
        subjects = {r[0]: redactor.redact(r[8], spans[r[0]]) for r in rows}
    return [
        QueueEntry(r[0], r[1], r[2], r[3], r[4], int(r[6]), int(r[7]), bool(r[5]), subjects.get(r[0], ""))
        for r in rows
    ]


def queue_size(store: Store) -> int:
    return int(store.scalar(f"SELECT count(*) {_QUEUE_WHERE}"))


# --- who may read raw text ----------------------------------------------------------------------------

RAW_VIEW_SETTING = "raw_view_roles"  # project setting: JSON list of roles that may see raw text
VIEW_RAW_ACTION = "view_raw"


def raw_view_roles(store: Store) -> tuple[str, ...]:
    value = store.scalar("SELECT value FROM settings WHERE key = ?", (RAW_VIEW_SETTING,))
    if value is None:
        return ROLES
    return tuple(role for role in json.loads(value) if role in ROLES)


def set_raw_view_roles(project: Project, store: Store, roles: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Choose which roles may read raw (unscrubbed) text. Admin only; audit-logged."""
    admin = require_role(store, ("admin",), "changing who may read raw text")
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        raise InputError(f"unknown role(s) {', '.join(map(repr, unknown))}; known: {', '.join(ROLES)}")
    chosen = tuple(role for role in ROLES if role in roles)  # canonical order, no duplicates
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (RAW_VIEW_SETTING, json.dumps(list(chosen))),
        )
        AuditLog(store, project.keys.id_key).append(
            "settings_change", details={"key": RAW_VIEW_SETTING, "value": list(chosen)}, role=admin
        )
    return chosen


def can_view_raw(store: Store) -> bool:
    """May the current OS user read raw text in this project? (A user without a role may not.)"""
    return role_of(store) in raw_view_roles(store)


def check_raw_view(store: Store) -> str:
    """The current user's role if it may read raw text; otherwise :class:`PermissionDeniedError`."""
    return require_role(store, raw_view_roles(store), "reading raw message text")


def record_raw_view(project: Project, store: Store, message_id: int) -> None:
    """Audit-log that the current user is shown the raw text of a message. Call before showing it.

    Raises :class:`PermissionDeniedError` (and logs nothing) when the user's role may not read raw text.
    The GUI checks with :func:`raw_view` and commits with :func:`record_raw_views` on a writer thread.
    """
    role = check_raw_view(store)
    key, _ = _message(store, message_id)
    with store.transaction():
        AuditLog(store, project.keys.id_key).append(VIEW_RAW_ACTION, objects=[key], role=role)


@dataclass(frozen=True)
class RawView:
    """One display of a message's raw text, to be audit-logged: the keyed ID, the role, and when."""

    message_id: int
    msg_key: str
    role: str
    at: str


def raw_view(store: Store, message_id: int, msg_key: str) -> RawView:
    """The audit entry for showing a message's raw text to the current user, now. Reads only.

    Raises :class:`PermissionDeniedError` when the user's role may not read raw text."""
    return RawView(message_id, msg_key, check_raw_view(store), utc_now())


def record_raw_views(project: Project, store: Store, views: Sequence[RawView]) -> None:
    """Commit raw views to the audit log in one transaction (one fsync), one entry per view, each with
    the time it was asked for. Plain and synchronous: the GUI calls it on its writer thread."""
    audit = AuditLog(store, project.keys.id_key)
    with store.transaction():
        for view in views:
            audit.append(VIEW_RAW_ACTION, objects=[view.msg_key], role=view.role, at=view.at)
