"""The page shown when no project is open: create one, open one, or pick a recent one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from scrubdesk.gui.about import APP_NAME

if TYPE_CHECKING:
    from scrubdesk.gui.main_window import MainWindow


class WelcomePage(QWidget):
    """Shown when no project is open: create, open, or pick a recent project."""

    open_recent = Signal(object)  # Path

    def __init__(self, window: MainWindow) -> None:  # its New/Open buttons trigger the window's actions
        super().__init__(window)
        title = QLabel(f"<h2>{APP_NAME}</h2>", self)
        intro = QLabel(
            "Create a project to import customer email into an encrypted store, or open an existing one.",
            self,
        )
        intro.setWordWrap(True)
        new = QPushButton(window.new_action.icon(), "New Project…", self)
        new.clicked.connect(window.new_action.trigger)
        open_ = QPushButton(window.open_action.icon(), "Open Project…", self)
        open_.clicked.connect(window.open_action.trigger)
        buttons = QHBoxLayout()
        buttons.addWidget(new)
        buttons.addWidget(open_)
        buttons.addStretch(1)
        self.recent_label = QLabel("Recent projects:", self)
        self.recent = QListWidget(self)
        self.recent.setMaximumHeight(180)
        self.recent.itemActivated.connect(self._recent_activated)

        box = QWidget(self)
        box.setFixedWidth(600)
        intro.setMinimumHeight(intro.heightForWidth(560))  # centred boxes get no height-for-width
        inner = QVBoxLayout(box)
        inner.addWidget(title)
        inner.addWidget(intro)
        inner.addSpacing(8)
        inner.addLayout(buttons)
        inner.addSpacing(12)
        inner.addWidget(self.recent_label)
        inner.addWidget(self.recent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(box, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)

    @Slot(QListWidgetItem)
    def _recent_activated(self, item: QListWidgetItem) -> None:
        self.open_recent.emit(Path(item.data(Qt.ItemDataRole.UserRole)))

    def set_recent(self, paths: list[Path]) -> None:
        self.recent.clear()
        for path in paths:
            item = QListWidgetItem(f"{path.name}    —    {path}")
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            self.recent.addItem(item)
        self.recent_label.setVisible(bool(paths))
        self.recent.setVisible(bool(paths))
