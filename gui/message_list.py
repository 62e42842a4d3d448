"""The message list: a table model virtualised over the project store, its view, and the filter bar.

The model holds only the ordered list of row IDs (``message_ids``: ~1 MB for 100k messages). Row data is
fetched lazily, one page of ``page_size`` rows per ``rows_by_ids`` call, and kept in a small LRU cache, so
a project of any size opens at once and scrolling touches only the pages on screen. The subject is shown
scrubbed (the project's redaction of every span nobody rejected), computed when a row is first painted
and cached.

Filters (unlabelled, labelled, needs review, a label, a PII type) run in SQL when the IDs load; a search
in the scrubbed text scans every message, so it runs in a worker of the task runner (with progress and
cancel) and its hits then filter the list. A label change updates its row in place (no reload), so the
rows do not jump while someone labels through a filtered list.

The store passed in is a connection owned by the UI thread; the model never writes.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFontDatabase, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from scrubdesk.core import scrubbing
from scrubdesk.core.db import messages
from scrubdesk.core.db.messages import ALL, MessageFilter, MessageRow
from scrubdesk.core.labels import list_labels
from scrubdesk.core.project import Project
from scrubdesk.core.redaction import Keyer, RedactionPolicy, Redactor
from scrubdesk.core.redaction_policy import redaction_policy
from scrubdesk.core.scrubbing import project_redactor
from scrubdesk.core.store import Store
from scrubdesk.gui.tasks import Task, TaskRunner

log = logging.getLogger(__name__)

ModelIndex = QModelIndex | QPersistentModelIndex

ID_CHARS = 10
MESSAGE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SCRUBBED_CACHE = 4096  # scrubbed subjects kept (a few screens' worth, many times over)


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    sort_key: str | None  # a key of scrubdesk.core.db.messages.SORT_COLUMNS, or None if not sortable
    width: int
    tooltip: str


COLUMNS: tuple[Column, ...] = (
    Column("id", "ID", None, 92, "Keyed message ID (first characters); the only ID that ever leaves"),
    Column("date", "Date", "sent_at", 118, "Sent (UTC)"),
    Column("pii", "PII", None, 36, "PII spans found and not rejected"),
    Column("subject", "Subject", "subject", 260, "Subject, scrubbed: detected PII replaced"),
    Column("label", "Label", "label", 120, "Triage label"),
    Column("suggestion", "Suggestion", None, 120, "The label the model suggests"),
    Column(
        "confidence",
        "Conf.",
        "uncertainty",
        50,
        "The model's confidence in its suggestion. Sorts by its uncertainty (how close its two likeliest "
        "labels are): ascending puts the least certain first",
    ),
    Column("review", "Review", None, 72, "Redaction review: pending, approved, sent back or re-review"),
)
COLUMN_INDEX = {c.key: i for i, c in enumerate(COLUMNS)}
DEFAULT_SORT = "imported"
REVIEW_TEXT = {
    "not_analysed": "",
    "unreviewed": "open",
    "pending": "pending",
    "approved": "approved",
    "stale": "re-review",
    "sent_back": "sent back",
}
REVIEW_TIP = {
    "not_analysed": "Not analysed yet",
    "unreviewed": "Analysed; not submitted for review yet",
    "pending": "Submitted: awaits a reviewer's approval",
    "approved": "The redaction is approved: it may train a model",
    "stale": "Approved for an earlier analysis: needs approval again",
    "sent_back": "Sent back by a reviewer: fix the spans and submit again",
}


def format_date(sent_at: str | None) -> str:
    """ISO 8601 UTC from the store → 'YYYY-MM-DD HH:MM' for the list."""
    if not sent_at:
        return ""
    return sent_at[:16].replace("T", " ")


def format_confidence(row: MessageRow) -> str:
    return f"{row.confidence:.0%}" if row.suggestion is not None and row.confidence is not None else ""


def default_redactor(store: Store | None) -> Redactor:
    """Without a project (and its key), a redactor under a throw-away key: placeholders look the same;
    keyed tokens and surrogates only match within this run."""
    policy = redaction_policy(store) if store is not None else RedactionPolicy()
    return Redactor(policy, Keyer(secrets.token_bytes(32)))


class MessageTableModel(QAbstractTableModel):
    """Rows are messages in the current sort order and filter; columns are :data:`COLUMNS`."""

    counts_changed = Signal()  # rows or labelled rows changed: progress counters follow

    def __init__(
        self,
        store: Store | None = None,
        *,
        page_size: int = 200,
        max_pages: int = 32,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.page_size = page_size
        self.max_pages = max_pages
        self._store: Store | None = None
        self._redactor: Redactor = default_redactor(None)
        self._ids: list[int] = []
        self._pages: OrderedDict[int, list[MessageRow | None]] = OrderedDict()
        self._scrubbed: OrderedDict[int, str] = OrderedDict()
        self._sort_column = -1  # -1: import order
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._filter: MessageFilter = ALL
        self._search: str | None = None
        self._hits: frozenset[int] | None = None
        self._total = 0
        self.labelled_count = 0  # labelled messages among the rows shown
        self.fetch_count = 0  # rows_by_ids calls so far: for diagnostics and tests
        if store is not None:
            self.set_store(store)

    # data source ------------------------------------------------------------------------------------
    def set_store(self, store: Store | None, redactor: Redactor | None = None) -> None:
        """Show the messages of ``store`` (None: show nothing, e.g. when the project closes). Filters and
        search are reset. ``redactor`` scrubs subjects (default: the store's policy, a throw-away key)."""
        self.beginResetModel()
        self._store = store
        self._redactor = redactor or default_redactor(store)
        self._filter, self._search, self._hits = ALL, None, None
        self._load_ids()
        self.endResetModel()
        self.counts_changed.emit()

    def refresh(self) -> None:
        """Reload the row IDs and drop cached rows, e.g. after an import (filter and search are kept)."""
        self.beginResetModel()
        self._load_ids()
        self.endResetModel()
        self.counts_changed.emit()

    def set_filter(self, where: MessageFilter) -> None:
        if where == self._filter:
            return
        self._filter = where
        self.refresh()

    def set_search(self, query: str | None, hits: Iterable[int] | None) -> None:
        """Show only ``hits`` (the result of a search for ``query``); None clears the search."""
        self._search = query if hits is not None else None
        self._hits = frozenset(hits) if hits is not None else None
        self.refresh()

    @property
    def message_filter(self) -> MessageFilter:
        return self._filter

    @property
    def search_query(self) -> str | None:
        return self._search

    @property
    def total_messages(self) -> int:
        """Messages in the project, whatever the filter."""
        return self._total

    def filter_description(self) -> str:
        text = self._filter.describe()
        if self._search is not None:
            text = "search" if text == "all" else f"{text}, search"
        return text

    def _sort_spec(self) -> tuple[str, bool]:
        key = COLUMNS[self._sort_column].sort_key if self._sort_column >= 0 else None
        return key or DEFAULT_SORT, self._sort_order == Qt.SortOrder.DescendingOrder

    def _load_ids(self) -> None:
        self._pages.clear()
        self._scrubbed.clear()
        if self._store is None:
            self._ids, self._total, self.labelled_count = [], 0, 0
            return
        sort, descending = self._sort_spec()
        ids = messages.message_ids(self._store, sort, descending, self._filter)
        if self._hits is not None:
            ids = [i for i in ids if i in self._hits]
        self._ids = ids
        self._total = messages.count_messages(self._store)
        if self._filter.state == "unlabelled" and self._hits is None:
            self.labelled_count = 0
        elif self._filter.state == "labelled" or self._filter.label is not None:
            self.labelled_count = len(ids)
        else:
            labelled = messages.labelled_ids(self._store)
            self.labelled_count = sum(1 for i in ids if i in labelled)

    def _row(self, row: int) -> MessageRow | None:
        page_no, offset = divmod(row, self.page_size)
        page = self._pages.get(page_no)
        if page is None:
            page = self._fetch_page(page_no)
        else:
            self._pages.move_to_end(page_no)
        return page[offset] if offset < len(page) else None

    def _fetch_page(self, page_no: int) -> list[MessageRow | None]:
        ids = self._ids[page_no * self.page_size : (page_no + 1) * self.page_size]
        found = messages.rows_by_ids(self._store, ids) if self._store is not None else {}
        self.fetch_count += 1
        page = [found.get(i) for i in ids]  # a row deleted since the IDs were loaded shows empty
        self._pages[page_no] = page
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        return page

    def _scrubbed_subject(self, row: MessageRow) -> str:
        text = self._scrubbed.get(row.id)
        if text is None:
            text = scrubbing.scrubbed_subject(self._redactor, row)
            self._scrubbed[row.id] = text
            if len(self._scrubbed) > SCRUBBED_CACHE:
                self._scrubbed.popitem(last=False)
        else:
            self._scrubbed.move_to_end(row.id)
        return text

    # lookups used by views ---------------------------------------------------------------------------
    def message_id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_data(self, row: int) -> MessageRow | None:
        """The list row at ``row`` (fetched if needed), or None."""
        return self._row(row) if 0 <= row < len(self._ids) else None

    def row_of(self, message_id: int) -> int | None:
        try:
            return self._ids.index(message_id)  # O(n) on 100k ints is ~1 ms: fine for one lookup
        except ValueError:
            return None

    def is_sortable(self, column: int) -> bool:
        return column == -1 or (0 <= column < len(COLUMNS) and COLUMNS[column].sort_key is not None)

    @property
    def sort_state(self) -> tuple[int, Qt.SortOrder]:
        return self._sort_column, self._sort_order

    # updates without a reload ------------------------------------------------------------------------
    def _cached(self, message_id: int, row: int | None = None) -> tuple[int, int, int] | None:
        """(row, page, offset) of a message whose row is cached, else None."""
        row = self.row_of(message_id) if row is None else row
        if row is None or self.message_id_at(row) != message_id:
            return None
        page_no, offset = divmod(row, self.page_size)
        page = self._pages.get(page_no)
        return (row, page_no, offset) if page is not None and offset < len(page) else None

    def _row_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def update_label(self, message_id: int, previous: str | None, label: str | None) -> None:
        """A message's label changed (by us): update its row and the labelled count in place."""
        row = self.row_of(message_id)
        if row is None:
            return
        self.labelled_count += bool(label) - bool(previous)
        found = self._cached(message_id, row)
        if found is not None:
            _row, page_no, offset = found
            cached = self._pages[page_no][offset]
            if cached is not None:
                self._pages[page_no][offset] = dataclasses.replace(cached, label=label)
        self._row_changed(row)
        self.counts_changed.emit()

    def refresh_messages(self, message_ids: Iterable[int]) -> None:
        """Re-read these messages' rows (e.g. after their spans or review changed)."""
        for message_id in message_ids:
            self._scrubbed.pop(message_id, None)
            found = self._cached(message_id)
            if found is None or self._store is None:
                continue
            row, page_no, offset = found
            fresh = messages.rows_by_ids(self._store, [message_id]).get(message_id)
            self._pages[page_no][offset] = fresh
            self._row_changed(row)

    # QAbstractTableModel ----------------------------------------------------------------------------
    def rowCount(self, parent: ModelIndex | None = None) -> int:
        if parent is not None and parent.isValid():
            return 0
        return len(self._ids)

    def columnCount(self, parent: ModelIndex | None = None) -> int:
        if parent is not None and parent.isValid():
            return 0
        return len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[section].tooltip
        return None

    def data(self, index: ModelIndex, role: int = 0) -> Any:
        if not index.isValid() or index.row() >= len(self._ids):
            return None
        if role == MESSAGE_ID_ROLE:
            return self._ids[index.row()]
        key = COLUMNS[index.column()].key
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("pii", "confidence"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and key == "id":
            return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.ForegroundRole,
        ):
            return None
        row = self._row(index.row())
        if row is None:
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(row, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, key)
        return self._display(row, key)

    def _display(self, row: MessageRow, key: str) -> str:
        if key == "id":
            return row.msg_key[:ID_CHARS]
        if key == "date":
            return format_date(row.sent_at)
        if key == "subject":
            return self._scrubbed_subject(row)
        if key == "label":
            return row.label or ""
        if key == "suggestion":
            return row.suggestion or ""
        if key == "confidence":
            return format_confidence(row)
        if key == "review":
            return REVIEW_TEXT[row.review]
        if key == "pii":
            return str(row.pii_count) if row.analysed else ""
        raise KeyError(key)

    def _tooltip(self, row: MessageRow, key: str) -> str | None:
        if key == "id":
            return row.msg_key
        if key == "subject" and not row.analysed:
            return f"{self._display(row, key)}\n(not analysed yet: shown as imported)"
        if key in ("suggestion", "confidence") and row.suggestion is not None:
            confidence = f"{row.confidence:.0%}" if row.confidence is not None else "?"
            uncertainty = f"{row.uncertainty:.2f}" if row.uncertainty is not None else "?"
            return f"The model suggests {row.suggestion} ({confidence} confident; uncertainty {uncertainty})"
        if key == "review":
            return REVIEW_TIP[row.review]
        return self._display(row, key) or None

    def _foreground(self, row: MessageRow, key: str) -> Any:
        dim = (key == "subject" and not row.analysed) or (
            key in ("suggestion", "confidence") and bool(row.label)
        )
        if not dim:
            return None
        return QApplication.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.PlaceholderText)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a core sort key; columns without one are ignored (the view restores the indicator)."""
        if not self.is_sortable(column):
            return
        if (column, order) == (self._sort_column, self._sort_order):
            return
        self.layoutAboutToBeChanged.emit()
        old_ids = self._ids
        persistent = self.persistentIndexList()
        self._sort_column, self._sort_order = column, order
        self._load_ids()
        row_of = {mid: row for row, mid in enumerate(self._ids)} if persistent else {}
        for old in persistent:
            row = row_of.get(old_ids[old.row()]) if old.row() < len(old_ids) else None
            new = self.index(row, old.column()) if row is not None else QModelIndex()
            self.changePersistentIndex(old, new)
        self.layoutChanged.emit()


class MessageListView(QTableView):
    """A table of messages with fixed row heights (no per-row measuring over 100k rows)."""

    message_selected = Signal(object)  # message row ID, or None when the selection is empty

    def __init__(self, model: MessageTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = self.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        for i, column in enumerate(COLUMNS):
            header.resizeSection(i, column.width)
        header.setSectionResizeMode(COLUMN_INDEX["subject"], QHeaderView.ResizeMode.Stretch)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # import order, no column marked
        self.setSortingEnabled(True)
        header.sortIndicatorChanged.connect(self._keep_sort_indicator_honest)
        self.selectionModel().currentRowChanged.connect(self._current_row_changed)
        model.modelReset.connect(self._after_reset)

    def message_model(self) -> MessageTableModel:
        model = self.model()
        assert isinstance(model, MessageTableModel)
        return model

    def _keep_sort_indicator_honest(self, column: int, order: Qt.SortOrder) -> None:
        model = self.message_model()
        if not model.is_sortable(column):
            header = self.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(*model.sort_state)
            header.blockSignals(False)

    def _current_row_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        self.message_selected.emit(
            self.message_model().message_id_at(current.row()) if current.isValid() else None
        )

    def _after_reset(self) -> None:
        self.message_selected.emit(None)

    def current_message_id(self) -> int | None:
        index = self.currentIndex()
        return self.message_model().message_id_at(index.row()) if index.isValid() else None

    def current_row(self) -> int | None:
        index = self.currentIndex()
        return index.row() if index.isValid() else None

    def select_row(self, row: int) -> None:
        index = self.model().index(row, 0)
        if not index.isValid():
            return
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.selectionModel().setCurrentIndex(index, flags)
        self.scrollTo(index)

    def select_message(self, message_id: int) -> bool:
        row = self.message_model().row_of(message_id)
        if row is None:
            return False
        self.select_row(row)
        return True

    def move(self, delta: int) -> bool:
        """Select the row ``delta`` rows away (clamped); False when there is nowhere to go."""
        count = self.model().rowCount()
        if not count:
            return False
        current = self.current_row()
        row = 0 if current is None else max(0, min(count - 1, current + delta))
        if row == current:
            return False
        self.select_row(row)
        return True

    def sort_by_uncertainty(self) -> None:
        """Least certain suggestions first: what to label next (active learning)."""
        self.sortByColumn(COLUMN_INDEX["confidence"], Qt.SortOrder.AscendingOrder)


# --- filters and search --------------------------------------------------------------------------------

SHOW_CHOICES = (
    ("All messages", "all"),
    ("Unlabelled", "unlabelled"),
    ("Labelled", "labelled"),
    ("Needs review", "needs_review"),
)
ANY_PII = "Any PII"


class MessageListPanel(QWidget):
    """The filter bar (show, PII type, search in scrubbed text, least certain first) over the list.

    A search runs in a worker of ``runner`` with its own store connection; a new search (or clearing the
    field) cancels one that is still running."""

    filter_changed = Signal()  # the rows shown changed because of a filter or search
    search_finished = Signal(object)  # number of hits, or None when cancelled / failed

    def __init__(self, model: MessageTableModel, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.runner = runner
        self.project: Project | None = None
        self.search_task: Task | None = None
        self.view = MessageListView(model, self)

        self.show_combo = QComboBox(self)
        self.show_combo.setObjectName("showFilter")
        self.show_combo.setToolTip("Which messages the list shows")
        self.pii_combo = QComboBox(self)
        self.pii_combo.setObjectName("piiFilter")
        self.pii_combo.setToolTip("Only messages with PII of this type (spans nobody rejected)")
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("searchEdit")
        self.search_edit.setPlaceholderText("Search scrubbed text…  (Enter)")
        self.search_edit.setToolTip(
            "Find messages whose scrubbed subject or body contains this text (or whose ID starts with it). "
            "Redacted values are not searchable; <PERSON> finds where a name was redacted."
        )
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(120)
        self.search_status = QLabel(self)
        self.search_status.setObjectName("searchStatus")
        self.cancel_search_button = QToolButton(self)
        self.cancel_search_button.setText("Cancel")
        self.cancel_search_button.setToolTip("Stop the search")
        self.cancel_search_button.hide()
        self.uncertain_button = QToolButton(self)
        self.uncertain_button.setObjectName("uncertainFirst")
        self.uncertain_button.setText("Least certain first")
        self.uncertain_button.setToolTip("Sort by the model's uncertainty: what to label next")

        for combo in (self.show_combo, self.pii_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(7)
            combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        search_row = QHBoxLayout()
        search_row.setSpacing(6)
        search_row.addWidget(self.search_edit, 1)
        search_row.addWidget(self.search_status)
        search_row.addWidget(self.cancel_search_button)
        search_row.addWidget(self.uncertain_button)
        filter_row = QHBoxLayout()
        filter_row.setSpacing(6)
        filter_row.addWidget(self.show_combo, 1)
        filter_row.addWidget(self.pii_combo, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(search_row)
        layout.addLayout(filter_row)
        layout.addWidget(self.view, 1)

        self.show_combo.activated.connect(self._filter_chosen)
        self.pii_combo.activated.connect(self._filter_chosen)
        self.search_edit.returnPressed.connect(lambda: self.start_search(self.search_edit.text()))
        self.search_edit.textChanged.connect(self._search_text_changed)
        self.cancel_search_button.clicked.connect(self.cancel_search)
        self.uncertain_button.clicked.connect(self._sort_by_uncertainty)
        self.set_project(None, None)

    # project ----------------------------------------------------------------------------------------
    def set_project(self, project: Project | None, store: Store | None) -> None:
        """Reset filters and search for a newly opened project (or none)."""
        self.cancel_search()
        self.project = project
        self.search_edit.blockSignals(True)
        self.search_edit.clear()
        self.search_edit.blockSignals(False)
        self.search_status.clear()
        self.fill_choices(store)
        for widget in (self.show_combo, self.pii_combo, self.search_edit, self.uncertain_button):
            widget.setEnabled(project is not None)

    def fill_choices(self, store: Store | None, label_set: list[str] | None = None) -> None:
        """(Re)fill the filter menus from the project: its labels and the PII types found."""

        current = self.model.message_filter
        labels = label_set if label_set is not None else (list_labels(store) if store is not None else [])
        self.show_combo.clear()
        for text, state in SHOW_CHOICES:
            self.show_combo.addItem(text, f"state:{state}")
        if labels:
            self.show_combo.insertSeparator(self.show_combo.count())
            for label in labels:
                self.show_combo.addItem(f"Label: {label}", f"label:{label}")
        self.pii_combo.clear()
        self.pii_combo.addItem(ANY_PII, None)
        for kind in messages.pii_types(store) if store is not None else []:
            self.pii_combo.addItem(f"Has {kind}", kind)
        self._show_filter(current)

    def _show_filter(self, where: MessageFilter) -> None:
        key = f"label:{where.label}" if where.label is not None else f"state:{where.state}"
        show = self.show_combo.findData(key)
        self.show_combo.setCurrentIndex(max(show, 0))
        pii = self.pii_combo.findData(where.pii_type) if where.pii_type is not None else 0
        self.pii_combo.setCurrentIndex(max(pii, 0))

    # filters ----------------------------------------------------------------------------------------
    def current_filter(self) -> MessageFilter:
        kind, _, value = (self.show_combo.currentData() or "state:all").partition(":")
        if kind == "label":
            return MessageFilter(label=value, pii_type=self.pii_combo.currentData())
        return MessageFilter(state=value, pii_type=self.pii_combo.currentData())

    def set_filter(self, where: MessageFilter) -> None:
        """Show only messages matching ``where`` (with the search, if any); select the first row."""
        self._show_filter(where)
        self._apply(where)

    def _filter_chosen(self, _index: int = 0) -> None:
        self._apply(self.current_filter())
        self.view.setFocus()  # back to the list: the labelling keys work again

    def _apply(self, where: MessageFilter) -> None:
        current = self.view.current_message_id()
        self.model.set_filter(where)
        self._reselect(current)

    def _reselect(self, message_id: int | None) -> None:
        if (message_id is None or not self.view.select_message(message_id)) and self.model.rowCount():
            self.view.select_row(0)
        self.filter_changed.emit()

    def _sort_by_uncertainty(self) -> None:
        self.view.sort_by_uncertainty()
        self.view.scrollToTop()
        if self.model.rowCount():
            self.view.select_row(0)
        self.view.setFocus()

    # search -----------------------------------------------------------------------------------------
    def _search_text_changed(self, text: str) -> None:
        if not text.strip() and (self.model.search_query is not None or self.search_task is not None):
            self.clear_search()

    def clear_search(self) -> None:
        self.cancel_search()
        self.search_status.clear()
        if self.model.search_query is not None:
            current = self.view.current_message_id()
            self.model.set_search(None, None)
            self._reselect(current)

    def start_search(self, query: str) -> Task | None:
        """Search the scrubbed text of every message in a worker; the hits then filter the list."""
        query = query.strip()
        if not query:
            self.clear_search()
            return None
        if self.project is None:
            return None
        self.cancel_search()
        project = self.project

        def job(control: Any) -> list[int]:
            with project.store() as store:  # this worker thread's own connection
                return scrubbing.search_scrubbed(store, project_redactor(project, store), query, control)

        task = self.runner.run(job, name="search")
        task.progressed.connect(self._search_progress)
        task.succeeded.connect(lambda hits: self._search_done(task, query, hits))
        task.failed.connect(lambda exc: self._search_failed(task, exc))
        task.cancelled.connect(lambda: self._search_ended(task))
        task.finished.connect(lambda: self._search_ended(task))
        self.search_task = task
        self.search_status.setText("Searching…")
        self.cancel_search_button.show()
        task.start()
        return task

    def cancel_search(self) -> None:
        task, self.search_task = self.search_task, None
        if task is not None:
            task.cancel()
        self.cancel_search_button.hide()
        if task is not None:
            self.search_status.setText("Search cancelled")
            self.search_finished.emit(None)

    def _search_progress(self, done: int, total: int | None, _message: str) -> None:
        if self.search_task is not None and total:
            self.search_status.setText(f"Searching… {100 * done // total}%")

    def _search_done(self, task: Task, query: str, hits: list[int]) -> None:
        if task is not self.search_task:
            return  # superseded or cancelled meanwhile
        self.search_task = None
        self.cancel_search_button.hide()
        current = self.view.current_message_id()
        self.model.set_search(query, hits)
        self.search_status.setText(f"{len(hits):,} found")
        self._reselect(current)
        self.search_finished.emit(len(hits))

    def _search_failed(self, task: Task, exc: BaseException) -> None:
        if task is not self.search_task:
            return
        self.search_task = None
        self.cancel_search_button.hide()
        self.search_status.setText("Search failed")  # never the exception's text: it could quote a message
        log.warning("search failed with %s", type(exc).__name__)
        self.search_finished.emit(None)

    def _search_ended(self, task: Task) -> None:
        if task is self.search_task:  # cancelled from inside the job
            self.search_task = None
            self.cancel_search_button.hide()
