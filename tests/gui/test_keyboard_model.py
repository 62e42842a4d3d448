"""Issue 17, part 2 — one keyboard model. Each bug as a person meets it: keys sent to whatever widget
has the keyboard focus."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from scrubdesk.core import labels as core_labels
from scrubdesk.core.audit_log import audit_entries
from scrubdesk.core.db.messages import get_message
from scrubdesk.core.db.spans import message_spans
from scrubdesk.core.review import review_state
from tests.gui.conftest import press
from tests.review_fixtures import add_message

pytestmark = pytest.mark.gui

LABELS = [f"intent{i:02d}" for i in range(12)]  # three beyond the ninth


def type_text(text: str) -> None:
    QTest.keyClicks(QApplication.focusWidget(), text)


@pytest.fixture
def messages(project):
    with project.store() as store:
        ids = [
            add_message(store, f"k{i}", body=f"Refund {i} please, says Jane Okafor.\nThanks")
            for i in range(5)
        ]
        core_labels.add_labels(project, store, LABELS)
    return ids


def raw_views(window) -> int:
    assert window.message_view.flush_raw_log(10)
    return len(audit_entries(window.store, action="view_raw", limit=1000))


def test_tab_in_the_list_moves_to_the_next_region_and_opens_nothing(desk, messages, qtbot):
    before = raw_views(desk)
    assert desk.list_view.current_message_id() == messages[0]
    for _ in range(3):
        press(Qt.Key.Key_Tab)  # once walked the cells, and wrapped into the next rows
    assert desk.list_view.current_message_id() == messages[0]
    assert not desk.list_view.hasFocus()
    assert raw_views(desk) == before  # no message was opened on the way
    desk.list_view.setFocus()
    press(Qt.Key.Key_Backtab)  # once jumped to the last message
    assert desk.list_view.current_message_id() == messages[0]
    assert QApplication.focusWidget() is desk.list_panel.pii_combo  # the filters before the list


def test_tab_walks_the_regions_list_text_spans_label_bar(desk):
    view = desk.message_view
    press(Qt.Key.Key_Tab)  # into the message text: on its first span
    assert QApplication.focusWidget() in (view.subject, view.body) and view.current is not None
    while QApplication.focusWidget() in (view.subject, view.body):
        press(Qt.Key.Key_Tab)  # through the spans, then out
    assert QApplication.focusWidget() is view.spans_panel
    press(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is desk.label_bar.more


def test_message_keys_work_while_the_list_has_the_focus(desk, project, messages, qtbot):
    view = desk.message_view
    press(Qt.Key.Key_F6)  # make a span current...
    press(Qt.Key.Key_Escape)  # ...and go back to the list
    assert desk.list_view.hasFocus() and view.current is not None
    press(Qt.Key.Key_Y)
    with project.store() as store:
        assert [r.status for r in message_spans(store, messages[0], "subject")] == ["accepted"]
    press(Qt.Key.Key_N)  # the next span: kept in clear
    with project.store() as store:
        assert ("body", "rejected") in {(r.field, r.status) for r in message_spans(store, messages[0])}
    assert desk.list_view.hasFocus()
    press(Qt.Key.Key_T)
    assert view.type_menu is not None and view.type_menu.isVisible()
    view.type_menu.close()
    desk.list_view.setFocus()
    press(Qt.Key.Key_R)
    assert view.mode == "scrubbed"
    press(Qt.Key.Key_A)  # nothing selected: it says how
    assert "Select the text" in view.notice.text()
    press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    with project.store() as store:
        assert review_state(store, messages[0]).status == "pending"


def test_keys_typed_into_a_text_field_stay_text(desk, project, messages):
    desk.list_panel.search_edit.setFocus()
    type_text("y1")
    assert desk.list_panel.search_edit.text() == "y1"
    assert get_message(desk.store, messages[0]).label is None
    with project.store() as store:
        assert "accepted" not in {r.status for r in message_spans(store, messages[0])}


def test_ctrl_f_reaches_search_and_after_a_search_the_keys_label_again(desk, messages, qtbot):
    press(Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert desk.list_panel.search_edit.hasFocus()
    type_text("Refund 3")
    with qtbot.waitSignal(desk.list_panel.search_finished, timeout=30_000):
        press(Qt.Key.Key_Return)
    assert desk.list_view.hasFocus()  # the search box no longer eats the digits
    assert desk.list_view.current_message_id() == messages[3]
    press(Qt.Key.Key_3)  # "refund3" once; now a label
    assert desk.list_panel.search_edit.text() == "Refund 3"
    assert get_message(desk.store, messages[3]).label == LABELS[2]
    press(Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    press(Qt.Key.Key_Escape)  # Esc: back to the list
    assert desk.list_view.hasFocus()


def test_labels_beyond_the_ninth_have_a_key(desk, messages):
    press(Qt.Key.Key_L)
    picker = desk.labelling.picker
    assert picker is not None and picker.filter.hasFocus()
    type_text("11")  # part of "intent11", the twelfth label
    press(Qt.Key.Key_Return)
    assert get_message(desk.store, messages[0]).label == "intent11"
    assert desk.list_view.current_message_id() == messages[1]  # and on to the next
    assert desk.list_view.hasFocus()


def test_a_number_key_on_the_last_row_says_it_is_the_end(desk, messages):
    desk.list_view.select_row(len(messages) - 1)
    press(Qt.Key.Key_1)
    assert get_message(desk.store, messages[-1]).label == LABELS[0]
    bar = desk.label_bar
    assert bar.end_notice.isVisibleTo(bar) and "End of the list" in desk.statusBar().currentMessage()
    press(Qt.Key.Key_K)  # moving on hides it
    assert not bar.end_notice.isVisibleTo(bar)
