"""The ``spans`` and ``analysis_state`` tables: PII spans per message field with their review status, and
the fingerprint of each message's last analysis."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from scrubdesk.core.db.messages import NOT_PURGED
from scrubdesk.core.db.rows import Connection, chunks, count, marks
from scrubdesk.core.spans import FIELDS, REDACTED_STATUSES, Span, StoredSpan

MANUAL = "manual"  # recognizer and analyzer_version of a span a person added


@dataclass(frozen=True, slots=True)
class SpanRecord:
    """A stored span with its row ID, so that it can be edited. Holds offsets only, never text."""

    id: int
    message_id: int
    field: str
    span: Span
    status: str
    analyzer_version: str

    @property
    def start(self) -> int:
        return self.span.start

    @property
    def end(self) -> int:
        return self.span.end

    @property
    def label(self) -> str:
        return self.span.label

    @property
    def redacted(self) -> bool:
        return self.status != "rejected"


_COLUMNS = 'id, message_id, field, start, "end", label, score, recognizer, status, analyzer_version'


def _record(cursor: Any) -> Iterator[SpanRecord]:
    names = [d[0] for d in cursor.description]
    for values in cursor:
        r = dict(zip(names, values, strict=True))
        span = Span(r["start"], r["end"], r["label"], r["score"], r["recognizer"])
        yield SpanRecord(r["id"], r["message_id"], r["field"], span, r["status"], r["analyzer_version"])


# --- reading ---------------------------------------------------------------------------------------------


def message_spans(conn: Connection, message_id: int, field: str | None = None) -> list[SpanRecord]:
    """The spans of a message (optionally one field), by field then position."""
    sql = f"SELECT {_COLUMNS} FROM spans WHERE message_id = ?"
    params: list[Any] = [message_id]
    if field is not None:
        sql += " AND field = ?"
        params.append(field)
    return list(_record(conn.execute(sql + ' ORDER BY field, start, "end", id', params)))


def spans_for_message(conn: Connection, message_id: int, field: str | None = None) -> list[StoredSpan]:
    return [
        StoredSpan(r.message_id, r.field, r.span, r.status, r.analyzer_version)
        for r in message_spans(conn, message_id, field)
    ]


def get_span(conn: Connection, span_id: int) -> SpanRecord | None:
    return next(_record(conn.execute(f"SELECT {_COLUMNS} FROM spans WHERE id = ?", (span_id,))), None)


def redacting_spans(conn: Connection, ids: Sequence[int]) -> dict[tuple[int, str], list[Span]]:
    """(message ID, field) -> the spans that redaction replaces (every status but rejected)."""
    found: dict[tuple[int, str], list[Span]] = {}
    for chunk in chunks(ids):
        rows = conn.execute(
            f'SELECT message_id, field, start, "end", label FROM spans WHERE message_id IN '
            f"({marks(len(chunk))}) AND status IN ({marks(len(REDACTED_STATUSES))})",
            [*chunk, *REDACTED_STATUSES],
        )
        for mid, fld, start, end, label in rows:
            found.setdefault((mid, fld), []).append(Span(start, end, label))
    return found


def redacting_subject_spans(conn: Connection, ids: Sequence[int]) -> dict[int, list[Span]]:
    """Message ID -> the subject's spans that redaction replaces."""
    return {mid: spans for (mid, fld), spans in redacting_spans(conn, ids).items() if fld == "subject"}


def suggestion_places(conn: Connection, message_id: int) -> set[tuple[str, int, int, str]]:
    """What the analyser suggests for a message: field, place and type (scores do not change a redaction)."""
    rows = conn.execute(
        "SELECT field, start, \"end\", label FROM spans WHERE message_id = ? AND status = 'suggested'",
        (message_id,),
    )
    return {(str(f), int(a), int(b), str(label)) for f, a, b, label in rows}


def count_for_messages(conn: Connection, ids: Sequence[int]) -> int:
    return sum(
        count(conn, f"SELECT count(*) FROM spans WHERE message_id IN ({marks(len(c))})", c)
        for c in chunks(ids)
    )


def count_all(conn: Connection) -> int:
    return count(conn, "SELECT count(*) FROM spans")


def span_counts(conn: Connection) -> dict[str, int]:
    """Span counts by label (suggested and accepted/added; rejected ones are not PII)."""
    rows = conn.execute(
        "SELECT label, count(*) FROM spans WHERE status != 'rejected' GROUP BY label ORDER BY label"
    )
    return {str(k): int(v) for k, v in rows}


