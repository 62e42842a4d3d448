"""Shows one message: headers, the subject and body with their PII spans, and the span decisions.

Everything from the message is attacker-controlled text, so nothing is ever interpreted as markup:
header labels use ``Qt.PlainText`` and subject and body are read-only ``QPlainTextEdit`` documents whose
spans are coloured with character formats (built once per message; see :mod:`span_highlighter`).

Keyboard (while the view has focus): Tab / Shift+Tab move between spans (subject first, then body; past
the last one focus moves on), Y accepts, N rejects (deletes a span a person added), T changes the type,
A adds a span for the selected text (select with Shift+arrows), Del deletes an added span, R toggles the
raw / scrubbed preview, Ctrl+Shift+Return submits the message for review, Esc goes back to the message
list. F6 (anywhere in the window) moves the keyboard into the spans. The context menu has the same.

Raw text is shown only to roles the project allows (``raw_view_roles``), and each display of a message's
raw text is audit-logged once, before it is shown. The scrubbed preview is what a model would train on:
the project's redaction policy applied to every span nobody rejected.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QContextMenuEvent,
    QFocusEvent,
    QFont,
    QFontDatabase,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QResizeEvent,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTextEdit,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from scrubdesk.core import review, span_edits
from scrubdesk.core.db import spans as span_rows
from scrubdesk.core.db.messages import Message
from scrubdesk.core.entities import LABELS
from scrubdesk.core.errors import ScrubdeskError
from scrubdesk.core.project import Project
from scrubdesk.core.redaction import Redactor
from scrubdesk.core.roles import role_of
from scrubdesk.core.scrubbing import project_redactor
from scrubdesk.core.store import Store
from scrubdesk.gui.span_highlighter import (
    FieldText,
    Mark,
    SpanFormats,
    TextMap,
    apply_marks,
    display_name,
    format_marks,
    label_counts,
    legend_html,
    raw_field,
    scrubbed_field,
    swatch,
    type_mnemonics,
)

log = logging.getLogger(__name__)

HEADER_FIELDS = ("From", "To", "Cc", "Date", "Subject", "Label", "Attachments", "Flags", "ID", "Source")
# Personal data the scrubbed preview does not show (a source file name can name a person too).
RAW_ONLY_FIELDS = ("From", "To", "Cc", "Source")
PLACEHOLDER = "Select a message in the list to read it here."
NOT_ANALYSED = (
    "This message has not been analysed yet, so there is no scrubbed text to show. "
    "Run the PII analysis first."
)
RAW, SCRUBBED = "raw", "scrubbed"
FIRST_FORMAT_CHARS = 8000  # formatted before a new message is first painted: more than a screenful


def _plain_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)  # never rich text: headers come from the sender
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


def format_sender(message: Message) -> str:
    if message.from_name and message.from_addr:
        return f"{message.from_name} <{message.from_addr}>"
    return message.from_addr or message.from_name or "—"


def format_attachments(message: Message) -> str:
    if not message.attachment_count:
        return "none"
    types = ", ".join(message.attachment_types)
    return f"{message.attachment_count} ({types})" if types else str(message.attachment_count)


def format_sent_at(sent_at: str | None) -> str:
    if not sent_at:
        return "—"
    return sent_at.replace("T", " ").replace("+00:00", " UTC")


def header_values(message: Message) -> dict[str, str]:
    return {
        "From": format_sender(message),
        "To": ", ".join(message.to_addrs) or "—",
        "Cc": ", ".join(message.cc_addrs),
        "Date": format_sent_at(message.sent_at),
        "Subject": message.subject or "(no subject)",
        "Label": message.label or "unlabelled",
        "Attachments": format_attachments(message),
        "Flags": ", ".join(message.flags) or "—",
        "ID": message.msg_key,
        "Source": message.source_location,
    }


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


class SpanTextView(QPlainTextEdit):
    """A read-only text with highlighted spans: tooltips, clicks and Tab move through the spans."""

    mark_clicked = Signal(object)  # Mark
    navigate = Signal(int)  # +1 (Tab) / -1 (Shift+Tab)
    entered_by_tab = Signal(int)  # focus came in by Tab (+1) or Shift+Tab (-1)
    context_requested = Signal(object, object)  # global QPoint, Mark | None

    def __init__(self, field: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.shown: FieldText | None = None
        self._generation = 0  # bumped whenever the shown text or marks change
        self.text_map = TextMap("")
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.DefaultContextMenu)

    def text(self) -> str:
        """The text shown (raw or scrubbed), as given: no line-break conversion."""
        return self.shown.text if self.shown is not None else ""

    def textFormat(self) -> Qt.TextFormat:
        """As ``QLabel.textFormat``: a plain-text document never interprets markup."""
        return Qt.TextFormat.PlainText

    def show_field(self, shown: FieldText | None, formats: SpanFormats) -> None:
        """Show a field; the document is rebuilt only when its text changed (an edit reformats)."""
        self.setExtraSelections([])
        if shown is None:
            self._generation += 1
            self.shown = None
            self.text_map = TextMap("")
            self.clear()
            return
        same_text = self.shown is not None and self.shown.text == shown.text
        self.shown = shown
        self._generation += 1
        if same_text:  # an edit: reformat everything now (the view may be scrolled anywhere)
            apply_marks(self.document(), self.text_map, shown.marks, formats)
            return
        self.text_map = TextMap(shown.text)
        self.setPlainText(self.text_map.text)
        # A new message opens at the top: format the first screens now, the rest once it is shown.
        split = bisect_left([m.start for m in shown.marks], FIRST_FORMAT_CHARS)
        format_marks(self.document(), self.text_map, shown.marks[:split], formats)
        if split < len(shown.marks):
            generation, rest = self._generation, shown.marks[split:]
            QTimer.singleShot(0, lambda: self._format_later(generation, rest, formats))

    def _format_later(self, generation: int, marks: list[Mark], formats: SpanFormats) -> None:
        if generation == self._generation:  # still the same text and marks
            format_marks(self.document(), self.text_map, marks, formats)

    def show_focus(self, mark: Mark | None, formats: SpanFormats) -> None:
        if mark is None:
            self.setExtraSelections([])
            return
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.text_map.to_qt(mark.start))
        cursor.setPosition(self.text_map.to_qt(mark.end), QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor  # type: ignore[attr-defined]
        selection.format = formats.focus(mark)  # type: ignore[attr-defined]
        self.setExtraSelections([selection])
        caret = QTextCursor(self.document())
        caret.setPosition(self.text_map.to_qt(mark.start))
        self.setTextCursor(caret)
        self.ensureCursorVisible()

    def selected_range(self) -> tuple[int, int] | None:
        """The selection in offsets of the shown text, or None."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        return self.text_map.to_py(cursor.selectionStart()), self.text_map.to_py(cursor.selectionEnd())

    def select_range(self, start: int, end: int) -> None:
        """Select ``start..end`` of the shown text (as a user would)."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.text_map.to_qt(start))
        cursor.setPosition(self.text_map.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def mark_at(self, pos: QPoint) -> Mark | None:
        if self.shown is None:
            return None
        cursor = self.cursorForPosition(pos)
        offset = self.text_map.to_py(cursor.position())
        mark = self.shown.mark_at(offset)
        # cursorForPosition rounds to the nearest gap: the character left of it may be the one hovered
        if mark is None and offset > 0 and self.cursorRect(cursor).center().x() > pos.x():
            mark = self.shown.mark_at(offset - 1)
        return mark

    # events -----------------------------------------------------------------------------------------
    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            mark = self.mark_at(event.pos())  # type: ignore[attr-defined]
            if mark is not None:
                QToolTip.showText(event.globalPos(), mark.tooltip(), self.viewport())  # type: ignore[attr-defined]
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and not self.textCursor().hasSelection():
            mark = self.mark_at(event.position().toPoint())
            if mark is not None:
                self.mark_clicked.emit(mark)

    def event(self, event: QEvent) -> bool:
        # QWidget.event turns Tab into a focus change before keyPressEvent sees it: take it first.
        if event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            plain = not (event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier)
            if plain and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
                back = event.key() == Qt.Key.Key_Backtab or bool(event.modifiers())
                self.navigate.emit(-1 if back else 1)
                return True
        return super().event(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if event.reason() == Qt.FocusReason.TabFocusReason:
            self.entered_by_tab.emit(1)
        elif event.reason() == Qt.FocusReason.BacktabFocusReason:
            self.entered_by_tab.emit(-1)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        self.context_requested.emit(event.globalPos(), self.mark_at(event.pos()))


class SubjectView(SpanTextView):
    """The subject line: a span text as tall as its wrapped lines, with no scroll bars."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("subject", parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.document().setDocumentMargin(1)
        self.viewport().setAutoFillBackground(False)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.document().documentLayout().documentSizeChanged.connect(self._fit)

    def _fit(self, *_args: object) -> None:
        lines = max(1, int(self.document().documentLayout().documentSize().height()))
        margins = self.contentsMargins()
        height = lines * self.fontMetrics().lineSpacing() + 2 * int(self.document().documentMargin())
        self.setFixedHeight(height + margins.top() + margins.bottom() + 2)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()


