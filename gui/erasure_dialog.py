"""Erasure dialog (right to erasure): search a data subject by address or name -> preview what would go and
what becomes stale -> confirm -> erase in a worker -> certificate and verification.

The preview shows counts and keyed IDs only; the query the admin typed is never shown back in results,
logged or written to the certificate. The core enforces the admin role; the window only offers the dialog
to admins. Models trained on the erased messages are retrained without them (the default) or deleted, as
the admin chooses, and the result says which; exports the erasure could not rewrite are listed with why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from scrubdesk.core.erasure import ErasureCertificate, erase_subject
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.project import Project
from scrubdesk.gui.errors import show_error
from scrubdesk.gui.tasks import Task, TaskRunner

log = logging.getLogger(__name__)

REASON_TEXT = {
    "subject_key": "by the keyed ID of their address",
    "header": "by a From/To/Cc header",
    "sender_name": "by the sender's display name",
    "pii_span": "by personal data detected in the text",
    "text": "by the subject or body text",
    "name_variant": "by a form of the name (initial, title, surname)",
    "identifier": "by one of their own identifiers (a phone number, a reference)",
}
MODEL_CHOICES = (
    ("retrain", "Retrain them without the erased messages"),
    ("delete", "Delete them"),
)
PREVIEW_KEYS = 200


class ErasureDialog(QDialog):
    def __init__(self, project: Project, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Erase a data subject")
        self.project, self.runner = project, runner
        self.preview: ErasureCertificate | None = None
        self.result: ErasureCertificate | None = None
        self.task: Task | None = None
        self._previewed_query = ""
        self._build()
        self._update_enabled()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Find every message about one person (by email address or full name), see what will be "
            "erased and which models and exports become stale, then erase. The bytes are removed from "
            "the encrypted store and a certificate without personal data is written."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        row = QHBoxLayout()
        self.query_edit = QLineEdit()
        self.query_edit.setPlaceholderText("jane.doe@example.org or Jane Doe")
        self.query_edit.textChanged.connect(self._query_changed)
        self.query_edit.returnPressed.connect(self.find)
        self.find_button = QPushButton("&Find")
        self.find_button.clicked.connect(self.find)
        row.addWidget(self.query_edit, 1)
        row.addWidget(self.find_button)
        layout.addLayout(row)
        self.summary = QLabel("Type an address or a name and press Find.")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.summary)
        self.keys = QListWidget()
        self.keys.setToolTip("Keyed IDs of the messages that would be erased")
        layout.addWidget(self.keys, 1)
        models_row = QHBoxLayout()
        self.models_label = QLabel("Models trained on these messages:")
        self.models_choice = QComboBox()
        for mode, text in MODEL_CHOICES:
            self.models_choice.addItem(text, mode)
        self.models_choice.setAccessibleName("What to do with models trained on the erased messages")
        self.models_label.setBuddy(self.models_choice)
        models_row.addWidget(self.models_label)
        models_row.addWidget(self.models_choice, 1)
        layout.addLayout(models_row)
        self._show_models_choice(False)
        self.confirm = QCheckBox("I understand that erasure cannot be undone")
        self.confirm.toggled.connect(self._update_enabled)
        layout.addWidget(self.confirm)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.erase_button = self.buttons.addButton("Erase", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.erase_button.clicked.connect(self.erase)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(640, 520)

    def _show_models_choice(self, shown: bool) -> None:
        self.models_label.setVisible(shown)
        self.models_choice.setVisible(shown)

    def _erase_job(self, query: str) -> Callable[[JobControl], ErasureCertificate]:
        """The erasure with the models layer's part, as the admin chose it (read here, in the UI thread)."""
        project, mode = self.project, str(self.models_choice.currentData())

        def job(control: JobControl) -> ErasureCertificate:
            # ML work, loaded only when an erasure runs
            from scrubdesk.models.triage.erasure_models import after_erasure  # noqa: PLC0415

            return erase_subject(project, query, control, after_erasure=after_erasure(project, mode, control))

        return job

    def _busy(self) -> bool:
        return self.task is not None and self.task.running

    @Slot()
    def _query_changed(self) -> None:
        # A preview belongs to the query it was made for: typing invalidates it.
        if self.preview is not None and self.query_edit.text() != self._previewed_query:
            self.preview = None
            self.keys.clear()
            self.summary.setText("The query changed: press Find again.")
            self._show_models_choice(False)
        self._update_enabled()

    @Slot()
    def _update_enabled(self) -> None:
        busy = self._busy()
        has_query = bool(self.query_edit.text().strip())
        self.find_button.setEnabled(has_query and not busy)
        self.query_edit.setEnabled(not busy and self.result is None)
        ready = self.preview is not None and self.preview.match.n_messages > 0 and self.result is None
        self.confirm.setEnabled(ready and not busy)
        self.models_choice.setEnabled(ready and not busy)
        self.erase_button.setEnabled(ready and self.confirm.isChecked() and not busy)

    def _run(self, dry_run: bool) -> Task | None:
        query = self.query_edit.text().strip()
        if not query or self._busy():
            return None
        project = self.project
        if dry_run:
            self.task = self.runner.run(
                lambda control: erase_subject(project, query, control, dry_run=True), name="erasure preview"
            )
        else:
            self.task = self.runner.run(self._erase_job(query), name="erasure")
        self.task.progressed.connect(self._on_progress)
        self.task.succeeded.connect(self._previewed if dry_run else self._erased)
        self.task.failed.connect(self._preview_failed if dry_run else self._erase_failed)
        self.task.finished.connect(self._finished)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.task.start()
        self._update_enabled()
        return self.task

    @Slot()
    def find(self) -> Task | None:
        self._previewed_query = self.query_edit.text()
        self.confirm.setChecked(False)
        self.summary.setText("Searching headers, names, detected personal data and text…")
        return self._run(dry_run=True)

    @Slot()
    def erase(self) -> Task | None:
        if self.preview is None or not self.confirm.isChecked():
            return None
        self.summary.setText("Erasing, rewriting the store and verifying…")
        return self._run(dry_run=False)

    @Slot(int, object, str)
    def _on_progress(self, done: int, total: int | None, message: str) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    @Slot()
    def _finished(self) -> None:
        self.progress.setVisible(False)
        self._update_enabled()

    @Slot(object)
    def _previewed(self, preview: ErasureCertificate) -> None:
        self.preview = preview
        match = preview.match
        self._show_models_choice(bool(match.models))
        self.keys.clear()
        for key in match.msg_keys[:PREVIEW_KEYS]:
            self.keys.addItem(key)
        if len(match.msg_keys) > PREVIEW_KEYS:
            self.keys.addItem(f"… and {len(match.msg_keys) - PREVIEW_KEYS} more")
        if match.n_messages == 0:
            self.summary.setText(
                "No message in this project is about this person: there is nothing to erase."
            )
            return
        reasons = "; ".join(
            f"{n} found {REASON_TEXT.get(r, r)}" for r, n in sorted(match.reasons.items()) if n
        )
        lines = [f"{match.n_messages} message(s) and {match.n_spans} span(s) will be erased ({reasons})."]
        if match.identifiers_shared:
            lines.append(
                f"{match.identifiers_shared} identifier(s) other senders use too were not searched for."
            )
        if match.models:
            lines.append(
                f"Model(s) {_ids(match.models)} were trained on them: choose below what becomes of them."
            )
        if match.exports:
            lines.append(
                f"Export(s) {_ids(match.exports)} hold them: their rows will be removed from the files."
            )
        if not match.models and not match.exports:
            lines.append("No model or export holds them.")
        self.summary.setText("\n".join(lines))

    @Slot(object)
    def _erased(self, result: ErasureCertificate) -> None:
        self.result = result
        if result.nothing_found:  # the messages went between the preview and the erasure
            self.summary.setText("Nothing matches any more: nothing was erased and no certificate written.")
            self.keys.clear()
            self.confirm.setChecked(False)
            return
        verification = result.verification
        verified = (
            "verified: no trace remains"
            if result.ok
            else (f"VERIFICATION FOUND {verification.total_hits if verification else '?'} TRACE(S)")
        )
        lines = [
            f"Erased {result.counts.get('messages', 0)} message(s) and {result.counts.get('spans', 0)} "
            f"span(s); {verified}."
        ]
        lines += _models_outcome(result.models_after)
        if result.exports_rewritten:
            lines.append(f"Export(s) {_ids(result.exports_rewritten)} rewritten without the erased rows.")
        lines += [
            f"Export {e['id']} still holds erased IDs: {e['reason']} ({e['path']}). Delete or replace it."
            for e in result.exports_remaining
        ]
        lines.append(f"Certificate: {result.path}")
        self.summary.setText("\n".join(lines))
        self._show_models_choice(False)
        self.keys.clear()
        self.confirm.setChecked(False)

    @Slot(object)
    def _preview_failed(self, exc: BaseException) -> None:
        self._failed(exc, dry_run=True)

    @Slot(object)
    def _erase_failed(self, exc: BaseException) -> None:
        self._failed(exc, dry_run=False)

    def _failed(self, exc: BaseException, *, dry_run: bool) -> None:
        self.summary.setText("The search failed." if dry_run else "The erasure failed; nothing was changed.")
        show_error(self, "Erasure", exc)


def _ids(ids: tuple[int, ...] | list[int]) -> str:
    return ", ".join(f"#{i}" for i in ids)


def _models_outcome(after: dict[str, Any]) -> list[str]:
    """What became of the models trained on the erased messages, in words."""
    if not after:
        return []
    lines = []
    if after.get("models_deleted"):
        lines.append(f"Model(s) {_ids(after['models_deleted'])} trained on them deleted.")
    if after.get("retrained_model_id"):
        lines.append(f"Retrained without them as model #{after['retrained_model_id']}.")
    elif after.get("mode") == "retrain":
        lines.append(f"No replacement model was saved: {after.get('retrain_refused') or 'unknown reason'}.")
    return lines
