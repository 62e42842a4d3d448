"""The ``splits`` table: the held-out split. A message marked ``test`` never trains a model; one without
a row was imported after the split was drawn (it trains until the split is drawn again)."""

from __future__ import annotations

from collections.abc import Sequence

from scrubdesk.core.db.rows import Connection

TEST_IDS_SQL = "SELECT message_id FROM splits WHERE split = 'test'"


def test_ids(conn: Connection) -> set[int]:
    return {int(r[0]) for r in conn.execute(TEST_IDS_SQL)}


def split_of(conn: Connection, message_id: int) -> str | None:
    row = conn.execute("SELECT split FROM splits WHERE message_id = ?", (message_id,)).fetchone()
    return None if row is None else str(row[0])


def counts(conn: Connection) -> dict[str, int]:
    """Messages per split ('train', 'test'), and 'undrawn' for messages without a row."""
    found = {str(k): int(n) for k, n in conn.execute("SELECT split, count(*) FROM splits GROUP BY split")}
    undrawn = conn.execute("SELECT count(*) FROM messages WHERE id NOT IN (SELECT message_id FROM splits)")
    return {
        "train": found.get("train", 0),
        "test": found.get("test", 0),
        "undrawn": int(undrawn.fetchone()[0]),
    }


def undrawn_keys(conn: Connection) -> list[tuple[int, str]]:
    """(id, msg_key) of messages not in the split yet, by ID."""
    rows = conn.execute(
        "SELECT id, msg_key FROM messages WHERE id NOT IN (SELECT message_id FROM splits) ORDER BY id"
    )
    return [(int(i), str(k)) for i, k in rows]


# --- writing (inside a transaction) -------------------------------------------------------------------------


def put(conn: Connection, rows: Sequence[tuple[int, str]], at: str) -> None:
    """Place each (message ID, 'train' | 'test')."""
    conn.executemany(
        "INSERT INTO splits (message_id, split, at) VALUES (?, ?, ?) "
        "ON CONFLICT(message_id) DO UPDATE SET split = excluded.split, at = excluded.at",
        [(mid, split, at) for mid, split in rows],
    )


def clear(conn: Connection) -> int:
    return max(conn.execute("DELETE FROM splits").rowcount, 0)
