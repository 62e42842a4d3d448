"""Import: the dialog to choose sources, format and kept fields, with a live preview of what the import
would store (run in a worker of its own task runner). The import itself runs in
:class:`scrubdesk.gui.import_progress.ImportProgressDialog`.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from scrubdesk.core.import_preview import PREVIEW_LIMIT, ImportPreview, PreviewItem, preview_import
from scrubdesk.core.ingest.formats import IMPORT_FORMATS, TABULAR_EXTENSIONS, TABULAR_FORMATS, file_filter
from scrubdesk.core.ingest.records import ALL_FIELDS, ImportOptions, flag_text, reason_text
from scrubdesk.core.project import Project
from scrubdesk.gui.errors import user_message
from scrubdesk.gui.import_progress import ImportOutcome, ImportProgressDialog
from scrubdesk.gui.settings import AppSettings
from scrubdesk.gui.tasks import Task, TaskRunner

__all__ = ["ImportDialog", "ImportOutcome", "ImportProgressDialog"]  # the two dialogs of an import

log = logging.getLogger(__name__)

# The format list and the reason and flag wording come from core (one home: core/ingest).
FORMATS: tuple[tuple[str | None, str], ...] = (
    (None, "Auto-detect"),
    *((f.code, f.label) for f in IMPORT_FORMATS),
)

# The import's field allow-list (ImportOptions.fields), as the dialog offers it.
FIELD_CHOICES: tuple[tuple[str, str], ...] = (
    ("sent_at", "Date"),
    ("subject", "Subject"),
    ("from", "Sender (From)"),
    ("attachments", "Attachment count and types"),
    ("to", "Recipients (To)"),
    ("cc", "Copies (Cc)"),
)
FIELDS_SETTING = "import/fields"

# The preview's columns: key, caption, and the allow-listed fields it shows (None: always shown).
# Only what helps to decide is shown: no sender name or address (the domain tells the source), no body text.
PREVIEW_COLUMNS: tuple[tuple[str, str, tuple[str, ...] | None], ...] = (
    ("location", "Item", None),
    ("date", "Date", ("sent_at",)),
    ("subject", "Subject", ("subject",)),
    ("sender", "Sender domain", ("from",)),
    ("recipients", "To+Cc", ("to", "cc")),
    ("attachments", "Attach.", ("attachments",)),
    ("body", "Body", None),  # its length in characters
    ("label", "Label", None),  # shown when a CSV/JSON label column gives labels
    ("format", "Format", None),
    ("status", "Import as", None),
)
PREVIEW_TIPS = (
    "Where the item is in its source (file, mbox byte offset, or table row)",
    "When it was sent (UTC)",
    "The subject as it will be stored",
    "Only the domain of the sender's address: no name or address is shown",
    "Number of To and Cc addresses",
    "Number of attachments",
    "Length of the message text in characters (the bytes in the source: hover a cell)",
    "The label from the label column",
    "The format the source is read as",
    "Stored as a message, skipped as a duplicate, or quarantined (hover for the detail)",
)
PREVIEW_KEYS = tuple(key for key, _caption, _fields in PREVIEW_COLUMNS)


class ImportDialog(QDialog):
    """Choose files and folders, a format, the fields to keep and (for CSV/JSON) the columns, with a live
    preview of the first messages. Read the result with :meth:`sources` and :meth:`options` after
    ``exec()`` returns Accepted.

    The preview runs in a worker of the dialog's own task runner (one thread), so it never blocks the UI and
    never counts as a project job (an import may start while a preview is still being cancelled). Every
    change of sources or options cancels the running preview and schedules a new one."""

    preview_finished = Signal(object)  # ImportPreview, or None when the preview failed

    PREVIEW_DELAY_MS = 300  # typing a column name re-reads the sources once, after a pause

    def __init__(
        self, settings: AppSettings, parent: QWidget | None = None, *, project: Project | None = None
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.project = project  # given: the preview marks messages that are already in it
        self.setWindowTitle("Import messages")
        self.setMinimumWidth(760)
        self.resize(1100, 800)
        # Not a child of the dialog: a preview still stopping when the dialog is deleted must finish
        # against a live runner. It is cancelled when the dialog closes or is destroyed.
        self.preview_runner = TaskRunner(max_threads=1)
        self.destroyed.connect(partial(_cancel_all, self.preview_runner))
        self.preview_task: Task | None = None
        self.preview: ImportPreview | None = None
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(self.PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.refresh_preview)

        self.source_list = QListWidget(self)
        self.source_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.source_list.setMinimumHeight(80)
        self.source_list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        add_files = QPushButton("Add files…", self)
        add_folder = QPushButton("Add folder…", self)
        self.remove_button = QPushButton("Remove", self)
        add_files.clicked.connect(self._choose_files)
        add_folder.clicked.connect(self._choose_folder)
        self.remove_button.clicked.connect(self._remove_selected)
        buttons_col = QVBoxLayout()
        for b in (add_files, add_folder, self.remove_button):
            buttons_col.addWidget(b)
        buttons_col.addStretch(1)
        sources_row = QHBoxLayout()
        sources_row.addWidget(self.source_list, 1)
        sources_row.addLayout(buttons_col)
        sources_box = QGroupBox(
            "Sources: files (.eml, mbox, .msg, CSV, JSON) or folders (.eml, Maildir)", self
        )
        sources_box.setLayout(sources_row)

        self.format_combo = QComboBox(self)
        for value, text in FORMATS:
            self.format_combo.addItem(text, value)
        self.format_combo.currentIndexChanged.connect(self._options_changed)

        self.text_column = QLineEdit(self)
        self.text_column.setPlaceholderText("required for CSV/JSON, e.g. text")
        self.label_column = QLineEdit(self)
        self.label_column.setPlaceholderText("optional, e.g. label")
        self.id_column = QLineEdit(self)
        self.id_column.setPlaceholderText("optional; row number within the file otherwise")
        for edit in (self.text_column, self.label_column, self.id_column):
            edit.textChanged.connect(self._options_changed)
        self.columns_box = QGroupBox("CSV/JSON columns", self)
        columns = QFormLayout(self.columns_box)
        columns.addRow("Text column:", self.text_column)
        columns.addRow("Label column:", self.label_column)
        columns.addRow("ID column:", self.id_column)

        options = QFormLayout()
        options.addRow("Format:", self.format_combo)
        left = QVBoxLayout()
        left.addLayout(options)
        left.addWidget(self.columns_box)
        left.addStretch(1)
        middle = QHBoxLayout()
        middle.addLayout(left, 3)
        middle.addWidget(self._build_fields_box(), 2)

        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)

        self.buttons = QDialogButtonBox(self)
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(sources_box, 1)
        layout.addLayout(middle)
        layout.addWidget(self._build_preview_box(), 5)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self.source_list.itemSelectionChanged.connect(self._update_state)
        self._update_state()
        self._show_preview(None)

    def _build_fields_box(self) -> QGroupBox:
        box = QGroupBox("Fields to keep (the message text is always kept)", self)
        box.setToolTip(
            "The import's allow-list: unticked fields are not read from the sources, not stored in the "
            "project and not shown in the preview."
        )
        grid = QGridLayout(box)
        kept = self._saved_fields()
        self.field_checks: dict[str, QCheckBox] = {}
        for n, (name, caption) in enumerate(FIELD_CHOICES):
            check = QCheckBox(caption, box)
            check.setChecked(name in kept)
            check.toggled.connect(self._fields_changed)
            grid.addWidget(check, n // 2, n % 2)
            self.field_checks[name] = check
        grid.setRowStretch(grid.rowCount(), 1)
        return box

    def _build_preview_box(self) -> QGroupBox:
        self.preview_box = QGroupBox(
            f"Preview: the first {PREVIEW_LIMIT} items, read as the import reads them", self
        )
        self.preview_table = _preview_table(self.preview_box)
        self.preview_status = QLabel(self.preview_box)
        self.preview_status.setTextFormat(Qt.TextFormat.PlainText)
        self.preview_status.setWordWrap(True)
        self.preview_stop_button = QPushButton("Stop", self.preview_box)
        self.preview_stop_button.setToolTip("Stop reading the preview (the import itself is not affected)")
        self.preview_stop_button.clicked.connect(self.stop_preview)
        status_row = QHBoxLayout()
        status_row.addWidget(self.preview_status, 1)
        status_row.addWidget(self.preview_stop_button)
        layout = QVBoxLayout(self.preview_box)
        layout.addWidget(self.preview_table, 1)
        layout.addLayout(status_row)
        return self.preview_box

    # choosing sources ---------------------------------------------------------------------------------
    @Slot()
    def _choose_files(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "Add files to import", self.settings.last_dir("import"), file_filter()
        )
        if files:
            self.settings.set_last_dir("import", Path(files[0]).parent)
            self.add_sources([Path(f) for f in files])

    @Slot()
    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Add a folder to import", self.settings.last_dir("import")
        )
        if folder:
            self.settings.set_last_dir("import", Path(folder).parent)
            self.add_sources([Path(folder)])

    def add_sources(self, paths: list[Path]) -> None:
        present = set(self.sources())
        for given in paths:
            path = Path(given).absolute()
            if path not in present:
                self.source_list.addItem(str(path))
                present.add(path)
        self._options_changed()

    @Slot()
    def _remove_selected(self) -> None:
        for item in self.source_list.selectedItems():
            self.source_list.takeItem(self.source_list.row(item))
        self._options_changed()

    # result -----------------------------------------------------------------------------------------
    def sources(self) -> list[Path]:
        return [Path(self.source_list.item(i).text()) for i in range(self.source_list.count())]

    def selected_format(self) -> str | None:
        return self.format_combo.currentData()

    def set_format(self, fmt: str | None) -> None:
        self.format_combo.setCurrentIndex(self.format_combo.findData(fmt))

    def fields(self) -> tuple[str, ...]:
        """The allow-list, in the import's order of fields."""
        return tuple(name for name in ALL_FIELDS if self.field_checks[name].isChecked())

    def set_fields(self, fields: tuple[str, ...] | list[str]) -> None:
        for name, check in self.field_checks.items():
            check.setChecked(name in fields)

    def options(self) -> ImportOptions:
        def column(edit: QLineEdit) -> str | None:
            return edit.text().strip() or None

        return ImportOptions(
            format=self.selected_format(),
            fields=self.fields(),
            text_column=column(self.text_column),
            label_column=column(self.label_column),
            id_column=column(self.id_column),
        )

    def _saved_fields(self) -> tuple[str, ...]:
        value = self.settings.qsettings.value(FIELDS_SETTING)
        if value is None:
            return ALL_FIELDS
        if isinstance(value, str):  # QSettings returns a one-item list as a plain string
            value = [value] if value else []
        return tuple(name for name in ALL_FIELDS if name in list(value))

    def _needs_text_column(self) -> bool:
        fmt = self.selected_format()
        if fmt in TABULAR_FORMATS:
            return True
        return fmt is None and any(p.suffix.lower() in TABULAR_EXTENSIONS for p in self.sources())

    @Slot()
    def _options_changed(self) -> None:
        """Sources or options changed: what the last preview said no longer holds."""
        self._cancel_preview()
        self.preview = None
        self._update_state()
        if self.sources():
            self._show_preview_pending()
            self._preview_timer.start()
        else:
            self._preview_timer.stop()
            self._show_preview(None)

    @Slot()
    def _fields_changed(self) -> None:
        self.settings.qsettings.setValue(FIELDS_SETTING, list(self.fields()))
        self._options_changed()

    @Slot()
    def _update_state(self) -> None:
        fmt = self.selected_format()
        self.columns_box.setEnabled(fmt is None or fmt in TABULAR_FORMATS)
        self.remove_button.setEnabled(bool(self.source_list.selectedItems()))
        problem = ""
        if not self.sources():
            problem = "Add at least one file or folder."
        elif self.preview is not None and self.preview.errors:
            problem = "\n".join(self.preview.errors)  # a source the import could not read as asked
        elif self._needs_text_column() and not self.text_column.text().strip():
            problem = "CSV and JSON sources need the name of the column that holds the message text."
        self.hint.setText(problem)
        self.hint.setVisible(bool(problem))
        self.import_button.setEnabled(not problem)

    # preview ----------------------------------------------------------------------------------------
    @property
    def preview_running(self) -> bool:
        return self.preview_task is not None and self.preview_task.running

    @Slot()
    def refresh_preview(self) -> Task | None:
        """Read the first items of the sources again, in a worker (now, without waiting for the pause)."""
        self._preview_timer.stop()
        self._cancel_preview()
        sources, options, project = self.sources(), self.options(), self.project
        if not sources:
            self._show_preview(None)
            return None
        task = self.preview_runner.run(
            lambda control: preview_import(sources, options, PREVIEW_LIMIT, control, project=project),
            name="import preview",
        )
        # Bound to the task: a result of an older preview (or of a dialog now gone) is dropped.
        task.progressed.connect(partial(self._preview_progress, task))
        task.succeeded.connect(partial(self._preview_done, task))
        task.failed.connect(partial(self._preview_failed, task))
        task.finished.connect(partial(self._preview_task_finished, task))
        self.preview_task = task
        self._show_preview_pending()
        self.preview_stop_button.setEnabled(True)
        self.preview_stop_button.setVisible(True)
        task.start()
        return task

    @Slot()
    def stop_preview(self) -> None:
        """Stop reading; the items read so far stay shown."""
        if self.preview_running and self.preview_task is not None:
            self.preview_task.cancel()
            self.preview_stop_button.setEnabled(False)
            self.preview_status.setText("Stopping…")

    def _cancel_preview(self) -> None:
        """Forget the running preview (its result would be stale) and ask it to stop."""
        task, self.preview_task = self.preview_task, None
        if task is not None and task.running:
            task.cancel()
        self.preview_stop_button.setVisible(False)

    def _current(self, task: Task) -> bool:
        """Is ``task`` the preview this (still existing) dialog waits for? Older ones are stale."""
        return shiboken6.isValid(self) and task is self.preview_task

    def _preview_progress(self, task: Task, done: int, _total: int | None, _message: str) -> None:
        if self._current(task) and not task.cancel_requested:
            self.preview_status.setText(f"Reading the first items… {done} of {PREVIEW_LIMIT}")

    def _preview_done(self, task: Task, preview: ImportPreview) -> None:
        if not self._current(task):
            return  # superseded by newer sources or options
        self.preview = preview
        self._show_preview(preview)
        self._update_state()
        self.preview_finished.emit(preview)

    def _preview_failed(self, task: Task, exc: BaseException) -> None:
        if not self._current(task):
            return
        # user_message: our own errors as written, anything else by type only (it could quote a message).
        self.preview_table.setRowCount(0)
        self.preview_status.setText(f"The preview failed: {user_message(exc)}")
        self.preview_finished.emit(None)

    def _preview_task_finished(self, task: Task) -> None:
        if self._current(task):
            self.preview_stop_button.setVisible(False)

    def _show_preview_pending(self) -> None:
        self.preview_status.setText("Reading the first items…")

    def _show_preview(self, preview: ImportPreview | None) -> None:
        table = self.preview_table
        self.preview_stop_button.setVisible(False)
        items = preview.items if preview is not None else ()
        table.setRowCount(len(items))
        dim = self.palette().placeholderText()
        for row, item in enumerate(items):
            for col, (key, _caption, _field) in enumerate(PREVIEW_COLUMNS):
                cell = _preview_cell(key, item, self.style())
                if item.duplicate:  # the import skips it
                    cell.setForeground(dim)
                table.setItem(row, col, cell)
        fields = set(preview.fields if preview is not None else self.fields())
        for col, (key, _caption, needs) in enumerate(PREVIEW_COLUMNS):
            hidden = needs is not None and not fields.intersection(needs)
            if key == "label":
                hidden = not any(item.label for item in items)
            table.setColumnHidden(col, hidden)
        if preview is None:
            self.preview_status.setText("Add files or folders to see their first messages here.")
            return
        self.preview_status.setText(preview_summary(preview))
        columns = sorted({c for s in preview.sources for c in s.columns}, key=str.casefold)
        if columns:
            for edit in (self.text_column, self.label_column, self.id_column):
                completer = QCompleter(columns, edit)
                completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
                edit.setCompleter(completer)

    def done(self, result: int) -> None:  # accept, reject and close all end here
        self._preview_timer.stop()
        self._cancel_preview()
        super().done(result)


