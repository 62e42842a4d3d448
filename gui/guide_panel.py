"""The annotation guide panel: the project's guidelines and what each label is for, beside the list.

Everyone reads it; reviewers and admins edit it (Edit…), and the core refuses anyone else. The texts are
the project's own (written by its people, never message text) and are shown as plain text.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from scrubdesk.core.errors import ScrubdeskError
from scrubdesk.core.label_guide import MANAGE_ROLES, LabelGuide, label_guide, set_label_guide
from scrubdesk.core.project import Project
from scrubdesk.core.roles import role_of
from scrubdesk.core.store import Store
from scrubdesk.gui.errors import show_error
from scrubdesk.gui.label_bar import NUMBERED

EMPTY_GUIDELINES = "No guidelines yet. A reviewer or admin can write them here (Edit…)."
EMPTY_LABELS = "No labels yet: add them from the label bar's Labels menu."


def _read_only_table(columns: tuple[str, ...], parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, len(columns), parent)
    table.setHorizontalHeaderLabels(columns)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setTabKeyNavigation(False)
    table.setWordWrap(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


class GuidePanel(QWidget):
    """Guidelines over a table of labels (key, name, description)."""

    guide_changed = Signal(object)  # LabelGuide: loaded or edited (the label bar's tooltips follow)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guidePanel")
        self._project: Project | None = None
        self._store: Store | None = None
        self._labels: list[str] = []
        self.guide = LabelGuide()
        self.guidelines = QPlainTextEdit(self)
        self.guidelines.setReadOnly(True)
        self.guidelines.setAccessibleName("Annotation guidelines")
        self.labels_table = _read_only_table(("Key", "Label", "What it is for"), self)
        self.labels_table.setAccessibleName("Labels and what they are for")
        self.empty_hint = QLabel(EMPTY_LABELS, self)
        self.empty_hint.setWordWrap(True)
        self.edit_button = QPushButton("Edit…", self)
        self.edit_button.setToolTip("Write the guidelines and the labels' descriptions (reviewers, admins)")
        self.edit_button.clicked.connect(self.edit)
        top = QHBoxLayout()
        top.addWidget(QLabel("Guidelines", self), 1)
        top.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.guidelines, 2)
        layout.addWidget(QLabel("Labels", self))
        layout.addWidget(self.empty_hint)
        layout.addWidget(self.labels_table, 3)
        self.set_project(None, None)

    def set_project(self, project: Project | None, store: Store | None) -> None:
        self._project, self._store = project, store
        self.reload()

    @Slot(list)
    def set_labels(self, labels: list[str]) -> None:
        """The label set changed (or was loaded)."""
        self._labels = list(labels)
        self.reload()

    def reload(self) -> None:
        store = self._store
        self.guide = label_guide(store) if store is not None else LabelGuide()
        may_edit = store is not None and role_of(store) in MANAGE_ROLES
        self.edit_button.setVisible(may_edit)
        self.guidelines.setPlainText(self.guide.guidelines or EMPTY_GUIDELINES)
        self.empty_hint.setVisible(store is not None and not self._labels)
        self.labels_table.setRowCount(len(self._labels))
        for row, label in enumerate(self._labels):
            key = str(row + 1) if row < NUMBERED else "L"
            for col, text in enumerate((key, label, self.guide.description(label) or "—")):
                self.labels_table.setItem(row, col, QTableWidgetItem(text))
        self.guide_changed.emit(self.guide)

    @Slot()
    def edit(self) -> bool:
        """The guide editor; True when a change was saved."""
        if self._project is None or self._store is None:
            return False
        dialog = LabelGuideDialog(self.guide, self._labels, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        return self.save(dialog.guidelines.toPlainText(), dialog.descriptions())

    def save(self, guidelines: str, descriptions: dict[str, str]) -> bool:
        assert self._project is not None and self._store is not None
        try:
            set_label_guide(self._project, self._store, guidelines, descriptions)
        except ScrubdeskError as exc:
            show_error(self, "Could not save the guide", exc)
            return False
        self.reload()
        return True


class LabelGuideDialog(QDialog):
    """Edit the guidelines and one description per label."""

    def __init__(self, guide: LabelGuide, labels: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Annotation Guide")
        self.guidelines = QPlainTextEdit(self)
        self.guidelines.setPlainText(guide.guidelines)
        self.guidelines.setTabChangesFocus(True)
        self.guidelines.setAccessibleName("Guidelines")
        self.table = QTableWidget(len(labels), 2, self)
        self.table.setHorizontalHeaderLabels(("Label", "What it is for"))
        self.table.verticalHeader().hide()
        self.table.setAccessibleName("Label descriptions")
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        for row, label in enumerate(labels):
            name = QTableWidgetItem(label)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, QTableWidgetItem(guide.description(label)))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Guidelines for everyone who labels:", self))
        layout.addWidget(self.guidelines, 1)
        layout.addWidget(QLabel("What each label is for (shown in the label buttons' tooltips):", self))
        layout.addWidget(self.table, 2)
        layout.addWidget(buttons)
        self.resize(700, 640)

    def descriptions(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for row in range(self.table.rowCount()):
            label, text = self.table.item(row, 0), self.table.item(row, 1)
            if label is not None and text is not None and text.text().strip():
                found[label.text()] = text.text()
        return found
