"""Export dialog: choose what leaves, see exactly the columns and first rows that will be written and the
leak guard's verdict, then write the file in a worker. Only keyed IDs, labels, suggestions and the model
version can ever be in it; the core refuses anything else before a byte is written."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from scrubdesk.core.export import EXPORT_FORMATS, ExportPreview, ExportSummary, preview_export, run_export
from scrubdesk.core.project import Project
from scrubdesk.gui.appearance import verdict_colour
from scrubdesk.gui.errors import show_error, user_message
from scrubdesk.gui.settings import AppSettings
from scrubdesk.gui.tasks import Task, TaskRunner

log = logging.getLogger(__name__)

PREVIEW_ROWS = 50
SUFFIXES = {"csv": ".csv", "jsonl": ".jsonl", "parquet": ".parquet"}


class ExportDialog(QDialog):
    def __init__(
        self, project: Project, runner: TaskRunner, settings: AppSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export keyed IDs and labels")
        self.project, self.runner, self.settings = project, runner, settings
        self.preview: ExportPreview | None = None
        self.preview_task: Task | None = None
        self.export_task: Task | None = None
        self.summary: ExportSummary | None = None
        self._pending_refresh = False
        self._build()
        self.refresh_preview()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Only keyed message IDs, labels and (optionally) model suggestions leave the project: never "
            "text. The IDs are useless without this project's key. Every cell is checked before writing."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.format_combo = QComboBox()
        for fmt in EXPORT_FORMATS:
            self.format_combo.addItem(fmt.upper() if fmt != "jsonl" else "JSON Lines", fmt)
        self.format_combo.currentIndexChanged.connect(self._format_changed)
        form.addRow("Format:", self.format_combo)
        self.suggestions_check = QCheckBox("Include the current model's suggestion and confidence")
        self.unlabelled_check = QCheckBox("Include unlabelled messages")
        for check in (self.suggestions_check, self.unlabelled_check):
            check.toggled.connect(self.refresh_preview)
            form.addRow(check)
        path_row = QHBoxLayout()
        slug = re.sub(r"[^A-Za-z0-9]+", "-", self.project.name).strip("-").lower() or "project"
        default = Path(self.settings.last_dir("export")) / f"{slug}-labels.csv"
        self.path_edit = QLineEdit(str(default))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        form.addRow("Save to:", path_row)
        layout.addLayout(form)

        self.preview_label = QLabel("Preparing the preview…")
        self.preview_label.setWordWrap(True)
        self.preview_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.preview_label)
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.guard_label = QLabel()
        self.guard_label.setWordWrap(True)
        self.guard_label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.guard_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.start_export)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(760, 560)

    # --- options -------------------------------------------------------------------------------------

    def output_format(self) -> str:
        return str(self.format_combo.currentData())

    @Slot()
    def _format_changed(self) -> None:
        path = Path(self.path_edit.text())
        self.path_edit.setText(str(path.with_suffix(SUFFIXES[self.output_format()])))

    @Slot()
    def _browse(self) -> None:
        fmt = self.output_format()
        name, _ = QFileDialog.getSaveFileName(
            self, "Export to", self.path_edit.text(), f"{fmt.upper()} (*{SUFFIXES[fmt]});;All files (*)"
        )
        if name:
            self.path_edit.setText(name)

    # --- preview (in a worker: it reads every message's label and checks every cell) ------------------

    @Slot()
    def refresh_preview(self) -> Task | None:
        if self.preview_task is not None and self.preview_task.running:
            self._pending_refresh = True  # options changed while a preview ran: redo it when it ends
            return None
        project = self.project
        suggestions, unlabelled = self.suggestions_check.isChecked(), self.unlabelled_check.isChecked()
        self.export_button.setEnabled(False)
        self.preview_label.setText("Preparing the preview…")
        self.preview_task = self.runner.run(
            lambda control: preview_export(
                project, with_suggestions=suggestions, include_unlabelled=unlabelled, limit=PREVIEW_ROWS
            ),
            name="export preview",
        )
        self.preview_task.succeeded.connect(self._show_preview)
        self.preview_task.failed.connect(self._preview_failed)
        self.preview_task.finished.connect(self._preview_finished)
        return self.preview_task.start()

    @Slot()
    def _preview_finished(self) -> None:
        if self._pending_refresh:
            self._pending_refresh = False
            self.refresh_preview()

    @Slot(object)
    def _show_preview(self, preview: ExportPreview) -> None:
        self.preview = preview
        self.table.setColumnCount(len(preview.columns))
        self.table.setHorizontalHeaderLabels(list(preview.columns))
        self.table.setRowCount(len(preview.rows))
        for r, row in enumerate(preview.rows):
            for c, value in enumerate(row):
                text = "" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value))
                self.table.setItem(r, c, QTableWidgetItem(text))
        shown = f"; the first {len(preview.rows)} are shown" if preview.total_rows > len(preview.rows) else ""
        self.preview_label.setText(
            f"{preview.total_rows} row(s) will be written ({preview.labelled} labelled){shown}. "
            f"Columns that leave: {', '.join(preview.columns)}."
            + (f" Model version: {preview.model_version}." if preview.model_version else "")
        )
        if preview.refusal:
            self.guard_label.setText(f"Leak guard REFUSES this export: {preview.refusal}")
            self.guard_label.setStyleSheet(f"color: {verdict_colour(self, ok=False)};")
        elif preview.total_rows == 0:
            self.guard_label.setText("Nothing to export: no labelled messages.")
            self.guard_label.setStyleSheet("")
        else:
            self.guard_label.setText("Leak guard: every cell passed (IDs, labels and numbers only).")
            self.guard_label.setStyleSheet(f"color: {verdict_colour(self, ok=True)};")
        self.export_button.setEnabled(preview.ok and self.export_task is None)

    @Slot(object)
    def _preview_failed(self, exc: BaseException) -> None:
        self.preview = None
        self.preview_label.setText(f"No preview: {user_message(exc)}")
        self.export_button.setEnabled(False)

    # --- export --------------------------------------------------------------------------------------

    @Slot()
    def start_export(self) -> Task | None:
        if self.preview is None or not self.preview.ok or self.export_task is not None:
            return None
        out = Path(self.path_edit.text()).expanduser()
        project, fmt = self.project, self.output_format()
        options: dict[str, Any] = {
            "fmt": fmt,
            "with_suggestions": self.suggestions_check.isChecked(),
            "include_unlabelled": self.unlabelled_check.isChecked(),
        }
        self.export_button.setEnabled(False)
        self.preview_label.setText("Writing…")
        self.export_task = self.runner.run(
            lambda control: run_export(project, out, control=control, **options), name="export"
        )
        self.export_task.succeeded.connect(self._exported)
        self.export_task.failed.connect(self._export_failed)
        return self.export_task.start()

    @Slot(object)
    def _exported(self, summary: ExportSummary) -> None:
        self.summary = summary
        self.settings.set_last_dir("export", summary.path.parent)
        self.preview_label.setText(
            f"Exported {summary.rows} row(s) to {summary.path} (export #{summary.export_id}, "
            f"SHA-256 {summary.file_sha256[:16]}…). It is registered in the project's data inventory."
        )
        self.buttons.clear()
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close).clicked.connect(self.accept)

    @Slot(object)
    def _export_failed(self, exc: BaseException) -> None:
        self.export_task = None
        self.preview_label.setText("The export was not written.")
        self.export_button.setEnabled(self.preview is not None and self.preview.ok)
        show_error(self, "Export failed", exc)
