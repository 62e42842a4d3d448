"""The scrubbed text of a message: what every stage after review sees, and the only text a model trains on.

Spans that a person accepted or added, and the analyser's suggestions that nobody rejected, are replaced
with the project's redaction policy (default ``<LABEL>`` placeholders) in the subject and the body.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from scrubdesk.core.adjudication import training_label_sources
from scrubdesk.core.db import messages, reviews
from scrubdesk.core.db import spans as span_rows
from scrubdesk.core.db.messages import MessageRow
from scrubdesk.core.errors import InputError
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.project import Project
from scrubdesk.core.redaction import Keyer, Redactor
from scrubdesk.core.redaction_policy import redaction_policy
from scrubdesk.core.spans import Span
from scrubdesk.core.store import Store


@dataclass(frozen=True)
class ScrubbedMessage:
    """One message's scrubbed text and label. The text still needs care: never log it."""

    message_id: int
    msg_key: str
    text: str
    label: str | None

    def __repr__(self) -> str:
        return f"ScrubbedMessage(message_id={self.message_id}, msg_key={self.msg_key!r})"


def project_redactor(project: Project, store: Store) -> Redactor:
    return Redactor(redaction_policy(store), Keyer(project.keys.id_key))


def join_fields(subject: str, body: str) -> str:
    """How subject and body become one training text (also used for external test files)."""
    return f"{subject}\n{body}" if subject else body


def _fields(
    redactor: Redactor, text: messages.MessageText, spans: dict[tuple[int, str], list[Span]]
) -> tuple[str, str]:
    subject = redactor.redact(text.subject, spans.get((text.id, "subject"), []))
    return subject, redactor.redact(text.body, spans.get((text.id, "body"), []))


def _scrub(redactor: Redactor, text: messages.MessageText, spans: dict[tuple[int, str], list[Span]]) -> str:
    return join_fields(*_fields(redactor, text, spans))


def _analysed_text(store: Store, message_id: int) -> messages.MessageText:
    """One message's text; InputError if it was never analysed."""
    if not span_rows.is_analysed(store, message_id):
        raise InputError(f"message {message_id} has not been analysed: run `scrubdesk analyze` first")
    text = messages.text_of(store, message_id)
    if text is None:
        raise InputError(f"no message {message_id}")
    return text


def scrub_message(store: Store, redactor: Redactor, message_id: int) -> ScrubbedMessage:
    """The scrubbed subject + body of one analysed message; raises InputError if it was never analysed."""
    text = _analysed_text(store, message_id)
    spans = span_rows.redacting_spans(store, [message_id])
    return ScrubbedMessage(message_id, text.msg_key, _scrub(redactor, text, spans), text.label)


def scrubbed_fields(store: Store, redactor: Redactor, message_id: int) -> tuple[str, str]:
    """(subject, body) of one analysed message as scrubbed; InputError if it was never analysed."""
    text = _analysed_text(store, message_id)
    return _fields(redactor, text, span_rows.redacting_spans(store, [message_id]))


SCRUB_BATCH = 200


def scrub_many(store: Store, redactor: Redactor, ids: Sequence[int]) -> Iterator[ScrubbedMessage]:
    """:func:`scrub_message` for analysed ``ids``, in the order given, read in batches."""
    for start in range(0, len(ids), SCRUB_BATCH):
        batch = list(ids[start : start + SCRUB_BATCH])
        spans = span_rows.redacting_spans(store, batch)
        texts = {t.id: t for t in messages.texts(store, batch)}
        for message_id in batch:
            text = texts[message_id]
            yield ScrubbedMessage(message_id, text.msg_key, _scrub(redactor, text, spans), text.label)


def training_messages(project: Project, store: Store, *, labelled: bool = True) -> Iterator[ScrubbedMessage]:
    """Scrubbed text of every approved (and analysed) message, in ID order; only labelled ones by default,
    and of those only the labels the project trains on (:func:`~scrubdesk.core.adjudication.training_labels`).
    A purged message keeps only its key and label: there is no text left to train on. Messages in the
    held-out test split never train (:func:`held_out_messages` gives them)."""
    sources = training_label_sources(store) if labelled else None
    ids = reviews.trainable_ids(store, labelled=labelled, sources=sources)
    return scrub_many(store, project_redactor(project, store), ids)


def held_out_messages(project: Project, store: Store) -> Iterator[ScrubbedMessage]:
    """Scrubbed text of the held-out test messages that would train if they were not held out (approved,
    labelled with a label the project trains on): what a model is scored on beside cross-validation."""
    ids = reviews.trainable_ids(store, labelled=True, sources=training_label_sources(store), split="test")
    return scrub_many(store, project_redactor(project, store), ids)


def unlabelled_messages(project: Project, store: Store) -> Iterator[ScrubbedMessage]:
    """Scrubbed text of analysed messages without a label (for suggestions), in ID order."""
    ids = span_rows.analysed_unlabelled_ids(store)
    return scrub_many(store, project_redactor(project, store), ids)


def pii_strings(project: Project, store: Store) -> set[str]:
    """Every detected or accepted PII string of the project, normalised (for the model's vocabulary scan).
    Held in memory only, for the duration of a scan.
    """
    return {value for text in span_rows.redacted_values(store) if (value := normalise(text))}


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


def scrubbed_subject(redactor: Redactor, row: MessageRow) -> str:
    """The subject as the scrubbed text shows it (raw when the message was never analysed)."""
    subject = row.subject or ""
    return redactor.redact(subject, row.subject_spans) if row.subject_spans else subject


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
        ids = messages.all_ids(store)
    hits: list[int] = []
    for start in range(0, len(ids), SEARCH_BATCH):
        control.check_cancelled()
        batch = list(ids[start : start + SEARCH_BATCH])
        spans = span_rows.redacting_spans(store, batch)
        for text in messages.texts(store, batch):
            if text.msg_key.startswith(needle):
                hits.append(text.id)
                continue
            for value, fld in ((text.subject, "subject"), (text.body, "body")):
                found = spans.get((text.id, fld))
                if needle in (redactor.redact(value, found) if found else value).casefold():
                    hits.append(text.id)
                    break
        done = min(start + SEARCH_BATCH, len(ids))
        control.progress(done, len(ids), f"{len(hits):,} found in {done:,} of {len(ids):,}")
    return sorted(hits)
