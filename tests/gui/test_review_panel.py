"""The reviewer's queue: approval and send-back from the panel, and roles that may not review."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from scrubdesk.core.db.reviews import approved_message_ids
from scrubdesk.core.db.spans import message_spans
from scrubdesk.core.errors import PermissionDeniedError
from scrubdesk.core.review import approve, review_state, submit_for_review
from tests.gui.conftest import open_project, show_raw
from tests.review_fixtures import add_message, as_role

pytestmark = pytest.mark.gui


@pytest.fixture
def submitted(project):
    """Three analysed messages an annotator submitted for review, oldest first."""
    with project.store() as store:
        ids = [add_message(store, f"k{i}") for i in range(3)]
        add_message(store, "not-submitted")
        for mid in ids:
            submit_for_review(project, store, mid)
    return ids


@pytest.fixture
def panel(qtbot, project):
    from scrubdesk.gui.review_panel import ReviewPanel

    store = project.store()
    panel = ReviewPanel()
    qtbot.addWidget(panel)
    panel.set_project(project, store)
    yield panel
    store.close()


def test_queue_lists_pending_messages_with_counts(panel, submitted):
    panel.refresh()
    assert [e.message_id for e in panel.entries()] == submitted
    assert panel.table.rowCount() == 3
    assert panel.table.item(0, 0).toolTip() == "k0"
    assert panel.table.item(0, 1).text() == "Refund for <PERSON>"  # the subject as scrubbed
    assert panel.table.item(0, 2).text() == "4"  # PII spans: 3 in the body, 1 in the subject
    assert panel.table.item(0, 3).text() == "4"  # none decided yet
    assert panel.table.item(0, 4).text() == "—"  # none kept in clear
    assert panel.summary.text() == "3 messages awaiting approval"
    assert not panel.approve_action.isEnabled()  # nothing selected yet


def test_reviewer_approves_from_the_panel_with_the_keyboard(qtbot, panel, project, submitted):
    panel.refresh()
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow)
    with qtbot.waitSignal(panel.message_requested) as shown:
        panel.table.selectRow(0)
    assert shown.args == [submitted[0]]
    panel.comment.setText("checked")
    # 4 suggestions are undecided: the first Ctrl+Return only says so and offers the counted step
    qtbot.keyClick(panel.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    with project.store() as store:
        assert review_state(store, submitted[0]).status == "pending"
    assert "4 suggestion(s)" in panel.notice.text() and panel.approve_button.text() == "Accept 4 && Approve"
    with qtbot.waitSignal(panel.decided) as decided:
        qtbot.keyClick(panel.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert decided.args == [submitted[0], "approved"]
    with project.store() as store:
        state = review_state(store, submitted[0])
        assert state.approved and state.comment == "checked" and state.role == "admin"
        assert approved_message_ids(store) == {submitted[0]}
    assert [e.message_id for e in panel.entries()] == submitted[1:]
    assert panel.selected_message_id() == submitted[1]  # the next one in line
    assert panel.comment.text() == ""


def test_send_back_needs_a_comment(qtbot, panel, project, submitted):
    panel.refresh()
    panel.select_message(submitted[1])
    assert not panel.send_back_selected()
    assert panel.notice.isVisibleTo(panel) and "comment" in panel.notice.text()
    panel.comment.setText("Leeds is a location")
    assert panel.send_back_selected()
    with project.store() as store:
        state = review_state(store, submitted[1])
    assert (state.status, state.comment) == ("sent_back", "Leeds is a location")
    assert submitted[1] not in [e.message_id for e in panel.entries()]


def test_annotator_gets_no_queue_and_the_core_refuses(qtbot, project, panel, submitted):
    with project.store() as store:
        as_role(store, "annotator")
        panel.set_project(project, store)
        assert not panel.allowed
        assert panel.entries() == [] and not panel.approve_action.isEnabled()
        # whatever the UI shows, the core refuses an annotator's approval
        with pytest.raises(PermissionDeniedError, match="reviewer"):
            approve(project, store, submitted[0])
        assert review_state(store, submitted[0]).status == "pending"


def test_main_window_offers_the_queue_to_reviewers_only(qtbot, main_window, project, submitted):
    assert open_project(qtbot, main_window, project.path)
    assert main_window.role_label.text() == "Role: admin · 3 awaiting approval"
    toggle = main_window.review_queue_action
    assert toggle.isVisible() and not main_window.review_dock.isVisibleTo(main_window)
    toggle.trigger()  # Review > Review Queue (Ctrl+Shift+Q)
    assert main_window.review_dock.isVisibleTo(main_window)
    panel = main_window.review_panel
    assert main_window.message_view.message.id == submitted[0]  # the queue opens on its oldest
    panel.table.selectRow(1)  # the message view follows the queue
    assert main_window.message_view.message.id == submitted[1]
    assert not panel.approve_selected()  # undecided suggestions: a second, counted step is needed
    assert panel.approve_selected()
    with project.store() as store:
        assert review_state(store, submitted[1]).approved
    assert main_window.message_view.message.id == submitted[2]  # the next one in line is shown
    assert "awaiting approval" in main_window.message_view.review_label.text()
    assert main_window.role_label.text() == "Role: admin · 2 awaiting approval"
    main_window.close_project()

    with project.store() as store:
        as_role(store, "annotator")
    assert open_project(qtbot, main_window, project.path)
    assert main_window.role_label.text() == "Role: annotator"
    assert not main_window.review_dock.isVisibleTo(main_window)
    assert not toggle.isVisible()
    assert not panel.approve_action.isVisible() and not panel.approve_action.isEnabled()
    # the annotator's own action: submitting a message for review
    assert main_window.message_view.submit_action.isVisible()


def test_keyboard_from_the_list_into_the_spans(qtbot, main_window, project, submitted):
    assert open_project(qtbot, main_window, project.path)
    main_window.show()
    qtbot.waitExposed(main_window)
    main_window.activateWindow()
    qtbot.waitUntil(main_window.isActiveWindow)
    main_window.list_view.setFocus()
    view = main_window.message_view
    show_raw(qtbot, view)
    qtbot.keyClick(main_window.list_view, Qt.Key.Key_F6)  # Review > Go to Spans
    assert view.current is not None and (view.current.field, view.current.start) == ("subject", 11)
    qtbot.keyClick(main_window.focusWidget(), Qt.Key.Key_N)  # reject the subject's span, move on
    with project.store() as store:
        subject = message_spans(store, view.message.id, "subject")
    assert [(r.label, r.status) for r in subject] == [("PERSON", "rejected")]
    assert (view.current.field, view.current.start) == ("body", 9)
    qtbot.keyClick(main_window.focusWidget(), Qt.Key.Key_Escape)  # back to the list
    assert main_window.list_view.hasFocus()
