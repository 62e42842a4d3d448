"""One keyboard model for the main window: every key once, where it works, what it does.

Message keys (labels, spans, raw/scrubbed, submit) are window-wide: they work wherever the focus is in the
main window, except while typing in a text field (search, comment, a dialog's fields), where keys are
text. Tab moves between regions (search, list, text, spans, label bar), never from cell to cell. The F1
dialog is built from :data:`KEYS` (and adds menu shortcuts not listed here), so each key shows once.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

ANYWHERE = "anywhere in the window, except while typing"


@dataclass(frozen=True)
class KeyHelp:
    keys: str  # as shown, e.g. "Y / N"
    where: str
    what: str


KEYS: tuple[KeyHelp, ...] = (
    KeyHelp("1 – 9", ANYWHERE, "Label the message and go to the next"),
    KeyHelp("L", ANYWHERE, "Pick any label by typing part of its name (also labels beyond the ninth)"),
    KeyHelp("Enter", "the message list", "Accept the model's suggestion, then go to the next"),
    KeyHelp("J / K", ANYWHERE, "Next / previous message"),
    KeyHelp(
        "Down / Up", "the message list; the spans panel", "Next / previous message; next / previous span"
    ),
    KeyHelp("U", ANYWHERE, "Undo the last label change"),
    KeyHelp("F6", ANYWHERE, "Into the message's PII spans (the current one, or the first)"),
    KeyHelp(
        "Tab / Shift+Tab",
        ANYWHERE,
        "Next / previous region (search, filters, list, text, spans, label bar); in the message text, "
        "next / previous span first",
    ),
    KeyHelp("Y", ANYWHERE, "Accept the current span as PII, then go to the next"),
    KeyHelp("N", ANYWHERE, "Keep the current span in clear (not PII); a span a person added is deleted"),
    KeyHelp("T", ANYWHERE, "Give the current span another type"),
    KeyHelp("A", ANYWHERE, "Mark the selected text as PII (select it with Shift+arrows)"),
    KeyHelp("Del", ANYWHERE, "Delete a span a person added"),
    KeyHelp("R", ANYWHERE, "Raw text / scrubbed preview (roles that may read raw text)"),
    KeyHelp("Ctrl+Shift+Return", ANYWHERE, "Submit the message for review"),
    KeyHelp("Ctrl+F", ANYWHERE, "Search the scrubbed text"),
    KeyHelp("Esc", ANYWHERE, "Back to the message list"),
    KeyHelp("Ctrl+Return", "while the review queue is shown", "Approve the message on screen"),
    KeyHelp("Ctrl+Shift+B", "while the review queue is shown", "Send it back with the comment"),
    KeyHelp(
        "1 – 9, then Ctrl+Return",
        "the Label Review window (Team menu)",
        "Choose the label for the selected message, then decide it (with the comment) and go to the next",
    ),
)


def is_typing(widget: QWidget | None) -> bool:
    """Is ``widget`` a place where keys are text (so the window's keys must leave them alone)?"""
    if isinstance(widget, QLineEdit):
        return not widget.isReadOnly()
    if isinstance(widget, QTextEdit | QPlainTextEdit):
        return not widget.isReadOnly()
    if isinstance(widget, QAbstractSpinBox):
        return True
    return isinstance(widget, QComboBox) and widget.isEditable()
