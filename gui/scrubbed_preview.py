"""The scrubbed pane beside raw text: while a reviewer reads the raw body, the same body as the model will
see it, so that the two can be compared (beside the raw text when there is room, under it otherwise)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from scrubdesk.core.span_marks import FieldText
from scrubdesk.gui.span_highlighter import SpanFormats
from scrubdesk.gui.span_text_view import SpanTextView


class ScrubbedPreview(QWidget):
    def __init__(self, font: QFont, min_height: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel("As the model will see it (scrubbed):", self)
        self.caption.setObjectName("previewCaption")
        self.text = SpanTextView("body", self)
        self.text.setObjectName("scrubbedPreview")
        self.text.setAccessibleName("Scrubbed body, as the model will see it")
        self.text.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a view to compare: Tab walks the raw text
        self.text.setFont(font)
        self.text.setMinimumHeight(min_height)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.text, 1)
        self.hide()

    def show_field(self, shown: FieldText | None, formats: SpanFormats) -> None:
        """Show the scrubbed body, or hide the pane (None)."""
        self.text.show_field(shown, formats)
        if self.isHidden() != (shown is None):
            self.setVisible(shown is not None)
