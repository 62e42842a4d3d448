"""The ``label_reviews`` table: the label-review queue (disagreements, samples, spot checks) and the
reviewers' decisions. One row per message: its latest label review. A comment is free text: it stays
in this table (never in the audit log) and is removed by a purge or an erasure that finds the subject."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scrubdesk.core.db.messages import NOT_PURGED
from scrubdesk.core.db.rows import Connection, chunks, count, mapped, marks

REASONS = ("disagreement", "sample", "spot_check")
# The order the queue shows: disagreements hold a message's label back, so they come first.
_REASON_ORDER = "CASE r.reason WHEN 'disagreement' THEN 0 WHEN 'spot_check' THEN 1 ELSE 2 END"


@dataclass(frozen=True)
class LabelReviewRow:
    message_id: int
    msg_key: str
    reason: str
    status: str
    queued_by: str
    queued_at: str
    label: str | None  # the reviewer's decision
    reviewer: str | None
    comment: str | None
    resolved_at: str | None
    current_label: str | None  # the message's label now
    current_source: str | None
    suggestion: str | None
    confidence: float | None

    def __repr__(self) -> str:  # the comment is free text a reviewer typed: keep it out of logs
        return f"LabelReviewRow(msg_key={self.msg_key!r}, reason={self.reason!r}, status={self.status!r})"


_SELECT = (
    "SELECT r.message_id, m.msg_key, r.reason, r.status, r.queued_by, r.queued_at, r.label, r.reviewer, "
    "r.comment, r.resolved_at, m.label AS current_label, m.label_source AS current_source, "
    "p.label AS suggestion, p.confidence FROM label_reviews r JOIN messages m ON m.id = r.message_id "
    "LEFT JOIN predictions p ON p.message_id = r.message_id"
)


def open_rows(conn: Connection, limit: int, offset: int = 0) -> list[LabelReviewRow]:
    """Open label reviews: disagreements first, then spot checks and samples, oldest first."""
    sql = (
        f"{_SELECT} WHERE r.status = 'open' "
        f"ORDER BY {_REASON_ORDER}, r.queued_at, r.message_id LIMIT ? OFFSET ?"
    )
    return list(mapped(conn.execute(sql, (limit, offset)), LabelReviewRow))


def row_of(conn: Connection, message_id: int) -> LabelReviewRow | None:
    cursor = conn.execute(f"{_SELECT} WHERE r.message_id = ?", (message_id,))
    return next(mapped(cursor, LabelReviewRow), None)


def count_open(conn: Connection) -> int:
    return count(conn, "SELECT count(*) FROM label_reviews WHERE status = 'open'")


def open_counts(conn: Connection) -> dict[str, int]:
    """Open reviews per reason."""
    rows = conn.execute("SELECT reason, count(*) FROM label_reviews WHERE status = 'open' GROUP BY reason")
    return {str(k): int(n) for k, n in rows}


def reviewed_ids(conn: Connection) -> set[int]:
    """Messages with a label review, open or resolved."""
    return {int(r[0]) for r in conn.execute("SELECT message_id FROM label_reviews")}


def count_comments(conn: Connection) -> int:
    return count(conn, "SELECT count(*) FROM label_reviews WHERE comment IS NOT NULL")


# --- writing (inside a transaction) -------------------------------------------------------------------------


def queue(conn: Connection, message_ids: Sequence[int], *, reason: str, queued_by: str, at: str) -> int:
    """Open a review of each message (replacing a resolved one; an open one stays as it is)."""
    cur = conn.executemany(
        "INSERT INTO label_reviews (message_id, reason, status, queued_by, queued_at) "
        "VALUES (?, ?, 'open', ?, ?) "
        "ON CONFLICT(message_id) DO UPDATE SET reason = excluded.reason, status = 'open', "
        "queued_by = excluded.queued_by, queued_at = excluded.queued_at, label = NULL, reviewer = NULL, "
        "role = NULL, comment = NULL, resolved_at = NULL WHERE label_reviews.status != 'open'",
        [(mid, reason, queued_by, at) for mid in message_ids],
    )
    return max(cur.rowcount, 0)


def withdraw(conn: Connection, message_id: int, reason: str) -> bool:
    """Remove an open review of ``reason`` (the message no longer needs it); True when there was one."""
    cur = conn.execute(
        "DELETE FROM label_reviews WHERE message_id = ? AND status = 'open' AND reason = ?",
        (message_id, reason),
    )
    return cur.rowcount > 0


def resolve(
    conn: Connection, message_id: int, *, label: str, reviewer: str, role: str, comment: str | None, at: str
) -> None:
    conn.execute(
        "UPDATE label_reviews SET status = 'resolved', label = ?, reviewer = ?, role = ?, comment = ?, "
        "resolved_at = ? WHERE message_id = ?",
        (label, reviewer, role, comment, at, message_id),
    )


def sample_candidates(conn: Connection) -> list[int]:
    """Labelled, not purged messages whose label was never reviewed, by ID (what a reviewer may sample)."""
    rows = conn.execute(
        f"SELECT m.id FROM messages m WHERE {NOT_PURGED} AND m.label > '' "
        "AND m.id NOT IN (SELECT message_id FROM label_reviews) ORDER BY m.id"
    )
    return [int(r[0]) for r in rows]


def open_reasons(conn: Connection, message_ids: Sequence[int]) -> dict[int, str]:
    """Message ID -> the reason of its open label review, for those of ``message_ids`` that have one."""
    found: dict[int, str] = {}
    for chunk in chunks(message_ids):
        rows = conn.execute(
            "SELECT message_id, reason FROM label_reviews "
            f"WHERE status = 'open' AND message_id IN ({marks(len(chunk))})",
            chunk,
        )
        found.update((int(mid), str(reason)) for mid, reason in rows)
    return found
