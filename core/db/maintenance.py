"""Whole-store work: integrity checks, making deleted bytes unrecoverable, scanning every column."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scrubdesk.core.db.rows import Connection, count, scalar
from scrubdesk.core.store import DatabaseError, Store

log = logging.getLogger(__name__)

CHECKPOINT_TRIES = 3
CHECKPOINT_WAIT_MS = 1000


def integrity_problems(conn: Connection) -> list[str]:
    """What SQLCipher's page check reports (every page's HMAC); empty when the file is intact."""
    return [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check")]


def structure_problems(conn: Connection, limit: int = 20) -> list[str]:
    """SQLite's own structural check of the decrypted database; empty when intact."""
    found = [str(r[0]) for r in conn.execute(f"PRAGMA integrity_check({int(limit)})")]
    return [] if found == ["ok"] else found


def page_size(conn: Connection) -> int:
    return int(scalar(conn, "PRAGMA cipher_page_size"))


def wipe_free_space(store: Store) -> dict[str, Any]:
    """Make deleted data unrecoverable from the files: VACUUM (rewrites every page; with secure_delete,
    freed space was zeroed already) and a TRUNCATE checkpoint (the WAL held the old pages). Call outside
    a transaction. Another program writing to the project can make VACUUM fail, and one holding a read
    open can delay the checkpoint: both are reported, not raised (the deletion is committed already)."""
    secure = bool(store.scalar("PRAGMA secure_delete"))
    try:
        store.execute("VACUUM")
        vacuumed = True
    except DatabaseError:
        log.warning("VACUUM after a deletion failed (the project is busy); verification will show any trace")
        vacuumed = False
    truncated = checkpoint(store)
    return {
        "secure_delete": secure,
        "vacuumed": vacuumed,
        "wal_truncated": truncated,
        "freelist_pages": int(store.scalar("PRAGMA freelist_count")),
    }


def checkpoint(store: Store) -> bool:
    """Copy the WAL into the store and truncate it; True when the WAL file is empty afterwards. Waits a
    few seconds at most for other connections' reads (not the store's long busy timeout)."""
    wal = Path(f"{store.path}-wal")
    previous = int(store.scalar("PRAGMA busy_timeout"))
    store.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
    try:
        for attempt in range(CHECKPOINT_TRIES):
            busy = store.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            if not busy and (not wal.exists() or wal.stat().st_size == 0):
                return True
            time.sleep(0.1 * (attempt + 1))
        return False
    finally:
        store.execute(f"PRAGMA busy_timeout = {previous}")


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def table_names(conn: Connection) -> list[str]:
    return [
        str(r[0]) for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ]


def column_names(conn: Connection, table: str) -> list[str]:
    return [str(r[1]) for r in conn.execute(f"PRAGMA table_info({_quote(table)})")]


def count_cells(store: Store, tests: dict[str, Callable[[object], bool]]) -> dict[str, dict[str, int]]:
    """For every column of every table: how many rows pass each named test (SQL functions run over the
    decrypted values, nothing copied out). Returns test name -> {"table.column": rows} (non-zero only)."""
    for name, test in tests.items():
        store.conn.create_function(
            f"scrubdesk_{name}", 1, lambda v, t=test: int(bool(t(v))), deterministic=True
        )
    found: dict[str, dict[str, int]] = {name: {} for name in tests}
    for table in table_names(store):
        names = column_names(store, table)
        sums = [f"sum(scrubdesk_{t}({_quote(c)}))" for t in tests for c in names]
        row = store.execute(f"SELECT {', '.join(sums)} FROM {_quote(table)}").fetchone()
        for i, test_name in enumerate(tests):
            for j, column in enumerate(names):
                value = int(row[i * len(names) + j] or 0)
                if value:
                    found[test_name][f"{table}.{column}"] = value
    return found


def count_table(conn: Connection, table: str) -> int:
    return count(conn, f"SELECT count(*) FROM {_quote(table)}")


# --- retention purge -------------------------------------------------------------------------------------


def purge_counts(conn: Connection) -> dict[str, int]:
    """What a purge would remove, counted beforehand."""
    sql = {
        "messages": "SELECT count(*) FROM messages WHERE purged_at IS NULL",
        "spans": "SELECT count(*) FROM spans",
        "analysis_records": "SELECT count(*) FROM analysis_state",
        "review_comments": "SELECT count(*) FROM reviews WHERE comment IS NOT NULL",
        "label_review_comments": "SELECT count(*) FROM label_reviews WHERE comment IS NOT NULL",
        "subject_links": "SELECT count(*) FROM message_subjects",
        "quarantine_details": "SELECT count(*) FROM quarantine WHERE location != '' OR detail != ''",
        "embeddings": "SELECT count(*) FROM embeddings",  # the triage model's vectors of the texts
    }
    return {name: count(conn, query) for name, query in sql.items()}


def purge_content(conn: Connection, now: str) -> None:
    """Remove every message's content and what hangs off it, keeping keys, labels, models and lineage
    (inside a transaction)."""
    for sql in (
        "UPDATE messages SET body = '', subject = NULL, from_name = NULL, from_addr = NULL, to_addrs = '[]', "
        "cc_addrs = '[]', attachment_types = '[]', sent_at = NULL, source_location = '', "
        "purged_at = coalesce(purged_at, :now)",
        "DELETE FROM spans",
        "DELETE FROM analysis_state",
        "UPDATE reviews SET comment = NULL WHERE comment IS NOT NULL",
        "UPDATE label_reviews SET comment = NULL WHERE comment IS NOT NULL",
        "DELETE FROM message_subjects",
        "UPDATE quarantine SET location = '', detail = '' WHERE location != '' OR detail != ''",
        "DELETE FROM embeddings",
    ):
        conn.execute(sql, {"now": now} if ":now" in sql else ())


def table_readable(conn: Connection, table: str) -> bool:
    """Can every row of ``table`` be read back? (Reads the whole table: use on a fresh connection, because
    after one damaged page SQLite refuses further reads on the same one.)"""
    try:
        for _row in conn.execute(f"SELECT * FROM {_quote(table)}"):
            pass
    except DatabaseError:
        return False
    return True


def root_page(conn: Connection, name: str) -> int | None:
    """The root page number of a table or index (where damage to it would show first)."""
    value = scalar(conn, "SELECT rootpage FROM sqlite_master WHERE name = ?", (name,))
    return None if value is None else int(value)
