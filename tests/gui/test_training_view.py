"""The training view: trains in a worker while the event loop keeps turning, shows metrics, the confusion
matrix, the privacy audit and the model history with stale markers."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, QTimer

from scrubdesk.core.db.trained_models import list_models, mark_stale
from scrubdesk.core.review import approve_all
from tests.models.training_project import fill

pytestmark = [pytest.mark.gui, pytest.mark.slow]


@pytest.fixture
def trainable(project):
    fill(project, n=240, planted=False)
    approve_all(project)
    return project


@pytest.fixture
def view(qtbot, runner):
    from scrubdesk.gui.training_view import TrainingView

    widget = TrainingView(runner)
    qtbot.addWidget(widget)
    widget.resize(1000, 800)
    return widget


def test_training_runs_in_a_worker_and_the_event_loop_keeps_turning(
    qtbot, view, trainable, monkeypatch
) -> None:
    from scrubdesk.models.triage import training_job

    trained_on: list[threading.Thread] = []
    real_training = training_job.run_training

    def recording(*args, **kwargs):
        trained_on.append(threading.current_thread())
        return real_training(*args, **kwargs)

    monkeypatch.setattr(training_job, "run_training", recording)
    view.set_project(trainable)
    assert view.history.rowCount() == 0 and view.train_button.isEnabled()
    view.folds_spin.setValue(3)
    view.accept_risk_check.setChecked(True)  # 240 synthetic emails are above the membership gate

    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    started = time.perf_counter()  # before train(): a train() that blocked would show as time without ticks
    task = view.train()
    assert task is not None and not view.train_button.isEnabled() and view.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: not task.running, timeout=120_000)
    elapsed = time.perf_counter() - started
    timer.stop()

    # Trained off the UI thread, and the UI thread kept serving timers through the whole job, however
    # long it took: at least a tick per 250 ms on average.
    assert len(trained_on) == 1 and trained_on[0] is not threading.main_thread()
    assert len(ticks) >= elapsed / 0.25, (len(ticks), elapsed)
    assert view.history.rowCount() == 1
    assert "saved" in view.status.text()
    with trainable.store() as store:
        (model,) = list_models(store)
    assert view.history.item(0, 0).text() == f"#{model.id}"
    assert view.history.item(0, 3).text() == f"{model.metrics['accuracy']:.3f}"
    card = view.card_metrics(model)
    assert view.per_class.rowCount() == len(card["per_class"]) == len(model.labels)
    assert view.matrix.labels == list(model.labels)
    assert view.matrix.matrix == card["confusion"]
    assert sum(map(sum, card["confusion"])) == model.n_train
    assert "Vocabulary scan: 0 finding(s)" in view.audit_label.text()
    assert view.train_button.isEnabled() and not view.cancel_button.isEnabled()


def test_cancel_saves_nothing(qtbot, view, trainable) -> None:
    view.set_project(trainable)
    task = view.train()
    view.cancel()
    qtbot.waitUntil(lambda: not task.running, timeout=120_000)
    assert "cancelled" in view.status.text().lower()
    with trainable.store() as store:
        assert list_models(store) == []
    assert view.history.rowCount() == 0


def test_stale_models_are_marked(qtbot, view, trainable) -> None:
    from scrubdesk.models.triage.settings import TriageSettings
    from scrubdesk.models.triage.training_job import run_training

    run_training(trainable, TriageSettings(cv_folds=2, features="tfidf"), accept_membership_risk=True)
    with trainable.store() as store, store.transaction() as conn:
        (model,) = list_models(store)
        mark_stale(conn, [model.id])
    view.set_project(trainable)
    assert view.history.item(0, 6).text().startswith("stale")
    assert "STALE" in view.summary.text()


def test_confusion_matrix_geometry_and_validation(qtbot) -> None:
    from scrubdesk.gui.training_view import ConfusionMatrix

    matrix = ConfusionMatrix()
    qtbot.addWidget(matrix)
    matrix.resize(400, 400)
    matrix.set_matrix(["a", "b"], [[3, 1], [0, 4]])
    left, top, cell = matrix._geometry()
    assert matrix.cell_at(QPointF(left + cell * 1.5, top + cell * 0.5)) == (0, 1)
    assert matrix.cell_at(QPointF(left - 1, top + 1)) is None
    with pytest.raises(ValueError, match="square"):
        matrix.set_matrix(["a", "b"], [[1, 2]])
    assert matrix.grab().width() == 400  # paints without error


def test_screenshot_of_a_trained_project(qtbot, view, trainable, tmp_path: Path) -> None:
    from scrubdesk.models.triage.settings import TriageSettings
    from scrubdesk.models.triage.training_job import run_training

    run_training(trainable, TriageSettings(cv_folds=2, features="tfidf"), accept_membership_risk=True)
    view.set_project(trainable)
    view.show()
    image = view.grab()
    assert image.save(str(tmp_path / "training.png"))


def test_after_training_the_view_shows_the_new_model(qtbot, view, trainable) -> None:
    """Issue 17: re-selecting the already-selected top row emitted nothing, so the card kept showing the
    previous model. Trained twice from the keyboard (Space on the focused Train button)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    view.set_project(trainable)
    view.folds_spin.setValue(3)
    view.accept_risk_check.setChecked(True)  # 240 synthetic emails are above the membership gate
    view.show()
    qtbot.waitExposed(view)
    for expected_models in (1, 2):
        view.train_button.setFocus()
        QTest.keyClick(view.train_button, Qt.Key.Key_Space)
        qtbot.waitUntil(
            lambda n=expected_models: (
                view.history.rowCount() == n and view.task is not None and not view.task.running
            ),
            timeout=120_000,
        )
        with trainable.store() as store:
            newest = max(m.id for m in list_models(store))
        assert view.selected_model().id == newest
        assert view.summary.text().startswith(f"Model #{newest},")