def _cancel_all(runner: TaskRunner, *_destroyed: object) -> None:
    for task in runner.active():
        task.cancel()


def preview_summary(preview: ImportPreview) -> str:
    """One line under the preview table: what was read and what would be quarantined."""
    n = len(preview.items)
    readable = [s for s in preview.sources if s.error is None]
    if not readable and not preview.cancelled:
        if len(preview.sources) == 1:
            return "The source cannot be read as asked (see below)."
        return "None of the sources can be read as asked (see below)."
    if preview.cancelled:
        head = f"Preview stopped after {n:,} item{'s' if n != 1 else ''}"
    elif all(s.exhausted for s in readable):
        which = "the sources" if not preview.errors else "the sources that can be read"
        head = f"All {n:,} item{'s' if n != 1 else ''} of {which}" if n else f"No items in {which}"
    else:
        head = f"The first {n:,} item{'s' if n != 1 else ''} (the import reads them all)"
    tail = f"; {preview.duplicates:,} already in the project" if preview.duplicates else ""
    if preview.quarantined:
        tail += f"; {preview.quarantined:,} would be quarantined"
    if preview.errors:
        bad = len(preview.errors)
        tail += f"; {bad} source{'s' if bad != 1 else ''} cannot be read as asked (see below)"
    return f"{head}{tail}."


