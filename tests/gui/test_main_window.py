"""The main window: open/create projects, errors in message boxes, selection → message view, layout."""

from __future__ import annotations

import pytest

from scrubdesk.core.db.messages import get_message
from scrubdesk.gui.about import make_about_box, versions
from scrubdesk.gui.main_window import PROJECT_PAGE, WELCOME_PAGE, MainWindow
from tests.gui.conftest import open_project, show_raw, wait_for
from tests.gui.fakes import body_of, subject_of

pytestmark = pytest.mark.gui


def test_starts_on_the_welcome_page_with_import_disabled(main_window, qtbot):
    assert main_window.pages.currentIndex() == WELCOME_PAGE
    assert not main_window.import_action.isEnabled()
    assert main_window.project_label.text() == "No project open"


def test_opening_a_project_shows_name_count_and_first_message(main_window, project_1000, qtbot):
    assert open_project(qtbot, main_window, project_1000.path)
    assert main_window.pages.currentIndex() == PROJECT_PAGE
    assert main_window.project_label.text() == "Project: test project"
    assert main_window.count_label.text() == "1,000 messages"
    assert main_window.windowTitle().startswith("test project")
    assert main_window.import_action.isEnabled()
    assert main_window.message_view.message is not None  # first row selected on open


def test_selecting_a_row_shows_that_message(main_window, project_1000, qtbot):
    open_project(qtbot, main_window, project_1000.path)
    view = main_window.message_view
    with qtbot.waitSignal(main_window.message_shown):
        main_window.list_view.select_row(42)
    show_raw(qtbot, view)
    message_id = main_window.list_view.current_message_id()
    assert view.fields["Subject"].text() == subject_of(42)
    assert view.fields["From"].text() == "Customer 42 <customer42@example.com>"
    assert view.fields["To"].text() == "support@example.co.uk"
    assert view.fields["Attachments"].text() == "none"
    assert view.fields["Label"].text() == "billing"
    assert view.body.toPlainText() == body_of(42)
    assert get_message(main_window.store, message_id).subject == subject_of(42)


def test_body_and_headers_are_plain_text_never_markup(main_window, project_1000, qtbot):
    open_project(qtbot, main_window, project_1000.path)
    main_window.list_view.select_row(0)
    view = main_window.message_view
    show_raw(qtbot, view)
    assert "<script>alert(1)</script>" in view.body.toPlainText()  # shown literally, not interpreted
    assert view.body.isReadOnly()
    assert all(label.textFormat().name == "PlainText" for label in view.fields.values())


def test_clicking_a_row_selects_it(main_window, project_1000, qtbot):
    from PySide6.QtCore import Qt

    open_project(qtbot, main_window, project_1000.path)
    with qtbot.waitExposed(main_window):
        main_window.show()
    table = main_window.list_view
    rect = table.visualRect(table.model().index(3, 3))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    show_raw(qtbot, main_window.message_view)
    assert main_window.message_view.fields["Subject"].text() == subject_of(3)


def test_open_a_folder_that_is_not_a_project_shows_a_message_box(main_window, tmp_path, message_boxes, qtbot):
    folder = tmp_path / "not-a-project"
    folder.mkdir()
    assert open_project(qtbot, main_window, folder) is False
    assert len(message_boxes) == 1
    title, text = message_boxes[0]
    assert title == "Could not open the project"
    assert "not a Scrubdesk project" in text
    assert main_window.project is None
    assert main_window.pages.currentIndex() == WELCOME_PAGE


def test_create_over_an_existing_project_shows_a_message_box(main_window, project, message_boxes, qtbot):
    wait_for(qtbot, main_window.create_project(project.path, "again"))
    assert main_window.project is None
    assert "already holds a Scrubdesk project" in message_boxes[0][1]


def test_create_project_opens_it_and_remembers_it(main_window, tmp_path, app_settings, qtbot):
    path = tmp_path / "new-proj"
    wait_for(qtbot, main_window.create_project(path, "Complaints 2025"))
    assert main_window.project is not None and main_window.project.name == "Complaints 2025"
    assert main_window.count_label.text() == "0 messages"
    assert main_window.message_view.placeholder_shown()
    assert app_settings.recent_projects()[0] == path.absolute()


