"""The Project/View/Help extras in the main window: jobs run in workers and refresh the window; actions follow
the user's role; the theme applies app-wide; the shortcut list comes from the actions themselves."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QPalette

from scrubdesk.core.audit_log import current_os_user
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db.messages import all_ids, texts
from scrubdesk.core.db.spans import count_analysed
from scrubdesk.core.roles import grant
from tests.gui.conftest import fill_project, open_project

pytestmark = pytest.mark.gui


@pytest.fixture
def opened(main_window, project, tmp_path, qtbot):
    fill_project(project, tmp_path, 30)
    assert open_project(qtbot, main_window, project.path)
    return main_window


def test_admin_sees_every_project_action_enabled(opened) -> None:
    actions = opened.project_actions
    names = ("analyze", "predict", "export", "report", "erase", "purge", "audit")
    for action in (getattr(actions, f"{name}_action") for name in names):
        assert action.isVisible() and action.isEnabled(), action.text()


def test_an_annotator_is_not_offered_export_erasure_or_audit(main_window, project, tmp_path, qtbot) -> None:
    fill_project(project, tmp_path, 10)
    with project.store() as store, store.transaction() as conn:
        grant(conn, current_os_user(), "annotator", granted_by="test", at=utc_now())
    assert open_project(qtbot, main_window, project.path)
    actions = main_window.project_actions
    for action in (actions.export_action, actions.report_action, actions.erase_action, actions.purge_action):
        assert not action.isVisible() and not action.isEnabled(), action.text()
    # Analyse and Train change what everyone works on: reviewers and admins only (the core checks too)
    assert not actions.analyze_action.isVisible() and not actions.analyze_action.isEnabled()
    actions.training_view.set_project(main_window.project)
    assert not actions.training_view.train_button.isEnabled()
    assert actions.predict_action.isEnabled()


def test_report_runs_in_a_worker_and_writes_the_inventory(opened, qtbot, tmp_path: Path) -> None:
    out = tmp_path / "inventory.html"
    dialog = opened.project_actions.report(out)
    qtbot.waitUntil(lambda: not dialog.task.running, timeout=60_000)
    assert dialog.error is None, dialog.message.text()
    assert out.exists() and "<html" in out.read_text(encoding="utf-8").lower()
    assert str(out) in dialog.message.text()


def test_the_report_menu_item_asks_where_to_save_and_writes_it(opened, qtbot, tmp_path, monkeypatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    out = tmp_path / "from-menu.html"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(out), "HTML (*.html)"))
    opened.project_actions.report_action.trigger()  # as the menu does: triggered(checked=False)
    dialog = opened.project_actions.dialogs[-1]
    qtbot.waitUntil(lambda: not dialog.task.running, timeout=60_000)
    assert dialog.error is None and out.exists()


@pytest.mark.slow
def test_analysis_from_the_menu_fills_spans_and_refreshes(opened, qtbot) -> None:
    dialog = opened.project_actions.analyze()
    qtbot.waitUntil(lambda: not dialog.task.running, timeout=300_000)
    assert dialog.error is None, dialog.message.text()
    assert dialog.result.analysed == 30
    assert dialog.message.text().startswith("Analysed 30 message(s)")
    with opened.project.store() as store:
        assert count_analysed(store) == 30


def test_training_dock_toggles_and_remembers(opened, qtbot) -> None:
    actions = opened.project_actions
    assert actions.training_dock.isHidden()
    actions.training_action.trigger()
    assert not actions.training_dock.isHidden() and actions.training_view.project is opened.project
    assert opened.settings.qsettings.value("training/dock_shown", type=bool)


def test_theme_menu_switches_and_persists(opened, qapp) -> None:
    palette = QPalette(qapp.palette())
    try:
        opened.project_actions.theme_actions["dark"].trigger()
        assert opened.settings.theme() == "dark"
        assert qapp.palette().color(QPalette.ColorRole.Window).lightness() < 128
    finally:
        qapp.setPalette(palette)


def test_shortcuts_help_lists_action_shortcuts(opened) -> None:
    dialog = opened.project_actions.shortcuts()
    rows = {
        (dialog.table.item(r, 0).text(), dialog.table.item(r, 2).text())
        for r in range(dialog.table.rowCount())
    }
    assert ("Ctrl+E", "Export Labels") in rows
    assert ("1 – 9", "Label the message and go to the next") in rows
    dialog.close()


def test_f1_lists_each_key_once_with_where_it_works(opened, qtbot) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    opened.show()
    opened.activateWindow()
    qtbot.waitUntil(opened.isActiveWindow)
    opened.list_view.setFocus()
    QTest.keyClick(opened.focusWidget(), Qt.Key.Key_F1)
    dialog = opened.project_actions.dialogs[-1]
    keys = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    singles = [part.strip() for k in keys for part in k.split("/")]
    assert len(singles) == len(set(singles)), sorted(k for k in singles if singles.count(k) > 1)
    assert {"Y", "N", "T", "A", "R", "F6", "Del", "Esc", "Ctrl+F", "L", "Ctrl+Shift+Return"} <= set(singles)
    assert all(dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount()))  # where it works
    dialog.close()


def test_retention_banner_and_purge(opened, qtbot) -> None:
    from scrubdesk.core.retention import set_policy

    actions = opened.project_actions
    assert actions.banner.isHidden()
    from datetime import date

    set_policy(opened.project, until=date(2020, 1, 1))
    actions.update_banner()
    assert not actions.banner.isHidden() and "due for deletion" in actions.banner.text.text()
    assert not actions.banner.purge_button.isHidden()
    dialog = actions.purge(confirmed=True)
    qtbot.waitUntil(lambda: not dialog.task.running, timeout=60_000)
    assert dialog.error is None, dialog.message.text()
    assert dialog.message.text().startswith("Purged the content of 30 message(s)")
    assert actions.banner.isHidden()
    with opened.project.store() as store:
        assert sum(t.body != "" for t in texts(store, all_ids(store))) == 0
