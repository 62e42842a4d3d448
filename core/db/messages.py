"""The ``messages`` table (and ``message_subjects``): reads for the message list, the message view, jobs
and reports. Rows map by column name into frozen dataclasses.

Rules about stored state live here once: a *purged* message keeps only its key and label
(:data:`NOT_PURGED`), a message *needs review* when it was submitted or its approval is for an older
analysis (:data:`NEEDS_REVIEW_SQL`), a message is left for review *by hand* when the analyser cannot vouch
for it (:data:`BY_HAND_SQL`).
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from scrubdesk.core.db.rows import Connection, chunks, count, mapped, marks, one_dict
from scrubdesk.core.ingest.records import NEEDS_REVIEW_FLAGS
from scrubdesk.core.spans import REDACTED_STATUSES, Span

# Sort keys of the message list -> ORDER BY expression (ascending). ``uncertainty`` ascending puts the
# messages the model is least sure about first (ascending certainty); messages without a suggestion last.
SORT_COLUMNS = {
    "imported": "m.id",
    "sent_at": "m.sent_at",
    "subject": "m.subject",
    "label": "m.label",
    "uncertainty": "p.uncertainty",
}
NOT_PURGED = "m.purged_at IS NULL"  # a purged message has no text left: never trained on, never searched
LABELLED = "m.label > ''"  # the label index answers this without reading the table

# Review states a list row can show (see :func:`review_status`).
REVIEW_STATES = ("not_analysed", "unreviewed", "pending", "approved", "stale", "sent_back")
# Awaiting a reviewer: submitted, or approved for an analysis that has changed since.
# Needs review work: awaiting approval (pending, or approved for an analysis since changed), or sent
# back by a reviewer for the annotators to fix.
NEEDS_REVIEW_SQL = (
    "SELECT r.message_id FROM reviews r LEFT JOIN analysis_state a ON a.message_id = r.message_id "
    "WHERE r.status IN ('pending', 'sent_back') "
    "OR (r.status = 'approved' AND r.fingerprint IS NOT a.fingerprint)"
)
SENT_BACK_SQL = "SELECT message_id FROM reviews WHERE status = 'sent_back'"


def flagged_sql(flags: Collection[str]) -> str:
    """A condition on ``m.flags`` (a JSON list of flag names): the message carries any of ``flags``."""
    names = [json.dumps(f) for f in sorted(flags)]  # each flag as it appears inside the JSON list
    return "(" + " OR ".join(f"instr(m.flags, '{n}') > 0" for n in names) + ")" if names else "0"


# Analysed messages that approve-all leaves for a person and nobody has approved yet: the analyser does not
# support their language, or their body could not be decoded (core.ingest.records.NEEDS_REVIEW_FLAGS).
BY_HAND_SQL = (
    "SELECT a.message_id FROM analysis_state a LEFT JOIN reviews r ON r.message_id = a.message_id "
    "WHERE a.message_id IN (SELECT message_id FROM analysis_state WHERE language_supported = 0 "
    f"UNION SELECT m.id FROM messages m WHERE {flagged_sql(NEEDS_REVIEW_FLAGS)}) "
    "AND (r.message_id IS NULL OR r.status != 'approved' OR r.fingerprint IS NOT a.fingerprint)"
)


def count_by_hand(conn: Connection) -> int:
    """How many messages wait for review by hand (:data:`BY_HAND_SQL`)."""
    return count(conn, f"SELECT count(*) FROM ({BY_HAND_SQL})")


def by_hand_among(conn: Connection, message_ids: Sequence[int]) -> set[int]:
    """Which of ``message_ids`` wait for review by hand."""
    found: set[int] = set()
    for chunk in chunks(list(message_ids)):
        sql = f"SELECT message_id FROM ({BY_HAND_SQL}) WHERE message_id IN ({marks(len(chunk))})"
        found.update(r[0] for r in conn.execute(sql, chunk))
    return found


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


def count_messages(conn: Connection) -> int:
    return count(conn, "SELECT count(*) FROM messages")


def count_purged(conn: Connection) -> int:
    return count(conn, "SELECT count(*) FROM messages m WHERE NOT (m.purged_at IS NULL)")


def count_unpurged(conn: Connection) -> int:
    return count(conn, f"SELECT count(*) FROM messages m WHERE {NOT_PURGED}")


def last_purge(conn: Connection) -> str | None:
    value = conn.execute("SELECT max(purged_at) FROM messages").fetchone()[0]
    return None if value is None else str(value)


def count_labelled(conn: Connection) -> int:
    return count(conn, f"SELECT count(*) FROM messages m WHERE {LABELLED}")


@dataclass(frozen=True)
class MessageFilter:
    """Which messages the list shows; every condition given must hold.

    ``state``: all | unlabelled | labelled | needs_review (awaiting approval or sent back) | sent_back |
    by_hand (left by approve-all for a person: another language, or an undecodable body).
    ``label``: only messages with this label.
    ``pii_type``: only messages with a span of this entity type that nobody rejected.
    """

    state: str = "all"
    label: str | None = None
    pii_type: str | None = None

    STATES = ("all", "unlabelled", "labelled", "needs_review", "sent_back", "by_hand")

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
        elif self.state == "sent_back":
            terms.append(f"m.id IN ({SENT_BACK_SQL})")
        elif self.state == "by_hand":
            terms.append(f"m.id IN ({BY_HAND_SQL})")
        if self.label is not None:
            terms.append("m.label = ?")
            params.append(self.label)
        if self.pii_type is not None:
            terms.append("m.id IN (SELECT message_id FROM spans WHERE label = ? AND status != 'rejected')")
            params.append(self.pii_type)
        return (f"WHERE {' AND '.join(terms)}" if terms else ""), params

    def id_set(self, conn: Connection) -> set[int] | None:
        """The matching IDs, each condition answered from an index (no pass over the message table, which
        holds the bodies); None when there is no condition."""
        queries: list[tuple[str, tuple[Any, ...]]] = []
        if self.state == "unlabelled":
            queries.append(("SELECT id FROM messages WHERE label IS NULL OR label = ''", ()))
        elif self.state == "labelled":
            queries.append(("SELECT id FROM messages WHERE label > ''", ()))
        elif self.state == "needs_review":
            queries.append((NEEDS_REVIEW_SQL, ()))
        elif self.state == "sent_back":
            queries.append((SENT_BACK_SQL, ()))
        elif self.state == "by_hand":
            queries.append((BY_HAND_SQL, ()))
        if self.label is not None:
            queries.append(("SELECT id FROM messages WHERE label = ?", (self.label,)))
        if self.pii_type is not None:
            queries.append(
                ("SELECT message_id FROM spans WHERE label = ? AND status != 'rejected'", (self.pii_type,))
            )
        found: set[int] | None = None
        for sql, params in queries:
            ids = {r[0] for r in conn.execute(sql, params)}
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
    conn: Connection, sort: str = "imported", descending: bool = False, where: MessageFilter = ALL
) -> list[int]:
    """Message row IDs in display order. 100k ints is ~1 MB: cheap, and it makes paging exact.

    Import order is sorted here, from IDs read off indexes: an ORDER BY id would read the whole message
    table (every body) to list 100k IDs, ~20 times slower."""
    column = SORT_COLUMNS[sort]
    if sort == "imported":
        ids = where.id_set(conn)
        if ids is None:  # the smallest covering index, not the table
            ids = {r[0] for r in conn.execute("SELECT id FROM messages")}
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
    return [r[0] for r in conn.execute(sql, params)]


def all_ids(conn: Connection) -> list[int]:
    """Every message ID, ascending (read off the smallest index)."""
    return sorted(r[0] for r in conn.execute("SELECT id FROM messages"))


def labelled_ids(conn: Connection) -> set[int]:
    """IDs of every labelled message (read from the label index, not the table)."""
    return {r[0] for r in conn.execute("SELECT id FROM messages WHERE label > ''")}


def review_status(analysed: bool, status: str | None, current: bool) -> str:
    """One of :data:`REVIEW_STATES` from the analysis and review rows of a message."""
    if status == "approved":
        return "approved" if current else "stale"
    if status in ("pending", "sent_back"):
        return status
    return "unreviewed" if analysed else "not_analysed"


def rows_by_ids(conn: Connection, ids: Sequence[int]) -> dict[int, MessageRow]:
    """List rows for ``ids`` (two queries, whatever the count; keep ``ids`` to a page)."""
    if not ids:
        return {}
    subject_spans: dict[int, list[Span]] = {}
    span_rows = conn.execute(
        f'SELECT message_id, start, "end", label, score, recognizer FROM spans WHERE message_id IN '
        f"({marks(len(ids))}) AND field = 'subject' AND status IN ({marks(len(REDACTED_STATUSES))})",
        [*ids, *REDACTED_STATUSES],
    )
    for mid, start, end, label, score, recognizer in span_rows:
        subject_spans.setdefault(mid, []).append(Span(start, end, label, score, recognizer))
    sql = (
        "SELECT m.id, m.msg_key, m.sent_at, m.from_addr, m.subject, m.label, m.attachment_count, "
        "p.label AS suggestion, p.confidence, p.uncertainty, a.message_id IS NOT NULL AS analysed, "
        "r.status AS review_status, r.fingerprint IS a.fingerprint AS review_current, "
        "(SELECT count(*) FROM spans s WHERE s.message_id = m.id AND s.status != 'rejected') AS pii_count "
        "FROM messages m LEFT JOIN predictions p ON p.message_id = m.id "
        "LEFT JOIN analysis_state a ON a.message_id = m.id LEFT JOIN reviews r ON r.message_id = m.id "
        f"WHERE m.id IN ({marks(len(ids))})"
    )
    found: dict[int, MessageRow] = {}
    cursor = conn.execute(sql, list(ids))
    names = [d[0] for d in cursor.description]
    for values in cursor:
        r = dict(zip(names, values, strict=True))
        analysed, status, current = r.pop("analysed"), r.pop("review_status"), r.pop("review_current")
        found[r["id"]] = MessageRow(
            **r,
            review=review_status(bool(analysed), status, bool(current)),
            subject_spans=tuple(sorted(subject_spans.get(r["id"], ()))),
        )
    return found


def pii_types(conn: Connection) -> list[str]:
    """Entity types that some message has a span of (not rejected), for the list's filter."""
    rows = conn.execute(
        "WITH RECURSIVE types(label) AS (SELECT min(label) FROM spans UNION ALL "
        "SELECT (SELECT min(label) FROM spans WHERE label > types.label) FROM types "
        "WHERE types.label IS NOT NULL) "
        "SELECT label FROM types WHERE label IS NOT NULL AND EXISTS "
        "(SELECT 1 FROM spans s WHERE s.label = types.label AND s.status != 'rejected') ORDER BY label"
    )  # each distinct type by one seek on the label index (a DISTINCT walks all of it: 0.35 s for
    # 5M spans), then one probe each: no pass over every span
    return [str(r[0]) for r in rows]