def test_recent_projects_menu_and_missing_folder_is_dropped(
    main_window, project, app_settings, tmp_path, message_boxes, qtbot
):
    gone = tmp_path / "gone"
    app_settings.add_recent_project(gone)
    app_settings.add_recent_project(project.path)
    main_window.recent_menu.aboutToShow.emit()  # as opening the menu does
    titles = [a.text() for a in main_window.recent_menu.actions()]
    assert titles[0].startswith("proj") and titles[1].startswith("gone")
    main_window.recent_menu.actions()[1].trigger()
    qtbot.waitUntil(lambda: bool(message_boxes))
    assert main_window.project is None
    assert app_settings.recent_projects() == [project.path]
    qtbot.waitUntil(lambda: not main_window.runner.active())
    main_window.recent_menu.actions()[0].trigger()
    qtbot.waitUntil(lambda: main_window.project is not None)
    assert main_window.project.path == project.path


def test_close_project_returns_to_welcome(main_window, project_1000, qtbot):
    open_project(qtbot, main_window, project_1000.path)
    main_window.close_project()
    assert main_window.project is None and main_window.store is None
    assert main_window.model.rowCount() == 0
    assert main_window.pages.currentIndex() == WELCOME_PAGE


def test_layout_is_saved_and_restored(qtbot, app_settings, runner, project):
    first = MainWindow(app_settings, runner)
    qtbot.addWidget(first)
    first.resize(760, 480)  # the offscreen screen is small: stay inside it
    open_project(qtbot, first, project.path)
    with qtbot.waitExposed(first):
        first.show()
    first.splitter.setSizes([320, 430])
    first.close()
    assert app_settings.state("geometry") is not None
    second = MainWindow(app_settings, runner)
    qtbot.addWidget(second)
    open_project(qtbot, second, project.path)
    with qtbot.waitExposed(second):
        second.show()
    assert (second.width(), second.height()) == (760, 480)
    left, right = second.splitter.sizes()
    assert abs(left - 320) <= 3 and abs(right - 430) <= 3


def test_about_box_lists_versions(main_window, qtbot):
    box = make_about_box(main_window)
    text = box.text()
    for name, value in versions().items():
        assert name in text and value.split()[0] in text
    assert set(versions()) >= {"Scrubdesk", "Qt", "PySide6", "Python"}
    assert "GeoNames" in text and "CC BY 4.0" in text  # the gazetteer's licence asks for attribution


def test_menus(main_window, qtbot):
    menus = {a.text(): a.menu() for a in main_window.menuBar().actions()}
    file_actions = [a.text() for a in menus["&File"].actions() if a.text()]
    assert file_actions[:4] == ["&New Project…", "&Open Project…", "Recent &Projects", "&Import…"]
    assert "&Quit" in file_actions
    assert [a.text() for a in menus["&Help"].actions()] == ["&Keyboard Shortcuts", "&About Scrubdesk"]
    menu_bar = [a.text() for a in main_window.menuBar().actions()]
    assert menu_bar == ["&File", "&Project", "&View", "&Review", "&Team", "&Help"]
    team = [a.text() for a in menus["&Team"].actions()]
    assert team == ["&Assign Work…", "&Label Review…", "Agreement && &Progress…"]
    assert not any(a.isEnabled() for a in menus["&Team"].actions())  # nothing without a project
    project = [a.text() for a in menus["&Project"].actions() if a.text()]
    assert project == [
        "&Analyse PII…", "&Suggest Labels", "&Training", "&Export Labels…", "Data &Inventory Report…",
        "&Erase a Data Subject…", "&Purge Dataset…", "&Audit Log…", "&Roles…",
    ]  # fmt: skip
    # Without a project nothing in it can run.
    assert not any(a.isEnabled() for a in menus["&Project"].actions() if a.text())
