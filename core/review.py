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

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from scrubdesk.core.audit_log import AuditLog, current_os_user
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db import messages, reviews, settings
from scrubdesk.core.db import spans as span_rows
from scrubdesk.core.db.rows import Connection
from scrubdesk.core.errors import InputError
from scrubdesk.core.ingest.records import NEEDS_REVIEW_FLAGS
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.project import Project
from scrubdesk.core.redaction import Redactor
from scrubdesk.core.roles import REVIEWER_ROLES, ROLES, require_role, role_of
from scrubdesk.core.spans import Span
from scrubdesk.core.store import Store

STATUSES = ("pending", "approved", "sent_back")


@dataclass(frozen=True)
class ApprovalSummary:
    approved: int  # newly approved by this run
    already_approved: int
    not_analysed: int  # skipped: run `analyze` first
    role: str
    needs_review_by_hand: int = 0  # skipped: another language, or a body the import could not decode
    suggestions_accepted: int = 0  # undecided suggestions accepted as PII so that they could be approved

    def as_dict(self) -> dict[str, int | str]:
        return asdict(self)


def approve_all(
    project: Project, control: JobControl | None = None, comment: str | None = None
) -> ApprovalSummary:
    """Approve the redaction of every analysed message. Needs the reviewer or admin role; audit-logged.

    Approval needs every suggestion decided: the suggestions nobody decided are accepted as PII first
    (they are redacted either way), and the summary and the audit entry say how many."""
    control = control or JobControl()
    with project.store() as store:
        role = require_role(store, REVIEWER_ROLES, "approving redactions")
        total = messages.count_messages(store)
        analysed = span_rows.count_analysed(store)
        already = reviews.count_approved_current(store)
        now = utc_now()
        with store.transaction() as conn:
            accepted = reviews.accept_suggestions_to_approve(conn, skip_flags=NEEDS_REVIEW_FLAGS)
            approved = reviews.approve_every_analysed(
                conn,
                reviewer=current_os_user(),
                role=role,
                comment=comment,
                at=now,
                skip_flags=NEEDS_REVIEW_FLAGS,
            )
            by_hand = reviews.count_left_for_review(conn, NEEDS_REVIEW_FLAGS)
            summary = ApprovalSummary(approved, already, total - analysed, role, by_hand, accepted)
            AuditLog(store, project.keys.id_key).append(
                "review.approve_all", details=summary.as_dict(), role=role, at=now
            )
        control.progress(total, total, f"{approved} approved")
    return summary


# --- re-analysis: when an approval survives -----------------------------------------------------------

APPROVAL_KEPT, APPROVAL_TO_REDO = "kept", "to_redo"


def record_reanalysis(
    conn: Connection,
    message_id: int,
    suggestions: Mapping[str, Sequence[Span]],
    *,
    analyzer_version: str,
    previous: str | None,
    fingerprint: str,
    same_content: bool,
    at: str,
    language: str | None = None,
    language_supported: bool = True,
) -> str | None:
    """Store a new analysis of one message (inside the analysis batch's transaction) and decide what
    happens to its approval. Spans a person reviewed stay; the analyser's suggestions are replaced.

    An approval is for one analysis of one content. When only the analyser changed (``same_content``)
    and it suggests exactly the same places and types, the redaction the reviewer approved is unchanged,
    so the approval moves to the new fingerprint (:data:`APPROVAL_KEPT`); otherwise the message needs
    approval again (:data:`APPROVAL_TO_REDO`). None: the message was not approved before."""
    approved = previous is not None and reviews.is_approved_at(conn, message_id, previous)
    before = span_rows.suggestion_places(conn, message_id) if approved and same_content else None
    for field_name, spans in suggestions.items():
        span_rows.replace_suggestions(conn, message_id, field_name, spans, analyzer_version)
    span_rows.record_analysis(
        conn, message_id, fingerprint, at, language=language, language_supported=language_supported
    )
    if not approved:
        return None
    if before is not None and before == span_rows.suggestion_places(conn, message_id):
        reviews.move_approval(conn, message_id, fingerprint)
        return APPROVAL_KEPT
    return APPROVAL_TO_REDO


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


def review_state(store: Store, message_id: int) -> ReviewState | None:
    """The review of a message, or None if nobody submitted or reviewed it yet."""
    row = reviews.review_of(store, message_id)
    if row is None:
        return None
    return ReviewState(message_id, row.status, row.reviewer, row.role, row.comment, row.at, row.current)


def _message(store: Store, message_id: int) -> tuple[str, str | None]:
    """(msg_key, current analysis fingerprint) of a message; InputError if there is no such message."""
    state = messages.key_state(store, message_id)
    if state is None:
        raise InputError(f"no message {message_id}")
    return state.msg_key, span_rows.fingerprint_of(store, message_id)


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
        reviews.decide(
            conn, message_id, status=status, fingerprint=fingerprint, reviewer=current_os_user(), role=role,
            comment=comment, at=now,
        )  # fmt: skip
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


