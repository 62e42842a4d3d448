"""The ``consent`` table: consenting data subjects, by keyed subject ID only."""

from __future__ import annotations

from collections.abc import Iterable

from scrubdesk.core.db.rows import Connection, count


def consenting_message_ids(conn: Connection) -> set[int]:
    """IDs of messages whose sender is on a consent list."""
    rows = conn.execute(
        "SELECT DISTINCT ms.message_id FROM message_subjects ms "
        "JOIN consent c ON c.subject_key = ms.subject_key WHERE ms.role = 'from'"
    )
    return {int(r[0]) for r in rows}


def count_consent(conn: Connection) -> int:
    return count(conn, "SELECT count(*) FROM consent")


def add(conn: Connection, subject_keys: Iterable[str], list_name: str, at: str) -> None:
    """Add keyed subject IDs (those already listed keep their first list)."""
    conn.executemany(
        "INSERT INTO consent (subject_key, list_name, imported_at) VALUES (?, ?, ?) "
        "ON CONFLICT(subject_key) DO NOTHING",
        [(k, list_name, at) for k in subject_keys],
    )


def per_list(conn: Connection) -> dict[str, int]:
    rows = conn.execute("SELECT list_name, count(*) FROM consent GROUP BY list_name ORDER BY list_name")
    return {str(k): int(v) for k, v in rows}


def senders_with_consent(conn: Connection) -> int:
    return count(
        conn,
        "SELECT count(DISTINCT ms.subject_key) FROM message_subjects ms "
        "JOIN consent c ON c.subject_key = ms.subject_key WHERE ms.role = 'from'",
    )


def clear(conn: Connection, list_name: str | None = None) -> int:
    """Remove every consent, or those of one list; returns how many."""
    if list_name is None:
        removed = conn.execute("DELETE FROM consent").rowcount
    else:
        removed = conn.execute("DELETE FROM consent WHERE list_name = ?", (list_name,)).rowcount
    return max(removed, 0)


def remove_subject(conn: Connection, subject_key: str) -> int:
    return max(conn.execute("DELETE FROM consent WHERE subject_key = ?", (subject_key,)).rowcount, 0)
