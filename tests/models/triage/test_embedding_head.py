"""The head on embedding vectors: centred fit folded into the intercept, and single-threaded BLAS per fold."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_info

from scrubdesk.models.triage import train
from scrubdesk.models.triage.model import TriageModel
from scrubdesk.models.triage.settings import TriageSettings


def _vectors(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(3, 12))
    y = np.repeat(np.array(["a", "b", "c"], dtype=object), 40)
    x = centres[np.repeat(np.arange(3), 40)] + rng.normal(scale=1.5, size=(120, 12))
    return (x + 6.0).astype(np.float64), y  # a large common offset, like e5's shared direction


def test_centred_fit_is_the_same_model_on_the_vectors_as_given():
    x, y = _vectors()
    tight = {"C": 1.0, "tol": 1e-10, "max_iter": 100_000}
    centred = TriageModel("e5", "test-embedder", LogisticRegression(**tight)).fit(x, y)
    plain = LogisticRegression(**tight).fit(x, y)
    # the saved head takes uncentred vectors: the centring lives in its intercept
    np.testing.assert_allclose(centred.decision_function(x), plain.decision_function(x), atol=1e-4)
    assert list(centred.predict(x)) == list(plain.predict(x))


def test_each_fold_fits_with_a_single_threaded_blas(monkeypatch):
    seen: list[int] = []

    class Recording(LogisticRegression):
        def fit(self, x: Any, y: Any, sample_weight: Any = None) -> Recording:
            seen.extend(p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas")
            return super().fit(x, y, sample_weight)

    monkeypatch.setattr(train, "embedding_head", lambda c: Recording(C=c, max_iter=500))
    before = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    x, y = _vectors(1)
    plan = train.Plan(TriageSettings(embedding_c=1.0), None, features="e5", embedder="test-embedder")
    cv = train.cross_validate_vectors(x, y, plan)
    assert cv.final is not None and len(cv.fold_accuracies) == 5
    assert seen and set(seen) == {1}  # 5 folds + the final model, each with one BLAS thread
    # the limit is lifted afterwards: the process's own setting is restored
    assert [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"] == before