@dataclass(frozen=True)
class MessageText:
    """The analysable text of one message. Holds personal data: never log it."""

    id: int
    msg_key: str
    subject: str
    body: str
    label: str | None

    def __repr__(self) -> str:
        return f"MessageText(id={self.id}, msg_key={self.msg_key!r})"


def texts(conn: Connection, ids: Sequence[int]) -> Iterator[MessageText]:
    """Subject and body of ``ids`` (in chunks, any order)."""
    for chunk in chunks(ids):
        yield from mapped(
            conn.execute(
                "SELECT id, msg_key, coalesce(subject, '') AS subject, body, label FROM messages "
                f"WHERE id IN ({marks(len(chunk))})",
                chunk,
            ),
            MessageText,
        )


def text_of(conn: Connection, message_id: int) -> MessageText | None:
    return next(texts(conn, [message_id]), None)


def field_text(conn: Connection, message_id: int, field_name: str) -> str | None:
    """The text of one field ('body' or 'subject'; '' for no subject) or None without such a message."""
    column = {"body": "body", "subject": "coalesce(subject, '')"}[field_name]
    row = conn.execute(f"SELECT {column} FROM messages WHERE id = ?", (message_id,)).fetchone()
    return None if row is None else str(row[0])


@dataclass(frozen=True)
class KeyState:
    msg_key: str
    purged: bool


