"""Consent-only training with its bias check, stale models refused by predict, `scrubdesk models list`."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from scrubdesk.core.db import consent as consent_rows
from scrubdesk.core.db.audit import page
from scrubdesk.core.db.imports import link_subjects
from scrubdesk.core.db.messages import all_ids, labels_and_sources
from scrubdesk.core.db.trained_models import latest_model, list_models, mark_stale, member_ids
from scrubdesk.core.errors import InputError
from scrubdesk.core.project import Project
from scrubdesk.core.review import approve_all
from scrubdesk.models.triage.bias import label_shift
from scrubdesk.models.triage.predict import StaleModelError, run_prediction
from scrubdesk.models.triage.settings import TriageSettings
from scrubdesk.models.triage.training_job import run_training
from tests.helpers import scrubdesk
from tests.models.training_project import fill

pytestmark = pytest.mark.slow

# TF-IDF: these tests are about consent and staleness, not features (embedding 300 emails takes a minute)
TFIDF2 = TriageSettings(cv_folds=2, features="tfidf")
TFIDF3 = TriageSettings(cv_folds=3, features="tfidf")


def _senders(project: Project, consenting: callable) -> set[int]:
    """Give every message a sender (keyed ID only, like the importer) and put some senders on a consent
    list; returns the IDs of the messages whose sender consented."""
    chosen: set[int] = set()
    with project.store() as store, store.transaction() as conn:
        for i, (mid, label, _source) in enumerate(labels_and_sources(conn, all_ids(conn))):
            key = project.ids.subject_id(f"sender{i}@example.org")
            link_subjects(conn, [(mid, key, "from")])
            if consenting(i, label):
                consent_rows.add(conn, [key], "test", "now")
                chosen.add(mid)
    return chosen


def test_label_shift_is_total_variation_distance():
    shift = label_shift(["a", "a", "b", "b"], ["a", "a", "a", "b"])
    assert shift["total_variation"] == 0.25
    expected = {"full": 2, "consenting": 3, "share_full": 0.5, "share_consenting": 0.75}
    assert shift["per_label"]["a"] == expected
    assert label_shift(["a", "b", "c"], ["a", "b"])["labels_missing"] == ["c"]
    assert label_shift(["a", "b"], ["b", "a"])["total_variation"] == 0.0


def test_consent_only_trains_on_consenting_senders_and_reports_the_bias_check(project):
    fill(project, n=300, planted=False)
    approve_all(project)
    # Senders of every second message consent, and none of the refund requests: a biased subset.
    consenting = _senders(project, lambda i, label: i % 2 == 0 and label != "refund_request")
    with project.store() as store:
        labels = {mid: label for mid, label, _source in labels_and_sources(store, all_ids(store))}
    summary = run_training(project, TFIDF3, consent_only=True, accept_membership_risk=True)
    assert summary.saved and summary.n_train == len(consenting)
    consent = summary.consent
    assert consent["n_full"] == 300 and consent["n_consenting"] == len(consenting)
    assert consent["n_non_consenting"] == 300 - len(consenting)
    shift = consent["label_shift"]
    assert shift["labels_missing"] == ["refund_request"]
    full, sub = Counter(labels.values()), Counter(labels[m] for m in consenting)
    expected = 0.5 * sum(abs(full[x] / 300 - sub[x] / len(consenting)) for x in full)
    assert shift["total_variation"] == pytest.approx(expected, abs=1e-4)
    # the refund requests of the non-consenting part can only be wrong: the model never saw the label
    refunds = sum(1 for m, x in labels.items() if x == "refund_request")
    assert consent["non_consenting_unknown_labels"] == refunds
    assert consent["non_consenting_accuracy"] <= 1 - refunds / consent["n_non_consenting"] + 1e-9
    assert consent["non_consenting_accuracy"] >= 0.5
    card = json.loads((project.path / summary.model_path).with_suffix(".card.json").read_text())
    assert card["consent"]["label_shift"]["total_variation"] == shift["total_variation"]
    assert card["lineage"]["n_train"] == len(consenting)
    assert (
        "Consent-only training: bias check"
        in (project.path / summary.model_path).with_suffix(".card.md").read_text()
    )
    with project.store() as store:
        members = {mid for model in list_models(store) for mid in member_ids(store, model.id)}
        record = latest_model(store)
    assert members == consenting
    assert record.audit["consent"]["n_consenting"] == len(consenting)
    assert summary.as_dict()["consent"]["non_consenting_accuracy"] == consent["non_consenting_accuracy"]


def test_consent_only_without_enough_consenting_messages_is_a_user_error(project):
    fill(project, n=60, planted=False)
    approve_all(project)
    _senders(project, lambda i, label: i < 3)
    with pytest.raises(InputError, match="consenting"):
        run_training(project, TFIDF2, consent_only=True, accept_membership_risk=True)


@pytest.mark.real_keyring
def test_cli_consent_only_models_list_and_stale_model_refused(tmp_path):
    project = Project.create(tmp_path / "proj", name="cli")  # the env file keyring: subprocesses open it
    fill(project, n=120, planted=False)
    approve_all(project)
    _senders(project, lambda i, label: i % 3 != 0)
    summary, stdout, stderr = scrubdesk(
        "train",
        project.path,
        "--consent-only",
        "--folds",
        "2",
        "--features",
        "tfidf",
        "--accept-membership-risk",
    )
    assert summary["ok"] and summary["consent"]["n_full"] == 120 and summary["n_train"] == 80
    assert 0.0 <= summary["consent"]["label_shift"]["total_variation"] <= 1.0
    assert "consent-only: 80 of 120 messages" in stdout + stderr
    listed, _, _ = scrubdesk("models", "list", project.path)
    assert listed["count"] == 1 and listed["latest_stale"] is False
    assert listed["models"][0]["consent_only"] and listed["models"][0]["file_present"]

    with project.store() as store, store.transaction() as conn:
        mark_stale(conn, [listed["latest_id"]])
    refused, _, stderr = scrubdesk("predict", project.path, check=False)
    assert refused["_exit"] == 2 and "stale" in (stderr + json.dumps(refused))
    listed, stdout, stderr = scrubdesk("models", "list", project.path)
    assert listed["latest_stale"] is True and listed["stale"] == 1 and "STALE" in stdout + stderr


def test_predict_refuses_a_stale_latest_model_even_with_an_older_current_one(project):
    fill(project, n=100, planted=False)
    approve_all(project)
    first = run_training(project, TFIDF2, accept_membership_risk=True)
    second = run_training(project, TFIDF2, accept_membership_risk=True)
    assert first.saved and second.saved and second.model_id != first.model_id
    with project.store() as store, store.transaction() as conn:
        mark_stale(conn, [second.model_id])
    with pytest.raises(StaleModelError, match=f"id {second.model_id}"):
        run_prediction(project)
    with project.store() as store, store.transaction() as conn:
        mark_stale(conn, [first.model_id])
    with pytest.raises(StaleModelError, match=f"id {second.model_id}"):
        run_prediction(project)


def test_a_change_of_redaction_policy_makes_current_models_stale(project):
    from scrubdesk.core.db.trained_models import list_models
    from scrubdesk.core.model_lineage import STALE_ERASURE, STALE_POLICY
    from scrubdesk.models.cli.pii import set_redaction_policy

    fill(project, n=100, planted=False)
    approve_all(project)
    first = run_training(project, TFIDF2, accept_membership_risk=True)
    with project.store() as store, store.transaction() as conn:
        mark_stale(conn, [first.model_id])  # stale by erasure before the policy changes
    second = run_training(project, TFIDF2, accept_membership_risk=True)
    _, stale = set_redaction_policy(project, {"PERSON": "placeholder"})
    assert stale == []  # the default already: nothing changed, nothing stale
    _, stale = set_redaction_policy(project, {"PERSON": "surrogate"})
    assert stale == [second.model_id]
    with project.store() as store:
        models = {m.id: m for m in list_models(store)}
        (newest,) = page(store, offset=0, limit=1, action="redaction.set", newest_first=True)
        details = json.loads(newest.details)
    assert models[first.model_id].stale_reason == STALE_ERASURE
    assert models[second.model_id].stale_reason == STALE_POLICY
    assert details["models_marked_stale"] == [second.model_id]
    with pytest.raises(StaleModelError, match="redaction policy changed"):
        run_prediction(project)
    third = run_training(project, TFIDF2, accept_membership_risk=True)
    assert third.saved and run_prediction(project) is not None
