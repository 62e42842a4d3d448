"""Render every main view of a project to PNG files, offscreen (for docs, reviews and visual checks).

By default (``scrubdesk screenshots OUTDIR``) the views show a *showcase*: the synthetic demo project built in
a temporary folder with its own temporary key file, and taken through the whole workflow so that every view
has something to show (:func:`scrubdesk.models.scenario.build_showcase`). ``--project DIR`` renders an
existing project instead, as it is. Beware that views of a real project show its real data (the raw
message view, subjects).

The views, each in the light and the dark theme: the welcome page; the main window with a message selected
(raw text with highlighted spans and the legend, the label bar); the same in the scrubbed preview; the list
filtered to unlabelled messages, least certain suggestion first; the review queue; the import dialog with
its preview, the import progress and summary; the training view; the export, erasure and audit dialogs;
the Team menu's dialogs (assign work, label review, agreement, progress); the about box.

The window uses a private, throw-away QSettings, so the user's layout and recent projects stay untouched.
Like any user's session, the rendering adds audit entries to the project it shows (raw views, previews).
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractItemView, QApplication, QMessageBox, QStyleFactory, QWidget

from scrubdesk.core.db import messages
from scrubdesk.core.db.imports import quarantine_rows, source_locations
from scrubdesk.core.db.messages import MessageFilter
from scrubdesk.core.errors import ScrubdeskError
from scrubdesk.core.ingest.records import ImportOptions
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.selftest import isolated_keyring
from scrubdesk.core.stats import project_stats
from scrubdesk.core.store import Store
from scrubdesk.gui.about import make_about_box
from scrubdesk.gui.app import create_application
from scrubdesk.gui.appearance import apply_theme
from scrubdesk.gui.assign_dialog import AssignDialog
from scrubdesk.gui.audit_viewer import AuditViewer
from scrubdesk.gui.erasure_dialog import ErasureDialog
from scrubdesk.gui.export_dialog import ExportDialog
from scrubdesk.gui.import_dialog import ImportDialog, ImportOutcome, ImportProgressDialog
from scrubdesk.gui.label_review_dialog import LabelReviewDialog
from scrubdesk.gui.main_window import MainWindow
from scrubdesk.gui.message_view import RAW, SCRUBBED, MessageView
from scrubdesk.gui.settings import AppSettings
from scrubdesk.gui.tasks import Task, TaskRunner
from scrubdesk.gui.team_view import TeamView
from scrubdesk.gui.training_view import TrainingView
from scrubdesk.models.scenario import SHOWCASE_COUNT, build_showcase

log = logging.getLogger(__name__)

WINDOW_SIZE = (1280, 800)
THEMES = ("light", "dark")
WAIT_SECONDS = 300.0


@dataclass
class ScreenshotRun:
    """The PNG files written, and anything that went wrong on the way (a message box, a failed task)."""

    files: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# --- rendering ---------------------------------------------------------------------------------------------


def _settle(app: QApplication, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()


def _wait(app: QApplication, done: Callable[[], bool], what: str, timeout: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what}")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.005)


def _wait_task(app: QApplication, task: Task | None, what: str) -> None:
    if task is not None:
        _wait(app, lambda: not task.running, what)


@contextlib.contextmanager
def _message_box_guard(run: ScreenshotRun, ours: Callable[[QWidget], bool]) -> Iterator[None]:
    """A message box (other than one we show to take its picture) would wait offscreen for a click
    forever: close it and note it as a problem."""

    def check() -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QMessageBox) and not ours(modal):
            run.problems.append(f"a message box was shown: {modal.windowTitle()!r}")
            modal.done(0)

    timer = QTimer()
    timer.setInterval(200)
    timer.timeout.connect(check)
    timer.start()
    try:
        yield
    finally:
        timer.stop()


@contextlib.contextmanager
def _keep_theme(app: QApplication) -> Iterator[None]:
    """Put the application's style and palette back afterwards (pytest shares one application)."""
    style, palette = app.style().name(), QPalette(app.palette())
    try:
        yield
    finally:
        app.setStyle(QStyleFactory.create(style))
        app.setPalette(palette)


class _Renderer:
    def __init__(self, app: QApplication, outdir: Path, run: ScreenshotRun) -> None:
        self.app, self.outdir, self.run = app, outdir, run
        self.suffix = ""
        self.current: QWidget | None = None  # the dialog being photographed

    def ours(self, widget: QWidget) -> bool:
        return widget is self.current

    def shoot(self, widget: QWidget, name: str) -> Path:
        widget.show()
        _settle(self.app)
        file = self.outdir / f"{name}{self.suffix}.png"
        if not widget.grab().save(str(file), "PNG"):
            raise OSError(f"could not write {file}")
        self.run.files.append(file)
        return file

    def shoot_dialog(self, name: str, make: Callable[[], QWidget]) -> None:
        widget = make()
        self.current = widget
        try:
            self.shoot(widget, name)
        finally:
            self.current = None
            widget.close()
            widget.deleteLater()
            _settle(self.app)


