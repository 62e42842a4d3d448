"""Reads for the triage model's privacy rules (issue 16): each message's sender, the header identifiers of
the people in the training messages, and which analyser versions scrubbed them. The gateway of these
reads of ``message_subjects``, ``messages`` (headers) and ``spans``; the rules are in
:mod:`scrubdesk.core.training_subjects`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from scrubdesk.core.db.rows import Connection, chunks, marks


def sender_keys(conn: Connection, message_ids: Sequence[int]) -> dict[int, str]:
    """message ID -> its ``from`` subject key, for the messages that have one."""
    found: dict[int, str] = {}
    for chunk in chunks(list(message_ids)):
        rows = conn.execute(
            f"SELECT message_id, min(subject_key) FROM message_subjects WHERE role = 'from' "
            f"AND message_id IN ({marks(len(chunk))}) GROUP BY message_id",
            chunk,
        )
        found.update((int(mid), str(key)) for mid, key in rows)
    return found


def header_people(conn: Connection, message_ids: Sequence[int]) -> Iterator[tuple[str, str, str, str]]:
    """(from_name, from_addr, to_addrs JSON, cc_addrs JSON) of each message; '' for missing values."""
    for chunk in chunks(list(message_ids)):
        yield from conn.execute(
            f"SELECT coalesce(from_name, ''), coalesce(from_addr, ''), coalesce(to_addrs, '[]'), "
            f"coalesce(cc_addrs, '[]') FROM messages WHERE id IN ({marks(len(chunk))})",
            chunk,
        )


def analyzer_versions(conn: Connection, message_ids: Sequence[int]) -> dict[str, int]:
    """How many of these messages each analyser version analysed (from their spans; people's own spans,
    ``manual``, left out)."""
    counts: dict[str, int] = {}
    for chunk in chunks(list(message_ids)):
        rows = conn.execute(
            f"SELECT analyzer_version, count(DISTINCT message_id) FROM spans WHERE message_id IN "
            f"({marks(len(chunk))}) AND analyzer_version != 'manual' GROUP BY analyzer_version",
            chunk,
        )
        for version, n in rows:
            counts[str(version)] = counts.get(str(version), 0) + int(n)
    return counts
