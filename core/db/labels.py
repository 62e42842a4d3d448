"""The ``label_set`` table (the project's intent labels, in display order) and each message's label."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from scrubdesk.core.db.rows import Connection


def label_names(conn: Connection) -> list[str]:
    """The label set in display order."""
    return [str(r[0]) for r in conn.execute("SELECT name FROM label_set ORDER BY position, name")]


def labels_in_use(conn: Connection) -> list[str]:
    """Distinct labels that messages carry, sorted."""
    rows = conn.execute(
        "SELECT DISTINCT label FROM messages WHERE label IS NOT NULL AND label != '' ORDER BY label"
    )
    return [str(r[0]) for r in rows]


def label_counts(conn: Connection) -> dict[str, int]:
    """Messages per label, for every label that messages carry (in the set or not)."""
    rows = conn.execute("SELECT label, count(*) FROM messages WHERE label > '' GROUP BY label")  # index only
    return {str(label): int(n) for label, n in rows}


def in_set(conn: Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM label_set WHERE name = ?", (name,)).fetchone() is not None


def append(conn: Connection, names: Iterable[str], now: str) -> None:
    """Add ``names`` at the end of the set, in order."""
    position = int(conn.execute("SELECT coalesce(max(position), -1) FROM label_set").fetchone()[0])
    for name in names:
        position += 1
        conn.execute(
            "INSERT INTO label_set (name, position, created_at) VALUES (?, ?, ?)", (name, position, now)
        )


def rename(conn: Connection, old: str, new: str) -> None:
    conn.execute("UPDATE label_set SET name = ? WHERE name = ?", (new, old))


def remove(conn: Connection, name: str) -> None:
    """Take ``name`` out of the set and close the gap in the positions."""
    conn.execute("DELETE FROM label_set WHERE name = ?", (name,))
    set_order(conn, label_names(conn))


def set_order(conn: Connection, names: Sequence[str]) -> None:
    conn.executemany("UPDATE label_set SET position = ? WHERE name = ?", list(enumerate(names)))


def relabel(conn: Connection, old: str, new: str) -> tuple[int, int]:
    """Every message, suggestion, annotation and review decision labelled ``old`` becomes ``new``;
    (messages, suggestions) changed."""
    messages = conn.execute("UPDATE messages SET label = ? WHERE label = ?", (new, old)).rowcount
    predictions = conn.execute("UPDATE predictions SET label = ? WHERE label = ?", (new, old)).rowcount
    # each person's own labels and the reviewers' decisions name labels too
    conn.execute("UPDATE annotations SET label = ? WHERE label = ?", (new, old))
    conn.execute("UPDATE label_reviews SET label = ? WHERE label = ?", (new, old))
    return max(messages, 0), max(predictions, 0)


def message_label(conn: Connection, message_id: int) -> tuple[str, str | None, str | None] | None:
    """(msg_key, label, label_source) of a message, or None when there is no such message."""
    row = conn.execute(
        "SELECT msg_key, label, label_source FROM messages WHERE id = ?", (message_id,)
    ).fetchone()
    return None if row is None else (str(row[0]), row[1], row[2])


def label_by_key(conn: Connection, msg_key: str) -> tuple[int, str | None] | None:
    """(id, label) of the message with this keyed ID."""
    row = conn.execute("SELECT id, label FROM messages WHERE msg_key = ?", (msg_key,)).fetchone()
    return None if row is None else (int(row[0]), row[1])


def set_message_label(conn: Connection, message_id: int, label: str | None, source: str | None) -> None:
    conn.execute("UPDATE messages SET label = ?, label_source = ? WHERE id = ?", (label, source, message_id))


def set_message_labels(conn: Connection, labels: Sequence[tuple[int, str]], source: str) -> None:
    """Bulk :func:`set_message_label` of (message ID, label) pairs with one source."""
    conn.executemany(
        "UPDATE messages SET label = ?, label_source = ? WHERE id = ?",
        [(label, source, mid) for mid, label in labels],
    )