def render_screenshots(
    project_path: Path,
    outdir: Path,
    *,
    themes: Sequence[str] = THEMES,
    import_sources: Sequence[Path] | None = None,
    erasure_query: str | None = None,
    sizes: Sequence[tuple[int, int]] = (WINDOW_SIZE,),
) -> ScreenshotRun:
    """Render the main views of the project at ``project_path`` into ``outdir``, once per theme (files of
    the dark theme end in ``-dark``) and window size (in logical pixels; with more than one size, file
    names carry it, e.g. ``-1366x768``, and the dialogs are rendered at the first size only).
    ``import_sources``: what the import dialog previews (default: the project's own sources that still
    exist). ``erasure_query``: searched in the erasure dialog (default:
    none, so no erasure preview is recorded in the project's audit log)."""

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    app = create_application()
    run = ScreenshotRun()
    renderer = _Renderer(app, outdir, run)
    with (
        tempfile.TemporaryDirectory(prefix="scrubdesk-shots-") as tmp,
        _keep_theme(app),
        _message_box_guard(run, renderer.ours),
    ):
        settings = AppSettings(QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat))
        runner = TaskRunner()
        window = MainWindow(settings, runner)
        try:
            for n, (width, height) in enumerate(sizes):
                window.resize(width, height)
                size = f"-{width}x{height}" if len(sizes) > 1 else ""
                for theme in themes:
                    apply_theme(app, theme)
                    renderer.suffix = size + ("" if theme == "light" else f"-{theme}")
                    _render_theme(
                        renderer, window, Path(project_path), import_sources, erasure_query, dialogs=n == 0
                    )
        finally:
            window.close()
            runner.shutdown()
            window.deleteLater()
            _settle(app)
    log.info("rendered %d screenshots", len(run.files))
    return run


def _render_theme(
    r: _Renderer,
    window: MainWindow,
    project_path: Path,
    import_sources: Sequence[Path] | None,
    erasure_query: str | None,
    *,
    dialogs: bool = True,
) -> None:
    app = r.app
    window.close_project()
    window.settings.add_recent_project(project_path)
    window.welcome.set_recent(window.settings.recent_projects())
    r.shoot(window, "welcome")
    task = window.open_project(project_path)
    failures: list[BaseException] = []
    if task is not None:  # its signals arrive queued: connecting after start misses nothing
        task.failed.connect(failures.append)
    _wait_task(app, task, "the project to open")
    if window.project is None or window.store is None:
        if failures and isinstance(failures[0], ScrubdeskError):
            raise failures[0]  # a message for the user, e.g. the project's key is missing
        reason = type(failures[0]).__name__ if failures else "busy"
        raise RuntimeError(f"could not open {project_path} ({reason})")
    _main_views(r, window)
    if not dialogs:
        return
    sources = list(import_sources) if import_sources is not None else _existing_sources(window.store)
    _import_views(r, window, sources)
    _project_dialogs(r, window, erasure_query)
    r.shoot_dialog("about", lambda: make_about_box(window))


def _showcase_message(store: Store) -> int | None:
    """A labelled message whose body has many kinds of PII and fits on the screen, else the first one."""
    found = messages.richest_labelled_message(store, max_body_chars=900)
    return found if found is not None else messages.first_id(store)


def _existing_sources(store: Store) -> list[Path]:
    paths = [Path(p) for p in source_locations(store)]
    return [p for p in paths if p.exists()][:3]


def _main_views(r: _Renderer, window: MainWindow) -> None:
    assert window.store is not None
    panel, view = window.list_panel, window.message_view
    panel.set_filter(MessageFilter())
    shown = _showcase_message(window.store)
    if shown is not None and window.list_view.select_message(shown):
        row = window.model.row_of(shown)
        if row is not None:  # in the middle of the list, not at its edge
            window.list_view.scrollTo(
                window.model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtCenter
            )
    _show_raw(r.app, view)  # R: raw on demand
    r.shoot(window, "main-window")
    view.set_mode(SCRUBBED)  # as everyone starts
    view.focus_spans()  # F6: the spans panel follows the current span
    r.shoot(window, "main-window-scrubbed")

    actions = window.project_actions
    actions.show_guide(True)
    r.shoot(window, "main-window-guide")
    actions.show_guide(False)
    actions.show_training(True)
    r.shoot(window, "main-window-training")
    actions.show_training(False)

    panel.set_filter(MessageFilter(state="unlabelled"))
    panel.uncertain_button.click()  # least certain suggestion first
    r.shoot(window, "main-window-unlabelled-uncertain")

    if window.review_queue_action.isVisible():
        if not window.review_queue_action.isChecked():
            window.review_queue_action.trigger()  # as Review > Review Queue does
        if window.review_panel.table.rowCount():
            window.review_panel.table.selectRow(0)
        r.shoot(window, "main-window-review-queue")
        window.review_queue_action.trigger()
    panel.set_filter(MessageFilter())
    window.list_view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # back to import order


