"""The ``assignments`` table: which annotator is to label which message.

The rule "an assignment is open" lives here once (:data:`OPEN_SQL`): its annotator has not labelled the
message yet and the message has no label. A message assigned to several annotators (overlap) keeps no
label until each has labelled it or a reviewer decided, so it stays open for whoever has not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scrubdesk.core.db.messages import NOT_PURGED
from scrubdesk.core.db.rows import Connection, chunks, mapped, marks

# Over ``assignments a JOIN messages m ON m.id = a.message_id``.
OPEN_SQL = (
    f"(m.label IS NULL OR m.label = '') AND {NOT_PURGED} AND NOT EXISTS "
    "(SELECT 1 FROM annotations n WHERE n.message_id = a.message_id AND n.annotator = a.annotator)"
)


@dataclass(frozen=True)
class Assignment:
    message_id: int
    msg_key: str
    annotator: str
    assigned_by: str
    assigned_at: str

    def __repr__(self) -> str:
        return f"Assignment(msg_key={self.msg_key!r}, annotator={self.annotator!r})"


_SELECT = (
    "SELECT a.message_id, m.msg_key, a.annotator, a.assigned_by, a.assigned_at "
    "FROM assignments a JOIN messages m ON m.id = a.message_id"
)


def open_assignments(
    conn: Connection, annotator: str | None = None, *, assigned_before: str | None = None
) -> list[Assignment]:
    """Open assignments (of ``annotator``; assigned before a time), oldest first."""
    sql = f"{_SELECT} WHERE {OPEN_SQL}"
    params: list[object] = []
    if annotator is not None:
        sql += " AND a.annotator = ?"
        params.append(annotator)
    if assigned_before is not None:
        sql += " AND a.assigned_at < ?"
        params.append(assigned_before)
    return list(mapped(conn.execute(sql + " ORDER BY a.assigned_at, a.message_id", params), Assignment))


def open_ids(conn: Connection, annotator: str) -> list[int]:
    """The messages waiting for ``annotator`` ("my queue"), in the order they were assigned."""
    return [a.message_id for a in open_assignments(conn, annotator)]


def assigned_ids(conn: Connection) -> set[int]:
    """Every message assigned to someone."""
    return {int(r[0]) for r in conn.execute("SELECT DISTINCT message_id FROM assignments")}


def annotators_of(conn: Connection, message_id: int) -> list[str]:
    rows = conn.execute(
        "SELECT annotator FROM assignments WHERE message_id = ? ORDER BY annotator", (message_id,)
    )
    return [str(r[0]) for r in rows]


def annotators_by_message(conn: Connection, message_ids: Sequence[int]) -> dict[int, list[str]]:
    """Message ID -> its annotators, for ``message_ids`` that have any."""
    found: dict[int, list[str]] = {}
    for chunk in chunks(message_ids):
        rows = conn.execute(
            f"SELECT message_id, annotator FROM assignments WHERE message_id IN ({marks(len(chunk))}) "
            "ORDER BY annotator",
            chunk,
        )
        for mid, who in rows:
            found.setdefault(int(mid), []).append(str(who))
    return found


def overlap_ids(conn: Connection) -> set[int]:
    """Messages assigned to two or more annotators: each labels them without seeing the others' labels."""
    rows = conn.execute("SELECT message_id FROM assignments GROUP BY message_id HAVING count(*) > 1")
    return {int(r[0]) for r in rows}


def is_overlap(conn: Connection, message_id: int) -> bool:
    row = conn.execute("SELECT count(*) FROM assignments WHERE message_id = ?", (message_id,)).fetchone()
    return int(row[0]) > 1


def unassigned_unlabelled_ids(conn: Connection) -> list[int]:
    """Messages nobody is to label yet and that have no label (not purged), by ID."""
    rows = conn.execute(
        f"SELECT m.id FROM messages m WHERE {NOT_PURGED} AND (m.label IS NULL OR m.label = '') "
        "AND m.id NOT IN (SELECT message_id FROM assignments) ORDER BY m.id"
    )
    return [int(r[0]) for r in rows]


@dataclass(frozen=True)
class AssignmentCounts:
    annotator: str
    assigned: int
    open: int


def counts_by_annotator(conn: Connection) -> list[AssignmentCounts]:
    rows = conn.execute(
        f"SELECT a.annotator, count(*) AS assigned, sum(CASE WHEN {OPEN_SQL} THEN 1 ELSE 0 END) AS open "
        "FROM assignments a JOIN messages m ON m.id = a.message_id GROUP BY a.annotator ORDER BY a.annotator"
    )
    return [AssignmentCounts(str(who), int(n), int(o or 0)) for who, n, o in rows]


# --- writing (inside a transaction) -------------------------------------------------------------------------


def add(conn: Connection, pairs: Sequence[tuple[int, str]], *, assigned_by: str, at: str) -> int:
    """Assign each (message ID, annotator); a pair that exists already is left as it is."""
    cur = conn.executemany(
        "INSERT OR IGNORE INTO assignments (message_id, annotator, assigned_by, assigned_at) "
        "VALUES (?, ?, ?, ?)",
        [(mid, who, assigned_by, at) for mid, who in pairs],
    )
    return max(cur.rowcount, 0)


def remove(conn: Connection, pairs: Sequence[tuple[int, str]]) -> int:
    cur = conn.executemany(
        "DELETE FROM assignments WHERE message_id = ? AND annotator = ?", [(mid, who) for mid, who in pairs]
    )
    return max(cur.rowcount, 0)
