"""GUI fixtures: private QSettings, a task runner, and projects filled through the real import job."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.gui.fakes import FakeReader, fake_source


@pytest.fixture(autouse=True)
def private_qsettings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every QSettings() a test (or run_gui) creates lands in a private folder, never in ~/.config."""
    folder = tmp_path_factory.mktemp("qsettings")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
        QSettings.setPath(fmt, QSettings.Scope.SystemScope, str(folder / "system"))
    return folder


@pytest.fixture
def app_settings(tmp_path: Path, qapp):
    from scrubdesk.gui.settings import AppSettings

    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def runner(qapp):
    from scrubdesk.gui.tasks import TaskRunner

    runner = TaskRunner()
    yield runner
    runner.shutdown()


def wait_for(qtbot, task, timeout: int = 30_000) -> None:
    """Wait until a task (as returned by the window) has finished and its results were handled."""
    assert task is not None, "the window refused to start the task"
    qtbot.waitUntil(lambda: not task.running, timeout=timeout)


def show_raw(qtbot, view, timeout: int = 10_000) -> None:
    """Ask for the raw text as R does (everyone starts in the scrubbed view), and wait until it shows:
    raw text appears once its view is committed to the audit log (by the raw-view gate's writer)."""
    if view.mode != "raw":
        view.set_mode("raw")
    qtbot.waitUntil(lambda: not view.raw_waiting, timeout=timeout)


def open_project(qtbot, window, path: Path) -> bool:
    """Open ``path`` in ``window`` and wait; True if it is now the open project."""
    wait_for(qtbot, window.open_project(path))
    return window.project is not None and window.project.path == Path(path).absolute()


def press(key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key typed by the user: delivered to the widget that has the keyboard focus."""
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    QTest.keyClick(widget, key, modifiers)


def open_at_desk(qtbot, window, path: Path, size: tuple[int, int] = (1366, 768)) -> None:
    """Open ``path`` and bring the window up as a user starts: shown, active, the list focused."""
    assert open_project(qtbot, window, path)
    window.resize(*size)
    with qtbot.waitExposed(window):
        window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.list_view.setFocus()


@pytest.fixture
def desk(main_window, project, messages, qtbot):
    """The window at the desk on ``project`` with the test module's own ``messages`` fixture, reading raw
    (a reviewer's view); a module that wants the scrubbed start defines its own ``desk``."""
    open_at_desk(qtbot, main_window, project.path)
    show_raw(qtbot, main_window.message_view)
    return main_window


@pytest.fixture
def main_window(qtbot, app_settings, runner):
    from scrubdesk.gui.main_window import MainWindow

    window = MainWindow(app_settings, runner)
    qtbot.addWidget(window)
    return window


def fill_project(project, tmp_path: Path, count: int, bad: int = 0):
    """Import ``count`` synthetic messages (plus ``bad`` quarantined items) with the real import job."""
    from scrubdesk.core.importer import run_import

    with pytest.MonkeyPatch.context() as mp:
        FakeReader(count, bad=bad).install(mp)
        summary = run_import(project, [fake_source(tmp_path, f"fill-{count}.fake")])
    assert summary.imported == count
    return project


@pytest.fixture
def project_1000(project, tmp_path):
    return fill_project(project, tmp_path, 1000, bad=3)


@pytest.fixture(autouse=True)
def _modal_boxes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """A modal message box would block a test forever: record (title, text) instead. A test that expects
    boxes asks for ``message_boxes``; in any other test a box is a failure, reported with its text."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[tuple[str, str]] = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append((box.windowTitle(), box.text()))
        return int(QMessageBox.StandardButton.Ok.value)

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    yield shown
    if shown and "message_boxes" not in request.fixturenames:
        pytest.fail(f"unexpected message box(es): {shown}")


@pytest.fixture
def message_boxes(_modal_boxes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The message boxes shown during the test, as (title, text)."""
    return _modal_boxes
