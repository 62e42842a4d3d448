"""Retention: how long the annotated dataset may be kept, and the purge that really deletes it.

A project keeps its dataset until a date (``until``: a purge is due from the day after) or until a model
has been trained (``after_training``: due once a model that is not stale exists). The policy lives in the
``settings`` table under ``retention``.

A purge keeps only what the seed requirement allows - trained models (and their lineage), message keys
and labels (and the model's suggested labels in ``predictions``, which are labels, not text) - and removes
everything else: body, subject, sender, recipients, date, source location and attachment types of every
message; PII spans; analysis fingerprints; review and label-review comments (the approvals and decisions
stay, as a record); subject links (keyed IDs); quarantine locations and details. Then, as for an erasure,
the store is rewritten with ``secure_delete`` on (``VACUUM``) and its WAL truncated, so the bytes are gone
from the file. Source files' paths stay in ``sources`` for the data inventory.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from scrubdesk.core.audit_log import AuditLog, current_os_user
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db import maintenance, messages, settings, trained_models
from scrubdesk.core.erasure import ADMIN_ONLY
from scrubdesk.core.errors import InputError
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.project import Project
from scrubdesk.core.roles import require_role
from scrubdesk.core.store import Store

SETTING_KEY = "retention"
Mode = Literal["none", "until", "after_training"]


@dataclass(frozen=True)
class RetentionPolicy:
    mode: Mode = "none"
    until: str | None = None  # YYYY-MM-DD, for mode "until"
    set_at: str | None = None
    set_by: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        if self.mode == "until":
            return f"keep the dataset until {self.until}"
        if self.mode == "after_training":
            return "delete the dataset once a model is trained"
        return "no retention limit set"


@dataclass(frozen=True)
class RetentionStatus:
    """What the GUI's banner needs: is a purge due, and why."""

    policy: RetentionPolicy
    due: bool
    reason: str
    unpurged_messages: int | None  # None: not counted (no retention limit set)
    purged_messages: int | None
    last_purge: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "retention": self.policy.as_dict(),
            "due": self.due,
            "reason": self.reason,
            "unpurged_messages": self.unpurged_messages,
            "purged_messages": self.purged_messages,
            "last_purge": self.last_purge,
        }


def parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError("the retention date must be a date like 2025-12-31 (YYYY-MM-DD)") from None


def get_policy(store: Store) -> RetentionPolicy:
    data = settings.get_json(store, SETTING_KEY)
    if not data:
        return RetentionPolicy()
    return RetentionPolicy(
        data.get("mode", "none"), data.get("until"), data.get("set_at"), data.get("set_by")
    )


def set_policy(
    project: Project, *, until: date | None = None, after_training: bool = False, clear: bool = False
) -> RetentionPolicy:
    """Set (exactly one of ``until``, ``after_training``, ``clear``) the retention policy. Admin role;
    audit-logged."""
    if sum((until is not None, after_training, clear)) != 1:
        raise InputError("choose exactly one of a retention date, delete-after-training, or clear")
    now = utc_now()
    if clear:
        policy = RetentionPolicy()
    elif until is not None:
        policy = RetentionPolicy("until", until.isoformat(), now, current_os_user())
    else:
        policy = RetentionPolicy("after_training", None, now, current_os_user())
    with project.store() as store:
        role = require_role(store, ADMIN_ONLY, "changing the retention policy")
        with store.transaction() as conn:
            if clear:
                settings.delete(conn, SETTING_KEY)
            else:
                settings.put_json(conn, SETTING_KEY, policy.as_dict())
            details = {"mode": policy.mode, "until": policy.until}
            AuditLog(store, project.keys.id_key).append("retention.set", details=details, role=role, at=now)
    return policy


def _today() -> date:
    return datetime.now(UTC).date()


def retention_status(store: Store, today: date | None = None) -> RetentionStatus:
    """Whether a purge is due: the policy's condition holds and some message still has content."""
    policy = get_policy(store)
    today = today or _today()
    if policy.mode not in ("until", "after_training"):
        # The common case, checked whenever the GUI refreshes: no table scan (the counts would decrypt every
        # message page of a large project).
        return RetentionStatus(policy, False, "no retention limit set", None, None, None)
    unpurged = messages.count_unpurged(store)
    purged = messages.count_purged(store)
    last = messages.last_purge(store)
    if policy.mode == "until" and policy.until:
        condition = today > date.fromisoformat(policy.until)
        reason = f"the retention date {policy.until} has {'passed' if condition else 'not passed'}"
    elif policy.mode == "after_training":
        models = trained_models.count_current(store)
        condition = models > 0
        reason = "a model has been trained" if condition else "no (current) model has been trained yet"
    else:
        condition, reason = False, "no retention limit set"
    if condition and not unpurged:
        reason += "; nothing left to purge"
    return RetentionStatus(policy, condition and unpurged > 0, reason, unpurged, purged, last)


@dataclass(frozen=True)
class PurgeSummary:
    due: bool
    reason: str
    dry_run: bool
    purged: bool  # whether anything was changed
    counts: dict[str, int] = field(default_factory=dict)
    storage: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "due": self.due,
            "reason": self.reason,
            "dry_run": self.dry_run,
            "purged": self.purged,
            **self.counts,
            **({"storage": self.storage} if self.storage else {}),
        }


def purge(
    project: Project,
    control: JobControl | None = None,
    *,
    dry_run: bool = False,
    if_due: bool = False,
    today: date | None = None,
) -> PurgeSummary:
    """Delete the dataset's content, keeping models, message keys and labels (admin role). With
    ``if_due``, only when :func:`retention_status` says a purge is due."""
    control = control or JobControl()
    with project.store() as store:
        role = require_role(store, ADMIN_ONLY, "purging the dataset")
        status = retention_status(store, today)
        if if_due and not status.due:
            return PurgeSummary(False, status.reason, dry_run, purged=False)
        counts = maintenance.purge_counts(store)
        if dry_run:
            return PurgeSummary(status.due, status.reason, True, purged=False, counts=counts)
        control.check_cancelled()
        now = utc_now()
        with store.transaction() as conn:
            maintenance.purge_content(conn, now)
            details = {**counts, "policy": status.policy.mode, "due": status.due, "if_due": if_due}
            AuditLog(store, project.keys.id_key).append("purge", details=details, role=role, at=now)
        control.progress(1, 2, "rewriting the store without the purged data")
        storage = maintenance.wipe_free_space(store)
        control.progress(2, 2, "purged")
    return PurgeSummary(status.due, status.reason, False, purged=True, counts=counts, storage=storage)
