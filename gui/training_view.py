"""The training view: train the triage classifier in a worker, see its metrics, confusion matrix and
privacy audit, and the project's model history with lineage and stale markers.

Training is ``scrubdesk.models.triage.training_job.run_training`` run by the :class:`TaskRunner`; the view
only shows what the model record and card hold (numbers and labels, never message text).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QFontMetrics, QHelpEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from scrubdesk.core.adjudication import set_training_labels, training_labels
from scrubdesk.core.db.trained_models import ModelRecord, list_models
from scrubdesk.core.errors import ScrubdeskError
from scrubdesk.core.project import Project
from scrubdesk.core.roles import TRAIN_ROLES, role_of
from scrubdesk.gui.errors import show_error
from scrubdesk.gui.tasks import Task, TaskRunner
from scrubdesk.models.triage.settings import TriageSettings

log = logging.getLogger(__name__)

MIA_OK = 0.55  # the target: an attacker does little better than a coin flip
HISTORY_COLUMNS = ("Model", "Trained", "Messages", "Accuracy", "Macro-F1", "MIA AUC", "Status")
CLASS_COLUMNS = ("Label", "Precision", "Recall", "F1", "Support")


def _fmt(value: Any, digits: int = 3) -> str:
    return f"{value:.{digits}f}" if isinstance(value, int | float) else "–"


def _when(iso: str) -> str:
    """'2026-11-23 18:24 UTC' from a stored ISO timestamp."""
    return iso.replace("T", " ")[:16] + " UTC" if iso else "–"


def model_status(model: ModelRecord) -> str:
    if model.stale:
        return "stale: " + model.stale_explanation
    auc = model.audit.get("membership_inference", {}).get("auc")
    if isinstance(auc, int | float) and auc > MIA_OK:
        return f"current; membership-inference AUC above {MIA_OK}"
    return "current"


def mia_verdict(auc: float | None) -> str:
    if auc is None:
        return "not measured"
    if auc <= MIA_OK:
        return f"AUC {auc:.3f}: no measurable membership leak (≤ {MIA_OK})"
    return f"AUC {auc:.3f}: above {MIA_OK}; the model may reveal who was in its training set"


class ConfusionMatrix(QWidget):
    """A heat map of the confusion matrix, rows = true label, columns = predicted, row-normalised
    colours, counts in the cells and a tooltip per cell."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels: list[str] = []
        self.matrix: list[list[int]] = []
        self.setMouseTracking(True)
        self.setMinimumSize(240, 240)

    def set_matrix(self, labels: list[str], matrix: list[list[int]]) -> None:
        if any(len(row) != len(labels) for row in matrix) or len(matrix) != len(labels):
            raise ValueError("the confusion matrix must be square and match the labels")
        self.labels, self.matrix = list(labels), [list(r) for r in matrix]
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(420, 420)

    def _geometry(self) -> tuple[float, float, float]:
        metrics = QFontMetrics(self.font())
        margin = min(140, max((metrics.horizontalAdvance(lb) for lb in self.labels), default=0) + 12)
        n = max(1, len(self.labels))
        cell = max(4.0, min((self.width() - margin - 4) / n, (self.height() - margin - 4) / n))
        return float(margin), float(margin), cell

    def cell_at(self, pos: QPointF) -> tuple[int, int] | None:
        left, top, cell = self._geometry()
        col, row = int((pos.x() - left) // cell), int((pos.y() - top) // cell)
        n = len(self.labels)
        return (row, col) if 0 <= row < n and 0 <= col < n and pos.x() >= left and pos.y() >= top else None

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        palette = self.palette()
        if not self.labels:
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No model selected")
            return
        left, top, cell = self._geometry()
        base = palette.base().color()
        accent = QColor(0x1F, 0x77, 0xB4)
        small = QFont(self.font())
        small.setPointSizeF(max(6.0, min(self.font().pointSizeF(), cell * 0.45)))
        painter.setFont(small)
        for r, row in enumerate(self.matrix):
            total = sum(row) or 1
            for c, count in enumerate(row):
                share = count / total
                colour = QColor(
                    round(base.red() + (accent.red() - base.red()) * share),
                    round(base.green() + (accent.green() - base.green()) * share),
                    round(base.blue() + (accent.blue() - base.blue()) * share),
                )
                rect = QRectF(left + c * cell, top + r * cell, cell, cell)
                painter.fillRect(rect, colour)
                if r == c:
                    painter.setPen(palette.text().color())
                    painter.drawRect(rect.adjusted(0, 0, -1, -1))
                if count and cell >= 18:
                    painter.setPen(Qt.GlobalColor.white if share > 0.5 else palette.text().color())
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(count))
        painter.setFont(self.font())
        painter.setPen(palette.text().color())
        metrics = QFontMetrics(self.font())
        if cell >= metrics.height() * 0.8:
            for i, label in enumerate(self.labels):
                text = metrics.elidedText(label, Qt.TextElideMode.ElideRight, int(left) - 8)
                painter.drawText(
                    QRectF(0, top + i * cell, left - 6, cell),
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                    text,
                )
                painter.save()
                painter.translate(left + i * cell + cell / 2 + metrics.ascent() / 2, top - 6)
                painter.rotate(-90)
                painter.drawText(QPointF(0, 0), text)
                painter.restore()

    def event(self, event: Any) -> bool:
        if isinstance(event, QHelpEvent):
            hit = self.cell_at(QPointF(event.pos()))
            if hit is None:
                QToolTip.hideText()
            else:
                r, c = hit
                QToolTip.showText(
                    event.globalPos(),
                    f"true {self.labels[r]} → predicted {self.labels[c]}: {self.matrix[r][c]}",
                    self,
                )
            return True
        return super().event(event)


