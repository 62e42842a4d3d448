"""An empty table says why it is empty and what to do, drawn over its viewport."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QAbstractItemView


def paint_empty_hint(view: QAbstractItemView, hint: str) -> None:
    """Call from ``paintEvent`` after the view painted itself: draws ``hint`` when the view has no rows."""
    model = view.model()
    if model is None or model.rowCount() != 0 or not hint:
        return
    painter = QPainter(view.viewport())
    painter.setPen(view.palette().color(QPalette.ColorRole.Text))
    rect = view.viewport().rect().adjusted(12, 12, -12, -12)
    flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
    painter.drawText(rect, int(flags), hint)
    painter.end()
