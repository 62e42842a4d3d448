"""A preview of an import before it runs: the first items of the chosen sources, parsed by the very readers
the import uses (so what it shows is what the import would store or quarantine), reduced to what helps the
person importing decide: date, subject, the sender's domain, sizes and counts, the format, and whether the
item would be quarantined and why. Never the sender's name or address, never the body text.

Reading stops as soon as ``limit`` items are in, so a preview of a huge mbox costs a few messages. Fields
left out of the import's allow-list (``ImportOptions.fields``) are neither read nor shown: they are None.
Nothing is written anywhere; the result lives in memory only and must not be logged.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path

from scrubdesk.core.db.erasures import erased_keys
from scrubdesk.core.errors import InputError
from scrubdesk.core.import_identity import DUPLICATES, Outcome, decide, identify
from scrubdesk.core.ingest import readers
from scrubdesk.core.ingest.formats import TABULAR_FORMATS
from scrubdesk.core.ingest.records import ImportOptions, ParsedMessage, SourceItem, SourceProgress
from scrubdesk.core.ingest.tabular import csv_columns, json_columns
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.project import Project

PREVIEW_LIMIT = 20


@dataclass(frozen=True)
class PreviewItem:
    """One item as the import would see it. Header values are None when their field is not allowed."""

    source: str  # the source it came from (absolute path)
    location: str  # the item's location (as in the quarantine list)
    display_location: str  # the same, relative to the source's folder: "inbox.mbox#offset=0", "mail/1.eml"
    format: str  # the source's format (as detected, or as chosen)
    size_bytes: int | None
    sent_at: str | None = None  # ISO 8601 UTC
    subject: str | None = None
    sender_domain: str | None = None  # only the part after "@" of the From address
    recipients: int | None = None  # To + Cc addresses (of the allowed ones); None for CSV/JSON rows
    attachments: int | None = None  # None when not allowed, and for CSV/JSON rows
    body_chars: int | None = None  # None for a quarantined item
    label: str | None = None  # from a CSV/JSON label column
    flags: tuple[str, ...] = ()  # e.g. body_truncated, charset_fallback, bad_date
    quarantine_reason: str | None = None  # a QuarantineReason value
    quarantine_detail: str | None = None  # says where and why, never quotes content
    duplicate: bool | None = None  # already in the project (None: no project given, or cannot tell)

    @property
    def quarantined(self) -> bool:
        return self.quarantine_reason is not None

    def __repr__(self) -> str:  # the subject is personal data: keep it out of tracebacks and logs
        return f"PreviewItem(location={self.location!r}, quarantined={self.quarantined})"


@dataclass(frozen=True)
class SourcePreview:
    """One chosen source: its format, the problem that stops it from being read (if any), how many of its
    items the preview read, and whether that was all of them."""

    path: str
    format: str | None
    error: str | None = None  # the InputError message (names the file and, for tables, its columns)
    items: int = 0
    exhausted: bool = False  # read to its end within the limit
    columns: tuple[str, ...] = ()  # CSV/JSON: the file's column names (to pick the text column from)


@dataclass(frozen=True)
class ImportPreview:
    items: tuple[PreviewItem, ...]
    sources: tuple[SourcePreview, ...]
    fields: tuple[str, ...]  # the allow-list the items were read with
    limit: int
    cancelled: bool = False

    @property
    def complete(self) -> bool:
        """True when every source was read to its end: the items are all there is."""
        return not self.cancelled and all(s.exhausted for s in self.sources)

    @property
    def quarantined(self) -> int:
        return sum(1 for item in self.items if item.quarantined)

    @property
    def duplicates(self) -> int:
        return sum(1 for item in self.items if item.duplicate)

    @property
    def errors(self) -> list[str]:
        return [s.error for s in self.sources if s.error]


def _display_location(location: str, source: Path) -> str:
    """The location relative to the source's parent folder (a location always starts with the source)."""
    parent = str(source.parent)
    if location.startswith(parent):
        return location[len(parent) :].lstrip("/\\") or location
    return location


def _domain(address: str | None) -> str | None:
    if not address or "@" not in address:
        return None
    return address.rpartition("@")[2].strip().lower() or None


