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


def test_models_trained_on_the_subject_are_deleted_when_the_admin_chooses_so(qtbot, planted, runner) -> None:
    from scrubdesk.core.db.trained_models import model_by_id
    from scrubdesk.models.triage.settings import TriageSettings
    from scrubdesk.models.triage.training_job import run_training
    from tests.models.training_project import approve_all, fill_senders, insert_from

    fill_senders(planted, per_label=6)  # enough per label to train
    with planted.store() as store, store.transaction() as conn:
        for n in range(2):
            body = f"Hello, please refund my order. Regards, {PLANTED_NAME}"
            insert_from(conn, planted.ids, f"p{n}", body, "refund", PLANTED_NAME, PLANTED_ADDRESS)
    approve_all(planted)
    trained = run_training(planted, TriageSettings(cv_folds=2, features="tfidf"), accept_membership_risk=True)
    model_file = planted.path / trained.model_path
    dialog = open_dialog(qtbot, planted, runner)
    assert not dialog.models_choice.isVisible()
    dialog.query_edit.setText(PLANTED_ADDRESS)
    task = dialog.find()
    qtbot.waitUntil(lambda: not task.running, timeout=60_000)
    assert f"Model(s) #{trained.model_id} were trained on them" in dialog.summary.text()
    assert not dialog.models_choice.isHidden() and dialog.models_choice.currentData() == "retrain"
    dialog.models_choice.setCurrentIndex(dialog.models_choice.findData("delete"))
    dialog.confirm.setChecked(True)
    task = dialog.erase()
    qtbot.waitUntil(lambda: not task.running, timeout=120_000)
    assert dialog.result is not None and dialog.result.ok
    assert dialog.result.models_after["models_deleted"] == [trained.model_id]
    assert f"Model(s) #{trained.model_id} trained on them deleted." in dialog.summary.text()
    assert not model_file.exists()
    with planted.store() as store:
        assert model_by_id(store, trained.model_id) is not None  # the record stays, marked stale
