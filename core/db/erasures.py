"""The ``erasures`` and ``erased_messages`` tables, and the deletes an erasure makes across the store."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from scrubdesk.core.db.rows import Connection, as_dicts, chunks, count, marks

# Tables whose rows hang off a message and are deleted with it (in this order, before the message).
MESSAGE_CHILDREN = (
    "spans", "analysis_state", "reviews", "predictions", "message_subjects",
    "assignments", "annotations", "label_reviews", "splits",
)  # fmt: skip
# Lineage tables without a foreign key: a message ID left there could be reused by a new message.
LINEAGE = ("model_members", "export_members")
_HIT_FN = "scrubdesk_subject_hit"


def erased_keys(conn: Connection) -> set[str]:
    return {str(r[0]) for r in conn.execute("SELECT msg_key FROM erased_messages")}


def remember_erased(conn: Connection, msg_keys: Sequence[str], certificate_id: str) -> None:
    """Keep only the keyed IDs, so re-importing the same mail cannot bring the messages back."""
    conn.executemany(
        "INSERT OR IGNORE INTO erased_messages (msg_key, certificate_id) VALUES (?, ?)",
        [(key, certificate_id) for key in msg_keys],
    )


def delete_messages(conn: Connection, message_ids: Sequence[int]) -> dict[str, int]:
    """Delete messages and every row hanging off them; counts per table (and labels lost)."""
    counts = dict.fromkeys(("messages", "labels", *MESSAGE_CHILDREN, *LINEAGE), 0)
    for chunk in chunks(message_ids):
        q = marks(len(chunk))
        counts["labels"] += count(
            conn,
            f"SELECT count(*) FROM messages WHERE id IN ({q}) AND label IS NOT NULL AND label != ''",
            chunk,
        )
        # explicit, not left to ON DELETE CASCADE: correct even on a connection without foreign_keys
        for table in (*MESSAGE_CHILDREN, *LINEAGE):
            counts[table] += max(
                conn.execute(f"DELETE FROM {table} WHERE message_id IN ({q})", chunk).rowcount, 0
            )
        counts["messages"] += max(conn.execute(f"DELETE FROM messages WHERE id IN ({q})", chunk).rowcount, 0)
    return counts


def scrub_residue(conn: Any, hit: Callable[[object], bool]) -> dict[str, int]:
    """Remove what ``hit`` finds from rows that are not about the subject but mention them (a file path, a
    comment). ``conn`` is a raw connection (it registers a SQL function)."""
    conn.create_function(_HIT_FN, 1, lambda v: int(hit(v)), deterministic=True)
    statements = {
        "quarantine": f"DELETE FROM quarantine WHERE {_HIT_FN}(location) OR {_HIT_FN}(detail)",
        "source_paths": f"UPDATE sources SET location = 'erased-source-' || id WHERE {_HIT_FN}(location)",
        "message_locations": (
            f"UPDATE messages SET source_location = 'erased-location-' || id WHERE {_HIT_FN}(source_location)"
        ),
        "review_comments": f"UPDATE reviews SET comment = NULL WHERE {_HIT_FN}(comment)",
        "label_review_comments": f"UPDATE label_reviews SET comment = NULL WHERE {_HIT_FN}(comment)",
        "export_paths": f"UPDATE exports SET path = 'erased-path-' || id WHERE {_HIT_FN}(path)",
    }
    return {name: max(conn.execute(sql).rowcount, 0) for name, sql in statements.items()}


@dataclass(frozen=True)
class ErasureRecord:
    certificate_id: str
    at: str
    os_user: str
    role: str
    n_messages: int
    n_spans: int
    models_marked_stale: tuple[int, ...]
    exports_marked_stale: tuple[int, ...]
    certificate_path: str | None
    certificate_sha256: str | None


def record(
    conn: Connection,
    *,
    certificate_id: str,
    at: str,
    os_user: str,
    role: str,
    n_messages: int,
    n_spans: int,
    models: Sequence[int],
    exports: Sequence[int],
) -> None:
    conn.execute(
        "INSERT INTO erasures (certificate_id, at, os_user, role, n_messages, n_spans, "
        "models_marked_stale, exports_marked_stale) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (certificate_id, at, os_user, role, n_messages, n_spans, json.dumps(list(models)),
         json.dumps(list(exports))),
    )  # fmt: skip


def set_certificate(conn: Connection, certificate_id: str, path: str, sha256: str) -> None:
    conn.execute(
        "UPDATE erasures SET certificate_path = ?, certificate_sha256 = ? WHERE certificate_id = ?",
        (path, sha256, certificate_id),
    )


def certificate_sha256(conn: Connection, certificate_id: str | None) -> tuple[bool, str | None]:
    """(whether the erasure is recorded, the certificate's SHA-256 recorded for it)."""
    row = conn.execute(
        "SELECT certificate_sha256 FROM erasures WHERE certificate_id = ?", (certificate_id,)
    ).fetchone()
    return (False, None) if row is None else (True, row[0])


def list_erasures(conn: Connection) -> list[ErasureRecord]:
    found = []
    for r in as_dicts(
        conn.execute(
            "SELECT certificate_id, at, os_user, role, n_messages, n_spans, models_marked_stale, "
            "exports_marked_stale, certificate_path, certificate_sha256 FROM erasures ORDER BY id"
        )
    ):
        for name in ("models_marked_stale", "exports_marked_stale"):
            try:
                value = json.loads(r[name] or "[]")
            except ValueError:
                value = []
            r[name] = tuple(value) if isinstance(value, list) else ()
        found.append(ErasureRecord(**r))
    return found
