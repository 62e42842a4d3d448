"""The team flow through the desk, driven by keys and clicks on the focused widgets as people would.

Three people play it in one process: the test's own OS account (the project's admin, who also reviews)
and two annotators. The desk takes its identity from the OS account of the process
(:func:`scrubdesk.core.identity.current_account`, read through ``scrubdesk.core.audit_log``); here that
one lookup is replaced per person and the project is reopened, as each person would open it on their own
workstation. (tests/test_team_flow.py plays real separate accounts through ``unshare --map-user``; a
GUI cannot be run that way in-process.)

100 messages (the CLI test has 300; this one labels every message by key press, twice on the overlap)
go to two annotators with 30 % overlap; both label their own queue without seeing each other's labels;
the agreement view reports Cohen's kappa as computed by hand; the disagreements are decided in the
label-review queue with a comment; training on adjudicated labels then takes exactly the overlap.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from scrubdesk.core import audit_log
from scrubdesk.core.adjudication import training_labels
from scrubdesk.core.db.messages import keys_and_ids
from scrubdesk.core.db.spans import record_analysis
from scrubdesk.core.db.trained_models import latest_model, member_ids
from scrubdesk.core.identity import OsAccount
from scrubdesk.core.labels import add_labels
from scrubdesk.core.review import approve_all
from scrubdesk.core.roles import change_role
from scrubdesk.core.scrubbing import training_messages
from scrubdesk.core.synthetic import generate
from tests.builders import add_message, add_span
from tests.gui.conftest import open_project, press, wait_for
from tests.team_labels import COARSE, FLIP

pytestmark = [pytest.mark.gui, pytest.mark.slow]

COUNT, OVERLAP_PERCENT = 300, 20
LABELS = ("billing", "account", "other")  # keys 1, 2, 3 in the label bar
SHOTS = os.environ.get("SCRUBDESK_TEAM_SHOTS")  # a folder: also save the dialogs' screenshots there


def _build(project) -> dict[str, str]:
    """Unlabelled, analysed and approved synthetic messages; returns msg_key -> the true coarse label."""
    truth = {}
    with project.store() as store, store.transaction() as conn:
        for i, e in enumerate(generate(COUNT, seed=23)):
            key = f"team{i:03d}"
            mid = add_message(conn, key, e.body, subject=e.subject, size_bytes=len(e.body))
            record_analysis(conn, mid, f"fp{mid}", "now")
            for s in e.spans:
                add_span(conn, mid, "body", s.start, s.end, s.label, status="accepted", recognizer="gold")
            truth[key] = COARSE[e.intent]
    approve_all(project)
    with project.store() as store:
        add_labels(project, store, list(LABELS))
        for name in ("alice", "bob"):
            change_role(project, name, "annotator")
    return truth


def _play(identity: pytest.MonkeyPatch, name: str | None) -> None:
    """From now on the desk's OS account is ``name`` (None: the test's own account, the admin)."""
    identity.undo()
    if name is not None:
        identity.setattr(audit_log, "current_account", lambda: OsAccount(name, "42"))


def _reopen(qtbot, window, path: Path) -> None:
    window.close_project()
    assert open_project(qtbot, window, path)
    _activate(qtbot, window)


def _activate(qtbot, window: QWidget) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def _key(widget: QWidget, key: Qt.Key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(widget, key, modifiers)


def _shoot(widget: QWidget, name: str, tmp_path: Path) -> Path:
    """Save ``widget`` as PNG (with SCRUBDESK_TEAM_SHOTS set, there and in the dark theme too)."""
    folder = Path(SHOTS) if SHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{name}.png"
    assert widget.grab().save(str(out))
    if SHOTS:
        from scrubdesk.gui.appearance import apply_theme
        from scrubdesk.gui.screenshots import _keep_theme

        app = QApplication.instance()
        with _keep_theme(app):
            apply_theme(app, "dark")
            QApplication.processEvents()
            assert widget.grab().save(str(folder / f"{name}-dark.png"))
        QApplication.processEvents()
    return out


def _label_my_queue(qtbot, window, truth, decide) -> list[str]:
    """Label every message of "My queue" with number keys on the focused list; returns the keys."""
    panel, view = window.list_panel, window.list_view
    assert panel.show_combo.currentText().startswith("My queue (")
    done = []
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    for _ in range(window.model.rowCount()):
        row = window.model.row_data(view.current_row())
        assert not row.label  # nobody's label shows on a message still waiting for this annotator
        assert window.message_view.header.fields["Label"].text() == "unlabelled"
        assert not any(b.isChecked() for b in window.label_bar.buttons)  # no label checked in the bar
        label = decide(row.msg_key)
        press(Qt.Key(Qt.Key.Key_1 + LABELS.index(label)))
        done.append(row.msg_key)
    return done


@pytest.fixture
def identity():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_team_flow_through_the_desk(qtbot, main_window, project, identity, tmp_path):
    truth = _build(project)
    path = project.path
    window = main_window
    window.resize(1280, 800)
    window.show()
    assert open_project(qtbot, window, path)
    _activate(qtbot, window)
    team = window.project_actions.team
    assert team.assign_action.isVisible() and team.assign_action.isEnabled()

    # The admin assigns: equal shares, 30 % overlap (typed into the focused spin box), Assign clicked.
    dialog = team.assign()
    qtbot.waitExposed(dialog)
    assert dialog.ticked() == ["alice", "bob"]  # the annotators are ticked, the admin is not
    dialog.overlap.setFocus()
    dialog.overlap.selectAll()
    QTest.keyClicks(dialog.overlap, str(OVERLAP_PERCENT))
    QTest.mouseClick(dialog.assign_button, Qt.MouseButton.LeftButton)
    overlap = COUNT * OVERLAP_PERCENT // 100
    each = overlap + (COUNT - overlap) // 2
    assert dialog.result.text().startswith(f"Assigned {COUNT} message(s): {overlap} overlap")
    assert f"alice {each}, bob {each}" in dialog.result.text()
    assert [dialog.people.item(r, 3).text() for r in range(2)] == [str(each), str(each)]  # open work
    _shoot(dialog, "assign-dialog", tmp_path)
    dialog.close()
    assert window.list_panel.show_combo.findData("queue:mine") == -1  # the admin has no queue

    # alice labels her queue; bob then labels his, disagreeing on every third message they share.
    _play(identity, "alice")
    _reopen(qtbot, window, path)
    assert not team.assign_action.isVisible() and not team.label_review_action.isVisible()
    assert window.list_panel.show_combo.currentText() == f"My queue ({each})"
    alices = _label_my_queue(qtbot, window, truth, truth.__getitem__)
    assert window.list_panel.show_combo.currentText() == "My queue (0)"
    press(Qt.Key.Key_U)  # undo the last label: that message waits again
    assert window.list_panel.show_combo.currentText() == "My queue (1)"
    last = window.model.row_data(window.list_view.current_row())
    assert last.msg_key == alices[-1] and not last.label
    press(Qt.Key(Qt.Key.Key_1 + LABELS.index(truth[last.msg_key])))
    assert window.list_panel.show_combo.currentText() == "My queue (0)"
    # She sees her own labels, on the overlap too (where the message's label waits for bob's).
    assert all(window.model.row_data(r).label == truth[k] for r, k in enumerate(alices))
    window.list_view.select_row(0)
    assert window.message_view.header.fields["Label"].text() == truth[alices[0]]

    _play(identity, "bob")
    _reopen(qtbot, window, path)
    shared = sorted(set(alices) & {window.model.row_data(r).msg_key for r in range(window.model.rowCount())})
    assert len(shared) == overlap  # her labels of these never showed (asserted while he labels)
    flipped = set(shared[::3])

    def bobs(key: str) -> str:
        return FLIP[truth[key]] if key in flipped else truth[key]

    _label_my_queue(qtbot, window, truth, bobs)
    own_view = team.team_view()  # an annotator sees only their own progress, and no agreement
    assert own_view.tabs.count() == 1
    assert [own_view.progress.item(r, 0).text() for r in range(own_view.progress.rowCount())] == ["bob"]
    own_view.close()

    # The admin reads the agreement: Cohen's kappa, as computed here by hand.
    _play(identity, None)
    _reopen(qtbot, window, path)
    view = team.team_view()
    qtbot.waitExposed(view)
    wait_for(qtbot, view.task)
    pairs = [(truth[k], bobs(k)) for k in shared]
    observed = sum(a == b for a, b in pairs) / len(pairs)
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    chance = sum(first[label] * second[label] for label in first) / len(pairs) ** 2
    kappa = (observed - chance) / (1 - chance)
    text = view.overall.text()
    assert text.startswith(f"Cohen's kappa: {kappa:.3f} over {overlap} overlap message(s)"), text
    assert f"{len(flipped)} disagreement(s)" in text
    assert view.per_label.rowCount() == len(LABELS)
    _shoot(view, "agreement-view", tmp_path)
    view.tabs.setCurrentIndex(1)
    progress = {
        view.progress.item(r, 0).text(): [view.progress.item(r, c).text() for c in range(8)]
        for r in range(view.progress.rowCount())
    }
    assert {who: (p[2], p[5]) for who, p in progress.items()} == {
        "alice": (str(each), "0"),
        "bob": (str(each), "0"),
    }
    assert all(p[7] != "—" for p in progress.values())  # the desk timed every label
    view.close()

    # The disagreements, decided in the label-review queue from the keyboard (Ctrl+Shift+J opens it).
    _activate(qtbot, window)
    window.list_view.setFocus()
    _key(
        window.list_view,
        Qt.Key.Key_J,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    qtbot.waitUntil(lambda: bool(team.dialogs))
    review = team.dialogs[-1]
    qtbot.waitExposed(review)
    _activate(qtbot, review)
    assert {i.msg_key for i in review.items} == flipped
    assert all(sorted(i.labels) == ["alice", "bob"] for i in review.items)
    assert "team" not in review.text.toPlainText() and review.text.toPlainText()  # scrubbed text shown
    _shoot(review, "label-review-queue", tmp_path)
    for _ in range(len(flipped)):
        item = review.selected()
        review.table.setFocus()
        _key(review.table, Qt.Key(Qt.Key.Key_1 + LABELS.index(truth[item.msg_key])))
        review.comment.setFocus()
        QTest.keyClicks(review.comment, "the customer asks about it")
        _key(review.comment, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert review.items == [] and review.summary.text() == "No label awaits a decision."
    review.close()

    # Progress now shows how often the reviewer kept each annotator's label on what they decided.
    view = team.team_view()
    view.tabs.setCurrentIndex(1)
    wait_for(qtbot, view.task)
    kept = {view.progress.item(r, 0).text(): view.progress.item(r, 6).text() for r in range(2)}
    assert kept == {"alice": f"100% of {len(flipped)}", "bob": f"0% of {len(flipped)}"}
    _shoot(view, "progress-view", tmp_path)
    view.close()

    # The admin chooses adjudicated labels in the training view and trains (Space on Train): the model
    # learns from exactly the overlap, with the agreed and decided labels.
    actions = window.project_actions
    actions.show_training(True)
    training = actions.training_view
    training.folds_spin.setValue(3)
    training.accept_risk_check.setChecked(True)  # 60 small synthetic mails are above the membership gate
    training.labels_combo.setFocus()
    _key(training.labels_combo, Qt.Key.Key_Down)  # a closed combo box steps to the next choice
    with project.store() as store:
        assert training_labels(store) == "adjudicated"
        trained = {m.msg_key: m.label for m in training_messages(project, store)}
    assert trained == {k: truth[k] for k in shared}
    training.train_button.setFocus()
    _key(training.train_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: training.task is not None and not training.task.running, timeout=120_000)
    assert training.status.text().startswith("Model #1 saved"), training.status.text()
    with project.store() as store:
        model = latest_model(store)
        assert set(member_ids(store, model.id)) == {i for i, k in keys_and_ids(store) if k in shared}
