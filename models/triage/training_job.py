"""The training job behind `scrubdesk train DIR`: approved, scrubbed, labelled messages -> audited model.

Steps: read the scrubbed training set (never raw text) -> features: e5 embeddings of each scrubbed text
(cached per message in the encrypted store, so a retrain embeds only what changed) or TF-IDF with the
k-distinct-senders vocabulary -> stratified cross-validation (metrics, temperature, membership inference)
-> final fit -> scan every string the fitted model stores against the project's PII strings and every
data subject's own identifiers -> the membership gate. Only a model that passes the scan, and the gate
(or whose membership risk an admin accepted explicitly), is written: skops, sealed under the project key,
with its model card, and recorded with its lineage. Progress and cancel go through
:class:`scrubdesk.core.jobs.JobControl`; a cancelled run saves nothing.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from scrubdesk.core.audit_log import AuditLog
from scrubdesk.core.clock import utc_now
from scrubdesk.core.consent import consenting_message_ids
from scrubdesk.core.db import messages as message_rows
from scrubdesk.core.db.trained_models import record_model
from scrubdesk.core.errors import InputError
from scrubdesk.core.jobs import JobCancelled, JobControl
from scrubdesk.core.model_lineage import MODELS_DIR, msg_list_digest
from scrubdesk.core.project import Project
from scrubdesk.core.roles import TRAIN_ROLES, require_role
from scrubdesk.core.scrubbing import (
    ScrubbedMessage,
    held_out_messages,
    join_fields,
    pii_strings,
    training_messages,
)
from scrubdesk.core.store import Store
from scrubdesk.core.training_subjects import analyzer_versions, sender_keys, subject_identifiers
from scrubdesk.models.privacy.cost import DEFAULT_EPSILONS, privacy_cost
from scrubdesk.models.privacy.vocabulary_scan import scan_object
from scrubdesk.models.triage import embeddings
from scrubdesk.models.triage.bias import bias_check
from scrubdesk.models.triage.features import TokenCounts
from scrubdesk.models.triage.held_out import held_out_metrics
from scrubdesk.models.triage.model import TriageModel
from scrubdesk.models.triage.model_card import library_versions, write_card
from scrubdesk.models.triage.persistence import save_sealed
from scrubdesk.models.triage.settings import TriageSettings
from scrubdesk.models.triage.train import (
    Plan,
    choose_embedding_c,
    cross_validate,
    fit_final,
    plan_for,
)
from scrubdesk.models.triage.vectors import message_vectors

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingSummary:
    saved: bool
    cancelled: bool = False
    model_id: int | None = None
    model_path: str | None = None  # relative to the project directory
    n_train: int = 0
    labels: int = 0
    dropped_labels: int = 0
    metrics: dict[str, Any] = field(default_factory=dict)
    audit: dict[str, Any] = field(default_factory=dict)
    privacy_cost: dict[str, Any] | None = None
    model: dict[str, Any] = field(default_factory=dict)  # classifier, latent dims, temperature
    consent: dict[str, Any] | None = None  # consent-only training: counts and the bias check
    seconds: float = 0.0
    refused: str | None = None  # why nothing was saved: "vocabulary-scan" | "membership-gate"
    explanation: str = ""  # the refusal in words: what, where, how to resolve
    embedding: dict[str, Any] = field(default_factory=dict)  # embedded / from cache / seconds

    def as_dict(self) -> dict[str, Any]:
        scan = self.audit.get("vocabulary_scan", {})
        mia = self.audit.get("membership_inference", {})
        return {
            "saved": self.saved,
            "refused": self.refused,
            **({"explanation": self.explanation} if self.explanation else {}),
            "cancelled": self.cancelled,
            "model_id": self.model_id,
            "model_path": self.model_path,
            "n_train": self.n_train,
            "labels": self.labels,
            "dropped_labels": self.dropped_labels,
            "accuracy": self.metrics.get("accuracy"),
            "macro_f1": self.metrics.get("macro_f1"),
            "held_out": self.metrics.get("held_out"),
            "vocabulary_scan_findings": scan.get("findings"),
            "terms_refused": self.audit.get("terms_refused"),
            "vocabulary_size": self.audit.get("vocabulary_size"),
            "scan_details": scan.get("details", []),
            "membership_auc": mia.get("auc"),
            "membership_gate": self.audit.get("membership_target"),
            "membership_passed": self.audit.get("membership_passed"),
            "membership_risk_accepted": self.audit.get("membership_risk_accepted", False),
            **({"embedding": self.embedding} if self.embedding else {}),
            **self.model,
            **({"privacy_cost": self.privacy_cost} if self.privacy_cost else {}),
            **({"consent": self.consent} if self.consent else {}),
            "seconds": round(self.seconds, 2),
        }


def _raw_texts(store: Store, messages: list[ScrubbedMessage]) -> list[str]:
    found = {t.id: t for t in message_rows.texts(store, [m.message_id for m in messages])}
    return [join_fields(found[m.message_id].subject, found[m.message_id].body) for m in messages]


def resolve_features(settings: TriageSettings) -> str:
    """``auto``: e5 embeddings where the engine runs (AVX2/FMA, installed), else TF-IDF. DP is TF-IDF only."""
    if settings.dp_epsilon is not None:
        return "tfidf"
    if settings.features != "auto":
        return settings.features
    try:
        embeddings.embedder_id()
    except embeddings.EmbedderUnavailableError:
        return "tfidf"
    return "e5" if embeddings.cpu_supports_embedder() else "tfidf"


def run_training(
    project: Project,
    settings: TriageSettings | None = None,
    control: JobControl | None = None,
    *,
    cost_report: bool = False,
    epsilons: tuple[float, ...] = DEFAULT_EPSILONS,
    consent_only: bool = False,
    accept_membership_risk: bool = False,
) -> TrainingSummary:
    """Train, audit and (when it passes) save a model. ``accept_membership_risk``: save a model whose
    membership-inference AUC is above the gate; recorded in the card and the audit log."""
    settings = settings or TriageSettings()
    control = control or JobControl()
    started = time.perf_counter()
    steps = 5 + settings.cv_folds + (1 if cost_report else 0)
    done = 0
    features = resolve_features(settings)

    def step(note: str) -> None:
        nonlocal done
        control.check_cancelled()
        control.progress(done, steps, note)
        done += 1

    embedding: dict[str, Any] = {}
    try:
        step("reading approved, scrubbed messages")
        with project.store() as store:
            require_role(store, TRAIN_ROLES, "training a model")
            messages = list(training_messages(project, store))
            held_out = list(held_out_messages(project, store))  # the test split: never trains
            pii = pii_strings(project, store)
            others: list[ScrubbedMessage] = []
            if consent_only:
                consenting = consenting_message_ids(store)
                others = [m for m in messages if m.message_id not in consenting]
                messages = [m for m in messages if m.message_id in consenting]
            full_labels = [m.label or "" for m in messages + others]
            per_label = Counter(m.label for m in messages)
            rare = {label for label, n in per_label.items() if n < settings.min_per_label}
            messages = [m for m in messages if m.label not in rare]
            if len(per_label) - len(rare) < 2:
                where = " from consenting senders" if consent_only else ""
                raise InputError(
                    f"training needs at least 2 labels with {settings.min_per_label}+ approved, analysed, "
                    f"labelled messages{where} each; found {len(per_label) - len(rare)}"
                    + (f" among {len(messages)} consenting messages" if consent_only else "")
                    + " (run analyze and review first)"
                )
            ids = [m.message_id for m in messages]
            senders = sender_keys(store, ids)
            identifiers = subject_identifiers(store, ids)
            analysers = analyzer_versions(store, ids)
            raw = _raw_texts(store, messages) if cost_report else []
            vectors = None
            if features == "e5":
                step("embedding scrubbed texts (cached per message)")
                vectors, embedding = message_vectors(project, store, messages, control)
        texts = [m.text for m in messages]
        labels = np.array([m.label for m in messages], dtype=object)
        n_senders = len(set(senders))

        model: Any
        if vectors is not None:
            plan = Plan(settings, None, features="e5", embedder=embedding["embedder"])
            cv = choose_embedding_c(vectors, labels, plan, step)
            step("fitting the final model")
            model = cv.final  # fitted on every message alongside the folds
            vocabulary_size: dict[str, int] = {}
            terms_refused = 0
        else:
            step("tokenising")
            counts = TokenCounts(texts, settings, pii | identifiers, senders)
            cv = cross_validate(counts, labels, plan_for(settings, labels), step)
            step("fitting the final model")
            vocabulary = counts.vocabulary(np.arange(len(labels)))
            pipeline = fit_final(texts, labels, vocabulary, cv.plan)
            model = TriageModel("tfidf", "", pipeline, cv.plan.temperature)
            vocabulary_size = vocabulary.sizes()
            terms_refused = sum(counts.refused.values())
        scored = held_out_metrics(model, held_out)
        del held_out
        step("scanning the model")
        scan = scan_object(model, pii, identifiers)
        consent = None
        if consent_only:
            consent = {"consent_only": True, **bias_check(full_labels, labels.tolist(), model, others)}
        del others
        cost = None
        if cost_report:
            step("privacy-cost report (raw vs scrubbed vs DP)")
            tfidf_plan = cv.plan if vectors is None else None
            cost = privacy_cost(
                raw, texts, labels, settings, pii, epsilons=epsilons, plan=tfidf_plan
            ).as_dict()
        del pii, raw, identifiers
    except JobCancelled:
        return TrainingSummary(saved=False, cancelled=True, seconds=time.perf_counter() - started)

    mia_auc = cv.membership.auc
    gate_passed = mia_auc <= settings.max_membership_auc
    audit: dict[str, Any] = {
        "vocabulary_scan": scan.as_dict(),
        "vocabulary_rule": f"a term needs messages from {settings.k}+ distinct senders"
        if vectors is None
        else "no vocabulary (embedding features store no strings)",
        "distinct_senders": n_senders,
        "terms_refused": terms_refused,
        "vocabulary_size": vocabulary_size,
        "membership_inference": cv.membership.as_dict(),
        "membership_target": settings.max_membership_auc,
        "membership_passed": gate_passed,
        "membership_risk_accepted": bool(accept_membership_risk and not gate_passed),
    }
    metrics = {
        **cv.metrics.as_dict(),
        "folds": len(cv.fold_accuracies),
        "fold_accuracies": [round(a, 4) for a in cv.fold_accuracies],
        "held_out": scored,
    }
    digest = msg_list_digest(project.ids, (m.msg_key for m in messages))
    summary_args: dict[str, Any] = {
        "n_train": len(messages),
        "labels": len(cv.metrics.labels),
        "dropped_labels": len(rare),
        "metrics": metrics,
        "audit": audit,
        "privacy_cost": cost,
        "model": cv.plan.as_dict(),
        "consent": consent,
        "embedding": embedding,
    }
    refused, explanation = None, ""
    if not scan.passed:
        refused = "vocabulary-scan"
        explanation = f"the model holds {len(scan.findings)} string(s) it must not:\n{scan.explain()}"
    elif not gate_passed and not accept_membership_risk:
        refused = "membership-gate"
        explanation = (
            f"membership-inference AUC {mia_auc:.3f} is above the gate {settings.max_membership_auc} "
            f"(strongest attack: {cv.membership.strongest}): training messages can be told from unseen ones. "
            "Add approved messages, or save it anyway with --accept-membership-risk (recorded in the card "
            "and the audit log)"
        )
    created = utc_now()
    with project.store() as store:
        audit_log = AuditLog(store, project.keys.id_key)
        if refused:
            with store.transaction():
                audit_log.append(
                    "train.refused",
                    objects=[digest],
                    details={
                        "n_train": len(messages),
                        "reason": refused,
                        "vocabulary_scan": {k: v for k, v in scan.as_dict().items() if k != "details"},
                        "findings": [
                            {k: v for k, v in f.as_dict().items() if k != "explanation"}
                            for f in scan.findings[:20]
                        ],
                        "membership_auc": round(mia_auc, 4),
                        "membership_gate": settings.max_membership_auc,
                    },
                )
            log.warning("model not saved (%s)", refused)
            return TrainingSummary(
                saved=False,
                refused=refused,
                explanation=explanation,
                seconds=time.perf_counter() - started,
                **summary_args,
            )
        rel = f"{MODELS_DIR}/triage-{created.replace(':', '').replace('+', 'Z')[:17]}-{digest[:8]}.sealed"
        model_path = project.path / rel
        clear = save_sealed(model, model_path, project.keys.db_key)
        card = {
            "model_file": Path(rel).name,
            "model_sha256": hashlib.sha256(clear).hexdigest(),
            "sealed": True,
            "created_at": created,
            "lineage": {
                "n_train": len(messages),
                "msg_list_digest": digest,
                "project_id": project.project_id,
            },
            "labels": list(cv.metrics.labels),
            # `scrubdesk classify` scrubs new mail with exactly this analyser (release, model, settings)
            "analyser_version": max(analysers, key=lambda v: analysers[v]) if analysers else None,
            "analyser_versions": analysers,
            "metrics": metrics,
            "audit": audit,
            "privacy_cost": cost,
            "model": cv.plan.as_dict(),
            "consent": consent,
            "settings": settings.as_dict(),
            "versions": library_versions(),
        }
        del clear
        write_card(card, model_path.with_suffix(".card.json"))
        with store.transaction() as conn:
            model_id = record_model(
                conn,
                created_at=created,
                path=rel,
                msg_list_digest=digest,
                member_ids=[m.message_id for m in messages],
                labels=cv.metrics.labels,
                metrics={k: v for k, v in metrics.items() if k not in ("per_class", "confusion")},
                audit={**audit, **({"consent": consent} if consent else {})},
                settings=settings.as_dict(),
            )
            audit_log.append(
                "train",
                objects=[digest],
                details={
                    "model_id": model_id,
                    "n_train": len(messages),
                    "features": cv.plan.features,
                    "accuracy": metrics["accuracy"],
                    "macro_f1": metrics["macro_f1"],
                    "scan_findings": 0,
                    "membership_auc": audit["membership_inference"]["auc"],
                    "membership_gate": settings.max_membership_auc,
                    "membership_risk_accepted": audit["membership_risk_accepted"],
                    "dp_epsilon": settings.dp_epsilon,
                    "consent_only": consent_only,
                },
            )
    control.progress(steps, steps, "model saved")
    return TrainingSummary(
        saved=True,
        model_id=model_id,
        model_path=rel,
        seconds=time.perf_counter() - started,
        **summary_args,
    )
