"""The message list keeps what it read (filter ID lists, formatted cells) only while it is current: a
label, span or review written by this window, a worker or another connection shows at the next look."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from scrubdesk.core.db.messages import ALL, MessageFilter
from scrubdesk.core.labels import add_label, set_label
from scrubdesk.gui.message_table_model import COLUMN_INDEX, MessageTableModel

pytestmark = pytest.mark.gui

UNLABELLED = MessageFilter(state="unlabelled")
LABELLED = MessageFilter(state="labelled")


@pytest.fixture
def store(project_1000):
    with project_1000.store() as store:
        add_label(project_1000, store, "billing")
        yield store


def shown(model: MessageTableModel) -> list[int]:
    return [model.message_id_at(r) for r in range(model.rowCount())]


def test_switching_filters_back_and_forth_reads_each_list_once(store, qapp):
    model = MessageTableModel(store)
    model.set_filter(UNLABELLED)
    first = shown(model)
    reads = model._id_lists.reads
    for _ in range(3):
        model.set_filter(ALL)
        assert model.rowCount() == 1000
        model.set_filter(UNLABELLED)
        assert shown(model) == first
    assert model._id_lists.reads == reads


def test_a_label_from_this_connection_shows_at_the_next_filter_change(project_1000, store, qapp):
    model = MessageTableModel(store)
    model.set_filter(UNLABELLED)
    before = shown(model)
    model.set_filter(ALL)
    set_label(project_1000, store, before[3], "billing")  # the window's own connection, no signal
    model.set_filter(UNLABELLED)
    assert shown(model) == before[:3] + before[4:]
    model.set_filter(LABELLED)
    assert before[3] in shown(model) and model.labelled_count == model.rowCount()


def test_a_label_from_another_connection_shows_at_the_next_filter_change(project_1000, store, qapp):
    model = MessageTableModel(store)
    model.set_filter(UNLABELLED)
    before = shown(model)
    model.set_filter(ALL)
    with project_1000.store() as other:  # a worker's or another process's connection
        set_label(project_1000, other, before[0], "billing")
        set_label(project_1000, other, before[-1], "billing")
    model.set_filter(UNLABELLED)
    assert shown(model) == before[1:-1]


def test_a_kept_list_is_not_changed_by_a_search(project_1000, store, qapp):
    model = MessageTableModel(store)
    model.set_filter(UNLABELLED)
    every = shown(model)
    model.set_search("x", every[:5])
    assert shown(model) == every[:5]
    model.set_search(None, None)
    assert shown(model) == every


def test_cells_follow_a_label_change_in_place(store, qapp):
    """Formatted cells are kept with the row: a label change redraws the label and dims the suggestion's
    columns, as the row itself changed."""
    model = MessageTableModel(store)
    model.set_filter(UNLABELLED)
    label = model.index(2, COLUMN_INDEX["label"])
    suggestion = model.index(2, COLUMN_INDEX["suggestion"])
    assert model.data(label) == "" and model.data(suggestion, Qt.ItemDataRole.ForegroundRole) is None
    model.update_label(model.message_id_at(2), None, "billing")
    assert model.data(label) == "billing"
    assert model.data(suggestion, Qt.ItemDataRole.ForegroundRole) is not None  # dimmed: labelled
    model.update_label(model.message_id_at(2), "billing", None)
    assert model.data(label) == "" and model.data(suggestion, Qt.ItemDataRole.ForegroundRole) is None


def test_a_filter_change_keeps_the_message_shown_or_moves_on(project_1000, store, runner, qtbot):
    """Filters reload the rows as a layout change: the message shown stays (not cleared and shown again:
    in raw view each showing is an audit entry) while listed, else the first row, else nothing."""
    from scrubdesk.gui.message_list import MessageListPanel

    model = MessageTableModel(store)
    panel = MessageListPanel(model, runner)
    qtbot.addWidget(panel)
    shown_ids: list[int | None] = []
    panel.view.message_selected.connect(shown_ids.append)
    row = next(r for r in range(model.rowCount()) if not model.data(model.index(r, COLUMN_INDEX["label"])))
    unlabelled = model.message_id_at(row)
    panel.view.select_row(row)
    panel.set_filter(UNLABELLED)
    assert shown_ids == [unlabelled] and panel.view.current_message_id() == unlabelled
    assert panel.view.selectionModel().isRowSelected(panel.view.current_row())
    set_label(project_1000, store, unlabelled, "billing")
    panel.set_filter(LABELLED)  # still listed, on another row
    assert shown_ids == [unlabelled] and panel.view.current_message_id() == unlabelled
    set_label(project_1000, store, unlabelled, None)
    panel.set_filter(LABELLED)  # unchanged filter: nothing happens
    panel.set_filter(MessageFilter(state="labelled", pii_type="PERSON"))  # nothing matches
    assert shown_ids[-1] is None and model.rowCount() == 0
    panel.set_filter(ALL)
    assert shown_ids[-1] == model.message_id_at(0) == panel.view.current_message_id()


def test_the_kept_lists_are_bounded_by_the_ids_they_hold(store, qapp):
    from scrubdesk.gui.message_id_cache import MessageIdCache

    cache = MessageIdCache(size=6, max_ids=1000)  # project_1000: unlabelled and labelled fit, no more
    cache.ids(store, "imported", False, UNLABELLED)
    cache.ids(store, "imported", False, LABELLED)
    assert cache.reads == 2
    cache.ids(store, "imported", True, UNLABELLED)  # over 1000 IDs: the oldest list goes
    cache.ids(store, "imported", False, LABELLED)
    assert cache.reads == 3
    cache.ids(store, "imported", False, UNLABELLED)
    assert cache.reads == 4


def test_the_filter_badges_are_counted_again_only_after_a_write(
    project_1000, store, runner, qtbot, monkeypatch
):
    """Counting the messages left for review by hand reads the message table: opening a project asked
    four times. The count is kept while nothing in the store changed."""
    from scrubdesk.core.db import messages
    from scrubdesk.gui.message_list import BY_HAND, MessageListPanel

    counts: list[int] = []
    real = messages.count_by_hand
    monkeypatch.setattr(messages, "count_by_hand", lambda conn: counts.append(1) or real(conn))
    panel = MessageListPanel(MessageTableModel(store), runner)
    qtbot.addWidget(panel)
    panel.fill_choices(store)
    panel.fill_choices(store, ["billing"])
    panel.update_badges(store)
    assert len(counts) == 1
    set_label(project_1000, store, MessageTableModel(store).message_id_at(0), "billing")  # any write
    panel.update_badges(store)
    assert len(counts) == 2
    assert panel.show_combo.itemText(panel.show_combo.findData(BY_HAND)).startswith("Review by hand")
