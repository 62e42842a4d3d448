"""One person reviewing one message's PII spans, without Qt: the state behind the message view.

:class:`SpanReview` holds what the view shows and what a key press does: the message and its spans, raw or
scrubbed mode, the current span, the last notice, and which actions the user's role allows. Every decision
goes through :mod:`scrubdesk.core.span_edits` and :mod:`scrubdesk.core.review` (which check the role again
and write the audit log); a refused action leaves a notice that names offsets and types, never text.

Raw text is shown only to roles the project allows (``raw_view_roles``), and only after the view is in the
audit log. Wanting raw text asks the :class:`RawViewLog` to record the view (the permission is checked
then, synchronously); the raw text becomes visible when :meth:`SpanReview.raw_logged` confirms the entry
was committed. Until then the message shows no raw field at all. If the log fails, raw text is refused
for the rest of the session. Each display of a message's raw text is logged once: switching to scrubbed
and back, or editing a span, is the same display; opening the message again is a new one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from scrubdesk.core import review, span_edits
from scrubdesk.core.db import spans as span_rows
from scrubdesk.core.db.messages import Message
from scrubdesk.core.errors import ScrubdeskError
from scrubdesk.core.project import Project
from scrubdesk.core.redaction import Redactor
from scrubdesk.core.roles import role_of
from scrubdesk.core.scrubbing import project_redactor
from scrubdesk.core.span_marks import FieldText, Mark, raw_field, scrubbed_field
from scrubdesk.core.store import Store

RAW, SCRUBBED = "raw", "scrubbed"
MODES = (RAW, SCRUBBED)
NO_SUBJECT = "(no subject)"
NOT_ANALYSED = (
    "This message has not been analysed yet, so there is no scrubbed text to show. "
    "Run the PII analysis first (Project > Analyse PII), or press R to read the raw text (audit-logged)."
)
RAW_WAITING = "The raw text appears as soon as this view is written to the audit log…"
RAW_LOG_FAILED = "Raw views could not be audit-logged, so raw text is hidden. Reopen the project."
SELECT_FIRST = "Select the text to mark first (mouse, or Shift+arrow keys), then press A."
OUTSIDE_PLACEHOLDERS = "Select text outside the redacted placeholders (or switch to the raw text)."
ONLY_ADDED_DELETE = "Only spans a person added can be deleted; reject a suggestion instead (N)."
CHOOSE_SPAN_FIRST = "Choose a span first (Tab, or click it), then press T."
NO_CURRENT_SPAN = "No span is current: F6 goes into the spans (then Tab or Down), or click one."
APPROVAL_RESET = "The approved redaction changed: the message awaits approval again."
SUBMITTED = "Submitted for review."


class RawViewLog(Protocol):
    """Records raw views in the audit log, off the caller's thread (see ``gui.raw_view_gate``)."""

    def request(self, store: Store, message_id: int, msg_key: str) -> None:
        """Queue the entry; raise :class:`ScrubdeskError` (logging nothing) if raw text may not be shown."""


@dataclass(frozen=True)
class Outcome:
    """What an action did, for the view to pass on as signals."""

    done: bool
    spans_changed: bool = False
    review_changed: bool = False


REFUSED = Outcome(False)


def review_text(state: review.ReviewState | None) -> str:
    if state is None:
        return "Review: not submitted"
    if state.status == "approved":
        if not state.current:
            return "Review: approved for an earlier analysis — needs approval again"
        return f"Review: approved by {state.reviewer}"
    if state.status == "sent_back":
        return f"Review: sent back by {state.reviewer}"
    return f"Review: awaiting approval (submitted by {state.reviewer})"


