"""File > Recent Projects: the projects opened lately, filled each time the menu opens."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from scrubdesk.gui.settings import AppSettings


class RecentProjectsMenu(QMenu):
    chosen = Signal(Path)  # a project to open
    cleared = Signal()  # the list was emptied

    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__("Recent &Projects", parent)
        self.settings = settings
        self.aboutToShow.connect(self._fill)

    @Slot()
    def _fill(self) -> None:
        self.clear()
        recent = self.settings.recent_projects()
        for path in recent:
            action = self.addAction(f"{path.name}  ({path})")
            action.setData(str(path))
            action.triggered.connect(self._chosen)
        if recent:
            self.addSeparator()
            self.addAction("Clear List", self._clear)
        else:
            self.addAction("No recent projects").setEnabled(False)

    @Slot()
    def _chosen(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.chosen.emit(Path(action.data()))

    @Slot()
    def _clear(self) -> None:
        self.settings.clear_recent_projects()
        self.cleared.emit()
