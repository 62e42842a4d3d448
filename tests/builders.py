"""Store fixtures for tests: the one module of tests/ that holds SQL.

Three kinds of function, each named for what it does to a store:

- **build**: rows the public API would take long to reach (a message with given fields, a span in any
  state, a model of any size, an export with given flags, a quarantined item);
- **tamper**: edits made behind the API, the way an attacker, a careless tool or another Scrubdesk version
  would leave the store (audit-log edits, rows deleted or rewritten, ``secure_delete`` off, a newer schema);
- **read**: what a test checks and the product never reads (whole-row snapshots, stored text as is).

Assertions read through :mod:`scrubdesk.core.db` wherever a gateway says what the test means; the reads
here are for what no gateway says. Functions take a store or a connection (anything with ``execute``).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sqlite3.dump
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from scrubdesk.core.db import audit
from scrubdesk.core.db.audit import AuditRow
from scrubdesk.core.db.maintenance import column_names
from scrubdesk.core.db.rows import Connection, marks
from scrubdesk.core.store import Store


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _columns(conn: Connection, table: str, names: Iterable[str]) -> list[str]:
    known = column_names(conn, table)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"table {table} has no column(s) {unknown}")
    return [_quote(n) for n in names]


# --- build ---------------------------------------------------------------------------------------------


def add_message(
    conn: Connection,
    key: str,
    body: str = "b",
    *,
    subject: str | None = None,
    label: str | None = None,
    label_source: str | None = None,
    from_name: str | None = None,
    from_addr: str | None = None,
    to_addrs: Sequence[str] = (),
    source_location: str = "test",
    body_kind: str = "plain",
    size_bytes: int = 1,
    imported_at: str = "now",
) -> int:
    """A message row with exactly these fields (the other columns keep their defaults); returns its ID."""
    cur = conn.execute(
        "INSERT INTO messages (msg_key, source_location, from_name, from_addr, to_addrs, subject, body, "
        "body_kind, label, label_source, size_bytes, imported_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (key, source_location, from_name, from_addr, json.dumps(list(to_addrs)), subject, body, body_kind,
         label, label_source, size_bytes, imported_at),
    )  # fmt: skip
    return int(cur.lastrowid)


def add_span(
    conn: Connection,
    message_id: int,
    field: str,
    start: int,
    end: int,
    label: str,
    *,
    status: str = "accepted",
    score: float = 1.0,
    recognizer: str = "test",
    analyzer_version: str = "v",
) -> int:
    """A span in any state, with any recogniser and analyser version (the gateway writes only suggestions
    and a person's additions); returns its ID."""
    cur = conn.execute(
        'INSERT INTO spans (message_id, field, start, "end", label, score, recognizer, status, '
        "analyzer_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (message_id, field, start, end, label, score, recognizer, status, analyzer_version),
    )
    return int(cur.lastrowid)


def add_model(
    conn: Connection,
    *,
    n_train: int = 1,
    created_at: str = "now",
    path: str = "m",
    msg_list_digest: str = "d",
    labels: Sequence[str] = (),
    stale: bool = False,
) -> int:
    """A model row claiming ``n_train`` training messages, without members, metrics or settings, and (when
    ``stale``) without a stale reason, as a store from before stale reasons holds it; returns its ID."""
    cur = conn.execute(
        "INSERT INTO models (created_at, path, n_train, msg_list_digest, labels, metrics, audit, settings, "
        "stale) VALUES (?, ?, ?, ?, ?, '{}', '{}', '{}', ?)",
        (created_at, path, n_train, msg_list_digest, json.dumps(list(labels)), int(stale)),
    )
    return int(cur.lastrowid)


def add_export(
    conn: Connection,
    *,
    path: str,
    n_rows: int,
    created_at: str = "now",
    os_user: str = "exporter",
    fmt: str = "csv",
    columns: Sequence[str] = ("msg_key", "label"),
    msg_list_digest: str = "d",
    file_sha256: str = "x",
    stale: bool = False,
    members: Sequence[int] = (),
) -> int:
    """A registered export with a given row count and stale flag, and its members; returns its ID."""
    cur = conn.execute(
        "INSERT INTO exports (created_at, os_user, path, format, columns, n_rows, msg_list_digest, "
        "file_sha256, stale) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (created_at, os_user, path, fmt, json.dumps(list(columns)), n_rows, msg_list_digest, file_sha256,
         int(stale)),
    )  # fmt: skip
    export_id = int(cur.lastrowid)
    conn.executemany(
        "INSERT INTO export_members (export_id, message_id) VALUES (?, ?)", [(export_id, m) for m in members]
    )
    return export_id


def add_quarantined(
    conn: Connection, *, item_key: str, location: str, reason: str, detail: str, created_at: str
) -> None:
    """A quarantined item that belongs to no registered source."""
    conn.execute(
        "INSERT INTO quarantine (item_key, location, reason, detail, created_at) VALUES (?, ?, ?, ?, ?)",
        (item_key, location, reason, detail, created_at),
    )


def mark_purged(conn: Connection, message_ids: Iterable[int], at: str = "now") -> None:
    """Mark messages purged without removing their content (what a purge records, not what it does)."""
    conn.executemany("UPDATE messages SET purged_at = ? WHERE id = ?", [(at, m) for m in message_ids])


# --- tamper ----------------------------------------------------------------------------------------------