def preview_item(item: SourceItem, source: Path, fmt: str, fields: Sequence[str]) -> PreviewItem:
    """What the preview shows of one reader item (also safe when a reader filled a field it was not asked
    for: a field outside ``fields`` comes out as None)."""
    where = PreviewItem(
        source=str(source),
        location=item.location,
        display_location=_display_location(item.location, source),
        format=fmt,
        size_bytes=item.size_bytes,
    )
    if not isinstance(item, ParsedMessage):
        return dataclasses.replace(where, quarantine_reason=str(item.reason), quarantine_detail=item.detail)
    record = item.body_kind == "record"  # a CSV/JSON row has no recipients or attachments
    recipients = None
    if not record and ("to" in fields or "cc" in fields):
        recipients = (len(item.to_addrs) if "to" in fields else 0) + (
            len(item.cc_addrs) if "cc" in fields else 0
        )
    return dataclasses.replace(
        where,
        sent_at=item.sent_at if "sent_at" in fields else None,
        subject=item.subject if "subject" in fields else None,
        sender_domain=_domain(item.from_addr) if "from" in fields else None,
        recipients=recipients,
        attachments=item.attachment_count if "attachments" in fields and not record else None,
        body_chars=len(item.body),
        label=item.label,
        flags=tuple(item.flags),
    )


def _columns(path: Path, fmt: str | None) -> tuple[str, ...]:
    if fmt not in TABULAR_FORMATS or not path.is_file():
        return ()
    try:
        return tuple(csv_columns(path) if fmt == "csv" else json_columns(path))
    except (OSError, ValueError, UnicodeError):
        return ()


def _open(
    path: Path, options: ImportOptions
) -> tuple[str | None, Generator[SourceItem, None, None] | None, str | None]:
    """(format, item iterator, None) or (format or None, None, error message) for one source."""
    fmt: str | None = options.format
    try:
        fmt = fmt or readers.detect_format(path)
        items = readers.read_source(path, dataclasses.replace(options, format=fmt), SourceProgress())
    except InputError as exc:
        return fmt, None, str(exc)
    return fmt, items, None


def _mark_duplicates(
    project: Project, shown: list[PreviewItem], parsed: list[ParsedMessage | None], options: ImportOptions
) -> None:
    """Set ``duplicate`` on the messages the import would not store (the same content is in the project,
    or is a longer copy of it, or an erasure removed it), by the import's own rule
    (:func:`~scrubdesk.core.import_identity.decide`). A CSV/JSON row without an ID column is keyed on its
    whole file's digest, which the preview does not read: it stays None."""
    with project.store() as store:  # this thread's own connection
        erased = erased_keys(store)
        for n, item in enumerate(parsed):
            if item is None or (item.body_kind == "record" and not item.natural_id):
                continue
            try:
                identity = identify(project.ids, item, None, global_ids=options.global_ids)
            except ValueError:  # a reader gave neither ID nor fingerprint: cannot tell
                continue
            outcome = decide(store, project.ids, identity, item.body, erased).outcome
            duplicate = outcome in DUPLICATES or outcome is Outcome.ERASED
            shown[n] = dataclasses.replace(shown[n], duplicate=duplicate)


def preview_import(
    sources: Sequence[Path],
    options: ImportOptions | None = None,
    limit: int = PREVIEW_LIMIT,
    control: JobControl | None = None,
    *,
    project: Project | None = None,
) -> ImportPreview:
    """The first ``limit`` items of ``sources`` in import order. Every source is checked first (format,
    columns), so a problem with the last one shows even when the first fills the preview. A cancel (through
    ``control``) returns what was read so far with ``cancelled`` set. With ``project``, messages already in
    it are marked ``duplicate`` (the import would skip them)."""
    options = options or ImportOptions()
    control = control or JobControl()
    fields = tuple(options.fields)
    opened = []
    for source in sources:
        path = Path(source).absolute()
        fmt, items, error = _open(path, options)
        opened.append((path, fmt, items, error))
        if control.cancelled:
            break

    shown: list[PreviewItem] = []
    parsed: list[ParsedMessage | None] = []  # kept only to key them against the project
    summaries: list[SourcePreview] = []
    cancelled = control.cancelled
    with contextlib.ExitStack() as stack:
        for path, fmt, items, error in opened:
            columns = _columns(path, fmt)
            if items is None or fmt is None:
                summaries.append(SourcePreview(str(path), fmt, error, columns=columns))
                continue
            stack.enter_context(contextlib.closing(items))  # stop the reader (and close its file) early
            count, exhausted = 0, False
            reached = not cancelled and len(shown) < limit  # sources after a full preview stay unread
            while not cancelled and len(shown) < limit:
                item = next(items, None)
                if item is None:
                    exhausted = True
                    break
                shown.append(preview_item(item, path, fmt, fields))
                parsed.append(item if isinstance(item, ParsedMessage) and project is not None else None)
                count += 1
                control.progress(len(shown), limit, f"{len(shown)} of the first {limit} items read")
                cancelled = control.cancelled
            if reached and not exhausted and not cancelled:
                # This source filled the preview: one more item tells whether it had any more.
                exhausted = next(items, None) is None
            summaries.append(SourcePreview(str(path), fmt, None, count, exhausted, columns))
    if project is not None and not cancelled:
        _mark_duplicates(project, shown, parsed, options)
    return ImportPreview(tuple(shown), tuple(summaries), fields, limit, cancelled)