def redacted_values(conn: Connection) -> Iterator[str]:
    """The text of every span redaction replaces, read out of its message (for privacy scans). Personal
    data: use in memory only."""
    rows = conn.execute(
        "SELECT substr(CASE s.field WHEN 'body' THEN m.body ELSE coalesce(m.subject, '') END, "
        f's.start + 1, s."end" - s.start) FROM spans s JOIN messages m ON m.id = s.message_id '
        f"WHERE s.status IN ({marks(len(REDACTED_STATUSES))})",
        REDACTED_STATUSES,
    )
    for (text,) in rows:
        yield str(text or "")


def span_texts_between(conn: Connection, shortest: int, longest: int) -> Iterator[tuple[int, str]]:
    """(message ID, span text) of every span (any status) of ``shortest``..``longest`` characters."""
    rows = conn.execute(
        "SELECT s.message_id, substr(CASE s.field WHEN 'body' THEN m.body ELSE m.subject END, "
        's.start + 1, s."end" - s.start) FROM spans s JOIN messages m ON m.id = s.message_id '
        'WHERE s."end" - s.start BETWEEN ? AND ?',
        (shortest, longest),
    )
    for mid, text in rows:
        yield int(mid), str(text or "")


def earlier_analyzer_versions(conn: Connection, version: str) -> list[str]:
    """Analyser versions this project was analysed with, other than ``version``: those its spans carry,
    and those its ``analyze`` audit entries name (a run whose suggestions all met decided spans leaves no
    span behind, yet its fingerprints are in ``analysis_state``)."""
    sql = (
        "SELECT analyzer_version FROM spans WHERE analyzer_version != ? UNION "
        "SELECT json_extract(details, '$.analyzer_version') AS v FROM audit_log "
        "WHERE action = 'analyze' AND v IS NOT NULL AND v != ?"
    )
    return [str(r[0]) for r in conn.execute(sql, (version, version))]


# --- writing (inside a transaction) ---------------------------------------------------------------------


