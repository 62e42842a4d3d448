"""Training: the classifier, stratified cross-validation with a membership audit, and the final fit.

Cross-validation trains every fold exactly as the final model is trained (vocabulary rule included), so
its out-of-fold predictions give honest metrics. They also fit the softmax temperature of the final
model, and every fold's model serves the membership inference audit: its training part are members,
its held-out part non-members.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from scrubdesk.models.privacy.dp import DPLogisticRegression
from scrubdesk.models.privacy.membership import MembershipAudit, membership_audit
from scrubdesk.models.triage.classifier import (
    fit_temperature,
    latent_dims_for,
    make_estimator,
    set_temperature,
    trial_dims_for,
)
from scrubdesk.models.triage.features import TokenCounts, Vocabulary, build_features
from scrubdesk.models.triage.metrics import Metrics, compute_metrics
from scrubdesk.models.triage.model import TriageModel, embedding_head
from scrubdesk.models.triage.settings import EMBEDDING_CS, TriageSettings

Step = Callable[[str], None]  # progress note + cancel check between steps


@dataclass(frozen=True)
class Plan:
    """What one training run fits, resolved from the settings and the data size."""

    settings: TriageSettings
    latent_dims: int | None  # None: the sparse model
    temperature: float = 1.0
    features: str = "tfidf"  # e5 | tfidf (resolved: never auto)
    embedder: str = ""  # e5: the embedder's identity
    embedding_c: float = 100.0  # e5: the head's C (resolved)
    c_trials: tuple[tuple[float, float, float], ...] = ()  # e5 auto C: (C, CV accuracy, membership AUC)
    trial_dims: int | None = None  # auto: try this latent space against the sparse model on fold 1
    trial: tuple[tuple[str, float], ...] = ()  # fold-1 accuracies of that trial

    @property
    def dp(self) -> bool:
        return self.settings.dp_epsilon is not None

    def as_dict(self) -> dict[str, Any]:
        if self.features == "e5":
            return {
                "features": "e5",
                "embedder": self.embedder,
                "classifier": "logistic-regression-softmax",
                "C": self.embedding_c,
                **(
                    {
                        "c_trials": [
                            {"C": c, "accuracy": round(a, 4), "membership_auc": round(m, 4)}
                            for c, a, m in self.c_trials
                        ]
                    }
                    if self.c_trials
                    else {}
                ),
                "latent_dims": None,
                "temperature": round(self.temperature, 4),
            }
        return {
            "features": "tfidf",
            "classifier": "dp-logistic-regression" if self.dp else "linear-svm-softmax",
            "latent_dims": self.latent_dims,
            "temperature": None if self.dp else round(self.temperature, 4),
            **({"latent_trial": {k: round(v, 4) for k, v in self.trial}} if self.trial else {}),
        }


def plan_for(settings: TriageSettings, labels: np.ndarray) -> Plan:
    if settings.dp_epsilon is not None:
        return Plan(settings, None)
    n_labels = len(set(labels.tolist()))
    s = settings
    args = (s.latent, s.latent_dims, len(labels), n_labels, s.latent_below)
    return Plan(settings, latent_dims_for(*args), trial_dims=trial_dims_for(*args))


def make_classifier(plan: Plan, n_features: int) -> Any:
    s = plan.settings
    if plan.dp and s.dp_epsilon is not None:
        return DPLogisticRegression(epsilon=s.dp_epsilon, delta=s.dp_delta, lam=s.dp_lambda, seed=None)
    # TruncatedSVD needs at least 2 features and fewer dimensions than features: tiny vocabularies stay sparse
    dims = None if plan.latent_dims is None or n_features < 3 else min(plan.latent_dims, n_features - 1)
    return make_estimator(dims, s.C, plan.temperature, s.seed)


def _raw_outputs(model: Any, X: Any) -> np.ndarray:
    """Decision values: logits of the DP model; the SVM's become logits once divided by the temperature."""
    return model.decision_function(X)


@dataclass(frozen=True)
class CrossValidation:
    metrics: Metrics
    membership: MembershipAudit
    fold_accuracies: tuple[float, ...]
    plan: Plan  # with the fitted temperature
    final: Any = None  # e5: the head fitted on every message alongside the folds (temperature set after)


