"""The Team menu: Assign Work (admins), Label Review (reviewers, admins), Agreement && Progress (everyone
with a role; an annotator sees only their own progress). Actions are shown by role (the core checks the
same roles); each opens a non-modal dialog over the window's UI-thread store connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMenu

from scrubdesk.core.roles import REVIEWER_ROLES
from scrubdesk.gui.assign_dialog import AssignDialog
from scrubdesk.gui.label_review_dialog import LabelReviewDialog
from scrubdesk.gui.team_view import TeamView

if TYPE_CHECKING:
    from scrubdesk.gui.main_window import MainWindow


class TeamActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialogs: list[QDialog] = []
        self.assign_action = self._action(
            "&Assign Work…", self.assign, None, "Split messages among annotators"
        )
        self.label_review_action = self._action(
            "&Label Review…", self.label_review, "Ctrl+Shift+J", "Decide disagreements and sampled labels"
        )
        self.team_view_action = self._action(
            "Agreement && &Progress…", self.team_view, None, "Agreement between annotators; their progress"
        )
        self.menu: QMenu | None = None

    def _action(self, text: str, slot: Any, shortcut: str | None, tip: str) -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def fill_menu(self, before: QAction | None) -> None:
        menu = QMenu("&Team", self.window)
        for action in (self.assign_action, self.label_review_action, self.team_view_action):
            menu.addAction(action)
        bar = self.window.menuBar()
        bar.insertMenu(before, menu) if before else bar.addMenu(menu)
        self.menu = menu

    def update(self) -> None:
        w = self.window
        has_project = w.project is not None
        role = w.message_view.role if has_project else None
        self.assign_action.setVisible(not has_project or role == "admin")
        self.assign_action.setEnabled(has_project and role == "admin")
        self.label_review_action.setVisible(not has_project or role in REVIEWER_ROLES)
        self.label_review_action.setEnabled(has_project and role in REVIEWER_ROLES)
        self.team_view_action.setEnabled(has_project and role is not None)

    # --- dialogs -----------------------------------------------------------------------------------

    def _keep(self, dialog: QDialog) -> QDialog:
        self.dialogs.append(dialog)
        dialog.finished.connect(self._finished)
        dialog.show()
        return dialog

    @Slot(int)
    def _finished(self, _code: int) -> None:
        dialog = self.sender()
        if dialog in self.dialogs:
            self.dialogs.remove(dialog)

    @Slot()
    def _work_changed(self) -> None:
        """Assignments or labels changed: the list (its queue, its labels) and the message follow."""
        self.window.refresh()
        self.window.list_panel.update_queue()

    @Slot()
    def assign(self) -> AssignDialog | None:
        w = self.window
        if w.project is None or w.store is None:
            return None
        dialog = AssignDialog(w.project, w.store, w)
        dialog.assigned.connect(self._work_changed)
        self._keep(dialog)
        return dialog

    @Slot()
    def label_review(self) -> LabelReviewDialog | None:
        w = self.window
        if w.project is None or w.store is None:
            return None
        dialog = LabelReviewDialog(w.project, w.store, w)
        dialog.decided.connect(self._work_changed)
        self._keep(dialog)
        dialog.table.setFocus()
        return dialog

    @Slot()
    def team_view(self) -> TeamView | None:
        w = self.window
        if w.project is None or w.store is None:
            return None
        return self._keep(TeamView(w.project, w.store, w.runner, w))  # type: ignore[return-value]
