"""The export dialog previews exactly what leaves, shows the leak guard's verdict, and writes in a worker."""

from __future__ import annotations

import secrets
from pathlib import Path

import pandas as pd
import pytest

from scrubdesk.core.db.maintenance import count_table
from scrubdesk.core.db.messages import all_ids
from tests.builders import overwrite_message
from tests.models.training_project import fill

pytestmark = pytest.mark.gui


@pytest.fixture
def labelled(project):
    fill(project, n=60, planted=False)
    with project.store() as store, store.transaction() as conn:  # fill() uses short test keys
        for mid in all_ids(conn):
            overwrite_message(conn, mid, msg_key=secrets.token_hex(16))
    return project


def make_dialog(qtbot, project, runner, app_settings):
    from scrubdesk.gui.export_dialog import ExportDialog

    dialog = ExportDialog(project, runner, app_settings)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=30_000)
    return dialog


def test_preview_shows_the_columns_that_leave_and_export_writes_them(
    qtbot, labelled, runner, app_settings, tmp_path: Path
) -> None:
    dialog = make_dialog(qtbot, labelled, runner, app_settings)
    headers = [dialog.table.horizontalHeaderItem(i).text() for i in range(dialog.table.columnCount())]
    assert headers == ["msg_key", "label"]
    assert dialog.table.rowCount() == 50 and dialog.preview.total_rows == 60
    assert "60 row(s) will be written" in dialog.preview_label.text()
    assert "every cell passed" in dialog.guard_label.text()
    assert dialog.export_button.isEnabled()

    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("jsonl"))
    out = tmp_path / "out.jsonl"
    dialog.path_edit.setText(str(out))
    task = dialog.start_export()
    qtbot.waitUntil(lambda: dialog.summary is not None, timeout=30_000)
    assert task is not None and dialog.summary.rows == 60
    frame = pd.read_json(out, lines=True, dtype=False)
    assert list(frame.columns) == ["msg_key", "label"] and len(frame) == 60
    with labelled.store() as store:
        assert count_table(store, "exports") == 1


def test_a_leaking_label_is_shown_as_refused_and_cannot_be_exported(
    qtbot, labelled, runner, app_settings, tmp_path: Path
) -> None:
    with labelled.store() as store, store.transaction() as conn:
        overwrite_message(conn, 7, label="jane.doe@example.org")
    dialog = make_dialog(qtbot, labelled, runner, app_settings)
    text = dialog.guard_label.text()
    assert "REFUSES" in text and "row" in text and "label" in text
    assert "jane.doe" not in text, "the refusal names row and column, never the value"
    assert not dialog.export_button.isEnabled()
    assert dialog.start_export() is None
    assert list(tmp_path.iterdir()) == [] or not any(p.suffix == ".csv" for p in tmp_path.iterdir())


def test_options_change_the_preview(qtbot, labelled, runner, app_settings) -> None:
    dialog = make_dialog(qtbot, labelled, runner, app_settings)
    first = dialog.preview
    dialog.unlabelled_check.setChecked(True)
    qtbot.waitUntil(lambda: dialog.preview is not first, timeout=30_000)
    assert dialog.preview.total_rows == 60  # every message is labelled here
    dialog.suggestions_check.setChecked(True)  # no model yet: refused with a clear reason
    qtbot.waitUntil(lambda: "No preview" in dialog.preview_label.text(), timeout=30_000)
    assert "model" in dialog.preview_label.text() and not dialog.export_button.isEnabled()
