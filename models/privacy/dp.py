"""Differentially private logistic regression by output perturbation (Chaudhuri, Monteleoni & Sarwate 2011).

diffprivlib (IBM) would be the first choice, but its 0.6.6 release does not import with scikit-learn
1.9 (``sklearn.tree._tree.DOUBLE`` is gone), so the same classical mechanism is implemented here.

For L2-regularised logistic regression, objective ``(1/n) sum loss + (lam/2) ||w||^2``, with every
feature vector of norm <= 1, the minimiser changes by at most ``2 / (n lam)`` in L2 when one example
changes. Adding noise with density proportional to ``exp(-eps ||b|| n lam / 2)`` makes the weights
eps-differentially private. One-vs-rest with K classes composes K such releases, so each gets eps/K.

Scope of the guarantee: the weights, given the feature space. The vocabulary itself is chosen from the
data (the k-distinct-messages rule), which this mechanism does not cover; the model card says so.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression


def _bounded(X: Any) -> sp.csr_matrix:
    """Rows clipped to norm 1, plus a constant bias column, all scaled by 1/sqrt(2): norm <= 1."""
    X = sp.csr_matrix(X, dtype=np.float64)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    scale = 1.0 / np.maximum(norms, 1.0)
    X = sp.diags(scale) @ X
    bias = sp.csr_matrix(np.ones((X.shape[0], 1)))
    return sp.hstack([X, bias], format="csr") / math.sqrt(2.0)


class DPLogisticRegression(ClassifierMixin, BaseEstimator):
    """eps-DP one-vs-rest logistic regression (output perturbation). ``seed=None`` draws fresh noise."""

    def __init__(self, epsilon: float = 1.0, lam: float = 1e-3, seed: int | None = None) -> None:
        self.epsilon = epsilon
        self.lam = lam
        self.seed = seed

    def fit(self, X: Any, y: Any) -> DPLogisticRegression:
        if self.epsilon <= 0:
            raise ValueError("epsilon must be > 0")
        Xb = _bounded(X)
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        n, d = Xb.shape
        k = len(self.classes_)
        rng = np.random.default_rng(self.seed)
        sensitivity = 2.0 / (n * self.lam)
        eps_each = self.epsilon / k
        coef = np.zeros((k, d))
        for i, label in enumerate(self.classes_):
            target = (y == label).astype(int)
            if target.min() == target.max():
                continue
            lr = LogisticRegression(C=1.0 / (n * self.lam), fit_intercept=False, tol=1e-8, max_iter=1000)
            lr.fit(Xb, target)
            direction = rng.normal(size=d)
            direction /= np.linalg.norm(direction)
            coef[i] = lr.coef_[0] + direction * rng.gamma(shape=d, scale=sensitivity / eps_each)
        self.coef_ = coef
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        return np.asarray(_bounded(X) @ self.coef_.T)

    def predict_proba(self, X: Any) -> np.ndarray:
        scores = self.decision_function(X)
        scores -= scores.max(axis=1, keepdims=True)
        e = np.exp(scores)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[np.argmax(self.decision_function(X), axis=1)]
