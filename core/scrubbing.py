"""The scrubbed text of a message: what every stage after review sees, and the only text a model trains on.

Spans that a person accepted or added, and the analyser's suggestions that nobody rejected, are replaced
with the project's redaction policy (default ``<LABEL>`` placeholders) in the subject and the body.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from scrubdesk.core.errors import InputError
from scrubdesk.core.project import Project
from scrubdesk.core.redaction import SETTING_KEY, Keyer, RedactionPolicy, Redactor
from scrubdesk.core.review import APPROVED_SQL
from scrubdesk.core.spans import Span
from scrubdesk.core.store import Store

REDACTED_STATUSES = ("suggested", "accepted", "added")


@dataclass(frozen=True)
class ScrubbedMessage:
    """One message's scrubbed text and label. The text still needs care: never log it."""

    message_id: int
    msg_key: str
    text: str
    label: str | None

    def __repr__(self) -> str:
        return f"ScrubbedMessage(message_id={self.message_id}, msg_key={self.msg_key!r})"


def redaction_policy(store: Store) -> RedactionPolicy:
    value = store.scalar("SELECT value FROM settings WHERE key = ?", (SETTING_KEY,))
    return RedactionPolicy.from_setting(json.loads(value) if value else None)


def project_redactor(project: Project, store: Store) -> Redactor:
    return Redactor(redaction_policy(store), Keyer(project.keys.id_key))


def join_fields(subject: str, body: str) -> str:
    """How subject and body become one training text (also used for external test files)."""
    return f"{subject}\n{body}" if subject else body


def _spans(store: Store, message_id: int) -> dict[str, list[Span]]:
    found: dict[str, list[Span]] = {"body": [], "subject": []}
    rows = store.execute(
        'SELECT field, start, "end", label FROM spans WHERE message_id = ? AND status IN (?, ?, ?)',
        (message_id, *REDACTED_STATUSES),
    )
    for field, start, end, label in rows:
        found[field].append(Span(start, end, label))
    return found


def scrub_message(store: Store, redactor: Redactor, message_id: int) -> ScrubbedMessage:
    """The scrubbed subject + body of one analysed message; raises InputError if it was never analysed."""
    if store.scalar("SELECT 1 FROM analysis_state WHERE message_id = ?", (message_id,)) is None:
        raise InputError(f"message {message_id} has not been analysed: run `scrubdesk analyze` first")
    row = store.execute(
        "SELECT msg_key, coalesce(subject, ''), body, label FROM messages WHERE id = ?", (message_id,)
    ).fetchone()
    if row is None:
        raise InputError(f"no message {message_id}")
    key, subject, body, label = row
    spans = _spans(store, message_id)
    text = join_fields(redactor.redact(subject, spans["subject"]), redactor.redact(body, spans["body"]))
    return ScrubbedMessage(message_id, key, text, label)


def training_messages(project: Project, store: Store, *, labelled: bool = True) -> Iterator[ScrubbedMessage]:
    """Scrubbed text of every approved (and analysed) message, in ID order; only labelled ones by default."""
    redactor = project_redactor(project, store)
    # A purged message keeps only its key and label: there is no text left to train on.
    sql = f"SELECT m.id FROM messages m WHERE m.purged_at IS NULL AND m.id IN ({APPROVED_SQL})"
    if labelled:
        sql += " AND m.label IS NOT NULL AND m.label != ''"
    ids = [int(r[0]) for r in store.execute(sql + " ORDER BY m.id")]
    for message_id in ids:
        yield scrub_message(store, redactor, message_id)


def unlabelled_messages(project: Project, store: Store) -> Iterator[ScrubbedMessage]:
    """Scrubbed text of analysed messages without a label (for suggestions), in ID order."""
    redactor = project_redactor(project, store)
    ids = [
        int(r[0])
        for r in store.execute(
            "SELECT m.id FROM messages m JOIN analysis_state a ON a.message_id = m.id "
            "WHERE m.purged_at IS NULL AND (m.label IS NULL OR m.label = '') ORDER BY m.id"
        )
    ]
    for message_id in ids:
        yield scrub_message(store, redactor, message_id)


def pii_strings(project: Project, store: Store) -> set[str]:
    """Every detected or accepted PII string of the project, normalised (for the model's vocabulary scan).

    Held in memory only, for the duration of a scan.
    """
    found: set[str] = set()
    rows = store.execute(
        "SELECT s.field, s.start, s.\"end\", m.body, coalesce(m.subject, '') FROM spans s "
        "JOIN messages m ON m.id = s.message_id WHERE s.status IN (?, ?, ?)",
        REDACTED_STATUSES,
    )
    for field, start, end, body, subject in rows:
        value = normalise((body if field == "body" else subject)[start:end])
        if value:
            found.add(value)
    return found


def normalise(text: str) -> str:
    return " ".join(text.lower().split())
