"""The ``audit_log`` table: a hash chain of entries. The chain's rules (MACs, anchor) live in
:mod:`scrubdesk.core.audit_log`; this module only stores and reads rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from scrubdesk.core.db.rows import Connection, count, mapped, marks, scalar

_COLUMNS = "seq, at, os_user, os_uid, role, action, objects, details, prev_mac, mac"


@dataclass(frozen=True)
class AuditRow:
    """One stored entry; ``objects`` and ``details`` are the JSON text the MAC covers."""

    seq: int
    at: str
    os_user: str
    os_uid: str | None  # None in entries from before schema 7
    role: str
    action: str
    objects: str
    details: str
    prev_mac: str
    mac: str


def insert(conn: Connection, row: AuditRow) -> None:
    conn.execute(
        f"INSERT INTO audit_log ({_COLUMNS}) "
        "VALUES (:seq, :at, :os_user, :os_uid, :role, :action, :objects, :details, :prev_mac, :mac)",
        row.__dict__,
    )


def head(conn: Connection) -> tuple[int, str] | None:
    """(seq, mac) of the newest entry."""
    row = conn.execute("SELECT seq, mac FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    return None if row is None else (int(row[0]), str(row[1]))


def mac_at(conn: Connection, seq: int) -> str | None:
    value = scalar(conn, "SELECT mac FROM audit_log WHERE seq = ?", (seq,))
    return None if value is None else str(value)


def all_rows(conn: Connection) -> Iterator[AuditRow]:
    """Every entry in chain order (streamed)."""
    return mapped(conn.execute(f"SELECT {_COLUMNS} FROM audit_log ORDER BY seq"), AuditRow)


def page(
    conn: Connection, *, offset: int, limit: int, action: str | None, newest_first: bool
) -> list[AuditRow]:
    where, params = ("WHERE action = ?", [action]) if action else ("", [])
    order = "DESC" if newest_first else "ASC"
    sql = f"SELECT {_COLUMNS} FROM audit_log {where} ORDER BY seq {order} LIMIT ? OFFSET ?"
    return list(mapped(conn.execute(sql, [*params, max(limit, 0), max(offset, 0)]), AuditRow))


def count_entries(conn: Connection, action: str | None = None) -> int:
    if action:
        return count(conn, "SELECT count(*) FROM audit_log WHERE action = ?", (action,))
    return count(conn, "SELECT count(*) FROM audit_log")


def actions(conn: Connection) -> list[str]:
    return [str(r[0]) for r in conn.execute("SELECT DISTINCT action FROM audit_log ORDER BY action")]


def details_of(conn: Connection, action: str) -> Iterator[tuple[int, str, str]]:
    """(seq, objects JSON, details JSON) of every entry with ``action``, in order."""
    for seq, objects, details in conn.execute(
        "SELECT seq, objects, details FROM audit_log WHERE action = ? ORDER BY seq", (action,)
    ):
        yield int(seq), str(objects), str(details)


ROLE_ACTIONS = ("project_created", "role_grant", "role_revoke")


def role_events(conn: Connection) -> list[tuple[str, str, str]]:
    """(action, os_user, details JSON) of every entry that changed who holds a role, in order."""
    rows = conn.execute(
        f"SELECT action, os_user, details FROM audit_log WHERE action IN ({marks(len(ROLE_ACTIONS))}) "
        "ORDER BY seq",
        ROLE_ACTIONS,
    )
    return [(str(a), str(u), str(d)) for a, u, d in rows]
