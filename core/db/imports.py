"""The ``sources`` and ``quarantine`` tables: what was imported from where, and what could not be."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scrubdesk.core.db.rows import Connection, as_dicts, count, mapped


@dataclass(frozen=True)
class QuarantineRow:
    location: str
    reason: str
    detail: str
    size_bytes: int | None
    created_at: str


def quarantine_rows(conn: Connection, limit: int = 1000) -> list[QuarantineRow]:
    sql = "SELECT location, reason, detail, size_bytes, created_at FROM quarantine ORDER BY id LIMIT ?"
    return list(mapped(conn.execute(sql, (limit,)), QuarantineRow))


def count_quarantined(conn: Connection) -> int:
    return count(conn, "SELECT count(*) FROM quarantine")


def quarantined_by_reason(conn: Connection) -> dict[str, int]:
    rows = conn.execute("SELECT reason, count(*) FROM quarantine GROUP BY reason ORDER BY reason")
    return {str(k): int(v) for k, v in rows}


def count_quarantine_details(conn: Connection) -> int:
    """Quarantine rows that still hold a location or a detail (a purge blanks both)."""
    return count(conn, "SELECT count(*) FROM quarantine WHERE location != '' OR detail != ''")


def count_sources(conn: Connection) -> int:
    return count(conn, "SELECT count(*) FROM sources")


def source_rows(conn: Connection) -> list[dict[str, Any]]:
    """Every source with its message and quarantine counts, for the data inventory."""
    return list(
        as_dicts(
            conn.execute(
                "SELECT s.location, s.format, s.first_imported_at, s.last_imported_at, "
                "(SELECT count(*) FROM messages m WHERE m.source_id = s.id) AS messages, "
                "(SELECT count(*) FROM quarantine q WHERE q.source_id = s.id) AS quarantined "
                "FROM sources s ORDER BY s.id"
            )
        )
    )


def source_locations(conn: Connection) -> list[str]:
    return [str(r[0]) for r in conn.execute("SELECT location FROM sources ORDER BY id")]
