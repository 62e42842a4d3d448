"""Issue 17, part 4 — guidance and first run: the annotation guide, many labels at once, the roles
dialog, scrubbed by default, the key file's passphrase typed in the app, the demo ready to label.
Keys go to the focused widget, as a person types them."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit

from scrubdesk.core import labels as core_labels
from scrubdesk.core.audit_log import audit_entries
from scrubdesk.core.errors import PermissionDeniedError
from scrubdesk.core.label_guide import label_guide, set_label_guide
from scrubdesk.core.roles import list_roles
from tests.gui.conftest import open_at_desk, open_project, press
from tests.review_fixtures import add_message, as_role

pytestmark = pytest.mark.gui
PASSPHRASE = "typed-not-stored 7"  # a test key file's passphrase


@pytest.fixture
def messages(project):
    with project.store() as store:
        ids = [add_message(store, f"k{i}") for i in range(4)]
        core_labels.add_labels(project, store, ["billing", "complaint"])
    return ids


@pytest.fixture
def desk(main_window, project, messages, qtbot):
    open_at_desk(qtbot, main_window, project.path)
    return main_window


def test_an_admin_stepping_through_messages_logs_no_raw_view(desk, messages, qtbot):
    view = desk.message_view
    assert view.mode == "scrubbed" and "Okafor" not in view.body.text()
    for _ in range(3):
        press(Qt.Key.Key_Down)
    assert view.flush_raw_log(10)
    assert audit_entries(desk.store, action="view_raw") == []  # was one entry per row selected
    press(Qt.Key.Key_R)  # raw on demand: one display, one entry, before it shows
    qtbot.waitUntil(lambda: not view.raw_waiting, timeout=10_000)
    assert "Okafor" in view.body.text()
    assert view.flush_raw_log(10)
    assert len(audit_entries(desk.store, action="view_raw")) == 1


def test_the_annotation_guide_is_stored_in_the_project_and_shown(desk, project, qtbot, monkeypatch):
    from scrubdesk.gui.guide_panel import LabelGuideDialog

    def type_the_guide(dialog: LabelGuideDialog) -> int:
        dialog.guidelines.setFocus()
        QTest.keyClicks(dialog.guidelines, "Label what the customer wants.")
        row = next(r for r in range(dialog.table.rowCount()) if dialog.table.item(r, 0).text() == "billing")
        dialog.table.item(row, 1).setText("Questions about a bill or a charge")
        return int(QDialog.DialogCode.Accepted.value)

    monkeypatch.setattr(LabelGuideDialog, "exec", type_the_guide)
    desk.project_actions.guide_action.trigger()  # View > Annotation Guide
    panel = desk.project_actions.guide_panel
    assert panel.isVisible() and "No guidelines yet" in panel.guidelines.toPlainText()
    panel.edit_button.setFocus()
    press(Qt.Key.Key_Space)
    with project.store() as store:
        guide = label_guide(store)
    assert guide.guidelines == "Label what the customer wants."
    assert guide.description("billing") == "Questions about a bill or a charge"
    assert panel.guidelines.toPlainText() == "Label what the customer wants."
    assert "Questions about a bill" in desk.label_bar.buttons[0].toolTip()  # billing is key 1
    with project.store() as store:
        as_role(store, "annotator")
        with pytest.raises(PermissionDeniedError):
            set_label_guide(project, store, "mine now", {})


def test_an_admin_grants_a_role_in_the_roles_dialog(desk, project, qtbot):
    dialog = desk.project_actions.roles()
    assert dialog is not None
    with qtbot.waitExposed(dialog):
        dialog.show()
    dialog.user.setFocus()
    QTest.keyClicks(dialog.user, "alice")
    dialog.role.setFocus()
    while dialog.role.currentText() != "reviewer":
        press(Qt.Key.Key_Down)
    dialog.grant_button.setFocus()
    press(Qt.Key.Key_Space)
    with project.store() as store:
        assert ("alice", "reviewer") in {(g.os_user, g.role) for g in list_roles(store)}
    assert "alice is now reviewer" in dialog.notice.text()
    assert dialog.table.rowCount() == 2
    admin_row = next(r for r in range(2) if dialog.table.item(r, 1).text() == "admin")
    dialog.table.selectRow(admin_row)
    dialog.revoke_button.setFocus()
    press(Qt.Key.Key_Space)  # the only admin: refused, with the reason
    assert "only admin" in dialog.notice.text()
    dialog.close()


@pytest.mark.real_keyring
def test_the_key_file_passphrase_is_asked_for_and_never_kept(
    main_window, tmp_path, qtbot, monkeypatch, isolated_keyring, app_settings, caplog
):
    from scrubdesk.core.keys import key_file_vault
    from scrubdesk.core.project import Project

    project = Project.create(tmp_path / "desk", vault=key_file_vault(isolated_keyring, PASSPHRASE))
    monkeypatch.delenv("SCRUBDESK_PASSPHRASE")  # a desktop without an OS keyring: only the key file
    typed: list[str] = []

    def type_passphrase() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, type_passphrase)
            return
        typed.append(dialog.windowTitle())
        field = dialog.findChild(QLineEdit)
        assert field.echoMode() == QLineEdit.EchoMode.Password  # not shown while typed
        QTest.keyClicks(field, PASSPHRASE)
        QTest.keyClick(field, Qt.Key.Key_Return)

    QTimer.singleShot(0, type_passphrase)
    assert open_project(qtbot, main_window, project.path)
    assert typed == ["Unlock the key file"]
    main_window.close_project()
    assert open_project(qtbot, main_window, project.path)  # asked once per session
    assert typed == ["Unlock the key file"]
    app_settings.sync()
    settings_file = Path(app_settings.qsettings.fileName())
    assert PASSPHRASE not in settings_file.read_text(encoding="utf-8")
    assert PASSPHRASE not in caplog.text


@pytest.mark.slow
def test_the_demo_opens_analysed_with_its_intents_and_a_guide(main_window, tmp_path, qtbot):
    """Once the demo opened unanalysed, unlabelled and raw: "0 PII spans" on mail full of PII."""
    from scrubdesk.core.demo import create_demo_project
    from scrubdesk.core.synthetic import INTENTS
    from scrubdesk.models.scenario import prepare_demo

    project, _ = create_demo_project(tmp_path / "demo", count=20)
    assert prepare_demo(project) == 20  # what `scrubdesk demo` does when it creates the project
    assert open_project(qtbot, main_window, project.path)
    view = main_window.message_view
    assert view.mode == "scrubbed" and view.marks(), view.body_caption.text()
    assert " 0 PII spans" not in view.body_caption.text()
    assert main_window.label_bar.labels == list(INTENTS)
    assert main_window.project_actions.guide_panel.guide.guidelines


def test_empty_panels_say_why_and_what_to_do(main_window, project, qtbot):
    assert open_project(qtbot, main_window, project.path)
    assert "Import" in main_window.list_view.empty_hint  # an empty project
    assert "Select a message" in main_window.message_view._placeholder.text()
    with project.store() as store:
        add_message(store, "plain", body="Nothing personal here.", body_spans=[], subject_spans=[])
    main_window.refresh()
    assert main_window.message_view.spans_panel.empty_hint == "No PII found in this message."
    main_window.list_panel.set_filter(main_window.list_panel.current_filter().__class__(state="labelled"))
    assert main_window.model.rowCount() == 0 and "filter" in main_window.list_view.empty_hint
    assert main_window.review_panel.summary.text() in ("", "Nothing awaits approval.")
    assert main_window.label_bar.caption.text().startswith("No labels yet")
