"""Membership inference: can an attacker tell a training message from an unseen one by the model's output?

The loss-threshold attack (Yeom et al. 2018): members tend to get a higher probability for their true
label. The AUC of that score over members versus held-out non-members is the audit figure: 0.5 means
the model's confidence says nothing about membership.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve


@dataclass(frozen=True)
class MembershipAudit:
    auc: float
    advantage: float  # max(TPR - FPR) of the best threshold
    members: int
    non_members: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "auc": round(self.auc, 4),
            "advantage": round(self.advantage, 4),
            "members": self.members,
            "non_members": self.non_members,
            "attack": "loss-threshold (probability of the true label)",
        }


def true_label_probability(model: Any, X: Any, y: np.ndarray) -> np.ndarray:
    proba = model.predict_proba(X)
    index = {label: i for i, label in enumerate(model.classes_)}
    cols = np.array([index[label] for label in y])
    return proba[np.arange(len(y)), cols]


def loss_threshold_audit(member_scores: np.ndarray, non_member_scores: np.ndarray) -> MembershipAudit:
    """AUC of "member" over the true-label probabilities of members and non-members."""
    y = np.r_[np.ones(len(member_scores)), np.zeros(len(non_member_scores))]
    scores = np.r_[member_scores, non_member_scores]
    auc = float(roc_auc_score(y, scores))
    fpr, tpr, _ = roc_curve(y, scores)
    return MembershipAudit(auc, float(np.max(tpr - fpr)), len(member_scores), len(non_member_scores))
