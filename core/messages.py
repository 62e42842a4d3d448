"""Read access to stored messages, shaped for a virtualised list and a message view."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from scrubdesk.core.store import Store

SORT_COLUMNS = {"imported": "id", "sent_at": "sent_at", "subject": "subject", "label": "label"}


@dataclass(frozen=True)
class MessageRow:
    """What one line of the message list shows."""

    id: int
    msg_key: str
    sent_at: str | None
    from_addr: str | None
    subject: str | None
    label: str | None
    attachment_count: int

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


def message_ids(store: Store, sort: str = "imported", descending: bool = False) -> list[int]:
    """All message row IDs in display order. 100k ints is ~1 MB: cheap, and it makes paging exact."""
    column = SORT_COLUMNS[sort]
    direction = "DESC" if descending else "ASC"
    sql = f"SELECT id FROM messages ORDER BY {column} {direction}, id {direction}"
    return [r[0] for r in store.execute(sql)]


def rows_by_ids(store: Store, ids: Sequence[int]) -> dict[int, MessageRow]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    sql = (
        "SELECT id, msg_key, sent_at, from_addr, subject, label, attachment_count FROM messages "
        f"WHERE id IN ({marks})"
    )
    return {r[0]: MessageRow(*r) for r in store.execute(sql, list(ids))}


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
