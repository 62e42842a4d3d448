"""Who may do what: one role per OS user (admin/DPO, reviewer, annotator).

Minimal on purpose: the project creator becomes admin; reviewers approve redactions; annotators label.
Admins manage roles with :func:`change_role` and :func:`revoke_role` (audit-logged; the last admin cannot
be removed); :func:`grant` and :func:`revoke` are the bare table operations inside a transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrubdesk.core.audit_log import AuditLog, current_os_user
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db import roles as role_rows
from scrubdesk.core.db.roles import RoleGrant
from scrubdesk.core.errors import InputError, PermissionDeniedError
from scrubdesk.core.store import Store

if TYPE_CHECKING:
    from scrubdesk.core.project import Project

ROLES = ("admin", "reviewer", "annotator")
REVIEWER_ROLES = ("admin", "reviewer")
# Running the PII analysis and training a model change what every annotator works on: reviewers and admins.
ANALYSE_ROLES = REVIEWER_ROLES
TRAIN_ROLES = REVIEWER_ROLES
MAX_USER_CHARS = 256


def grant(conn: Any, os_user: str, role: str, *, granted_by: str, at: str) -> None:
    """Give ``os_user`` a role (replacing any previous one). Call inside a transaction."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; known: {', '.join(ROLES)}")
    role_rows.grant(conn, os_user, role, granted_by=granted_by, at=at)


def role_of(store: Store, os_user: str | None = None) -> str | None:
    """The role of ``os_user`` (default: the current OS user), or None when it has none."""
    return role_rows.role_of(store, os_user or current_os_user())


def require_role(store: Store, allowed: tuple[str, ...], action: str) -> str:
    """The current user's role if it is one of ``allowed``; otherwise :class:`PermissionDeniedError`."""
    user = current_os_user()
    role = role_of(store, user)
    if role not in allowed:
        has = f"has role {role!r}" if role else "has no role in this project"
        raise PermissionDeniedError(
            f"{action} needs one of the roles {', '.join(allowed)}; OS user {user!r} {has}. "
            "An admin of the project can grant it."
        )
    return role


def list_roles(store: Store) -> list[RoleGrant]:
    """Everyone who holds a role, admins first."""
    return role_rows.list_roles(store)


def _check_os_user(os_user: str) -> str:
    name = os_user.strip()
    if not name or len(name) > MAX_USER_CHARS or any(c.isspace() or not c.isprintable() for c in name):
        raise InputError(f"an OS user name must be 1 to {MAX_USER_CHARS} printable characters without spaces")
    return name


def _refuse_losing_last_admin(store: Store, os_user: str, what: str) -> None:
    if role_of(store, os_user) != "admin":
        return
    admins = role_rows.count_admins(store)
    if admins <= 1:
        raise InputError(
            f"refusing to {what}: {os_user!r} is the project's only admin and nobody could manage roles "
            "afterwards. Grant admin to someone else first."
        )


def change_role(project: Project, os_user: str, role: str) -> dict[str, Any]:
    """Admin only: give ``os_user`` ``role`` (replacing its previous one). Audit-logged."""

    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; known: {', '.join(ROLES)}")
    user = _check_os_user(os_user)
    with project.store() as store, store.transaction() as conn:
        my_role = require_role(store, ("admin",), "granting roles")
        previous = role_of(store, user)
        if role != "admin":
            _refuse_losing_last_admin(store, user, f"make {user!r} a {role}")
        now = utc_now()
        grant(conn, user, role, granted_by=current_os_user(), at=now)
        AuditLog(store, project.keys.id_key).append(
            "role_grant",
            details={"os_user": user, "role": role, "previous_role": previous},
            role=my_role,
            at=now,
        )
    return {"os_user": user, "role": role, "previous_role": previous}


def revoke_role(project: Project, os_user: str) -> dict[str, Any]:
    """Admin only: take ``os_user``'s role away. Refuses to remove the last admin. Audit-logged."""

    user = _check_os_user(os_user)
    with project.store() as store, store.transaction() as conn:
        my_role = require_role(store, ("admin",), "revoking roles")
        if role_of(store, user) is None:
            raise InputError(f"OS user {user!r} has no role in this project; nothing to revoke")
        _refuse_losing_last_admin(store, user, f"revoke the role of {user!r}")
        previous = role_rows.revoke(conn, user)
        AuditLog(store, project.keys.id_key).append(
            "role_revoke", details={"os_user": user, "previous_role": previous}, role=my_role
        )
    return {"os_user": user, "previous_role": previous}