def _preview_table(parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, len(PREVIEW_COLUMNS), parent)
    table.setHorizontalHeaderLabels([caption for _key, caption, _field in PREVIEW_COLUMNS])
    for col, tip in enumerate(PREVIEW_TIPS):
        table.horizontalHeaderItem(col).setToolTip(tip)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(False)
    table.setAlternatingRowColors(True)
    table.setMinimumHeight(table.fontMetrics().height() * 8)
    header = table.horizontalHeader()
    header.setMaximumSectionSize(280)
    # The subject takes the room that is left; every other column is as wide as what it shows.
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(PREVIEW_KEYS.index("subject"), QHeaderView.ResizeMode.Stretch)
    return table


def _preview_cell(key: str, item: PreviewItem, style: QStyle) -> QTableWidgetItem:
    right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    tooltip = ""
    align: Qt.AlignmentFlag | None = None
    if key == "location":
        text, tooltip = item.display_location, item.location
    elif key == "date":
        text = item.sent_at[:16].replace("T", " ") if item.sent_at else ""
    elif key == "subject":
        text = item.subject or ""
        tooltip = text
    elif key == "sender":
        text = item.sender_domain or ""
    elif key in ("recipients", "attachments", "body"):
        value = {"recipients": item.recipients, "attachments": item.attachments, "body": item.body_chars}[key]
        text, align = ("" if value is None else f"{value:,}"), right
        if key == "body" and item.size_bytes is not None:
            tooltip = f"{item.size_bytes:,} bytes in the source"
    elif key == "label":
        text = item.label or ""
    elif key == "format":
        text = item.format
    else:  # status
        notes = ", ".join(flag_text(flag) for flag in item.flags)
        if item.quarantine_reason is not None:
            text = f"Quarantine: {reason_text(item.quarantine_reason)}"
            tooltip = item.quarantine_detail or ""
        elif item.duplicate:
            text = "Duplicate (skipped)"
            tooltip = "A message with the same ID is already in the project: the import skips it."
        else:
            text = f"Message ({notes})" if notes else "Message"
    cell = QTableWidgetItem(text)
    cell.setData(Qt.ItemDataRole.UserRole, item.quarantine_reason if key == "status" else None)
    if tooltip:
        cell.setToolTip(tooltip)
    if align is not None:
        cell.setTextAlignment(align)
    if key == "status" and item.quarantined:
        cell.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning))
    return cell
