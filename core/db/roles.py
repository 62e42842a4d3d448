"""The ``roles`` table: one role per OS user."""

from __future__ import annotations

from dataclasses import dataclass

from scrubdesk.core.db.rows import Connection, count, mapped


@dataclass(frozen=True)
class RoleGrant:
    os_user: str
    role: str
    granted_by: str
    granted_at: str


def grant(conn: Connection, os_user: str, role: str, *, granted_by: str, at: str) -> None:
    """Give ``os_user`` a role, replacing any previous one (inside a transaction)."""
    conn.execute(
        "INSERT INTO roles (os_user, role, granted_by, granted_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(os_user) DO UPDATE SET role = excluded.role, granted_by = excluded.granted_by, "
        "granted_at = excluded.granted_at",
        (os_user, role, granted_by, at),
    )


def role_of(conn: Connection, os_user: str) -> str | None:
    row = conn.execute("SELECT role FROM roles WHERE os_user = ?", (os_user,)).fetchone()
    return None if row is None else str(row[0])


def list_roles(conn: Connection) -> list[RoleGrant]:
    """Everyone who holds a role, admins first."""
    return list(
        mapped(
            conn.execute(
                "SELECT os_user, role, granted_by, granted_at FROM roles "
                "ORDER BY CASE role WHEN 'admin' THEN 0 WHEN 'reviewer' THEN 1 ELSE 2 END, os_user"
            ),
            RoleGrant,
        )
    )


def revoke(conn: Connection, os_user: str) -> str | None:
    """Take ``os_user``'s role away (inside a transaction); returns the role it had."""
    previous = role_of(conn, os_user)
    conn.execute("DELETE FROM roles WHERE os_user = ?", (os_user,))
    return previous


def count_admins(conn: Connection) -> int:
    return count(conn, "SELECT count(*) FROM roles WHERE role = 'admin'")