class TrainingView(QWidget):
    """Train, inspect and compare models of the open project."""

    model_trained = Signal(int)  # model id

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.project: Project | None = None
        self.task: Task | None = None
        self.role: str | None = None
        self.models: list[ModelRecord] = []
        self._build()
        self._update_enabled()

    # --- construction ------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        controls = QHBoxLayout()
        form = QFormLayout()
        self.k_spin = QSpinBox(minimum=1, maximum=100, value=TriageSettings.k)
        self.k_spin.setAccessibleName("Vocabulary k: distinct senders per term")
        self.k_spin.setToolTip("TF-IDF features: a term needs messages from at least k distinct senders")
        form.addRow("Vocabulary k:", self.k_spin)
        self.folds_spin = QSpinBox(minimum=2, maximum=10, value=TriageSettings.cv_folds)
        self.folds_spin.setAccessibleName("Cross-validation folds")
        form.addRow("Cross-validation folds:", self.folds_spin)
        dp_row = QHBoxLayout()
        self.dp_check = QCheckBox("Differential privacy, ε =")
        self.dp_epsilon = QDoubleSpinBox(minimum=0.1, maximum=100.0, value=5.0, singleStep=0.5)
        self.dp_epsilon.setAccessibleName("Differential privacy epsilon")
        self.dp_epsilon.setEnabled(False)
        self.dp_check.toggled.connect(self.dp_epsilon.setEnabled)
        dp_row.addWidget(self.dp_check)
        dp_row.addWidget(self.dp_epsilon)
        dp_row.addStretch()
        form.addRow(dp_row)
        self.accept_risk_check = QCheckBox("Save even above the membership-inference gate")
        self.accept_risk_check.setToolTip(
            "A model whose training messages can be told from unseen ones (AUC above the gate) is saved "
            "only when this is ticked; the card and the audit log record it"
        )
        form.addRow(self.accept_risk_check)
        self.labels_combo = QComboBox()  # a project setting (admins): the team's adjudicated labels only
        self.labels_combo.setAccessibleName("Which labels train")
        self.labels_combo.addItem("All labels", "all")
        self.labels_combo.addItem("Adjudicated only (agreed or reviewed)", "adjudicated")
        self.labels_combo.setToolTip("A project setting (admins): which labels a model trains on")
        self.labels_combo.activated.connect(self._labels_chosen)
        form.addRow("Train on:", self.labels_combo)
        form_box = QWidget()
        form_box.setLayout(form)
        form_box.setMaximumWidth(420)
        controls.addWidget(form_box)
        buttons = QVBoxLayout()
        self.train_button = QPushButton("&Train model")
        self.train_button.clicked.connect(self.train)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch()
        controls.addLayout(buttons)
        controls.addStretch()
        layout.addLayout(controls)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setVisible(False)  # shown while a training runs
        self.status = QLabel("Trains on approved, labelled messages, using their scrubbed text only.")
        self.status.setWordWrap(True)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)

        splitter = QSplitter(Qt.Orientation.Vertical)
        self.history = QTableWidget(0, len(HISTORY_COLUMNS))
        self.history.setAccessibleName("Trained models")
        self.history.setHorizontalHeaderLabels(HISTORY_COLUMNS)
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.verticalHeader().setVisible(False)
        self.history.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.history.horizontalHeader().setStretchLastSection(True)
        self.history.itemSelectionChanged.connect(self._selection_changed)
        history_box = QGroupBox("Model history")
        QVBoxLayout(history_box).addWidget(self.history)
        splitter.addWidget(history_box)

        details = QWidget()
        details_layout = QHBoxLayout(details)
        left = QVBoxLayout()
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        left.addWidget(self.summary)
        self.per_class = QTableWidget(0, len(CLASS_COLUMNS))
        self.per_class.setAccessibleName("Scores per label")
        self.per_class.setHorizontalHeaderLabels(CLASS_COLUMNS)
        self.per_class.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.per_class.verticalHeader().setVisible(False)
        header = self.per_class.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        left.addWidget(self.per_class)
        audit_box = QGroupBox("Privacy audit")
        self.audit_label = QLabel()
        self.audit_label.setTextFormat(Qt.TextFormat.PlainText)
        self.audit_label.setWordWrap(True)
        QVBoxLayout(audit_box).addWidget(self.audit_label)
        left.addWidget(audit_box)
        details_layout.addLayout(left, 1)
        matrix_box = QGroupBox("Confusion matrix (rows: true label, columns: predicted)")
        self.matrix = ConfusionMatrix()
        self.matrix.setAccessibleName("Confusion matrix")
        QVBoxLayout(matrix_box).addWidget(self.matrix)
        details_layout.addWidget(matrix_box, 1)
        splitter.addWidget(details)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([160, 600])
        layout.addWidget(splitter, 1)

    # --- project -------------------------------------------------------------------------------------

    def set_project(self, project: Project | None) -> None:
        if self.task is not None and self.task.running:
            self.task.cancel()
        self.project = project
        self.refresh()

    def refresh(self, select: int | None = None) -> None:
        """Reload the model history from the store (a handful of rows: cheap in the UI thread) and show
        model ``select`` (default: the newest that is not stale)."""
        if self.project is None:
            self.models = []
            self.role = None
        else:
            with self.project.store() as store:
                self.models = list_models(store)[::-1]  # newest first
                self.role = role_of(store)
                self.labels_combo.setCurrentIndex(max(self.labels_combo.findData(training_labels(store)), 0))
        self._fill_history(select)
        self._update_enabled()

    def _fill_history(self, select: int | None = None) -> None:
        self.history.setRowCount(len(self.models))
        for row, model in enumerate(self.models):
            mia = model.audit.get("membership_inference", {}).get("auc")
            values = (
                f"#{model.id}",
                _when(model.created_at),
                str(model.n_train),
                _fmt(model.metrics.get("accuracy")),
                _fmt(model.metrics.get("macro_f1")),
                _fmt(mia),
                model_status(model),
            )
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if model.stale:
                    item.setForeground(self.palette().placeholderText())
                    item.setToolTip("A message this model was trained on has since been erased: retrain.")
                self.history.setItem(row, col, item)
        if self.models:
            wanted = next((i for i, m in enumerate(self.models) if m.id == select), None)
            current = (
                wanted
                if wanted is not None
                else next((i for i, m in enumerate(self.models) if not m.stale), 0)
            )
            self.history.blockSignals(True)
            self.history.selectRow(current)
            self.history.blockSignals(False)
            # shown explicitly: selecting the row that was already selected emits nothing, and the
            # row at that index may now be another model
            self.show_model(self.models[current])
        else:
            self.show_model(None)

    @Slot()
    def _selection_changed(self) -> None:
        rows = {i.row() for i in self.history.selectedItems()}
        self.show_model(self.models[min(rows)] if rows else None)

    def selected_model(self) -> ModelRecord | None:
        rows = {i.row() for i in self.history.selectedItems()}
        return self.models[min(rows)] if rows else None

    def card_metrics(self, model: ModelRecord) -> dict[str, Any]:
        """The model's metrics including the per-class table and confusion matrix, which live in its card
        beside the model file (the store keeps the summary only)."""
        if self.project is None:
            return model.metrics
        card_path = (self.project.path / model.path).with_suffix(".card.json")
        try:
            card = json.loads(Path(card_path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log.warning("model card of model %d is missing or unreadable", model.id)
            return model.metrics
        return {**card.get("metrics", {}), **model.metrics}

    def show_model(self, model: ModelRecord | None) -> None:
        if model is None:
            self.summary.setText("No model yet. Approve and label messages, then train.")
            self.per_class.setRowCount(0)
            self.audit_label.setText("")
            self.matrix.set_matrix([], [])
            return
        m = self.card_metrics(model)
        dp = model.settings.get("dp_epsilon")
        self.summary.setText(
            f"Model #{model.id}, trained {_when(model.created_at)} on {model.n_train} messages"
            f" ({m.get('folds', '?')}-fold cross-validation).\n"
            f"Accuracy {_fmt(m.get('accuracy'))}, macro-F1 {_fmt(m.get('macro_f1'))}"
            + (f", differentially private with ε = {dp}" if dp else "")
            + f".\nLineage: training-set digest {model.msg_list_digest[:16]}…"
            + (f"\nSTALE: {model.stale_explanation}." if model.stale else "")
        )
        per_class = m.get("per_class", {})
        self.per_class.setRowCount(len(per_class))
        for row, (label, scores) in enumerate(per_class.items()):
            cells = (
                label,
                _fmt(scores.get("precision")),
                _fmt(scores.get("recall")),
                _fmt(scores.get("f1")),
                str(scores.get("support", "")),
            )
            for col, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if col:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.per_class.setItem(row, col, item)
        scan = model.audit.get("vocabulary_scan", {})
        mia = model.audit.get("membership_inference", {})
        self.audit_label.setText(
            f"Vocabulary scan: {scan.get('findings', '?')} finding(s) in "
            f"{scan.get('strings_scanned', '?')} stored strings"
            f" ({'passed' if scan.get('passed') else 'FAILED'}).\n"
            f"Terms refused before training: {model.audit.get('terms_refused', '?')}.\n"
            f"Membership inference: {mia_verdict(mia.get('auc'))}."
        )
        labels = m.get("labels", [])
        confusion = m.get("confusion", [])
        self.matrix.set_matrix(labels, confusion) if labels and confusion else self.matrix.set_matrix([], [])

    # --- training ------------------------------------------------------------------------------------

    def settings(self) -> TriageSettings:
        return TriageSettings(
            k=self.k_spin.value(),
            cv_folds=self.folds_spin.value(),
            dp_epsilon=self.dp_epsilon.value() if self.dp_check.isChecked() else None,
        )

    @Slot()
    def train(self) -> Task | None:
        if self.project is None or (self.task is not None and self.task.running):
            return None
        from scrubdesk.models.triage.training_job import run_training  # noqa: PLC0415 - lazy: loads scikit-learn

        project, settings = self.project, self.settings()
        accept = self.accept_risk_check.isChecked()
        self.task = self.runner.run(
            lambda control: run_training(project, settings, control, accept_membership_risk=accept),
            name="training",
        )
        self.task.progressed.connect(self._on_progress)
        self.task.succeeded.connect(self._on_trained)
        self.task.failed.connect(self._on_failed)
        self.task.cancelled.connect(self._on_cancelled)
        self.task.finished.connect(self._update_enabled)
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.status.setText("Training…")
        self.task.start()
        self._update_enabled()
        return self.task

    @Slot(int)
    def _labels_chosen(self, _index: int) -> None:
        if self.project is None:
            return
        with self.project.store() as store:
            try:
                mode = set_training_labels(self.project, store, self.labels_combo.currentData())
            except ScrubdeskError as exc:
                mode = training_labels(store)
                show_error(self, "Could not change which labels train", exc)
        self.labels_combo.setCurrentIndex(max(self.labels_combo.findData(mode), 0))

    @Slot()
    def cancel(self) -> None:
        if self.task is not None and self.task.running:
            self.task.cancel()
            self.status.setText("Cancelling…")

    @Slot(int, object, str)
    def _on_progress(self, done: int, total: int | None, message: str) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        self.status.setText(message[:1].upper() + message[1:] + "…")

    @Slot(object)
    def _on_trained(self, summary: Any) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        if summary.cancelled:
            self.status.setText("Training cancelled: nothing was saved.")
        elif not summary.saved:
            self.status.setText(f"The model was NOT saved: {summary.explanation}")
        else:
            self.status.setText(
                f"Model #{summary.model_id} saved: accuracy {_fmt(summary.metrics.get('accuracy'))}, "
                f"macro-F1 {_fmt(summary.metrics.get('macro_f1'))}, {summary.seconds:.1f} s."
            )
        self.refresh(select=summary.model_id if summary.saved else None)
        if summary.saved and summary.model_id is not None:
            self.model_trained.emit(summary.model_id)

    @Slot()
    def _on_cancelled(self) -> None:
        self.status.setText("Training cancelled: nothing was saved.")

    @Slot(object)
    def _on_failed(self, exc: BaseException) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText("Training failed.")
        show_error(self, "Training failed", exc)

    @Slot()
    def _update_enabled(self) -> None:
        running = self.task is not None and self.task.running
        self.progress.setVisible(running)
        may_train = self.role in TRAIN_ROLES  # the training job checks it too
        self.train_button.setEnabled(self.project is not None and not running and may_train)
        self.train_button.setToolTip(
            "" if may_train or self.project is None else "Training a model needs the reviewer or admin role"
        )
        self.cancel_button.setEnabled(running)
        for widget in (self.k_spin, self.folds_spin, self.dp_check, self.accept_risk_check):
            widget.setEnabled(not running)
        self.labels_combo.setEnabled(not running and self.role == "admin")
