"""The message list's table model, virtualised over the project store.

The model holds only the ordered list of row IDs (``message_ids``: ~1 MB for 100k messages). Row data is
fetched lazily, one page of ``page_size`` rows per ``rows_by_ids`` call, and kept in a small LRU cache, so
a project of any size opens at once and scrolling touches only the pages on screen. The subject is shown
scrubbed (the project's redaction of every span nobody rejected), computed when a row is first painted
and cached.

Filters (unlabelled, labelled, needs review, a label, a PII type) run in core when the IDs load; a
search's hits (see :mod:`scrubdesk.gui.message_list`) then filter the list. A label change updates its
row in place (no reload), so the rows do not jump while someone labels through a filtered list.

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
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QWidget,
)

from scrubdesk.core import review, scrubbing
from scrubdesk.core.assignments import my_queue, queue_first
from scrubdesk.core.audit_log import current_os_user
from scrubdesk.core.db import annotations as annotation_rows
from scrubdesk.core.db import assignments as assignment_rows
from scrubdesk.core.db import messages
from scrubdesk.core.db.messages import ALL, MessageFilter, MessageRow
from scrubdesk.core.redaction import Keyer, RedactionPolicy, Redactor
from scrubdesk.core.redaction_policy import redaction_policy
from scrubdesk.core.store import Store
from scrubdesk.gui.message_id_cache import MessageIdCache

log = logging.getLogger(__name__)

ModelIndex = QModelIndex | QPersistentModelIndex

ID_CHARS = 10
MESSAGE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SCRUBBED_CACHE = 4096  # scrubbed subjects kept (a few screens' worth, many times over)


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    sort_key: str | None  # a key of scrubdesk.core.messages.SORT_COLUMNS, or None if not sortable
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


_DISPLAY, _TOOLTIP = int(Qt.ItemDataRole.DisplayRole.value), int(Qt.ItemDataRole.ToolTipRole.value)
_FOREGROUND, _FONT = int(Qt.ItemDataRole.ForegroundRole.value), int(Qt.ItemDataRole.FontRole.value)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
_ANSWERED = frozenset({_DISPLAY, _TOOLTIP, _FOREGROUND, _FONT, _ALIGNMENT, int(MESSAGE_ID_ROLE)})
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ALIGN = tuple(_RIGHT if c.key in ("pii", "confidence") else None for c in COLUMNS)
_ID_COLUMN = COLUMN_INDEX["id"]


class _Entry:
    """One cached row and, once painted, its cells: the display text and whether each is dimmed."""

    __slots__ = ("dim", "row", "text")

    def __init__(self, row: MessageRow) -> None:
        self.row = row
        self.text: tuple[str, ...] | None = None
        self.dim: tuple[bool, ...] = ()


class MessageTableModel(QAbstractTableModel):
    """Rows are messages in the current sort order and filter; columns are :data:`COLUMNS`."""

    counts_changed = Signal()  # rows or labelled rows changed: progress counters follow

    def __init__(
        self,
        store: Store | None = None,
        *,
        # Under a screenful (~26 rows at 800 px): a jump fetches the one or two pages it shows, ~10 us a
        # row; 80-row pages fetched ~110 rows a jump
        page_size: int = 40,
        max_pages: int = 128,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.page_size = page_size
        self.max_pages = max_pages
        self._store: Store | None = None
        self._redactor: Redactor = default_redactor(None)
        self._ids: list[int] = []
        self._every_id: dict[bool, list[int]] = {}  # descending -> every ID in import order (read-only)
        self._pages: OrderedDict[int, list[_Entry | None]] = OrderedDict()
        self._last: tuple[int, list[_Entry | None]] | None = None  # the page used last: most recent
        self._id_lists = MessageIdCache()
        self._scrubbed: OrderedDict[int, str] = OrderedDict()
        self._sort_column = -1  # -1: import order
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._filter: MessageFilter = ALL
        self._search: str | None = None
        self._hits: frozenset[int] | None = None
        self._queue_only = False  # "My queue": only messages assigned to this user and open for them
        self._queue: list[int] = []
        self._overlap: frozenset[int] = frozenset()  # labelled independently: show the user's own label
        self._total = 0
        self.labelled_count = 0  # labelled messages among the rows shown
        self.fetch_count = 0  # rows_by_ids calls so far: for diagnostics and tests
        self._fixed_font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self._fixed_font.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)  # see MessageListView
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
        self._queue_only = False
        self._every_id.clear()
        self._id_lists.clear()
        self._load_ids()
        self.endResetModel()
        self.counts_changed.emit()

    def refresh(self) -> None:
        """Reload the row IDs and drop cached rows, e.g. after an import (filter and search are kept)."""
        self._every_id.clear()  # messages may have come or gone
        self._id_lists.clear()
        self._reload()

    def _reload(self) -> None:
        self.beginResetModel()
        self._load_ids()
        self.endResetModel()
        self.counts_changed.emit()

    def _relayout(self, *, counts: bool = True) -> None:
        """Reload the row IDs as a layout change, not a reset: persistent indexes (the view's current
        message and selection) follow their message, or become invalid when it is no longer listed, and
        the view keeps the message shown instead of clearing and showing it again."""
        self.layoutAboutToBeChanged.emit()
        old_ids = self._ids
        persistent = self.persistentIndexList()
        self._load_ids()
        moved: dict[int, int | None] = {}  # a message's new row; a selected row has one index per column
        for old in persistent:
            mid = old_ids[old.row()] if 0 <= old.row() < len(old_ids) else None
            if mid is not None and mid not in moved:
                moved[mid] = self.row_of(mid)
            row = moved.get(mid) if mid is not None else None
            self.changePersistentIndex(
                old, self.index(row, old.column()) if row is not None else QModelIndex()
            )
        self.layoutChanged.emit()
        if counts:
            self.counts_changed.emit()

    def set_filter(self, where: MessageFilter, *, queue_only: bool = False) -> None:
        """Show messages matching ``where``; ``queue_only``: only those in the user's queue."""
        if where == self._filter and queue_only == self._queue_only:
            return
        self._filter, self._queue_only = where, queue_only
        self._relayout()  # the unfiltered ID list is kept: back to "all" costs no scan

    @property
    def queue_only(self) -> bool:
        return self._queue_only

    @property
    def queue_size(self) -> int:
        """Messages waiting for this user (assigned to them, not labelled by them), as of the last load."""
        return len(self._queue)

    def set_search(self, query: str | None, hits: Iterable[int] | None) -> None:
        """Show only ``hits`` (the result of a search for ``query``); None clears the search."""
        self._search = query if hits is not None else None
        self._hits = frozenset(hits) if hits is not None else None
        self._relayout()

    @property
    def message_filter(self) -> MessageFilter:
        return self._filter

    @property
    def search_query(self) -> str | None:
        return self._search

    @property
    def has_store(self) -> bool:
        return self._store is not None

    @property
    def total_messages(self) -> int:
        """Messages in the project, whatever the filter."""
        return self._total

    def filter_description(self) -> str:
        text = self._filter.describe()
        if self._queue_only:
            text = "my queue" if text == "all" else f"my queue, {text}"
        if self._search is not None:
            text = "search" if text == "all" else f"{text}, search"
        return text

    def _sort_spec(self) -> tuple[str, bool]:
        key = COLUMNS[self._sort_column].sort_key if self._sort_column >= 0 else None
        return key or DEFAULT_SORT, self._sort_order == Qt.SortOrder.DescendingOrder

    def _load_ids(self) -> None:
        self._pages.clear()
        self._last = None
        self._scrubbed.clear()
        if self._store is None:
            self._ids, self._total, self.labelled_count = [], 0, 0
            self._queue, self._overlap = [], frozenset()
            return
        self._queue = my_queue(self._store)  # assigned to this user: their queue comes first
        self._overlap = frozenset(assignment_rows.overlap_ids(self._store))
        sort, descending = self._sort_spec()
        every = self._filter.is_all and sort == DEFAULT_SORT  # labels cannot change this list: cached
        ids = self._every_id.get(descending) if every else None
        if ids is None and every:
            ids = self._every_id[descending] = messages.message_ids(self._store, sort, descending, ALL)
        elif ids is None:  # read once per data version: switching back and forth costs no scan
            ids = self._id_lists.ids(self._store, sort, descending, self._filter)
        if self._hits is not None:
            ids = [i for i in ids if i in self._hits]
        if self._queue_only:
            waiting = frozenset(self._queue)
            ids = [i for i in ids if i in waiting]
        elif self._queue and sort == DEFAULT_SORT:
            ids = queue_first(ids, self._queue)  # "my queue" first, in the order it was assigned
        self._ids = ids
        known = next(iter(self._every_id.values()), None)  # every message: its length is the count
        self._total = len(known) if known is not None else messages.count_messages(self._store)
        if self._filter.state == "unlabelled" and self._hits is None and not self._queue_only:
            self.labelled_count = 0
        elif self._filter.state == "labelled" or self._filter.label is not None:
            self.labelled_count = len(ids)
        elif self._filter.is_all and self._hits is None:  # every message: counted off the label index
            self.labelled_count = messages.count_labelled(self._store)
        else:
            labelled = self._id_lists.labelled(self._store)
            self.labelled_count = sum(1 for i in ids if i in labelled)

    def _entry(self, row: int) -> _Entry | None:
        page_no, offset = divmod(row, self.page_size)
        last = self._last  # a repaint asks ~50 times in a row for the same page: already the most recent
        if last is not None and last[0] == page_no:
            page = last[1]
        else:
            found = self._pages.get(page_no)
            if found is None:
                page = self._fetch_page(page_no)
            else:
                page = found
                self._pages.move_to_end(page_no)
            self._last = (page_no, page)
        return page[offset] if offset < len(page) else None

    def _row(self, row: int) -> MessageRow | None:
        entry = self._entry(row)
        return entry.row if entry is not None else None

    def _fetch_page(self, page_no: int) -> list[_Entry | None]:
        ids = self._ids[page_no * self.page_size : (page_no + 1) * self.page_size]
        found = messages.rows_by_ids(self._store, ids) if self._store is not None else {}
        self._own_labels(found)
        self.fetch_count += 1
        # a row deleted since the IDs were loaded shows empty
        page = [_Entry(r) if (r := found.get(i)) is not None else None for i in ids]
        self._pages[page_no] = page
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        return page

    def _own_labels(self, found: dict[int, MessageRow]) -> None:
        """A message labelled independently has no label until its annotators agree: show the user their
        own label there (never another annotator's: the message's label stays empty until then)."""
        waiting = [i for i, r in found.items() if i in self._overlap and not r.label]
        if not waiting or self._store is None:
            return
        for message_id, label in annotation_rows.own_labels(self._store, current_os_user(), waiting).items():
            found[message_id] = dataclasses.replace(found[message_id], label=label)

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
        """(row, page, offset) of a message whose row is cached, else None (its cells are redrawn from
        the entry put in its place)."""
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
        if label and message_id in self._queue:  # labelled from the queue: no longer waiting (no query)
            self._queue.remove(message_id)
        elif not label and (self._queue or self._overlap) and self._store is not None:
            self._queue = my_queue(self._store)  # a label removed (or undone): it may wait again
        found = self._cached(message_id, row)
        if found is not None:
            _row, page_no, offset = found
            cached = self._pages[page_no][offset]
            if cached is not None:
                self._pages[page_no][offset] = _Entry(dataclasses.replace(cached.row, label=label))
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
            fresh = messages.rows_by_ids(self._store, [message_id])
            self._own_labels(fresh)
            row_data = fresh.get(message_id)
            self._pages[page_no][offset] = _Entry(row_data) if row_data is not None else None
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
        # Called for ~7 roles of every visible cell on each repaint (~1,500 calls): plain ints, no enum
        # work, and a row's cells are formatted once and kept with its cached row.
        if role not in _ANSWERED:
            return None
        row_no, column = index.row(), index.column()
        if not 0 <= row_no < len(self._ids) or column < 0:  # an invalid index is row -1
            return None
        if role == _ALIGNMENT:
            return _ALIGN[column]
        if role == _FONT:
            return self._fixed_font if column == _ID_COLUMN else None
        if role == MESSAGE_ID_ROLE:
            return self._ids[row_no]
        entry = self._entry(row_no)
        if entry is None:
            return None
        if entry.text is None:
            self._format(entry)
        if role == _DISPLAY:
            return entry.text[column]  # type: ignore[index]
        if role == _FOREGROUND:
            return self._dim_colour() if entry.dim[column] else None
        return self._tooltip(entry.row, COLUMNS[column].key)

    def _format(self, entry: _Entry) -> None:
        row = entry.row
        entry.text = tuple(self._display(row, c.key) for c in COLUMNS)
        entry.dim = tuple(self._dimmed(row, c.key) for c in COLUMNS)

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
            return self._review_tip(row)
        return self._display(row, key) or None

    def _review_tip(self, row: MessageRow) -> str:
        """What the review state means; for a message sent back, the reviewer's comment too."""
        tip = REVIEW_TIP[row.review]
        if row.review == "sent_back" and self._store is not None:
            state = review.review_state(self._store, row.id)  # one read, on hover only
            if state is not None and state.comment:
                tip += f"\n{state.reviewer}: {state.comment}"
        return tip

    @staticmethod
    def _dimmed(row: MessageRow, key: str) -> bool:
        return (key == "subject" and not row.analysed) or (
            key in ("suggestion", "confidence") and bool(row.label)
        )

    @staticmethod
    def _dim_colour() -> Any:  # read each time: the theme can change
        return QApplication.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.PlaceholderText)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a core sort key; columns without one are ignored (the view restores the indicator)."""
        if not self.is_sortable(column):
            return
        if (column, order) == (self._sort_column, self._sort_order):
            return
        self._sort_column, self._sort_order = column, order
        self._relayout(counts=False)
