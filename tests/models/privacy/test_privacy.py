"""The privacy audits themselves: vocabulary scan, membership inference, DP logistic regression, cost."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelEncoder

from scrubdesk.core.scrubbing import pii_strings, training_messages
from scrubdesk.models.privacy.dp import (
    DPLogisticRegression,
    _gaussian_delta,
    default_delta,
    exact_weights,
    gaussian_sigma,
)
from scrubdesk.models.privacy.membership import loss_threshold_audit, membership_audit
from scrubdesk.models.privacy.patterns import mask_patterns
from scrubdesk.models.privacy.vocabulary_scan import PII_STRING, scan_object, term_problem
from scrubdesk.models.triage.classifier import (
    SoftmaxLinearSVC,
    fit_temperature,
    latent_dims_for,
    softmax,
    trial_dims_for,
)
from scrubdesk.models.triage.features import TokenCounts
from scrubdesk.models.triage.settings import TriageSettings
from scrubdesk.models.triage.train import cross_validate, plan_for


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


def _split(rng, n, classes, member_conf, non_member_conf):
    """Probabilities where the true label gets ``*_conf`` on average."""

    def block(conf):
        y = rng.integers(0, classes, size=n)
        true = np.clip(conf + rng.normal(scale=0.05, size=n), 0.01, 0.99)
        p = np.tile(((1 - true) / (classes - 1))[:, None], (1, classes))
        p[np.arange(n), y] = true
        return p, y

    p_in, y_in = block(member_conf)
    p_out, y_out = block(non_member_conf)
    return np.log(p_in), y_in, np.log(p_out), y_out  # logits


def test_membership_audit_averages_folds_and_counts_a_reversed_gap_as_a_leak():
    rng = np.random.default_rng(3)
    classes = np.arange(4)
    same = membership_audit([_split(rng, 500, 4, 0.7, 0.7) for _ in range(3)], classes)
    assert abs(same.auc - 0.5) < 0.04 and same.folds == 3 and same.members == 500
    assert set(same.per_attack) == {"loss", "confidence", "margin"}
    leak = membership_audit([_split(rng, 300, 4, 0.9, 0.7)], classes)
    assert leak.auc > 0.95 and leak.per_attack["loss"] > 0.95
    # members LESS confident than non-members: the attacker flips the threshold, still a leak
    reversed_gap = membership_audit([_split(rng, 300, 4, 0.7, 0.9)], classes)
    assert reversed_gap.per_attack["loss"] < 0.05 and reversed_gap.auc > 0.95
    with pytest.raises(ValueError):
        membership_audit([], classes)


def test_membership_attacks_see_gaps_that_saturated_probabilities_hide():
    """A very confident model: softmax probabilities are exactly 1.0 for members and non-members alike
    (float64), but the logits keep the members' larger margins. The audit must not read 0.5 here."""
    rng = np.random.default_rng(4)
    y = np.zeros(400, dtype=int)
    logits_in = np.c_[rng.normal(900, 30, 400), np.zeros(400)]
    logits_out = np.c_[rng.normal(800, 30, 400), np.zeros(400)]
    assert (softmax(logits_in, 1.0)[:, 0] == 1.0).all() and (softmax(logits_out, 1.0)[:, 0] == 1.0).all()
    audit = membership_audit([(logits_in, y, logits_out, y)], np.arange(2))
    assert audit.auc > 0.95 and audit.per_attack["loss"] > 0.95