def cross_validate(
    counts: TokenCounts, labels: np.ndarray, plan: Plan, step: Step | None = None
) -> CrossValidation:
    settings = plan.settings
    smallest = min(Counter(labels.tolist()).values())
    folds = StratifiedKFold(min(settings.cv_folds, smallest), shuffle=True, random_state=settings.seed)
    classes = np.array(sorted(set(labels.tolist())), dtype=object)
    out_of_fold = np.zeros((len(labels), len(classes)))
    in_fold: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (train rows, test rows, train outputs)
    for i, (train, test) in enumerate(folds.split(np.zeros(len(labels)), labels)):
        if step:
            step(f"cross-validation fold {i + 1}/{folds.n_splits}")
        X_train, X_test = counts.tfidf(train, test)
        model = make_classifier(plan, X_train.shape[1]).fit(X_train, labels[train])
        if i == 0 and plan.trial_dims is not None:
            plan, model = _latent_trial(plan, model, (X_train, labels[train]), (X_test, labels[test]))
        if list(model.classes_) != list(classes):  # stratified folds with >= 2 per label: never
            raise RuntimeError("a cross-validation fold lost a label")
        out_of_fold[test] = _raw_outputs(model, X_test)
        in_fold.append((train, test, _raw_outputs(model, X_train)))
    predicted = classes[np.argmax(out_of_fold, axis=1)]
    if not plan.dp:
        plan = replace(plan, temperature=fit_temperature(out_of_fold, labels, classes))

    scale = 1.0 if plan.dp else 1.0 / plan.temperature  # logits: the attacks never see rounded probabilities
    splits = [(z_in * scale, labels[tr], out_of_fold[te] * scale, labels[te]) for tr, te, z_in in in_fold]
    accuracies = tuple(float(np.mean(predicted[te] == labels[te])) for _, te, _ in in_fold)
    metrics = compute_metrics(labels.tolist(), predicted.tolist(), classes.tolist())
    return CrossValidation(metrics, membership_audit(splits, classes), accuracies, plan)


def _latent_trial(
    plan: Plan, sparse: Any, fit_on: tuple[Any, np.ndarray], score_on: tuple[Any, np.ndarray]
) -> tuple[Plan, Any]:
    """Fold 1 of ``auto`` with enough data: keep the latent space unless it costs more than
    ``latent_max_cost`` accuracy there (it narrows the membership gap; the sparse model keeps the
    rare-feature tail that many fine-grained labels need)."""
    assert plan.trial_dims is not None
    (X_train, y_train), (X_test, y_test) = fit_on, score_on
    latent_plan = replace(plan, latent_dims=plan.trial_dims, trial_dims=None)
    latent = make_classifier(latent_plan, X_train.shape[1]).fit(X_train, y_train)
    a_sparse = float(np.mean(sparse.predict(X_test) == y_test))
    a_latent = float(np.mean(latent.predict(X_test) == y_test))
    trial = (("sparse", a_sparse), ("latent", a_latent))
    if a_latent >= a_sparse - plan.settings.latent_max_cost:
        return replace(latent_plan, trial=trial), latent
    return replace(plan, trial_dims=None, trial=trial), sparse


def fit_final(texts: list[str], labels: np.ndarray, vocabulary: Vocabulary, plan: Plan) -> Pipeline:
    """The model to save: fixed-vocabulary features and the classifier, fitted on all training texts."""
    n_features = sum(vocabulary.sizes().values())
    classifier = make_classifier(plan, n_features)
    set_temperature(classifier, plan.temperature)
    steps: list[tuple[str, Any]] = [("features", build_features(vocabulary, plan.settings))]
    steps += classifier.steps if isinstance(classifier, Pipeline) else [("classifier", classifier)]
    return Pipeline(steps).fit(texts, labels)


