"""The classifier: a linear SVM with temperature-scaled softmax probabilities, optionally in a latent space.

One LinearSVC fit per model (no inner calibration folds): its decision values become probabilities with
a softmax at temperature ``T``. ``T`` is fitted once per training run on the out-of-fold decision values
of cross-validation (temperature scaling, Guo et al. 2017), so calibration costs no extra fits.

With few messages per label, a linear model on ~10k sparse n-gram features fits every training message
with a margin that held-out messages do not get: its confidence tells members from non-members
(membership inference). The *latent* mode projects the TF-IDF vectors on the top singular directions of
the training set (LSA) and re-normalises them; only structure shared by many messages survives the
projection, which closes that gap at the cost of the rare-feature tail (see bench/triage/RESULTS.md).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.decomposition import TruncatedSVD
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import Normalizer
from sklearn.svm import LinearSVC


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _two_columns(scores: np.ndarray) -> np.ndarray:
    """LinearSVC's binary decision values (one column) as two, so softmax covers both classes."""
    scores = np.asarray(scores, dtype=np.float64)
    return np.c_[-scores / 2, scores / 2] if scores.ndim == 1 else scores


class SoftmaxLinearSVC(ClassifierMixin, BaseEstimator):
    """Class-weighted LinearSVC whose probabilities are ``softmax(decision / temperature)``."""

    def __init__(self, C: float = 0.5, temperature: float = 1.0, seed: int = 0) -> None:
        self.C = C
        self.temperature = temperature
        self.seed = seed

    def fit(self, X: Any, y: Any) -> SoftmaxLinearSVC:
        self.svm_ = LinearSVC(C=self.C, class_weight="balanced", random_state=self.seed).fit(X, y)
        self.classes_ = self.svm_.classes_
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        return _two_columns(self.svm_.decision_function(X))

    def predict_proba(self, X: Any) -> np.ndarray:
        return softmax(self.decision_function(X), self.temperature)

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[np.argmax(self.decision_function(X), axis=1)]


def fit_temperature(scores: np.ndarray, y: np.ndarray, classes: np.ndarray) -> float:
    """The temperature minimising the log-loss of ``softmax(scores / T)`` (scores out-of-fold)."""
    index = {label: i for i, label in enumerate(classes)}
    cols = np.array([index[label] for label in y])
    rows = np.arange(len(y))

    def nll(log_t: float) -> float:
        p = softmax(scores, float(np.exp(log_t)))[rows, cols]
        return float(-np.mean(np.log(np.clip(p, 1e-12, 1.0))))

    found = minimize_scalar(nll, bounds=(np.log(1e-3), np.log(1e2)), method="bounded")
    return float(np.exp(found.x))


def latent_dims_for(mode: str, dims: int | None, n_train: int, n_labels: int, below: int) -> int | None:
    """Dimensions of the latent space, or None for the sparse model (``auto`` may still try the latent
    space on the first fold, see :func:`trial_dims_for`).

    ``auto`` turns the latent space on outright when the training set has fewer than ``below`` messages
    per label on average: there the sparse model's membership gap is largest (measured in RESULTS.md).
    """
    if mode == "off" or (mode == "auto" and n_train >= below * n_labels):
        return None
    return default_dims(dims, n_train, n_labels)


def trial_dims_for(mode: str, dims: int | None, n_train: int, n_labels: int, below: int) -> int | None:
    """``auto`` with enough data: the latent dimensions to try against the sparse model on fold 1."""
    if mode != "auto" or n_train < below * n_labels:
        return None
    return default_dims(dims, n_train, n_labels)


def default_dims(dims: int | None, n_train: int, n_labels: int) -> int:
    wanted = dims if dims is not None else max(50, 3 * n_labels)
    return max(2, min(wanted, n_train - 1))


def make_estimator(latent_dims: int | None, C: float, temperature: float, seed: int) -> Any:
    classifier = SoftmaxLinearSVC(C=C, temperature=temperature, seed=seed)
    if latent_dims is None:
        return classifier
    return Pipeline(
        [
            ("latent", TruncatedSVD(latent_dims, random_state=seed)),
            ("unit", Normalizer()),
            ("svm", classifier),
        ]
    )


def set_temperature(estimator: Any, temperature: float) -> None:
    target = estimator.named_steps["svm"] if isinstance(estimator, Pipeline) else estimator
    if isinstance(target, SoftmaxLinearSVC):
        target.temperature = temperature
