"""A streaming mbox splitter that tracks byte offsets, and the mbox reader built on it.

Accounting rule (tested by the fuzz test): every line that starts with ``From `` — at offset 0 or right
after a ``\\n`` — begins exactly one item, and anything before the first such line that is not blank is one
more item (quarantined as ``not_an_email``). So a file yields
``data.startswith(b"From ") + data.count(b"\\nFrom ") + (1 if non-blank preamble else 0)`` items.

This is the mboxo/mboxrd reading: writers escape body lines starting with "From " as ">From ", and the reader
unescapes one ">" from every line matching ``^>+From `` (mboxrd; for mboxo files this is the usual, slightly
lossy reading). An unescaped "From " line in a body (a broken writer, or mboxcl with Content-Length) splits
the message; the fragment is then quarantined, never silently merged.

Memory stays flat: the file is read in 1 MiB chunks; one message is held at a time, and a message over the
size limit is only hashed and counted, never held.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

from scrubdesk.core.ingest import records
from scrubdesk.core.ingest.email_parse import parse_email
from scrubdesk.core.ingest.files import open_regular
from scrubdesk.core.ingest.records import Quarantined, QuarantineReason, SourceItem

CHUNK_BYTES = 1 << 20
_SEPARATOR = b"\nFrom "
_UNESCAPE_RE = re.compile(rb"^>(>*From )", re.MULTILINE)
# Slack over the message limit for the "From " line itself before a span is only hashed.
_FROM_LINE_SLACK = 4096


class MboxSpan(NamedTuple):
    """The bytes from one "From " line up to the next (or the preamble before the first)."""

    offset: int  # byte offset of the "From " line; 0 for the preamble
    data: bytes | None  # None when the span was over the limit and only hashed
    size: int
    digest: bytes  # sha256 of the span when data is None, else b""
    preamble: bool = False


class _Accumulator:
    def __init__(self, offset: int, limit: int, preamble: bool) -> None:
        self.offset = offset
        self.limit = limit
        self.preamble = preamble
        self.parts: list[bytes] = []
        self.size = 0
        self.hasher: hashlib._Hash | None = None
        self.has_content = False  # for the preamble: anything but blanks seen

    def add(self, piece: bytes) -> None:
        if not piece:
            return
        if self.preamble and not self.has_content and piece.strip():
            self.has_content = True
        self.size += len(piece)
        if self.hasher is not None:
            self.hasher.update(piece)
            return
        self.parts.append(piece)
        if self.size > self.limit:
            self.hasher = hashlib.sha256()
            for part in self.parts:
                self.hasher.update(part)
            self.parts = []

    def span(self) -> MboxSpan | None:
        if self.preamble and not self.has_content:
            return None
        if self.hasher is not None:
            return MboxSpan(self.offset, None, self.size, self.hasher.digest(), self.preamble)
        return MboxSpan(self.offset, b"".join(self.parts), self.size, b"", self.preamble)


def split_mbox(
    stream: BinaryIO,
    *,
    limit: int | None = None,
    consumed: Callable[[int], None] | None = None,
    chunk_size: int = CHUNK_BYTES,
) -> Iterator[MboxSpan]:
    """Split an mbox stream into spans. ``consumed`` is called with the bytes read so far."""
    if limit is None:
        limit = records.MAX_MESSAGE_BYTES + _FROM_LINE_SLACK
    keep = len(_SEPARATOR) - 1  # a separator may straddle two chunks
    # A virtual "\n" before the file makes a "From " at offset 0 a separator like any other.
    data = b"\n"
    base = -1  # file offset of data[0]
    read_total = 0
    current = _Accumulator(0, limit, preamble=True)
    seg_start = 1  # first byte of data not yet given to the accumulator
    scan_from = 0  # where to look for the next separator
    eof = False
    while True:
        if not eof:
            chunk = stream.read(chunk_size)
            if chunk:
                data += chunk
                read_total += len(chunk)
                if consumed is not None:
                    consumed(read_total)
            else:
                eof = True
        while True:
            hit = data.find(_SEPARATOR, scan_from)
            if hit < 0:
                break
            sep = hit + 1
            current.add(data[seg_start:sep])
            span = current.span()
            if span is not None:
                yield span
            current = _Accumulator(base + sep, limit, preamble=False)
            seg_start = sep
            scan_from = sep
        if eof:
            current.add(data[seg_start:])
            span = current.span()
            if span is not None:
                yield span
            return
        # Drop what has been scanned, keeping the last bytes in case a separator straddles the chunks.
        cut = max(0, len(data) - keep)
        if cut > seg_start:
            current.add(data[seg_start:cut])
        data = data[cut:]
        base += cut
        seg_start = max(0, seg_start - cut)
        scan_from = max(0, scan_from - cut)


def message_bytes(span: bytes) -> bytes:
    """A span → the message: the "From " line dropped, the blank separator line before the next "From "
    dropped, and mboxrd ">From " escaping undone."""
    nl = span.find(b"\n")
    if nl < 0:
        return b""
    end = len(span)
    if span.endswith(b"\r\n\r\n"):
        end -= 2
    elif span.endswith(b"\n\n"):
        end -= 1
    body = span[nl + 1 : max(end, nl + 1)]
    if b">From " in body:
        body = _UNESCAPE_RE.sub(rb"\1", body)
    return body


def iter_mbox_items(
    stream: BinaryIO,
    name: str,
    fields: Collection[str],
    consumed: Callable[[int], None] | None = None,
    chunk_size: int = CHUNK_BYTES,
) -> Iterator[SourceItem]:
    """Every item of an open mbox stream, located as ``name#offset=N``."""
    spans = split_mbox(stream, consumed=consumed, chunk_size=chunk_size)
    while True:
        try:
            span = next(spans)
        except StopIteration:
            return
        except OSError as exc:  # the disk failed mid-file: report where, stop this file
            yield Quarantined(name, QuarantineReason.UNREADABLE_FILE, f"read failed: {type(exc).__name__}")
            return
        location = f"{name}#offset={span.offset}"
        if span.preamble:
            yield Quarantined(
                location,
                QuarantineReason.NOT_AN_EMAIL,
                "text before the first From line",
                span.size,
                span.digest or hashlib.sha256(span.data or b"").digest(),
            )
        elif span.data is None:
            yield Quarantined(
                location, QuarantineReason.TOO_LARGE, "message over the size limit", span.size, span.digest
            )
        else:
            yield parse_email(message_bytes(span.data), location, fields)


def read_mbox(
    path: Path, fields: Collection[str], consumed: Callable[[int], None] | None = None
) -> Iterator[SourceItem]:
    """Every message of an mbox file, in file order, located as ``path#offset=N``."""
    stream = open_regular(path)
    if isinstance(stream, Quarantined):
        yield stream
        return
    with stream:
        yield from iter_mbox_items(stream, str(path), fields, consumed)
