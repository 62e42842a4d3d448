"""The import's progress dialog: runs ``scrubdesk.core.importer.run_import`` in the task runner (a worker
thread that opens its own store connection), shows live progress with Cancel, then the summary (counts,
quarantined by reason, the quarantine list).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from scrubdesk.core.db.imports import QuarantineRow, quarantine_rows
from scrubdesk.core.importer import run_import
from scrubdesk.core.ingest.records import ImportOptions, reason_text
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.project import Project
from scrubdesk.gui.errors import show_error
from scrubdesk.gui.tasks import Task, TaskRunner

log = logging.getLogger(__name__)

QUARANTINE_LIST_LIMIT = 1000


@dataclass(frozen=True)
class ImportOutcome:
    """What the worker hands back: the summary counts and the project's quarantine list (no text)."""

    summary: dict[str, Any]
    quarantine: list[QuarantineRow]


def import_job(
    project: Project, sources: list[Path], options: ImportOptions
) -> Callable[[JobControl], ImportOutcome]:
    """The job the worker runs. It opens its own store connections (run_import does, and so do we)."""

    def job(control: JobControl) -> ImportOutcome:
        summary = run_import(project, sources, options, control)
        with project.store() as store:
            quarantine = quarantine_rows(store, limit=QUARANTINE_LIST_LIMIT)
        return ImportOutcome(summary.as_dict(), quarantine)

    return job


