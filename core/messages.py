"""Read access to stored messages, shaped for a virtualised list and a message view."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from scrubdesk.core.jobs import JobControl
from scrubdesk.core.redaction import Redactor
from scrubdesk.core.spans import Span
from scrubdesk.core.store import Store

# Sort keys of the message list -> ORDER BY expression (ascending). ``uncertainty`` ascending puts the
# messages the model is least sure about first (ascending certainty); messages without a suggestion last.
SORT_COLUMNS = {
    "imported": "m.id",
    "sent_at": "m.sent_at",
    "subject": "m.subject",
    "label": "m.label",
    "uncertainty": "p.uncertainty",
}
REDACTED_STATUSES = ("suggested", "accepted", "added")  # as scrubbing.REDACTED_STATUSES (no import cycle)

# Review states a list row can show (see :func:`review_status`).
REVIEW_STATES = ("not_analysed", "unreviewed", "pending", "approved", "stale", "sent_back")
# Awaiting a reviewer: submitted, or approved for an analysis that has changed since (as core.review).
NEEDS_REVIEW_SQL = (
    "SELECT r.message_id FROM reviews r LEFT JOIN analysis_state a ON a.message_id = r.message_id "
    "WHERE r.status = 'pending' OR (r.status = 'approved' AND r.fingerprint IS NOT a.fingerprint)"
)


@dataclass(frozen=True)
class MessageRow:
    """What one line of the message list shows. The subject is raw: show it through a redactor with
    ``subject_spans``."""

    id: int
    msg_key: str
    sent_at: str | None
    from_addr: str | None
    subject: str | None
    label: str | None
    attachment_count: int
    suggestion: str | None = None  # the model's label, from table predictions
    confidence: float | None = None
    uncertainty: float | None = None
    review: str = "not_analysed"  # one of REVIEW_STATES
    pii_count: int = 0  # spans not rejected, subject and body
    subject_spans: tuple[Span, ...] = field(default=(), compare=False)

    @property
    def analysed(self) -> bool:
        return self.review != "not_analysed"

    def __repr__(self) -> str:
        return f"MessageRow(id={self.id}, msg_key={self.msg_key!r})"


@dataclass(frozen=True)
class Message:
    """One message in full. Holds personal data: never log it."""

    id: int
    msg_key: str
    source_location: str
    sent_at: str | None
    from_name: str | None
    from_addr: str | None
    to_addrs: tuple[str, ...]
    cc_addrs: tuple[str, ...]
    subject: str | None
    body: str
    body_kind: str
    attachment_count: int
    attachment_types: tuple[str, ...]
    flags: tuple[str, ...]
    label: str | None

    def __repr__(self) -> str:
        return f"Message(id={self.id}, msg_key={self.msg_key!r})"


def count_messages(store: Store) -> int:
    return int(store.scalar("SELECT count(*) FROM messages"))


@dataclass(frozen=True)
class MessageFilter:
    """Which messages the list shows; every condition given must hold.

    ``state``: all | unlabelled | labelled | needs_review. ``label``: only messages with this label.
    ``pii_type``: only messages with a span of this entity type that nobody rejected.
    """

    state: str = "all"
    label: str | None = None
    pii_type: str | None = None

    STATES = ("all", "unlabelled", "labelled", "needs_review")

    def __post_init__(self) -> None:
        if self.state not in self.STATES:
            raise ValueError(f"unknown filter state {self.state!r}")

    @property
    def is_all(self) -> bool:
        return self.state == "all" and self.label is None and self.pii_type is None

    def where(self) -> tuple[str, list[Any]]:
        """A WHERE clause over ``messages m`` (or "" for all) and its parameters."""
        terms: list[str] = []
        params: list[Any] = []
        if self.state == "unlabelled":
            terms.append("(m.label IS NULL OR m.label = '')")
        elif self.state == "labelled":
            terms.append("(m.label IS NOT NULL AND m.label != '')")
        elif self.state == "needs_review":
            terms.append(f"m.id IN ({NEEDS_REVIEW_SQL})")
        if self.label is not None:
            terms.append("m.label = ?")
            params.append(self.label)
        if self.pii_type is not None:
            terms.append("m.id IN (SELECT message_id FROM spans WHERE label = ? AND status != 'rejected')")
            params.append(self.pii_type)
        return (f"WHERE {' AND '.join(terms)}" if terms else ""), params

    def id_set(self, store: Store) -> set[int] | None:
        """The matching IDs, each condition answered from an index (no pass over the message table, which
        holds the bodies); None when there is no condition."""
        queries: list[tuple[str, tuple[Any, ...]]] = []
        if self.state == "unlabelled":
            queries.append(("SELECT id FROM messages WHERE label IS NULL OR label = ''", ()))
        elif self.state == "labelled":
            queries.append(("SELECT id FROM messages WHERE label > ''", ()))
        elif self.state == "needs_review":
            queries.append((NEEDS_REVIEW_SQL, ()))
        if self.label is not None:
            queries.append(("SELECT id FROM messages WHERE label = ?", (self.label,)))
        if self.pii_type is not None:
            queries.append(
                ("SELECT message_id FROM spans WHERE label = ? AND status != 'rejected'", (self.pii_type,))
            )
        found: set[int] | None = None
        for sql, params in queries:
            ids = {r[0] for r in store.execute(sql, params)}
            found = ids if found is None else found & ids
        return found

    def describe(self) -> str:
        """Short words for people, e.g. 'unlabelled, has PERSON'."""
        parts = [] if self.state == "all" else [self.state.replace("_", " ")]
        if self.label is not None:
            parts.append(f"label {self.label}")
        if self.pii_type is not None:
            parts.append(f"has {self.pii_type}")
        return ", ".join(parts) or "all"


ALL = MessageFilter()


def message_ids(
    store: Store, sort: str = "imported", descending: bool = False, where: MessageFilter = ALL
) -> list[int]:
    """Message row IDs in display order. 100k ints is ~1 MB: cheap, and it makes paging exact.

    Import order is sorted here, from IDs read off indexes: an ORDER BY id would read the whole message
    table (every body) to list 100k IDs, ~20 times slower."""
    column = SORT_COLUMNS[sort]
    if sort == "imported":
        ids = where.id_set(store)
        if ids is None:  # the smallest covering index, not the table
            ids = {r[0] for r in store.execute("SELECT id FROM messages")}
        return sorted(ids, reverse=descending)
    direction = "DESC" if descending else "ASC"
    clause, params = where.where()
    if sort == "uncertainty":
        # ascending = least certain first; no suggestion sorts last either way
        direction = "ASC" if descending else "DESC"
        sql = (
            f"SELECT m.id FROM messages m LEFT JOIN predictions p ON p.message_id = m.id {clause} "
            f"ORDER BY p.uncertainty IS NULL, p.uncertainty {direction}, m.id"
        )
    else:
        sql = f"SELECT m.id FROM messages m {clause} ORDER BY {column} {direction}, m.id {direction}"
    return [r[0] for r in store.execute(sql, params)]


def labelled_ids(store: Store) -> set[int]:
    """IDs of every labelled message (read from the label index, not the table)."""
    return {r[0] for r in store.execute("SELECT id FROM messages WHERE label > ''")}


def labelled_count(store: Store) -> int:
    """How many messages of the project are labelled (read from the label index)."""
    return int(store.scalar("SELECT count(*) FROM messages WHERE label > ''"))


def review_status(analysed: bool, status: str | None, current: bool) -> str:
    """One of :data:`REVIEW_STATES` from the analysis and review rows of a message."""
    if status == "approved":
        return "approved" if current else "stale"
    if status in ("pending", "sent_back"):
        return status
    return "unreviewed" if analysed else "not_analysed"


def rows_by_ids(store: Store, ids: Sequence[int]) -> dict[int, MessageRow]:
    """List rows for ``ids`` (two queries, whatever the count; keep ``ids`` to a page)."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    subject_spans: dict[int, list[Span]] = {}
    span_rows = store.execute(
        f'SELECT message_id, start, "end", label, score, recognizer FROM spans WHERE message_id IN ({marks}) '
        f"AND field = 'subject' AND status IN ({','.join('?' * len(REDACTED_STATUSES))})",
        [*ids, *REDACTED_STATUSES],
    )
    for mid, start, end, label, score, recognizer in span_rows:
        subject_spans.setdefault(mid, []).append(Span(start, end, label, score, recognizer))
    sql = (
        "SELECT m.id, m.msg_key, m.sent_at, m.from_addr, m.subject, m.label, m.attachment_count, "
        "p.label, p.confidence, p.uncertainty, a.message_id IS NOT NULL, r.status, "
        "r.fingerprint IS a.fingerprint, "
        "(SELECT count(*) FROM spans s WHERE s.message_id = m.id AND s.status != 'rejected') "
        "FROM messages m LEFT JOIN predictions p ON p.message_id = m.id "
        "LEFT JOIN analysis_state a ON a.message_id = m.id LEFT JOIN reviews r ON r.message_id = m.id "
        f"WHERE m.id IN ({marks})"
    )
    found: dict[int, MessageRow] = {}
    for r in store.execute(sql, list(ids)):
        found[r[0]] = MessageRow(
            *r[:7],
            suggestion=r[7],
            confidence=r[8],
            uncertainty=r[9],
            review=review_status(bool(r[10]), r[11], bool(r[12])),
            pii_count=int(r[13]),
            subject_spans=tuple(sorted(subject_spans.get(r[0], ()))),
        )
    return found


