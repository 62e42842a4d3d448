"""The erasure dialog: find -> preview (counts and keyed IDs only) -> confirm -> erase in a worker."""

from __future__ import annotations

import pytest

from scrubdesk.core.db.messages import count_messages
from tests.builders import append_to_body, overwrite_message
from tests.models.training_project import fill

pytestmark = pytest.mark.gui

PLANTED_NAME = "Gwendolyn Pettigrew-Oakes"
PLANTED_ADDRESS = "g.pettigrew-oakes@example.net"


@pytest.fixture
def planted(project):
    fill(project, n=40, planted=False)
    with project.store() as store, store.transaction() as conn:
        for mid in (3, 5, 9):
            overwrite_message(conn, mid, from_name=PLANTED_NAME, from_addr=PLANTED_ADDRESS)
        append_to_body(conn, (3, 5, 9), f"\\n\\nRegards,\\n{PLANTED_NAME}")
    return project


def open_dialog(qtbot, project, runner):
    from scrubdesk.gui.erasure_dialog import ErasureDialog

    dialog = ErasureDialog(project, runner)
    qtbot.addWidget(dialog)
    return dialog


def messages(project) -> int:
    with project.store() as store:
        return count_messages(store)


def test_find_preview_confirm_erase(qtbot, planted, runner) -> None:
    dialog = open_dialog(qtbot, planted, runner)
    assert not dialog.find_button.isEnabled() and not dialog.erase_button.isEnabled()
    dialog.query_edit.setText(PLANTED_ADDRESS)
    task = dialog.find()
    qtbot.waitUntil(lambda: not task.running, timeout=60_000)
    assert dialog.preview is not None and dialog.preview.match.n_messages == 3
    assert dialog.summary.text().startswith("3 message(s)")
    assert PLANTED_ADDRESS not in dialog.summary.text() and PLANTED_NAME not in dialog.summary.text()
    assert dialog.keys.count() == 3
    assert messages(planted) == 40, "a preview erases nothing"

    assert not dialog.erase_button.isEnabled(), "erasing needs the explicit confirmation"
    dialog.confirm.setChecked(True)
    assert dialog.erase_button.isEnabled()
    task = dialog.erase()
    qtbot.waitUntil(lambda: not task.running, timeout=120_000)
    assert dialog.result is not None and dialog.result.ok
    assert "no trace remains" in dialog.summary.text()
    assert dialog.result.path is not None and dialog.result.path.exists()
    assert messages(planted) == 37
    assert not dialog.erase_button.isEnabled() and not dialog.query_edit.isEnabled()


def test_changing_the_query_invalidates_the_preview(qtbot, planted, runner) -> None:
    dialog = open_dialog(qtbot, planted, runner)
    dialog.query_edit.setText(PLANTED_ADDRESS)
    task = dialog.find()
    qtbot.waitUntil(lambda: not task.running, timeout=60_000)
    dialog.confirm.setChecked(True)
    dialog.query_edit.setText("someone.else@example.net")
    assert dialog.preview is None and not dialog.erase_button.isEnabled()
    assert dialog.erase() is None
    assert messages(planted) == 40


def test_an_annotator_is_refused_by_the_core(qtbot, planted, runner, monkeypatch) -> None:
    from scrubdesk.core.audit_log import current_os_user
    from scrubdesk.core.clock import utc_now
    from scrubdesk.core.roles import grant

    with planted.store() as store, store.transaction() as conn:
        grant(conn, current_os_user(), "annotator", granted_by="test", at=utc_now())
    shown = []
    monkeypatch.setattr(
        "scrubdesk.gui.erasure_dialog.show_error", lambda parent, title, exc: shown.append(exc)
    )
    dialog = open_dialog(qtbot, planted, runner)
    dialog.query_edit.setText(PLANTED_ADDRESS)
    task = dialog.find()
    qtbot.waitUntil(lambda: not task.running, timeout=60_000)
    assert shown and type(shown[0]).__name__ == "PermissionDeniedError"
    assert dialog.preview is None and messages(planted) == 40
