"""The main window: menus, toolbar, status bar, and the message list beside the message view.

Services (settings, task runner) come in through the constructor; there is no global window object.
The window owns one store connection for the UI thread (reads only); workers open their own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from scrubdesk.core.adjudication import with_own_label
from scrubdesk.core.db import messages
from scrubdesk.core.errors import ScrubdeskError, WrongKeyError
from scrubdesk.core.ingest.records import ImportOptions
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.label_guide import LabelGuide
from scrubdesk.core.project import Project
from scrubdesk.core.redaction import Redactor
from scrubdesk.core.scrubbing import project_redactor
from scrubdesk.core.store import Store
from scrubdesk.gui.about import APP_NAME, make_about_box
from scrubdesk.gui.errors import show_error
from scrubdesk.gui.import_dialog import ImportDialog
from scrubdesk.gui.import_progress import ImportOutcome, ImportProgressDialog
from scrubdesk.gui.label_bar import LabelBar
from scrubdesk.gui.labelling import LabellingController
from scrubdesk.gui.message_list import MessageListPanel
from scrubdesk.gui.message_table_model import MessageTableModel
from scrubdesk.gui.message_view import MessageView
from scrubdesk.gui.passphrase import SessionVault
from scrubdesk.gui.project_actions import ProjectActions
from scrubdesk.gui.project_dialogs import NewProjectDialog, choose_project_folder
from scrubdesk.gui.recent_menu import RecentProjectsMenu
from scrubdesk.gui.resources import app_icon
from scrubdesk.gui.review_panel import ReviewPanel
from scrubdesk.gui.settings import AppSettings
from scrubdesk.gui.tasks import Task, TaskRunner
from scrubdesk.gui.welcome import WelcomePage

log = logging.getLogger(__name__)

WELCOME_PAGE, PROJECT_PAGE = 0, 1
REVIEW_DOCK_SETTING = "review/queue_shown"  # off until a reviewer opens it (Review menu, Ctrl+Shift+Q)
TOOLBAR_MIN_SCREEN_HEIGHT = 800  # logical pixels: a shorter screen starts without the toolbar


class MainWindow(QMainWindow):
    project_changed = Signal(object)  # Project | None
    message_shown = Signal(object)  # Message | None

    def __init__(self, settings: AppSettings, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.runner = runner
        self.project: Project | None = None
        self._store: Store | None = None
        self.import_dialog: ImportProgressDialog | None = None
        self.vault = SessionVault()
        self.setObjectName("MainWindow")
        self.setWindowIcon(app_icon())

        self.model = MessageTableModel(parent=self)
        self.list_panel = MessageListPanel(self.model, runner, self)  # filter bar + list
        self.list_view = self.list_panel.view
        self.list_view.setObjectName("messageList")
        self.message_view = MessageView(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.list_panel)
        self.splitter.addWidget(self.message_view)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.message_view.setMinimumWidth(280)
        self.list_view.setMinimumWidth(300)
        self.splitter.setChildrenCollapsible(False)
        self._create_review_dock()
        self.project_actions = ProjectActions(self)  # Project/View menus, training dock, GDPR dialogs

        self._create_actions()
        self._create_menus()
        self._create_toolbar()
        self.project_actions.fill_menus()
        self.welcome = WelcomePage(self)
        self.welcome.open_recent.connect(self.open_project)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.welcome)
        self.label_bar = LabelBar(self)
        self.project_page = QWidget(self)
        project_layout = QVBoxLayout(self.project_page)
        project_layout.setContentsMargins(0, 0, 0, 0)
        project_layout.setSpacing(0)
        self.project_actions.install_banner(project_layout)
        project_layout.addWidget(self.splitter, 1)
        project_layout.addWidget(self.label_bar)
        self.pages.addWidget(self.project_page)
        self.setCentralWidget(self.pages)

        self.project_label = QLabel(self)
        self.count_label = QLabel(self)
        self.role_label = QLabel(self)
        self.role_label.setObjectName("roleLabel")
        self.statusBar().addPermanentWidget(self.role_label)
        self.statusBar().addPermanentWidget(self.project_label)
        self.statusBar().addPermanentWidget(self.count_label)
        self._create_labelling()

        self.list_view.message_selected.connect(self.show_message)
        self.runner.tasks_changed.connect(self._on_tasks_changed)  # a method: disconnected with us
        self.find_action.triggered.connect(self.list_panel.focus_search)
        self._set_tab_order()
        self._restore_layout()
        self._set_project(None)

    # construction -----------------------------------------------------------------------------------
    def _std_icon(self, pixmap: QStyle.StandardPixmap) -> QIcon:
        return self.style().standardIcon(pixmap)

    def _create_actions(self) -> None:
        sp = QStyle.StandardPixmap
        self.new_action = QAction(self._std_icon(sp.SP_FileDialogNewFolder), "&New Project…", self)
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_action.setStatusTip("Create a new encrypted project")
        self.new_action.triggered.connect(self.new_project_dialog)
        self.open_action = QAction(self._std_icon(sp.SP_DialogOpenButton), "&Open Project…", self)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.setStatusTip("Open an existing project folder")
        self.open_action.triggered.connect(self.open_project_dialog)
        self.import_action = QAction(self._std_icon(sp.SP_ArrowDown), "&Import…", self)
        self.import_action.setShortcut(QKeySequence("Ctrl+I"))
        self.import_action.setStatusTip("Import .eml, mbox, Maildir, .msg, CSV or JSON into this project")
        self.import_action.triggered.connect(self.import_dialog_requested)
        self.close_action = QAction("&Close Project", self)
        self.close_action.triggered.connect(self.close_project)
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        self.back_to_list_action = QAction("Back to the &List", self)
        self.back_to_list_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.back_to_list_action.setStatusTip("The keyboard back to the message list (Esc)")
        self.back_to_list_action.triggered.connect(self.focus_list)
        self.find_action = QAction("&Find…", self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.setStatusTip("Search the scrubbed text (Ctrl+F)")
        self.addActions([self.back_to_list_action, self.find_action])
        self.about_action = QAction(f"&About {APP_NAME}", self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.show_about)

    def _create_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self.new_action)
        file_menu.addAction(self.open_action)
        self.recent_menu = RecentProjectsMenu(self.settings, file_menu)
        self.recent_menu.chosen.connect(self.open_project)
        self.recent_menu.cleared.connect(self._recent_cleared)
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.import_action)
        file_menu.addSeparator()
        file_menu.addAction(self.close_action)
        file_menu.addAction(self.quit_action)
        review_menu = self.menuBar().addMenu("&Review")
        review_menu.addAction(self.message_view.focus_spans_action)
        review_menu.addAction(self.message_view.submit_action)
        review_menu.addSeparator()
        review_menu.addAction(self.review_panel.approve_action)
        review_menu.addAction(self.review_panel.send_back_action)
        review_menu.addAction(self.review_queue_action)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self.about_action)

    def _create_toolbar(self) -> None:
        toolbar = QToolBar("Main", self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(20, 20))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addAction(self.new_action)
        toolbar.addAction(self.open_action)
        toolbar.addSeparator()
        toolbar.addAction(self.import_action)
        self.addToolBar(toolbar)
        self.toolbar = toolbar
        self.fit_screen(self.screen().availableGeometry().height())

    def fit_screen(self, height: int) -> None:
        """A short screen (logical pixels) starts without the toolbar: New, Open and Import are in the
        File menu too, and the rows go to the messages (View > Main shows it again)."""
        self.toolbar.setVisible(height >= TOOLBAR_MIN_SCREEN_HEIGHT)

    @Slot()
    def _recent_cleared(self) -> None:
        self.welcome.set_recent([])

    # projects ---------------------------------------------------------------------------------------
    @Slot()
    def new_project_dialog(self) -> None:
        dialog = NewProjectDialog(self.settings, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.create_project(dialog.project_path(), dialog.project_name())

    @Slot()
    def open_project_dialog(self) -> None:
        folder = choose_project_folder(self, self.settings)
        if folder is not None:
            self.open_project(folder)

    def create_project(self, path: Path, name: str | None = None) -> Task | None:
        """Create a project in a worker (the keyring may be slow), then show it. None if busy."""
        path = Path(path)
        go_on, vault = self.vault.get(self)
        if not go_on:
            return None
        return self._load_project(
            lambda _control: Project.create(path, name=name, vault=vault),
            "Could not create the project",
            path,
        )

    @Slot(object)
    def open_project(self, path: Path) -> Task | None:
        """Open a project in a worker (unlocking the key can take seconds), then show it. None if busy.

        Failures are shown in a message box; a recent project whose folder is gone leaves the list."""
        path = Path(path)
        go_on, vault = self.vault.get(self)  # the key file's passphrase, when there is no OS keyring
        if not go_on:
            return None
        return self._load_project(
            lambda _control: Project.open(path, vault=vault), "Could not open the project", path
        )

    def _load_project(self, job: Callable[[JobControl], Project], title: str, path: Path) -> Task | None:
        if self.runner.active():
            show_error(
                self, title, ScrubdeskError("Wait for the running job to finish (or cancel it) first.")
            )
            return None
        task = self.runner.run(job, name="load project")
        task.succeeded.connect(partial(self._project_loaded, title))
        task.failed.connect(partial(self._project_failed, path, title))
        task.finished.connect(QApplication.restoreOverrideCursor)
        task.finished.connect(self.statusBar().clearMessage)
        QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        self.statusBar().showMessage(f"Opening {path.name}…")
        task.start()
        self._update_actions()
        return task

    def _project_loaded(self, title: str, project: Project) -> None:
        try:
            store = project.store()  # the UI thread's own read connection
        except ScrubdeskError as exc:
            show_error(self, title, exc)
            return
        self._close_store()
        self._store = store
        self._set_project(project)
        self.settings.add_recent_project(project.path)
        log.info("project opened (%d messages)", self.model.rowCount())

    def _project_failed(self, path: Path, title: str, exc: BaseException) -> None:
        QApplication.restoreOverrideCursor()
        if isinstance(exc, WrongKeyError):
            self.vault.forget()  # a wrong passphrase: ask again next time
        if not path.is_dir() and path.absolute() in self.settings.recent_projects():
            self.settings.remove_recent_project(path)  # a folder that is gone stays gone
            self.welcome.set_recent(self.settings.recent_projects())
        show_error(self, title, exc)

    @Slot()
    def close_project(self) -> None:
        if self.runner.active():
            return
        self._close_store()
        self._set_project(None)

    def _close_store(self) -> None:
        # Raw views are audit-logged by a writer thread: commit what it queued before the project goes.
        self.message_view.flush_raw_log()
        self.model.set_store(None)
        if self._store is not None:
            self._store.close()
            self._store = None

    def _set_project(self, project: Project | None) -> None:
        self.project = project
        self.model.set_store(self._store, self._subject_redactor())
        self.list_panel.set_project(project, self._store)
        self.project_actions.guide_panel.set_project(project, self._store)  # before the labels load
        self.labelling.set_project(project, self._store)
        self.message_view.set_project(project, self._store)
        self.review_panel.set_project(project, self._store)
        self._update_review_ui()
        self.project_actions.set_project(project)
        if project is None:
            self.setWindowTitle(APP_NAME)
            self.welcome.set_recent(self.settings.recent_projects())
            self.pages.setCurrentIndex(WELCOME_PAGE)
        else:
            self.setWindowTitle(f"{project.name} — {APP_NAME}")
            self.pages.setCurrentIndex(PROJECT_PAGE)
            if not self.list_panel.show_my_queue() and self.model.rowCount():  # assigned work first
                self.list_view.select_row(0)
        self._update_status()
        self._update_actions()
        self.project_changed.emit(project)

    @property
    def store(self) -> Store | None:
        """The UI thread's read connection to the open project (None when no project is open)."""
        return self._store

    def refresh(self) -> None:
        """Reload the list (e.g. after an import), keeping the selected message if it still exists."""
        if self.project is None or self._store is None:
            return  # closed meanwhile (e.g. a job finished as the window closed): nothing to show
        current = self.list_view.current_message_id()
        self.model.refresh()
        reselected = current is not None and self.list_view.select_message(current)
        if not reselected and self.model.rowCount():
            self.list_view.select_row(0)
        self.labelling.reload_labels(seed=True)  # an import may bring labelled messages
        self.list_panel.fill_choices(self._store, self.label_bar.labels, spans_changed=True)  # or spans
        self._update_status()

    @Slot()
    def _update_status(self) -> None:
        if self.project is None:
            self.project_label.setText("No project open")
            self.count_label.setText("")
            return
        self.project_label.setText(f"Project: {self.project.name}")
        n, total = self.model.rowCount(), self.model.total_messages
        shown = f"{n:,} of {total:,} messages" if n != total else f"{n:,} message{'s' if n != 1 else ''}"
        self.count_label.setText(shown)

    @Slot(int)
    def _on_tasks_changed(self, running: int) -> None:
        self._update_actions()

    def _update_actions(self) -> None:
        busy = bool(self.runner.active())
        has_project = self.project is not None
        self.import_action.setEnabled(has_project and not busy)
        self.close_action.setEnabled(has_project and not busy)
        self.new_action.setEnabled(not busy)
        self.open_action.setEnabled(not busy)
        self.recent_menu.setEnabled(not busy)
        self.project_actions.update()

    # labelling and the list -------------------------------------------------------------------------
    def _create_labelling(self) -> None:
        """The label bar's controller (keys 1-9, J/K, U, Enter) and the list's updates in place."""
        self.labelling = LabellingController(
            self,
            self.list_view,
            self.label_bar,
            [self.list_view],  # Enter accepts the suggestion from the list; in the spans it never labels
            self.notify,
            runner=self.runner,
        )
        self.labelling.labels_changed.connect(self._labels_changed)
        self.labelling.labels_changed.connect(self.project_actions.guide_panel.set_labels)
        self.project_actions.guide_panel.guide_changed.connect(self._guide_changed)
        self.model.counts_changed.connect(self._update_status)
        # spans or review decisions change a row's scrubbed subject, PII count and review status
        self.message_view.spans_changed.connect(self._message_changed)
        self.message_view.review_changed.connect(self._review_changed)
        self.review_panel.decided.connect(self._message_decided)

    def notify(self, text: str) -> None:
        """A short note in the status bar (never message text)."""
        self.statusBar().showMessage(text, 5000)

    @Slot(object)
    def _guide_changed(self, guide: LabelGuide) -> None:
        self.label_bar.set_descriptions(guide.descriptions)

    @Slot(list)
    def _labels_changed(self, labels: list[str]) -> None:
        self.list_panel.fill_choices(self._store, labels)

    @Slot(int)
    def _message_changed(self, message_id: int) -> None:
        self.model.refresh_messages([message_id])

    @Slot(int)
    def _review_changed(self, message_id: int) -> None:
        self.model.refresh_messages([message_id])
        self._update_role_label()

    @Slot(int, str)
    def _message_decided(self, message_id: int, _status: str) -> None:
        self.model.refresh_messages([message_id])
        self.message_view.refresh_review()
        self._update_role_label()

    def _subject_redactor(self) -> Redactor | None:
        if self.project is None or self._store is None:
            return None
        return project_redactor(self.project, self._store)

    # messages ---------------------------------------------------------------------------------------
    @Slot(object)
    def show_message(self, message_id: int | None) -> None:
        message = None
        if message_id is not None and self._store is not None:
            message = messages.get_message(self._store, message_id)
        if message is not None and self._store is not None:  # on the overlap: only your own label shows
            message = with_own_label(self._store, message)
        self.message_view.show_message(message)
        self.review_panel.follow(message_id if message is not None else None)
        self.message_shown.emit(message)

    # review -----------------------------------------------------------------------------------------
    def _create_review_dock(self) -> None:
        self.review_panel = ReviewPanel(self)
        self.review_dock = QDockWidget("Review Queue", self)
        self.review_dock.setObjectName("reviewDock")
        self.review_dock.setWidget(self.review_panel)
        # Not closable by its title bar: shown and hidden through this action, which remembers the choice.
        features = QDockWidget.DockWidgetFeature
        self.review_dock.setFeatures(features.DockWidgetMovable | features.DockWidgetFloatable)
        self.review_queue_action = QAction("Review &Queue", self)
        self.review_queue_action.setCheckable(True)
        self.review_queue_action.setShortcut(QKeySequence("Ctrl+Shift+Q"))
        self.review_queue_action.triggered.connect(self._show_review_queue)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.review_dock)
        self.review_dock.hide()
        self._review_dock_sized = False
        self.review_panel.message_requested.connect(self._show_from_review)
        self.message_view.review_changed.connect(self.review_panel.refresh)
        self.review_panel.queue_changed.connect(self._update_role_label)

    @Slot()
    def focus_list(self) -> None:
        """Esc: back to the message list, from anywhere in the window."""
        if self.project is not None:
            self.list_view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _set_tab_order(self) -> None:
        """Tab walks the regions: search, filters, list, message text, spans, label bar."""
        panel, view = self.list_panel, self.message_view
        chain = [
            panel.search_edit,
            panel.show_combo,
            panel.pii_combo,
            self.list_view,
            view.subject,
            view.body,
            view.spans_panel,
            self.label_bar.more,
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _update_review_ui(self) -> None:
        """Offer the review queue only to roles that may review; show the user's role."""
        allowed = self.review_panel.allowed
        wanted = self.settings.qsettings.value(REVIEW_DOCK_SETTING, False, type=bool)
        self._set_review_dock_visible(allowed and bool(wanted))
        self.review_queue_action.setChecked(allowed and bool(wanted))
        self.review_queue_action.setVisible(allowed)
        self.review_queue_action.setEnabled(allowed)
        for action in (self.review_panel.approve_action, self.review_panel.send_back_action):
            action.setVisible(allowed)
        self._update_role_label()

    @Slot(bool)
    def _show_review_queue(self, shown: bool) -> None:
        self.settings.qsettings.setValue(REVIEW_DOCK_SETTING, bool(shown))
        self._set_review_dock_visible(shown and self.review_panel.allowed)
        if shown:
            self.review_panel.open_oldest()
            self.review_panel.table.setFocus()

    def _set_review_dock_visible(self, visible: bool) -> None:
        first = visible and self.review_dock.isHidden() and not self._review_dock_sized
        self.review_dock.setVisible(visible)
        if first:  # a short strip under the list and the message, whatever the window's height
            self._review_dock_sized = True
            height = min(190, self.height() // 4)  # never most of a short window
            self.resizeDocks([self.review_dock], [height], Qt.Orientation.Vertical)

    @Slot()
    def _update_role_label(self) -> None:
        role = self.message_view.role
        text = f"Role: {role}" if role else ("No role in this project" if self.project else "")
        if self.review_panel.allowed and self.review_panel.total:
            text += f" · {self.review_panel.total:,} awaiting approval"
        sent_back = self.list_panel.update_badges(self._store)  # the filters' badges follow
        if sent_back:
            text += f" · {sent_back:,} sent back"
        self.role_label.setText(text)

    @Slot(int)
    def _show_from_review(self, message_id: int) -> None:
        if not self.list_view.select_message(message_id):  # not in the list (e.g. filtered out)
            self.show_message(message_id)

    # import -----------------------------------------------------------------------------------------
    @Slot()
    def import_dialog_requested(self) -> None:
        if self.project is None:
            return
        dialog = ImportDialog(self.settings, self, project=self.project)  # marks already-imported mail
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.start_import(dialog.sources(), dialog.options())

    def start_import(self, sources: list[Path], options: ImportOptions) -> ImportProgressDialog | None:
        """Run an import in a worker; the progress dialog shows live counts, Cancel and the summary."""
        if self.project is None or self.runner.active():
            return None
        dialog = ImportProgressDialog(self.project, self.runner, sources, options, self)
        dialog.import_finished.connect(self._import_finished)
        dialog.finished.connect(self._import_dialog_closed)
        self.import_dialog = dialog
        dialog.start()
        self._update_actions()
        return dialog

    @Slot()
    def _import_dialog_closed(self) -> None:
        if self.import_dialog is not None:
            self.import_dialog.deleteLater()
            self.import_dialog = None

    @Slot(object)
    def _import_finished(self, outcome: ImportOutcome | None) -> None:
        self.refresh()
        if outcome is not None:
            s = outcome.summary
            verb = "cancelled" if s["cancelled"] else "finished"
            self.statusBar().showMessage(
                f"Import {verb}: {s['imported']:,} imported, {s['duplicates']:,} duplicates, "
                f"{s['quarantined']:,} quarantined",
                15_000,
            )

    # help -------------------------------------------------------------------------------------------
    @Slot()
    def show_about(self) -> None:
        make_about_box(self).exec()

    # layout persistence -----------------------------------------------------------------------------
    def _restore_layout(self) -> None:
        geometry = self.settings.state("geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            screen = self.screen().availableGeometry()
            self.resize(min(1280, int(screen.width() * 0.9)), min(800, int(screen.height() * 0.9)))
        state = self.settings.state("window_state")
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.state("splitter")
        if splitter is None or not self.splitter.restoreState(splitter):
            self.splitter.setSizes([780, 500])

    def save_layout(self) -> None:
        self.settings.set_state("geometry", self.saveGeometry())
        self.settings.set_state("window_state", self.saveState())
        if self.splitter.isVisible():  # a hidden splitter reports placeholder sizes: keep the last ones
            self.settings.set_state("splitter", self.splitter.saveState())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.runner.active():
            self.statusBar().showMessage("Stopping the running job…")
            self.runner.shutdown()
        self.save_layout()
        self._close_store()
        super().closeEvent(event)