def _show_raw(app: QApplication, view: MessageView) -> None:
    """R: the raw text shows once its view is in the audit log."""
    view.set_mode(RAW)
    _wait(app, lambda: not view.raw_waiting, "the raw view to be audit-logged")


def _import_views(r: _Renderer, window: MainWindow, sources: list[Path]) -> None:
    project = window.project
    assert project is not None and window.store is not None
    store = window.store

    def import_dialog() -> QWidget:
        dialog = ImportDialog(window.settings, window, project=project)
        dialog.add_sources(sources)
        _wait_task(r.app, dialog.refresh_preview(), "the import preview")
        return dialog

    def progress_dialog() -> QWidget:
        dialog = ImportProgressDialog(
            project, window.runner, sources or [project.path], ImportOptions(), window
        )
        dialog._on_progress(3_400_000, 8_000_000, "1,204 imported, 3 duplicates, 2 quarantined")
        return dialog

    def summary_dialog() -> QWidget:
        # The summary page as it looks after an import, filled from this project's real counts.
        stats = project_stats(store)
        outcome = ImportOutcome(
            summary={
                "sources": stats["sources"],
                "items": stats["messages"] + stats["quarantined"],
                "imported": stats["messages"],
                "duplicates": 0,
                "quarantined": stats["quarantined"],
                "quarantined_by_reason": stats["quarantined_by_reason"],
                "quarantined_new": stats["quarantined"],
                "bytes_read": 0,
                "seconds": 0.0,
                "mb_per_s": None,
                "cancelled": False,
            },
            quarantine=quarantine_rows(store),
        )
        dialog = ImportProgressDialog(project, window.runner, [], ImportOptions(), window)
        dialog.show_summary(outcome)
        return dialog

    r.shoot_dialog("import-dialog", import_dialog)
    r.shoot_dialog("import-progress", progress_dialog)
    r.shoot_dialog("import-summary", summary_dialog)


def _project_dialogs(r: _Renderer, window: MainWindow, erasure_query: str | None) -> None:
    # Standalone, as the main window will host them (a dock and dialogs).

    project, runner, app = window.project, window.runner, r.app
    assert project is not None

    def training() -> QWidget:
        view = TrainingView(runner)
        view.set_project(project)
        view.resize(1100, 820)
        return view

    def export() -> QWidget:
        dialog = ExportDialog(project, runner, window.settings, window)
        _wait_task(app, dialog.preview_task, "the export preview")
        return dialog

    def erasure() -> QWidget:
        dialog = ErasureDialog(project, runner, window)
        if erasure_query:
            dialog.query_edit.setText(erasure_query)
            _wait_task(app, dialog.find(), "the erasure preview")
        return dialog

    def audit() -> QWidget:
        dialog = AuditViewer(project, runner, window)
        _wait_task(app, dialog.verify(), "the audit verification")
        return dialog

    r.shoot_dialog("training-view", training)
    r.shoot_dialog("export-dialog", export)
    r.shoot_dialog("erasure-dialog", erasure)
    r.shoot_dialog("audit-viewer", audit)
    _team_dialogs(r, window)


def _team_dialogs(r: _Renderer, window: MainWindow) -> None:
    """The Team menu's dialogs, as the project stands (the GUI team-flow test renders them with work
    assigned, labelled twice and disagreed on: tests/gui/test_team_gui.py)."""
    project, store = window.project, window.store
    assert project is not None and store is not None

    def agreement(tab: int) -> QWidget:
        view = TeamView(project, store, window.runner, window)
        _wait_task(r.app, view.task, "the agreement figures")
        view.tabs.setCurrentIndex(min(tab, view.tabs.count() - 1))
        return view

    r.shoot_dialog("assign-dialog", lambda: AssignDialog(project, store, window))
    r.shoot_dialog("label-review-queue", lambda: LabelReviewDialog(project, store, window))
    r.shoot_dialog("agreement-view", lambda: agreement(0))
    r.shoot_dialog("progress-view", lambda: agreement(1))


def render_showcase(
    outdir: Path,
    *,
    count: int = SHOWCASE_COUNT,
    themes: Sequence[str] = THEMES,
    control: JobControl | None = None,
    sizes: Sequence[tuple[int, int]] = (WINDOW_SIZE,),
) -> ScreenshotRun:
    """Build the showcase project in a temporary folder with a temporary key file, render it, delete it
    (the user's keyring, key file and demo project are never touched)."""

    with tempfile.TemporaryDirectory(prefix="scrubdesk-showcase-") as tmp:
        workdir = Path(tmp)
        with isolated_keyring(workdir):
            showcase = build_showcase(workdir, count, control)
            return render_screenshots(
                showcase.project_path,
                outdir,
                themes=themes,
                import_sources=showcase.import_sources,
                erasure_query=showcase.erasure_query,
                sizes=sizes,
            )