def key_state(conn: Connection, message_id: int) -> KeyState | None:
    """A message's keyed ID and whether it was purged; None when there is no such message."""
    row = conn.execute("SELECT msg_key, purged_at FROM messages WHERE id = ?", (message_id,)).fetchone()
    return None if row is None else KeyState(str(row[0]), row[1] is not None)


def keys_of(conn: Connection, ids: Sequence[int]) -> list[str]:
    """The keyed IDs of ``ids`` (in chunks; the order of the rows found)."""
    found: list[str] = []
    for chunk in chunks(ids):
        sql = f"SELECT msg_key FROM messages WHERE id IN ({marks(len(chunk))})"
        found += [str(r[0]) for r in conn.execute(sql, chunk)]
    return found


def id_of_key(conn: Connection, msg_key: str) -> int | None:
    row = conn.execute("SELECT id FROM messages WHERE msg_key = ?", (msg_key,)).fetchone()
    return None if row is None else int(row[0])


def ids_by_key(conn: Connection) -> dict[str, int]:
    return {str(k): int(i) for k, i in conn.execute("SELECT msg_key, id FROM messages")}


def keys_and_ids(conn: Connection) -> list[tuple[int, str]]:
    """(id, msg_key) of every message, by ID."""
    return [(int(i), str(k)) for i, k in conn.execute("SELECT id, msg_key FROM messages ORDER BY id")]


