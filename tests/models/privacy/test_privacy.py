"""The privacy audits themselves: vocabulary scan, membership inference, DP logistic regression, cost."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelEncoder

from scrubdesk.models.privacy.dp import DPLogisticRegression
from scrubdesk.models.privacy.membership import loss_threshold_audit
from scrubdesk.models.privacy.patterns import mask_patterns
from scrubdesk.models.privacy.vocabulary_scan import PII_STRING, scan_object, term_problem


@pytest.mark.parametrize(
    ("term", "kind"),
    [
        ("jane.doe@example.com", "EMAIL_ADDRESS"),
        ("sw1a 1aa", "UK_POSTCODE"),
        ("ab 12 34 56 c", "UK_NINO"),
        ("4111 1111 1111 1111", "CREDIT_CARD"),
        ("07700 900123", "PHONE_NUMBER"),
        ("12345678", "LONG_NUMBER"),
        ("okafor", PII_STRING),
        ("dear okafor", PII_STRING),
        ("refund", None),
        ("<email_address>", None),
    ],
)
def test_term_problem(term, kind):
    assert term_problem(term, {"okafor", "jane okafor"}) == kind


def test_scan_covers_every_stored_string_not_only_vocabularies():
    model = Pipeline([("enc", LabelEncoder())])
    model.named_steps["enc"].fit(["refund", "someone@example.com"])
    report = scan_object(model, set())
    assert not report.passed and report.findings[0].kind == "EMAIL_ADDRESS"
    assert "someone" not in str(report.as_dict())  # findings never quote the string


def test_mask_patterns_replaces_pii_shapes():
    masked = mask_patterns("mail a.b@example.com or ring 07700 900123, postcode W9 3JP")
    assert "@" not in masked and "07700" not in masked and "3JP" not in masked


def test_membership_auc_is_half_without_signal_and_one_with_full_leak():
    rng = np.random.default_rng(0)
    same = loss_threshold_audit(rng.uniform(size=2000), rng.uniform(size=2000))
    assert abs(same.auc - 0.5) < 0.05
    leak = loss_threshold_audit(np.full(50, 0.99), np.full(50, 0.5))
    assert leak.auc == 1.0 and leak.advantage == 1.0


def test_dp_logistic_regression_noise_shrinks_as_epsilon_grows():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 5))
    y = np.where(x[:, 0] > 0, "a", "b")
    loose = DPLogisticRegression(epsilon=1e6, lam=1e-2, seed=0).fit(x, y)
    assert np.mean(loose.predict(x) == y) > 0.9
    runs = [DPLogisticRegression(epsilon=0.1, lam=1e-2, seed=s).fit(x, y).coef_ for s in (1, 2)]
    assert not np.allclose(runs[0], runs[1])
    assert np.allclose(loose.predict_proba(x).sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="epsilon"):
        DPLogisticRegression(epsilon=0).fit(x, y)


@pytest.mark.slow
def test_privacy_cost_report_on_synthetic_emails(trained):
    cost = trained.summary.privacy_cost
    assert cost["scrubbing_cost_points"] <= 1.0
    assert [p["epsilon"] for p in cost["dp_curve"]] == [1.0, 100.0]
    assert all(0.0 <= p["accuracy"] <= 1.0 for p in cost["dp_curve"])
