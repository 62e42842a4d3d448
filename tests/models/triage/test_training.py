"""Training on scrubbed, approved messages: saved model, card, lineage, planted PII kept out, cancel."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest
import skops.io as sio
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import FunctionTransformer

from scrubdesk.core.db.audit import details_of
from scrubdesk.core.db.maintenance import count_table
from scrubdesk.core.db.spans import record_analysis
from scrubdesk.core.db.trained_models import latest_model, member_ids, uncertainty_order
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.model_files import is_sealed, open_sealed
from scrubdesk.core.scrubbing import training_messages
from scrubdesk.models.triage.persistence import UntrustedModelError, load_model, load_sealed
from scrubdesk.models.triage.predict import run_prediction
from scrubdesk.models.triage.settings import TriageSettings
from scrubdesk.models.triage.training_job import run_training
from tests.builders import add_message
from tests.models.training_project import PLANTED, PLANTED_COUNT

pytestmark = pytest.mark.slow


def test_model_saved_with_metrics_card_and_lineage(trained):
    s = trained.summary
    assert s.saved and not s.cancelled
    assert s.n_train == trained.emails + PLANTED_COUNT
    assert s.metrics["accuracy"] >= 0.9 and s.metrics["macro_f1"] >= 0.9
    assert len(s.metrics["confusion"]) == s.labels == 10
    assert s.audit["vocabulary_scan"]["findings"] == 0
    assert 0.0 <= s.audit["membership_inference"]["auc"] <= 1.0
    project = trained.project
    card = json.loads((project.path / s.model_path).with_suffix(".card.json").read_text())
    assert card["lineage"]["n_train"] == s.n_train and len(card["lineage"]["msg_list_digest"]) >= 32
    assert "scikit-learn" in card["versions"] and card["settings"]["k"] == 5
    assert (project.path / s.model_path).with_suffix(".card.md").read_text().startswith("# Triage model")
    with project.store() as store:
        record = latest_model(store)
        members = len(member_ids(store, record.id))
        details = next(details_of(store, "train"))[2]
    assert record.path == s.model_path and members == s.n_train and not record.stale
    assert "@" not in details


def test_planted_address_is_in_training_text_but_never_in_the_model_file(trained):
    project = trained.project
    with project.store() as store:
        texts = [m.text for m in training_messages(project, store)]
    assert sum(PLANTED in t for t in texts) == PLANTED_COUNT  # not scrubbed: its span was rejected
    # without the guard and the scan, the k=5 rule alone would keep it (10 distinct messages):
    plain = CountVectorizer(min_df=5, token_pattern=r"\S+").fit(texts)
    assert PLANTED in plain.vocabulary_

    path = project.path / trained.summary.model_path
    raw = path.read_bytes()
    needles = [PLANTED.encode(), b"zorblax", b"quintavelle"]
    assert not any(n in raw for n in needles)
    assert is_sealed(path) and not zipfile.is_zipfile(path)  # encrypted at rest
    clear = open_sealed(path, project.keys.db_key)
    with zipfile.ZipFile(io.BytesIO(clear)) as z:
        for name in z.namelist():
            data = z.read(name).lower()
            assert not any(n in data for n in needles), name
    model = load_sealed(path, project.keys.db_key)
    features = model.head.named_steps["features"]
    vocab = {t for _, vec in features.transformer_list for t in vec.vocabulary_}
    assert not any("zorblax" in t or "quintav" in t for t in vocab)
    # the char n-grams of the address are kept out too: "zorb" occurs nowhere else
    assert "zorb" not in vocab


def test_untrusted_model_file_is_refused(tmp_path):
    path = tmp_path / "evil.skops"
    sio.dump(FunctionTransformer(np.exp).fit(np.zeros((2, 2))), path)
    sio.dump(FunctionTransformer(json.loads), path)
    with pytest.raises(UntrustedModelError):
        load_model(path)


def test_predict_stores_suggestions_in_uncertainty_order(trained):
    project = trained.project
    with project.store() as store, store.transaction() as conn:
        for i, body in enumerate(["I am moving house next month, please update my address.", "Refund?"]):
            record_analysis(conn, add_message(conn, f"unlabelled{i}", body), "x", "now")
    summary = run_prediction(project)
    assert summary.predicted == 2 and not summary.cancelled
    with project.store() as store:
        order = uncertainty_order(store)
    assert len(order) == 2 and order[0].uncertainty >= order[1].uncertainty
    assert all(0.0 < p.confidence <= 1.0 for p in order)


def test_cancelled_training_saves_nothing(trained):
    control = JobControl()
    control.cancel()
    with trained.project.store() as store:
        before = count_table(store, "models")
    summary = run_training(trained.project, TriageSettings(features="tfidf"), control=control)
    assert summary.cancelled and not summary.saved
    with trained.project.store() as store:
        assert count_table(store, "models") == before
