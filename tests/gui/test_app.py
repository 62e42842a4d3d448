"""The GUI entry point and the screenshot renderer, end to end (offscreen)."""

from __future__ import annotations

import logging
import time

import pytest
from PySide6.QtCore import QEventLoop, QTimer, qWarning
from PySide6.QtGui import QImage

from scrubdesk.gui.app import install_qt_message_handler, run_gui
from tests.gui.conftest import fill_project

pytestmark = pytest.mark.gui


def test_run_gui_exits_by_itself_with_code_0(qapp):
    assert run_gui(exit_after_ms=200) == 0


def test_run_gui_leaves_no_quit_behind_for_the_next_event_loop(qapp):
    assert run_gui(exit_after_ms=100) == 0
    loop = QEventLoop()
    QTimer.singleShot(200, lambda: loop.exit(7))
    started = time.perf_counter()
    assert loop.exec() == 7  # a stray Quit event would end it at once with -1
    assert time.perf_counter() - started >= 0.15


def test_run_gui_opens_the_given_project(qapp, project, monkeypatch):
    from scrubdesk.gui import main_window

    loaded: list[str] = []
    real_loaded = main_window.MainWindow._project_loaded

    def spy(self, loaded_project, title):
        real_loaded(self, loaded_project, title)
        loaded.append(self.windowTitle())

    monkeypatch.setattr(main_window.MainWindow, "_project_loaded", spy)
    assert run_gui(project.path, exit_after_ms=1500) == 0
    assert loaded == ["test project — Scrubdesk"]


def test_run_gui_with_a_bad_project_shows_an_error_and_still_exits_cleanly(qapp, tmp_path, message_boxes):
    assert run_gui(tmp_path, exit_after_ms=1500) == 0
    assert message_boxes and message_boxes[0][0] == "Could not open the project"


def test_qt_messages_go_to_python_logging(qapp, caplog):
    install_qt_message_handler()
    with caplog.at_level(logging.WARNING, logger="scrubdesk.qt"):
        qWarning("a warning from Qt")
    assert any(r.name == "scrubdesk.qt" and "a warning from Qt" in r.getMessage() for r in caplog.records)


def test_render_screenshots(qapp, project, tmp_path):
    from scrubdesk.gui.screenshots import render_screenshots

    fill_project(project, tmp_path, 30, bad=2)
    files = render_screenshots(project.path, tmp_path / "shots")
    names = [f.name for f in files]
    assert names == [
        "welcome.png",
        "main-window.png",
        "import-dialog.png",
        "import-progress.png",
        "import-summary.png",
        "about.png",
    ]
    for file in files:
        image = QImage(str(file))
        assert not image.isNull() and image.width() > 200 and image.height() > 100, file
    main = QImage(str(files[1]))
    assert (main.width(), main.height()) == (1280, 800)