class ImportProgressDialog(QDialog):
    """Runs an import in the task runner, shows live progress with Cancel, then the summary."""

    import_finished = Signal(object)  # ImportOutcome, or None if the import failed

    PROGRESS_SCALE = 1000  # QProgressBar is int32; byte counts are not

    def __init__(
        self,
        project: Project,
        runner: TaskRunner,
        sources: list[Path],
        options: ImportOptions,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.project = project
        self.runner = runner
        self.sources = list(sources)
        self.import_options = options
        self.task: Task | None = None
        self.outcome: ImportOutcome | None = None
        self.setWindowTitle("Importing messages")
        self.setMinimumWidth(560)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self._build_progress_page())
        self.stack.addWidget(self._build_summary_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)
        self._show_page(0)

    def _show_page(self, index: int) -> None:
        # A stacked widget is as large as its largest page unless the others are set to Ignored.
        for i in range(self.stack.count()):
            policy = QSizePolicy.Policy.Preferred if i == index else QSizePolicy.Policy.Ignored
            self.stack.widget(i).setSizePolicy(policy, policy)
        self.stack.setCurrentIndex(index)
        self.adjustSize()

    # pages ------------------------------------------------------------------------------------------
    def _build_progress_page(self) -> QWidget:
        page = QWidget(self)
        n = len(self.sources)
        self.title_label = QLabel(f"Importing {n} source{'s' if n != 1 else ''} into “{self.project.name}”…")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.progress_bar = QProgressBar(page)
        self.progress_bar.setRange(0, 0)  # busy until the first report gives a total
        self.progress_bar.setTextVisible(True)
        self.counts_label = QLabel("0 imported, 0 duplicates, 0 quarantined", page)
        self.bytes_label = QLabel("Preparing…", page)
        self.bytes_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # secondary, readable
        self.cancel_button = QPushButton("Cancel", page)
        self.cancel_button.clicked.connect(self.cancel)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(page)
        layout.addWidget(self.title_label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.bytes_label)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    def _build_summary_page(self) -> QWidget:
        page = QWidget(self)
        self.headline = QLabel(page)
        self.headline.setWordWrap(True)
        font = self.headline.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.headline.setFont(font)
        self.summary_form = QFormLayout()
        self.summary_values: dict[str, QLabel] = {}
        for key, caption in (
            ("sources", "Sources"),
            ("imported", "Imported"),
            ("duplicates", "Duplicates (already in the project)"),
            ("quarantined", "Quarantined"),
            ("reasons", "Quarantined by reason"),
            ("speed", "Read"),
        ):
            value = QLabel(page)
            value.setTextFormat(Qt.TextFormat.PlainText)
            self.summary_form.addRow(f"{caption}:", value)
            self.summary_values[key] = value

        self.quarantine_table = _quarantine_table(page)
        self.quarantine_box = QGroupBox("Quarantine list of this project", page)
        QVBoxLayout(self.quarantine_box).addWidget(self.quarantine_table)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, page)
        close.rejected.connect(self.accept)
        self.close_button = close.button(QDialogButtonBox.StandardButton.Close)
        layout = QVBoxLayout(page)
        layout.addWidget(self.headline)
        layout.addLayout(self.summary_form)
        layout.addWidget(self.quarantine_box, 1)
        layout.addWidget(close)
        return page

    # running ----------------------------------------------------------------------------------------
    def start(self) -> Task:
        """Start the import in a worker and show this dialog (non-blocking)."""
        task = self.runner.run(import_job(self.project, self.sources, self.import_options), name="import")
        task.progressed.connect(self._on_progress)
        task.succeeded.connect(self._on_succeeded)
        task.failed.connect(self._on_failed)
        task.cancelled.connect(self._on_job_cancelled)
        self.task = task
        self.open()
        task.start()
        return task

    @property
    def running(self) -> bool:
        return self.task is not None and self.task.running

    @Slot()
    def cancel(self) -> None:
        if self.task is not None and self.running:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.cancel_button.setText("Cancelling…")
            self.bytes_label.setText("Cancelling after the current batch; what is committed is kept…")

    def reject(self) -> None:  # Esc or the window's close button
        if self.running:
            self.cancel()  # stay open until the job stops, then show what was kept
            return
        super().reject()

    @Slot(int, object, str)
    def _on_progress(self, done: int, total: int | None, message: str) -> None:
        if total:
            self.progress_bar.setRange(0, self.PROGRESS_SCALE)
            self.progress_bar.setValue(min(self.PROGRESS_SCALE, done * self.PROGRESS_SCALE // total))
            self.bytes_label.setText(f"{_mb(done)} of {_mb(total)} read")
        else:
            self.bytes_label.setText(f"{_mb(done)} read")
        if message:
            self.counts_label.setText(message)

    @Slot(object)
    def _on_succeeded(self, outcome: ImportOutcome) -> None:
        self.outcome = outcome
        self.show_summary(outcome)
        self.import_finished.emit(outcome)

    @Slot()
    def _on_job_cancelled(self) -> None:  # run_import reports cancel in its summary; other jobs raise
        self.import_finished.emit(None)
        super().reject()

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        self.import_finished.emit(None)
        super().reject()
        show_error(self.parentWidget(), "Import failed", exc)

    # summary ----------------------------------------------------------------------------------------
    def show_summary(self, outcome: ImportOutcome) -> None:
        s = outcome.summary
        self.setWindowTitle("Import cancelled" if s["cancelled"] else "Import finished")
        if s["cancelled"]:
            self.headline.setText(
                f"Import cancelled. The {s['imported']:,} messages imported before the cancel were kept; "
                "run the same import again to complete it (nothing is stored twice)."
            )
        else:
            self.headline.setText(f"Import finished: {s['imported']:,} new messages.")
        self.summary_values["sources"].setText(f"{s['sources']:,}")
        self.summary_values["imported"].setText(f"{s['imported']:,}")
        self.summary_values["duplicates"].setText(f"{s['duplicates']:,}")
        self.summary_values["quarantined"].setText(f"{s['quarantined']:,}")
        speed = f", {s['mb_per_s']} MB/s" if s.get("mb_per_s") else ""
        self.summary_values["speed"].setText(f"{_mb(s['bytes_read'])} in {s['seconds']:.1f} s{speed}")
        self.summary_form.setRowVisible(self.summary_values["speed"], bool(s["bytes_read"]))

        reasons = s.get("quarantined_by_reason", {})
        self.summary_values["reasons"].setText(
            "\n".join(f"{reason_text(r)}: {n:,}" for r, n in sorted(reasons.items()))
        )
        self.summary_form.setRowVisible(self.summary_values["reasons"], bool(reasons))

        rows = outcome.quarantine
        self.quarantine_table.setRowCount(len(rows))
        for row, q in enumerate(rows):
            self.quarantine_table.setItem(row, 0, _item(q.location, q.location))
            self.quarantine_table.setItem(row, 1, _item(reason_text(q.reason), q.reason))
            self.quarantine_table.setItem(row, 2, _item(q.detail, q.detail))
        more = f" (first {QUARANTINE_LIST_LIMIT:,})" if len(rows) >= QUARANTINE_LIST_LIMIT else ""
        self.quarantine_box.setTitle(f"Quarantine list of this project: {len(rows):,} items{more}")
        self.quarantine_box.setVisible(bool(rows))
        self.setMinimumWidth(720 if rows else 480)
        self._show_page(1)
        self.close_button.setFocus()

    def summary_text(self) -> str:
        """The summary as the user reads it (for tests and the log-free status bar)."""
        parts = [self.headline.text()]
        parts += [f"{k}: {v.text()}" for k, v in self.summary_values.items()]
        return "\n".join(parts)


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 100_000 else f"{n / 1e3:,.1f} kB"


def _quarantine_table(parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, 3, parent)
    table.setHorizontalHeaderLabels(["Location", "Reason", "Detail"])
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # keep the file name of long paths visible
    table.setAlternatingRowColors(True)
    table.setMinimumHeight(table.fontMetrics().height() * 10)
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
    header.resizeSection(0, 360)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def _item(text: str, tooltip: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(tooltip)  # the full path or the reason code
    return item
