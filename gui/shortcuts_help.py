"""Help > Keyboard Shortcuts (F1): each key once, with where it works and what it does. The message keys
come from :data:`scrubdesk.gui.keymap.KEYS`; menu shortcuts not listed there are read from the window's
actions themselves, so the list cannot drift."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from scrubdesk.gui.keymap import KEYS

MENUS = "the menus (anywhere in the window)"


def listed_keys() -> set[str]:
    """Every single key named in :data:`KEYS` (``"Y / N"`` names Y and N)."""
    return {part.strip() for row in KEYS for part in row.keys.replace(",", "/").split("/")}


def action_rows(root: QWidget) -> list[tuple[str, str, str]]:
    """(keys, where, what) of each menu shortcut of ``root`` not already in :data:`KEYS`, once each."""
    listed = listed_keys()
    rows: dict[str, tuple[str, str, str]] = {}
    for action in root.findChildren(QAction):
        keys = action.shortcut()
        if keys.isEmpty() or not action.text():
            continue
        key = keys.toString(QKeySequence.SequenceFormat.NativeText)
        if key in listed or key in rows:
            continue
        rows[key] = (key, MENUS, action.text().replace("&", "").rstrip("…").strip())
    return sorted(rows.values(), key=lambda r: r[2].lower())


def shortcut_rows(root: QWidget) -> list[tuple[str, str, str]]:
    return [(k.keys, k.where, k.what) for k in KEYS] + action_rows(root)


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        rows = shortcut_rows(parent)
        self.table = QTableWidget(len(rows), 3)
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(("Keys", "Where", "Does"))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(value))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(820, 600)