def test_gaussian_mechanism_noise_is_the_smallest_that_meets_delta():
    for eps, delta in ((0.5, 1e-5), (1.0, 1e-5), (5.0, 1e-6), (20.0, 1e-5)):
        sigma = gaussian_sigma(eps, delta, 1.0)
        assert _gaussian_delta(sigma, eps, 1.0) <= delta
        assert _gaussian_delta(sigma * 0.98, eps, 1.0) > delta
    # for eps < 1 the analytic calibration beats the classical bound sqrt(2 ln(1.25/delta)) / eps
    assert gaussian_sigma(0.5, 1e-5, 1.0) < np.sqrt(2 * np.log(1.25 / 1e-5)) / 0.5
    assert gaussian_sigma(10.0, 1e-5, 1.0) < gaussian_sigma(1.0, 1e-5, 1.0)
    assert gaussian_sigma(1.0, 1e-5, 2.0) == pytest.approx(2 * gaussian_sigma(1.0, 1e-5, 1.0), rel=1e-3)
    assert default_delta(100) == 1e-5 and default_delta(1000) == 1e-6


def test_dp_logistic_regression_noise_follows_epsilon_and_data_size():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2000, 5))
    y = np.where(x[:, 0] > 0, "a", np.where(x[:, 1] > 0, "b", "c"))
    loose = DPLogisticRegression(epsilon=1e4, lam=1e-2, seed=0).fit(x, y)
    assert np.mean(loose.predict(x) == y) > 0.85
    assert np.allclose(loose.predict_proba(x).sum(axis=1), 1.0)
    tight = DPLogisticRegression(epsilon=0.5, delta=1e-6, lam=1e-2, seed=0).fit(x, y)
    assert tight.sigma_ > 100 * loose.sigma_
    assert tight.sensitivity_ == pytest.approx(2 * np.sqrt(2) / (2000 * 1e-2))
    small = DPLogisticRegression(epsilon=0.5, delta=1e-6, lam=1e-2, seed=0).fit(x[:200], y[:200])
    assert small.sigma_ == pytest.approx(10 * tight.sigma_, rel=1e-3)  # 10x fewer messages: 10x the noise
    runs = [DPLogisticRegression(epsilon=1.0, seed=s).fit(x, y).coef_ for s in (1, 2)]
    assert not np.allclose(runs[0], runs[1])
    # one exact fit released at two epsilons: the same weights plus different amounts of noise
    exact = exact_weights(x, y, 1e-2)
    a = DPLogisticRegression(epsilon=1.0, lam=1e-2, seed=5).release(exact, np.unique(y), 2000)
    assert a.coef_.shape == exact.shape == (3, 6)
    y2 = np.where(x[:, 0] > 0, "a", "b")
    binary = DPLogisticRegression(epsilon=1e4, lam=1e-2, seed=0).fit(x, y2)
    assert binary.coef_.shape == (2, 6) and np.mean(binary.predict(x) == y2) > 0.9
    with pytest.raises(ValueError, match="epsilon"):
        DPLogisticRegression(epsilon=0).fit(x, y)


def test_temperature_scaling_recovers_the_temperature_of_the_data():
    rng = np.random.default_rng(7)
    scores = rng.normal(scale=3.0, size=(4000, 5))
    true_t = 2.5
    p = softmax(scores, true_t)
    y = np.array([rng.choice(5, p=row) for row in p])
    assert fit_temperature(scores, y, np.arange(5)) == pytest.approx(true_t, rel=0.1)


def test_softmax_linear_svc_binary_and_multiclass_probabilities():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(300, 4))
    for y in (np.where(x[:, 0] > 0, "a", "b"), np.where(x[:, 0] > 0, "a", np.where(x[:, 1] > 0, "b", "c"))):
        model = SoftmaxLinearSVC(temperature=0.5).fit(x, y)
        p = model.predict_proba(x)
        assert p.shape == (300, len(set(y))) and np.allclose(p.sum(axis=1), 1.0)
        assert (model.classes_[p.argmax(axis=1)] == model.predict(x)).all()
        assert np.mean(model.predict(x) == y) > 0.9


