"""The message list: its table view and the panel over it (filters, search, least certain first).

Filters (unlabelled, labelled, needs review, a label, a PII type) reload the model's row IDs; a search in
the scrubbed text scans every message, so it runs in a worker of the task runner (with progress and
cancel) and its hits then filter the list.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QFont, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QStyleFactory,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from scrubdesk.core.db import messages, reviews
from scrubdesk.core.db.messages import MessageFilter
from scrubdesk.core.labels import list_labels
from scrubdesk.core.project import Project
from scrubdesk.core.scrubbing import project_redactor, search_scrubbed
from scrubdesk.core.store import Store
from scrubdesk.gui.empty_hint import paint_empty_hint
from scrubdesk.gui.message_table_model import COLUMN_INDEX, COLUMNS, MessageTableModel
from scrubdesk.gui.tasks import Task, TaskRunner

log = logging.getLogger(__name__)


class MessageListView(QTableView):
    """A table of messages with fixed row heights (no per-row measuring over 100k rows)."""

    message_selected = Signal(object)  # message row ID, or None when the selection is empty

    def __init__(self, model: MessageTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Tab leaves the list (regions, not cells): walking cells wrapped into the next rows, opening
        # messages (and logging raw views) on the way
        self.setTabKeyNavigation(False)
        self.setAccessibleName("Messages")
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # The application's style (AccessibleStyle) outlines check boxes in Python, so each of the ~500
        # primitives of a repaint called into Python (~1 ms); the list draws none: its base style does
        plain = QStyleFactory.create(self.style().name())
        if plain is not None:
            plain.setParent(self)
            self.setStyle(plain)
        # Each repaint lays out ~200 new cell texts: most of its time. Latin text needs no shaping
        # (kerning, ligatures: ~25 % of a repaint); scripts that need it are still shaped. Only this
        # attribute is set: the rest of the font still follows the application's
        no_shaping = QFont()
        no_shaping.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
        self.setFont(no_shaping)
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
        model.layoutChanged.connect(self._update_empty_hint)  # a filter, search or sort
        self.empty_hint = ""  # drawn when the list is empty: why, and what to do

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        paint_empty_hint(self, self.empty_hint)

    def message_model(self) -> MessageTableModel:
        model = self.model()
        assert isinstance(model, MessageTableModel)
        return model

    @Slot(int, object)
    def _keep_sort_indicator_honest(self, column: int, order: Qt.SortOrder) -> None:
        model = self.message_model()
        if not model.is_sortable(column):
            header = self.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(*model.sort_state)
            header.blockSignals(False)

    @Slot(object, object)
    def _current_row_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        self.message_selected.emit(
            self.message_model().message_id_at(current.row()) if current.isValid() else None
        )

    @Slot()
    def _after_reset(self) -> None:
        self._update_empty_hint()
        self.message_selected.emit(None)

    @Slot()
    def _update_empty_hint(self) -> None:
        model = self.message_model()
        if not model.has_store:
            self.empty_hint = ""
        elif model.total_messages == 0:
            self.empty_hint = "No messages yet: File > Import… (Ctrl+I) brings mail in."
        else:
            self.empty_hint = "No message matches this filter or search."

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
    ("Sent back", "sent_back"),
    ("Review by hand", "by_hand"),
)
SENT_BACK = "state:sent_back"
MY_QUEUE = "queue:mine"
BY_HAND = "state:by_hand"
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
        self._pii_types: list[str] | None = None  # the PII filter's choices, read once per project
        # the badges' counts and the store and change stamp they were counted at: counting "by hand" reads
        # the message table (0.24 s at 100k messages), and opening a project asks four times
        self._badge_counts: tuple[Store, tuple[int, int], tuple[int, int]] | None = None
        self.view = MessageListView(model, self)

        self.show_combo = QComboBox(self)
        self.show_combo.setObjectName("showFilter")
        self.show_combo.setAccessibleName("Show messages")
        self.show_combo.setToolTip("Which messages the list shows")
        self.pii_combo = QComboBox(self)
        self.pii_combo.setObjectName("piiFilter")
        self.pii_combo.setAccessibleName("Only messages with PII of type")
        self.pii_combo.setToolTip("Only messages with PII of this type (spans nobody rejected)")
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("searchEdit")
        self.search_edit.setAccessibleName("Search the scrubbed text")
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
        self.search_edit.returnPressed.connect(self._search_entered)
        self.search_edit.textChanged.connect(self._search_text_changed)
        self.cancel_search_button.clicked.connect(self.cancel_search)
        self.uncertain_button.clicked.connect(self._sort_by_uncertainty)
        self.model.counts_changed.connect(self.update_queue)
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
        self._pii_types = None
        self.fill_choices(store)
        for widget in (self.show_combo, self.pii_combo, self.search_edit, self.uncertain_button):
            widget.setEnabled(project is not None)

    def fill_choices(
        self, store: Store | None, label_set: list[str] | None = None, *, spans_changed: bool = False
    ) -> None:
        """(Re)fill the filter menus from the project: its labels and the PII types found (read again
        only on opening and when ``spans_changed``, e.g. after an analysis: it probes the spans)."""
        current = self.model.message_filter
        labels = label_set if label_set is not None else (list_labels(store) if store is not None else [])
        self.show_combo.clear()
        queue = self.model.queue_size
        if queue or self.model.queue_only:  # an annotator with assignments: their queue first
            self.show_combo.addItem(f"My queue ({queue})", MY_QUEUE)
        for text, state in SHOW_CHOICES:
            self.show_combo.addItem(text, f"state:{state}")
        self.show_combo.setItemData(
            self.show_combo.findData(BY_HAND),
            "Messages approve-all leaves for a person: the analyser does not support their language, "
            "or their body could not be decoded",
            Qt.ItemDataRole.ToolTipRole,
        )
        self.update_badges(store)
        if labels:
            self.show_combo.insertSeparator(self.show_combo.count())
            for label in labels:
                self.show_combo.addItem(f"Label: {label}", f"label:{label}")
        self.pii_combo.clear()
        self.pii_combo.addItem(ANY_PII, None)
        if self._pii_types is None or spans_changed:
            self._pii_types = messages.pii_types(store) if store is not None else []
        for kind in self._pii_types:
            self.pii_combo.addItem(f"Has {kind}", kind)
        self._show_filter(current)

    def update_badges(self, store: Store | None) -> int:
        """The "Sent back" and "Review by hand" filters carry their counts as badges; returns the first."""
        sent_back = by_hand = 0
        if store is not None:
            stamp, kept = store.change_stamp(), self._badge_counts
            if kept is not None and kept[0] is store and kept[1] == stamp:
                sent_back, by_hand = kept[2]
            else:
                sent_back, by_hand = reviews.count_sent_back(store), messages.count_by_hand(store)
                self._badge_counts = (store, stamp, (sent_back, by_hand))
        self._badge(SENT_BACK, "Sent back", sent_back)
        self._badge(BY_HAND, "Review by hand", by_hand)
        return sent_back

    @Slot()
    def update_queue(self) -> int:
        """The "My queue" choice carries the number of messages still waiting; returns it."""
        index = self.show_combo.findData(MY_QUEUE)
        if index >= 0:
            self.show_combo.setItemText(index, f"My queue ({self.model.queue_size})")
        return self.model.queue_size

    def _badge(self, data: str, text: str, n: int) -> None:
        index = self.show_combo.findData(data)
        if index >= 0:
            self.show_combo.setItemText(index, f"{text} ({n})" if n else text)

    def _show_filter(self, where: MessageFilter) -> None:
        key = f"label:{where.label}" if where.label is not None else f"state:{where.state}"
        if self.model.queue_only:
            key = MY_QUEUE
        show = self.show_combo.findData(key)
        self.show_combo.setCurrentIndex(max(show, 0))
        pii = self.pii_combo.findData(where.pii_type) if where.pii_type is not None else 0
        self.pii_combo.setCurrentIndex(max(pii, 0))

    # filters ----------------------------------------------------------------------------------------
    def current_filter(self) -> MessageFilter:
        kind, _, value = (self.show_combo.currentData() or "state:all").partition(":")
        if kind == "queue":
            return MessageFilter(pii_type=self.pii_combo.currentData())
        if kind == "label":
            return MessageFilter(label=value, pii_type=self.pii_combo.currentData())
        return MessageFilter(state=value, pii_type=self.pii_combo.currentData())

    def set_filter(self, where: MessageFilter, *, queue_only: bool = False) -> None:
        """Show only messages matching ``where`` (with the search, if any); select the first row.
        ``queue_only``: only the user's own queue ("My queue")."""
        self.model.set_filter(self.model.message_filter, queue_only=queue_only)
        self._show_filter(where)
        self._apply(where)

    def show_my_queue(self) -> bool:
        """Select "My queue" when the user has messages waiting (on opening a project); True if so."""
        if not self.model.queue_size:
            return False
        self.set_filter(MessageFilter(), queue_only=True)
        return True

    @Slot(int)
    def _filter_chosen(self, _index: int = 0) -> None:
        self._apply(self.current_filter())
        self.view.setFocus()  # back to the list: the labelling keys work again

    def _apply(self, where: MessageFilter) -> None:
        current = self.view.current_message_id()
        self.model.set_filter(where, queue_only=self.show_combo.currentData() == MY_QUEUE)
        self._reselect(current)

    def _reselect(self, message_id: int | None) -> None:
        """After a filter or search: the message shown stays when still listed (its row followed it),
        else the first row is shown, else nothing."""
        if (message_id is None or not self.view.select_message(message_id)) and self.model.rowCount():
            self.view.select_row(0)
        if self.view.current_row() is None:
            self.view.message_selected.emit(None)
        self.filter_changed.emit()

    @Slot()
    def _sort_by_uncertainty(self) -> None:
        self.view.sort_by_uncertainty()
        self.view.scrollToTop()
        if self.model.rowCount():
            self.view.select_row(0)
        self.view.setFocus()

    # search -----------------------------------------------------------------------------------------
    @Slot(str)
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

    @Slot()
    def focus_search(self) -> None:
        """Ctrl+F: the keyboard into the search field, its text selected."""
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    @Slot()
    def _search_entered(self) -> None:
        self.start_search(self.search_edit.text())

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
                return search_scrubbed(store, project_redactor(project, store), query, control)

        task = self.runner.run(job, name="search")
        task.progressed.connect(self._search_progress)
        task.succeeded.connect(partial(self._search_done, task, query))
        task.failed.connect(partial(self._search_failed, task))
        task.cancelled.connect(partial(self._search_ended, task))
        task.finished.connect(partial(self._search_ended, task))
        self.search_task = task
        self.search_status.setText("Searching…")
        self.cancel_search_button.show()
        task.start()
        return task

    @Slot()
    def cancel_search(self) -> None:
        task, self.search_task = self.search_task, None
        if task is not None:
            task.cancel()
        self.cancel_search_button.hide()
        if task is not None:
            self.search_status.setText("Search cancelled")
            self.search_finished.emit(None)

    @Slot(int, object, str)
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
        if self.search_edit.hasFocus():  # typing is done: the keys label and move again, not type
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)
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
