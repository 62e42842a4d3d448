"""The one entry point the import job uses: detect a source's format and stream its items.

Formats: ``eml`` (one message file), ``emldir`` (a directory of message files, recursive), ``mbox``,
``maildir``, ``msg`` (Outlook), ``csv`` and ``json`` (JSON list or JSON Lines; need ``text_column``).

Every item a source holds comes out as a ParsedMessage or a Quarantined with a location and a reason; bad
content never raises. Only a source that cannot be read at all as asked — missing path, unknown format,
a format that does not fit the path, a column mapping that does not fit the file — raises InputError, and
it does so when ``read_source`` is called, before any item is produced.

Locations: the absolute file path; ``path#offset=N`` for mbox messages (byte offset of the "From " line);
``path#row=N`` for CSV/JSON records (1-based data row).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

from scrubdesk.core.errors import InputError
from scrubdesk.core.ingest.email_parse import parse_email
from scrubdesk.core.ingest.emldir import iter_tree
from scrubdesk.core.ingest.files import (
    file_size,
    open_regular,
    read_head,
    read_limited,
    special_file,
    special_kind,
)
from scrubdesk.core.ingest.formats import BY_EXTENSION, DIRECTORY_FORMATS, FORMATS, TABULAR_FORMATS
from scrubdesk.core.ingest.headers import split_header_block
from scrubdesk.core.ingest.maildir import is_maildir, iter_maildir
from scrubdesk.core.ingest.mbox import iter_mbox_items, read_mbox
from scrubdesk.core.ingest.outlook import OLE_MAGIC, parse_msg_bytes, read_msg_file
from scrubdesk.core.ingest.records import (
    ImportOptions,
    Quarantined,
    QuarantineReason,
    SourceItem,
    SourceProgress,
    shown,
)
from scrubdesk.core.ingest.tabular import check_columns, read_table

_EXTENSIONS = BY_EXTENSION
_SNIFF_BYTES = 64 * 1024

__all__ = ["FORMATS", "detect_format", "estimate_total_bytes", "read_source"]


def _sniff(head: bytes) -> str | None:
    """Format of a file from its first bytes: "msg", "mbox", "eml" or None."""
    if head.startswith(OLE_MAGIC):
        return "msg"
    body = head.lstrip(b"\r\n")
    if body.startswith(b"From "):
        return "mbox"
    headers, _ = split_header_block(body)
    if headers.looks_like_email():
        return "eml"
    return None


def detect_format(path: Path) -> str:
    """The format of a source: by directory layout, then file extension, then content. A FIFO or device is
    never opened here: it gets its extension's format, else "eml" (read_source refuses it either way)."""
    path = Path(path)
    if path.is_dir():
        return "maildir" if is_maildir(path) else "emldir"
    if not path.exists():
        raise InputError(f"source not found: {shown(path)}")
    by_extension = _EXTENSIONS.get(path.suffix.lower())
    if by_extension:
        return by_extension
    stream = open_regular(path)
    if isinstance(stream, Quarantined):
        if stream.reason is QuarantineReason.SPECIAL_FILE:
            return "eml"  # never read: read_source reports it as a special file
        raise InputError(f"cannot read {shown(path)} ({stream.detail})")
    try:
        with stream:
            head = stream.read(_SNIFF_BYTES)
    except OSError as exc:
        raise InputError(f"cannot read {shown(path)} ({type(exc).__name__})") from None
    found = _sniff(head)
    if found is None:
        raise InputError(
            f"cannot tell the format of {shown(path)}: not an email, mbox or Outlook file; "
            f"name the format ({', '.join(FORMATS)})"
        )
    return found


def _files(path: Path, fmt: str) -> Iterator[Path | Quarantined]:
    if fmt == "maildir":
        return iter_maildir(path)
    if fmt == "emldir":
        return iter_tree(path)
    return iter([path])


def estimate_total_bytes(path: Path, fmt: str) -> int:
    """Sum of the sizes of the files the source will read (stat only)."""
    path = Path(path)
    return sum(file_size(item) for item in _files(path, fmt) if isinstance(item, Path))


def _read_member(path: Path, options: ImportOptions, consumed: Callable[[int], None]) -> Iterator[SourceItem]:
    """A file inside an emldir: .msg and OLE files are Outlook, .mbox/.mbx and files starting with "From "
    are mboxes, everything else is one message (quarantined not_an_email when it is not one). The file is
    read once; only an mbox over the message size limit is streamed from disk instead."""
    by_extension = _EXTENSIONS.get(path.suffix.lower())
    if by_extension == "mbox":
        yield from read_mbox(path, options.fields, consumed)
        return
    data = read_limited(path)
    if isinstance(data, Quarantined):
        if data.reason is QuarantineReason.TOO_LARGE and read_head(path, 5) == b"From ":
            yield from read_mbox(path, options.fields, consumed)
        else:
            yield data
    elif by_extension == "msg" or data.startswith(OLE_MAGIC):
        yield parse_msg_bytes(data, str(path), options.fields)
    elif data.startswith(b"From "):
        yield from iter_mbox_items(io.BytesIO(data), str(path), options.fields, consumed)
    else:
        yield parse_email(data, str(path), options.fields)


def _read_file(
    path: Path, fmt: str, options: ImportOptions, consumed: Callable[[int], None]
) -> Iterator[SourceItem]:
    if fmt == "mbox":
        yield from read_mbox(path, options.fields, consumed)
    elif fmt == "msg":
        yield read_msg_file(path, options.fields)
    elif fmt in TABULAR_FORMATS:
        yield from read_table(path, fmt, options, consumed)
    else:
        data = read_limited(path)
        yield data if isinstance(data, Quarantined) else parse_email(data, str(path), options.fields)


def _generate(
    root: Path, fmt: str, options: ImportOptions, progress: SourceProgress
) -> Generator[SourceItem, None, None]:
    for item in _files(root, fmt):
        if isinstance(item, Quarantined):
            yield item
            continue
        base = progress.done_bytes
        size = file_size(item)

        def consumed(count: int, base: int = base, size: int = size) -> None:
            progress.done_bytes = base + min(count, size)

        if fmt == "emldir":
            yield from _read_member(item, options, consumed)
        else:  # maildir files are single messages by definition
            yield from _read_file(item, "eml" if fmt == "maildir" else fmt, options, consumed)
        progress.done_bytes = base + size


def _one(item: SourceItem) -> Generator[SourceItem, None, None]:
    yield item


def read_source(
    path: Path, options: ImportOptions, progress: SourceProgress
) -> Generator[SourceItem, None, None]:
    """Stream every item of a source. Checks (and raises InputError) now; reading happens on iteration."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"source not found: {shown(path)}")
    path = path.absolute()
    kind = special_kind(path)
    if kind is not None:  # a FIFO or device given as a source: reported, never opened
        return _one(special_file(path, kind))
    fmt = options.format or detect_format(path)
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r} for {shown(path)}; known: {', '.join(FORMATS)}")
    if (fmt in DIRECTORY_FORMATS) != path.is_dir():
        kind = "a directory" if path.is_dir() else "a file"
        raise InputError(f"{shown(path)} is {kind}, which cannot be read as {fmt}")
    if fmt in TABULAR_FORMATS:
        check_columns(path, fmt, options)
    return _generate(path, fmt, options, progress)