def choose_embedding_c(
    vectors: np.ndarray, labels: np.ndarray, plan: Plan, step: Step | None = None
) -> CrossValidation:
    """A fixed C, or (``embedding_c=None``) the largest C of EMBEDDING_CS whose membership AUC meets the
    gate: less regularisation fits better but lets members stand out. When none meets it (small sets), the
    most accurate is kept and the gate refuses it unless the risk is accepted."""
    fixed = plan.settings.embedding_c
    if fixed is not None:
        return cross_validate_vectors(vectors, labels, replace(plan, embedding_c=fixed), step)
    trials: list[tuple[float, float, float]] = []
    tried: list[CrossValidation] = []
    for c in EMBEDDING_CS:
        cv = cross_validate_vectors(
            vectors, labels, replace(plan, embedding_c=c), step if not trials else None
        )
        trials.append((c, cv.metrics.accuracy, cv.membership.auc))
        tried.append(cv)
        if cv.membership.auc <= plan.settings.max_membership_auc:
            break
    else:
        cv = max(tried, key=lambda t: t.metrics.accuracy)
    return replace(cv, plan=replace(cv.plan, c_trials=tuple(trials)))


def cross_validate_vectors(
    vectors: np.ndarray, labels: np.ndarray, plan: Plan, step: Step | None = None
) -> CrossValidation:
    """Cross-validation of the head on embedding vectors: metrics, temperature, membership audit."""
    settings = plan.settings
    smallest = min(Counter(labels.tolist()).values())
    folds = StratifiedKFold(min(settings.cv_folds, smallest), shuffle=True, random_state=settings.seed)
    classes = np.array(sorted(set(labels.tolist())), dtype=object)
    out_of_fold = np.zeros((len(labels), len(classes)))
    in_fold: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    splits_ = list(folds.split(np.zeros(len(labels)), labels))

    def fit_fold(rows: np.ndarray) -> TriageModel:
        model = TriageModel("e5", plan.embedder, embedding_head(plan.embedding_c))
        return model.fit(vectors[rows], labels[rows])

    # Folds are independent fits, one per thread (numpy and scipy release the GIL), each with a
    # single-threaded BLAS: OpenBLAS's own threads, started from several threads at once, oversubscribe
    # the cores and spin (a 10k retrain took 233 s instead of 20 s with the library's default threads).
    with (
        threadpool_limits(limits=1),
        ThreadPoolExecutor(max_workers=min(1 + len(splits_), usable_cpus())) as pool,
    ):
        final = pool.submit(fit_fold, np.arange(len(labels)))  # the model to save, fitted meanwhile
        fitted = [pool.submit(fit_fold, train) for train, _ in splits_]
        for i, ((train, test), future) in enumerate(zip(splits_, fitted, strict=True)):
            if step:
                step(f"cross-validation fold {i + 1}/{folds.n_splits}")
            model = future.result()
            if list(model.classes_) != list(classes):
                raise RuntimeError("a cross-validation fold lost a label")
            out_of_fold[test] = model.decision_function(vectors[test])
            in_fold.append((train, test, model.decision_function(vectors[train])))
    predicted = classes[np.argmax(out_of_fold, axis=1)]
    plan = replace(plan, temperature=fit_temperature(out_of_fold, labels, classes))
    scale = 1.0 / plan.temperature
    splits = [(z_in * scale, labels[tr], out_of_fold[te] * scale, labels[te]) for tr, te, z_in in in_fold]
    accuracies = tuple(float(np.mean(predicted[te] == labels[te])) for _, te, _ in in_fold)
    metrics = compute_metrics(labels.tolist(), predicted.tolist(), classes.tolist())
    model = final.result()
    model.temperature = plan.temperature
    return CrossValidation(metrics, membership_audit(splits, classes), accuracies, plan, model)


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def holdout_accuracy(
    counts: TokenCounts, labels: np.ndarray, train: np.ndarray, test: np.ndarray, plan: Plan
) -> float:
    """Accuracy of the pipeline trained on ``train`` rows and scored on ``test`` rows."""
    X_train, X_test = counts.tfidf(train, test)
    model = make_classifier(plan, X_train.shape[1]).fit(X_train, labels[train])
    return float(np.mean(model.predict(X_test) == labels[test]))
