"""The message view's header: sender, recipients, date, subject, label, attachments, flags, ID, source.

Header values come from the sender, so every value is a plain-text label (never rich text). The subject
row holds the subject's span text view (it has PII spans like the body). In the scrubbed preview the
fields that are raw personal data (:data:`RAW_ONLY_FIELDS`) are left empty, and empty rows are hidden.
Collapsed (the default, for small screens), only :data:`COMPACT_FIELDS` show.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QFormLayout, QFrame, QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from scrubdesk.core.db.messages import Message
from scrubdesk.core.ingest.records import NEEDS_REVIEW_FLAGS, flag_text
from scrubdesk.gui.span_text_view import SubjectView

HEADER_FIELDS = ("From", "To", "Cc", "Date", "Subject", "Label", "Attachments", "Flags", "ID", "Source")
# Personal data the scrubbed preview does not show (a source file name can name a person too).
RAW_ONLY_FIELDS = ("From", "To", "Cc", "Source")
COMPACT_FIELDS = ("From", "Date", "Subject")  # what a collapsed header keeps (the label bar shows the label)


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


def format_flags(flags: tuple[str, ...]) -> str:
    """Import flags in words; those that keep a message out of approve-all say it needs review by hand."""
    words = [flag_text(f) + (" (review by hand)" if f in NEEDS_REVIEW_FLAGS else "") for f in flags]
    return ", ".join(words) or "—"


def header_values(message: Message) -> dict[str, str]:
    return {
        "From": format_sender(message),
        "To": ", ".join(message.to_addrs) or "—",
        "Cc": ", ".join(message.cc_addrs),
        "Date": format_sent_at(message.sent_at),
        "Subject": message.subject or "(no subject)",
        "Label": message.label or "unlabelled",
        "Attachments": format_attachments(message),
        "Flags": format_flags(message.flags),
        "ID": message.msg_key,
        "Source": message.source_location,
    }


def _plain_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)  # never rich text: headers come from the sender
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    return label


class MessageHeader(QFrame):
    """A form of the header fields; ``fields`` maps each name to its value widget."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageHeader")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        form = QFormLayout(self)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setContentsMargins(10, 8, 10, 8)
        form.setVerticalSpacing(3)
        self._form = form
        self._row_visible: dict[QWidget, bool] = {}
        self._has_text: dict[QWidget, bool] = {}
        self._name_of: dict[QWidget, str] = {}
        self.collapsed = False
        self.subject = SubjectView(self)
        self.subject.setObjectName("messageSubject")
        self.subject.setAccessibleName("Subject")
        self.setAccessibleName("Message header")
        font = QFont(self.subject.font())
        font.setBold(True)
        self.subject.setFont(font)
        self.fields: dict[str, QWidget] = {}
        for name in HEADER_FIELDS:
            value: QWidget = self.subject if name == "Subject" else _plain_label(self)
            if name in ("ID", "Source"):
                value.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
            caption = QLabel(f"{name}:", self)
            caption.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # secondary, yet >= 4.5:1
            form.addRow(caption, value)
            self.fields[name] = value
            self._name_of[value] = name
            self._has_text[value] = True

    def clear(self) -> None:
        for value in self.fields.values():
            if isinstance(value, QLabel):
                value.clear()

    def show_values(self, message: Message, *, raw: bool) -> None:
        """Fill the fields (not the subject); without ``raw``, the raw-only fields stay empty."""
        values = header_values(message)
        for name, value in self.fields.items():
            if name == "Subject":
                continue
            text = "" if (not raw and name in RAW_ONLY_FIELDS) else values[name]
            assert isinstance(value, QLabel)
            value.setText(text)
            self.set_row_visible(value, bool(text))  # e.g. no Cc row when there is none

    def set_collapsed(self, collapsed: bool) -> None:
        """Show only the compact rows (From, Date, Subject), or every row that has a value."""
        self.collapsed = collapsed
        for widget, has_text in list(self._has_text.items()):
            self.set_row_visible(widget, has_text)

    def set_row_visible(self, widget: QWidget, visible: bool) -> None:
        self._has_text[widget] = visible
        if self.collapsed and self._name_of.get(widget) not in COMPACT_FIELDS:
            visible = False
        if self._row_visible.get(widget) != visible:  # each change re-lays out the header
            self._row_visible[widget] = visible
            self._form.setRowVisible(widget, visible)


class ViewBar(QWidget):
    """Under the header: Raw / Scrubbed (``mode_buttons``, keyed by mode), Details (the full header), and
    the legend of the PII types shown (rich text built from the entity vocabulary only, escaped)."""

    MODES = (
        ("raw", "Raw", "Show the text as received (R toggles; each display is audit-logged)"),
        ("scrubbed", "Scrubbed", "Preview the text a model would see: PII replaced by the redaction policy"),
    )

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        bar = QHBoxLayout(self)
        bar.setContentsMargins(0, 0, 0, 0)
        self.mode_buttons: dict[str, QToolButton] = {}
        for mode, text, tip in self.MODES:
            self.mode_buttons[mode] = self._button(text, tip)
            self.mode_buttons[mode].setProperty("mode", mode)
            bar.addWidget(self.mode_buttons[mode])
        self.details_button = self._button("Details", "Show every header field (To, Cc, attachments, ID, …)")
        self.details_button.setObjectName("headerDetails")
        bar.addWidget(self.details_button)
        self.compare_button = self._button(
            "Compare", "With raw text shown, show the scrubbed text beside it (off: one pane)"
        )
        self.compare_button.setObjectName("compareScrubbed")
        self.compare_button.setChecked(True)
        self.compare_button.hide()  # only while raw text is shown
        bar.addWidget(self.compare_button)
        self.legend = QLabel(self)
        self.legend.setAccessibleName("PII types in this message")
        self.legend.setObjectName("spanLegend")
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        self.legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        bar.addSpacing(8)
        bar.addWidget(self.legend, 1)

    def _button(self, text: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setCheckable(True)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # R and the mouse switch modes; Tab walks regions
        return button
