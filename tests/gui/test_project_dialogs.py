"""New/Open project dialogs and the File-menu flows that use them (modal exec patched)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog

from scrubdesk.gui.import_dialog import ImportDialog
from scrubdesk.gui.project_dialogs import NewProjectDialog, folder_name
from tests.gui.conftest import open_project
from tests.gui.fakes import FakeReader, fake_source

pytestmark = pytest.mark.gui


@pytest.mark.parametrize(
    ("name", "folder"),
    [
        ("Complaints 2025", "Complaints-2025"),
        ("a/b\\c:d", "a-b-c-d"),
        ("  ../..  ", "project"),
        ("Über", "Über"),
    ],
)
def test_folder_name_is_safe(name, folder):
    assert folder_name(name) == folder


def test_new_project_dialog_needs_a_name_and_shows_the_folder(qtbot, app_settings, tmp_path):
    dialog = NewProjectDialog(app_settings)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.parent_edit.setText(str(tmp_path))
    assert not ok.isEnabled()
    dialog.name_edit.setText("Complaints 2025")
    assert ok.isEnabled()
    assert dialog.project_path() == tmp_path / "Complaints-2025"
    assert dialog.preview.text() == f"Folder: {tmp_path / 'Complaints-2025'}"


def test_file_new_project_creates_and_opens_it(main_window, qtbot, tmp_path, monkeypatch, app_settings):
    def fill_and_accept(dialog: NewProjectDialog) -> int:
        dialog.name_edit.setText("Fresh")
        dialog.parent_edit.setText(str(tmp_path))
        dialog.accept()
        return int(QDialog.DialogCode.Accepted.value)

    monkeypatch.setattr(NewProjectDialog, "exec", fill_and_accept)
    main_window.new_action.trigger()
    qtbot.waitUntil(lambda: main_window.project is not None)
    assert main_window.project.name == "Fresh"
    assert main_window.project.path == tmp_path / "Fresh"
    assert app_settings.last_dir("projects") == str(tmp_path)


def test_file_open_project_uses_the_folder_dialog(main_window, qtbot, project, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(project.path))
    main_window.open_action.trigger()
    qtbot.waitUntil(lambda: main_window.project is not None)
    assert main_window.project.path == project.path


def test_file_open_cancelled_does_nothing(main_window, qtbot, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")
    main_window.open_action.trigger()
    assert main_window.project is None and not main_window.runner.active()


def test_file_import_runs_what_the_dialog_chose(main_window, qtbot, project, tmp_path, monkeypatch):
    assert open_project(qtbot, main_window, project.path)
    FakeReader(12).install(monkeypatch)
    source = fake_source(tmp_path)

    def choose(dialog: ImportDialog) -> int:
        dialog.add_sources([source])
        return int(QDialog.DialogCode.Accepted.value)

    monkeypatch.setattr(ImportDialog, "exec", choose)
    main_window.import_action.trigger()
    qtbot.waitUntil(lambda: main_window.model.rowCount() == 12, timeout=30_000)
    assert main_window.count_label.text() == "12 messages"


def test_recent_project_on_the_welcome_page_opens_on_activation(main_window, qtbot, project, app_settings):
    app_settings.add_recent_project(project.path)
    main_window.welcome.set_recent(app_settings.recent_projects())
    item = main_window.welcome.recent.item(0)
    assert Path(item.data(Qt.ItemDataRole.UserRole)) == project.path
    main_window.welcome.recent.itemActivated.emit(item)
    qtbot.waitUntil(lambda: main_window.project is not None)
