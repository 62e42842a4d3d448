"""The training job behind `scrubdesk train DIR`: approved, scrubbed, labelled messages -> audited model.

Steps: read the scrubbed training set (never raw text) -> tokenise once, refusing terms that fail the
vocabulary scan -> stratified cross-validation (metrics, membership inference) -> final fit with the
k-distinct-messages vocabulary -> scan every string the fitted model stores. Only a model that passes
the scan is written (skops) with its model card, and recorded with its lineage. Progress and cancel go
through :class:`scrubdesk.core.jobs.JobControl`; a cancelled run saves nothing.
"""

from __future__ import annotations

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
from scrubdesk.core.scrubbing import (
    ScrubbedMessage,
    held_out_messages,
    join_fields,
    pii_strings,
    training_messages,
)
from scrubdesk.core.store import Store
from scrubdesk.models.privacy.cost import DEFAULT_EPSILONS, privacy_cost
from scrubdesk.models.privacy.vocabulary_scan import scan_object
from scrubdesk.models.triage.bias import bias_check
from scrubdesk.models.triage.features import TokenCounts
from scrubdesk.models.triage.held_out import held_out_metrics
from scrubdesk.models.triage.model_card import library_versions, write_card
from scrubdesk.models.triage.persistence import save_model
from scrubdesk.models.triage.settings import TriageSettings
from scrubdesk.models.triage.train import cross_validate, fit_final, plan_for

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

    def as_dict(self) -> dict[str, Any]:
        scan = self.audit.get("vocabulary_scan", {})
        mia = self.audit.get("membership_inference", {})
        return {
            "saved": self.saved,
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
            "membership_auc": mia.get("auc"),
            "membership_passed": self.audit.get("membership_passed"),
            **self.model,
            **({"privacy_cost": self.privacy_cost} if self.privacy_cost else {}),
            **({"consent": self.consent} if self.consent else {}),
            "seconds": round(self.seconds, 2),
        }


def _raw_texts(store: Store, messages: list[ScrubbedMessage]) -> list[str]:
    found = {t.id: t for t in message_rows.texts(store, [m.message_id for m in messages])}
    return [join_fields(found[m.message_id].subject, found[m.message_id].body) for m in messages]


def run_training(
    project: Project,
    settings: TriageSettings | None = None,
    control: JobControl | None = None,
    *,
    cost_report: bool = False,
    epsilons: tuple[float, ...] = DEFAULT_EPSILONS,
    consent_only: bool = False,
) -> TrainingSummary:
    settings = settings or TriageSettings()
    control = control or JobControl()
    started = time.perf_counter()
    steps = 4 + settings.cv_folds + (1 if cost_report else 0)
    done = 0

    def step(note: str) -> None:
        nonlocal done
        control.check_cancelled()
        control.progress(done, steps, note)
        done += 1

    try:
        step("reading approved, scrubbed messages")
        with project.store() as store:
            messages = list(training_messages(project, store))
            held_out = list(held_out_messages(project, store))  # the test split: never trains
            pii = pii_strings(project, store)
            others: list[ScrubbedMessage] = []
            if consent_only:
                consenting = consenting_message_ids(store)
                others = [m for m in messages if m.message_id not in consenting]
                messages = [m for m in messages if m.message_id in consenting]
            raw = _raw_texts(store, messages) if cost_report else []
        full_labels = [m.label for m in messages + others]
        per_label = Counter(m.label for m in messages)
        rare = {label for label, n in per_label.items() if n < settings.min_per_label}
        keep = [i for i, m in enumerate(messages) if m.label not in rare]
        messages = [messages[i] for i in keep]
        raw = [raw[i] for i in keep] if raw else []
        if len(per_label) - len(rare) < 2:
            where = " from consenting senders" if consent_only else ""
            raise InputError(
                f"training needs at least 2 labels with {settings.min_per_label}+ approved, analysed, "
                f"labelled messages{where} each; found {len(per_label) - len(rare)}"
                + (f" among {len(messages)} consenting messages" if consent_only else "")
                + " (run analyze and review first)"
            )
        texts = [m.text for m in messages]
        labels = np.array([m.label for m in messages], dtype=object)

        step("tokenising")
        counts = TokenCounts(texts, settings, pii)
        cv = cross_validate(counts, labels, plan_for(settings, labels), step)
        step("fitting the final model")
        vocabulary = counts.vocabulary(np.arange(len(labels)))
        model = fit_final(texts, labels, vocabulary, cv.plan)
        scored = held_out_metrics(model, held_out)
        del held_out
        step("scanning the model")
        scan = scan_object(model, pii)
        consent = None
        if consent_only:
            check = bias_check(full_labels, labels.tolist(), model, others)
            consent = {"consent_only": True, **check}
        del others
        cost = None
        if cost_report:
            step("privacy-cost report (raw vs scrubbed vs DP)")
            cost = privacy_cost(raw, texts, labels, settings, pii, epsilons=epsilons, plan=cv.plan).as_dict()
        del pii, raw
    except JobCancelled:
        return TrainingSummary(saved=False, cancelled=True, seconds=time.perf_counter() - started)

    audit = {
        "vocabulary_scan": scan.as_dict(),
        "terms_refused": sum(counts.refused.values()),
        "vocabulary_size": vocabulary.sizes(),
        "membership_inference": cv.membership.as_dict(),
        "membership_target": settings.max_membership_auc,
        "membership_passed": cv.membership.auc <= settings.max_membership_auc,
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
    }
    created = utc_now()
    with project.store() as store:
        audit_log = AuditLog(store, project.keys.id_key)
        if not scan.passed:
            with store.transaction():
                audit_log.append(
                    "train.refused",
                    objects=[digest],
                    details={"n_train": len(messages), "vocabulary_scan": scan.as_dict()},
                )
            log.warning("model not saved: the vocabulary scan found %d problem(s)", len(scan.findings))
            return TrainingSummary(saved=False, seconds=time.perf_counter() - started, **summary_args)
        rel = f"{MODELS_DIR}/triage-{created.replace(':', '').replace('+', 'Z')[:17]}-{digest[:8]}.skops"
        model_path = project.path / rel
        save_model(model, model_path)
        card = {
            "model_file": Path(rel).name,
            "created_at": created,
            "lineage": {
                "n_train": len(messages),
                "msg_list_digest": digest,
                "project_id": project.project_id,
            },
            "labels": list(cv.metrics.labels),
            "metrics": metrics,
            "audit": audit,
            "privacy_cost": cost,
            "model": cv.plan.as_dict(),
            "consent": consent,
            "settings": settings.as_dict(),
            "versions": library_versions(),
        }
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
                    "accuracy": metrics["accuracy"],
                    "macro_f1": metrics["macro_f1"],
                    "scan_findings": 0,
                    "membership_auc": audit["membership_inference"]["auc"],
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
