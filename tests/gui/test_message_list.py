"""The message list model is virtualised: row IDs up front, row data fetched lazily in pages."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt

from scrubdesk.core import messages
from scrubdesk.gui.message_list import COLUMN_INDEX, COLUMNS, MessageListView, MessageTableModel
from tests.gui.fakes import subject_of

pytestmark = pytest.mark.gui

DISPLAY = Qt.ItemDataRole.DisplayRole


@pytest.fixture
def store(project_1000):
    with project_1000.store() as store:
        yield store


@pytest.fixture
def counted_fetches(monkeypatch):
    calls: list[int] = []
    real = messages.rows_by_ids

    def counting(store, ids):
        calls.append(len(ids))
        return real(store, ids)

    monkeypatch.setattr(messages, "rows_by_ids", counting)
    return calls


def cell(model: MessageTableModel, row: int, key: str, role=DISPLAY):
    return model.data(model.index(row, COLUMN_INDEX[key]), role)


def test_row_count_is_known_without_fetching_rows(store, counted_fetches, qapp):
    model = MessageTableModel(store, page_size=200)
    assert model.rowCount() == 1000
    assert model.columnCount() == len(COLUMNS)
    assert [model.headerData(i, Qt.Orientation.Horizontal) for i in range(len(COLUMNS))] == [
        "ID",
        "Date",
        "From",
        "Subject",
        "Label",
        "Att.",
    ]
    assert counted_fetches == []


def test_rows_are_fetched_lazily_one_page_per_call(store, counted_fetches, qapp):
    model = MessageTableModel(store, page_size=200)
    assert cell(model, 0, "subject") == subject_of(0)
    assert counted_fetches == [200]
    for row in range(200):  # the rest of page 0 comes from the cache
        cell(model, row, "from")
    assert counted_fetches == [200]
    assert cell(model, 999, "subject") == subject_of(999)
    assert counted_fetches == [200, 200]
    assert model.fetch_count == 2


def test_page_cache_is_bounded_lru(store, counted_fetches, qapp):
    model = MessageTableModel(store, page_size=100, max_pages=2)
    for row in (0, 150, 0, 250, 150, 0):  # pages 0, 1, 0(hit), 2 (evicts 1), 1 (evicts 0), 0
        cell(model, row, "subject")
    assert len(counted_fetches) == 5


def test_cells_show_the_row(store, qapp):
    model = MessageTableModel(store)
    row = messages.rows_by_ids(store, [model.message_id_at(4)])[model.message_id_at(4)]
    assert cell(model, 4, "id") == row.msg_key[:10]
    assert cell(model, 4, "id", Qt.ItemDataRole.ToolTipRole) == row.msg_key
    assert cell(model, 4, "date") == "2024-05-05 04:04"
    assert cell(model, 4, "from") == "customer4@example.com"
    assert cell(model, 4, "label") == "complaint"
    assert cell(model, 4, "attachments") == "1"
    assert cell(model, 3, "attachments") == ""  # no attachments: blank, not "0"
    assert cell(model, 2, "label") == ""


def test_view_on_a_large_model_fetches_only_visible_pages(store, counted_fetches, qtbot):
    model = MessageTableModel(store, page_size=200)
    view = MessageListView(model)
    qtbot.addWidget(view)
    view.resize(900, 500)
    with qtbot.waitExposed(view):
        view.show()
    qtbot.wait(50)
    assert 1 <= len(counted_fetches) <= 2
    view.scrollToBottom()
    qtbot.wait(50)
    assert len(counted_fetches) <= 4  # the last page, not the thousand rows in between
    assert view.verticalHeader().sectionResizeMode(0).name == "Fixed"


def test_sort_by_subject_descending_uses_core_sort_and_keeps_selection(store, qtbot):
    model = MessageTableModel(store)
    view = MessageListView(model)
    qtbot.addWidget(view)
    view.select_row(10)
    selected = view.current_message_id()
    view.sortByColumn(COLUMN_INDEX["subject"], Qt.SortOrder.DescendingOrder)
    assert cell(model, 0, "subject") == subject_of(999)
    assert model.sort_state == (COLUMN_INDEX["subject"], Qt.SortOrder.DescendingOrder)
    assert view.current_message_id() == selected  # the same message, now at another row
    assert view.currentIndex().row() == 989


def test_unsortable_column_leaves_order_and_indicator_alone(store, qtbot):
    model = MessageTableModel(store)
    view = MessageListView(model)
    qtbot.addWidget(view)
    view.sortByColumn(COLUMN_INDEX["label"], Qt.SortOrder.AscendingOrder)
    before = [model.message_id_at(r) for r in range(20)]
    view.horizontalHeader().setSortIndicator(COLUMN_INDEX["from"], Qt.SortOrder.DescendingOrder)
    assert [model.message_id_at(r) for r in range(20)] == before
    header = view.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == model.sort_state


def test_refresh_and_no_store(store, qapp):
    model = MessageTableModel(store)
    assert model.rowCount() == 1000
    model.set_store(None)
    assert model.rowCount() == 0
    assert model.data(model.index(0, 0)) is None
    assert model.rowCount(model.index(0, 0)) == 0 or not model.index(0, 0).isValid()
    assert model.rowCount(QModelIndex()) == 0
