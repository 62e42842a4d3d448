"""The ``sources`` and ``quarantine`` tables: what was imported from where, and what could not be."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scrubdesk.core.db.rows import Connection, as_dicts, chunks, count, mapped, marks


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


def register_source(conn: Connection, location: str, fmt: str, at: str) -> int:
    """The source's ID, recording it on first import and its last import time every time."""
    conn.execute(
        "INSERT INTO sources (location, format, first_imported_at, last_imported_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(location) DO UPDATE SET last_imported_at = excluded.last_imported_at",
        (location, fmt, at, at),
    )
    return int(conn.execute("SELECT id FROM sources WHERE location = ?", (location,)).fetchone()[0])


@dataclass(frozen=True)
class QuarantineItem:
    item_key: str  # keyed digest of location + bytes: re-runs do not repeat
    source_id: int
    location: str
    reason: str
    detail: str  # never message text
    size_bytes: int | None
    created_at: str


def quarantine(conn: Connection, item: QuarantineItem) -> bool:
    """Record an item that could not be imported; False when this very item was recorded before."""
    cur = conn.execute(
        "INSERT OR IGNORE INTO quarantine (item_key, source_id, location, reason, detail, size_bytes, "
        "created_at) VALUES (:item_key, :source_id, :location, :reason, :detail, :size_bytes, :created_at)",
        item.__dict__,
    )
    return cur.rowcount > 0


@dataclass(frozen=True)
class NewMessage:
    """A parsed message as the store keeps it. Holds personal data: never log it."""

    msg_key: str
    id_key: str | None  # keyed ID shared by every copy with the same Message-ID / record ID
    content_key: str  # keyed digest of subject and body
    source_id: int
    source_location: str
    sent_at: str | None
    from_name: str | None
    from_addr: str | None
    to_addrs: str  # JSON list
    cc_addrs: str
    subject: str | None
    body: str
    body_kind: str
    attachment_count: int
    attachment_types: str  # JSON list
    flags: str  # JSON list
    label: str | None
    label_source: str | None
    size_bytes: int
    imported_at: str

    def __repr__(self) -> str:
        return f"NewMessage(msg_key={self.msg_key!r})"


def insert_message(conn: Connection, message: NewMessage) -> int | None:
    """The new message's row ID, or None when a message with its key is already stored."""
    names = list(message.__dict__)
    cur = conn.execute(
        f"INSERT OR IGNORE INTO messages ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})",
        message.__dict__,
    )
    return int(cur.lastrowid) if cur.rowcount and cur.lastrowid else None


# Columns a complete copy writes over a truncated one. The row keeps its msg_key, id_key, label and import
# time: it is the same message, now whole.
_REPLACED = (
    "content_key", "source_id", "source_location", "sent_at", "from_name", "from_addr", "to_addrs",
    "cc_addrs", "subject", "body", "body_kind", "attachment_count", "attachment_types", "flags", "size_bytes",
)  # fmt: skip


def replace_message(conn: Connection, message_id: int, message: NewMessage) -> None:
    """Write a complete copy over the stored (truncated) copy ``message_id``."""
    values = {name: getattr(message, name) for name in _REPLACED}
    assignments = ", ".join(f"{name} = :{name}" for name in _REPLACED)
    conn.execute(f"UPDATE messages SET {assignments} WHERE id = :id", {**values, "id": message_id})


@dataclass(frozen=True)
class StoredCopy:
    """A stored message that shares an imported item's ID. No content."""

    id: int
    msg_key: str
    content_key: str | None  # None for rows stored before identity included content
    purged: bool
    id_key: str


def copies(conn: Connection, id_keys: Sequence[str]) -> list[StoredCopy]:
    """The stored messages whose id_key is one of ``id_keys``, oldest first."""
    found: list[StoredCopy] = []
    for chunk in chunks(list(id_keys)):
        sql = (
            "SELECT id, msg_key, content_key, purged_at IS NOT NULL AS purged, id_key FROM messages "
            f"WHERE id_key IN ({marks(len(chunk))})"
        )
        rows = conn.execute(sql, chunk)
        found += (StoredCopy(int(r[0]), str(r[1]), r[2], bool(r[3]), str(r[4])) for r in rows)
    return sorted(found, key=lambda copy: copy.id)


def key_taken(conn: Connection, msg_key: str) -> bool:
    return conn.execute("SELECT 1 FROM messages WHERE msg_key = ?", (msg_key,)).fetchone() is not None


def link_subjects(conn: Connection, links: Sequence[tuple[int, str, str]]) -> None:
    """(message ID, keyed subject ID, role) rows: who each message is about."""
    conn.executemany(
        "INSERT OR IGNORE INTO message_subjects (message_id, subject_key, role) VALUES (?, ?, ?)", links
    )


def known_keys(conn: Connection, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` a message has, or an erased message had (the import skips both)."""
    found: set[str] = set()
    for chunk in chunks(keys):
        q = marks(len(chunk))
        sql = (
            f"SELECT msg_key FROM messages WHERE msg_key IN ({q}) "
            f"UNION SELECT msg_key FROM erased_messages WHERE msg_key IN ({q})"
        )
        found.update(str(r[0]) for r in conn.execute(sql, [*chunk, *chunk]))
    return found
