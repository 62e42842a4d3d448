"""The reviewer's queue: messages whose redaction awaits approval; approve or send back with a comment.

Shown only to reviewers and admins (the UI hides what a role cannot do); the core refuses an annotator's
approval whatever the UI does. The queue shows keyed IDs, scrubbed subjects, dates and counts, never
raw text: the message itself opens in the message view, where the reviewer checks (and can correct) its
spans.

Approval needs every suggestion decided. When some are still undecided, the first Approve (Ctrl+Return)
says how many and turns the button into "Accept N && Approve"; a second one accepts those N as PII and
approves, in one audit-logged step that counts them (the core refuses anything else).

Keyboard: the queue opens on its oldest message; arrows move in the queue (the message view follows),
Ctrl+Return approves the selected message (from anywhere in the window while the panel is shown),
Ctrl+Shift+B sends it back with the comment typed in the comment field (a comment is required to send
back).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from scrubdesk.core import review
from scrubdesk.core.db import reviews
from scrubdesk.core.errors import ScrubdeskError
from scrubdesk.core.project import Project
from scrubdesk.core.redaction import Redactor
from scrubdesk.core.roles import REVIEWER_ROLES, role_of
from scrubdesk.core.scrubbing import project_redactor
from scrubdesk.core.store import Store

BY_HAND_TIP = (
    "Review by hand: the analyser does not support this message's language, or its body could not be "
    "decoded, so its suggestions may miss personal data"
)
QUEUE_PAGE = 500  # the queue shows the oldest submissions first; more than this is a backlog to page
COLUMNS = ("Message", "Subject (scrubbed)", "PII", "To decide", "Kept", "Submitted by", "Submitted")
NUMERIC = (2, 3, 4)
COLUMN_TIPS = (
    "Keyed message ID",
    "The subject as a model would see it",
    "Spans that will be redacted",
    "Suggestions nobody decided yet: approving accepts them as PII, after a confirmation",
    "Spans rejected as not PII: their text stays in clear",
    "Who submitted it",
    "When (UTC)",
)
APPROVE_TEXT = "Approve"


def _short_time(iso: str) -> str:
    return iso.replace("T", " ")[:16]


class ReviewPanel(QWidget):
    """The queue, a comment field, Approve and Send Back."""

    message_requested = Signal(int)  # show this message in the message view
    decided = Signal(int, str)  # message id, new status: approved | sent_back
    queue_changed = Signal(int)  # messages awaiting approval

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._project: Project | None = None
        self._store: Store | None = None
        self._role: str | None = None
        self._redactor: Redactor | None = None
        self._entries: list[review.QueueEntry] = []
        self._accept_step: tuple[int, int] | None = None  # (message, undecided) awaiting a 2nd Approve
        self.total = 0
        self.setObjectName("reviewPanel")

        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("reviewQueue")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        for column, tip in enumerate(COLUMN_TIPS):
            self.table.horizontalHeaderItem(column).setToolTip(tip)
        self.table.setTabKeyNavigation(False)  # Tab moves on to the comment, not from cell to cell
        self.table.setAccessibleName("Review queue")
        self.table.setMinimumHeight(
            2 * (self.fontMetrics().height() + 6) + 8
        )  # a short strip on small screens
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)

        self.comment = QLineEdit(self)
        self.comment.setObjectName("reviewComment")
        self.comment.setAccessibleName("Reviewer's comment")
        self.comment.setPlaceholderText("Comment (optional to approve, required to send back)")
        self.comment.setClearButtonEnabled(True)
        self.approve_action = QAction("&Approve", self)
        self.approve_action.setShortcut(QKeySequence("Ctrl+Return"))
        self.approve_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.approve_action.setToolTip("Approve this message's redaction (Ctrl+Return)")
        self.approve_action.triggered.connect(self.approve_selected)
        self.send_back_action = QAction("Send &Back", self)
        self.send_back_action.setShortcut(QKeySequence("Ctrl+Shift+B"))
        self.send_back_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.send_back_action.setToolTip("Return it to the annotators with the comment (Ctrl+Shift+B)")
        self.send_back_action.triggered.connect(self.send_back_selected)
        self.refresh_action = QAction("Refresh", self)
        self.refresh_action.triggered.connect(self.refresh)
        self.addActions([self.approve_action, self.send_back_action])

        self.approve_button = QPushButton(APPROVE_TEXT, self)
        self.approve_button.setObjectName("approveButton")
        self.approve_button.setToolTip(self.approve_action.toolTip())
        self.approve_button.clicked.connect(self.approve_action.trigger)
        self.send_back_button = QPushButton("Send Back", self)
        self.send_back_button.setToolTip(self.send_back_action.toolTip())
        self.send_back_button.clicked.connect(self.send_back_action.trigger)
        refresh = QPushButton("Refresh", self)
        refresh.clicked.connect(self.refresh)
        self.notice = QLabel(self)
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setWordWrap(True)
        self.notice.hide()

        decide = QHBoxLayout()
        decide.addWidget(self.comment, 1)
        decide.addWidget(self.approve_button)
        decide.addWidget(self.send_back_button)
        decide.addWidget(refresh)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(decide)
        layout.addWidget(self.notice)
        self._update_actions()

    # project ----------------------------------------------------------------------------------------
    @property
    def allowed(self) -> bool:
        """May the current user review in the open project? (Decides whether the panel is offered.)"""
        return self._role in REVIEWER_ROLES

    def set_project(self, project: Project | None, store: Store | None) -> None:
        self._project, self._store = project, store
        self._role = role_of(store) if store is not None else None
        self._redactor = (
            project_redactor(project, store) if project is not None and store is not None else None
        )
        self.comment.clear()
        self.refresh()

    # queue ------------------------------------------------------------------------------------------
    def entries(self) -> list[review.QueueEntry]:
        return list(self._entries)

    @Slot()
    def refresh(self) -> None:
        """Reload the queue, keeping the selected message selected while it is still waiting."""
        self._reset_accept_step()  # its count may be out of date
        current = self.selected_message_id()
        store = self._store
        self._entries = (
            review.review_queue(store, limit=QUEUE_PAGE, redactor=self._redactor)
            if store is not None and self.allowed
            else []
        )
        total = reviews.queue_size(store) if store is not None and self.allowed else 0
        self.total = total
        self.table.blockSignals(True)
        try:
            self.table.setRowCount(len(self._entries))
            for row, entry in enumerate(self._entries):
                key = QTableWidgetItem(
                    entry.msg_key[:12]
                    + ("  (re-analysed)" if entry.stale_approval else "")
                    + ("  (by hand)" if entry.by_hand else "")
                )
                key.setToolTip(entry.msg_key + (f"\n{BY_HAND_TIP}" if entry.by_hand else ""))
                key.setData(Qt.ItemDataRole.UserRole, entry.message_id)
                cells = [
                    key,
                    QTableWidgetItem(entry.scrubbed_subject),
                    QTableWidgetItem(str(entry.pii_count)),
                    QTableWidgetItem(str(entry.undecided) if entry.undecided else "—"),
                    QTableWidgetItem(str(entry.kept) if entry.kept else "—"),
                    QTableWidgetItem(entry.submitted_by),
                    QTableWidgetItem(_short_time(entry.submitted_at)),
                ]
                for col, item in enumerate(cells):
                    if col in NUMERIC:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    self.table.setItem(row, col, item)
        finally:
            self.table.blockSignals(False)
        more = f" (showing the oldest {len(self._entries):,})" if total > len(self._entries) else ""
        self.summary.setText(
            f"{total:,} message{'s' if total != 1 else ''} awaiting approval{more}"
            if total
            else "Nothing awaits approval."
        )
        if current is not None:
            self.select_message(current, show=False)
        self._update_actions()
        self.queue_changed.emit(total)

    def open_oldest(self) -> None:
        """The queue was opened: select (and show) its oldest message unless one is selected."""
        if self.selected_message_id() is None and self._entries:
            self.table.selectRow(0)
            self.table.setCurrentCell(0, 0)

    def follow(self, message_id: int | None) -> None:
        """The message view shows ``message_id``: select it here if it waits in the queue, else select
        nothing, so that Approve always applies to the message on screen."""
        if message_id == self.selected_message_id() and message_id is not None:
            return
        self._reset_accept_step()
        if message_id is not None and self.select_message(message_id, show=False):
            return
        self.table.blockSignals(True)
        self.table.clearSelection()
        self.table.blockSignals(False)
        self._update_actions()

    def selected_message_id(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self._entries[rows[0].row()].message_id

    def select_message(self, message_id: int, *, show: bool = True) -> bool:
        for row, entry in enumerate(self._entries):
            if entry.message_id == message_id:
                if not show:
                    self.table.blockSignals(True)
                self.table.selectRow(row)
                self.table.blockSignals(False)
                self._update_actions()
                return True
        return False

    @Slot()
    def _selection_changed(self) -> None:
        self._reset_accept_step()
        self._update_actions()
        message_id = self.selected_message_id()
        if message_id is not None:
            self.message_requested.emit(message_id)

    # decisions --------------------------------------------------------------------------------------
    @Slot()
    def approve_selected(self) -> bool:
        return self._decide(approve=True)

    @Slot()
    def send_back_selected(self) -> bool:
        if not self.comment.text().strip():
            self._show_notice("Write what needs fixing in the comment field, then send it back.")
            self.comment.setFocus()
            return False
        return self._decide(approve=False)

    def _decide(self, *, approve: bool) -> bool:
        message_id = self.selected_message_id()
        if message_id is None or self._project is None or self._store is None:
            return False
        row = self.table.currentRow()
        comment = self.comment.text()
        confirmed = self._accept_step is not None and self._accept_step[0] == message_id
        try:
            if approve:
                state = review.approve(
                    self._project, self._store, message_id, comment or None, accept_remaining=confirmed
                )
            else:
                state = review.send_back(self._project, self._store, message_id, comment)
        except review.UndecidedSuggestionsError as exc:
            self._offer_accept_step(message_id, exc.undecided)
            return False
        except ScrubdeskError as exc:
            self._show_notice(str(exc))
            return False
        self._reset_accept_step()
        self.comment.clear()
        self.notice.hide()
        self.table.clearSelection()
        self.refresh()
        self.decided.emit(message_id, state.status)
        if self._entries:  # the next one in line (the queue is oldest first)
            self.table.selectRow(min(max(row, 0), len(self._entries) - 1))
        return True

    def _offer_accept_step(self, message_id: int, undecided: int) -> None:
        """Approval waits for an explicit, counted step: a second Approve accepts the undecided ones."""
        self._accept_step = (message_id, undecided)
        self.approve_button.setText(f"Accept {undecided} && Approve")
        self._show_notice(
            f"{undecided} suggestion(s) of this message are undecided. Decide them in the message (Y / N), "
            f"or press Approve (Ctrl+Return) again to accept the remaining {undecided} as PII and approve."
        )

    def _reset_accept_step(self) -> None:
        if self._accept_step is not None:
            self._accept_step = None
            self.approve_button.setText(APPROVE_TEXT)
            self.notice.hide()

    # state ------------------------------------------------------------------------------------------
    def _show_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.show()

    def _update_actions(self) -> None:
        selected = self.allowed and self.selected_message_id() is not None
        for action in (self.approve_action, self.send_back_action):
            action.setEnabled(selected)
        self.approve_button.setEnabled(selected)
        self.send_back_button.setEnabled(selected)
