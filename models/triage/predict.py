"""Suggestions: the latest (non-stale) model's label, confidence and uncertainty for unlabelled messages.

Uncertainty is one minus the margin between the two most probable labels: the GUI asks a person to
label the most uncertain messages first (active learning).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from scrubdesk.core.audit_log import AuditLog
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db.trained_models import ModelRecord, Prediction, latest_model, store_predictions
from scrubdesk.core.errors import InputError
from scrubdesk.core.jobs import JobCancelled, JobControl
from scrubdesk.core.project import Project
from scrubdesk.core.scrubbing import unlabelled_messages
from scrubdesk.models.triage.persistence import load_model, load_sealed
from scrubdesk.models.triage.vectors import message_vectors


@dataclass(frozen=True)
class PredictionSummary:
    model_id: int
    predicted: int
    cancelled: bool
    mean_confidence: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "predicted": self.predicted,
            "cancelled": self.cancelled,
            "mean_confidence": None if self.mean_confidence is None else round(self.mean_confidence, 4),
        }


class StaleModelError(InputError):
    """The newest model trained on messages that were erased since: it must not be used."""


def load_latest(project: Project) -> tuple[ModelRecord, Any]:
    """The newest model, refused when it is stale (an older model is never picked silently)."""
    with project.store() as store:
        record = latest_model(store, include_stale=True)
    if record is None:
        raise InputError("this project has no trained model: run `scrubdesk train` first")
    if record.stale:
        raise StaleModelError(
            f"the latest model (id {record.id}) is stale: {record.stale_explanation}. "
            "Run `scrubdesk train` again; `scrubdesk models list` shows every model and its state"
        )
    return record, load_project_model(project, record)


def load_project_model(project: Project, record: ModelRecord) -> Any:
    """A project's model: sealed under the project key (release 2), or a clear release-1 file."""
    path = project.path / record.path
    if not path.is_file():
        raise InputError(f"the file of model {record.id} is missing ({record.path}): train again")
    return load_sealed(path, project.keys.db_key) if path.suffix == ".sealed" else load_model(path)


def predictions_for(model: Any, message_ids: list[int], texts: Any) -> list[Prediction]:
    """``texts``: scrubbed texts, or their embedding vectors for a model on embeddings."""
    proba = model.predict_proba(texts)
    order = np.argsort(proba, axis=1)
    top, second = order[:, -1], order[:, -2] if proba.shape[1] > 1 else order[:, -1]
    rows = np.arange(len(texts))
    p1, p2 = proba[rows, top], proba[rows, second] if proba.shape[1] > 1 else np.zeros(len(texts))
    return [
        Prediction(mid, str(model.classes_[t]), float(a), float(1.0 - (a - b)))
        for mid, t, a, b in zip(message_ids, top, p1, p2, strict=True)
    ]


def run_prediction(
    project: Project, control: JobControl | None = None, batch_size: int = 500
) -> PredictionSummary:
    control = control or JobControl()
    record, model = load_latest(project)
    done, confidence, cancelled = 0, 0.0, False
    with project.store() as store:
        messages = list(unlabelled_messages(project, store))
        try:
            for i in range(0, len(messages), batch_size):
                chunk = messages[i : i + batch_size]
                inputs: Any = [m.text for m in chunk]
                if getattr(model, "features", "") == "e5":  # embed once, through the project's cache
                    inputs, _ = message_vectors(project, store, chunk, JobControl())
                found = predictions_for(model, [m.message_id for m in chunk], inputs)
                with store.transaction() as conn:
                    store_predictions(conn, record.id, found, utc_now())
                done += len(found)
                confidence += sum(p.confidence for p in found)
                control.progress(done, len(messages), f"{done} suggestions")
                control.check_cancelled()
        except JobCancelled:
            cancelled = True
        summary = PredictionSummary(record.id, done, cancelled, confidence / done if done else None)
        with store.transaction():
            AuditLog(store, project.keys.id_key).append("predict", details=summary.as_dict())
    return summary
