"""Keyboard-first labelling in the main window: number keys, J/K, U, Enter, the label bar and its dialogs."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog

from scrubdesk.core import labels as core_labels
from scrubdesk.core.audit_log import current_os_user
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db.messages import MessageFilter, all_ids, labels_and_sources
from scrubdesk.core.db.trained_models import Prediction, store_predictions
from scrubdesk.core.roles import grant
from scrubdesk.gui.label_bar import LabelSetDialog
from scrubdesk.gui.message_table_model import COLUMN_INDEX
from tests.builders import add_model, audit_rows, overwrite_message, remove_every_role
from tests.gui.conftest import fill_project, open_at_desk, open_project, show_raw

pytestmark = pytest.mark.gui

KEYS = {1: Qt.Key.Key_1, 2: Qt.Key.Key_2, 3: Qt.Key.Key_3, 4: Qt.Key.Key_4}


@pytest.fixture
def project_60(project, tmp_path):
    """60 messages; the import labels two in three (billing, complaint) and leaves every third unlabelled."""
    fill_project(project, tmp_path, 60)
    with project.store() as store:
        core_labels.add_labels(project, store, ["billing", "complaint", "cancel", "refund"])
    return project


@pytest.fixture
def window(main_window, project_60, qtbot):
    open_at_desk(qtbot, main_window, project_60.path, (1200, 760))
    return main_window


def labels_in_store(window) -> dict[int, str | None]:
    store = window.store
    return {mid: label for mid, label, _source in labels_and_sources(store, all_ids(store))}


def audit_actions(window, action: str) -> list[dict]:
    return [json.loads(r.details) for r in audit_rows(window.store, action)]


def test_keyboard_only_session_of_20_messages(window, qtbot):
    window.list_panel.set_filter(MessageFilter(state="unlabelled"))
    model, view = window.model, window.list_view
    assert model.rowCount() == 20
    assert view.current_row() == 0
    bar = window.label_bar
    assert bar.labels == ["billing", "complaint", "cancel", "refund"]
    # progress is over the whole project (and this session), whatever the filter shows
    assert bar.progress_label.text() == "labelled 40 of 60"
    ids = [model.message_id_at(r) for r in range(20)]
    typed = [1 + (i * 7) % 4 for i in range(20)]  # a mix of all four keys
    for n, row in zip(typed, range(20), strict=True):
        assert view.current_row() == row  # each key labelled and moved on
        keypad = Qt.KeyboardModifier.KeypadModifier if row % 5 == 4 else Qt.KeyboardModifier.NoModifier
        QTest.keyClick(window, KEYS[n], keypad)  # the number row or the keypad
    assert view.current_row() == 19  # the last message has nowhere to advance to
    expected = {mid: bar.labels[n - 1] for mid, n in zip(ids, typed, strict=True)}
    stored = labels_in_store(window)
    assert {mid: stored[mid] for mid in ids} == expected
    assert bar.progress_label.text() == "labelled 60 of 60 · +20 this session"
    assert model.rowCount() == 20  # labelled rows stay in the list until the filter is applied again
    assert [model.data(model.index(r, COLUMN_INDEX["label"])) for r in range(20)] == [
        expected[m] for m in ids
    ]
    assert len(audit_actions(window, "label")) == 20

    QTest.keyClick(window, Qt.Key.Key_U)  # undo the last label: back to unlabelled
    assert labels_in_store(window)[ids[19]] is None
    assert view.current_message_id() == ids[19]
    assert bar.progress_label.text() == "labelled 59 of 60 · +19 this session"
    QTest.keyClick(window, Qt.Key.Key_U)  # and the one before: back to that message
    assert labels_in_store(window)[ids[18]] is None
    assert view.current_message_id() == ids[18]
    undos = [d for d in audit_actions(window, "label") if d.get("undo")]
    label_ids = [core_labels.label_id(window.project, expected[ids[n]]) for n in (19, 18)]
    assert [d["from"] for d in undos] == label_ids
    assert window.message_view.message.label is None  # the view shows the restored state

    QTest.keyClick(window, KEYS[2])  # label again after the undo
    assert labels_in_store(window)[ids[18]] == "complaint"
    assert view.current_message_id() == ids[19]


def test_j_k_and_arrows_move_in_the_current_order(window, qtbot):
    view = window.list_view
    before = labels_in_store(window)
    view.select_row(5)
    QTest.keyClick(window, Qt.Key.Key_J)
    assert view.current_row() == 6
    QTest.keyClick(window, Qt.Key.Key_K)
    QTest.keyClick(window, Qt.Key.Key_K)
    assert view.current_row() == 4
    QTest.keyClick(view, Qt.Key.Key_Down)
    assert view.current_row() == 5
    QTest.keyClick(view, Qt.Key.Key_Up)
    assert view.current_row() == 4
    assert window.message_view.message.id == view.current_message_id()
    assert labels_in_store(window) == before  # moving never writes
    assert audit_actions(window, "label") == []


def test_keys_work_from_the_message_view_but_not_while_typing(window, qtbot):
    view = window.list_view
    view.select_row(2)  # unlabelled (every third)
    mid = view.current_message_id()
    show_raw(qtbot, window.message_view)  # not analysed: its text shows only raw (R)
    body = window.message_view.body
    body.setFocus()
    qtbot.waitUntil(body.hasFocus)
    QTest.keyClick(body, Qt.Key.Key_3)
    assert labels_in_store(window)[mid] == "cancel"
    assert view.current_row() == 3
    QTest.keyClick(body, Qt.Key.Key_K)
    assert view.current_row() == 2

    search = window.list_panel.search_edit
    search.setFocus()
    qtbot.waitUntil(search.hasFocus)
    before = labels_in_store(window)
    for key in (Qt.Key.Key_1, Qt.Key.Key_J, Qt.Key.Key_U):
        QTest.keyClick(search, key)
    assert search.text() == "1ju"  # the keys typed text...
    assert labels_in_store(window) == before  # ...and labelled nothing
    assert view.current_row() == 2


def test_suggestion_is_highlighted_and_enter_accepts_it(window, qtbot):
    store = window.store
    view = window.list_view
    target = window.model.message_id_at(5)  # unlabelled
    with store.transaction() as conn:
        store_predictions(conn, add_model(conn), [Prediction(target, "refund", 0.83, 0.4)], "now")
    window.model.refresh_messages([target])
    view.select_row(5)
    bar = window.label_bar
    refund = bar.buttons[3]
    assert refund.font().bold() and "83%" in refund.text()
    assert not bar.buttons[0].font().bold()
    assert bar.suggestion_label.text() == "Suggestion: refund 83% (Enter)"
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Return)
    assert labels_in_store(window)[target] == "refund"
    assert view.current_row() == 6
    view.select_row(5)
    assert refund.isChecked() and not bar.buttons[0].isChecked()  # the current label is checked

    window.list_panel.search_edit.setFocus()  # Enter in the search box searches, it never labels
    qtbot.waitUntil(window.list_panel.search_edit.hasFocus)
    with store.transaction() as conn:
        overwrite_message(conn, target, label=None)
    window.list_panel.search_edit.setText("number 5.")
    with qtbot.waitSignal(window.list_panel.search_finished, timeout=30_000) as found:
        QTest.keyClick(window.list_panel.search_edit, Qt.Key.Key_Return)
    assert found.args == [1]
    assert labels_in_store(window)[target] is None


def test_label_bar_buttons_and_more_menu(window, project_60, qtbot):
    core_labels.add_labels(project_60, window.store, [f"extra{i}" for i in range(8)])  # 12 labels in all
    window.labelling.reload_labels()
    bar = window.label_bar
    assert len(bar.buttons) == 9 and bar.more.isVisibleTo(bar) and "3" in bar.more.text()
    view = window.list_view
    view.select_row(2)
    mid = view.current_message_id()
    QTest.keyClick(window.focusWidget(), Qt.Key.Key_L)  # the quick pick: type part of a name
    picker = window.labelling.picker
    assert picker is not None and picker.filter.hasFocus()
    QTest.keyClicks(picker.filter, "tra6")
    assert [picker.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(picker.list.count())] == [
        "extra6"
    ]
    QTest.keyClick(picker.filter, Qt.Key.Key_Return)
    assert labels_in_store(window)[mid] == "extra6"
    assert view.current_row() == 3
    QTest.keyClick(window, Qt.Key.Key_9)
    assert labels_in_store(window)[view.model().message_id_at(3)] == "extra4"
    view.select_row(2)
    bar.clear_button.click()
    assert labels_in_store(window)[mid] is None
    bar.buttons[1].click()
    assert labels_in_store(window)[view.model().message_id_at(3)] == "complaint"


def test_add_rename_merge_from_the_label_bar(window, qtbot, monkeypatch):
    answers = {}

    def fake_exec(dialog: LabelSetDialog) -> int:
        fill = answers[dialog.mode]
        fill(dialog)
        if not dialog.ok_button.isEnabled():
            return int(QDialog.DialogCode.Rejected.value)
        return int(QDialog.DialogCode.Accepted.value)

    monkeypatch.setattr(LabelSetDialog, "exec", fake_exec)
    bar = window.label_bar
    answers["add"] = lambda d: d.names.setPlainText("  shipping \n\nreturns\nbilling\nreturns")  # pasted
    bar.add_action.trigger()  # the names are screened by the real PII analyser in a worker first
    qtbot.waitUntil(lambda: bar.labels[-2:] == ["shipping", "returns"], timeout=60_000)
    assert len(bar.buttons) == 6  # one dialog, both added
    assert "1 already in the set" in window.statusBar().currentMessage()
    show = [window.list_panel.show_combo.itemText(i) for i in range(window.list_panel.show_combo.count())]
    assert "Label: shipping" in show  # the list's filter menu follows the set

    answers["rename"] = lambda d: (d.source.setCurrentText("billing"), d.name.setText("payments"))
    bar.rename_action.trigger()
    qtbot.waitUntil(lambda: bar.labels[0] == "payments", timeout=10_000)
    counts = core_labels.label_counts(window.store)
    assert counts["payments"] == 20 and "billing" not in counts
    assert (
        window.model.data(window.model.index(0, COLUMN_INDEX["label"])) == "payments"
    )  # the list shows the new name

    answers["merge"] = lambda d: (d.source.setCurrentText("complaint"), d.target.setCurrentText("payments"))
    bar.merge_action.trigger()
    assert "complaint" not in bar.labels
    assert core_labels.label_counts(window.store)["payments"] == 40
    answers["merge"] = lambda d: (d.source.setCurrentText("cancel"), d.target.setCurrentText("cancel"))
    bar.merge_action.trigger()  # the same label twice: OK is disabled, nothing happens
    assert "cancel" in bar.labels
    added = [core_labels.label_id(window.project, name) for name in ("shipping", "returns")]
    assert [d["labels"] for d in audit_actions(window, "labels.add")][-1] == added
    assert (
        len(audit_actions(window, "labels.rename")) == 1 and len(audit_actions(window, "labels.merge")) == 1
    )


def test_new_label_names_are_screened_for_personal_data(window, qtbot, monkeypatch, message_boxes):
    """Added or renamed through the bar, a name that looks personal is refused; an analyser finding may
    be overruled by an admin with a reason, which the audit log records (never the name)."""
    person = "Jane Smith"
    window.labelling.screen = lambda name: ["PERSON"] if name == person else []
    answers = {"add": lambda d: d.names.setPlainText("Mr Varnabee\nrefunds")}
    reasons: list[str | None] = [None, "the name of a product"]
    asked: list[str] = []

    def fake_exec(dialog: LabelSetDialog) -> int:
        answers[dialog.mode](dialog)
        return int(QDialog.DialogCode.Accepted.value)

    def fake_reason(parent, explanation: str) -> str | None:
        asked.append(explanation)
        return reasons.pop(0)

    monkeypatch.setattr(LabelSetDialog, "exec", fake_exec)
    monkeypatch.setattr("scrubdesk.gui.labelling.ask_override_reason", fake_reason)
    bar = window.label_bar
    before = list(bar.labels)

    bar.add_action.trigger()  # a shape the leak guard refuses: no override is offered
    qtbot.waitUntil(lambda: len(message_boxes) == 1, timeout=10_000)
    assert "look like personal data" in message_boxes[0][1] and "Varnabee" not in message_boxes[0][1]
    assert bar.labels == before and asked == []

    answers["rename"] = lambda d: (d.source.setCurrentText("refund"), d.name.setText(person))
    bar.rename_action.trigger()  # the analyser's finding: the admin is asked, cancels, nothing changes
    qtbot.waitUntil(lambda: len(message_boxes) == 2, timeout=10_000)
    assert len(asked) == 1 and person not in asked[0] and bar.labels == before

    bar.rename_action.trigger()  # asked again, gives a reason: renamed, and the override is recorded
    qtbot.waitUntil(lambda: person in bar.labels, timeout=10_000)
    (entry,) = audit_actions(window, "labels.rename")
    assert entry["screen_override"]["override_reason"] == "the name of a product"
    assert person not in json.dumps(entry) and len(message_boxes) == 2


def test_annotator_labels_but_cannot_rename_and_no_role_cannot_label(
    main_window, project_60, qtbot, message_boxes
):
    with project_60.store() as store, store.transaction() as conn:
        grant(conn, current_os_user(), "annotator", granted_by="test", at=utc_now())
    assert open_project(qtbot, main_window, project_60.path)
    bar = main_window.label_bar
    assert bar.buttons[0].isEnabled() and bar.add_action.isEnabled()
    assert not bar.rename_action.isVisible() and not bar.merge_action.isVisible()
    main_window.labelling.label_current("billing")
    assert main_window.labelling.undo_stack[-1].label == "billing"
    main_window.close_project()

    with project_60.store() as store:
        remove_every_role(store)
    assert open_project(qtbot, main_window, project_60.path)
    bar = main_window.label_bar
    assert not bar.buttons[0].isEnabled()
    assert "no role" in bar.toolTip()
    before = labels_in_store(main_window)
    main_window.labelling.label_by_number(1)
    assert labels_in_store(main_window) == before
    assert message_boxes == []


def test_labels_of_an_import_are_added_to_the_set_on_open(main_window, project, tmp_path, qtbot):
    fill_project(project, tmp_path, 9)
    assert open_project(qtbot, main_window, project.path)
    assert main_window.label_bar.labels == ["billing", "complaint"]
    with project.store() as store:
        assert core_labels.list_labels(store) == ["billing", "complaint"]
