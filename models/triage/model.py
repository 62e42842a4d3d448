"""The saved triage model: features (e5 embeddings or TF-IDF) + a linear head with a softmax temperature.

:class:`TriageModel` is what skops persists. On embeddings it stores no string of the project's data at
all: 384 weights per label, the labels, a temperature and the embedder's identity. It predicts from texts
(embedding them) or from vectors the caller already has (the project's embedding cache), and refuses
vectors or an engine other than the one it was trained with.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from scrubdesk.core.errors import InputError
from scrubdesk.models.triage.classifier import softmax
from scrubdesk.models.triage.embeddings import embed, embedder_id

FEATURES = ("e5", "tfidf")


class EmbedderMismatchError(InputError):
    """The model was trained on another embedder's vectors than this installation computes."""


class TriageModel(ClassifierMixin, BaseEstimator):
    """``features="e5"``: ``head`` is a linear classifier on embedding vectors; ``"tfidf"``: ``head`` is
    the release-1 text pipeline (TF-IDF features and a classifier, temperature inside)."""

    def __init__(
        self, features: str = "e5", embedder: str = "", head: Any = None, temperature: float = 1.0
    ) -> None:
        self.features = features
        self.embedder = embedder
        self.head = head
        self.temperature = temperature

    @property
    def classes_(self) -> np.ndarray:
        return self.head.classes_

    def fit(self, X: Any, y: Any) -> TriageModel:
        if self.features == "tfidf":
            self.head.fit(X, y)
            return self
        # Fitted on centred vectors, the centring then folded into the intercept: the same optimum
        # (the intercept is not penalised), but e5 vectors share a large common direction, and without
        # it L-BFGS needs 15-20 % more iterations (bench/triage/RESULTS.md, retrain time).
        X = np.asarray(X)
        mean = X.mean(axis=0)
        self.head.fit(X - mean, y)
        self.head.intercept_ = self.head.intercept_ - self.head.coef_ @ mean
        return self

    def vectors(self, X: Any) -> np.ndarray:
        """Embedding rows for ``X`` (texts are embedded here; arrays are taken as given)."""
        if isinstance(X, np.ndarray) and X.dtype.kind == "f":
            return X
        here = embedder_id()
        if here != self.embedder:
            raise EmbedderMismatchError(
                f"this model was trained on embeddings from {self.embedder}; this installation computes "
                f"{here}: train the model again with this release"
            )
        return embed([str(t) for t in X])

    def decision_function(self, X: Any) -> np.ndarray:
        if self.features == "tfidf":
            return np.asarray(self.head.decision_function(X), dtype=np.float64)
        scores = np.asarray(self.head.decision_function(self.vectors(X)), dtype=np.float64)
        return np.c_[-scores / 2, scores / 2] if scores.ndim == 1 else scores

    def logits(self, X: Any) -> np.ndarray:
        """Log-probabilities up to a constant per row: what the membership audit attacks."""
        if self.features == "tfidf":
            return self.decision_function(X)
        return self.decision_function(X) / self.temperature

    def predict_proba(self, X: Any) -> np.ndarray:
        if self.features == "tfidf":
            return np.asarray(self.head.predict_proba(X))
        return softmax(self.decision_function(X), self.temperature)

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[np.argmax(self.decision_function(X), axis=1)]


def embedding_head(C: float) -> LogisticRegression:
    """Multinomial logistic regression on unit vectors; C chosen in bench/triage/RESULTS.md."""
    return LogisticRegression(C=C, max_iter=3000)
