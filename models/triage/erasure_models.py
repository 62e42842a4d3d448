"""Erasure reaches models: what happens to the models trained on an erased subject's messages.

`core.erasure.erase_subject` marks those models stale (core cannot import the ML layer). Right after it,
the caller (the CLI/GUI, one layer up) calls :func:`models_after_erasure` with the certificate's
``models_marked_stale``:

- ``delete``: each model's sealed file and its card are deleted: a stale file must not keep the erased
  person's strings (a TF-IDF vocabulary can hold what the analyser missed).
- ``retrain``: a new model is trained first on what remains (the erased messages are gone from the store),
  with the newest stale model's settings; then the stale files are deleted as above. If the new model is
  refused (scan or membership gate), the stale files are still deleted and the result says why.

The result names which models were deleted and which model replaced them, for the certificate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scrubdesk.core.audit_log import AuditLog
from scrubdesk.core.db.trained_models import model_by_id
from scrubdesk.core.erasure import AfterErasure
from scrubdesk.core.errors import InputError
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.project import Project
from scrubdesk.core.store import Store
from scrubdesk.core.subject_search import SubjectMatch
from scrubdesk.models.triage.settings import TriageSettings
from scrubdesk.models.triage.training_job import run_training

MODES = ("delete", "retrain")


@dataclass(frozen=True)
class ModelsAfterErasure:
    mode: str
    models_deleted: tuple[int, ...]
    files_removed: int
    retrained_model_id: int | None = None
    retrain_refused: str | None = None  # why the replacement was not saved (scan / gate / input)

    def as_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "models_deleted": list(self.models_deleted),
            "files_removed": self.files_removed,
            "retrained_model_id": self.retrained_model_id,
            "retrain_refused": self.retrain_refused,
        }


def _settings_of(recorded: dict[str, Any]) -> TriageSettings:
    known = TriageSettings.__dataclass_fields__
    values: dict[str, Any] = {
        k: tuple(v) if isinstance(v, list) else v for k, v in recorded.items() if k in known
    }
    return TriageSettings(**values)


def models_after_erasure(
    project: Project, model_ids: list[int], mode: str = "delete", control: JobControl | None = None
) -> ModelsAfterErasure:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    with project.store() as store:
        records = [r for r in (model_by_id(store, m) for m in model_ids) if r is not None]
    retrained, refused = None, None
    if mode == "retrain" and records:
        newest = max(records, key=lambda r: r.id)
        try:
            summary = run_training(
                project,
                _settings_of(newest.settings),
                control,
                accept_membership_risk=bool(newest.audit.get("membership_risk_accepted")),
            )
            retrained = summary.model_id if summary.saved else None
            refused = None if summary.saved else (summary.refused or "cancelled")
        except InputError as exc:  # e.g. too few messages left to train
            refused = str(exc)
    removed = 0
    for record in records:
        model_file = project.path / record.path
        for path in (model_file, model_file.with_suffix(".card.json"), model_file.with_suffix(".card.md")):
            if path.is_file():
                path.unlink()
                removed += 1
    result = ModelsAfterErasure(mode, tuple(r.id for r in records), removed, retrained, refused)
    with project.store() as store, store.transaction():
        AuditLog(store, project.keys.id_key).append("erase.models", details=result.as_dict())
    return result


def after_erasure(project: Project, mode: str, control: JobControl | None = None) -> AfterErasure:
    """The step :func:`scrubdesk.core.erasure.erase_subject` runs once the messages are gone: the models
    trained on them are deleted or retrained (``mode``), and the certificate records what became of them."""

    def step(_store: Store, match: SubjectMatch) -> dict[str, Any]:
        return models_after_erasure(project, list(match.models), mode, control).as_dict()

    return step
