"""Render the main views of a project to PNG files, offscreen (for docs, reviews and visual checks).

Runs with a private, throw-away QSettings so it never reads or changes the user's window layout or
recent-projects list. Nothing is written to the project.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings
from PySide6.QtWidgets import QApplication, QWidget

from scrubdesk.core.ingest.records import ImportOptions
from scrubdesk.core.messages import project_stats, quarantine_rows
from scrubdesk.gui.about import make_about_box
from scrubdesk.gui.import_dialog import ImportDialog, ImportOutcome, ImportProgressDialog
from scrubdesk.gui.main_window import MainWindow
from scrubdesk.gui.settings import AppSettings
from scrubdesk.gui.tasks import TaskRunner

log = logging.getLogger(__name__)

WINDOW_SIZE = (1280, 800)


def _settle(app: QApplication, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()


def _shoot(app: QApplication, widget: QWidget, file: Path) -> Path:
    widget.show()
    _settle(app)
    if not widget.grab().save(str(file), "PNG"):
        raise OSError(f"could not write {file}")
    return file


def render_screenshots(project_path: Path, outdir: Path) -> list[Path]:
    """Render the main window (a message selected), the import dialog, the import summary and the
    about box of the project at ``project_path`` into ``outdir``; return the PNG paths."""
    from scrubdesk.gui.app import create_application

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    app = create_application()
    with tempfile.TemporaryDirectory(prefix="scrubdesk-shots-") as tmp:
        settings = AppSettings(QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat))
        runner = TaskRunner()
        window = MainWindow(settings, runner)
        window.resize(*WINDOW_SIZE)
        files: list[Path] = []
        try:
            settings.add_recent_project(Path(project_path))
            window.welcome.set_recent(settings.recent_projects())
            files.append(_shoot(app, window, outdir / "welcome.png"))
            task = window.open_project(Path(project_path))
            while task is not None and task.running:
                app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            if window.project is None:
                raise RuntimeError(f"could not open {project_path}")
            if window.model.rowCount() > 2:
                window.list_view.select_row(2)
            files.append(_shoot(app, window, outdir / "main-window.png"))
            files += _dialogs(app, window, outdir)
        finally:
            window.close()
            runner.shutdown()
            window.deleteLater()
            _settle(app)
    log.info("rendered %d screenshots", len(files))
    return files


def _dialogs(app: QApplication, window: MainWindow, outdir: Path) -> list[Path]:
    assert window.project is not None and window.store is not None
    files: list[Path] = []
    project = window.project

    def shoot_dialog(name: str, make: Callable[[], QWidget]) -> None:
        dialog = make()
        try:
            files.append(_shoot(app, dialog, outdir / name))
        finally:
            dialog.close()
            dialog.deleteLater()

    def import_dialog() -> QWidget:
        dialog = ImportDialog(window.settings, window)
        dialog.add_sources([project.path.parent / "inbox-2024.mbox", project.path.parent / "complaints.csv"])
        dialog.set_format(None)
        dialog.text_column.setText("body")
        dialog.label_column.setText("category")
        return dialog

    def summary_dialog() -> QWidget:
        # The summary page as it looks after an import, filled from this project's real counts.
        assert window.store is not None
        stats = project_stats(window.store)
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
            quarantine=quarantine_rows(window.store),
        )
        dialog = ImportProgressDialog(project, window.runner, [], ImportOptions(), window)
        dialog.show_summary(outcome)
        return dialog

    def progress_dialog() -> QWidget:
        dialog = ImportProgressDialog(project, window.runner, [project.path / "inbox.mbox"], ImportOptions())
        dialog._on_progress(3_400_000, 8_000_000, "1,204 imported, 3 duplicates, 2 quarantined")
        return dialog

    shoot_dialog("import-dialog.png", import_dialog)
    shoot_dialog("import-progress.png", progress_dialog)
    shoot_dialog("import-summary.png", summary_dialog)
    shoot_dialog("about.png", lambda: make_about_box(window))
    return files
