"""The read-only texts of the message view (subject and body) with their PII spans highlighted.

Everything from a message is attacker-controlled text, so nothing is ever interpreted as markup: the
texts are plain ``QPlainTextEdit`` documents whose spans are coloured with character formats (see
:mod:`span_highlighter`). Tooltips name a span's type and status; a click makes it current; Tab and
Shift+Tab are reported as :attr:`SpanTextView.navigate` instead of moving the focus.
"""

from __future__ import annotations

from bisect import bisect_left
from functools import partial

from PySide6.QtCore import QEvent, QPoint, QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFocusEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QTextCursor,
)
from PySide6.QtWidgets import QFrame, QPlainTextEdit, QSizePolicy, QTextEdit, QToolTip, QWidget

from scrubdesk.core.span_marks import FieldText, Mark
from scrubdesk.gui.span_highlighter import SpanFormats, TextMap, apply_marks, format_marks

FIRST_FORMAT_CHARS = 8000  # formatted before a new message is first painted: more than a screenful


class SpanTextView(QPlainTextEdit):
    """A read-only text with highlighted spans: tooltips, clicks and Tab move through the spans."""

    mark_clicked = Signal(object)  # Mark: a click on a span (not ending a selection)
    navigate = Signal(int)  # +1 (Tab) / -1 (Shift+Tab) pressed in the text
    entered_by_tab = Signal(int)  # focus came in by Tab (+1) or Shift+Tab (-1)
    context_requested = Signal(object, object)  # global QPoint, the Mark under it or None

    def __init__(self, field: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.shown: FieldText | None = None
        self._generation = 0  # bumped whenever the shown text or marks change
        self.text_map = TextMap("")
        self._kept: list[tuple[int, int]] = []  # document ranges kept in clear: boxed when painted
        self._kept_colour = QColor()
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
        self._kept_colour = formats.kept
        if shown is None:
            self._generation += 1
            self.shown = None
            self.text_map = TextMap("")
            self._kept = []
            self.clear()
            return
        same_text = self.shown is not None and self.shown.text == shown.text
        self.shown = shown
        self._generation += 1
        if same_text:  # an edit: reformat everything now (the view may be scrolled anywhere)
            apply_marks(self.document(), self.text_map, shown.marks, formats)
            self._set_kept(shown)
            return
        self.text_map = TextMap(shown.text)
        self.setPlainText(self.text_map.text)
        self._set_kept(shown)
        # A new message opens at the top: format the first screens now, the rest once it is shown.
        split = bisect_left([m.start for m in shown.marks], FIRST_FORMAT_CHARS)
        format_marks(self.document(), self.text_map, shown.marks[:split], formats)
        if split < len(shown.marks):
            later = partial(self._format_later, self._generation, shown.marks[split:], formats)
            QTimer.singleShot(0, later)

    def _set_kept(self, shown: FieldText) -> None:
        to_qt = self.text_map.to_qt
        self._kept = [(to_qt(m.start), to_qt(m.end)) for m in shown.marks if m.status == "rejected"]
        self.viewport().update()

    def kept_ranges(self) -> list[tuple[int, int]]:
        """Document ranges shown as kept in clear (boxed)."""
        return list(self._kept)

    def kept_boxes(self) -> list[QRectF]:
        """The boxes drawn around text kept in clear, in viewport coordinates (visible lines only)."""
        boxes: list[QRectF] = []
        if not self._kept:
            return boxes
        height = self.viewport().height()
        offset = self.contentOffset()
        block = self.firstVisibleBlock()
        starts = [a for a, _ in self._kept]
        while block.isValid():
            top = self.blockBoundingGeometry(block).translated(offset)
            if top.top() > height:
                break
            first, last = block.position(), block.position() + block.length()
            layout = block.layout()
            for a, b in self._kept[max(bisect_left(starts, first) - 1, 0) :]:
                if a >= last:
                    break
                if b <= first:
                    continue
                for i in range(layout.lineCount()):
                    line = layout.lineAt(i)
                    lo = max(a - first, line.textStart())
                    hi = min(b - first, line.textStart() + line.textLength())
                    if lo >= hi:
                        continue
                    x1, x2 = line.cursorToX(lo)[0], line.cursorToX(hi)[0]
                    rect = QRectF(x1, line.y(), x2 - x1, line.height())
                    boxes.append(rect.translated(top.topLeft()).adjusted(-1, 0, 1, -1))
            block = block.next()
        return boxes

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        boxes = self.kept_boxes()
        if boxes:
            painter = QPainter(self.viewport())
            pen = QPen(self._kept_colour, 1.5)
            painter.setPen(pen)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            for box in boxes:
                painter.drawRoundedRect(box, 2, 2)
            painter.end()

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

    @Slot()
    def _fit(self) -> None:
        lines = max(1, int(self.document().documentLayout().documentSize().height()))
        margins = self.contentsMargins()
        height = lines * self.fontMetrics().lineSpacing() + 2 * int(self.document().documentMargin())
        self.setFixedHeight(height + margins.top() + margins.bottom() + 2)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()
