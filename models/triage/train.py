"""Training: the classifier, stratified cross-validation with a membership audit, and the final fit.

Cross-validation trains every fold exactly as the final model is trained (vocabulary rule included), so
its out-of-fold predictions give honest metrics. The first fold's model also serves the membership
inference audit: its training part are members, its held-out part non-members.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from scrubdesk.models.privacy.dp import DPLogisticRegression
from scrubdesk.models.privacy.membership import MembershipAudit, loss_threshold_audit, true_label_probability
from scrubdesk.models.triage.features import TokenCounts, Vocabulary, build_features
from scrubdesk.models.triage.metrics import Metrics, compute_metrics
from scrubdesk.models.triage.settings import TriageSettings

Step = Callable[[str], None]  # progress note + cancel check between steps


def make_classifier(settings: TriageSettings, labels: np.ndarray) -> Any:
    if settings.dp_epsilon is not None:
        return DPLogisticRegression(epsilon=settings.dp_epsilon, lam=settings.dp_lambda, seed=None)
    smallest = min(Counter(labels.tolist()).values())
    svm = LinearSVC(C=settings.C, class_weight="balanced", random_state=settings.seed)
    return CalibratedClassifierCV(svm, cv=min(settings.calibration_folds, smallest), method="sigmoid")


@dataclass(frozen=True)
class CrossValidation:
    metrics: Metrics
    membership: MembershipAudit
    fold_accuracies: tuple[float, ...]


def cross_validate(
    counts: TokenCounts, labels: np.ndarray, settings: TriageSettings, step: Step | None = None
) -> CrossValidation:
    smallest = min(Counter(labels.tolist()).values())
    folds = StratifiedKFold(min(settings.cv_folds, smallest), shuffle=True, random_state=settings.seed)
    predicted = np.empty(len(labels), dtype=object)
    accuracies = []
    membership = None
    for i, (train, test) in enumerate(folds.split(np.zeros(len(labels)), labels)):
        if step:
            step(f"cross-validation fold {i + 1}/{folds.n_splits}")
        X_train, X_test = counts.tfidf(train, test)
        model = make_classifier(settings, labels[train]).fit(X_train, labels[train])
        predicted[test] = model.predict(X_test)
        accuracies.append(float(np.mean(predicted[test] == labels[test])))
        if membership is None:
            membership = loss_threshold_audit(
                true_label_probability(model, X_train, labels[train]),
                true_label_probability(model, X_test, labels[test]),
            )
    assert membership is not None
    label_set = sorted(set(labels.tolist()))
    metrics = compute_metrics(labels.tolist(), predicted.tolist(), label_set)
    return CrossValidation(metrics, membership, tuple(accuracies))


def fit_final(
    texts: list[str], labels: np.ndarray, vocabulary: Vocabulary, settings: TriageSettings
) -> Pipeline:
    """The model to save: fixed-vocabulary features and the classifier, fitted on all training texts."""
    pipeline = Pipeline(
        [
            ("features", build_features(vocabulary, settings)),
            ("classifier", make_classifier(settings, labels)),
        ]
    )
    return pipeline.fit(texts, labels)


def holdout_accuracy(
    counts: TokenCounts, labels: np.ndarray, train: np.ndarray, test: np.ndarray, settings: TriageSettings
) -> float:
    """Accuracy of the pipeline trained on ``train`` rows and scored on ``test`` rows."""
    X_train, X_test = counts.tfidf(train, test)
    model = make_classifier(settings, labels[train]).fit(X_train, labels[train])
    return float(np.mean(model.predict(X_test) == labels[test]))
