"""The privacy-cost report: what scrubbing and differential privacy cost in accuracy, on one split.

Trains the same pipeline on raw text, on scrubbed text, and (scrubbed) with eps-DP logistic regression at
several epsilons, all on the same stratified train/test split. The raw text is used in memory only;
the report holds accuracies and settings, nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from scrubdesk.models.triage.features import TokenCounts
from scrubdesk.models.triage.settings import TriageSettings
from scrubdesk.models.triage.train import holdout_accuracy

DEFAULT_EPSILONS = (0.5, 1.0, 2.0, 5.0, 10.0, 50.0)


@dataclass(frozen=True)
class PrivacyCost:
    raw: float
    scrubbed: float
    dp: tuple[tuple[float, float], ...]  # (epsilon, accuracy): the privacy/utility curve
    n_train: int
    n_test: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "accuracy_raw": round(self.raw, 4),
            "accuracy_scrubbed": round(self.scrubbed, 4),
            "scrubbing_cost_points": round(100 * (self.raw - self.scrubbed), 2),
            "dp_curve": [{"epsilon": e, "accuracy": round(a, 4)} for e, a in self.dp],
            "n_train": self.n_train,
            "n_test": self.n_test,
        }


def privacy_cost(
    raw_texts: list[str],
    scrubbed_texts: list[str],
    labels: np.ndarray,
    settings: TriageSettings,
    pii: set[str],
    *,
    epsilons: Sequence[float] = DEFAULT_EPSILONS,
    test_size: float = 0.2,
) -> PrivacyCost:
    rows = np.arange(len(labels))
    train, test = train_test_split(rows, test_size=test_size, stratify=labels, random_state=settings.seed)
    plain = replace(settings, dp_epsilon=None)
    # The raw model gets no project PII list: it shows what a model without privacy measures would reach.
    raw = holdout_accuracy(TokenCounts(raw_texts, plain, set()), labels, train, test, plain)
    scrubbed_counts = TokenCounts(scrubbed_texts, plain, pii)
    scrubbed = holdout_accuracy(scrubbed_counts, labels, train, test, plain)
    curve = tuple(
        (float(e), holdout_accuracy(scrubbed_counts, labels, train, test, replace(plain, dp_epsilon=e)))
        for e in epsilons
    )
    return PrivacyCost(raw, scrubbed, curve, len(train), len(test))