def test_latent_space_is_chosen_by_messages_per_label():
    assert latent_dims_for("auto", None, 400, 10, 100) == 50  # 40 per label: latent
    assert latent_dims_for("auto", None, 10_000, 77, 100) is None  # 130 per label: sparse
    assert latent_dims_for("auto", None, 1_000, 30, 100) == 90  # max(50, 3 x labels)
    assert latent_dims_for("on", 500, 100, 2, 100) == 99  # never more than n - 1
    assert latent_dims_for("off", None, 50, 10, 100) is None
    assert latent_dims_for("on", 20, 10_000, 77, 100) == 20
    assert trial_dims_for("auto", None, 10_000, 77, 100) == 231  # enough data: tried on fold 1
    assert trial_dims_for("auto", None, 400, 10, 100) is None  # latent outright
    assert trial_dims_for("off", None, 10_000, 77, 100) is None
    assert trial_dims_for("on", None, 10_000, 77, 100) is None


@pytest.mark.slow
def test_privacy_cost_report_on_synthetic_emails(trained):
    cost = trained.summary.privacy_cost
    assert cost["scrubbing_cost_points"] <= 1.0
    assert cost["n"] == trained.summary.n_train and cost["folds"] == 3
    assert [p["epsilon"] for p in cost["dp_curve"]] == [1.0, 100.0]
    assert all(0.0 <= p["accuracy"] <= 1.0 for p in cost["dp_curve"])
    assert 0 < cost["dp_delta"] <= 1e-5
    # at epsilon 100 the noise is small enough to beat chance (10 labels) by far
    assert cost["dp_curve"][1]["accuracy"] > 0.5


@pytest.mark.slow
def test_latent_space_narrows_the_membership_gap_of_a_small_project(trained):
    """310 templated emails, 3 folds (about 20 training messages per label): the latent space is chosen
    and its worst attack's AUC is clearly below the sparse model's on the same folds. (At this size it
    stays above 0.55; with 32 per label it met the target, see bench/triage/RESULTS.md.)"""
    s = trained.summary
    mia = s.audit["membership_inference"]
    assert s.model["latent_dims"] == 50 and mia["folds"] == 3
    assert set(mia["per_attack"]) == {"loss", "confidence", "margin"}
    assert s.audit["membership_passed"] == (mia["auc"] <= 0.55)
    project = trained.project
    with project.store() as store:
        messages = list(training_messages(project, store))
        pii = pii_strings(project, store)
    labels = np.array([m.label for m in messages], dtype=object)
    sparse = TriageSettings(cv_folds=3, latent="off")
    cv = cross_validate(
        TokenCounts([m.text for m in messages], sparse, pii), labels, plan_for(sparse, labels)
    )
    assert cv.plan.latent_dims is None
    assert cv.membership.auc > mia["auc"] + 0.08
    assert s.metrics["accuracy"] >= cv.metrics.accuracy - 0.01


@pytest.mark.slow
def test_auto_tries_the_latent_space_on_fold_one_and_keeps_it_only_when_it_costs_no_accuracy(trained):
    project = trained.project
    with project.store() as store:
        messages = list(training_messages(project, store))
        pii = pii_strings(project, store)
    labels = np.array([m.label for m in messages], dtype=object)
    texts = [m.text for m in messages]
    # latent_below=10: 31 per label counts as "enough data", so auto tries both on fold 1
    cheap = TriageSettings(cv_folds=3, latent_below=10)
    plan = plan_for(cheap, labels)
    assert plan.latent_dims is None and plan.trial_dims == 50
    cv = cross_validate(TokenCounts(texts, cheap, pii), labels, plan)
    trial = cv.plan.as_dict()["latent_trial"]
    assert trial["latent"] >= trial["sparse"] - 0.005 and cv.plan.latent_dims == 50
    strict = TriageSettings(cv_folds=3, latent_below=10, latent_max_cost=-1.0)  # latent can never win
    cv = cross_validate(TokenCounts(texts, strict, pii), labels, plan_for(strict, labels))
    assert cv.plan.latent_dims is None and set(cv.plan.as_dict()["latent_trial"]) == {"sparse", "latent"}