def overwrite_message(conn: Connection, message_id: int, **columns: Any) -> None:
    """Rewrite columns of a stored message in place, with no label source, audit entry or re-analysis:
    a value planted behind the API, or mail that an older version stored differently."""
    assigns = ", ".join(f"{name} = ?" for name in _columns(conn, "messages", columns))
    conn.execute(f"UPDATE messages SET {assigns} WHERE id = ?", [*columns.values(), message_id])


def append_to_body(conn: Connection, message_ids: Iterable[int], text: str) -> None:
    """Change the stored content of messages after they were analysed (or reviewed)."""
    conn.executemany("UPDATE messages SET body = body || ? WHERE id = ?", [(text, m) for m in message_ids])


def delete_message_row(conn: Connection, message_id: int) -> None:
    """Delete a message row directly, leaving what hangs off it to the schema's cascades."""
    conn.execute("DELETE FROM messages WHERE id = ?", (message_id,))


def drop_from_label_set(conn: Connection, name: str) -> None:
    """Remove a label from the set and nothing else (messages keep it; the positions keep their gap)."""
    conn.execute("DELETE FROM label_set WHERE name = ?", (name,))


def remove_every_role(conn: Connection) -> None:
    """Empty the roles table: every user, the creator included, is left without a role."""
    conn.execute("DELETE FROM roles")


def tamper_audit_entry(conn: Connection, seq: int, **columns: Any) -> None:
    """Edit stored columns of audit entry ``seq`` (its MAC too, when given) without the log's key."""
    assigns = ", ".join(f"{name} = ?" for name in _columns(conn, "audit_log", columns))
    conn.execute(f"UPDATE audit_log SET {assigns} WHERE seq = ?", [*columns.values(), seq])


def delete_audit_entries(conn: Connection, first: int, last: int | None = None) -> None:
    """Delete audit entries ``first``..``last`` (to the newest when ``last`` is None)."""
    newest = audit.head(conn)
    last = (newest[0] if newest else first) if last is None else last
    conn.execute("DELETE FROM audit_log WHERE seq BETWEEN ? AND ?", (first, last))


def swap_audit_entries(conn: Connection, a: int, b: int) -> None:
    """Swap the positions of two audit entries, keeping each one's content and MAC."""
    newest = audit.head(conn)
    parked = (newest[0] if newest else max(a, b)) + 100
    for old, new in ((a, parked), (b, a), (parked, b)):
        conn.execute("UPDATE audit_log SET seq = ? WHERE seq = ?", (new, old))


def secure_delete_off(conn: Connection) -> None:
    """What a careless tool does: deleted rows stay readable in free pages until they are reused."""
    conn.execute("PRAGMA secure_delete = OFF")


def set_schema_version(conn: Connection, version: int) -> None:
    """Stamp the store with a schema version, as the Scrubdesk that migrated it to there would."""
    conn.execute(f"PRAGMA user_version = {int(version)}")


# Migrations appended in tests: one that works and leaves a row, one that fails half-way.
MIGRATION_WITH_A_ROW = "CREATE TABLE extra (x INTEGER); INSERT INTO extra VALUES (1)"
MIGRATION_FAILING_HALFWAY = "CREATE TABLE half (x INTEGER); THIS IS NOT SQL"


def read_as_plain_sqlite(path: Path) -> list[Any]:
    """Read the store file with SQLite and no key, as anyone who copies the file can."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT * FROM sqlite_master").fetchall()


@contextlib.contextmanager
def reader_holding_a_snapshot(store: Store) -> Iterator[None]:
    """Another connection in a read transaction: SQLite may not reuse or truncate the pages it can see."""
    store.execute("BEGIN")
    try:
        store.execute("SELECT body FROM messages").fetchone()
        yield
    finally:
        store.execute("COMMIT")


# --- read ------------------------------------------------------------------------------------------------


def table_rows(conn: Connection, table: str, columns: Sequence[str] | None = None) -> list[tuple[Any, ...]]:
    """Every row of ``table`` as stored (all columns, or ``columns`` in that order), in row order."""
    wanted = "*" if columns is None else ", ".join(_columns(conn, table, columns))
    return [tuple(r) for r in conn.execute(f"SELECT {wanted} FROM {_quote(table)} ORDER BY rowid")]


def rows_about(conn: Connection, table: str, message_ids: Sequence[int]) -> int:
    """How many rows of ``table`` refer to any of ``message_ids``."""
    _columns(conn, table, ["message_id"])
    sql = f"SELECT count(*) FROM {_quote(table)} WHERE message_id IN ({marks(len(message_ids))})"
    return int(conn.execute(sql, list(message_ids)).fetchone()[0])


def stored_setting(conn: Connection, key: str) -> str | None:
    """A setting's JSON text exactly as stored (the gateway returns it parsed)."""
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def table_root_page(conn: Connection, table: str) -> int:
    """The page number where ``table``'s B-tree starts in the store file."""
    return int(conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0])


def audit_rows(conn: Connection, action: str | None = None) -> list[AuditRow]:
    """Every audit entry (with ``action``), oldest first, with objects and details as stored JSON text."""
    n = audit.count_entries(conn, action)
    return audit.page(conn, offset=0, limit=n, action=action, newest_first=False)


def audit_row(conn: Connection, seq: int) -> AuditRow:
    return next(row for row in audit.all_rows(conn) if row.seq == seq)


def store_dump(store: Store) -> str:
    """The decrypted store as SQL text: what SQL can still return, every table and row."""
    # sqlcipher3's connection has no iterdump(); the stdlib's dumper works on any DB-API connection.
    return "\n".join(sqlite3.dump._iterdump(store.conn))
