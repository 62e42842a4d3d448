"""The annotation guide stored in the project: guidelines for everyone, and a description per intent label.

Annotators read it in the guide panel and in the label buttons' tooltips; admins and reviewers (who manage
the label set) edit it. It lives in the project's settings (key :data:`GUIDE_SETTING`), so it travels
with the project and never with an export. Editing it is audit-logged by counts only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scrubdesk.core.audit_log import AuditLog
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db import settings
from scrubdesk.core.db.rows import Connection
from scrubdesk.core.errors import InputError
from scrubdesk.core.project import Project
from scrubdesk.core.roles import REVIEWER_ROLES, require_role
from scrubdesk.core.store import Store

GUIDE_SETTING = "label_guide"
MANAGE_ROLES = REVIEWER_ROLES  # who manages the label set (as core.labels.MANAGE_ROLES)
MAX_GUIDELINES_CHARS = 20_000
MAX_DESCRIPTION_CHARS = 500


@dataclass(frozen=True)
class LabelGuide:
    guidelines: str = ""
    descriptions: dict[str, str] = field(default_factory=dict)  # label -> what it is for

    def description(self, label: str) -> str:
        return self.descriptions.get(label, "")


def label_guide(conn: Connection) -> LabelGuide:
    value = settings.get_json(conn, GUIDE_SETTING) or {}
    descriptions = value.get("descriptions") or {}
    return LabelGuide(str(value.get("guidelines") or ""), {str(k): str(v) for k, v in descriptions.items()})


def _write(conn: Connection, guide: LabelGuide) -> None:
    settings.put_json(
        conn, GUIDE_SETTING, {"guidelines": guide.guidelines, "descriptions": guide.descriptions}
    )


def set_label_guide(
    project: Project, store: Store, guidelines: str, descriptions: dict[str, str]
) -> LabelGuide:
    """Replace the guide (reviewer or admin). Empty descriptions are dropped."""
    role = require_role(store, MANAGE_ROLES, "editing the annotation guide")
    guidelines = guidelines.strip()
    if len(guidelines) > MAX_GUIDELINES_CHARS:
        raise InputError(
            f"the guidelines are {len(guidelines):,} characters; at most {MAX_GUIDELINES_CHARS:,}"
        )
    clean = {label: text.strip() for label, text in descriptions.items() if text.strip()}
    too_long = [label for label, text in clean.items() if len(text) > MAX_DESCRIPTION_CHARS]
    if too_long:
        raise InputError(
            f"the description of {too_long[0]!r} is longer than {MAX_DESCRIPTION_CHARS} characters"
        )
    guide = LabelGuide(guidelines, clean)
    now = utc_now()
    with store.transaction() as conn:
        _write(conn, guide)
        AuditLog(store, project.keys.id_key).append(
            "labels.guide",
            details={"described": len(clean), "guidelines_chars": len(guidelines)},
            role=role,
            at=now,
        )
    return guide


def rename_description(conn: Connection, old: str, new: str) -> None:
    """A label was renamed (inside its transaction): its description follows it."""
    guide = label_guide(conn)
    if old in guide.descriptions:
        descriptions = {new if k == old else k: v for k, v in guide.descriptions.items()}
        _write(conn, LabelGuide(guide.guidelines, descriptions))
