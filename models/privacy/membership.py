"""Membership inference: can an attacker tell a training message from an unseen one by the model's output?

Three threshold attacks, each scored by ROC AUC over members versus held-out non-members:

- loss threshold (Yeom et al. 2018): the true label's probability, as the scaled logit
  ``log p_y - log(1 - p_y)`` (Carlini et al. 2022), a monotone map of the loss;
- confidence threshold (Salem et al. 2019): the top probability, as its scaled logit, label not needed;
- margin: the true label's logit minus the best other one.

All three are computed from logits (log-probabilities up to a constant per message), never from rounded
probabilities: a confident model's probabilities saturate at 1.0 in floating point, every member and
non-member would tie and the AUC would read 0.5 while the weights still tell them apart.

An attacker who has the model file can set the threshold either way, so an AUC below 0.5 leaks as much
as its mirror image: the audit figure is the worst attack's ``max(AUC, 1 - AUC)``. Each cross-validation
fold gives one member/non-member split; the per-attack AUCs are averaged over folds (every message is a
non-member once), which halves the noise of a single split without weakening any attack.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

ATTACKS = ("loss", "confidence", "margin")


@dataclass(frozen=True)
class MembershipAudit:
    auc: float  # the strongest attack's two-sided AUC (0.5 = no leak)
    advantage: float  # its max |TPR - FPR| over thresholds, averaged over folds
    per_attack: dict[str, float]  # raw AUC of each attack (above 0.5: members look more confident)
    members: int
    non_members: int
    folds: int
    strongest: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "auc": round(self.auc, 4),
            "advantage": round(self.advantage, 4),
            "per_attack": {k: round(v, 4) for k, v in self.per_attack.items()},
            "strongest": self.strongest,
            "members": self.members,
            "non_members": self.non_members,
            "folds": self.folds,
            "attack": "loss, confidence and margin thresholds; worst max(AUC, 1-AUC), mean over folds",
        }


def _logsumexp(z: np.ndarray) -> np.ndarray:
    top = z.max(axis=1)
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.exp(z - top[:, None]).sum(axis=1)
    return top + np.log(total)


def _scaled_logit(z: np.ndarray, col: np.ndarray) -> np.ndarray:
    """``log p_c - log(1 - p_c)`` of column ``col`` per row, from logits ``z`` without saturating."""
    rows = np.arange(len(z))
    others = z.copy()
    others[rows, col] = -np.inf
    return z[rows, col] - _logsumexp(others)


def attack_scores(logits: np.ndarray, classes: Sequence[Any], y: np.ndarray) -> dict[str, np.ndarray]:
    """Each attack's membership score per row from the model's logits: higher means "member"."""
    z = np.asarray(logits, dtype=np.float64)
    index = {label: i for i, label in enumerate(classes)}
    cols = np.array([index[label] for label in y])
    rows = np.arange(len(y))
    others = z.copy()
    others[rows, cols] = -np.inf
    return {
        "loss": _scaled_logit(z, cols),
        "confidence": _scaled_logit(z, z.argmax(axis=1)),
        "margin": z[rows, cols] - others.max(axis=1),
    }


def true_label_probability(model: Any, X: Any, y: np.ndarray) -> np.ndarray:
    proba = model.predict_proba(X)
    index = {label: i for i, label in enumerate(model.classes_)}
    return proba[np.arange(len(y)), [index[label] for label in y]]


@dataclass(frozen=True)
class SplitResult:
    auc: float
    advantage: float


def threshold_attack(member_scores: np.ndarray, non_member_scores: np.ndarray) -> SplitResult:
    """AUC of "member" over one attack's scores, and the best threshold's |TPR - FPR|."""
    y = np.r_[np.ones(len(member_scores)), np.zeros(len(non_member_scores))]
    scores = np.r_[member_scores, non_member_scores]
    fpr, tpr, _ = roc_curve(y, scores)
    return SplitResult(float(roc_auc_score(y, scores)), float(np.max(np.abs(tpr - fpr))))


def loss_threshold_audit(member_scores: np.ndarray, non_member_scores: np.ndarray) -> MembershipAudit:
    """The loss-threshold attack alone on one split (kept for callers with true-label probabilities)."""
    r = threshold_attack(member_scores, non_member_scores)
    return MembershipAudit(
        max(r.auc, 1 - r.auc),
        r.advantage,
        {"loss": r.auc},
        len(member_scores),
        len(non_member_scores),
        1,
        "loss",
    )


def membership_audit(
    splits: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
    classes: Sequence[Any] | np.ndarray,
) -> MembershipAudit:
    """Every attack on every split. A split is (member logits, member labels, non-member logits, labels);
    logits are log-probabilities up to a constant per row (e.g. decision values / temperature)."""
    if not splits:
        raise ValueError("no member/non-member split to audit")
    classes = list(classes)
    aucs: dict[str, list[float]] = {a: [] for a in ATTACKS}
    advantages: dict[str, list[float]] = {a: [] for a in ATTACKS}
    members = non_members = 0
    for p_in, y_in, p_out, y_out in splits:
        s_in, s_out = attack_scores(p_in, classes, y_in), attack_scores(p_out, classes, y_out)
        for attack in ATTACKS:
            r = threshold_attack(s_in[attack], s_out[attack])
            aucs[attack].append(r.auc)
            advantages[attack].append(r.advantage)
        members += len(y_in)
        non_members += len(y_out)
    mean = {a: float(np.mean(v)) for a, v in aucs.items()}
    strongest = max(ATTACKS, key=lambda a: max(mean[a], 1 - mean[a]))
    return MembershipAudit(
        auc=max(mean[strongest], 1 - mean[strongest]),
        advantage=float(np.mean(advantages[strongest])),
        per_attack=mean,
        members=members // len(splits),
        non_members=non_members // len(splits),
        folds=len(splits),
        strongest=strongest,
    )
