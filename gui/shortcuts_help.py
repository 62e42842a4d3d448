"""Help > Keyboard Shortcuts: every shortcut of the window's actions (read from the actions themselves, so
the list cannot drift) plus the single-key labelling and span keys."""

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

# Keys handled by key events or QShortcuts rather than menu actions.
FIXED_KEYS: tuple[tuple[str, str, str], ...] = (
    ("Labelling", "1 – 9", "Label the message and go to the next"),
    ("Labelling", "Enter", "Accept the model's suggestion (list or message focused)"),
    ("Labelling", "J / K, Down / Up", "Next / previous message"),
    ("Labelling", "U", "Undo the last label"),
    ("Spans", "F6", "Jump into the message's PII spans"),
    ("Spans", "Tab / Shift+Tab", "Next / previous span"),
    ("Spans", "Y / N", "Accept / reject the current span"),
    ("Spans", "T", "Change the span's type"),
    ("Spans", "A", "Add a span from the selected text"),
    ("Spans", "Del", "Delete an added span"),
    ("Spans", "R", "Toggle raw / scrubbed text (roles allowed to see raw)"),
    ("Spans", "Esc", "Back to the message list"),
)


def action_rows(root: QWidget) -> list[tuple[str, str, str]]:
    rows = []
    seen = set()
    for action in root.findChildren(QAction):
        keys = action.shortcut()
        if keys.isEmpty() or not action.text():
            continue
        text = action.text().replace("&", "").rstrip("…").strip()
        key = keys.toString(QKeySequence.SequenceFormat.NativeText)
        if (text, key) in seen:
            continue
        seen.add((text, key))
        rows.append(("Menus", key, text))
    return sorted(rows, key=lambda r: r[2].lower())


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        rows = [*FIXED_KEYS, *action_rows(parent)]
        self.table = QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels(("Where", "Keys", "Does"))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
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
        self.resize(620, 560)
