"""Project > Roles (admins): who may do what in this project. Grant or change a role by OS user name,
revoke one. The core checks the admin role again, refuses to remove the last admin, and audit-logs each
change; this dialog only shows and asks."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
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

from scrubdesk.core.errors import ScrubdeskError
from scrubdesk.core.project import Project
from scrubdesk.core.roles import ROLES, change_role, list_roles, revoke_role

ROLE_HELP = (
    "admin: everything, including roles, erasure and purge · reviewer: approves redactions, analyses, "
    "trains, exports · annotator: labels and decides spans"
)


class RolesDialog(QDialog):
    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.setWindowTitle("Roles")
        help_label = QLabel(ROLE_HELP, self)
        help_label.setWordWrap(True)
        self.table = QTableWidget(0, 4, self)
        self.table.setAccessibleName("Roles in this project")
        self.table.setHorizontalHeaderLabels(("OS user", "Role", "Granted by", "When (UTC)"))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selected)
        self.user = QLineEdit(self)
        self.user.setPlaceholderText("OS user name")
        self.user.setAccessibleName("OS user name")
        self.role = QComboBox(self)
        self.role.addItems(ROLES)
        self.role.setAccessibleName("Role")
        self.grant_button = QPushButton("&Grant", self)
        self.grant_button.clicked.connect(self.grant)
        self.revoke_button = QPushButton("&Revoke", self)
        self.revoke_button.clicked.connect(self.revoke)
        self.notice = QLabel(self)
        self.notice.setWordWrap(True)
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        row = QHBoxLayout()
        row.addWidget(self.user, 2)
        row.addWidget(self.role, 1)
        row.addWidget(self.grant_button)
        row.addWidget(self.revoke_button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(help_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.notice)
        layout.addWidget(buttons)
        self.resize(640, 420)
        self.reload()

    def reload(self) -> None:
        with self.project.store() as store:
            grants = list_roles(store)
        self.table.setRowCount(len(grants))
        for r, g in enumerate(grants):
            for c, value in enumerate((g.os_user, g.role, g.granted_by, g.granted_at.replace("T", " ")[:16])):
                self.table.setItem(r, c, QTableWidgetItem(value))

    @Slot()
    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.user.setText(self.table.item(rows[0].row(), 0).text())
            self.role.setCurrentText(self.table.item(rows[0].row(), 1).text())

    @Slot()
    def grant(self) -> bool:
        try:
            done = change_role(self.project, self.user.text(), self.role.currentText())
        except ScrubdeskError as exc:
            self.notice.setText(str(exc))
            return False
        before = f" (was {done['previous_role']})" if done["previous_role"] else ""
        self.notice.setText(f"{done['os_user']} is now {done['role']}{before}.")
        self.reload()
        return True

    @Slot()
    def revoke(self) -> bool:
        try:
            done = revoke_role(self.project, self.user.text())
        except ScrubdeskError as exc:
            self.notice.setText(str(exc))
            return False
        self.notice.setText(f"{done['os_user']} no longer has a role (was {done['previous_role']}).")
        self.reload()
        return True
