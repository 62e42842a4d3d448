"""Who may do what: one role per OS user (admin/DPO, reviewer, annotator).

Minimal on purpose: the project creator becomes admin; reviewers approve redactions; annotators label.
The GUI's role management builds on :func:`grant` and :func:`role_of`.
"""

from __future__ import annotations

from typing import Any

from scrubdesk.core.audit_log import current_os_user
from scrubdesk.core.errors import PermissionDeniedError
from scrubdesk.core.store import Store

ROLES = ("admin", "reviewer", "annotator")
REVIEWER_ROLES = ("admin", "reviewer")


def grant(conn: Any, os_user: str, role: str, *, granted_by: str, at: str) -> None:
    """Give ``os_user`` a role (replacing any previous one). Call inside a transaction."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; known: {', '.join(ROLES)}")
    conn.execute(
        "INSERT INTO roles (os_user, role, granted_by, granted_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(os_user) DO UPDATE SET role = excluded.role, granted_by = excluded.granted_by, "
        "granted_at = excluded.granted_at",
        (os_user, role, granted_by, at),
    )


def role_of(store: Store, os_user: str | None = None) -> str | None:
    """The role of ``os_user`` (default: the current OS user), or None when it has none."""
    user = os_user or current_os_user()
    row = store.execute("SELECT role FROM roles WHERE os_user = ?", (user,)).fetchone()
    return None if row is None else str(row[0])


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
