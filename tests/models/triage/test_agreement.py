"""Agreement figures against hand-computed and published examples."""

from __future__ import annotations

import pytest

from scrubdesk.core.db.annotations import IndependentLabel
from scrubdesk.models.triage.agreement import agreement, cohen_kappa, krippendorff_alpha_nominal


def _labels(**by_annotator: list[str | None]) -> list[IndependentLabel]:
    return [
        IndependentLabel(i, f"k{i}", who, label)
        for who, labels in by_annotator.items()
        for i, label in enumerate(labels)
        if label is not None
    ]


def test_cohen_kappa_matches_the_hand_computed_example():
    # 50 messages: both say refund 20, A refund/B billing 5, A billing/B refund 10, both billing 15.
    # p_o = 35/50 = 0.70; p_e = P(A refund) P(B refund) + P(A billing) P(B billing) = 0.5 * 0.6 + 0.5 * 0.4
    # = 0.50; kappa = (0.70 - 0.50) / (1 - 0.50) = 0.40
    a = ["refund"] * 25 + ["billing"] * 25
    b = ["refund"] * 20 + ["billing"] * 5 + ["refund"] * 10 + ["billing"] * 15
    result = agreement(_labels(alice=a, bob=b))
    assert result.measure == "cohen_kappa" and result.value == pytest.approx(0.40)
    assert (result.messages, result.all_agree) == (50, 35)
    [pair] = result.pairs
    assert pair.observed == pytest.approx(0.70) and pair.messages == 50
    # with two labels, "refund or not" is the same question as the whole: the same kappa
    assert result.per_label["refund"]["kappa"] == pytest.approx(0.40)
    assert result.per_label["refund"]["given"] == 25 + 30


def test_per_label_kappa_finds_the_label_people_confuse():
    # 3 labels on 12 messages; the two annotators agree on every "delivery", confuse refund and billing.
    a = ["delivery"] * 4 + ["refund"] * 4 + ["billing"] * 4
    b = (
        ["delivery"] * 4
        + ["refund", "refund", "billing", "billing"]
        + ["billing", "billing", "refund", "refund"]
    )
    result = agreement(_labels(alice=a, bob=b))
    assert result.per_label["delivery"]["kappa"] == pytest.approx(1.0)
    # refund or not: agree on 4 "delivery" + 2 + 2 = 8 of 12; p_o = 8/12; both say refund 4/12 -> p_e = 5/9
    assert result.per_label["refund"]["kappa"] == pytest.approx((8 / 12 - 5 / 9) / (1 - 5 / 9))


def test_krippendorff_alpha_matches_krippendorffs_worked_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", nominal data, 4 observers,
    # 12 units, missing values: alpha = 0.743.
    observers = {
        "a": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        "b": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        "c": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        "d": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    }
    units = [[v for v in unit if v is not None] for unit in zip(*observers.values(), strict=True)]
    assert krippendorff_alpha_nominal(units) == pytest.approx(0.743, abs=5e-4)
    named = {who: [None if v is None else str(v) for v in values] for who, values in observers.items()}
    result = agreement(_labels(**named))
    assert result.measure == "krippendorff_alpha" and result.value == pytest.approx(0.7434, abs=1e-4)
    assert result.messages == 11  # unit 12 has one value: it cannot be paired
    assert len(result.pairs) == 6


def test_undefined_agreement_is_none_not_a_number():
    assert cohen_kappa(["x"] * 5, ["x"] * 5) is None
    assert krippendorff_alpha_nominal([["x", "x"], ["x", "x"]]) is None
    assert krippendorff_alpha_nominal([]) is None
    empty = agreement([])
    assert (empty.messages, empty.value, empty.pairs) == (0, None, ())
