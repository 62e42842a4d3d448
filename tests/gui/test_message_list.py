"""The message list model is virtualised: row IDs up front, row data fetched lazily in pages."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt

from scrubdesk.core import scrubbing
from scrubdesk.core.db import messages
from scrubdesk.core.db.messages import MessageFilter
from scrubdesk.core.db.reviews import decide
from scrubdesk.core.db.settings import put_json
from scrubdesk.core.db.spans import message_spans, record_analyses, set_status
from scrubdesk.core.db.trained_models import Prediction, store_predictions
from scrubdesk.gui.message_list import MessageListView
from scrubdesk.gui.message_table_model import COLUMN_INDEX, COLUMNS, MessageTableModel
from tests.builders import add_model, add_span
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
        "PII",
        "Subject",
        "Label",
        "Suggestion",
        "Conf.",
        "Review",
    ]
    assert counted_fetches == []


def test_rows_are_fetched_lazily_one_page_per_call(store, counted_fetches, qapp):
    model = MessageTableModel(store, page_size=200)
    assert cell(model, 0, "subject") == subject_of(0)
    assert counted_fetches == [200]
    for row in range(200):  # the rest of page 0 comes from the cache
        cell(model, row, "label")
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
    assert cell(model, 4, "label") == "complaint"
    assert cell(model, 2, "label") == ""
    # not analysed: no PII count, no review, no suggestion; the subject is flagged as shown unscrubbed
    assert (cell(model, 4, "pii"), cell(model, 4, "review"), cell(model, 4, "suggestion")) == ("", "", "")
    assert "not analysed" in cell(model, 4, "subject", Qt.ItemDataRole.ToolTipRole)


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
    view.horizontalHeader().setSortIndicator(COLUMN_INDEX["review"], Qt.SortOrder.DescendingOrder)
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


# --- scrubbed subjects, suggestions, review status, PII counts, filters, search --------------------------


def _ids_by_subject(store) -> dict[str, int]:
    """Subject -> the first message (by ID) with that subject."""
    found: dict[str, int] = {}
    for text in sorted(messages.texts(store, messages.all_ids(store)), key=lambda t: t.id):
        found.setdefault(text.subject, text.id)
    return found


def _id_of(store, i: int) -> int:
    return _ids_by_subject(store)[subject_of(i)]


@pytest.fixture
def annotated(store):
    """project_1000 with known analysis, spans, reviews and suggestions (see the asserts for the rules)."""
    by_subject = _ids_by_subject(store)
    ids = {i: by_subject[subject_of(i)] for i in range(1000)}
    with store.transaction() as conn:
        record_analyses(conn, [(ids[i], "fp") for i in range(500)], "now")
        spans = []
        for i in range(500):
            if i % 5 == 0:  # the number in the subject "Refund request 00040"
                spans.append((ids[i], "subject", 15, 20, "CUSTOMER_REF", "suggested"))
            if i % 7 == 0:
                spans.append((ids[i], "body", 0, 5, "PERSON", "accepted"))
            if i % 11 == 0:
                spans.append((ids[i], "body", 7, 11, "EMAIL_ADDRESS", "rejected"))
        for mid, field, start, end, label, status in spans:
            add_span(conn, mid, field, start, end, label, status=status, score=0.9, recognizer="r")
        for i in range(30):
            status, fingerprint = (
                ("pending", "fp") if i < 10 else ("approved", "fp") if i < 20 else
                ("approved", "old") if i < 25 else ("sent_back", "fp")
            )  # fmt: skip
            decide(
                conn, ids[i], status=status, fingerprint=fingerprint, reviewer="rev", role="reviewer",
                comment=None, at="now",
            )  # fmt: skip
        model_id = add_model(conn)
        predictions = []
        for i in range(100, 200):
            rank = (i - 100) / 100
            label = "billing" if i % 2 else "complaint"
            predictions.append(Prediction(ids[i], label, 0.5 + rank / 2, 1.0 - rank))
        store_predictions(conn, model_id, predictions, "now")
    return ids


def test_rows_show_scrubbed_subject_suggestion_review_and_pii(store, annotated, qapp):
    model = MessageTableModel(store)
    assert cell(model, 40, "subject") == "Refund request <CUSTOMER_REF>"
    assert cell(model, 41, "subject") == subject_of(41)
    assert cell(model, 0, "pii") == "2"  # subject + PERSON; the rejected EMAIL_ADDRESS is not PII
    assert cell(model, 77, "pii") == "1" and cell(model, 1, "pii") == "0"
    assert cell(model, 600, "pii") == ""  # not analysed
    reviews = [cell(model, i, "review") for i in (0, 10, 20, 25, 30, 600)]
    assert reviews == ["pending", "approved", "re-review", "sent back", "open", ""]
    assert (cell(model, 150, "suggestion"), cell(model, 150, "confidence")) == ("complaint", "75%")
    assert "uncertainty 0.50" in cell(model, 150, "confidence", Qt.ItemDataRole.ToolTipRole)
    assert (cell(model, 99, "suggestion"), cell(model, 99, "confidence")) == ("", "")
    # a labelled message's suggestion is dimmed; an unlabelled one's is not
    assert (
        cell(model, 150, "suggestion", Qt.ItemDataRole.ForegroundRole) is not None
    )  # 150 % 3 == 0: labelled
    assert cell(model, 152, "suggestion", Qt.ItemDataRole.ForegroundRole) is None


def test_filters(store, annotated, qapp):
    from scrubdesk.core.db.messages import MessageFilter

    model = MessageTableModel(store)
    assert (model.rowCount(), model.labelled_count, model.total_messages) == (1000, 667, 1000)
    model.set_filter(MessageFilter(state="unlabelled"))
    assert (model.rowCount(), model.labelled_count) == (333, 0)
    assert all(cell(model, r, "label") == "" for r in range(model.rowCount()))
    model.set_filter(MessageFilter(state="labelled"))
    assert (model.rowCount(), model.labelled_count) == (667, 667)
    model.set_filter(MessageFilter(label="billing"))
    assert model.rowCount() == 334 and {cell(model, r, "label") for r in range(334)} == {"billing"}
    model.set_filter(MessageFilter(state="needs_review"))  # pending, stale approvals, and sent back
    expected = {annotated[i] for i in [*range(10), *range(20, 30)]}
    assert {model.message_id_at(r) for r in range(model.rowCount())} == expected
    model.set_filter(MessageFilter(state="sent_back"))  # what the annotators must fix
    assert {model.message_id_at(r) for r in range(model.rowCount())} == {annotated[i] for i in range(25, 30)}
    model.set_filter(MessageFilter(pii_type="PERSON"))
    assert model.rowCount() == len(range(0, 500, 7))
    model.set_filter(MessageFilter(pii_type="EMAIL_ADDRESS"))  # only rejected spans of this type
    assert model.rowCount() == 0
    model.set_filter(MessageFilter(state="unlabelled", pii_type="CUSTOMER_REF"))
    assert model.rowCount() == len([i for i in range(0, 500, 5) if i % 3 == 2])
    assert model.filter_description() == "unlabelled, has CUSTOMER_REF"


def test_sort_by_uncertainty_puts_least_certain_first_and_no_suggestion_last(store, annotated, qtbot):
    model = MessageTableModel(store)
    view = MessageListView(model)
    qtbot.addWidget(view)
    view.sort_by_uncertainty()
    assert [model.message_id_at(r) for r in range(100)] == [annotated[i] for i in range(100, 200)]
    assert model.message_id_at(100) == annotated[0]  # then the rest, in import order
    view.sortByColumn(COLUMN_INDEX["confidence"], Qt.SortOrder.DescendingOrder)  # most certain first
    assert [model.message_id_at(r) for r in range(3)] == [annotated[i] for i in (199, 198, 197)]
    assert model.message_id_at(100) == annotated[0]  # no suggestion: still last


def test_label_update_changes_the_row_in_place(store, annotated, qapp):
    from scrubdesk.core.db.messages import MessageFilter

    model = MessageTableModel(store)
    model.set_filter(MessageFilter(state="unlabelled"))
    resets, changes = [], []
    model.modelReset.connect(lambda: resets.append(1))
    model.dataChanged.connect(lambda a, b, roles=(): changes.append((a.row(), b.row())))
    cell(model, 5, "label")
    fetches = model.fetch_count
    mid = model.message_id_at(5)
    model.update_label(mid, None, "billing")
    assert cell(model, 5, "label") == "billing" and model.message_id_at(5) == mid  # stays where it was
    assert (model.rowCount(), model.labelled_count) == (333, 1)
    assert changes == [(5, 5)] and resets == [] and model.fetch_count == fetches
    model.update_label(mid, "billing", None)
    assert model.labelled_count == 0 and cell(model, 5, "label") == ""


def test_refresh_messages_rereads_spans_and_review(store, annotated, qapp):
    model = MessageTableModel(store)
    assert cell(model, 40, "subject") == "Refund request <CUSTOMER_REF>"
    with store.transaction() as conn:
        for span in message_spans(conn, annotated[40]):
            set_status(conn, span.id, "rejected", span.label)
        # the annotated fixture's pending review of message 5, now approved for the same analysis
        decide(
            conn, annotated[5], status="approved", fingerprint="fp", reviewer="rev", role="reviewer",
            comment=None, at="now",
        )  # fmt: skip
    assert cell(model, 40, "subject") == "Refund request <CUSTOMER_REF>"  # cached until told
    model.refresh_messages([annotated[40], annotated[5]])
    assert cell(model, 40, "subject") == subject_of(40)
    assert cell(model, 40, "pii") == "0"
    assert cell(model, 5, "review") == "approved"


def test_subject_uses_the_project_redaction_policy(project_1000, qapp):

    from scrubdesk.core.redaction import SETTING_KEY
    from scrubdesk.core.scrubbing import project_redactor

    with project_1000.store() as store:
        mid = _id_of(store, 3)
        with store.transaction() as conn:
            add_span(conn, mid, "subject", 0, 6, "PERSON", status="added", recognizer="r")
            put_json(conn, SETTING_KEY, {"default": "mask"})
        model = MessageTableModel(store)
        model.set_store(store, project_redactor(project_1000, store))
        assert cell(model, 3, "subject") == "****** request 00003"


def test_search_in_scrubbed_text_runs_in_a_worker_and_filters_the_list(
    store, annotated, project_1000, qtbot, runner
):
    from scrubdesk.gui.message_list import MessageListPanel

    model = MessageTableModel(store)
    panel = MessageListPanel(model, runner)
    qtbot.addWidget(panel)
    panel.set_project(project_1000, store)
    panel.search_edit.setText("number 7.")
    with qtbot.waitSignal(panel.search_finished, timeout=30_000) as done:
        panel.search_edit.returnPressed.emit()
    assert done.args == [1]
    assert [model.message_id_at(r) for r in range(model.rowCount())] == [annotated[7]]
    assert panel.view.current_message_id() == annotated[7]
    assert model.filter_description() == "search"

    # redacted text is not found; its placeholder is. Case does not matter.
    with qtbot.waitSignal(panel.search_finished, timeout=30_000):
        task = panel.start_search("REFUND REQUEST 0004")
    assert task is not None
    assert {model.message_id_at(r) for r in range(model.rowCount())} == {
        annotated[i] for i in range(41, 50) if i != 45
    }
    with qtbot.waitSignal(panel.search_finished, timeout=30_000):
        panel.start_search("<customer_ref>")
    assert model.rowCount() == 100
    # the search combines with the filters
    panel.set_filter(MessageFilter(state="unlabelled"))
    assert model.rowCount() == len([i for i in range(0, 500, 5) if i % 3 == 2])
    assert model.filter_description() == "unlabelled, search"
    panel.search_edit.clear()  # clearing the field clears the search
    assert model.rowCount() == 333 and model.search_query is None


def test_a_running_search_can_be_cancelled(store, project_1000, qtbot, runner, monkeypatch):
    import threading

    from scrubdesk.gui.message_list import MessageListPanel

    release = threading.Event()
    real = scrubbing.search_scrubbed

    def slow(store, redactor, query, control=None, ids=None):
        release.wait(10)
        return real(store, redactor, query, control, ids)

    monkeypatch.setattr(scrubbing, "search_scrubbed", slow)
    model = MessageTableModel(store)
    panel = MessageListPanel(model, runner)
    qtbot.addWidget(panel)
    panel.set_project(project_1000, store)
    task = panel.start_search("request")
    assert task is not None and task.running and panel.cancel_search_button.isVisibleTo(panel)
    panel.cancel_search_button.click()
    release.set()
    qtbot.waitUntil(lambda: not task.running, timeout=10_000)
    assert task.cancel_requested
    assert model.rowCount() == 1000 and model.search_query is None  # the list is as it was
    assert panel.search_status.text() == "Search cancelled"


def test_filter_bar_choices_come_from_the_project(store, annotated, project_1000, qtbot, runner):
    from scrubdesk.gui.message_list import MessageListPanel

    model = MessageTableModel(store)
    panel = MessageListPanel(model, runner)
    qtbot.addWidget(panel)
    panel.set_project(project_1000, store)
    panel.fill_choices(store, ["billing", "complaint"])
    shows = [panel.show_combo.itemText(i) for i in range(panel.show_combo.count())]
    assert shows == [
        "All messages",
        "Unlabelled",
        "Labelled",
        "Needs review",
        "Sent back (5)",  # with its badge: five of the annotated messages were sent back
        "Review by hand",  # no badge: every analysed message here is readable and in English
        "",
        "Label: billing",
        "Label: complaint",
    ]
    pii = [panel.pii_combo.itemText(i) for i in range(panel.pii_combo.count())]
    assert pii == ["Any PII", "Has CUSTOMER_REF", "Has PERSON"]  # rejected-only types are not offered
    panel.show_combo.setCurrentIndex(shows.index("Label: complaint"))
    panel.show_combo.activated.emit(panel.show_combo.currentIndex())
    panel.pii_combo.setCurrentIndex(2)
    panel.pii_combo.activated.emit(2)
    assert model.message_filter == MessageFilter(label="complaint", pii_type="PERSON")
    assert model.rowCount() == len([i for i in range(0, 500, 7) if i % 3 == 1])
    panel.set_filter(MessageFilter(state="needs_review", pii_type="CUSTOMER_REF"))  # the bar shows it
    assert (panel.show_combo.currentText(), panel.pii_combo.currentText()) == (
        "Needs review",
        "Has CUSTOMER_REF",
    )
    panel.set_filter(MessageFilter(label="billing"))
    assert (panel.show_combo.currentText(), panel.pii_combo.currentText()) == ("Label: billing", "Any PII")
