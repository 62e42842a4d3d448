"""Shows one message: a header block and the body as plain text.

Everything from the message is attacker-controlled text, so nothing is ever interpreted as markup:
header labels use ``Qt.PlainText`` and the body is a read-only ``QPlainTextEdit``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from scrubdesk.core.messages import Message

HEADER_FIELDS = ("From", "To", "Cc", "Date", "Subject", "Label", "Attachments", "Flags", "ID", "Source")
PLACEHOLDER = "Select a message in the list to read it here."


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


class MessageView(QWidget):
    """Placeholder when nothing is selected; otherwise headers over a read-only plain-text body."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._message: Message | None = None
        self._stack = QStackedWidget(self)
        self._placeholder = QLabel(PLACEHOLDER, self)
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setWordWrap(True)
        self._placeholder.setEnabled(False)
        self._stack.addWidget(self._placeholder)
        self._stack.addWidget(self._build_message_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)

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
        self.fields: dict[str, QLabel] = {}
        for name in HEADER_FIELDS:
            value = _plain_label(header)
            if name == "Subject":
                font = QFont(value.font())
                font.setBold(True)
                value.setFont(font)
            if name in ("ID", "Source"):
                value.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
            caption = QLabel(f"{name}:", header)
            caption.setEnabled(False)  # dimmed, so the values stand out
            form.addRow(caption, value)
            self.fields[name] = value

        self.body = QPlainTextEdit(page)
        self.body.setObjectName("messageBody")
        self.body.setReadOnly(True)
        self.body.setUndoRedoEnabled(False)
        self.body.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.body.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.body.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.body_caption = QLabel(page)
        self.body_caption.setEnabled(False)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(header)
        layout.addWidget(self.body_caption)
        layout.addWidget(self.body, 1)
        return page

    @property
    def message(self) -> Message | None:
        return self._message

    def show_message(self, message: Message | None) -> None:
        self._message = message
        if message is None:
            self.body.clear()
            for value in self.fields.values():
                value.clear()
            self._stack.setCurrentIndex(0)
            return
        for name, text in header_values(message).items():
            self.fields[name].setText(text)
            self._form.setRowVisible(self.fields[name], bool(text))  # e.g. no Cc row when there is none
        self.body_caption.setText(f"Body ({message.body_kind}, {len(message.body):,} characters)")
        self.body.setPlainText(message.body)
        self._stack.setCurrentIndex(1)

    def placeholder_shown(self) -> bool:
        return self._stack.currentIndex() == 0
