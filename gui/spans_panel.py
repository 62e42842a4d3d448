"""The spans panel: every PII span of the message in a table beside its text — type, the text as shown
(raw only where the role may see it and the view is logged; otherwise what the scrubbed preview shows),
status in words, and score. Keyboard: arrows move the current span (the text follows); Y, N, T, Del work
here as in the text (they are the message view's actions). Enter does nothing here: it never labels.

A message can carry a thousand spans, so the table is a view over a small model that formats rows only
when they are painted.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QKeyEvent, QPaintEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from scrubdesk.core.span_marks import FieldText, Mark, display_name
from scrubdesk.gui.empty_hint import paint_empty_hint
from scrubdesk.gui.span_highlighter import swatch

COLUMNS = ("Type", "Text", "Status", "Score")
STATUS_TEXT = {
    "suggested": "to decide",
    "accepted": "PII",
    "added": "PII (added)",
    "rejected": "kept in clear",
}
STATUS_TIP = {
    "suggested": "Suggested by the analyser, not decided yet: Y accepts it as PII, N keeps it in clear",
    "accepted": "Accepted as PII: replaced in the scrubbed text",
    "added": "Added by a person: replaced in the scrubbed text",
    "rejected": "Rejected as not PII: the text stays in clear in what a model sees",
}
MAX_TEXT = 80  # characters of a span's text shown in the table
ModelIndex = QModelIndex | QPersistentModelIndex


class SpansTableModel(QAbstractTableModel):
    """Rows are the marks shown (subject first, then body), columns :data:`COLUMNS`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.marks: list[Mark] = []
        self._fields: dict[str, FieldText] = {}
        self._dark = False

    def set_marks(self, fields: tuple[FieldText | None, FieldText | None], dark: bool) -> None:
        self.beginResetModel()
        self._fields = {f.field: f for f in fields if f is not None}
        self.marks = [m for f in fields if f is not None for m in f.marks]
        self._dark = dark
        self.endResetModel()

    def rowCount(self, parent: ModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.marks)

    def columnCount(self, parent: ModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def text_of(self, mark: Mark) -> str:
        field = self._fields.get(mark.field)
        text = " ".join(field.text[mark.start : mark.end].split()) if field is not None else ""
        return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"

    def data(self, index: ModelIndex, role: int = 0) -> Any:
        if not index.isValid() or index.row() >= len(self.marks):
            return None
        mark, column = self.marks[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return display_name(mark.label)
            if column == 1:
                return self.text_of(mark)
            if column == 2:
                return STATUS_TEXT.get(mark.status, mark.status)
            return "—" if mark.status == "added" else f"{mark.score:.2f}"
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 0:
                return f"{mark.label} in the {mark.field}"
            if column == 2:
                return STATUS_TIP.get(mark.status, mark.status)
            return None
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return swatch(mark.label, self._dark)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class SpansPanel(QTableView):
    """Lists the marks shown; moving to a row makes that span current."""

    mark_chosen = Signal(object)  # Mark: the person moved to this span in the panel

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("spansPanel")
        self.setAccessibleName("PII spans of the message")
        self.spans_model = SpansTableModel(self)
        self.setModel(self.spans_model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)  # Tab leaves the panel: regions, not cells
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        # small screens: it may shrink to its header and one row (the splitter gives it more when it can)
        self.setMinimumHeight(self.horizontalHeader().sizeHint().height() + self.fontMetrics().height() + 10)
        header = self.horizontalHeader()
        width = self.fontMetrics().horizontalAdvance
        for column, sample in ((0, "Customer ref…"), (2, "kept in clear"), (3, "0.00")):
            header.resizeSection(column, width(sample) + 24)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(24)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the text column gives way
        self.selectionModel().currentRowChanged.connect(self._current_changed)
        self.empty_hint = ""  # drawn when there is no span: why there is none

    def show_marks(
        self, fields: tuple[FieldText | None, FieldText | None], current: Mark | None, dark: bool
    ) -> None:
        """List the marks of (subject, body) in the Tab order; ``current`` is selected."""
        if not fields[0] and not fields[1] and not self.spans_model.marks:
            return  # nothing before, nothing now: no reset, no repaint
        self.setUpdatesEnabled(False)  # one repaint for the reset, the selection and the scroll
        try:
            self.spans_model.set_marks(fields, dark)
            self.select_mark(current)
        finally:
            self.setUpdatesEnabled(True)

    def marks(self) -> list[Mark]:
        return list(self.spans_model.marks)

    def select_mark(self, mark: Mark | None) -> None:
        """Follow the current span of the text (no signal)."""
        marks = self.spans_model.marks
        row = marks.index(mark) if mark is not None and mark in marks else -1
        selection = self.selectionModel()
        selection.blockSignals(True)
        try:
            if row < 0:  # no current row either: the first Down then goes to the first span
                selection.clear()
                selection.setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.NoUpdate)
            else:
                flags = (
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
                )
                index = self.spans_model.index(row, 0)
                selection.setCurrentIndex(index, flags)
                self.scrollTo(index)
        finally:
            selection.blockSignals(False)

    @Slot(QModelIndex, QModelIndex)
    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        marks = self.spans_model.marks
        if current.isValid() and current.row() < len(marks):
            self.mark_chosen.emit(marks[current.row()])

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        paint_empty_hint(self, self.empty_hint)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()  # Enter in the spans never labels the message (nor does anything else)
            return
        super().keyPressEvent(event)
