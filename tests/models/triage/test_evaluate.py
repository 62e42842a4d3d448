"""`scrubdesk evaluate`: scoring an external labelled CSV through the project's scrubbing and latest model,
and the clear errors for a file it cannot score."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from scrubdesk.core.db.trained_models import latest_model
from scrubdesk.core.errors import InputError
from scrubdesk.core.project import Project
from scrubdesk.core.review import approve_all
from scrubdesk.core.synthetic import INTENTS, generate
from scrubdesk.models.triage import evaluate
from scrubdesk.models.triage.evaluate import evaluate_file, evaluation_summary
from scrubdesk.models.triage.settings import TriageSettings
from scrubdesk.models.triage.training_job import run_training
from tests.helpers import scrubdesk
from tests.models.training_project import fill

pytestmark = pytest.mark.slow

CANARY_ADDRESS = "eval.canary.quintessa@example.org"
CANARY_PHONE = "07700 900417"


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _labelled_rows(n: int, seed: int = 99) -> list[list[str]]:
    """(body, intent) of synthetic mail the model was not trained on (training used seed 11)."""
    return [[e.body, e.intent] for e in generate(n, seed=seed)]


class _Recorder:
    """The loaded model, recording the texts it is asked to classify."""

    def __init__(self, model) -> None:
        self.model, self.classes_, self.seen = model, model.classes_, []

    def predict(self, texts):
        self.seen += list(texts)
        return self.model.predict(texts)


def test_scores_a_labelled_csv_with_the_latest_model_through_the_project_scrubbing(
    trained, analyzer, tmp_path, monkeypatch
):
    rows = _labelled_rows(40)
    rows[0][0] += f"\nPlease write to {CANARY_ADDRESS} or call {CANARY_PHONE}."
    unlabelled = [["Nothing to score here.", ""], ["Nor here.", "   "]]
    path = _write(
        tmp_path / "test.csv", ["message", "intent", "extra"], [[*r, "x"] for r in rows + unlabelled]
    )
    recorders: list[_Recorder] = []
    real_load = evaluate.load_latest

    def recording_load(project):
        record, model = real_load(project)
        recorders.append(_Recorder(model))
        return record, recorders[-1]

    monkeypatch.setattr(evaluate, "load_latest", recording_load)

    result = evaluate_file(trained.project, analyzer, path, "message", "intent")

    with trained.project.store() as store:
        assert result.model_id == latest_model(store).id
    assert result.metrics.n == 40 and result.unknown_labels == 0  # rows without a label are skipped
    assert result.metrics.accuracy >= 0.8 and 0.0 <= result.metrics.macro_f1 <= 1.0
    (seen,) = [r.seen for r in recorders]
    assert len(seen) == 40
    assert not any(CANARY_ADDRESS in t or CANARY_PHONE in t for t in seen)  # the model sees scrubbed text
    assert "<EMAIL_ADDRESS>" in seen[0] and "<PHONE_NUMBER>" in seen[0]
    summary = evaluation_summary(result)
    assert summary["n"] == 40 and summary["model_id"] == result.model_id
    assert summary["accuracy"] == round(result.metrics.accuracy, 4) and summary["unknown_labels"] == 0
    assert CANARY_ADDRESS not in json.dumps(summary)


def test_labels_the_model_never_saw_are_counted_and_scored_as_wrong(trained, analyzer, tmp_path):
    known = _labelled_rows(6)
    unknown = [[body, "label_the_model_never_saw"] for body, _intent in _labelled_rows(3, seed=5)]
    path = _write(tmp_path / "test.csv", ["text", "label"], known + unknown)
    result = evaluate_file(trained.project, analyzer, path, "text", "label")
    assert (result.metrics.n, result.unknown_labels) == (9, 3)
    assert result.metrics.accuracy <= 6 / 9


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ("text,category\nhello,billing_query\n", r"test\.csv has no column\(s\) label"),
        ("message,label\nhello,billing_query\n", r"test\.csv has no column\(s\) text"),
        ("", r"test\.csv has no column\(s\) text, label"),
        ("text,label\n", r"test\.csv holds no labelled rows"),
        ("text,label\nhello,\nworld,  \n", r"test\.csv holds no labelled rows"),
    ],
    ids=["no-label-column", "no-text-column", "empty-file", "header-only", "no-labels"],
)
def test_a_file_it_cannot_score_is_a_clear_error(trained, analyzer, tmp_path, content, error):
    path = tmp_path / "test.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=error):
        evaluate_file(trained.project, analyzer, path, "text", "label")


def test_a_missing_file_and_a_project_without_a_model_are_clear_errors(project, trained, analyzer, tmp_path):
    with pytest.raises(InputError, match="test file not found"):
        evaluate_file(trained.project, analyzer, tmp_path / "missing.csv", "text", "label")
    path = _write(tmp_path / "test.csv", ["text", "label"], _labelled_rows(3))
    with pytest.raises(InputError, match="no trained model"):
        evaluate_file(project, analyzer, path, "text", "label")


@pytest.mark.real_keyring
def test_cli_evaluate(tmp_path):
    project = Project.create(tmp_path / "proj")  # the env file keyring: subprocesses open it
    fill(project, n=120, planted=False)
    approve_all(project)
    trained = run_training(
        project, TriageSettings(cv_folds=2), accept_membership_risk=True
    )  # small: above the gate
    assert trained.saved
    secret = "Unique.Cell.Value.Osgood"
    good = _write(tmp_path / "good.csv", ["text", "category"], _labelled_rows(30))
    args = ("evaluate", project.path, good, "--text-column", "text", "--label-column", "category")

    summary, _out, _err = scrubdesk(*args)
    assert summary["ok"] and summary["model_id"] == trained.model_id
    assert summary["n"] == 30 and summary["unknown_labels"] == 0 and 0.0 <= summary["accuracy"] <= 1.0

    outputs = []
    no_column = _write(tmp_path / "no-column.csv", ["body", "category"], [[secret, INTENTS[0]]])
    refused, out, err = scrubdesk(*args[:2], no_column, *args[3:], check=False)
    outputs += [out, err]
    assert refused["_exit"] == 2 and refused["error_type"] == "InputError"
    assert "no-column.csv has no column(s) text" in refused["error"]

    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    refused, out, err = scrubdesk(*args[:2], empty, *args[3:], check=False)
    outputs += [out, err]
    assert refused["_exit"] == 2 and "empty.csv has no column(s) text, category" in refused["error"]

    unlabelled = _write(tmp_path / "unlabelled.csv", ["text", "category"], [[secret, ""]])
    refused, out, err = scrubdesk(*args[:2], unlabelled, *args[3:], check=False)
    outputs += [out, err]
    assert refused["_exit"] == 2 and "unlabelled.csv holds no labelled rows" in refused["error"]

    unknown = _write(tmp_path / "unknown.csv", ["text", "category"], [[secret, "not_a_project_label"]] * 4)
    scored, out, err = scrubdesk(*args[:2], unknown, *args[3:])
    outputs += [out, err]
    assert scored["ok"] and (scored["n"], scored["unknown_labels"], scored["accuracy"]) == (4, 4, 0.0)
    assert secret not in "\n".join(outputs)  # neither errors nor summaries quote a cell
