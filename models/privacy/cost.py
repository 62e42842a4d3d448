"""The privacy-cost report: what scrubbing and differential privacy cost in accuracy, on the same folds.

Trains the same pipeline on raw text, on scrubbed text, and (scrubbed) with (epsilon, delta)-DP logistic
regression at several epsilons, on the same stratified cross-validation folds; each figure is the
out-of-fold accuracy over every message (a single 80/20 split of a few hundred messages moves in steps
of more than one point). The DP weights of a fold are fitted once and released with fresh noise at each
epsilon. The raw text is used in memory only; the report holds accuracies and settings, nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedKFold

from scrubdesk.models.privacy.dp import DPLogisticRegression, default_delta, exact_weights
from scrubdesk.models.triage.features import TokenCounts
from scrubdesk.models.triage.settings import TriageSettings
from scrubdesk.models.triage.train import Plan, make_classifier, plan_for

DEFAULT_EPSILONS = (1.0, 2.0, 5.0, 10.0, 20.0)


@dataclass(frozen=True)
class PrivacyCost:
    raw: float
    scrubbed: float
    dp: tuple[tuple[float, float], ...]  # (epsilon, accuracy): the privacy/utility curve
    dp_delta: float
    n: int
    folds: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "accuracy_raw": round(self.raw, 4),
            "accuracy_scrubbed": round(self.scrubbed, 4),
            "scrubbing_cost_points": round(100 * (self.raw - self.scrubbed), 2),
            "dp_curve": [{"epsilon": e, "accuracy": round(a, 4)} for e, a in self.dp],
            "dp_delta": self.dp_delta,
            "n": self.n,
            "folds": self.folds,
        }


def privacy_cost(
    raw_texts: list[str],
    scrubbed_texts: list[str],
    labels: np.ndarray,
    settings: TriageSettings,
    pii: set[str],
    *,
    epsilons: Sequence[float] = DEFAULT_EPSILONS,
    plan: Plan | None = None,
) -> PrivacyCost:
    """``plan``: the classifier the training run chose (sparse or latent); by default resolved from the
    settings without the fold-1 trial. Raw and scrubbed text get the same one."""
    plain = replace(settings, dp_epsilon=None)
    if plan is None or plan.dp:
        plan = replace(plan_for(plain, labels), trial_dims=None)
    # The raw model gets no project PII list: it shows what a model without privacy measures would reach.
    raw_counts = TokenCounts(raw_texts, plain, set())
    scrubbed_counts = TokenCounts(scrubbed_texts, plain, pii)
    smallest = min(np.unique(labels, return_counts=True)[1])
    folds = StratifiedKFold(min(settings.cv_folds, smallest), shuffle=True, random_state=settings.seed)
    n_train = len(labels) - len(labels) // folds.n_splits
    delta = settings.dp_delta if settings.dp_delta is not None else default_delta(n_train)
    correct: dict[str | float, int] = {"raw": 0, "scrubbed": 0, **dict.fromkeys(epsilons, 0)}
    for train, test in folds.split(np.zeros(len(labels)), labels):
        for name, counts in (("raw", raw_counts), ("scrubbed", scrubbed_counts)):
            X_train, X_test = counts.tfidf(train, test)
            model = make_classifier(plan, X_train.shape[1]).fit(X_train, labels[train])
            correct[name] += int(np.sum(model.predict(X_test) == labels[test]))
        X_train, X_test = scrubbed_counts.tfidf(train, test)
        exact = exact_weights(X_train, labels[train], settings.dp_lambda)
        classes = np.unique(labels[train])
        for e in epsilons:
            dp = DPLogisticRegression(epsilon=e, delta=delta, lam=settings.dp_lambda)
            dp.release(exact, classes, len(train))
            correct[e] += int(np.sum(dp.predict(X_test) == labels[test]))
    n = len(labels)
    curve = tuple((float(e), correct[e] / n) for e in epsilons)
    return PrivacyCost(correct["raw"] / n, correct["scrubbed"] / n, curve, delta, n, folds.n_splits)
