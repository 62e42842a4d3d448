"""The ``reviews`` table: the current review decision per message.

The rule "approved for the current analysis" lives here once (:data:`APPROVED_SQL`): an approval holds
the analysis fingerprint it saw, and counts only while the message's analysis still has it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from scrubdesk.core.db.messages import NOT_PURGED, flagged_sql
from scrubdesk.core.db.rows import Connection, count, mapped, marks
from scrubdesk.core.db.splits import TEST_IDS_SQL
from scrubdesk.core.spans import Span

# Approved, and the approval is for the message's current analysis.
APPROVED_SQL = (
    "SELECT r.message_id FROM reviews r JOIN analysis_state a ON a.message_id = r.message_id "
    "WHERE r.status = 'approved' AND r.fingerprint = a.fingerprint"
)
# Awaiting approval: submitted, or approved for an analysis that has since changed.
_QUEUE_WHERE = (
    "FROM reviews r JOIN messages m ON m.id = r.message_id "
    "LEFT JOIN analysis_state a ON a.message_id = r.message_id "
    "WHERE r.status = 'pending' OR (r.status = 'approved' AND r.fingerprint IS NOT a.fingerprint)"
)


@dataclass(frozen=True)
class ReviewRow:
    status: str
    reviewer: str
    role: str
    comment: str | None
    at: str
    current: bool  # the approval (or submission) is for the message's current analysis

    def __repr__(self) -> str:  # the comment is free text a reviewer typed: keep it out of logs
        return f"ReviewRow(status={self.status!r}, current={self.current})"


def review_of(conn: Connection, message_id: int) -> ReviewRow | None:
    row = conn.execute(
        "SELECT r.status, r.reviewer, r.role, r.comment, r.at, r.fingerprint IS a.fingerprint AS current "
        "FROM reviews r LEFT JOIN analysis_state a ON a.message_id = r.message_id WHERE r.message_id = ?",
        (message_id,),
    )
    found = next(mapped(row, ReviewRow), None)
    return None if found is None else ReviewRow(**{**found.__dict__, "current": bool(found.current)})


def is_approved_at(conn: Connection, message_id: int, fingerprint: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM reviews WHERE message_id = ? AND status = 'approved' AND fingerprint = ?",
        (message_id, fingerprint),
    ).fetchone()
    return row is not None


def approved_message_ids(conn: Connection) -> set[int]:
    return {int(r[0]) for r in conn.execute(APPROVED_SQL)}


def count_approved_current(conn: Connection) -> int:
    return count(conn, f"SELECT count(*) FROM ({APPROVED_SQL})")


def count_approved(conn: Connection) -> int:
    """Approvals of any analysis, current or not (the inventory's count)."""
    return count(conn, "SELECT count(*) FROM reviews WHERE status = 'approved'")


def trainable_ids(
    conn: Connection, *, labelled: bool, sources: Sequence[str] | None = None, split: str = "train"
) -> list[int]:
    """Approved for their current analysis and not purged, by ID. With ``labelled``, only labelled ones
    (and with ``sources``, only labels from those sources). ``split``: ``train`` leaves the held-out test
    messages out (they never train), ``test`` gives only them."""
    sql = f"SELECT m.id FROM messages m WHERE {NOT_PURGED} AND m.id IN ({APPROVED_SQL})"
    params: list[str] = []
    if labelled:
        sql += " AND m.label IS NOT NULL AND m.label != ''"
        if sources is not None:
            sql += f" AND m.label_source IN ({marks(len(sources))})"
            params += sources
    if split not in ("train", "test"):
        raise ValueError(f"unknown split {split!r}")
    sql += f" AND m.id {'NOT IN' if split == 'train' else 'IN'} ({TEST_IDS_SQL})"
    return [int(r[0]) for r in conn.execute(sql + " ORDER BY m.id", params)]


def review_counts(conn: Connection) -> dict[str, int]:
    rows = conn.execute("SELECT status, count(*) FROM reviews GROUP BY status ORDER BY status")
    return {str(k): int(v) for k, v in rows}


def count_sent_back(conn: Connection) -> int:
    """Messages a reviewer sent back, not yet submitted again."""
    return count(conn, "SELECT count(*) FROM reviews WHERE status = 'sent_back'")


def count_comments(conn: Connection) -> int:
    return count(conn, "SELECT count(*) FROM reviews WHERE comment IS NOT NULL")


# --- writing (inside a transaction) -------------------------------------------------------------------------


def decide(
    conn: Connection,
    message_id: int,
    *,
    status: str,
    fingerprint: str | None,
    reviewer: str,
    role: str,
    comment: str | None,
    at: str,
) -> None:
    conn.execute(
        "INSERT INTO reviews (message_id, status, fingerprint, reviewer, role, comment, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(message_id) DO UPDATE SET status = excluded.status, "
        "fingerprint = excluded.fingerprint, reviewer = excluded.reviewer, role = excluded.role, "
        "comment = excluded.comment, at = excluded.at",
        (message_id, status, fingerprint, reviewer, role, comment, at),
    )


def _to_approve(skip_flags: Collection[str]) -> str:
    """FROM and WHERE of the analysed messages approve-all approves (``a`` their analysis): readable,
    not flagged, and not approved for their current analysis yet. One home for both of its steps."""
    return (
        "FROM analysis_state a JOIN messages m ON m.id = a.message_id "
        "LEFT JOIN reviews r ON r.message_id = a.message_id "
        f"WHERE a.language_supported = 1 AND NOT {flagged_sql(skip_flags)} "
        "AND (r.message_id IS NULL OR r.status != 'approved' OR r.fingerprint IS NOT a.fingerprint)"
    )


def accept_suggestions_to_approve(conn: Connection, *, skip_flags: Collection[str] = ()) -> int:
    """Accept the undecided suggestions of every message approve-all is about to approve (call first,
    in the same transaction); returns how many."""
    cur = conn.execute(
        "UPDATE spans SET status = 'accepted' WHERE status = 'suggested' AND message_id IN "
        f"(SELECT a.message_id {_to_approve(skip_flags)})"
    )
    return max(cur.rowcount, 0)


def approve_every_analysed(
    conn: Connection,
    *,
    reviewer: str,
    role: str,
    comment: str | None,
    at: str,
    skip_flags: Collection[str] = (),
) -> int:
    """Approve the current analysis of every analysed message not approved for it yet; returns how many.
    A message the analyser could not read (another language), or one carrying any of ``skip_flags`` (an
    import that could not decode its body), is left for a reviewer to look at."""
    cur = conn.execute(
        "INSERT INTO reviews (message_id, status, fingerprint, reviewer, role, comment, at) "
        f"SELECT a.message_id, 'approved', a.fingerprint, ?, ?, ?, ? {_to_approve(skip_flags)} "
        "ON CONFLICT(message_id) DO UPDATE SET status = excluded.status, "
        "fingerprint = excluded.fingerprint, reviewer = excluded.reviewer, role = excluded.role, "
        "comment = excluded.comment, at = excluded.at",
        (reviewer, role, comment, at),
    )
    return max(cur.rowcount, 0)


def move_approval(conn: Connection, message_id: int, fingerprint: str) -> None:
    """Tie an approval to a new analysis fingerprint (its redaction did not change)."""
    conn.execute(
        "UPDATE reviews SET fingerprint = ? WHERE message_id = ? AND status = 'approved'",
        (fingerprint, message_id),
    )


def reopen_approval(conn: Connection, message_id: int, *, reviewer: str, role: str, at: str) -> bool:
    """Put an approved review back to pending (its spans changed); True when there was one."""
    cur = conn.execute(
        "UPDATE reviews SET status = 'pending', reviewer = ?, role = ?, comment = NULL, at = ? "
        "WHERE message_id = ? AND status = 'approved'",
        (reviewer, role, at, message_id),
    )
    return cur.rowcount > 0


# --- the reviewer's queue --------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    message_id: int
    msg_key: str
    sent_at: str | None
    submitted_by: str
    submitted_at: str
    stale_approval: bool
    pii_count: int
    undecided: int
    kept: int
    subject: str

    def __repr__(self) -> str:
        return f"QueueRow(message_id={self.message_id}, msg_key={self.msg_key!r})"


def queue_rows(conn: Connection, limit: int, offset: int) -> list[QueueRow]:
    """Messages whose redaction awaits approval, oldest submission first."""
    cursor = conn.execute(
        "SELECT m.id AS message_id, m.msg_key, m.sent_at, r.reviewer AS submitted_by, "
        "r.at AS submitted_at, r.status = 'approved' AS stale_approval, "
        "(SELECT count(*) FROM spans s WHERE s.message_id = m.id AND s.status != 'rejected') AS pii_count, "
        "(SELECT count(*) FROM spans s WHERE s.message_id = m.id AND s.status = 'suggested') AS undecided, "
        "(SELECT count(*) FROM spans s WHERE s.message_id = m.id AND s.status = 'rejected') AS kept, "
        "coalesce(m.subject, '') AS subject "
        f"{_QUEUE_WHERE} ORDER BY r.at, m.id LIMIT ? OFFSET ?",
        (limit, offset),
    )
    return list(mapped(cursor, QueueRow))


def queue_size(conn: Connection) -> int:
    return count(conn, f"SELECT count(*) {_QUEUE_WHERE}")


def subject_spans(conn: Connection, ids: list[int]) -> dict[int, list[Span]]:
    """Message ID -> subject spans not rejected (what the queue's scrubbed subject hides)."""
    found: dict[int, list[Span]] = {i: [] for i in ids}
    if not ids:
        return found
    for mid, start, end, label in conn.execute(
        f"SELECT message_id, start, \"end\", label FROM spans WHERE field = 'subject' "
        f"AND status != 'rejected' AND message_id IN ({marks(len(ids))})",
        ids,
    ):
        found[mid].append(Span(start, end, label))
    return found


def count_left_for_review(conn: Connection, skip_flags: Collection[str]) -> int:
    """Analysed messages approve-all leaves alone: another language, or any of ``skip_flags``."""
    return count(
        conn,
        "SELECT count(*) FROM analysis_state a JOIN messages m ON m.id = a.message_id "
        f"WHERE a.language_supported = 0 OR {flagged_sql(skip_flags)}",
    )
