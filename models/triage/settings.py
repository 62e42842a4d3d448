"""Training settings: a value stored in the model card and the project's model lineage."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class TriageSettings:
    k: int = 5  # a term enters the vocabulary only if it is in at least k distinct messages
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)  # char_wb: n-grams never cross a word boundary
    C: float = 0.5
    calibration_folds: int = 3
    cv_folds: int = 5
    seed: int = 0
    dp_epsilon: float | None = None  # set: the classifier is eps-DP logistic regression
    dp_lambda: float = 1e-3
    min_per_label: int = 5  # labels with fewer approved messages are left out of training

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ValueError("k must be >= 1")
        if self.dp_epsilon is not None and self.dp_epsilon <= 0:
            raise ValueError("the DP epsilon must be > 0")
        if self.cv_folds < 2:
            raise ValueError("cv_folds must be >= 2")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