def scrubbed_subject(redactor: Redactor, row: MessageRow) -> str:
    """The subject as the scrubbed text shows it (raw when the message was never analysed)."""
    subject = row.subject or ""
    return redactor.redact(subject, row.subject_spans) if row.subject_spans else subject


def pii_types(store: Store) -> list[str]:
    """Entity types that some message has a span of (not rejected), for the list's filter."""
    rows = store.execute(
        "SELECT l.label FROM (SELECT DISTINCT label FROM spans) l WHERE EXISTS "
        "(SELECT 1 FROM spans s WHERE s.label = l.label AND s.status != 'rejected') ORDER BY l.label"
    )  # distinct types off the label index, then one probe each: no pass over every span
    return [str(r[0]) for r in rows]


SEARCH_BATCH = 500


def search_scrubbed(
    store: Store,
    redactor: Redactor,
    query: str,
    control: JobControl | None = None,
    ids: Sequence[int] | None = None,
) -> list[int]:
    """IDs (ascending) of messages whose scrubbed subject or body contains ``query`` (case-insensitive),
    or whose msg_key starts with it. Scans ``ids`` (default: every message) in batches, reporting
    progress and checking for cancel between them. Text of messages never analysed is searched as is.

    Redacted values are not searchable: a query for a name finds only messages where it was not
    redacted, while a query for ``<PERSON>`` finds the messages where a name was."""
    control = control or JobControl()
    needle = query.strip().casefold()
    if not needle:
        return []
    if ids is None:
        ids = [r[0] for r in store.execute("SELECT id FROM messages ORDER BY id")]
    hits: list[int] = []
    statuses = ",".join("?" * len(REDACTED_STATUSES))
    for start in range(0, len(ids), SEARCH_BATCH):
        control.check_cancelled()
        batch = list(ids[start : start + SEARCH_BATCH])
        marks = ",".join("?" * len(batch))
        spans: dict[tuple[int, str], list[Span]] = {}
        for mid, fld, s, e, label in store.execute(
            f'SELECT message_id, field, start, "end", label FROM spans WHERE message_id IN ({marks}) '
            f"AND status IN ({statuses})",
            [*batch, *REDACTED_STATUSES],
        ):
            spans.setdefault((mid, fld), []).append(Span(s, e, label))
        rows = store.execute(
            f"SELECT id, msg_key, coalesce(subject, ''), body FROM messages WHERE id IN ({marks})", batch
        )
        for mid, key, subject, body in rows:
            if key.startswith(needle):
                hits.append(mid)
                continue
            for text, fld in ((subject, "subject"), (body, "body")):
                found = spans.get((mid, fld))
                if needle in (redactor.redact(text, found) if found else text).casefold():
                    hits.append(mid)
                    break
        done = min(start + SEARCH_BATCH, len(ids))
        control.progress(done, len(ids), f"{len(hits):,} found in {done:,} of {len(ids):,}")
    return sorted(hits)


