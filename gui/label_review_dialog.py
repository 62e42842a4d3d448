"""Team > Label Review (reviewers, admins): the redaction review queue's twin, for labels.

A message waits here when its independent annotators disagree, when a reviewer sampled it, or as the
spot-check share of a bulk acceptance. The queue shows keyed IDs, why each message waits and every
annotator's label (only reviewers see them together: annotators never see each other's labels); the
selected message's *scrubbed* text is shown below it. The reviewer picks one of the labels or corrects it,
optionally with a comment, and the core makes that the message's label (audit-logged with keyed IDs and
counts; the comment stays out of the audit log).

Keyboard: the queue opens on its first (oldest disagreement) item; Up/Down move in it; 1–9 choose the
label with that number (not while typing the comment); Ctrl+Return decides and moves to the next item.
It is a window of its own, so its number keys never label the message shown in the main window.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from scrubdesk.core import label_review
from scrubdesk.core.browse import show_message
from scrubdesk.core.errors import ScrubdeskError
from scrubdesk.core.labels import list_labels
from scrubdesk.core.project import Project
from scrubdesk.core.store import Store
from scrubdesk.gui.keymap import is_typing

COLUMNS = ("Message", "Why", "Annotators' labels", "Label now", "Model suggests", "Queued (UTC)")
REASONS = {"disagreement": "disagreement", "sample": "sampled", "spot_check": "spot check"}
PLURAL = {"disagreement": "disagreement(s)", "sample": "sampled", "spot_check": "spot check(s)"}
CHOOSE = "Choose a label (1–9)"
NUMBERED = 9


def _labels_given(item: label_review.LabelReviewItem) -> str:
    return " · ".join(f"{who}: {label}" for who, label in sorted(item.labels.items())) or "—"


class LabelReviewDialog(QDialog):
    """The queue, the scrubbed text of the selected message, and the decision (label, comment)."""

    decided = Signal(int)  # messages decided so far in this dialog

    def __init__(self, project: Project, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project, self.store = project, store
        self.items: list[label_review.LabelReviewItem] = []
        self.decided_count = 0
        self.setWindowTitle("Label Review")
        self.setObjectName("labelReviewDialog")
        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("labelReviewQueue")
        self.table.setAccessibleName("Label-review queue")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setTabKeyNavigation(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("labelReviewText")
        self.text.setAccessibleName("Scrubbed text of the selected message")
        self.text.setReadOnly(True)
        self.choice = QComboBox(self)
        self.choice.setObjectName("labelReviewChoice")
        self.choice.setAccessibleName("Decided label")
        self.choice.setToolTip("The label the message gets (1–9 choose one)")
        self.comment = QLineEdit(self)
        self.comment.setObjectName("labelReviewComment")
        self.comment.setAccessibleName("Reviewer's comment on the label")
        self.comment.setPlaceholderText("Comment (optional; kept with the decision, never in the audit log)")
        self.comment.setMaxLength(label_review.MAX_COMMENT_CHARS)
        self.decide_button = QPushButton("&Decide", self)
        self.decide_button.setObjectName("labelReviewDecide")
        self.decide_button.setToolTip("Give the message the chosen label (Ctrl+Return)")
        self.decide_button.clicked.connect(self.decide_selected)
        self.keys_hint = QLabel(self)
        self.keys_hint.setObjectName("labelReviewKeys")
        self.keys_hint.setTextFormat(Qt.TextFormat.PlainText)
        self.keys_hint.setWordWrap(True)
        self.notice = QLabel(self)
        self.notice.setObjectName("labelReviewNotice")
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)

        decide_row = QHBoxLayout()
        decide_row.addWidget(self.choice, 1)
        decide_row.addWidget(self.comment, 2)
        decide_row.addWidget(self.decide_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 2)
        layout.addWidget(self.text, 3)
        layout.addLayout(decide_row)
        layout.addWidget(self.keys_hint)
        layout.addWidget(self.notice)
        layout.addWidget(buttons)
        self.shortcuts: list[QShortcut] = []
        for number in range(1, NUMBERED + 1):
            shortcut = QShortcut(QKeySequence(str(number)), self)
            shortcut.activated.connect(partial(self._number_key, number))
            self.shortcuts.append(shortcut)
        decide = QShortcut(QKeySequence("Ctrl+Return"), self)
        decide.activated.connect(self.decide_selected)
        self.shortcuts.append(decide)
        self.setTabOrder(self.table, self.choice)
        self.setTabOrder(self.choice, self.comment)
        self.setTabOrder(self.comment, self.decide_button)
        self.resize(900, 620)
        self.labels: list[str] = []
        self.refresh()

    # queue ------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the queue and the label set; select the first item."""
        self.labels = list_labels(self.store)
        self.choice.clear()
        self.choice.addItem(CHOOSE, None)
        for number, label in enumerate(self.labels, start=1):
            self.choice.addItem(f"{number}  {label}" if number <= NUMBERED else label, label)
        keys = [f"{n} {label}" for n, label in enumerate(self.labels[:NUMBERED], start=1)]
        keys += ["Ctrl+Return decides and moves on", "Up/Down move in the queue"]
        self.keys_hint.setText("Keys: " + " · ".join(keys))
        try:
            self.items = label_review.label_review_queue(self.store)
            counts = label_review.queue_counts(self.store)
        except ScrubdeskError as exc:
            self.items, counts = [], {}
            self.notice.setText(str(exc))
        self.table.blockSignals(True)
        self.table.clearSelection()  # the first row selected again must show its (new) message
        self.table.setRowCount(len(self.items))
        for row, item in enumerate(self.items):
            key = QTableWidgetItem(item.msg_key[:12])
            key.setToolTip(item.msg_key)
            cells = [
                key,
                QTableWidgetItem(REASONS.get(item.reason, item.reason)),
                QTableWidgetItem(_labels_given(item)),
                QTableWidgetItem(item.current_label or "—"),
                QTableWidgetItem(
                    f"{item.suggestion} ({item.confidence:.0%})"
                    if item.suggestion and item.confidence is not None
                    else item.suggestion or "—"
                ),
                QTableWidgetItem(item.queued_at.replace("T", " ")[:16]),
            ]
            for column, cell in enumerate(cells):
                self.table.setItem(row, column, cell)
        self.table.blockSignals(False)
        total = sum(counts.values())
        parts = ", ".join(f"{n} {PLURAL.get(r, r)}" for r, n in sorted(counts.items()))
        self.summary.setText(
            f"{total} message(s) await a label decision: {parts}" if total else "No label awaits a decision."
        )
        if self.items:
            self.text.setPlaceholderText("Select a message to read its scrubbed text")
            self.table.selectRow(0)
            self.table.setCurrentCell(0, 0)
        else:
            self._show(None)
            self.text.setPlaceholderText(
                "Nothing to decide. Disagreements between annotators, sampled labels and spot checks of "
                "accepted suggestions come here."
            )
        self.decide_button.setEnabled(bool(self.items))

    def selected(self) -> label_review.LabelReviewItem | None:
        rows = self.table.selectionModel().selectedRows()
        return self.items[rows[0].row()] if rows and rows[0].row() < len(self.items) else None

    @Slot()
    def _selection_changed(self) -> None:
        self._show(self.selected())

    def _show(self, item: label_review.LabelReviewItem | None) -> None:
        self.notice.clear()
        self.comment.clear()
        if item is None:
            self.text.clear()
            self.choice.setCurrentIndex(0)
            return
        try:
            shown = show_message(self.project, self.store, item.msg_key)
            self.text.setPlainText(f"{shown.subject}\n\n{shown.body}")
        except ScrubdeskError as exc:  # not analysed, or purged: decide from the labels alone
            self.text.setPlainText(str(exc))
        # A sampled label is confirmed as it stands unless changed; a disagreement needs a choice.
        index = self.choice.findData(item.current_label) if item.current_label else 0
        self.choice.setCurrentIndex(max(index, 0))

    # decisions --------------------------------------------------------------------------------------
    @Slot()
    def _number_key(self, number: int) -> None:
        if is_typing(QApplication.focusWidget()) or number > len(self.labels):
            return
        self.choice.setCurrentIndex(number)

    def choose(self, label: str) -> bool:
        index = self.choice.findData(label)
        if index > 0:
            self.choice.setCurrentIndex(index)
        return index > 0

    @Slot()
    def decide_selected(self) -> bool:
        """Give the selected message the chosen label, with the comment; then select the next item."""
        item = self.selected()
        if item is None:
            return False
        label = self.choice.currentData()
        if label is None:
            self.notice.setText("Choose the label first (1–9 or the list), then decide (Ctrl+Return).")
            return False
        row = self.table.currentRow()
        decision = label_review.Decision(item.msg_key, label, self.comment.text() or None)
        try:
            label_review.decide(self.project, self.store, [decision])
        except ScrubdeskError as exc:
            self.notice.setText(str(exc))
            return False
        self.decided_count += 1
        self.refresh()
        if self.items:
            self.table.selectRow(min(max(row, 0), len(self.items) - 1))
        self.table.setFocus()
        self.notice.setText(f"{item.msg_key[:12]} is now labelled {label}.")
        self.decided.emit(self.decided_count)
        return True
