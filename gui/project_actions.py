"""The Project menu's jobs and GDPR dialogs, and the View/Help extras, wired into the main window.

Kept apart from ``main_window.py`` so the window stays about layout and the list/view/label flow. Every long
job runs in the task runner (analysis, suggestions, training, export, erasure, report); the actions are
enabled by project, busy state and role — the core enforces the same roles.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
)

from scrubdesk.core.inventory_report import write_report
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.project import Project
from scrubdesk.core.retention import purge, retention_status
from scrubdesk.core.roles import ANALYSE_ROLES, REVIEWER_ROLES, role_of
from scrubdesk.gui.appearance import THEMES, apply_theme
from scrubdesk.gui.guide_panel import GuidePanel
from scrubdesk.gui.job_dialog import JobDialog
from scrubdesk.gui.roles_dialog import RolesDialog
from scrubdesk.gui.shortcuts_help import ShortcutsDialog
from scrubdesk.gui.team_actions import TeamActions
from scrubdesk.gui.training_view import TrainingView

if TYPE_CHECKING:
    from scrubdesk.gui.main_window import MainWindow

log = logging.getLogger(__name__)

TRAINING_DOCK_SETTING = "training/dock_shown"
GUIDE_DOCK_SETTING = "guide/dock_shown"


def analysis_job(project: Project) -> Callable[[JobControl], Any]:
    def run(control: JobControl) -> Any:
        from scrubdesk.models.pii.analysis_job import run_analysis  # noqa: PLC0415 - lazy: loads Presidio and spaCy
        from scrubdesk.models.pii.engine import get_analyzer  # noqa: PLC0415 - lazy: loads Presidio and spaCy

        control.progress(0, None, "loading the PII analyser")
        return run_analysis(project, get_analyzer(), control)

    return run


def describe_analysis(summary: Any) -> str:
    if summary.cancelled:
        return f"Analysis cancelled after {summary.analysed} message(s); they keep their spans."
    text = (
        f"Analysed {summary.analysed} message(s) ({summary.skipped} unchanged or empty skipped) and "
        f"suggested {summary.spans} PII span(s) in {summary.seconds:.1f} s."
    )
    if summary.approvals_to_redo:
        text += (
            f" {summary.approvals_to_redo} approved message(s) now have other suggestions and need approval "
            f"again ({summary.approvals_kept} approval(s) still hold)."
        )
    return text


def prediction_job(project: Project) -> Callable[[JobControl], Any]:
    def run(control: JobControl) -> Any:
        from scrubdesk.models.triage.predict import run_prediction  # noqa: PLC0415 - lazy: loads scikit-learn

        return run_prediction(project, control)

    return run


def describe_prediction(summary: Any) -> str:
    mean = "" if summary.mean_confidence is None else f", mean confidence {summary.mean_confidence:.2f}"
    return f"Model #{summary.model_id} suggested labels for {summary.predicted} message(s){mean}."


def report_job(project: Project, out: Path) -> Callable[[JobControl], Any]:
    def run(control: JobControl) -> Any:
        return {"path": out, **write_report(project, out)}

    return run


def purge_job(project: Project) -> Callable[[JobControl], Any]:
    def run(control: JobControl) -> Any:
        return purge(project, control)

    return run


def describe_purge(summary: Any) -> str:
    return (
        f"Purged the content of {summary.counts.get('messages', 0)} message(s) and "
        f"{summary.counts.get('spans', 0)} PII span(s). Models, message keys and labels are kept."
    )


class RetentionBanner(QFrame):
    """Shown above the list while the project's retention policy says its dataset is due for deletion."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setObjectName("retentionBanner")
        self.setStyleSheet(
            "#retentionBanner { background: #fff3cd; color: #5c4400; border-bottom: 1px solid #e0c36a; }"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.purge_button = QPushButton("Purge now…")
        layout.addWidget(self.text, 1)
        layout.addWidget(self.purge_button)
        self.hide()


class ProjectActions(QObject):
    """Creates the actions, menus and the training dock on ``window`` and keeps them enabled correctly."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialogs: list[Any] = []  # keep non-modal dialogs alive
        self._create_training_dock()
        self._create_actions()
        self.team = TeamActions(window)  # the Team menu: assignments, label review, agreement, progress
        self.banner = RetentionBanner(window)
        self.banner.purge_button.clicked.connect(self.purge_requested)

    # --- construction ------------------------------------------------------------------------------

    def _action(self, text: str, slot: Any, shortcut: str | None = None, tip: str = "") -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _create_training_dock(self) -> None:
        w = self.window
        self.training_view = TrainingView(w.runner, w)
        self.training_view.model_trained.connect(self._model_trained)
        self.training_dock = QDockWidget("Training", w)
        self.training_dock.setObjectName("trainingDock")
        scroll = QScrollArea(w)  # its metrics and matrix need room: on a small screen they scroll
        scroll.setWidget(self.training_view)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.training_dock.setWidget(scroll)
        features = QDockWidget.DockWidgetFeature
        self.training_dock.setFeatures(features.DockWidgetMovable | features.DockWidgetFloatable)
        w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.training_dock)
        self.training_dock.hide()
        self._training_sized = False
        self.guide_panel = GuidePanel(w)
        self.guide_dock = QDockWidget("Annotation Guide", w)
        self.guide_dock.setObjectName("guideDock")
        self.guide_dock.setWidget(self.guide_panel)
        self.guide_dock.setFeatures(features.DockWidgetMovable | features.DockWidgetFloatable)
        w.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.guide_dock)
        w.tabifyDockWidget(self.training_dock, self.guide_dock)  # tabs, not stacked: small screens
        self.guide_dock.hide()

    def _create_actions(self) -> None:
        self.analyze_action = self._action(
            "&Analyse PII…", self.analyze, "Ctrl+Shift+Y", "Find personal data in new and changed messages"
        )
        self.predict_action = self._action(
            "&Suggest Labels", self.predict, "Ctrl+Shift+G", "Let the current model suggest labels"
        )
        self.training_action = self._action(
            "&Training", self.show_training, "Ctrl+Shift+T", "Train, inspect and compare triage models"
        )
        self.training_action.setCheckable(True)
        self.guide_action = self._action(
            "Annotation &Guide", self.show_guide, None, "The project's guidelines and what each label is for"
        )
        self.guide_action.setCheckable(True)
        self.export_action = self._action(
            "&Export Labels…", self.export, "Ctrl+E", "Export keyed IDs and labels (never text)"
        )
        self.report_action = self._action(
            "Data &Inventory Report…",
            self._report_requested,
            None,
            "Where this project's personal data is (DPO)",
        )
        self.erase_action = self._action(
            "&Erase a Data Subject…", self.erase, None, "Right to erasure: remove all messages about a person"
        )
        self.purge_action = self._action(
            "&Purge Dataset…",
            self.purge_requested,
            None,
            "Retention: delete the dataset, keep models, IDs, labels",
        )
        self.roles_action = self._action(
            "&Roles…", self.roles, None, "Who may do what in this project (admins)"
        )
        self.audit_action = self._action(
            "&Audit Log…", self.audit, "Ctrl+Shift+L", "The tamper-evident log of everything done here"
        )
        self.shortcuts_action = self._action("&Keyboard Shortcuts", self.shortcuts, "F1")
        self.theme_group = QActionGroup(self.window)
        self.theme_actions: dict[str, QAction] = {}
        for theme in THEMES:
            action = QAction(theme.capitalize(), self.window, checkable=True)
            action.setData(theme)
            action.triggered.connect(self._theme_chosen)
            self.theme_group.addAction(action)
            self.theme_actions[theme] = action
        self.theme_actions[self.window.settings.theme()].setChecked(True)

    def fill_menus(self) -> None:
        """Insert the Project and View menus before Review, and extend Help."""
        bar = self.window.menuBar()
        menus = {a.text().replace("&", ""): a for a in bar.actions()}
        project_menu = QMenu("&Project", self.window)
        for action in (self.analyze_action, self.predict_action, self.training_action):
            project_menu.addAction(action)
        project_menu.addSeparator()
        project_menu.addAction(self.export_action)
        project_menu.addAction(self.report_action)
        project_menu.addSeparator()
        project_menu.addAction(self.erase_action)
        project_menu.addAction(self.purge_action)
        project_menu.addAction(self.audit_action)
        project_menu.addAction(self.roles_action)
        view_menu = QMenu("&View", self.window)
        view_menu.addAction(self.guide_action)
        view_menu.addAction(self.window.toolbar.toggleViewAction())
        view_menu.addAction(self.window.find_action)
        view_menu.addAction(self.window.back_to_list_action)
        view_menu.addSeparator()
        theme_menu = view_menu.addMenu("&Theme")
        for action in self.theme_actions.values():
            theme_menu.addAction(action)
        before = menus.get("Review")
        bar.insertMenu(before, project_menu) if before else bar.addMenu(project_menu)
        bar.insertMenu(before, view_menu) if before else bar.addMenu(view_menu)
        self.team.fill_menu(menus.get("Help"))  # after Review
        help_menu = menus.get("Help")
        if help_menu is not None and help_menu.menu() is not None:
            first = help_menu.menu().actions()[0] if help_menu.menu().actions() else None
            help_menu.menu().insertAction(first, self.shortcuts_action)
        self.project_menu, self.view_menu = project_menu, view_menu

    # --- state -------------------------------------------------------------------------------------

    def install_banner(self, layout: Any) -> None:
        """Put the retention banner at the top of the project page's layout."""
        layout.insertWidget(0, self.banner)

    @Slot()
    def update_banner(self) -> None:

        store = self.window.store
        status = retention_status(store) if store is not None else None
        if status is None or not status.due:
            self.banner.hide()
            return
        admin = self.window.message_view.role == "admin"
        self.banner.text.setText(
            f"Retention: this project's dataset is due for deletion ({status.reason}); "
            f"{status.unpurged_messages} message(s) still hold content."
            + ("" if admin else " An admin of the project can purge it.")
        )
        self.banner.purge_button.setVisible(admin)
        self.banner.show()

    def set_project(self, project: Project | None) -> None:
        self.training_view.set_project(project)
        guide = self.window.settings.qsettings.value(GUIDE_DOCK_SETTING, False, type=bool)
        self.guide_dock.setVisible(project is not None and bool(guide))
        self.guide_action.setChecked(project is not None and bool(guide))
        wanted = self.window.settings.qsettings.value(TRAINING_DOCK_SETTING, False, type=bool)
        self.training_dock.setVisible(project is not None and bool(wanted))
        self.training_action.setChecked(project is not None and bool(wanted))
        self.update()
        self.update_banner()  # on open and after jobs, not on every action update: it may count messages

    def update(self) -> None:
        w = self.window
        has_project = w.project is not None
        busy = bool(w.runner.active())
        role = w.message_view.role if has_project else None
        self.analyze_action.setVisible(not has_project or role in ANALYSE_ROLES)  # core checks it too
        self.analyze_action.setEnabled(has_project and not busy and role in ANALYSE_ROLES)
        self.predict_action.setEnabled(has_project and not busy and role is not None)
        self.training_action.setEnabled(has_project)
        reviewer = role in REVIEWER_ROLES
        for action in (self.export_action, self.report_action, self.audit_action):
            action.setVisible(not has_project or reviewer)
            action.setEnabled(has_project and reviewer)
        for action in (self.erase_action, self.purge_action, self.roles_action):
            action.setVisible(not has_project or role == "admin")
            action.setEnabled(has_project and role == "admin" and not busy)
        self.team.update()

    # --- slots -------------------------------------------------------------------------------------

    def _keep(self, dialog: QDialog) -> None:
        """Keep a non-modal dialog alive until it is closed."""
        self.dialogs.append(dialog)
        dialog.finished.connect(self._dialog_finished)

    @Slot(int)
    def _dialog_finished(self, _code: int) -> None:
        dialog = self.sender()
        if dialog in self.dialogs:
            self.dialogs.remove(dialog)

    @Slot(object)
    def _job_completed(self, _result: object) -> None:
        """A job changed the project: show the list and the message again."""
        self.update_banner()
        self.window.refresh()
        self.window.show_message(self.window.list_view.current_message_id())

    @Slot(int)
    def _model_trained(self, _model_id: int) -> None:
        self.window.refresh()
        self.update_banner()

    @Slot(int)
    def _erasure_finished(self, _code: int) -> None:
        self.window.refresh()
        self.training_view.refresh()
        self.update_banner()

    @Slot()
    def _theme_chosen(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.set_theme(str(action.data()))

    @Slot(bool)
    def show_guide(self, shown: bool = True) -> None:
        self.window.settings.qsettings.setValue(GUIDE_DOCK_SETTING, bool(shown))
        self.guide_dock.setVisible(bool(shown) and self.window.project is not None)
        if shown:
            self.guide_dock.raise_()

    @Slot()
    def roles(self) -> RolesDialog | None:
        w = self.window
        if w.project is None:
            return None
        dialog = RolesDialog(w.project, w)
        dialog.finished.connect(self._roles_closed)
        self._keep(dialog)
        dialog.open()
        return dialog

    @Slot(int)
    def _roles_closed(self, _code: int) -> None:
        """If the user's own role changed, reopen: everything role-dependent follows."""
        w = self.window
        if w.project is not None and w.store is not None and role_of(w.store) != w.message_view.role:
            w.open_project(w.project.path)

    @Slot()
    def _report_requested(self) -> None:
        self.report()  # asks where to save it (triggered's `checked` must not become the path)

    @Slot()
    def purge_requested(self) -> None:
        self.purge()

    def _run(self, title: str, job: Any, describe: Any, refresh: bool = True) -> JobDialog:
        dialog = JobDialog(self.window.runner, title, job, describe, self.window)
        dialog.completed.connect(self._job_completed if refresh else self.update_banner)
        self._keep(dialog)
        dialog.start()
        return dialog

    @Slot()
    def analyze(self) -> JobDialog | None:
        project = self.window.project
        if project is None:
            return None
        return self._run("PII analysis", analysis_job(project), describe_analysis)

    @Slot()
    def predict(self) -> JobDialog | None:
        project = self.window.project
        if project is None:
            return None
        return self._run("Label suggestions", prediction_job(project), describe_prediction)

    def purge(self, *, confirmed: bool = False) -> JobDialog | None:
        w = self.window
        if w.project is None:
            return None
        if not confirmed:
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Purge the dataset",
                "Delete the text, headers and PII spans of every message in this project? Models, message "
                "keys and labels are kept. This cannot be undone.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                w,
            )
            box.setDefaultButton(QMessageBox.StandardButton.Cancel)
            if box.exec() != QMessageBox.StandardButton.Yes:
                return None
        return self._run("Purge", purge_job(w.project), describe_purge)

    @Slot(bool)
    def show_training(self, shown: bool = True) -> None:
        self.window.settings.qsettings.setValue(TRAINING_DOCK_SETTING, bool(shown))
        first = bool(shown) and self.training_dock.isHidden() and not self._training_sized
        self.training_dock.setVisible(bool(shown) and self.window.project is not None)
        if first:  # beside the list and the message, not over them
            self._training_sized = True
            width = max(300, int(self.window.width() * 0.35))  # the list and the message keep the most
            self.window.resizeDocks([self.training_dock], [width], Qt.Orientation.Horizontal)
        if shown:
            self.training_dock.raise_()

    @Slot()
    def export(self) -> Any:
        from scrubdesk.gui.export_dialog import ExportDialog  # noqa: PLC0415 - lazy: a dialog loaded when first opened

        w = self.window
        if w.project is None:
            return None
        dialog = ExportDialog(w.project, w.runner, w.settings, w)
        dialog.open()
        self._keep(dialog)
        return dialog

    @Slot()
    def erase(self) -> Any:
        from scrubdesk.gui.erasure_dialog import ErasureDialog  # noqa: PLC0415 - lazy: a dialog loaded when first opened

        w = self.window
        if w.project is None:
            return None
        dialog = ErasureDialog(w.project, w.runner, w)
        dialog.finished.connect(self._erasure_finished)
        self._keep(dialog)
        dialog.open()
        return dialog

    @Slot()
    def audit(self) -> Any:
        from scrubdesk.gui.audit_viewer import AuditViewer  # noqa: PLC0415 - lazy: a dialog loaded when first opened

        w = self.window
        if w.project is None:
            return None
        dialog = AuditViewer(w.project, w.runner, w)
        self._keep(dialog)
        dialog.show()
        return dialog

    def report(self, out: Path | None = None) -> JobDialog | None:
        w = self.window
        if w.project is None:
            return None
        if out is None:
            default = Path(w.settings.last_dir("report")) / f"{w.project.name}-data-inventory.html"
            name, _ = QFileDialog.getSaveFileName(w, "Save the data inventory", str(default), "HTML (*.html)")
            if not name:
                return None
            out = Path(name)
        w.settings.set_last_dir("report", out.parent)
        return self._run(
            "Data inventory report",
            report_job(w.project, out),
            lambda result: f"The data inventory was written to {result['path']}. Print it from a browser.",
            refresh=False,
        )

    @Slot()
    def shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self.window)
        dialog.show()
        self._keep(dialog)
        return dialog

    def set_theme(self, theme: str) -> None:
        self.window.settings.set_theme(theme)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)
        self.theme_actions[theme].setChecked(True)
