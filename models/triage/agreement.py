"""Agreement between annotators on the messages they labelled independently (the overlap).

Two annotators: Cohen's kappa (scikit-learn's ``cohen_kappa_score``) on the messages both labelled. More:
Krippendorff's alpha for nominal data over every overlap message (it allows a message some annotators
did not label), with Cohen's kappa for each pair beside it. Per label: the same measure on "this label
or not", so a label that people confuse shows up even when the overall figure looks fine.

Krippendorff's alpha is computed here (a dozen lines of numpy, checked against Krippendorff's own
worked example): the PyPI package ``krippendorff`` is GPL-3.0, which the product's licence cannot take.
A value is None when it is undefined (e.g. every label given was the same one, so chance agreement is 1).
"""

from __future__ import annotations

import math
import warnings
from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
from sklearn.metrics import cohen_kappa_score

from scrubdesk.core.db.annotations import IndependentLabel


def krippendorff_alpha_nominal(units: Sequence[Sequence[Hashable]]) -> float | None:
    """Krippendorff's alpha for nominal values; ``units``: the values each unit (message) was given, any
    number per unit. Units with fewer than two values cannot be paired and are left out."""
    pairable = [list(u) for u in units if len(u) >= 2]
    values = sorted({v for u in pairable for v in u}, key=repr)
    if not values:
        return None
    index = {v: i for i, v in enumerate(values)}
    coincidences = np.zeros((len(values), len(values)))
    for unit in pairable:
        counts = Counter(unit)
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                coincidences[index[c], index[k]] += n_c * (n_k - (c == k)) / (len(unit) - 1)
    n_c = coincidences.sum(axis=1)
    n = n_c.sum()
    expected = n * n - float((n_c**2).sum())
    if expected == 0:
        return None
    observed = coincidences.sum() - np.trace(coincidences)
    return float(1.0 - (n - 1) * observed / expected)


def cohen_kappa(first: Sequence[Hashable], second: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two annotators' labels of the same items (None when it is undefined)."""
    if len(first) < 2:
        return None
    with warnings.catch_warnings():  # an undefined kappa (chance agreement 1) warns and returns nan
        warnings.simplefilter("ignore")
        value = float(cohen_kappa_score(list(first), list(second)))
    return None if math.isnan(value) else value


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass(frozen=True)
class PairAgreement:
    first: str
    second: str
    messages: int  # both labelled
    observed: float | None  # share of those with the same label
    kappa: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "annotators": [self.first, self.second],
            "messages": self.messages,
            "observed": _rounded(self.observed),
            "kappa": _rounded(self.kappa),
        }


@dataclass(frozen=True)
class Agreement:
    annotators: tuple[str, ...]
    messages: int  # overlap messages with labels from two or more annotators
    all_agree: int  # of those, messages whose labels are all the same
    measure: str  # cohen_kappa | krippendorff_alpha
    value: float | None
    pairs: tuple[PairAgreement, ...] = ()
    per_label: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def observed(self) -> float | None:
        return self.all_agree / self.messages if self.messages else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "annotators": list(self.annotators),
            "messages": self.messages,
            "all_agree": self.all_agree,
            "disagree": self.messages - self.all_agree,
            "observed": _rounded(self.observed),
            "measure": self.measure,
            "value": _rounded(self.value),
            "pairs": [p.as_dict() for p in self.pairs],
            "per_label": self.per_label,
        }


def _pair(first: str, second: str, by_message: dict[int, dict[str, str]]) -> PairAgreement:
    both = [
        (labels[first], labels[second])
        for labels in by_message.values()
        if first in labels and second in labels
    ]
    a, b = [x for x, _ in both], [y for _, y in both]
    observed = sum(x == y for x, y in both) / len(both) if both else None
    return PairAgreement(first, second, len(both), observed, cohen_kappa(a, b))


def agreement(labels: Sequence[IndependentLabel]) -> Agreement:
    """Overall, pairwise and per-label agreement of independent labels (see the module docstring)."""
    by_message: dict[int, dict[str, str]] = defaultdict(dict)
    for item in labels:
        by_message[item.message_id][item.annotator] = item.label
    paired = {mid: given for mid, given in by_message.items() if len(given) >= 2}
    annotators = tuple(sorted({who for given in paired.values() for who in given}))
    all_agree = sum(len(set(given.values())) == 1 for given in paired.values())
    label_names = sorted({label for given in paired.values() for label in given.values()})
    pairs: tuple[PairAgreement, ...]
    if len(annotators) == 2:
        pair = _pair(*annotators, paired)
        measure, value, pairs = "cohen_kappa", pair.kappa, (pair,)
        per_label = {
            name: {
                "kappa": _rounded(
                    cohen_kappa(
                        [g[annotators[0]] == name for g in paired.values()],
                        [g[annotators[1]] == name for g in paired.values()],
                    )
                ),
                "given": sum(label == name for g in paired.values() for label in g.values()),
            }
            for name in label_names
        }
    else:
        measure = "krippendorff_alpha"
        value = krippendorff_alpha_nominal([list(g.values()) for g in paired.values()])
        pairs = tuple(_pair(a, b, paired) for a, b in combinations(annotators, 2))
        per_label = {
            name: {
                "alpha": _rounded(
                    krippendorff_alpha_nominal([[v == name for v in g.values()] for g in paired.values()])
                ),
                "given": sum(label == name for g in paired.values() for label in g.values()),
            }
            for name in label_names
        }
    return Agreement(annotators, len(paired), all_agree, measure, value, pairs, per_label)
