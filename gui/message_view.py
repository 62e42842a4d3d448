"""Shows one message: headers, the subject and body with their PII spans, and the span decisions.

The view only shows and forwards: what is shown and what a key does is decided by a Qt-free
:class:`~scrubdesk.core.span_review.SpanReview` (message, spans, raw or scrubbed, current span, notice,
role gating); the header is a :class:`~scrubdesk.gui.message_header.MessageHeader` and the texts are
:class:`~scrubdesk.gui.span_text_view.SpanTextView` s.

Keyboard (see :mod:`scrubdesk.gui.keymap`): Y accepts the current span, N keeps it in clear (deletes a span
a person added), T changes its type, A adds a span for the selected text (select with Shift+arrows), Del
deletes an added span, R toggles raw / scrubbed, Ctrl+Shift+Return submits the message for review, F6
moves the keyboard into the spans. These work anywhere in the main window except while typing in a text
field. In the text, Tab / Shift+Tab move between spans (subject first, then body; past the last one focus
moves on); in the spans panel, Down / Up. The context menu has the same.

Raw text is shown only to roles the project allows (``raw_view_roles``), and only once its display is
committed to the audit log: the :class:`~scrubdesk.gui.raw_view_gate.RawViewGate` writes the entry on its
own thread and the raw text appears when the commit is confirmed (a caption says so meanwhile). The
scrubbed preview is what a model would train on: the project's redaction policy applied to every span
nobody rejected.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QEvent, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QFontDatabase, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from scrubdesk.core.db.messages import Message
from scrubdesk.core.db.spans import SpanRecord
from scrubdesk.core.project import Project
from scrubdesk.core.span_marks import Mark, label_counts
from scrubdesk.core.span_review import (
    CHOOSE_SPAN_FIRST,
    RAW,
    SCRUBBED,
    SELECT_FIRST,
    Outcome,
    SpanReview,
)
from scrubdesk.core.store import Store
from scrubdesk.gui.keymap import is_typing
from scrubdesk.gui.message_header import MessageHeader, ViewBar
from scrubdesk.gui.raw_view_gate import RawViewGate
from scrubdesk.gui.scrubbed_preview import ScrubbedPreview
from scrubdesk.gui.span_highlighter import SpanFormats, legend_html
from scrubdesk.gui.span_menus import SpanMenus
from scrubdesk.gui.span_text_view import SpanTextView
from scrubdesk.gui.spans_panel import SpansPanel

log = logging.getLogger(__name__)

__all__ = ["RAW", "SCRUBBED", "MessageView"]

PLACEHOLDER = "Select a message in the list to read it here."
SIDE_BY_SIDE_MIN_WIDTH = 900  # narrower, the spans panel goes under the text
COMPARE_BESIDE_MIN_WIDTH = 1200  # narrower, the scrubbed preview goes under the raw text


class MessageView(QWidget):
    """Placeholder when nothing is selected; otherwise headers over the subject and body with spans."""

    spans_changed = Signal(int)  # message id: a span was accepted, rejected, retyped, added or deleted
    review_changed = Signal(int)  # message id: submitted, or an edit put an approval back to pending

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = SpanReview()
        self._gate: RawViewGate | None = None
        self._legend_html = ""
        self._formats = SpanFormats(self.palette())
        self.menus = SpanMenus(self)
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
        self._update_actions()

    # construction -----------------------------------------------------------------------------------
    def _build_message_page(self) -> QWidget:
        page = QWidget(self)
        self.header = MessageHeader(page)
        self.subject = self.header.subject
        self.fields = self.header.fields

        bar = ViewBar(page)  # Raw / Scrubbed, Details, the legend of PII types
        self.mode_buttons, self.details_button, self.legend = bar.mode_buttons, bar.details_button, bar.legend
        for button in self.mode_buttons.values():
            button.clicked.connect(self._mode_button_clicked)
        self.details_button.toggled.connect(self._details_toggled)
        self.header.set_collapsed(True)  # small screens first: the body gets the room

        self.body = SpanTextView("body", page)
        self.body.setObjectName("messageBody")
        self.body.setAccessibleName("Message body")
        self.body.setMinimumHeight(2 * self.body.fontMetrics().lineSpacing() + 12)  # 2 lines at least
        self.body.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.body_caption = QLabel(page)
        self.body_caption.setObjectName("bodyCaption")
        self.preview = ScrubbedPreview(self.body.font(), self.body.minimumHeight(), page)
        self.compare_button = bar.compare_button
        self.compare_button.toggled.connect(self._compare_toggled)
        self.spans_panel = SpansPanel(page)
        self.spans_panel.mark_chosen.connect(self._panel_chose)
        self.text_split = QSplitter(Qt.Orientation.Horizontal, page)
        self.text_split.setObjectName("textSplit")
        self.text_split.setChildrenCollapsible(True)
        self.notice = QLabel(page)  # the outcome of the last action (refusals, resets); never message text
        self.notice.setObjectName("spanNotice")
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.not_analysed = QLabel(page)  # stands in for the body when there is none to show
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
            view.context_requested.connect(self.menus.show_context_menu)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        layout.addWidget(self.header)
        layout.addWidget(bar)
        layout.addWidget(self.notice)
        layout.addWidget(self.body_caption)
        body_box = QWidget(page)
        body_layout = QVBoxLayout(body_box)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(self.body, 1)
        body_layout.addWidget(self.not_analysed, 1)
        self.compare_split = QSplitter(Qt.Orientation.Horizontal, page)
        self.compare_split.setObjectName("compareSplit")
        self.compare_split.setChildrenCollapsible(False)
        self.compare_split.addWidget(body_box)
        self.compare_split.addWidget(self.preview)
        self.text_split.addWidget(self.compare_split)
        self.text_split.addWidget(self.spans_panel)
        self.text_split.setStretchFactor(0, 3)
        self.text_split.setStretchFactor(1, 2)
        layout.addWidget(self.text_split, 1)
        layout.addLayout(review_row)
        layout.addWidget(self.review_comment)
        return page

    def _action(self, text: str, key: str, slot: Callable[[], object], tip: str) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)  # works wherever the focus is
        action.setToolTip(tip)
        action.triggered.connect(partial(self._key, slot))
        self.addAction(action)
        return action

    @staticmethod
    def _key(slot: Callable[[], object], _checked: bool = False) -> None:
        """A message key: keys typed into a text field elsewhere in the window are text, not commands."""
        if not is_typing(QApplication.focusWidget()):
            slot()

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

    # project and message ----------------------------------------------------------------------------
    def set_project(self, project: Project | None, store: Store | None) -> None:
        """Use this project's store (the UI thread's connection) for spans, reviews and raw-view checks."""
        if self._gate is not None:
            self._gate.close()  # commits what it queued for the previous project
            self._gate.deleteLater()
        self._gate = RawViewGate(project, self) if project is not None else None
        if self._gate is not None:
            self._gate.logged.connect(self._raw_view_logged)
            self._gate.failed.connect(self._raw_view_log_failed)
        self.controller.set_project(project, store, self._gate)
        self.show_message(None)

    @property
    def role(self) -> str | None:
        return self.controller.role

    @property
    def raw_allowed(self) -> bool:
        return self.controller.raw_allowed

    @property
    def raw_waiting(self) -> bool:
        """Raw text was asked for and appears once its view is in the audit log."""
        return self.controller.raw_waiting

    @property
    def mode(self) -> str:
        return self.controller.mode

    @property
    def message(self) -> Message | None:
        return self.controller.message

    @property
    def current(self) -> Mark | None:
        return self.controller.current

    def marks(self) -> list[Mark]:
        """Every mark shown, subject first, then body, in position order (the Tab order)."""
        return self.controller.marks()

    def records(self) -> list[SpanRecord]:
        return list(self.controller.records)

    def show_message(self, message: Message | None) -> None:
        self.controller.show(message)
        if message is None:
            self.subject.show_field(None, self._formats)
            self.body.show_field(None, self._formats)
            self.preview.show_field(None, self._formats)
            self.compare_button.hide()
            self.header.clear()
            self.notice.hide()
            self._stack.setCurrentIndex(0)
            self._update_actions()
            return
        self._render()
        self._stack.setCurrentIndex(1)

    def placeholder_shown(self) -> bool:
        return self._stack.currentIndex() == 0

    def flush_raw_log(self, timeout: float = 30.0) -> bool:
        """Wait until every raw view asked for so far is committed to the audit log."""
        return self._gate is None or self._gate.flush(timeout)

    @Slot(int)
    def _raw_view_logged(self, message_id: int) -> None:
        if self.controller.raw_logged(message_id):
            self._render()

    @Slot()
    def _raw_view_log_failed(self) -> None:
        self.controller.raw_log_failed()
        if self.message is not None:
            self._render()

    # rendering --------------------------------------------------------------------------------------
    def _render(self) -> None:
        """Show the controller's state: header, texts, caption, legend, notice, review and actions."""
        c = self.controller
        message = c.message
        assert message is not None
        shown_subject, shown_body = c.shown()
        self.header.show_values(message, raw=c.raw_shown)
        self.subject.show_field(shown_subject, self._formats)
        self.header.set_row_visible(self.subject, shown_subject is not None)
        self.body.show_field(shown_body, self._formats)
        self._show_preview()
        self.not_analysed.setText(c.body_placeholder())
        if self.body.isHidden() != (shown_body is None):
            self.body.setVisible(shown_body is not None)
            self.not_analysed.setVisible(shown_body is None)
        self.body_caption.setText(c.caption())
        self.spans_panel.empty_hint = c.spans_hint()
        self.spans_panel.show_marks(c.shown(), c.current, self._formats.dark)
        legend = legend_html(label_counts(c.marks()), self._formats.dark)
        if legend != self._legend_html:  # rich text is parsed and laid out again on every setText
            self._legend_html = legend
            self.legend.setText(legend)
        for mode, button in self.mode_buttons.items():
            button.setChecked(mode == c.mode)
        self.mode_buttons[RAW].setEnabled(c.raw_allowed)
        self.mode_buttons[RAW].setVisible(c.raw_allowed)
        self.mode_buttons[SCRUBBED].setEnabled(c.store is not None)
        self._show_notice()
        self._show_review()
        self._show_focus()
        self._update_actions()

    def _show_preview(self) -> None:
        """The scrubbed pane: shown beside raw text while comparing is on (one pane when it is off)."""
        c = self.controller
        preview = c.scrubbed_body() if self.compare_button.isChecked() else None
        self.compare_button.setVisible(c.raw_shown)
        self.preview.show_field(preview, self._formats)

    @Slot(bool)
    def _compare_toggled(self, _on: bool) -> None:
        if self.message is not None:
            self._show_preview()

    def _show_notice(self) -> None:
        text = self.controller.notice
        self.notice.setText(text or "")
        self.notice.setVisible(bool(text))

    def _show_review(self) -> None:
        c = self.controller
        self.review_label.setText(c.review_text())
        comment = c.review_comment()
        self.review_comment.setText(f"Reviewer's comment: {comment}" if comment else "")
        self.review_comment.setVisible(bool(comment))
        self.submit_button.setEnabled(c.can_submit)

    def _update_actions(self) -> None:
        c = self.controller
        mark = c.current
        # Enabled whenever a message is editable: without a current span the key says what to do instead.
        self.accept_action.setEnabled(c.editable)
        self.reject_action.setEnabled(c.editable)
        self.retype_action.setEnabled(c.editable)
        self.delete_action.setEnabled(c.editable and (mark is None or mark.status == "added"))
        self.add_action.setEnabled(c.editable)
        self.toggle_mode_action.setEnabled(c.can_toggle_mode)
        self.submit_action.setEnabled(c.editable and c.can_submit)

    def set_mode(self, mode: str) -> None:
        if self.controller.set_mode(mode) and self.message is not None:
            self._render()
        else:
            for m, button in self.mode_buttons.items():
                button.setChecked(m == self.mode)
            self._update_actions()

    @Slot(bool)
    def _details_toggled(self, shown: bool) -> None:
        self.header.set_collapsed(not shown)

    @Slot()
    def toggle_mode(self) -> None:
        self.set_mode(SCRUBBED if self.mode == RAW else RAW)

    @Slot()
    def _mode_button_clicked(self) -> None:
        button = self.sender()
        if isinstance(button, QToolButton):
            self.set_mode(str(button.property("mode")))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # the spans panel sits beside the text when there is room for both, else under it
        wide = event.size().width() >= SIDE_BY_SIDE_MIN_WIDTH
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        self.legend.setVisible(wide)  # narrow, the spans panel names the types: the text gets the lines
        if self.text_split.orientation() != orientation or 0 in self.text_split.sizes():
            self.text_split.setOrientation(orientation)
            QTimer.singleShot(0, self._balance_text_split)  # once the splitter has its new extent
        beside = event.size().width() >= COMPARE_BESIDE_MIN_WIDTH
        self.compare_split.setOrientation(Qt.Orientation.Horizontal if beside else Qt.Orientation.Vertical)

    @Slot()
    def _balance_text_split(self) -> None:
        """Text 3 : spans 2 side by side, 2 : 1 one above the other."""
        split = self.text_split
        wide = split.orientation() == Qt.Orientation.Horizontal
        extent = max(split.width() if wide else split.height(), 200)
        split.setSizes([extent * 3 // 5, extent * 2 // 5] if wide else [extent * 2 // 3, extent // 3])

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # light <-> dark: new tints
            self._formats = SpanFormats(self.palette())
            if self.message is not None:
                self._render()

    # current span and navigation --------------------------------------------------------------------
    def _view_for(self, mark: Mark) -> SpanTextView:
        return self.subject if mark.field == "subject" else self.body

    @Slot(object)
    def set_current(self, mark: Mark | None) -> None:
        self.controller.set_current(mark)
        self._show_focus()
        if mark is not None:
            view = self._view_for(mark)
            if not view.hasFocus():
                view.setFocus(Qt.FocusReason.OtherFocusReason)
        self._update_actions()

    def _show_focus(self) -> None:
        mark = self.controller.current
        self.spans_panel.select_mark(mark)
        for view in (self.subject, self.body):
            view.show_focus(
                mark if mark is not None and view is self._view_for(mark) else None, self._formats
            )

    def move(self, step: int) -> bool:
        """Make the next (+1) or previous (-1) span current; False when there is none that way."""
        if not self.controller.move(step):
            return False
        self.set_current(self.controller.current)
        return True

    @Slot(object)
    def _panel_chose(self, mark: Mark) -> None:
        """A row of the spans panel became current: the text follows, the keyboard stays in the panel."""
        self.controller.set_current(mark)
        self._show_focus()
        self._update_actions()

    @Slot(int)
    def _navigate(self, step: int) -> None:
        if not self.move(step):
            self.controller.set_current(None)
            self._show_focus()
            self._update_actions()
            # past the last (or before the first) span: leave the view, as Tab does elsewhere
            (self.body if step > 0 else self.subject).focusNextPrevChild(step > 0)

    @Slot()
    def focus_spans(self) -> None:
        """F6: put the keyboard in the message text, on the current span (the first one if none)."""
        if self.message is None:
            return
        current = self.controller.current
        if current is None and not self.move(1):
            self.body.setFocus(Qt.FocusReason.ShortcutFocusReason)
        elif current is not None:
            self._view_for(current).setFocus(Qt.FocusReason.ShortcutFocusReason)

    @Slot(int)
    def _entered_by_tab(self, step: int) -> None:
        if self.controller.current is None:
            self.move(step)

    # span decisions ---------------------------------------------------------------------------------
    def _after(self, outcome: Outcome) -> bool:
        """Show what an action changed and pass it on as signals."""
        message = self.message
        if outcome.done and message is not None:
            self._render()
            current = self.controller.current
            if current is not None and QApplication.focusWidget() in (self.subject, self.body):
                self.set_current(current)  # the keyboard follows the span into the subject or body
            if outcome.review_changed:
                self.review_changed.emit(message.id)
            if outcome.spans_changed:
                self.spans_changed.emit(message.id)
        else:
            self._show_notice()
        return outcome.done

    @Slot()
    def accept_current(self) -> bool:
        """Accept the current span (Y) and move on to the next."""
        return self._after(self.controller.accept())

    @Slot()
    def reject_current(self) -> bool:
        """Reject the current span (N) and move on; a span a person added is deleted instead."""
        return self._after(self.controller.reject())

    @Slot()
    def delete_current(self) -> bool:
        return self._after(self.controller.delete())

    def change_current_type(self, label: str) -> bool:
        return self._after(self.controller.retype(label))

    def add_span_from_selection(self, label: str) -> bool:
        """Mark the selected text (in the subject or the body) as PII of type ``label``."""
        found = self._selection()
        field, selection = (found[0].field, found[1]) if found is not None else ("body", None)
        return self._after(self.controller.add(field, selection, label))

    @property
    def formats(self) -> SpanFormats:
        """The character formats of the current palette."""
        return self._formats

    def has_selection(self) -> bool:
        return self._selection() is not None

    def _selection(self) -> tuple[SpanTextView, tuple[int, int]] | None:
        views = sorted((self.subject, self.body), key=lambda v: not v.hasFocus())  # the focused one first
        for view in views:
            selected = view.selected_range()
            if selected is not None and selected[0] < selected[1]:
                return view, selected
        return None

    # type picker and context menu (see span_menus) -----------------------------------------------------
    @property
    def type_menu(self) -> QMenu | None:
        """The open type picker (T, A), if any."""
        return self.menus.type_menu

    @property
    def context_menu(self) -> QMenu | None:
        return self.menus.context_menu

    @Slot()
    def choose_type_for_selection(self) -> None:
        """A: pick a type for the selected text (a menu; arrows/letters then Enter)."""
        found = self._selection()
        if found is None:
            self.controller.notice = SELECT_FIRST
            self._show_notice()
            return
        self.menus.popup_types(found[0], "Add span as", None)

    @Slot()
    def choose_type_for_current(self) -> None:
        """T: pick another type for the current span."""
        mark = self.controller.current
        if mark is None:
            self.controller.notice = CHOOSE_SPAN_FIRST
            self._show_notice()
            return
        self.menus.popup_types(self._view_for(mark), "Change type to", mark.label)

    # review -----------------------------------------------------------------------------------------
    @Slot()
    def submit_for_review(self) -> bool:
        outcome = self.controller.submit()
        message = self.message
        if outcome.done and message is not None:
            self._show_review()
            self._show_notice()
            self._update_actions()
            self.review_changed.emit(message.id)
        else:
            self._show_notice()
        return outcome.done

    @Slot()
    def refresh_review(self) -> None:
        """Show the message's review state and spans again (a reviewer decided in the review panel, and
        an approval may have accepted the remaining suggestions)."""
        self.controller.reload()
        if self.message is not None:
            self._render()
        self._update_actions()