class SpanReview:
    """The span-review state machine of one message view (one per view, reused across messages)."""

    def __init__(self) -> None:
        self.project: Project | None = None
        self.store: Store | None = None
        self.role: str | None = None
        self.raw_allowed = True
        self.mode = SCRUBBED
        self.message: Message | None = None
        self.records: list[span_rows.SpanRecord] = []
        self.analysed = False
        self.review_state: review.ReviewState | None = None
        self.notice: str | None = None  # the outcome of the last action; never message text
        self._raw_log: RawViewLog | None = None
        self._raw_logged_for: int | None = None  # the message whose raw display is in the audit log
        self._raw_requested_for: int | None = None
        self._redactor: Redactor | None = None
        self._shown: tuple[FieldText | None, FieldText | None] | None = None
        self._compared: tuple[FieldText | None] | None = None  # the scrubbed pane beside raw text
        self._current: Mark | None = None

    # project and message ----------------------------------------------------------------------------
    def set_project(
        self, project: Project | None, store: Store | None, raw_log: RawViewLog | None = None
    ) -> None:
        """Use this project's store (the caller's thread's connection); ``raw_log`` records raw views."""
        self.project, self.store, self._raw_log = project, store, raw_log
        self._redactor = None
        self.role = role_of(store) if store is not None else None
        self.raw_allowed = store is None or review.can_view_raw(store)
        self.mode = SCRUBBED  # everyone starts scrubbed: raw text is on demand (R), each view audit-logged
        self._raw_logged_for = self._raw_requested_for = None
        self.show(None)

    def show(self, message: Message | None) -> None:
        """Show another message (or none); showing one again is a new raw display."""
        previous = self.message
        self.message = message
        self._current = None
        self.notice = None
        if message is None or previous is None or previous.id != message.id:
            self._raw_logged_for = self._raw_requested_for = None
        self._load()
        self._request_raw_view()

    def reload(self) -> None:
        """Read the message's spans and review again (someone else may have changed them)."""
        if self.message is not None:
            self._load()

    def _load(self) -> None:
        self._forget_shown()
        message, store = self.message, self.store
        if message is None or store is None:
            self.records, self.analysed, self.review_state = [], False, None
            return
        self.records = span_rows.message_spans(store, message.id)
        self.analysed = span_rows.is_analysed(store, message.id)
        self.review_state = review.review_state(store, message.id)
        if self._current is not None:
            self._current = self.find_mark(self._current.span_ids)

    # raw or scrubbed ----------------------------------------------------------------------------------
    def set_mode(self, mode: str) -> bool:
        """Switch between raw and scrubbed; False (nothing changes) if that mode is not allowed."""
        if mode not in MODES or (mode == RAW and not self.raw_allowed):
            return False
        if mode != self.mode:
            self.mode = mode
            self._current = None
            self._forget_shown()
        self._request_raw_view()
        return True

    def toggle_mode(self) -> bool:
        return self.set_mode(SCRUBBED if self.mode == RAW else RAW)

    @property
    def raw_shown(self) -> bool:
        """Is raw text shown now (allowed, and this display is in the audit log)?"""
        message = self.message
        if self.mode != RAW or message is None or not self.raw_allowed:
            return False
        return self._raw_log is None or self._raw_logged_for == message.id

    @property
    def raw_waiting(self) -> bool:
        """Raw text is wanted but its view is not in the audit log yet."""
        return self.mode == RAW and self.message is not None and not self.raw_shown

    def _request_raw_view(self) -> None:
        message, store, raw_log = self.message, self.store, self._raw_log
        if self.mode != RAW or message is None or store is None or raw_log is None:
            return
        if message.id in (self._raw_logged_for, self._raw_requested_for):
            return
        try:
            raw_log.request(store, message.id, message.msg_key)
        except ScrubdeskError as exc:
            self._refuse_raw(str(exc))
            return
        self._raw_requested_for = message.id

    def raw_logged(self, message_id: int) -> bool:
        """The raw view of ``message_id`` is in the audit log. True if the raw text may now be shown."""
        if self._raw_requested_for != message_id:
            return False  # the person moved on before it was committed
        self._raw_requested_for = None
        self._raw_logged_for = message_id
        self._forget_shown()
        return self.raw_shown

    def raw_log_failed(self) -> None:
        """A raw view could not be written: no raw text until the project is opened again."""
        self._refuse_raw(RAW_LOG_FAILED)

    def _refuse_raw(self, notice: str) -> None:
        self.raw_allowed = False
        self.notice = notice
        self._raw_requested_for = None
        if self.mode == RAW:
            self.mode = SCRUBBED
            self._current = None
            self._forget_shown()

    # what is shown ------------------------------------------------------------------------------------
    def shown(self) -> tuple[FieldText | None, FieldText | None]:
        """(subject, body) as displayed now; None where there is nothing to show."""
        if self._shown is None:
            self._shown = self._build()
        return self._shown

    def scrubbed_body(self) -> FieldText | None:
        """While raw text is shown: the body as the model will see it, for a pane beside the raw text (a
        reviewer compares the two). None in the scrubbed view, before analysis, or with nothing shown.
        Built again only when what :meth:`shown` shows changes."""
        if self._compared is None:
            self._compared = (self._build_scrubbed_body(),)
        return self._compared[0]

    def _forget_shown(self) -> None:
        self._shown = None
        self._compared = None

    def _build_scrubbed_body(self) -> FieldText | None:
        message = self.message
        if message is None or not self.raw_shown or not self.analysed:
            return None
        if self.project is None or self.store is None:
            return None
        records = [r for r in self.records if r.field == "body"]
        return scrubbed_field("body", message.body, records, self.redactor())

    def _build(self) -> tuple[FieldText | None, FieldText | None]:
        message = self.message
        if message is None or self.raw_waiting:
            return None, None
        by_field: dict[str, list[span_rows.SpanRecord]] = {"subject": [], "body": []}
        for record in self.records:
            by_field[record.field].append(record)
        subject = message.subject or ""
        if self.raw_shown:
            shown_subject = raw_field("subject", subject, by_field["subject"])
            shown_body = raw_field("body", message.body, by_field["body"])
        elif self.analysed and self.project is not None and self.store is not None:
            redactor = self.redactor()
            shown_subject = scrubbed_field("subject", subject, by_field["subject"], redactor)
            shown_body = scrubbed_field("body", message.body, by_field["body"], redactor)
        else:
            return None, None
        if not subject:
            shown_subject = FieldText("subject", NO_SUBJECT, [], [])
        return shown_subject, shown_body

    def redactor(self) -> Redactor:
        if self._redactor is None:
            assert self.project is not None and self.store is not None
            self._redactor = project_redactor(self.project, self.store)
        return self._redactor

    def marks(self) -> list[Mark]:
        """Every mark shown, subject first, then body, in position order (the Tab order)."""
        return [m for field in self.shown() if field is not None for m in field.marks]

    def body_placeholder(self) -> str:
        """What stands in for the body when there is none to show."""
        return RAW_WAITING if self.raw_waiting else NOT_ANALYSED

    def spans_hint(self) -> str:
        """What an empty spans list means for this message."""
        if self.message is None or self.raw_waiting:
            return ""
        if self.analysed:
            return "No PII found in this message."
        return "Not analysed yet: no spans to decide (Project > Analyse PII)."

    def caption(self) -> str:
        """The body's caption: kind, length, spans to redact and spans still to decide."""
        message = self.message
        if message is None:
            return ""
        marks = self.marks()
        statuses = Counter(m.status for m in marks)
        undecided, redacted = statuses["suggested"], len(marks) - statuses["rejected"]
        pii = f"{redacted} PII span{'s' if redacted != 1 else ''}"
        decided = f", {undecided} to decide" if undecided else ""
        kept = f", {statuses['rejected']} kept in clear" if statuses["rejected"] else ""
        kind = message.body_kind if self.raw_shown else "scrubbed preview"
        body = self.shown()[1]
        length = len(body.text) if body is not None else len(message.body)
        return f"Body ({kind}, {length:,} characters) — {pii}{decided}{kept}"

    # the current span -------------------------------------------------------------------------------
    @property
    def current(self) -> Mark | None:
        return self._current

    def find_mark(self, span_ids: tuple[int, ...]) -> Mark | None:
        wanted = set(span_ids)
        return next((m for m in self.marks() if wanted & set(m.span_ids)), None)

    def set_current(self, mark: Mark | None) -> None:
        self._current = mark

    def move(self, step: int) -> bool:
        """Make the next (+1) or previous (-1) span current; False when there is none that way."""
        marks = self.marks()
        if not marks:
            return False
        current = self.current
        if current is None:
            index = 0 if step > 0 else len(marks) - 1
        else:
            try:
                index = marks.index(current) + step
            except ValueError:
                index = 0
        if not 0 <= index < len(marks):
            return False
        self._current = marks[index]
        return True

    # permissions --------------------------------------------------------------------------------------
    @property
    def editable(self) -> bool:
        return self.message is not None and self.store is not None and self.role is not None

    @property
    def can_submit(self) -> bool:
        state = self.review_state
        return (
            self.message is not None
            and self.analysed
            and self.role is not None
            and not (state is not None and (state.approved or state.status == "pending"))
        )

    @property
    def can_toggle_mode(self) -> bool:
        return self.message is not None and self.raw_allowed and self.store is not None

    def review_text(self) -> str:
        return review_text(self.review_state) if self.message is not None else ""

    def review_comment(self) -> str | None:
        """The reviewer's comment on a message sent back, else None."""
        state = self.review_state
        return state.comment if state is not None and state.status == "sent_back" else None

    # decisions --------------------------------------------------------------------------------------
    def _edit(
        self, action: Callable[[Project, Store], list[span_edits.SpanEdit]]
    ) -> tuple[Outcome, list[span_edits.SpanEdit]]:
        message, project, store = self.message, self.project, self.store
        if message is None or project is None or store is None:
            return REFUSED, []
        try:
            edits = action(project, store)
        except ScrubdeskError as exc:
            self.notice = str(exc)
            return REFUSED, []
        self._load()
        reset = any(edit.review_reset for edit in edits)
        self.notice = APPROVAL_RESET if reset else None
        return Outcome(True, spans_changed=True, review_changed=reset), edits

    def _decide(self, op: Callable[[Project, Store, int], span_edits.SpanEdit], *, advance: bool) -> Outcome:
        mark = self.current
        if mark is None:
            self.notice = NO_CURRENT_SPAN if self.message is not None else None
            return REFUSED
        index = self.marks().index(mark)
        outcome, _ = self._edit(lambda p, s: [op(p, s, span_id) for span_id in mark.span_ids])
        if outcome.done:
            marks = self.marks()
            if advance and index + 1 < len(marks):
                self._current = marks[index + 1]
            else:
                self._current = self.find_mark(mark.span_ids)
        return outcome

    def accept(self) -> Outcome:
        """Accept the current span (Y) and move on to the next."""
        return self._decide(span_edits.accept_span, advance=True)

    def reject(self) -> Outcome:
        """Reject the current span (N) and move on; a span a person added is deleted instead."""
        mark = self.current
        if mark is not None and mark.status == "added":
            return self.delete()
        return self._decide(span_edits.reject_span, advance=True)

    def delete(self) -> Outcome:
        mark = self.current
        if mark is None or mark.status != "added":
            self.notice = ONLY_ADDED_DELETE if mark is not None else NO_CURRENT_SPAN
            return REFUSED
        index = self.marks().index(mark)
        outcome, _ = self._edit(lambda p, s: [span_edits.delete_span(p, s, i) for i in mark.span_ids])
        if outcome.done:
            marks = self.marks()
            self._current = marks[min(index, len(marks) - 1)] if marks else None
        return outcome

    def retype(self, label: str) -> Outcome:
        """Give the current span another type; it stays current."""

        def retype(project: Project, store: Store, span_id: int) -> span_edits.SpanEdit:
            return span_edits.change_span_type(project, store, span_id, label)

        return self._decide(retype, advance=False)

    def add(self, field: str, selection: tuple[int, int] | None, label: str) -> Outcome:
        """Mark the selected ``start..end`` of the shown ``field`` as PII of type ``label``."""
        message = self.message
        if message is None:
            return REFUSED
        if selection is None or selection[0] >= selection[1]:
            self.notice = SELECT_FIRST
            return REFUSED
        shown = {"subject": self.shown()[0], "body": self.shown()[1]}.get(field)
        raw = shown.raw_range(*selection) if shown is not None else None
        if raw is None:
            self.notice = OUTSIDE_PLACEHOLDERS
            return REFUSED
        start, end = raw
        outcome, edits = self._edit(
            lambda p, s: [span_edits.add_span(p, s, message.id, field, start=start, end=end, label=label)]
        )
        if outcome.done and edits and edits[0].record is not None:
            self._current = self.find_mark((edits[0].record.id,))
        return outcome

    def submit(self) -> Outcome:
        """Send the message to a reviewer."""
        message, project, store = self.message, self.project, self.store
        if message is None or project is None or store is None:
            return REFUSED
        try:
            review.submit_for_review(project, store, message.id)
        except ScrubdeskError as exc:
            self.notice = str(exc)
            return REFUSED
        self.review_state = review.review_state(store, message.id)
        self.notice = SUBMITTED
        return Outcome(True, review_changed=True)
