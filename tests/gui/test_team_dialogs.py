"""The Team dialogs one by one: split by count and reassign in the assign dialog, and a sampled label
corrected in the label-review queue from the keyboard (the whole flow is in test_team_gui.py)."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from scrubdesk.core.db.messages import get_message, id_of_key
from scrubdesk.core.label_review import sample_for_review
from scrubdesk.core.labels import add_labels
from scrubdesk.core.roles import change_role
from tests.builders import add_message, audit_rows

pytestmark = pytest.mark.gui


@pytest.fixture
def team_project(project):
    with project.store() as store, store.transaction() as conn:
        for i in range(20):
            add_message(conn, f"u{i:02d}", f"body {i}")  # unlabelled
        for i in range(6):
            add_message(conn, f"l{i}", f"labelled {i}", label="billing", label_source="annotator")
    with project.store() as store:
        add_labels(project, store, ["billing", "account"])
    for name in ("alice", "bob"):
        change_role(project, name, "annotator")
    return project


def _tick_only(dialog, names: set[str]) -> None:
    for row in range(dialog.people.rowCount()):
        item = dialog.people.item(row, 0)
        item.setCheckState(Qt.CheckState.Checked if item.text() in names else Qt.CheckState.Unchecked)


def test_split_by_count_then_move_open_work(qtbot, team_project):
    from scrubdesk.gui.assign_dialog import AssignDialog

    with team_project.store() as store:
        dialog = AssignDialog(team_project, store)
        qtbot.addWidget(dialog)
        assert dialog.pool.text().startswith("20 unlabelled message(s)")
        dialog.mode.setCurrentIndex(dialog.mode.findData("count"))
        dialog.set_weight("alice", 5)
        dialog.set_weight("bob", 3)
        QTest.mouseClick(dialog.assign_button, Qt.MouseButton.LeftButton)
        assert dialog.result.text().startswith("Assigned 8 message(s): 0 overlap")
        assert "12 of 20 matching message(s) left unassigned" in dialog.result.text()
        open_work = {dialog.people.item(r, 0).text(): dialog.people.item(r, 3).text() for r in range(3)}
        assert (open_work["alice"], open_work["bob"]) == ("5", "3")

        # alice is away: her open work goes to bob (the only one ticked).
        dialog.move_from.setCurrentIndex(dialog.move_from.findData("alice"))
        _tick_only(dialog, {"bob"})
        QTest.mouseClick(dialog.reassign_button, Qt.MouseButton.LeftButton)
        assert dialog.result.text().startswith("Moved 5 open message(s) to bob 5;")
        open_work = {dialog.people.item(r, 0).text(): dialog.people.item(r, 3).text() for r in range(3)}
        assert (open_work["alice"], open_work["bob"]) == ("0", "8")

        # Asking for more than there is assigns nothing and says so.
        dialog.set_weight("bob", 100)
        QTest.mouseClick(dialog.assign_button, Qt.MouseButton.LeftButton)
        assert "Nothing was assigned" in dialog.result.text()


def test_a_sampled_label_is_corrected_with_a_comment_from_the_keyboard(qtbot, team_project):
    from scrubdesk.gui.label_review_dialog import CHOOSE, LabelReviewDialog

    with team_project.store() as store:
        assert sample_for_review(team_project, store, count=2) == 2
        dialog = LabelReviewDialog(team_project, store)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow)
        assert dialog.summary.text() == "2 message(s) await a label decision: 2 sampled"
        assert dialog.choice.currentData() == "billing"  # a sampled label stands unless changed
        first = dialog.selected().msg_key
        dialog.table.setFocus()
        QTest.keyClick(dialog.table, Qt.Key.Key_2)  # account
        assert dialog.choice.currentData() == "account"
        dialog.comment.setFocus()
        QTest.keyClicks(dialog.comment, "asks to close 2 accounts")  # a digit typed here is text
        assert dialog.choice.currentData() == "account"
        QTest.keyClick(dialog.comment, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert dialog.decided_count == 1 and len(dialog.items) == 1
        assert get_message(store, id_of_key(store, first)).label == "account"
        assert dialog.table.hasFocus() and dialog.comment.text() == ""

        # Deciding with nothing chosen is refused with a hint.
        dialog.choice.setCurrentIndex(dialog.choice.findText(CHOOSE))
        QTest.keyClick(dialog.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert dialog.decided_count == 1 and dialog.notice.text().startswith("Choose the label first")
        logged = json.dumps([(e.objects, e.details) for e in audit_rows(store)])
    assert "close 2 accounts" not in logged  # comments never reach the audit log


def test_every_team_widget_has_an_accessible_name(qtbot, team_project, runner):
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QAbstractSpinBox,
        QComboBox,
        QHeaderView,
        QLineEdit,
        QPlainTextEdit,
        QWidget,
    )

    from scrubdesk.gui.assign_dialog import AssignDialog
    from scrubdesk.gui.label_review_dialog import LabelReviewDialog
    from scrubdesk.gui.team_view import TeamView

    unnamed = []
    with team_project.store() as store:
        dialogs = [AssignDialog(team_project, store), LabelReviewDialog(team_project, store)]
        dialogs.append(TeamView(team_project, store, runner))
        for dialog in dialogs:
            qtbot.addWidget(dialog)
            for widget in dialog.findChildren(QWidget):
                if not widget.isVisibleTo(dialog) or widget.window() is not dialog:
                    continue  # e.g. a combo box's closed popup list
                if isinstance(widget, QHeaderView) or widget.objectName().startswith("qt_"):
                    continue
                if isinstance(widget, QLineEdit) and isinstance(widget.parent(), QAbstractSpinBox):
                    continue  # a spin box's own line edit: part of a named widget
                named = isinstance(widget, QAbstractItemView | QLineEdit | QComboBox | QPlainTextEdit)
                if (named or isinstance(widget, QAbstractSpinBox)) and not widget.accessibleName():
                    unnamed.append(f"{type(dialog).__name__}: {type(widget).__name__}")
                elif isinstance(widget, QAbstractButton) and not (widget.accessibleName() or widget.text()):
                    unnamed.append(f"{type(dialog).__name__}: {type(widget).__name__} (no text either)")
        if dialogs[-1].task is not None:
            qtbot.waitUntil(lambda: not dialogs[-1].task.running)
    assert unnamed == []
