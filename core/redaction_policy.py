"""The project's redaction policy: which operator replaces each entity type, and who may change it.

The policy lives in the project's settings (``redaction.operators``) and is what scrubbing, training
and export read. Changing it needs the admin role and is audit-logged; when the scrubbed text really
changes, every current model is marked stale: it was trained on text scrubbed the old way, and would
now be given text scrubbed the new way.
"""

from __future__ import annotations

from collections.abc import Iterable

from scrubdesk.core.audit_log import AuditLog
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db import settings
from scrubdesk.core.db.rows import Connection
from scrubdesk.core.db.trained_models import current_model_ids, mark_stale
from scrubdesk.core.entities import LABELS
from scrubdesk.core.model_lineage import STALE_POLICY
from scrubdesk.core.project import Project
from scrubdesk.core.redaction import SETTING_KEY, RedactionPolicy
from scrubdesk.core.roles import require_role

ADMIN_ONLY = ("admin",)
DEFAULT = "default"  # the key of the operator for every type not named


def redaction_policy(conn: Connection) -> RedactionPolicy:
    return RedactionPolicy.from_setting(settings.get_json(conn, SETTING_KEY))


def same_effect(a: RedactionPolicy, b: RedactionPolicy, labels: Iterable[str] = LABELS) -> bool:
    """Do both policies scrub every entity type the same way ('PERSON=placeholder' under a placeholder
    default changes the setting, not the scrubbed text)?"""
    every = set(labels) | set(a.per_label) | set(b.per_label)
    return a.default == b.default and all(a.operator(label) == b.operator(label) for label in every)


def set_redaction_policy(
    project: Project, changes: dict[str, str], *, reset: bool = False, labels: Iterable[str] = LABELS
) -> tuple[RedactionPolicy, list[int]]:
    """Apply ``changes`` (after ``reset``) to the project's policy; ``changes`` may name ``default``.
    Admin role; audit-logged. Returns the policy and the IDs of the models marked stale. ``labels``: every
    entity type the analyser emits (the policy's effect is compared over them)."""
    now = utc_now()
    with project.store() as store:
        role = require_role(store, ADMIN_ONLY, "changing the redaction policy")
        with store.transaction() as conn:
            before = redaction_policy(conn)
            setting = (RedactionPolicy() if reset else before).as_setting()
            setting.update(changes)
            default = setting.pop(DEFAULT)
            policy = RedactionPolicy(default=default, per_label=dict(sorted(setting.items())))
            settings.put_json(conn, SETTING_KEY, policy.as_setting())
            stale = [] if same_effect(policy, before, labels) else current_model_ids(conn)
            mark_stale(conn, stale, STALE_POLICY)
            details = {
                "reset": reset,
                "changes": dict(sorted(changes.items())),
                "policy": policy.as_setting(),
                "models_marked_stale": stale,
            }
            AuditLog(store, project.keys.id_key).append("redaction.set", details=details, role=role, at=now)
    return policy, stale
