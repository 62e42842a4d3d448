"""The embedding cache: one vector per message's approved, scrubbed text and embedder (schema 8).

Embedding is the slow step of training (tens of texts per second on two cores); the cache makes a retrain
cost seconds. A vector is derived from the message's text, so it is personal data: it lives only in the
encrypted store, goes with the message on erasure (``ON DELETE CASCADE``; :func:`delete_embeddings` for
callers that delete explicitly) and on a retention purge
(:func:`scrubdesk.core.db.maintenance.purge_content`).

The gateway of the ``embeddings`` table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from scrubdesk.core.db.rows import Connection, chunks, count, marks
from scrubdesk.core.ids import KeyedIds


def text_digest(ids: KeyedIds, text: str) -> str:
    """Keyed digest of a scrubbed text: says whether a cached vector is still the text's."""
    return ids.digest("embedding-text", text.encode("utf-8"))


def cached_vectors(
    conn: Connection, embedder: str, wanted: Sequence[tuple[int, str]]
) -> dict[int, np.ndarray]:
    """Cached vectors of ``(message_id, text_digest)`` pairs whose digest still matches."""
    digests = dict(wanted)
    found: dict[int, np.ndarray] = {}
    for chunk in chunks(list(digests)):
        rows = conn.execute(
            f"SELECT message_id, text_digest, vector FROM embeddings WHERE embedder = ? "
            f"AND message_id IN ({marks(len(chunk))})",
            (embedder, *chunk),
        )
        for mid, digest, blob in rows:
            if digests.get(int(mid)) == digest:
                found[int(mid)] = np.frombuffer(blob, dtype="<f4").copy()
    return found


def store_vectors(conn: Connection, embedder: str, rows: Iterable[tuple[int, str, np.ndarray]]) -> int:
    """Insert or replace ``(message_id, text_digest, vector)`` rows; call inside a transaction."""
    values = [(mid, embedder, digest, np.asarray(v, dtype="<f4").tobytes()) for mid, digest, v in rows]
    conn.executemany(
        "INSERT INTO embeddings (message_id, embedder, text_digest, vector) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(message_id, embedder) DO UPDATE SET text_digest = excluded.text_digest, "
        "vector = excluded.vector",
        values,
    )
    return len(values)


def delete_embeddings(conn: Connection, message_ids: Iterable[int]) -> int:
    """Remove every cached vector of these messages (erasure, purge); call inside a transaction."""
    removed = 0
    for chunk in chunks(list(message_ids)):
        sql = f"DELETE FROM embeddings WHERE message_id IN ({marks(len(chunk))})"
        removed += conn.execute(sql, chunk).rowcount
    return removed


def delete_purged_embeddings(conn: Connection) -> int:
    """Remove the vectors of every purged message (a purge keeps the row but not its text)."""
    sql = "DELETE FROM embeddings WHERE message_id IN (SELECT id FROM messages WHERE purged_at IS NOT NULL)"
    return int(conn.execute(sql).rowcount)


def count_embeddings(conn: Connection) -> int:
    return count(conn, "SELECT count(*) FROM embeddings")
