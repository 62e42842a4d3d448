"""Dialogs that choose a project folder: a new project (name + parent folder) or an existing one."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from scrubdesk.gui.settings import AppSettings

_UNSAFE = re.compile(r"[^\w.-]+")


def folder_name(name: str) -> str:
    """A folder name for a project name: letters, digits, dot, dash and underscore only."""
    return _UNSAFE.sub("-", name.strip()).strip("-.") or "project"


class NewProjectDialog(QDialog):
    """Asks for a project name and the folder to create it in; the project folder is parent/name."""

    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("New project")
        self.setMinimumWidth(520)

        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("e.g. Complaints triage 2025")
        self.parent_edit = QLineEdit(settings.last_dir("projects"), self)
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        parent_row = QHBoxLayout()
        parent_row.addWidget(self.parent_edit, 1)
        parent_row.addWidget(browse)

        self.preview = QLabel(self)
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.preview.setWordWrap(True)
        self.preview.setEnabled(False)
        note = QLabel(
            "The project's encryption key is kept in your system keyring, never in the folder. "
            "Without that keyring entry the project cannot be opened.",
            self,
        )
        note.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Name:", self.name_edit)
        form.addRow("Create in:", parent_row)
        form.addRow("", self.preview)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.name_edit.textChanged.connect(self._update)
        self.parent_edit.textChanged.connect(self._update)
        self._update()

    @Slot()
    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Create the project in", self.parent_edit.text())
        if folder:
            self.parent_edit.setText(folder)

    def project_name(self) -> str:
        return self.name_edit.text().strip()

    def project_path(self) -> Path:
        return Path(self.parent_edit.text().strip()).expanduser() / folder_name(self.project_name())

    @Slot()
    def _update(self) -> None:
        ok = bool(self.project_name()) and bool(self.parent_edit.text().strip())
        self.preview.setText(f"Folder: {self.project_path()}" if ok else "")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    @Slot()
    def accept(self) -> None:
        self.settings.set_last_dir("projects", Path(self.parent_edit.text().strip()).expanduser())
        super().accept()


def choose_project_folder(parent: QWidget | None, settings: AppSettings) -> Path | None:
    folder = QFileDialog.getExistingDirectory(parent, "Open project folder", settings.last_dir("projects"))
    if not folder:
        return None
    settings.set_last_dir("projects", Path(folder).parent)
    return Path(folder)
