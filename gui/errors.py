"""How the GUI tells the user that something failed.

A :class:`~scrubdesk.core.errors.ScrubdeskError` carries a message written for the user (and free of
email text), so it is shown as it is. Any other exception is shown by its type only: its message could
quote data from a message, and the details belong in the log (which records the type and stack only).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from scrubdesk.core.errors import ScrubdeskError
from scrubdesk.core.store import explain

log = logging.getLogger(__name__)


def user_message(exc: BaseException) -> str:
    known = explain(exc)  # a damaged store, a full disk, a read-only folder, a lock
    if isinstance(known, ScrubdeskError):
        return str(known)
    return (
        f"An unexpected error occurred ({type(exc).__name__}). Nothing else was changed. "
        "The application log has the technical details."
    )


def error_box(parent: QWidget | None, title: str, text: str) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)  # paths and names are never interpreted as markup
    return box


def show_error(parent: QWidget | None, title: str, exc: BaseException) -> None:
    """Tell the user, modally. The log gets the title and the exception type only."""
    log.warning("%s: %s", title, type(exc).__name__)
    error_box(parent, title, user_message(exc)).exec()
