"""Team > Agreement && Progress: how the team labels.

- **Agreement** (admins, reviewers): on the overlap, what ``scrubdesk agreement`` reports: Cohen's kappa
  for two annotators, Krippendorff's alpha for more, with each pair's kappa and a figure per label, and the
  counts behind them. Computed in a worker (it loads scikit-learn).
- **Progress**: per annotator, labelled today and in total, assigned work done and open, how often a
  reviewer kept their label (agreement with adjudicated labels) and the median time per message. Admins
  and reviewers see everyone; an annotator sees only their own line (the core decides).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from scrubdesk.core.adjudication import independent_labels
from scrubdesk.core.annotator_progress import annotator_progress
from scrubdesk.core.errors import ScrubdeskError
from scrubdesk.core.project import Project
from scrubdesk.core.roles import REVIEWER_ROLES, role_of
from scrubdesk.core.store import Store
from scrubdesk.gui.errors import user_message
from scrubdesk.gui.tasks import Task, TaskRunner

PROGRESS = ("Annotator", "Today", "Total", "Assigned", "Done", "Open", "Kept by review", "s / message")
MEASURES = {"cohen_kappa": "Cohen's kappa", "krippendorff_alpha": "Krippendorff's alpha"}


def agreement_job(project: Project) -> Any:
    """The agreement report (in a worker: its own store connection; scikit-learn loads here)."""
    from scrubdesk.models.triage.agreement import agreement  # noqa: PLC0415 - lazy: loads scikit-learn

    with project.store() as store:
        return agreement(independent_labels(store))


def _fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _table(parent: QWidget, columns: tuple[str, ...], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns), parent)
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels(columns)
    table.verticalHeader().hide()
    table.setTabKeyNavigation(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            if c:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)


class TeamView(QDialog):
    """Two tabs: Agreement (reviewers and admins only) and Progress."""

    def __init__(
        self, project: Project, store: Store, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.project, self.store, self.runner = project, store, runner
        self.task: Task | None = None
        self.result: Any = None
        self.setWindowTitle("Agreement & Progress")
        self.setObjectName("teamView")
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Agreement and progress")

        self.agreement_page = QWidget(self)
        self.overall = QLabel("Computing agreement…", self.agreement_page)
        self.overall.setObjectName("agreementOverall")
        self.overall.setTextFormat(Qt.TextFormat.PlainText)
        self.overall.setWordWrap(True)
        self.pairs = _table(self.agreement_page, ("Annotators", "Both labelled", "Same label", "Kappa"),
                            "Agreement of each pair of annotators")  # fmt: skip
        self.per_label = _table(self.agreement_page, ("Label", "Given", "Agreement"), "Agreement per label")
        agreement_layout = QVBoxLayout(self.agreement_page)
        agreement_layout.addWidget(self.overall)
        agreement_layout.addWidget(QLabel("Each pair of annotators:", self.agreement_page))
        agreement_layout.addWidget(self.pairs, 1)
        agreement_layout.addWidget(QLabel("Per label (this label or not):", self.agreement_page))
        agreement_layout.addWidget(self.per_label, 2)

        self.progress_page = QWidget(self)
        self.progress_note = QLabel(self.progress_page)
        self.progress_note.setTextFormat(Qt.TextFormat.PlainText)
        self.progress_note.setWordWrap(True)
        self.progress = _table(self.progress_page, PROGRESS, "Progress per annotator")
        self.progress.horizontalHeaderItem(6).setToolTip(
            "Of their labels a reviewer decided on, the share where the reviewer kept their label"
        )
        self.progress.horizontalHeaderItem(7).setToolTip(
            "Median seconds from showing a message to labelling it"
        )
        progress_layout = QVBoxLayout(self.progress_page)
        progress_layout.addWidget(self.progress_note)
        progress_layout.addWidget(self.progress, 1)

        self.reviewer = role_of(store) in REVIEWER_ROLES
        if self.reviewer:
            self.tabs.addTab(self.agreement_page, "&Agreement")
        else:
            self.agreement_page.hide()
        self.tabs.addTab(self.progress_page, "&Progress")
        self.refresh_button = QPushButton("&Refresh", self)
        self.refresh_button.clicked.connect(self.refresh)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.refresh_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(760, 520)
        self.refresh()

    @Slot()
    def refresh(self) -> Task | None:
        self.refresh_progress()
        return self.refresh_agreement() if self.reviewer else None

    def refresh_progress(self) -> None:
        try:
            lines = annotator_progress(self.store)
        except ScrubdeskError as exc:
            self.progress_note.setText(str(exc))
            return
        self.progress_note.setText(
            "Everyone who labelled or was given work (UTC day)."
            if self.reviewer
            else "Your own progress (reviewers and admins see everyone's)."
        )
        _fill(
            self.progress,
            [
                [
                    p.annotator,
                    f"{p.labelled_today:,}",
                    f"{p.labelled_total:,}",
                    f"{p.assigned:,}",
                    f"{p.assigned - p.open:,}",
                    f"{p.open:,}",
                    f"{p.agreement_with_adjudicated:.0%} of {p.reviewed}" if p.reviewed else "—",
                    _fmt(p.median_seconds, 1),
                ]
                for p in lines
            ],
        )

    def refresh_agreement(self) -> Task | None:
        if self.task is not None and self.task.running:
            return None
        project = self.project
        self.overall.setText("Computing agreement…")
        self.task = self.runner.run(lambda control: agreement_job(project), name="agreement")
        self.task.succeeded.connect(self._agreement_ready)
        self.task.failed.connect(self._agreement_failed)
        return self.task.start()

    @Slot(object)
    def _agreement_failed(self, exc: BaseException) -> None:
        self.overall.setText(f"Could not compute agreement: {user_message(exc)}")

    @Slot(object)
    def _agreement_ready(self, result: Any) -> None:
        self.result = result
        if not result.messages:
            self.overall.setText(
                "No message has labels from two annotators yet: assign work with an overlap (Team > Assign "
                "Work) and let them label it."
            )
            _fill(self.pairs, [])
            _fill(self.per_label, [])
            return
        observed = result.all_agree / result.messages
        self.overall.setText(
            f"{MEASURES.get(result.measure, result.measure)}: {_fmt(result.value)} over {result.messages:,} "
            f"overlap message(s) labelled by {len(result.annotators)} annotators. All agree on "
            f"{result.all_agree:,} ({observed:.0%}); {result.messages - result.all_agree:,} disagreement(s) "
            "go to the label-review queue."
        )
        _fill(
            self.pairs,
            [
                [f"{p.first} / {p.second}", f"{p.messages:,}", _fmt(p.observed, 2), _fmt(p.kappa)]
                for p in result.pairs
            ],
        )
        key = "kappa" if result.measure == "cohen_kappa" else "alpha"
        _fill(
            self.per_label,
            [[label, f"{f['given']:,}", _fmt(f.get(key))] for label, f in result.per_label.items()],
        )
