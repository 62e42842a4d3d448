"""The GUI entry point, end to end (offscreen). The screenshot renderer: test_screenshots.py."""

from __future__ import annotations

import logging
import time

import pytest
from PySide6.QtCore import QEventLoop, QTimer, qWarning

from scrubdesk.gui.app import install_qt_message_handler, run_gui

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