class UndecidedSuggestionsError(InputError):
    """An approval was asked for while suggestions are undecided (and accepting them was not asked)."""

    def __init__(self, msg_key: str, undecided: int) -> None:
        self.undecided = undecided
        super().__init__(
            f"message {msg_key} has {undecided} undecided suggestion(s): accept (Y) or reject (N) each, "
            f"or approve with 'accept the remaining {undecided}'"
        )


def undecided_count(store: Store, message_id: int) -> int:
    """Suggestions of a message nobody has accepted or rejected yet (approval needs none, or an explicit
    accept-the-remaining step)."""
    return span_rows.count_undecided(store, message_id)


def approve(
    project: Project,
    store: Store,
    message_id: int,
    comment: str | None = None,
    *,
    accept_remaining: bool = False,
) -> ReviewState:
    """Approve the redaction of one analysed message (reviewer or admin); it may then train a model.

    Every suggestion must be decided first. ``accept_remaining`` accepts the undecided ones as PII in the
    same transaction, and the audit entry counts them (``accepted_remaining``); without it, undecided
    suggestions raise :class:`UndecidedSuggestionsError` and nothing changes."""
    role = require_role(store, REVIEWER_ROLES, "approving a redaction")
    key, fingerprint = _analysed(store, message_id, "approving it")
    state = review_state(store, message_id)
    if state is not None and state.approved:
        return state
    undecided = span_rows.count_undecided(store, message_id)
    if undecided and not accept_remaining:
        raise UndecidedSuggestionsError(key, undecided)
    comment = (comment or "").strip() or None
    now = utc_now()
    with store.transaction() as conn:
        accepted = span_rows.accept_suggestions(conn, message_id) if undecided else 0
        reviews.decide(
            conn, message_id, status="approved", fingerprint=fingerprint, reviewer=current_os_user(),
            role=role, comment=comment, at=now,
        )  # fmt: skip
        details: dict[str, Any] = {"with_comment": bool(comment)}
        if accepted:
            details["accepted_remaining"] = accepted
        AuditLog(store, project.keys.id_key).append(
            APPROVE_ACTION, objects=[key], details=details, role=role, at=now
        )
    approved = review_state(store, message_id)
    assert approved is not None
    return approved


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
    kept: int  # spans rejected: their text stays in clear
    stale_approval: bool  # approved once, but the message was analysed again since
    scrubbed_subject: str = ""
    by_hand: bool = False  # another language or an undecodable body: the analyser cannot vouch for it

    def __repr__(self) -> str:
        return f"QueueEntry(message_id={self.message_id}, msg_key={self.msg_key!r})"


def review_queue(
    store: Store, limit: int = 200, offset: int = 0, redactor: Redactor | None = None
) -> list[QueueEntry]:
    """Messages whose redaction awaits approval, oldest submission first. With ``redactor``, each entry
    carries its subject as the model would see it."""
    rows = reviews.queue_rows(store, limit, offset)
    subjects: dict[int, str] = {}
    if redactor is not None and rows:
        spans = reviews.subject_spans(store, [r.message_id for r in rows])
        subjects = {r.message_id: redactor.redact(r.subject, spans[r.message_id]) for r in rows}
    by_hand = messages.by_hand_among(store, [r.message_id for r in rows])
    return [
        QueueEntry(
            message_id=r.message_id,
            msg_key=r.msg_key,
            sent_at=r.sent_at,
            submitted_by=r.submitted_by,
            submitted_at=r.submitted_at,
            pii_count=int(r.pii_count),
            undecided=int(r.undecided),
            kept=int(r.kept),
            stale_approval=bool(r.stale_approval),
            scrubbed_subject=subjects.get(r.message_id, ""),
            by_hand=r.message_id in by_hand,
        )
        for r in rows
    ]


# --- who may read raw text ----------------------------------------------------------------------------

RAW_VIEW_SETTING = "raw_view_roles"  # project setting: JSON list of roles that may see raw text
VIEW_RAW_ACTION = "view_raw"


def raw_view_roles(store: Store) -> tuple[str, ...]:
    value = settings.get_json(store, RAW_VIEW_SETTING)
    if value is None:
        return ROLES
    return tuple(role for role in value if role in ROLES)


def set_raw_view_roles(project: Project, store: Store, roles: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Choose which roles may read raw (unscrubbed) text. Admin only; audit-logged."""
    admin = require_role(store, ("admin",), "changing who may read raw text")
    unknown = [role for role in roles if role not in ROLES]
    if unknown:
        raise InputError(f"unknown role(s) {', '.join(map(repr, unknown))}; known: {', '.join(ROLES)}")
    chosen = tuple(role for role in ROLES if role in roles)  # canonical order, no duplicates
    with store.transaction() as conn:
        settings.put_json(conn, RAW_VIEW_SETTING, list(chosen))
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
