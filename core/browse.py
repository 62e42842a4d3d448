"""Browsing messages without an export: the list (keyed IDs, dates, labels, states, PII counts; never
text) and one message's text, scrubbed by default.

The list shows the caller's own queue first ("my queue": messages assigned to them, not labelled yet).
For a message labelled independently by several annotators, ``label`` stays empty until they agree or a
reviewer decides, and ``my_label`` is the caller's own: nobody sees another annotator's label here.
Raw text is shown only to roles allowed to read it (:func:`scrubdesk.core.review.check_raw_view`), and
each raw view is audit-logged before it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scrubdesk.core.assignments import my_queue, queue_first
from scrubdesk.core.audit_log import current_os_user
from scrubdesk.core.db import annotations as annotation_rows
from scrubdesk.core.db import label_reviews as review_rows
from scrubdesk.core.db import messages
from scrubdesk.core.db import spans as span_rows
from scrubdesk.core.db import splits as split_rows
from scrubdesk.core.db.messages import MessageFilter
from scrubdesk.core.errors import InputError
from scrubdesk.core.project import Project
from scrubdesk.core.review import record_raw_view
from scrubdesk.core.roles import ROLES, require_role
from scrubdesk.core.scrubbing import project_redactor, scrubbed_fields
from scrubdesk.core.store import Store

MIN_KEY_PREFIX = 8


@dataclass(frozen=True)
class ListedMessage:
    """One line of ``scrubdesk messages list``: never any text."""

    msg_key: str
    date: str | None  # the day it was sent (UTC), when known
    label: str | None
    my_label: str | None  # the caller's own label
    suggestion: str | None
    confidence: float | None
    review: str  # redaction review state (see scrubdesk.core.db.messages.REVIEW_STATES)
    pii_count: int
    in_my_queue: bool
    label_review: str | None  # the reason of an open label review
    held_out: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "msg_key": self.msg_key,
            "date": self.date,
            "label": self.label,
            "my_label": self.my_label,
            "suggestion": self.suggestion,
            "confidence": None if self.confidence is None else round(self.confidence, 4),
            "review": self.review,
            "pii_count": self.pii_count,
            "in_my_queue": self.in_my_queue,
            "label_review": self.label_review,
            "held_out": self.held_out,
        }


@dataclass(frozen=True)
class MessagePage:
    rows: list[ListedMessage]
    total: int  # matching messages
    my_queue: int  # of those, waiting for the caller


def list_messages(
    store: Store,
    where: MessageFilter = messages.ALL,
    *,
    mine: bool = False,
    limit: int = 200,
    offset: int = 0,
    sort: str = "imported",
) -> MessagePage:
    """A page of the message list (any role), the caller's queue first; ``mine``: only their queue.
    ``limit`` 0: every matching message."""
    require_role(store, ROLES, "listing messages")
    if sort not in messages.SORT_COLUMNS:
        raise InputError(f"unknown sort {sort!r}; known: {', '.join(messages.SORT_COLUMNS)}")
    if limit < 0 or offset < 0:
        raise InputError("the limit and the offset must not be negative")
    ids = messages.message_ids(store, sort, False, where)
    queue = my_queue(store)
    waiting = set(queue) & set(ids)
    ordered = [i for i in queue if i in waiting] if mine else queue_first(ids, queue)
    page = ordered[offset : offset + limit] if limit else ordered[offset:]
    found = messages.rows_by_ids(store, page)
    own = annotation_rows.own_labels(store, current_os_user(), page)
    reviews = review_rows.open_reasons(store, page)
    held_out = split_rows.test_ids(store)
    rows = [
        ListedMessage(
            msg_key=r.msg_key,
            date=r.sent_at[:10] if r.sent_at else None,
            label=r.label or None,
            my_label=own.get(mid),
            suggestion=r.suggestion,
            confidence=r.confidence,
            review=r.review,
            pii_count=r.pii_count,
            in_my_queue=mid in waiting,
            label_review=reviews.get(mid),
            held_out=mid in held_out,
        )
        for mid in page
        if (r := found.get(mid)) is not None
    ]
    return MessagePage(rows, len(ordered), len(waiting))


def find_message(store: Store, key: str) -> tuple[int, str]:
    """(id, msg_key) of the message with this keyed ID, or with a unique prefix of it (8+ characters)."""
    key = key.strip()
    exact = messages.id_of_key(store, key)
    if exact is not None:
        return exact, key
    if len(key) < MIN_KEY_PREFIX:
        raise InputError(
            f"no message has the key {key!r} (a shortened key needs {MIN_KEY_PREFIX}+ characters)"
        )
    found = messages.ids_with_key_prefix(store, key)
    if not found:
        raise InputError(f"no message key starts with {key!r}")
    if len(found) > 1:
        raise InputError(f"more than one message key starts with {key!r}: give more of it")
    return found[0]


@dataclass(frozen=True)
class ShownMessage:
    """One message's text as the caller may see it. Holds personal data when ``raw``: never log it."""

    msg_key: str
    raw: bool
    subject: str
    body: str
    label: str | None
    my_label: str | None
    date: str | None

    def __repr__(self) -> str:
        return f"ShownMessage(msg_key={self.msg_key!r}, raw={self.raw})"


def show_message(project: Project, store: Store, key: str, *, raw: bool = False) -> ShownMessage:
    """The scrubbed subject and body of a message (any role); raw ones only for roles allowed to read raw
    text, audit-logged as a raw view before they are returned."""
    require_role(store, ROLES, "reading messages")
    message_id, msg_key = find_message(store, key)
    if messages.is_purged(store, message_id):
        raise InputError(f"message {msg_key} was purged: only its key and label are left")
    own = annotation_rows.own_labels(store, current_os_user(), [message_id]).get(message_id)
    if raw:
        record_raw_view(project, store, message_id)  # refuses (logging nothing) a role that may not
        full = messages.get_message(store, message_id)
        assert full is not None
        subject, body, label, sent = full.subject or "", full.body, full.label, full.sent_at
    else:
        if not span_rows.is_analysed(store, message_id):
            raise InputError(
                f"message {msg_key} has not been analysed, so it has no scrubbed text yet: run "
                "`scrubdesk analyze DIR` (a role allowed to read raw text may add --raw)"
            )
        subject, body = scrubbed_fields(store, project_redactor(project, store), message_id)
        row = messages.rows_by_ids(store, [message_id])[message_id]
        label, sent = row.label, row.sent_at
    return ShownMessage(msg_key, raw, subject, body, label or None, own, sent[:10] if sent else None)
