"""Training settings: a value stored in the model card and the project's model lineage."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

LATENT_MODES = ("auto", "on", "off")
FEATURE_MODES = ("auto", "e5", "tfidf")
EMBEDDING_CS = (
    100.0,
    30.0,
    10.0,
    3.0,
    1.0,
)  # tried in this order by embedding_c=None  # auto: e5 embeddings where the engine runs, else TF-IDF


@dataclass(frozen=True)
class TriageSettings:
    features: str = "auto"
    # inverse L2 strength of the head on embeddings; None: the largest of EMBEDDING_CS whose cross-validated
    # membership AUC meets the gate (bench/triage/RESULTS.md: strong regularisation is what closes the gap)
    embedding_c: float | None = None
    k: int = 5  # a term enters the vocabulary only if it is in messages from at least k distinct senders
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)  # char_wb: n-grams never cross a word boundary
    C: float = 0.5
    cv_folds: int = 5
    seed: int = 0
    # latent space (LSA) before the classifier: "auto" = on below latent_below messages per label, else
    # tried on fold 1 and kept if it costs at most latent_max_cost accuracy there
    latent: str = "auto"
    latent_dims: int | None = None  # None: max(50, 3 x labels)
    latent_below: int = 100
    latent_max_cost: float = 0.005  # auto with more data: latent if fold 1 loses at most this accuracy
    max_membership_auc: float = 0.55  # the gate: a model above it is saved only when the risk is accepted
    dp_epsilon: float | None = None  # set: the classifier is (epsilon, delta)-DP logistic regression
    dp_delta: float | None = None  # None: min(1e-5, 1 / n_train^2)
    dp_lambda: float | None = None  # None: 10 / n_train
    min_per_label: int = 5  # labels with fewer approved messages are left out of training

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ValueError("k must be >= 1")
        if self.dp_epsilon is not None and self.dp_epsilon <= 0:
            raise ValueError("the DP epsilon must be > 0")
        if self.dp_delta is not None and not 0 < self.dp_delta < 1:
            raise ValueError("the DP delta must be between 0 and 1")
        if self.cv_folds < 2:
            raise ValueError("cv_folds must be >= 2")
        if self.features not in FEATURE_MODES:
            raise ValueError(f"features must be one of {', '.join(FEATURE_MODES)}")
        if self.embedding_c is not None and self.embedding_c <= 0:
            raise ValueError("embedding_c must be > 0")
        if not 0.5 <= self.max_membership_auc <= 1.0:
            raise ValueError("the membership-inference gate must be between 0.5 and 1.0")
        if self.latent not in LATENT_MODES:
            raise ValueError(f"latent must be one of {', '.join(LATENT_MODES)}")
        if self.latent_dims is not None and self.latent_dims < 2:
            raise ValueError("latent_dims must be >= 2")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
