"""Classification metrics of a model: a value stored in the card and printed by the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support


@dataclass(frozen=True)
class Metrics:
    accuracy: float
    macro_f1: float
    per_class: dict[str, dict[str, float]]  # label -> precision, recall, f1, support
    labels: tuple[str, ...]
    confusion: tuple[tuple[int, ...], ...]  # rows: true label, columns: predicted, in ``labels`` order
    n: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "n": self.n,
            "per_class": self.per_class,
            "labels": list(self.labels),
            "confusion": [list(r) for r in self.confusion],
        }


def compute_metrics(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> Metrics:
    labels = list(labels)
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    per_class = {
        label: {
            "precision": round(float(p[i]), 4),
            "recall": round(float(r[i]), 4),
            "f1": round(float(f[i]), 4),
            "support": int(s[i]),
        }
        for i, label in enumerate(labels)
    }
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    return Metrics(
        accuracy=float(accuracy_score(y_true, y_pred)),
        macro_f1=float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
        per_class=per_class,
        labels=tuple(labels),
        confusion=tuple(tuple(int(v) for v in row) for row in np.asarray(cm)),
        n=len(y_true),
    )
