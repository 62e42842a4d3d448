"""Audit-log viewer: the tamper-evident log, newest first, filterable by action, with a Verify button that
walks the whole chain and its anchor in a worker. Entries hold keyed IDs, counts and settings only."""

from __future__ import annotations

import json
import logging

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from scrubdesk.core.audit_log import (
    AuditEntry,
    AuditLog,
    AuditStatus,
    audit_actions,
    audit_entries,
    count_entries,
)
from scrubdesk.core.project import Project
from scrubdesk.gui.appearance import verdict_colour
from scrubdesk.gui.errors import user_message
from scrubdesk.gui.tasks import Task, TaskRunner

log = logging.getLogger(__name__)

PAGE = 200
COLUMNS = ("#", "Time (UTC)", "OS user", "Role", "Action", "Objects (keyed IDs)", "Details")
ALL_ACTIONS = "All actions"


def verify_job(project: Project) -> AuditStatus:
    with project.store() as store:
        return AuditLog(store, project.keys.id_key).check()


class AuditViewer(QDialog):
    def __init__(self, project: Project, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Audit log")
        self.project, self.runner = project, runner
        self.entries: list[AuditEntry] = []
        self.total = 0
        self.verify_task: Task | None = None
        self.status: AuditStatus | None = None
        self._build()
        self.reload()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.action_combo = QComboBox()
        self.action_combo.currentIndexChanged.connect(self.reload)
        top.addWidget(QLabel("Show:"))
        top.addWidget(self.action_combo)
        top.addStretch()
        self.verify_button = QPushButton("&Verify chain")
        self.verify_button.clicked.connect(self.verify)
        top.addWidget(self.verify_button)
        layout.addLayout(top)
        self.verdict = QLabel("Not verified yet in this session.")
        self.verdict.setWordWrap(True)
        self.verdict.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.verdict)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        self.count_label = QLabel()
        bottom.addWidget(self.count_label)
        bottom.addStretch()
        self.more_button = QPushButton("Load more")
        self.more_button.clicked.connect(self.load_more)
        bottom.addWidget(self.more_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        bottom.addWidget(buttons)
        layout.addLayout(bottom)
        self.resize(980, 560)

    def action(self) -> str | None:
        data = self.action_combo.currentData()
        return str(data) if data else None

    @Slot()
    def reload(self) -> None:
        with self.project.store() as store:
            if self.action_combo.count() == 0:
                self.action_combo.blockSignals(True)
                self.action_combo.addItem(ALL_ACTIONS, None)
                for action in audit_actions(store):
                    self.action_combo.addItem(action, action)
                self.action_combo.blockSignals(False)
            self.total = count_entries(store, self.action())
            self.entries = audit_entries(store, limit=PAGE, action=self.action())
        self._fill()

    @Slot()
    def load_more(self) -> None:
        with self.project.store() as store:
            self.entries += audit_entries(store, offset=len(self.entries), limit=PAGE, action=self.action())
        self._fill()

    def _fill(self) -> None:
        self.table.setRowCount(len(self.entries))
        for row, entry in enumerate(self.entries):
            objects = ", ".join(o[:12] for o in entry.objects[:3]) + (" …" if len(entry.objects) > 3 else "")
            details = json.dumps(entry.details, sort_keys=True, ensure_ascii=False)
            when = entry.at.replace("T", " ")[:19]
            values = (str(entry.seq), when, entry.os_user, entry.role, entry.action, objects, details)
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col in (5, 6):
                    item.setToolTip(", ".join(entry.objects) if col == 5 else details)
                self.table.setItem(row, col, item)
        self.count_label.setText(f"{len(self.entries)} of {self.total} entries shown")
        self.more_button.setEnabled(len(self.entries) < self.total)

    @Slot()
    def verify(self) -> Task | None:
        if self.verify_task is not None and self.verify_task.running:
            return None
        project = self.project
        self.verify_button.setEnabled(False)
        self.verdict.setText("Verifying every entry and the anchor…")
        self.verify_task = self.runner.run(lambda control: verify_job(project), name="audit verify")
        self.verify_task.succeeded.connect(self._verified)
        self.verify_task.failed.connect(self._verify_failed)
        self.verify_task.finished.connect(self._verify_ended)
        return self.verify_task.start()

    @Slot(object)
    def _verify_failed(self, exc: BaseException) -> None:
        self.verdict.setText(f"Verification could not run: {user_message(exc)}")

    @Slot()
    def _verify_ended(self) -> None:
        self.verify_button.setEnabled(True)

    @Slot(object)
    def _verified(self, status: AuditStatus) -> None:
        self.status = status
        if status.ok:
            text = f"Intact: all {status.entries} entries and the anchor verify."
            self.verdict.setStyleSheet(f"color: {verdict_colour(self, ok=True)};")
        else:
            lines = [f"entry {p.seq}: {p.problem}" if p.seq else p.problem for p in status.problems[:10]]
            text = f"TAMPERING OR DAMAGE DETECTED ({len(status.problems)} problem(s)):\n" + "\n".join(lines)
            self.verdict.setStyleSheet(f"color: {verdict_colour(self, ok=False)};")
        if status.notes:
            text += "\nNotes: " + "; ".join(status.notes)
        self.verdict.setText(text)
        self.reload()
