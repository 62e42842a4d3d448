"""Team > Assign Work (admins): split unlabelled messages among annotators, and move open work on.

The people table lists everyone who holds a role, with what they have been given and what is still open
for them. Tick the annotators, then split all unlabelled, unassigned messages (or a number of them, or
those matching a filter) equally, by share or by count, with an overlap share that two or more of them
label independently. Reassign hands open work (of someone, older than some days, or of people who no
longer hold a role) to the ticked annotators, or back to the pool when none is ticked. The core checks
the admin role and audit-logs each step with keyed IDs only; this dialog asks and shows the counts.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from scrubdesk.core import assignments
from scrubdesk.core.db import assignments as assignment_rows
from scrubdesk.core.db import messages
from scrubdesk.core.errors import ScrubdeskError
from scrubdesk.core.labels import list_labels
from scrubdesk.core.project import Project
from scrubdesk.core.roles import list_roles
from scrubdesk.core.store import Store

MODES = (("Equally", "equal"), ("By share", "share"), ("By count", "count"))
PEOPLE = ("Annotator", "Role", "Assigned", "Open", "Share / count")
ANYONE, ANY = "Anyone", "Any"


def _int_item(value: int) -> QTableWidgetItem:
    item = QTableWidgetItem(f"{value:,}")
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item


class AssignDialog(QDialog):
    assigned = Signal()  # work was assigned or moved: the message list's queue changes

    def __init__(self, project: Project, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project, self.store = project, store
        self.setWindowTitle("Assign Work")
        self.setObjectName("assignDialog")
        self.people = QTableWidget(0, len(PEOPLE), self)
        self.people.setObjectName("assignPeople")
        self.people.setAccessibleName("Annotators: tick who gets work; share or count to the right")
        self.people.setHorizontalHeaderLabels(PEOPLE)
        self.people.verticalHeader().hide()
        self.people.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.people.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed | QAbstractItemView.EditTrigger.DoubleClicked
        )
        header = self.people.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

        self.mode = QComboBox(self)
        self.mode.setAccessibleName("Split")
        for text, data in MODES:
            self.mode.addItem(text, data)
        self.limit = QSpinBox(self)
        self.limit.setAccessibleName("How many messages (0: all)")
        self.limit.setRange(0, 10_000_000)
        self.limit.setSpecialValueText("all unassigned")
        self.overlap = QSpinBox(self)
        self.overlap.setAccessibleName("Overlap per cent")
        self.overlap.setRange(0, int(assignments.MAX_OVERLAP * 100))
        self.overlap.setSuffix(" %")
        self.overlap.setToolTip("This share is labelled independently by several annotators (agreement)")
        self.overlap_people = QSpinBox(self)
        self.overlap_people.setAccessibleName("Annotators per overlap message")
        self.overlap_people.setRange(2, 10)
        self.pii_type = QComboBox(self)
        self.pii_type.setAccessibleName("Only messages with PII of type")
        self.suggested = QComboBox(self)
        self.suggested.setAccessibleName("Only messages the model suggests this label for")
        self.assign_button = QPushButton("&Assign", self)
        self.assign_button.setObjectName("assignButton")
        self.assign_button.clicked.connect(self.assign)
        split = QFormLayout()
        split.addRow("&Split:", self.mode)
        split.addRow("&Messages:", self.limit)
        overlap_row = QHBoxLayout()
        overlap_row.addWidget(self.overlap)
        overlap_row.addWidget(QLabel("labelled by", self))
        overlap_row.addWidget(self.overlap_people)
        overlap_row.addWidget(QLabel("annotators each", self), 1)
        overlap_label = QLabel("&Overlap:", self)
        overlap_label.setBuddy(self.overlap)
        split.addRow(overlap_label, overlap_row)
        split.addRow("&PII type:", self.pii_type)
        split.addRow("Su&ggested label:", self.suggested)
        split.addRow("", self.assign_button)
        split_box = QGroupBox("Split unlabelled, unassigned messages among the ticked annotators", self)
        split_box.setLayout(split)

        self.move_from = QComboBox(self)
        self.move_from.setAccessibleName("Move the open work of")
        self.older = QDoubleSpinBox(self)
        self.older.setAccessibleName("Assigned more than this many days ago")
        self.older.setRange(0, 3650)
        self.older.setDecimals(1)
        self.older.setSpecialValueText("any age")
        self.older.setSuffix(" days")
        self.without_role = QCheckBox("only of people who no longer hold a role", self)
        self.reassign_button = QPushButton("&Reassign", self)
        self.reassign_button.setObjectName("reassignButton")
        self.reassign_button.clicked.connect(self.reassign)
        move = QFormLayout()
        move.addRow("&From:", self.move_from)
        move.addRow("Ol&der than:", self.older)
        move.addRow("", self.without_role)
        move.addRow("", self.reassign_button)
        move_box = QGroupBox("Move open work to the ticked annotators (none ticked: back to the pool)", self)
        move_box.setLayout(move)

        self.result = QLabel(self)
        self.result.setObjectName("assignResult")
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        self.result.setWordWrap(True)
        self.result.setMinimumHeight(3 * self.fontMetrics().lineSpacing())  # a wrapped result is not cut
        self.pool = QLabel(self)
        self.pool.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pool)
        layout.addWidget(self.people, 1)
        layout.addWidget(split_box)
        layout.addWidget(move_box)
        layout.addWidget(self.result)
        layout.addWidget(buttons)
        self.resize(720, 700)
        self._fill_filters()
        self.reload()

    def _fill_filters(self) -> None:
        self.pii_type.addItem(ANY, None)
        for kind in messages.pii_types(self.store):
            self.pii_type.addItem(kind, kind)
        self.suggested.addItem(ANY, None)
        for label in list_labels(self.store):
            self.suggested.addItem(label, label)

    def reload(self) -> None:
        """Everyone who holds a role, with their assigned and open work (ticks are kept)."""
        ticked = set(self.ticked())
        work = {o.annotator: o for o in assignments.overview(self.store)}
        grants = {g.os_user: g.role for g in list_roles(self.store)}
        names = sorted(set(grants) | set(work), key=lambda n: (grants.get(n) != "annotator", n))
        self.people.setRowCount(len(names))
        for row, name in enumerate(names):
            who = QTableWidgetItem(name)
            who.setFlags(
                Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable
            )
            tick = name in ticked or (not ticked and grants.get(name) == "annotator")
            who.setCheckState(Qt.CheckState.Checked if tick else Qt.CheckState.Unchecked)
            role = QTableWidgetItem(grants.get(name, "no role"))
            role.setFlags(role.flags() & ~Qt.ItemFlag.ItemIsEditable)
            o = work.get(name)
            weight = self.people.item(row, 4)
            self.people.setItem(row, 0, who)
            self.people.setItem(row, 1, role)
            self.people.setItem(row, 2, _int_item(o.assigned if o else 0))
            self.people.setItem(row, 3, _int_item(o.open if o else 0))
            self.people.setItem(row, 4, QTableWidgetItem(weight.text() if weight is not None else "1"))
        self.move_from.clear()
        self.move_from.addItem(ANYONE, None)
        for name in sorted(work):
            self.move_from.addItem(name, name)
        pool = len(assignment_rows.unassigned_unlabelled_ids(self.store))
        self.pool.setText(f"{pool:,} unlabelled message(s) are not assigned to anyone.")

    def ticked(self) -> list[str]:
        found = []
        for row in range(self.people.rowCount()):
            item = self.people.item(row, 0)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                found.append(item.text())
        return found

    def set_weight(self, name: str, value: float) -> None:
        for row in range(self.people.rowCount()):
            if self.people.item(row, 0).text() == name:
                self.people.item(row, 4).setText(f"{value:g}")

    def _weights(self, names: list[str]) -> list[float]:
        rows = {self.people.item(r, 0).text(): r for r in range(self.people.rowCount())}
        values = []
        for name in names:
            text = self.people.item(rows[name], 4).text().strip()
            try:
                values.append(float(text))
            except ValueError:
                raise ScrubdeskError(f"the share or count of {name} is not a number: {text!r}") from None
        return values

    @Slot()
    def assign(self) -> assignments.AssignSummary | None:
        names = self.ticked()
        mode = self.mode.currentData()
        where = assignments.AssignFilter(
            pii_type=self.pii_type.currentData(), suggested=self.suggested.currentData()
        )
        try:
            weights = self._weights(names) if mode != "equal" else []
            summary = assignments.assign(
                self.project,
                self.store,
                names,
                counts=[int(w) for w in weights] if mode == "count" else None,
                shares=weights if mode == "share" else None,
                overlap=self.overlap.value() / 100,
                overlap_annotators=self.overlap_people.value(),
                limit=self.limit.value() or None,
                where=where,
            )
        except ScrubdeskError as exc:
            self.result.setText(str(exc))
            return None
        each = ", ".join(f"{who} {n:,}" for who, n in summary.per_annotator.items())
        left = summary.candidates - summary.assigned
        self.result.setText(
            f"Assigned {summary.assigned:,} message(s): {summary.overlap:,} overlap (labelled "
            f"independently), {summary.single:,} single. {each}. {left:,} of "
            f"{summary.candidates:,} matching message(s) left unassigned."
        )
        self.reload()
        self.assigned.emit()
        return summary

    @Slot()
    def reassign(self) -> assignments.ReassignSummary | None:
        source = self.move_from.currentData()
        try:
            summary = assignments.reassign(
                self.project,
                self.store,
                self.ticked(),
                from_annotators=[source] if source else None,
                older_than_days=self.older.value() or None,
                without_role=self.without_role.isChecked(),
            )
        except ScrubdeskError as exc:
            self.result.setText(str(exc))
            return None
        moved = ", ".join(f"{who} {n:,}" for who, n in summary.moved.items()) or "nobody"
        self.result.setText(
            f"Moved {sum(summary.moved.values()):,} open message(s) to {moved}; {summary.released:,} back to "
            f"the pool; {summary.kept:,} kept (every ticked annotator already had them)."
        )
        self.reload()
        self.assigned.emit()
        return summary