def replace_suggestions(
    conn: Connection,
    message_id: int,
    field: str,
    spans: Sequence[Span],
    analyzer_version: str,
) -> None:
    """Replace the analyser's suggestions for one field; reviewed spans (accepted/rejected/added) stay.
    A new suggestion that overlaps a reviewed span is not stored: the reviewer's decision stands.
    """
    if field not in FIELDS:
        raise ValueError(f"unknown field {field!r}")
    conn.execute(
        "DELETE FROM spans WHERE message_id = ? AND field = ? AND status = 'suggested'", (message_id, field)
    )
    reviewed = [
        (r[0], r[1])
        for r in conn.execute(
            'SELECT start, "end" FROM spans WHERE message_id = ? AND field = ?', (message_id, field)
        )
    ]
    rows = [
        (message_id, field, s.start, s.end, s.label, s.score, s.recognizer, "suggested", analyzer_version)
        for s in spans
        if not any(s.start < end and start < s.end for start, end in reviewed)
    ]
    conn.executemany(
        'INSERT INTO spans (message_id, field, start, "end", label, score, recognizer, status, '
        "analyzer_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def set_status(conn: Connection, span_id: int, status: str, label: str) -> None:
    conn.execute("UPDATE spans SET status = ?, label = ? WHERE id = ?", (status, label, span_id))


def insert_added(conn: Connection, message_id: int, field: str, *, start: int, end: int, label: str) -> int:
    """A span a person marked (status ``added``); returns its ID."""
    cur = conn.execute(
        'INSERT INTO spans (message_id, field, start, "end", label, score, recognizer, status, '
        "analyzer_version) VALUES (?, ?, ?, ?, ?, 1.0, ?, 'added', ?)",
        (message_id, field, start, end, label, MANUAL, MANUAL),
    )
    return int(cur.lastrowid or 0)


# --- undecided suggestions (the approval rule: every suggestion decided, or accepted in one counted step) --


def count_undecided(conn: Connection, message_id: int) -> int:
    """Suggestions of a message nobody accepted or rejected yet."""
    return count(
        conn, "SELECT count(*) FROM spans WHERE message_id = ? AND status = 'suggested'", (message_id,)
    )


def accept_suggestions(conn: Connection, message_id: int) -> int:
    """Accept every undecided suggestion of a message; returns how many."""
    cur = conn.execute(
        "UPDATE spans SET status = 'accepted' WHERE message_id = ? AND status = 'suggested'", (message_id,)
    )
    return max(cur.rowcount, 0)


def delete_spans(conn: Connection, span_ids: Sequence[int]) -> None:
    for chunk in chunks(span_ids):
        conn.execute(f"DELETE FROM spans WHERE id IN ({marks(len(chunk))})", chunk)


# --- analysis state --------------------------------------------------------------------------------------


def is_analysed(conn: Connection, message_id: int) -> bool:
    row = conn.execute("SELECT 1 FROM analysis_state WHERE message_id = ?", (message_id,)).fetchone()
    return row is not None


def fingerprint_of(conn: Connection, message_id: int) -> str | None:
    row = conn.execute(
        "SELECT fingerprint FROM analysis_state WHERE message_id = ?", (message_id,)
    ).fetchone()
    return None if row is None else str(row[0])


def fingerprints_after(conn: Connection, last_id: int, limit: int) -> dict[int, str | None]:
    """Message ID -> its analysis fingerprint (None: never analysed) for the next ``limit`` messages."""
    rows = conn.execute(
        "SELECT m.id, a.fingerprint FROM messages m LEFT JOIN analysis_state a ON a.message_id = m.id "
        "WHERE m.id > ? ORDER BY m.id LIMIT ?",
        (last_id, limit),
    )
    return {int(i): f for i, f in rows}


def record_analysis(
    conn: Connection,
    message_id: int,
    fingerprint: str,
    at: str,
    *,
    language: str | None = None,
    language_supported: bool = True,
) -> None:
    conn.execute(
        "INSERT INTO analysis_state (message_id, fingerprint, analyzed_at, language, language_supported) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(message_id) DO UPDATE SET fingerprint = excluded.fingerprint, "
        "analyzed_at = excluded.analyzed_at, language = excluded.language, "
        "language_supported = excluded.language_supported",
        (message_id, fingerprint, at, language, int(language_supported)),
    )


def count_language_unsupported(conn: Connection) -> int:
    """Analysed messages in a language the analyser does not read: they need review by hand."""
    return count(conn, "SELECT count(*) FROM analysis_state WHERE language_supported = 0")


def language_unsupported_ids(conn: Connection) -> set[int]:
    return {
        int(r[0]) for r in conn.execute("SELECT message_id FROM analysis_state WHERE language_supported = 0")
    }


def count_analysed(conn: Connection) -> int:
    return count(conn, "SELECT count(*) FROM analysis_state")


def analysed_unlabelled_ids(conn: Connection) -> list[int]:
    """Analysed, unpurged messages without a label, by ID."""
    rows = conn.execute(
        "SELECT m.id FROM messages m JOIN analysis_state a ON a.message_id = m.id "
        f"WHERE {NOT_PURGED} AND (m.label IS NULL OR m.label = '') ORDER BY m.id"
    )
    return [int(r[0]) for r in rows]


def insert_suggestions(conn: Connection, rows: Sequence[tuple[int, str, Span]], analyzer_version: str) -> int:
    """Bulk insert of analyser suggestions (message ID, field, span) with no overlap checks: for generated
    projects (benchmarks), where nothing was reviewed yet. Returns how many."""
    conn.executemany(
        'INSERT INTO spans (message_id, field, start, "end", label, score, recognizer, status, '
        "analyzer_version) VALUES (?, ?, ?, ?, ?, ?, ?, 'suggested', ?)",
        [
            (mid, fld, s.start, s.end, s.label, s.score, s.recognizer, analyzer_version)
            for mid, fld, s in rows
        ],
    )
    return len(rows)


def record_analyses(conn: Connection, states: Sequence[tuple[int, str]], at: str) -> None:
    """Bulk :func:`record_analysis` of (message ID, fingerprint) pairs."""
    for message_id, fingerprint in states:
        record_analysis(conn, message_id, fingerprint, at)


def span_values(
    conn: Connection, message_ids: Sequence[int], labels: Sequence[str]
) -> list[tuple[int, str, str]]:
    """(message ID, label, text) of every span with one of ``labels`` (not rejected) in ``message_ids``.
    Personal data: use in memory only."""
    found: list[tuple[int, str, str]] = []
    for chunk in chunks(message_ids):
        rows = conn.execute(
            "SELECT s.message_id, s.label, substr(CASE s.field WHEN 'body' THEN m.body "
            "ELSE coalesce(m.subject, '') END, s.start + 1, s.\"end\" - s.start) "
            "FROM spans s JOIN messages m ON m.id = s.message_id "
            f"WHERE s.message_id IN ({marks(len(chunk))}) AND s.label IN ({marks(len(labels))}) "
            "AND s.status != 'rejected'",
            [*chunk, *labels],
        )
        found += [(int(mid), str(label), str(text or "")) for mid, label, text in rows]
    return found
