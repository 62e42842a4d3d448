"""Issue 17, part 3 — the review loop: sent-back messages are found, jobs hand the keyboard back and fit
their text, the training view shows the model just trained, and closing during a job does not crash.
Driven by keys sent to the focused widget."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from scrubdesk.core import labels as core_labels
from scrubdesk.core.review import send_back, submit_for_review
from tests.gui.conftest import press
from tests.review_fixtures import add_message, as_role

pytestmark = pytest.mark.gui


@pytest.fixture
def messages(project):
    with project.store() as store:
        ids = [add_message(store, f"k{i}") for i in range(4)]
        core_labels.add_labels(project, store, ["billing", "complaint"])
        for mid in ids[:3]:
            submit_for_review(project, store, mid)
        as_role(store, "reviewer")
        send_back(project, store, ids[1], "Leeds is a location too")
        as_role(store, "admin")
    return ids


def choose(combo, data: str) -> None:
    """Pick an entry of a (closed) combo box with the arrow keys, as a user does: each key activates."""
    if not combo.hasFocus():
        combo.setFocus()
    target = combo.findData(data)
    assert target >= 0, data
    for _ in range(combo.count()):
        if combo.currentIndex() == target:
            return
        QTest.keyClick(combo, Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up)
    raise AssertionError(f"could not reach {data} with the arrow keys")


def test_the_annotator_finds_what_was_sent_back(desk, messages):
    panel = desk.list_panel
    sent_back = panel.show_combo.findData("state:sent_back")
    assert panel.show_combo.itemText(sent_back) == "Sent back (1)"  # a badge
    assert "1 sent back" in desk.role_label.text()
    press(Qt.Key.Key_Backtab)  # list -> PII filter
    press(Qt.Key.Key_Backtab)  # -> the Show filter
    assert panel.show_combo.hasFocus()
    choose(panel.show_combo, "state:sent_back")
    assert [desk.model.message_id_at(r) for r in range(desk.model.rowCount())] == [messages[1]]
    assert desk.list_view.hasFocus()  # a filter chosen: the keys are the list's again
    header = [desk.model.headerData(i, Qt.Orientation.Horizontal) for i in range(desk.model.columnCount())]
    tip = desk.model.index(0, header.index("Review")).data(Qt.ItemDataRole.ToolTipRole)
    assert "Leeds is a location too" in tip  # the comment, in the list
    view = desk.message_view
    assert view.review_comment.isVisibleTo(view) and "Leeds is a location too" in view.review_comment.text()
    choose(panel.show_combo, "state:needs_review")
    shown = {desk.model.message_id_at(r) for r in range(desk.model.rowCount())}
    assert messages[1] in shown  # "Needs review" no longer leaves it out
    desk.list_view.setFocus()
    desk.list_view.select_message(messages[1])
    press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert panel.show_combo.itemText(sent_back) == "Sent back"  # submitted again: the badge goes
    assert "sent back" not in desk.role_label.text()


def test_messages_approve_all_leaves_are_found_under_review_by_hand(desk, project, messages, qtbot):
    """A message in a language the analyser does not read, and one whose body could not be decoded, are
    left by approve-all for a person: the list finds them under 'Review by hand (N)' and the header says
    why."""
    from scrubdesk.core.db.spans import record_analysis
    from tests.builders import overwrite_message

    with project.store() as store, store.transaction() as conn:
        record_analysis(conn, messages[3], "fp-k3", "now", language="de", language_supported=False)
        overwrite_message(conn, messages[2], flags='["undecoded_body"]')
    panel = desk.list_panel
    panel.fill_choices(desk.store)
    by_hand = panel.show_combo.findData("state:by_hand")
    assert panel.show_combo.itemText(by_hand) == "Review by hand (2)"
    desk.list_view.setFocus()
    press(Qt.Key.Key_Backtab)  # list -> PII filter
    press(Qt.Key.Key_Backtab)  # -> the Show filter
    choose(panel.show_combo, "state:by_hand")
    assert {desk.model.message_id_at(r) for r in range(desk.model.rowCount())} == {messages[2], messages[3]}
    desk.list_view.select_message(messages[2])
    flags = desk.message_view.fields["Flags"]
    qtbot.waitUntil(lambda: "undecodable data in body (review by hand)" in flags.text())
    queue = desk.review_panel
    queue.refresh()  # messages[2] was submitted for review: the queue marks it too
    (row,) = [r for r in range(queue.table.rowCount()) if queue.entries()[r].message_id == messages[2]]
    assert queue.table.item(row, 0).text().endswith("(by hand)")
    assert all(not e.by_hand for e in queue.entries() if e.message_id != messages[2])


def test_a_job_dialog_fits_its_text_and_gives_the_keyboard_back(desk, messages, qtbot, monkeypatch):
    import scrubdesk.gui.project_actions as actions

    def slow_job(_project):
        def run(control):
            control.progress(0, None, "loading the PII analyser")
            time.sleep(0.2)
            return SimpleNamespace(cancelled=False, analysed=4, skipped=0, spans=16, seconds=0.2,
                                   approvals_to_redo=2, approvals_kept=1)  # fmt: skip

        return run

    monkeypatch.setattr(actions, "analysis_job", slow_job)
    press(Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)  # Analyse
    dialog = desk.project_actions.dialogs[-1]
    qtbot.waitUntil(lambda: not dialog.task.running, timeout=10_000)
    qtbot.waitUntil(lambda: desk.isActiveWindow(), timeout=5_000)
    label = dialog.message
    assert label.height() >= label.heightForWidth(label.width())  # no line cut off
    assert desk.list_view.hasFocus()  # the label keys work again without closing the dialog
    before = desk.list_view.current_message_id()
    press(Qt.Key.Key_1)
    assert desk.store is not None
    from scrubdesk.core.db.messages import get_message

    assert get_message(desk.store, before).label == "billing"


def test_closing_the_window_while_a_job_runs_does_not_crash(desk, qtbot, monkeypatch):
    import scrubdesk.gui.project_actions as actions

    def endless(_project):
        def run(control):
            while not control.cancelled:
                time.sleep(0.01)
            return SimpleNamespace(cancelled=True, analysed=0, skipped=0, spans=0, seconds=0.0,
                                   approvals_to_redo=0, approvals_kept=0)  # fmt: skip

        return run

    monkeypatch.setattr(actions, "analysis_job", endless)
    press(Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert desk.runner.active()
    desk.close()  # the job stops; its completion arrives after the store is closed
    for _ in range(5):
        qtbot.wait(20)  # let the queued completion be delivered: it must not touch the closed store
    assert not desk.runner.active()