def get_message(conn: Connection, message_id: int) -> Message | None:
    row = one_dict(
        conn.execute(
            "SELECT id, msg_key, source_location, sent_at, from_name, from_addr, to_addrs, cc_addrs, "
            "subject, body, body_kind, attachment_count, attachment_types, flags, label "
            "FROM messages WHERE id = ?",
            (message_id,),
        )
    )
    if row is None:
        return None
    for name in ("to_addrs", "cc_addrs", "attachment_types", "flags"):
        row[name] = tuple(json.loads(row[name]))
    return Message(**row)


@dataclass(frozen=True)
class HeaderFields:
    """What an analysis or a search reads besides the text: sender and recipients. Personal data."""

    id: int
    subject: str
    body: str
    from_name: str | None
    from_addr: str | None
    to_addrs: str  # JSON list, as stored
    cc_addrs: str

    def __repr__(self) -> str:
        return f"HeaderFields(id={self.id})"


def with_headers_after(conn: Connection, last_id: int, limit: int) -> list[HeaderFields]:
    """The next ``limit`` messages after ``last_id`` with text and headers, by ID (for paged jobs)."""
    return list(
        mapped(
            conn.execute(
                "SELECT id, coalesce(subject, '') AS subject, body, from_name, from_addr, to_addrs, cc_addrs "
                "FROM messages WHERE id > ? ORDER BY id LIMIT ?",
                (last_id, limit),
            ),
            HeaderFields,
        )
    )


def every_with_headers(conn: Connection) -> Iterator[HeaderFields]:
    """Every message's text and headers (streamed, in storage order)."""
    return mapped(
        conn.execute(
            "SELECT id, coalesce(subject, '') AS subject, body, from_name, from_addr, to_addrs, cc_addrs "
            "FROM messages"
        ),
        HeaderFields,
    )


def subject_message_ids(conn: Connection, subject_key: str, role: str | None = None) -> set[int]:
    """Messages linked to a keyed data-subject ID (optionally in one role: from, to, cc)."""
    sql = "SELECT DISTINCT message_id FROM message_subjects WHERE subject_key = ?"
    params: list[Any] = [subject_key]
    if role is not None:
        sql += " AND role = ?"
        params.append(role)
    return {int(r[0]) for r in conn.execute(sql, params)}


def count_subjects(conn: Connection) -> int:
    return count(conn, "SELECT count(DISTINCT subject_key) FROM message_subjects")


def label_counts_with_empty(conn: Connection) -> dict[str, int]:
    """Messages per label, '' for unlabelled."""
    return {
        str(k): int(n)
        for k, n in conn.execute("SELECT coalesce(label, ''), count(*) FROM messages GROUP BY 1").fetchall()
    }


