"""The message list: a table model virtualised over the project store, and its view.

The model holds only the ordered list of row IDs (``message_ids``: ~1 MB for 100k messages). Row data is
fetched lazily, one page of ``page_size`` rows per ``rows_by_ids`` call, and kept in a small LRU cache, so
a project of any size opens at once and scrolling touches only the pages on screen.

The store passed in is a connection owned by the UI thread; the model never writes.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
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
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from scrubdesk.core import messages
from scrubdesk.core.messages import MessageRow
from scrubdesk.core.store import Store

log = logging.getLogger(__name__)

ModelIndex = QModelIndex | QPersistentModelIndex

ID_CHARS = 10
MESSAGE_ID_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    sort_key: str | None  # a key of scrubdesk.core.messages.SORT_COLUMNS, or None if not sortable
    width: int
    tooltip: str


COLUMNS: tuple[Column, ...] = (
    Column("id", "ID", None, 96, "Keyed message ID (first characters); the only ID that ever leaves"),
    Column("date", "Date", "sent_at", 124, "Sent (UTC)"),
    Column("from", "From", None, 190, "Sender address"),
    Column("subject", "Subject", "subject", 260, "Subject"),
    Column("label", "Label", "label", 84, "Triage label"),
    Column("attachments", "Att.", None, 40, "Number of attachments (only count and types are kept)"),
)
COLUMN_INDEX = {c.key: i for i, c in enumerate(COLUMNS)}
DEFAULT_SORT = "imported"


def format_date(sent_at: str | None) -> str:
    """ISO 8601 UTC from the store → 'YYYY-MM-DD HH:MM' for the list."""
    if not sent_at:
        return ""
    return sent_at[:16].replace("T", " ")


class MessageTableModel(QAbstractTableModel):
    """Rows are messages in the current sort order; columns are :data:`COLUMNS`."""

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
        self._ids: list[int] = []
        self._pages: OrderedDict[int, list[MessageRow | None]] = OrderedDict()
        self._sort_column = -1  # -1: import order
        self._sort_order = Qt.SortOrder.AscendingOrder
        self.fetch_count = 0  # rows_by_ids calls so far: for diagnostics and tests
        if store is not None:
            self.set_store(store)

    # data source ------------------------------------------------------------------------------------
    def set_store(self, store: Store | None) -> None:
        """Show the messages of ``store`` (None: show nothing, e.g. when the project closes)."""
        self.beginResetModel()
        self._store = store
        self._load_ids()
        self.endResetModel()

    def refresh(self) -> None:
        """Reload the row IDs and drop cached rows, e.g. after an import."""
        self.set_store(self._store)

    def _sort_spec(self) -> tuple[str, bool]:
        key = COLUMNS[self._sort_column].sort_key if self._sort_column >= 0 else None
        return key or DEFAULT_SORT, self._sort_order == Qt.SortOrder.DescendingOrder

    def _load_ids(self) -> None:
        self._pages.clear()
        if self._store is None:
            self._ids = []
            return
        sort, descending = self._sort_spec()
        self._ids = messages.message_ids(self._store, sort, descending)

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

    # lookups used by views ---------------------------------------------------------------------------
    def message_id_at(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

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
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._style_data(index.column(), role)
        row = self._row(index.row())
        if row is None:
            return None
        key = COLUMNS[index.column()].key
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.msg_key if key == "id" else _display(row, key) or None
        return _display(row, key)

    def _style_data(self, column: int, role: int) -> Any:
        key = COLUMNS[column].key
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "attachments":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and key == "id":
            return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        return None

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


def _display(row: MessageRow, key: str) -> str:
    if key == "id":
        return row.msg_key[:ID_CHARS]
    if key == "date":
        return format_date(row.sent_at)
    if key == "from":
        return row.from_addr or ""
    if key == "subject":
        return row.subject or ""
    if key == "label":
        return row.label or ""
    if key == "attachments":
        return str(row.attachment_count) if row.attachment_count else ""
    raise KeyError(key)


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