def get_message(store: Store, message_id: int) -> Message | None:
    row = store.execute(
        "SELECT id, msg_key, source_location, sent_at, from_name, from_addr, to_addrs, cc_addrs, subject, "
        "body, body_kind, attachment_count, attachment_types, flags, label FROM messages WHERE id = ?",
        (message_id,),
    ).fetchone()
    if row is None:
        return None
    (mid, key, loc, sent, fname, faddr, to, cc, subj, body, kind, n_att, att_types, flags, label) = row
    return Message(
        id=mid,
        msg_key=key,
        source_location=loc,
        sent_at=sent,
        from_name=fname,
        from_addr=faddr,
        to_addrs=tuple(json.loads(to)),
        cc_addrs=tuple(json.loads(cc)),
        subject=subj,
        body=body,
        body_kind=kind,
        attachment_count=n_att,
        attachment_types=tuple(json.loads(att_types)),
        flags=tuple(json.loads(flags)),
        label=label,
    )


@dataclass(frozen=True)
class QuarantineRow:
    location: str
    reason: str
    detail: str
    size_bytes: int | None
    created_at: str


def quarantine_rows(store: Store, limit: int = 1000) -> list[QuarantineRow]:
    sql = "SELECT location, reason, detail, size_bytes, created_at FROM quarantine ORDER BY id LIMIT ?"
    return [QuarantineRow(*r) for r in store.execute(sql, (limit,))]


def project_stats(store: Store) -> dict:
    by_label = dict(store.execute("SELECT coalesce(label, ''), count(*) FROM messages GROUP BY 1").fetchall())
    unlabelled = by_label.pop("", 0)
    return {
        "messages": count_messages(store),
        "labelled": sum(by_label.values()),
        "unlabelled": unlabelled,
        "labels": dict(sorted(by_label.items())),
        "quarantined": int(store.scalar("SELECT count(*) FROM quarantine")),
        "quarantined_by_reason": dict(
            store.execute(
                "SELECT reason, count(*) FROM quarantine GROUP BY reason ORDER BY reason"
            ).fetchall()
        ),
        "sources": int(store.scalar("SELECT count(*) FROM sources")),
        "subjects": int(store.scalar("SELECT count(DISTINCT subject_key) FROM message_subjects")),
        "audit_entries": int(store.scalar("SELECT count(*) FROM audit_log")),
        "schema_version": store.schema_version,
    }
