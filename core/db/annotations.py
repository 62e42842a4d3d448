"""The ``annotations`` table: each person's own current label of a message (history is in the audit log).

Agreement is measured on the *independent* labels only (:func:`independent_labels`): those of messages
assigned to two or more annotators, by the annotators they were assigned to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scrubdesk.core.db.rows import Connection, chunks, marks


def own_label(conn: Connection, message_id: int, annotator: str) -> str | None:
    row = conn.execute(
        "SELECT label FROM annotations WHERE message_id = ? AND annotator = ?", (message_id, annotator)
    ).fetchone()
    return None if row is None else str(row[0])


def own_labels(conn: Connection, annotator: str, message_ids: Sequence[int]) -> dict[int, str]:
    """Message ID -> ``annotator``'s label, for those of ``message_ids`` they labelled."""
    found: dict[int, str] = {}
    for chunk in chunks(message_ids):
        rows = conn.execute(
            "SELECT message_id, label FROM annotations "
            f"WHERE annotator = ? AND message_id IN ({marks(len(chunk))})",
            [annotator, *chunk],
        )
        found.update((int(mid), str(label)) for mid, label in rows)
    return found


def labels_of(conn: Connection, message_id: int) -> dict[str, str]:
    """Annotator -> label of one message."""
    rows = conn.execute(
        "SELECT annotator, label FROM annotations WHERE message_id = ? ORDER BY annotator", (message_id,)
    )
    return {str(who): str(label) for who, label in rows}


def labels_by_message(conn: Connection, message_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """Message ID -> annotator -> label, for ``message_ids`` that have any."""
    found: dict[int, dict[str, str]] = {}
    for chunk in chunks(message_ids):
        rows = conn.execute(
            f"SELECT message_id, annotator, label FROM annotations WHERE message_id IN ({marks(len(chunk))})",
            chunk,
        )
        for mid, who, label in rows:
            found.setdefault(int(mid), {})[str(who)] = str(label)
    return found


@dataclass(frozen=True)
class IndependentLabel:
    message_id: int
    msg_key: str
    annotator: str
    label: str

    def __repr__(self) -> str:
        return f"IndependentLabel(msg_key={self.msg_key!r}, annotator={self.annotator!r})"


def independent_labels(conn: Connection) -> list[IndependentLabel]:
    """The labels given independently: on messages assigned to 2+ annotators, by those annotators."""
    rows = conn.execute(
        "SELECT n.message_id, m.msg_key, n.annotator, n.label FROM annotations n "
        "JOIN assignments a ON a.message_id = n.message_id AND a.annotator = n.annotator "
        "JOIN messages m ON m.id = n.message_id "
        "WHERE n.message_id IN (SELECT message_id FROM assignments GROUP BY message_id HAVING count(*) > 1) "
        "ORDER BY n.message_id, n.annotator"
    )
    return [IndependentLabel(int(i), str(k), str(w), str(label)) for i, k, w, label in rows]


@dataclass(frozen=True)
class AnnotatorActivity:
    annotator: str
    total: int
    since: int  # labelled at or after the given time (e.g. today)
    median_seconds: float | None  # over the labels that were timed
    timed: int


def activity(conn: Connection, since: str) -> list[AnnotatorActivity]:
    """Labels per annotator in total and since ``since``, with the time they took."""
    counts = conn.execute(
        "SELECT annotator, count(*), sum(CASE WHEN at >= ? THEN 1 ELSE 0 END) FROM annotations "
        "GROUP BY annotator ORDER BY annotator",
        (since,),
    ).fetchall()
    seconds: dict[str, list[float]] = {}
    for who, value in conn.execute("SELECT annotator, seconds FROM annotations WHERE seconds IS NOT NULL"):
        seconds.setdefault(str(who), []).append(float(value))
    found = []
    for who, total, recent in counts:
        timed = sorted(seconds.get(str(who), []))
        median = None
        if timed:
            mid = len(timed) // 2
            median = timed[mid] if len(timed) % 2 else (timed[mid - 1] + timed[mid]) / 2
        found.append(AnnotatorActivity(str(who), int(total), int(recent or 0), median, len(timed)))
    return found


def reviewed_counts(conn: Connection) -> dict[str, tuple[int, int]]:
    """Annotator -> (their labels a reviewer decided on, of those the ones the reviewer kept)."""
    rows = conn.execute(
        "SELECT n.annotator, count(*), sum(CASE WHEN n.label = r.label THEN 1 ELSE 0 END) FROM annotations n "
        "JOIN label_reviews r ON r.message_id = n.message_id WHERE r.status = 'resolved' GROUP BY n.annotator"
    )
    return {str(who): (int(n), int(kept or 0)) for who, n, kept in rows}


def count_annotations(conn: Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM annotations").fetchone()[0])


# --- writing (inside a transaction) -------------------------------------------------------------------------


def put(
    conn: Connection,
    message_id: int,
    annotator: str,
    label: str,
    *,
    source: str,
    seconds: float | None,
    at: str,
) -> None:
    conn.execute(
        "INSERT INTO annotations (message_id, annotator, label, source, seconds, at) "
        "VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(message_id, annotator) DO UPDATE SET label = excluded.label, source = excluded.source, "
        "seconds = excluded.seconds, at = excluded.at",
        (message_id, annotator, label, source, seconds, at),
    )


def delete(conn: Connection, message_id: int, annotator: str) -> None:
    conn.execute("DELETE FROM annotations WHERE message_id = ? AND annotator = ?", (message_id, annotator))
