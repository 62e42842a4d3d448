"""`scrubdesk model export DIR OUT.zip`: the only way a model leaves the project in clear (audited).

Exports a current (non-stale) model after a fresh scan of every string it stores against today's PII
strings of the project and its training subjects' identifiers (an erasure or a review since training may
have added some), with the analyser configuration it must scrub new mail with. Admin role.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrubdesk.core.audit_log import AuditLog
from scrubdesk.core.db.trained_models import latest_model, model_by_id, model_member_ids
from scrubdesk.core.errors import InputError
from scrubdesk.core.project import Project
from scrubdesk.core.redaction_policy import redaction_policy
from scrubdesk.core.roles import require_role
from scrubdesk.core.scrubbing import pii_strings
from scrubdesk.core.training_subjects import subject_identifiers
from scrubdesk.models.privacy.vocabulary_scan import scan_object
from scrubdesk.models.triage.package import write_package
from scrubdesk.models.triage.persistence import model_bytes
from scrubdesk.models.triage.predict import load_project_model

ADMIN = ("admin",)  # who may let a model leave the project


@dataclass(frozen=True)
class ExportedModel:
    model_id: int
    path: Path
    sha256: str
    analyser_version: str | None
    scan: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "path": str(self.path),
            "sha256": self.sha256,
            "analyser_version": self.analyser_version,
            "vocabulary_scan": self.scan,
        }


def export_model(
    project: Project, out: Path, model_id: int | None = None, config: dict[str, Any] | None = None
) -> ExportedModel:
    """``config``: the analyser configuration overlay the project analysed with (None: the default)."""
    with project.store() as store:
        role = require_role(store, ADMIN, "exporting a model")
        record = model_by_id(store, model_id) if model_id is not None else latest_model(store)
        if record is None:
            raise InputError("no such model: `scrubdesk models list` shows the project's models")
        if record.stale:
            raise InputError(f"model {record.id} is stale ({record.stale_explanation}): train again first")
        model = load_project_model(project, record)
        pii = pii_strings(project, store)
        identifiers = subject_identifiers(store, model_member_ids(store, record.id))
        policy = redaction_policy(store).as_setting()
    scan = scan_object(model, pii, identifiers)
    del pii, identifiers
    if not scan.passed:
        raise InputError(f"model {record.id} is not exported: it holds strings it must not\n{scan.explain()}")
    card_path = (project.path / record.path).with_suffix(".card.json")
    card = json.loads(card_path.read_text(encoding="utf-8")) if card_path.is_file() else {}
    analyser = card.get("analyser_version")
    scrubbing = {"analyser_version": analyser, "config_overlay": config or {}, "redaction_policy": policy}
    sha256 = write_package(out, model_bytes(model), card, scrubbing)
    with project.store() as store, store.transaction():
        AuditLog(store, project.keys.id_key).append(
            "model.export",
            details={"model_id": record.id, "path": str(out), "sha256": sha256, "scan_findings": 0},
            role=role,
        )
    return ExportedModel(record.id, out, sha256, analyser, scan.as_dict())
