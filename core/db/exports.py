"""The ``exports`` and ``export_members`` tables: every file of IDs + labels that left the store, and
which messages each holds."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scrubdesk.core.db.messages import NOT_PURGED
from scrubdesk.core.db.rows import Connection, as_dicts, chunks, marks


@dataclass(frozen=True)
class ExportRecord:
    id: int
    created_at: str
    os_user: str
    path: str
    format: str
    columns: tuple[str, ...]
    n_rows: int
    model_id: int | None
    msg_list_digest: str
    file_sha256: str
    stale: bool
    members: int


def register(
    conn: Connection,
    *,
    created_at: str,
    os_user: str,
    path: str,
    fmt: str,
    columns: Sequence[str],
    model_id: int | None,
    msg_list_digest: str,
    file_sha256: str,
    message_ids: Sequence[int],
) -> int:
    """Record an export and its members (inside a transaction); returns its ID."""
    cur = conn.execute(
        "INSERT INTO exports (created_at, os_user, path, format, columns, n_rows, model_id, "
        "msg_list_digest, file_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (created_at, os_user, path, fmt, json.dumps(list(columns)), len(message_ids), model_id,
         msg_list_digest, file_sha256),
    )  # fmt: skip
    export_id = int(cur.lastrowid or 0)
    conn.executemany(
        "INSERT INTO export_members (export_id, message_id) VALUES (?, ?)",
        [(export_id, m) for m in message_ids],
    )
    return export_id


def _records(cursor: Any) -> list[ExportRecord]:
    found = []
    for r in as_dicts(cursor):
        r["columns"] = tuple(json.loads(r["columns"] or "[]"))
        r["stale"] = bool(r["stale"])
        found.append(ExportRecord(**r))
    return found


_SELECT = (
    "SELECT e.id, e.created_at, e.os_user, e.path, e.format, e.columns, e.n_rows, e.model_id, "
    "e.msg_list_digest, e.file_sha256, e.stale, "
    "(SELECT count(*) FROM export_members x WHERE x.export_id = e.id) AS members FROM exports e"
)


def get_export(conn: Connection, export_id: int) -> ExportRecord | None:
    found = _records(conn.execute(f"{_SELECT} WHERE e.id = ?", (export_id,)))
    return found[0] if found else None


def list_exports(conn: Connection) -> list[ExportRecord]:
    return _records(conn.execute(f"{_SELECT} ORDER BY e.id"))


def exports_by_ids(conn: Connection, ids: Sequence[int]) -> list[ExportRecord]:
    found: list[ExportRecord] = []
    for chunk in chunks(ids):
        found += _records(conn.execute(f"{_SELECT} WHERE e.id IN ({marks(len(chunk))}) ORDER BY e.id", chunk))
    return found


def latest_with_sha256(conn: Connection, sha256: str) -> int | None:
    row = conn.execute(
        "SELECT id FROM exports WHERE file_sha256 = ? ORDER BY id DESC LIMIT 1", (sha256,)
    ).fetchone()
    return None if row is None else int(row[0])


def exports_holding(conn: Connection, message_ids: Sequence[int]) -> set[int]:
    found: set[int] = set()
    for chunk in chunks(message_ids):
        sql = f"SELECT DISTINCT export_id FROM export_members WHERE message_id IN ({marks(len(chunk))})"
        found.update(int(r[0]) for r in conn.execute(sql, chunk))
    return found


def mark_stale(conn: Connection, export_ids: Sequence[int]) -> None:
    conn.executemany("UPDATE exports SET stale = 1 WHERE id = ?", [(e,) for e in export_ids])


@dataclass(frozen=True)
class LabelledSuggestion:
    """One exported row's facts: keyed ID, label, and the model's suggestion (if asked for)."""

    id: int
    msg_key: str
    label: str | None
    suggestion: str | None
    confidence: float | None


def labels_with_suggestions(
    conn: Connection, model_id: int | None, *, include_unlabelled: bool
) -> list[LabelledSuggestion]:
    """Labelled messages (and, with ``include_unlabelled``, every unpurged one) with ``model_id``'s
    suggestion, by ID. Never text."""
    where = (
        f"WHERE (m.label IS NOT NULL AND m.label != '') OR {NOT_PURGED}"
        if include_unlabelled
        else "WHERE m.label IS NOT NULL AND m.label != ''"
    )
    rows = conn.execute(
        "SELECT m.id, m.msg_key, NULLIF(m.label, '') AS label, p.label AS suggestion, p.confidence "
        f"FROM messages m LEFT JOIN predictions p ON p.message_id = m.id AND p.model_id = ? {where} "
        "ORDER BY m.id",
        (-1 if model_id is None else model_id,),
    )
    return [LabelledSuggestion(**r) for r in as_dicts(rows)]


def member_ids(conn: Connection, export_id: int) -> list[int]:
    """The messages whose rows ``export_id`` holds (its lineage), by ID."""
    rows = conn.execute(
        "SELECT message_id FROM export_members WHERE export_id = ? ORDER BY message_id", (export_id,)
    )
    return [int(r[0]) for r in rows]


def rewritten(conn: Connection, export_id: int, n_rows: int, file_sha256: str) -> None:
    """An export file was rewritten without erased rows: its new size and checksum; members of it that no
    longer exist were deleted with their messages."""
    conn.execute(
        "UPDATE exports SET n_rows = ?, file_sha256 = ? WHERE id = ?", (n_rows, file_sha256, export_id)
    )