def first_id(conn: Connection) -> int | None:
    row = conn.execute("SELECT min(id) FROM messages").fetchone()
    return None if row is None or row[0] is None else int(row[0])


def labelled_sample(conn: Connection, limit: int) -> list[tuple[int, str, str | None]]:
    """(id, label, label_source) of the first ``limit`` labelled messages, by ID."""
    rows = conn.execute(
        "SELECT id, label, label_source FROM messages WHERE label IS NOT NULL AND label != '' "
        "ORDER BY id LIMIT ?",
        (limit,),
    )
    return [(int(i), str(label), source) for i, label, source in rows]


def labels_and_sources(conn: Connection, ids: Sequence[int]) -> list[tuple[int, str | None, str | None]]:
    """(id, label, label_source) of ``ids``, by ID."""
    rows = conn.execute(
        f"SELECT id, label, label_source FROM messages WHERE id IN ({marks(len(ids))}) ORDER BY id", list(ids)
    )
    return [(int(i), label, source) for i, label, source in rows]


def first_labelled_sender(conn: Connection) -> str | None:
    """The sender address of the first labelled message that has one."""
    row = conn.execute(
        "SELECT from_addr FROM messages WHERE label IS NOT NULL AND from_addr IS NOT NULL ORDER BY id LIMIT 1"
    ).fetchone()
    return None if row is None else str(row[0])


def most_frequent_sender(conn: Connection) -> str | None:
    row = conn.execute(
        "SELECT from_addr FROM messages WHERE from_addr IS NOT NULL "
        "GROUP BY from_addr ORDER BY count(*) DESC, from_addr LIMIT 1"
    ).fetchone()
    return None if row is None else str(row[0])


def richest_labelled_message(conn: Connection, max_body_chars: int) -> int | None:
    """A labelled message whose body has the most kinds of PII and at most ``max_body_chars``."""
    row = conn.execute(
        "SELECT s.message_id FROM spans s JOIN messages m ON m.id = s.message_id "
        "WHERE s.field = 'body' AND s.status != 'rejected' AND m.label IS NOT NULL AND length(m.body) < ? "
        "GROUP BY s.message_id ORDER BY count(DISTINCT s.label) DESC, s.message_id LIMIT 1",
        (max_body_chars,),
    ).fetchone()
    return None if row is None else int(row[0])


def headers_of(conn: Connection, ids: Sequence[int]) -> list[HeaderFields]:
    """Text and headers of ``ids`` (in chunks, any order)."""
    found: list[HeaderFields] = []
    for chunk in chunks(ids):
        found += mapped(
            conn.execute(
                "SELECT id, coalesce(subject, '') AS subject, body, from_name, from_addr, to_addrs, cc_addrs "
                f"FROM messages WHERE id IN ({marks(len(chunk))})",
                chunk,
            ),
            HeaderFields,
        )
    return found


def ids_for_keys(conn: Connection, msg_keys: Sequence[str]) -> dict[str, int]:
    """Keyed ID -> row ID for the ``msg_keys`` that are in the project."""
    found: dict[str, int] = {}
    for chunk in chunks(msg_keys):
        rows = conn.execute(f"SELECT msg_key, id FROM messages WHERE msg_key IN ({marks(len(chunk))})", chunk)
        found.update((str(k), int(i)) for k, i in rows)
    return found


def ids_with_key_prefix(conn: Connection, prefix: str, limit: int = 2) -> list[tuple[int, str]]:
    """(id, msg_key) of up to ``limit`` messages whose keyed ID starts with ``prefix`` (off the key index)."""
    rows = conn.execute(
        "SELECT id, msg_key FROM messages WHERE msg_key >= ? AND msg_key < ? ORDER BY msg_key LIMIT ?",
        (prefix, prefix + "\U0010ffff", limit),
    )
    return [(int(i), str(k)) for i, k in rows]


def is_purged(conn: Connection, message_id: int) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM messages WHERE id = ? AND purged_at IS NOT NULL", (message_id,)
        ).fetchone()
        is not None
    )