class MessageView(QWidget):
    """Placeholder when nothing is selected; otherwise headers over the subject and body with spans."""

    spans_changed = Signal(int)  # message id: a span was accepted, rejected, retyped, added or deleted
    review_changed = Signal(int)  # message id: submitted, or an edit put an approval back to pending
    leave_requested = Signal()  # Esc in the spans: back to the message list
    _raw_log_failed = Signal(object)  # emitted on the raw-view log's writer thread, delivered queued

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._message: Message | None = None
        self._project: Project | None = None
        self._store: Store | None = None
        self._redactor: Redactor | None = None
        self._role: str | None = None
        self._raw_allowed = True
        self._mode = RAW
        self._raw_logged_for: int | None = None  # the message whose raw display was audit-logged
        self._raw_log: review.RawViewRecorder | None = None
        self._row_visible: dict[QWidget, bool] = {}
        self._legend_html = ""
        self._analysed = False
        self._records: list[span_rows.SpanRecord] = []
        self._current: Mark | None = None
        self._formats = SpanFormats(self.palette())
        self.type_menu: QMenu | None = None  # the open type picker (tests drive it)
        self.context_menu: QMenu | None = None
        self._stack = QStackedWidget(self)
        self._placeholder = QLabel(PLACEHOLDER, self)
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setWordWrap(True)
        self._stack.addWidget(self._placeholder)
        self._stack.addWidget(self._build_message_page())
        self._create_actions()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)
        self._raw_log_failed.connect(self._on_raw_log_failed, Qt.ConnectionType.QueuedConnection)
        self._update_actions()

    # construction -----------------------------------------------------------------------------------
    def _build_message_page(self) -> QWidget:
        page = QWidget(self)
        header = QFrame(page)
        header.setObjectName("messageHeader")
        header.setFrameShape(QFrame.Shape.StyledPanel)
        form = QFormLayout(header)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setContentsMargins(10, 8, 10, 8)
        form.setVerticalSpacing(3)
        self._form = form
        self.subject = SubjectView(header)
        self.subject.setObjectName("messageSubject")
        font = QFont(self.subject.font())
        font.setBold(True)
        self.subject.setFont(font)
        self.fields: dict[str, QWidget] = {}
        for name in HEADER_FIELDS:
            value: QWidget = self.subject if name == "Subject" else _plain_label(header)
            if name in ("ID", "Source"):
                value.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
            caption = QLabel(f"{name}:", header)
            caption.setEnabled(False)  # dimmed, so the values stand out
            form.addRow(caption, value)
            self.fields[name] = value

        self.mode_buttons: dict[str, QToolButton] = {}
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for mode, text, tip in (
            (RAW, "Raw", "Show the text as received (R toggles)"),
            (
                SCRUBBED,
                "Scrubbed",
                "Preview the text a model would see: PII replaced by the redaction policy",
            ),
        ):
            button = QToolButton(page)
            button.setText(text)
            button.setToolTip(tip)
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _checked=False, m=mode: self.set_mode(m))
            bar.addWidget(button)
            self.mode_buttons[mode] = button
        self.legend = QLabel(page)
        self.legend.setObjectName("spanLegend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)  # built from the entity vocabulary only, escaped
        self.legend.setWordWrap(True)
        self.legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        bar.addSpacing(8)
        bar.addWidget(self.legend, 1)

        self.body = SpanTextView("body", page)
        self.body.setObjectName("messageBody")
        self.body.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.body_caption = QLabel(page)
        self.body_caption.setEnabled(False)
        self.notice = QLabel(page)  # the outcome of the last action (refusals, resets); never message text
        self.notice.setObjectName("spanNotice")
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.not_analysed = QLabel(NOT_ANALYSED, page)
        self.not_analysed.setWordWrap(True)
        self.not_analysed.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.not_analysed.hide()

        self.review_label = QLabel(page)
        self.review_label.setObjectName("reviewStatus")
        self.review_label.setTextFormat(Qt.TextFormat.PlainText)
        self.review_comment = QLabel(page)  # a reviewer's comment: free text, shown as plain text
        self.review_comment.setObjectName("reviewComment")
        self.review_comment.setTextFormat(Qt.TextFormat.PlainText)
        self.review_comment.setWordWrap(True)
        self.review_comment.setFrameShape(QFrame.Shape.StyledPanel)
        self.review_comment.setMargin(6)
        self.review_comment.hide()
        self.submit_button = QPushButton("Submit for Review", page)
        self.submit_button.setToolTip(
            "Done with this message's spans: send it to a reviewer (Ctrl+Shift+Return)"
        )
        self.submit_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.submit_button.clicked.connect(self.submit_for_review)
        review_row = QHBoxLayout()
        review_row.setContentsMargins(0, 0, 0, 0)
        review_row.addWidget(self.review_label, 1)
        review_row.addWidget(self.submit_button)

        for view in (self.subject, self.body):
            view.mark_clicked.connect(self.set_current)
            view.navigate.connect(self._navigate)
            view.entered_by_tab.connect(self._entered_by_tab)
            view.context_requested.connect(self._context_menu)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(header)
        layout.addLayout(bar)
        layout.addWidget(self.notice)
        layout.addWidget(self.body_caption)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.not_analysed, 1)
        layout.addLayout(review_row)
        layout.addWidget(self.review_comment)
        return page

    def _action(self, text: str, key: str, slot: Callable[[], object], tip: str) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _create_actions(self) -> None:
        self.accept_action = self._action("&Accept Span", "Y", self.accept_current, "This is PII (Y)")
        self.reject_action = self._action(
            "&Reject Span", "N", self.reject_current, "Not PII: keep it in the scrubbed text (N)"
        )
        self.retype_action = self._action(
            "Change &Type…", "T", self.choose_type_for_current, "Give the span another entity type (T)"
        )
        self.add_action = self._action(
            "A&dd Span…", "A", self.choose_type_for_selection, "Mark the selected text as PII (A)"
        )
        self.delete_action = self._action(
            "De&lete Span", "Del", self.delete_current, "Remove a span a person added (Del)"
        )
        self.toggle_mode_action = self._action(
            "Raw / Scrubbed", "R", self.toggle_mode, "Switch between raw text and the scrubbed preview (R)"
        )
        self.submit_action = self._action(
            "&Submit for Review", "Ctrl+Shift+Return", self.submit_for_review, "Send to a reviewer"
        )
        self.focus_spans_action = self._action(
            "&Go to Spans",
            "F6",
            self.focus_spans,
            "Move the keyboard into the message's spans (F6; Esc leaves)",
        )
        self.focus_spans_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self._action("Leave Spans", "Esc", self.leave_requested.emit, "Back to the message list (Esc)")

    # project and message ----------------------------------------------------------------------------
    def set_project(self, project: Project | None, store: Store | None) -> None:
        """Use this project's store (the UI thread's connection) for spans, reviews and raw-view logging."""
        if self._raw_log is not None:
            self._raw_log.close()
        self._project, self._store = project, store
        self._raw_log = review.RawViewRecorder(project, self._raw_log_failed.emit) if project else None
        if self._raw_log is not None:  # a view that goes away writes what it queued, then stops
            self.destroyed.connect(lambda *_args, raw_log=self._raw_log: raw_log.close())
        self._redactor = None
        self._role = role_of(store) if store is not None else None
        self._raw_allowed = store is None or review.can_view_raw(store)
        self._mode = RAW if self._raw_allowed else SCRUBBED
        self._raw_logged_for = None
        self.show_message(None)

    @property
    def role(self) -> str | None:
        return self._role

    @property
    def raw_allowed(self) -> bool:
        return self._raw_allowed

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def message(self) -> Message | None:
        return self._message

    @property
    def current(self) -> Mark | None:
        return self._current

    def marks(self) -> list[Mark]:
        """Every mark shown, subject first, then body, in position order (the Tab order)."""
        return [m for view in (self.subject, self.body) if view.shown for m in view.shown.marks]

    def records(self) -> list[span_rows.SpanRecord]:
        return list(self._records)

    def show_message(self, message: Message | None) -> None:
        previous = self._message
        self._message = message
        self._current = None
        self.notice.hide()
        if message is None:
            self._records = []
            self.subject.show_field(None, self._formats)
            self.body.show_field(None, self._formats)
            for value in self.fields.values():
                if isinstance(value, QLabel):
                    value.clear()
            self._stack.setCurrentIndex(0)
            self._update_actions()
            return
        if previous is None or previous.id != message.id:
            self._raw_logged_for = None
        self._load_spans()
        self._render()
        self._show_review()
        self._stack.setCurrentIndex(1)
        self._update_actions()

    def placeholder_shown(self) -> bool:
        return self._stack.currentIndex() == 0

    def _load_spans(self) -> None:
        assert self._message is not None
        if self._store is None:
            self._records, self._analysed = [], False
            return
        self._records = span_rows.message_spans(self._store, self._message.id)
        self._analysed = span_rows.is_analysed(self._store, self._message.id)

    def _raw_permitted_now(self) -> bool:
        """Log this display of raw text (once per message display); False if it may not be shown."""
        message = self._message
        assert message is not None
        if not self._raw_allowed:
            return False
        if self._store is None or self._raw_log is None or self._raw_logged_for == message.id:
            return True
        try:  # queued: the entry is committed on the recorder's thread, a few milliseconds later
            self._raw_log.record(self._store, message.id, message.msg_key)
        except ScrubdeskError as exc:
            self._raw_allowed = False
            self._show_notice(str(exc))
            return False
        self._raw_logged_for = message.id
        return True

    def _render(self) -> None:
        """(Re)build what is shown for the current message in the current mode."""
        message = self._message
        assert message is not None
        if self._mode == RAW and not self._raw_permitted_now():
            self._mode = SCRUBBED
        raw = self._mode == RAW
        scrubbed_possible = self._analysed and self._store is not None and self._project is not None
        by_field: dict[str, list[span_rows.SpanRecord]] = {"subject": [], "body": []}
        for record in self._records:
            by_field[record.field].append(record)
        subject = message.subject or ""
        if raw:
            shown_subject = raw_field("subject", subject, by_field["subject"])
            shown_body = raw_field("body", message.body, by_field["body"])
        elif scrubbed_possible:
            redactor = self._get_redactor()
            shown_subject = scrubbed_field("subject", subject, by_field["subject"], redactor)
            shown_body = scrubbed_field("body", message.body, by_field["body"], redactor)
        else:
            shown_subject = shown_body = None
        values = header_values(message)
        for name, value in self.fields.items():
            if name == "Subject":
                continue
            text = "" if (not raw and name in RAW_ONLY_FIELDS) else values[name]
            assert isinstance(value, QLabel)
            value.setText(text)
            self._set_row_visible(value, bool(text))  # e.g. no Cc row when there is none
        if shown_subject is not None and not subject:
            shown_subject = FieldText("subject", "(no subject)", [], [])
        self.subject.show_field(shown_subject, self._formats)
        self._set_row_visible(self.subject, shown_subject is not None)
        self.body.show_field(shown_body, self._formats)
        if self.body.isHidden() != (shown_body is None):
            self.body.setVisible(shown_body is not None)
            self.not_analysed.setVisible(shown_body is None)
        marks = self.marks()
        statuses = Counter(m.status for m in marks)
        undecided, redacted = statuses["suggested"], len(marks) - statuses["rejected"]
        pii = f"{redacted} PII span{'s' if redacted != 1 else ''}"
        decided = f", {undecided} to decide" if undecided else ""
        kind = message.body_kind if raw else "scrubbed preview"
        length = len(shown_body.text) if shown_body is not None else len(message.body)
        self.body_caption.setText(f"Body ({kind}, {length:,} characters) — {pii}{decided}")
        legend = legend_html(label_counts(marks), self._formats.dark)
        if legend != self._legend_html:  # rich text is parsed and laid out again on every setText
            self._legend_html = legend
            self.legend.setText(legend)
        for mode, button in self.mode_buttons.items():
            button.setChecked(mode == self._mode)
        self.mode_buttons[RAW].setEnabled(self._raw_allowed)
        self.mode_buttons[RAW].setVisible(self._raw_allowed)
        self.mode_buttons[SCRUBBED].setEnabled(self._store is not None)
        if self._current is not None:
            self._current = self._find_mark(self._current.span_ids)
        self._show_focus()

    def _set_row_visible(self, widget: QWidget, visible: bool) -> None:
        if self._row_visible.get(widget) != visible:  # each change re-lays out the header
            self._row_visible[widget] = visible
            self._form.setRowVisible(widget, visible)

    def _on_raw_log_failed(self, _exc: BaseException) -> None:
        self._raw_allowed = False
        self._show_notice("Raw views could not be audit-logged, so raw text is hidden. Reopen the project.")
        if self._mode == RAW:
            self.set_mode(SCRUBBED)
        else:
            self._update_actions()

    def flush_raw_log(self, timeout: float = 30.0) -> bool:
        """Wait until every raw view shown so far is committed to the audit log."""
        return self._raw_log is None or self._raw_log.flush(timeout)

    def _get_redactor(self) -> Redactor:
        if self._redactor is None:
            assert self._project is not None and self._store is not None
            self._redactor = project_redactor(self._project, self._store)
        return self._redactor

    def _show_review(self) -> None:
        message = self._message
        if message is None or self._store is None:
            self.review_label.setText("")
            self.review_comment.hide()
            return
        state = review.review_state(self._store, message.id)
        self.review_label.setText(review_text(state))
        comment = state.comment if state is not None and state.status == "sent_back" else None
        self.review_comment.setText(f"Reviewer's comment: {comment}" if comment else "")
        self.review_comment.setVisible(bool(comment))
        self.submit_button.setEnabled(
            self._analysed
            and self._role is not None
            and not (state is not None and (state.approved or state.status == "pending"))
        )

    def set_mode(self, mode: str) -> None:
        if mode not in (RAW, SCRUBBED) or (mode == RAW and not self._raw_allowed):
            for m, button in self.mode_buttons.items():
                button.setChecked(m == self._mode)
            return
        self._mode = mode
        self._current = None
        if self._message is not None:
            self._render()
        self._update_actions()

    def toggle_mode(self) -> None:
        self.set_mode(SCRUBBED if self._mode == RAW else RAW)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # light <-> dark: new tints
            self._formats = SpanFormats(self.palette())
            if self._message is not None:
                self._render()

    # current span and navigation --------------------------------------------------------------------
    def _view_for(self, mark: Mark) -> SpanTextView:
        return self.subject if mark.field == "subject" else self.body

    def _find_mark(self, span_ids: tuple[int, ...]) -> Mark | None:
        wanted = set(span_ids)
        return next((m for m in self.marks() if wanted & set(m.span_ids)), None)

    def set_current(self, mark: Mark | None) -> None:
        self._current = mark
        self._show_focus()
        if mark is not None:
            view = self._view_for(mark)
            if not view.hasFocus():
                view.setFocus(Qt.FocusReason.OtherFocusReason)
        self._update_actions()

    def _show_focus(self) -> None:
        mark = self._current
        for view in (self.subject, self.body):
            view.show_focus(
                mark if mark is not None and view is self._view_for(mark) else None, self._formats
            )

    def move(self, step: int) -> bool:
        """Make the next (+1) or previous (-1) span current; False when there is none that way."""
        marks = self.marks()
        if not marks:
            return False
        if self._current is None:
            index = 0 if step > 0 else len(marks) - 1
        else:
            try:
                index = marks.index(self._current) + step
            except ValueError:
                index = 0
        if not 0 <= index < len(marks):
            return False
        self.set_current(marks[index])
        return True

    def _navigate(self, step: int) -> None:
        if not self.move(step):
            self._current = None
            self._show_focus()
            self._update_actions()
            # past the last (or before the first) span: leave the view, as Tab does elsewhere
            (self.body if step > 0 else self.subject).focusNextPrevChild(step > 0)

    def focus_spans(self) -> None:
        """F6: put the keyboard in the message text, on the current span (the first one if none)."""
        if self._message is None:
            return
        if self._current is None and not self.move(1):
            self.body.setFocus(Qt.FocusReason.ShortcutFocusReason)
        elif self._current is not None:
            self._view_for(self._current).setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _entered_by_tab(self, step: int) -> None:
        if self._current is None:
            self.move(step)

    # span decisions -------------------------------------------------------------------------------------
    def _edit(self, action: Callable[[], span_edits.SpanEdit | list[span_edits.SpanEdit]]) -> bool:
        message = self._message
        if message is None or self._store is None or self._project is None:
            return False
        try:
            result = action()
        except ScrubdeskError as exc:
            self._show_notice(str(exc))
            return False
        edits = result if isinstance(result, list) else [result]
        self._load_spans()
        self._render()
        self._show_review()
        if any(edit.review_reset for edit in edits):
            self._show_notice("The approved redaction changed: the message awaits approval again.")
            self.review_changed.emit(message.id)
        else:
            self.notice.hide()
        self.spans_changed.emit(message.id)
        return True

    def _decide(self, op: Callable[[Project, Store, int], span_edits.SpanEdit], advance: bool) -> bool:
        mark = self._current
        if mark is None or self._project is None or self._store is None:
            return False
        project, store = self._project, self._store
        index = self.marks().index(mark)
        done = self._edit(lambda: [op(project, store, span_id) for span_id in mark.span_ids])
        if done:
            marks = self.marks()
            if advance and index + 1 < len(marks):
                self.set_current(marks[index + 1])
            else:
                self.set_current(self._find_mark(mark.span_ids))
        return done

    def accept_current(self) -> bool:
        """Accept the current span (Y) and move on to the next."""
        return self._decide(span_edits.accept_span, advance=True)

    def reject_current(self) -> bool:
        """Reject the current span (N) and move on; a span a person added is deleted instead."""
        mark = self._current
        if mark is not None and mark.status == "added":
            return self.delete_current()
        return self._decide(span_edits.reject_span, advance=True)

    def delete_current(self) -> bool:
        mark = self._current
        if mark is None or mark.status != "added":
            if mark is not None:
                self._show_notice(
                    "Only spans a person added can be deleted; reject a suggestion instead (N)."
                )
            return False
        index = self.marks().index(mark)
        project, store = self._project, self._store
        assert project is not None and store is not None
        done = self._edit(lambda: [span_edits.delete_span(project, store, i) for i in mark.span_ids])
        if done:
            marks = self.marks()
            self.set_current(marks[min(index, len(marks) - 1)] if marks else None)
        return done

    def change_current_type(self, label: str) -> bool:
        def retype(project: Project, store: Store, span_id: int) -> span_edits.SpanEdit:
            return span_edits.change_span_type(project, store, span_id, label)

        return self._decide(retype, advance=False)

    def add_span_from_selection(self, label: str) -> bool:
        """Mark the selected text (in the subject or the body) as PII of type ``label``."""
        message = self._message
        found = self._selection()
        if message is None or self._project is None or self._store is None:
            return False
        if found is None:
            self._show_notice("Select the text to mark first (mouse, or Shift+arrow keys), then press A.")
            return False
        view, (start, end) = found
        assert view.shown is not None
        raw = view.shown.raw_range(start, end)
        if raw is None:
            self._show_notice("Select text outside the redacted placeholders (or switch to the raw text).")
            return False
        project, store = self._project, self._store
        created: list[span_edits.SpanEdit] = []

        def add() -> span_edits.SpanEdit:
            edit = span_edits.add_span(
                project, store, message.id, view.field, start=raw[0], end=raw[1], label=label
            )
            created.append(edit)
            return edit

        done = self._edit(add)
        if done and created and created[0].record is not None:
            self.set_current(self._find_mark((created[0].record.id,)))
        return done

    def _selection(self) -> tuple[SpanTextView, tuple[int, int]] | None:
        views = sorted((self.subject, self.body), key=lambda v: not v.hasFocus())  # the focused one first
        for view in views:
            selected = view.selected_range()
            if selected is not None and selected[0] < selected[1]:
                return view, selected
        return None

    # type picker and context menu -------------------------------------------------------------------
    def _type_menu(
        self,
        title: str,
        choose: Callable[[str], object],
        current: str | None = None,
        parent: QWidget | None = None,
    ) -> QMenu:
        menu = QMenu(title, parent or self)
        for label, text in type_mnemonics(LABELS).items():
            action = menu.addAction(swatch(label, self._formats.dark), text)
            action.setToolTip(label)
            action.setData(label)
            if label == current:
                action.setCheckable(True)
                action.setChecked(True)
            action.triggered.connect(lambda _checked=False, lab=label: choose(lab))
        return menu

    def _popup_types(
        self, view: SpanTextView, title: str, choose: Callable[[str], object], current: str | None
    ) -> None:
        menu = self._type_menu(title, choose, current)
        menu.insertSection(menu.actions()[0], title)
        menu.aboutToHide.connect(menu.deleteLater)
        self.type_menu = menu
        menu.destroyed.connect(lambda: setattr(self, "type_menu", None))
        rect = view.cursorRect()
        menu.popup(view.viewport().mapToGlobal(rect.bottomLeft()))

    def choose_type_for_selection(self) -> None:
        """A: pick a type for the selected text (a menu; arrows/letters then Enter)."""
        found = self._selection()
        if found is None:
            self._show_notice("Select the text to mark first (mouse, or Shift+arrow keys), then press A.")
            return
        self._popup_types(found[0], "Add span as", self.add_span_from_selection, None)

    def choose_type_for_current(self) -> None:
        """T: pick another type for the current span."""
        mark = self._current
        if mark is None:
            self._show_notice("Choose a span first (Tab, or click it), then press T.")
            return
        self._popup_types(self._view_for(mark), "Change type to", self.change_current_type, mark.label)

    def _context_menu(self, pos: QPoint, mark: Mark | None) -> None:
        menu = QMenu(self)
        if mark is not None:
            self.set_current(mark)
            title = menu.addAction(f"{display_name(mark.label)} — {mark.status}")
            title.setEnabled(False)
            menu.addAction(self.accept_action)
            menu.addAction(self.reject_action)
            menu.addMenu(self._type_menu("Change &Type", self.change_current_type, mark.label, menu))
            if mark.status == "added":
                menu.addAction(self.delete_action)
        if self._selection() is not None:
            if mark is not None:
                menu.addSeparator()
            menu.addMenu(self._type_menu("A&dd Span As", self.add_span_from_selection, None, menu))
        menu.addSeparator()
        menu.addAction(self.toggle_mode_action)
        menu.aboutToHide.connect(menu.deleteLater)
        self.context_menu = menu
        menu.destroyed.connect(lambda: setattr(self, "context_menu", None))
        menu.popup(pos)

    # review -----------------------------------------------------------------------------------------
    def submit_for_review(self) -> bool:
        message = self._message
        if message is None or self._project is None or self._store is None:
            return False
        try:
            review.submit_for_review(self._project, self._store, message.id)
        except ScrubdeskError as exc:
            self._show_notice(str(exc))
            return False
        self._show_review()
        self._show_notice("Submitted for review.")
        self.review_changed.emit(message.id)
        return True

    def refresh_review(self) -> None:
        """Show the message's review state again (a reviewer decided in the review panel)."""
        self._show_review()
        self._update_actions()

    # state ------------------------------------------------------------------------------------------
    def _show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.show()

    def _update_actions(self) -> None:
        has_message = self._message is not None
        editable = has_message and self._store is not None and self._role is not None
        mark = self._current
        self.accept_action.setEnabled(editable and mark is not None)
        self.reject_action.setEnabled(editable and mark is not None)
        self.retype_action.setEnabled(editable and mark is not None)
        self.delete_action.setEnabled(editable and mark is not None and mark.status == "added")
        self.add_action.setEnabled(editable)
        self.toggle_mode_action.setEnabled(has_message and self._raw_allowed and self._store is not None)
        self.submit_action.setEnabled(editable and self.submit_button.isEnabled())
