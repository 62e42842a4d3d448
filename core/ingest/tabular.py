"""CSV and JSON/JSONL sources: one record per row, with a column mapping from ImportOptions.

- ``text_column`` is required; every other mapped column is optional, but a column that is named and not in
  the file is an InputError (naming the file and the columns it has), raised before anything is read. For
  JSON the columns are the keys of the first object.
- CSV: the first row is the header; the delimiter is whichever of ``,`` ``;`` tab ``|`` occurs most in the
  header line. Text is read as UTF-8 (BOM allowed), or UTF-16 when the file starts with its BOM; cells
  that are not valid UTF-8 are re-read as cp1252/latin-1 and flagged ``charset_fallback``. NUL characters
  are dropped from the text. In a UTF-16 file, bytes that are not valid UTF-16 (a cut-off file, a lone
  surrogate) make their row ``malformed_record`` ("invalid UTF-16 text"); the other rows are read.
  Row N is the N-th record after the header (a quoted multi-line field is one record); blank records
  yield nothing but keep their number.
- JSON: a file whose first non-blank character is ``[`` is a list of objects, read one element at a time
  (row N = N-th element). Anything else is JSON Lines (row N = line N). A line or element that is not valid
  JSON or not an object, or whose text is empty or not a string, is quarantined ``malformed_record`` at
  ``file#row=N``. An invalid element of a JSON list is quarantined on its own: the reader skips to the
  next comma outside brackets and strings (a line break ends a broken string) and reads on. Text after
  the list's closing bracket is one more quarantined item.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from scrubdesk.core.errors import InputError
from scrubdesk.core.ingest import records
from scrubdesk.core.ingest.charset import FALLBACK_FLAG, normalize_newlines, repair_surrogates
from scrubdesk.core.ingest.files import open_regular
from scrubdesk.core.ingest.headers import MAX_ADDRESS_CHARS, parse_addresses, parse_date
from scrubdesk.core.ingest.records import (
    ImportOptions,
    ParsedMessage,
    Quarantined,
    QuarantineReason,
    SourceItem,
    shown,
)

_DELIMITERS = (",", ";", "\t", "|")
_READ_CHARS = 1 << 20
_PROBE_RECORDS = 1000  # how far the column check looks for a first JSON object
_NAME_ADDR_RE = re.compile(r'\s*+"?+([^"<>]*+)"?+\s*+<([^<>\s@]++@[^<>\s]++)>\s*+')
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# Bytes a UTF-16 file holds that are not UTF-16 become lone surrogates (U+DC00 + byte), which valid
# UTF-16 can never decode to, so the rows that hold them are found and quarantined.
_BAD_UTF16 = "scrubdesk-bad-utf16"
INVALID_UTF16 = "invalid UTF-16 text"


def _mark_bad_utf16(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return "".join(chr(0xDC00 + b) for b in bad), error.end


codecs.register_error(_BAD_UTF16, _mark_bad_utf16)

# csv refuses fields over 128 KiB by default; a message body can be far longer. (Process-wide setting.)
csv.field_size_limit(max(csv.field_size_limit(), 4 * records.MAX_MESSAGE_BYTES))


@dataclass(frozen=True)
class _Columns:
    text: str
    label: str | None = None
    id: str | None = None
    subject: str | None = None
    sender: str | None = None
    date: str | None = None


def _resolve_columns(path: Path, available: list[str], options: ImportOptions) -> _Columns:
    """Map the requested column names onto the file's (exact match first, then case-insensitive)."""
    # A file without a header row has data as its "column names": never quote those
    shown = records.describe_header(available) if available else "it has no columns"
    if not options.text_column:
        raise InputError(f"{path}: say which column holds the message text ({shown})")

    def find(requested: str | None, option: str) -> str | None:
        if requested is None:
            return None
        if requested in available:
            return requested
        folded = [name for name in available if name.casefold() == requested.casefold()]
        if folded:
            return folded[0]
        raise InputError(f"{path}: no column {requested!r} for {option} ({shown})")

    return _Columns(
        text=find(options.text_column, "text_column") or "",
        label=find(options.label_column, "label_column"),
        id=find(options.id_column, "id_column"),
        subject=find(options.subject_column, "subject_column"),
        sender=find(options.from_column, "from_column"),
        date=find(options.date_column, "date_column"),
    )


# ---------------------------------------------------------------------------------------------- records


def _record_date(value: str) -> tuple[str | None, bool]:
    """ISO 8601 (naive means UTC) or RFC 5322 → ISO 8601 UTC; (None, True) when neither parses."""
    text = value.strip()
    if not text:
        return None, False
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return parse_date(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC).isoformat(timespec="seconds"), False
    except (OverflowError, ValueError):
        return None, True


def _sender(value: str, flags: set[str]) -> tuple[str | None, str | None]:
    """A sender cell is one person: "Doe, Jane <j@x>" is a name with a comma, not two addresses."""
    value = " ".join(value.split())  # single blanks keep the regex below linear
    m = _NAME_ADDR_RE.fullmatch(value)
    if m is not None and len(m.group(2)) <= MAX_ADDRESS_CHARS:
        return m.group(1).strip() or None, m.group(2).strip().lower() or None
    pairs, address_flags = parse_addresses([value.encode("utf-8", "surrogateescape")])
    flags |= address_flags
    if not pairs:
        return None, None
    return pairs[0][0] or None, pairs[0][1] or None


def _scalar(value: object) -> tuple[str | None, bool]:
    """A cell or JSON value → (text or None, fell_back). Objects and lists are not usable scalars."""
    if value is None or isinstance(value, dict | list):
        return None, False
    text = value if isinstance(value, str) else str(value)
    return repair_surrogates(text)


def make_record(
    values: Mapping[str, object],
    columns: _Columns,
    *,
    location: str,
    size: int,
    fingerprint: bytes,
    fields: Collection[str],
) -> SourceItem:
    """One row (column → value) → ParsedMessage, or Quarantined(malformed_record)."""

    def bad(detail: str) -> Quarantined:
        return Quarantined(location, QuarantineReason.MALFORMED_RECORD, detail, size, fingerprint)

    if columns.text not in values:
        return bad("no text column")
    raw_text = values.get(columns.text)
    if raw_text is not None and not isinstance(raw_text, str):
        return bad("text is not a string")
    flags: set[str] = set()
    text, fell_back = _scalar(raw_text)
    if fell_back:
        flags.add(FALLBACK_FLAG)
    body = normalize_newlines(text or "").replace("\x00", "").rstrip()
    if not body.strip():
        return bad("empty text")
    if len(body) > records.MAX_BODY_CHARS:
        body = body[: records.MAX_BODY_CHARS]
        flags.add("body_truncated")

    def optional(column: str | None) -> str | None:
        if column is None:
            return None
        value, repaired = _scalar(values.get(column))
        if repaired:
            flags.add(FALLBACK_FLAG)
        value = value.strip() if value is not None else None
        return value or None

    label = optional(columns.label)
    natural_id = optional(columns.id)
    full_subject = optional(columns.subject)
    subject = full_subject if "subject" in fields else None
    from_name = from_addr = sent_at = None
    if "from" in fields and (sender := optional(columns.sender)):
        from_name, from_addr = _sender(sender, flags)
    if "sent_at" in fields and (date_text := optional(columns.date)):
        sent_at, bad_date = _record_date(date_text)
        if bad_date:
            flags.add("bad_date")
    return ParsedMessage(
        location=location,
        body=body,
        body_kind="record",
        size_bytes=size,
        natural_id=natural_id,
        content_fingerprint=fingerprint,
        sent_at=sent_at,
        from_name=from_name,
        from_addr=from_addr,
        subject=subject,
        flags=tuple(sorted(flags)),
        label=label,
        content_digest=records.content_digest(full_subject, body),
    )


# ---------------------------------------------------------------------------------------------- CSV


@dataclass
class _Text:
    """An open CSV/JSON file: the binary stream (for progress), the text over it, and whether it is
    UTF-16 (where any surrogate in the text marks bytes that were not UTF-16)."""

    raw: io.BufferedReader
    text: io.TextIOWrapper
    utf16: bool

    def close(self) -> None:
        self.text.close()
        self.raw.close()

    def bad_text(self, text: str) -> bool:
        return self.utf16 and _SURROGATE_RE.search(text) is not None


def _open_text(path: Path) -> _Text | Quarantined:
    """UTF-8 (BOM optional), or UTF-16 when the file starts with its BOM (Excel's "Unicode text")."""
    stream = open_regular(path)
    if isinstance(stream, Quarantined):
        return stream
    raw = stream
    utf16 = raw.peek(2)[:2] in (b"\xff\xfe", b"\xfe\xff")
    encoding, errors = ("utf-16", _BAD_UTF16) if utf16 else ("utf-8-sig", "surrogateescape")
    return _Text(raw, io.TextIOWrapper(raw, encoding=encoding, errors=errors, newline=""), utf16)


def _open_columns(path: Path) -> _Text:
    """The file opened to read its column names; InputError when it cannot be read."""
    opened = _open_text(path)
    if isinstance(opened, Quarantined):
        raise InputError(f"{shown(path)}: cannot read ({opened.detail})")
    return opened


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_header(text: io.TextIOWrapper) -> tuple[list[str], Iterator[list[str]]]:
    first_line = text.readline()
    reader = csv.reader(_chain_line(first_line, text), "excel", delimiter=_sniff_delimiter(first_line))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        header = []
    names = [repair_surrogates(name)[0].strip() for name in header]
    return names, reader


def _chain_line(first: str, rest: io.TextIOWrapper) -> Iterator[str]:
    if first:
        yield first
    yield from rest


def csv_columns(path: Path) -> list[str]:
    opened = _open_columns(path)
    try:
        return _csv_header(opened.text)[0]
    finally:
        opened.close()


def read_csv(
    path: Path, options: ImportOptions, consumed: Callable[[int], None] | None = None
) -> Iterator[SourceItem]:
    opened = _open_text(path)
    if isinstance(opened, Quarantined):
        yield opened
        return
    raw = opened.raw
    with contextlib.closing(opened):
        header, reader = _csv_header(opened.text)
        columns = _resolve_columns(path, header, options)
        index: dict[str, int] = {}
        for i, name in enumerate(header):
            index.setdefault(name, i)
        row_no = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                row_no += 1
                yield Quarantined(
                    f"{path}#row={row_no}",
                    QuarantineReason.MALFORMED_RECORD,
                    f"bad CSV: {type(exc).__name__}",
                )
                continue
            row_no += 1
            if consumed is not None:
                consumed(raw.tell())
            if not row or not any(cell.strip() for cell in row):
                continue
            joined_text = "\x1f".join(row)
            joined = joined_text.encode("utf-8", "surrogatepass")
            if opened.bad_text(joined_text):
                yield Quarantined(
                    f"{path}#row={row_no}",
                    QuarantineReason.MALFORMED_RECORD,
                    INVALID_UTF16,
                    len(joined),
                    hashlib.sha256(joined).digest(),
                )
                continue
            values = {name: row[i] for name, i in index.items() if i < len(row)}
            yield make_record(
                values,
                columns,
                location=f"{path}#row={row_no}",
                size=len(joined),
                fingerprint=hashlib.sha256(joined).digest(),
                fields=options.fields,
            )


# ---------------------------------------------------------------------------------------------- JSON


@dataclass(frozen=True)
class _JsonItem:
    row: int
    value: object
    size: int
    error: str | None = None  # why the item is not usable JSON
    stop: bool = False  # the rest of the file cannot be read
    raw: str = ""  # the item's JSON text, for its fingerprint ("" when too large to keep)

    def fingerprint(self) -> bytes:
        return hashlib.sha256(self.raw.encode("utf-8", "surrogatepass")).digest() if self.raw else b""


def _first_char(text: io.TextIOWrapper) -> str:
    while True:
        chunk = text.read(4096)
        if not chunk:
            return ""
        stripped = chunk.lstrip()
        if stripped:
            return stripped[0]


def _iter_json_lines(text: io.TextIOWrapper) -> Iterator[_JsonItem]:
    limit = records.MAX_MESSAGE_BYTES
    line_no = 0
    while True:
        line = text.readline(limit)
        if not line:
            return
        line_no += 1
        if len(line) >= limit and not line.endswith("\n"):
            size = len(line)
            while True:  # skip the rest of an over-long line without holding it
                more = text.readline(limit)
                size += len(more)
                if not more or more.endswith("\n"):
                    break
            yield _JsonItem(line_no, None, size, "record over the size limit")
            continue
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except (ValueError, RecursionError) as exc:
            yield _JsonItem(line_no, None, len(line), f"invalid JSON: {type(exc).__name__}", raw=line)
            continue
        yield _JsonItem(line_no, value, len(line), raw=line)


_ELEMENT_STOP_RE = re.compile(r'["\[\]{},]')
_STRING_STOP_RE = re.compile(r'["\\\n]')


def _element_end(buf: str, pos: int) -> int | None:
    """Where a broken list element that starts at ``buf[pos]`` ends: at the first comma or closing bracket
    of the list outside brackets and strings, or at a line break inside a string (a string cannot hold
    one, so a quote left open ends the element at its line instead of swallowing the elements after it).
    A stray closing brace is kept with the element. None when ``buf`` ends first."""
    depth = 0
    i = pos
    while True:
        m = _ELEMENT_STOP_RE.search(buf, i)
        if m is None:
            return None
        i = m.start()
        char = buf[i]
        if char == '"':
            i += 1
            while True:
                m = _STRING_STOP_RE.search(buf, i)
                if m is None:
                    return None
                if m.group() == "\n":
                    return m.start()
                i = m.end()
                if m.group() == '"':
                    break
                i += 1  # a backslash escapes the next character
            continue
        if char in "[{":
            depth += 1
        elif depth == 0:
            if char == "}":
                return i + 1
            return max(i, pos + 1)
        elif char in "]}":
            depth -= 1
        i += 1


def _iter_json_array(text: io.TextIOWrapper) -> Iterator[_JsonItem]:
    decoder = json.JSONDecoder()
    buf = text.read(_READ_CHARS)
    while not buf.strip() and (chunk := text.read(_READ_CHARS)):
        buf = chunk
    pos = buf.find("[") + 1
    if pos == 0:
        return
    eof = False
    row = 0
    limit = records.MAX_MESSAGE_BYTES
    error: str | None

    def more() -> bool:
        nonlocal buf, pos, eof
        if eof:
            return False
        if pos > _READ_CHARS:
            buf, pos = buf[pos:], 0
        chunk = text.read(max(_READ_CHARS, len(buf) - pos))  # grow geometrically for big elements
        if not chunk:
            eof = True
            return False
        buf += chunk
        return True

    while True:
        while True:  # skip blanks and commas between elements
            while pos < len(buf) and buf[pos] in " \t\r\n,":
                pos += 1
            if pos < len(buf) or not more():
                break
        if pos >= len(buf):
            return
        if buf[pos] == "]":
            yield from _after_list(buf, pos + 1, text, row + 1)
            return
        row += 1
        while True:
            try:
                value, end = decoder.raw_decode(buf, pos)
            except (ValueError, RecursionError) as exc:
                if len(buf) - pos <= limit and more():
                    continue
                error = f"invalid JSON: {type(exc).__name__}"
                break
            if end == len(buf) and not eof and isinstance(value, int | float) and more():
                continue  # a number cut at the buffer's end: read on and decode it whole
            error = None
            break
        if error is None:
            yield _JsonItem(row, value, end - pos, raw=buf[pos:end])
            pos = end
            continue
        while (stop := _element_end(buf, pos)) is None and len(buf) - pos <= limit and more():
            pass
        if stop is None:  # no end in sight: the rest of the file is this one broken element
            detail = f"{error}; rest of file not read"
            yield _JsonItem(row, None, len(buf) - pos, detail, stop=True, raw=buf[pos : pos + limit])
            return
        yield _JsonItem(row, None, stop - pos, error, raw=buf[pos:stop])
        pos = stop


def _after_list(buf: str, pos: int, text: io.TextIOWrapper, row: int) -> Iterator[_JsonItem]:
    """Anything but blanks after a JSON list's closing bracket is reported as one more item."""
    rest = buf[pos:]
    size = len(rest.strip())
    while chunk := text.read(_READ_CHARS):
        size += len(chunk.strip())
    if size:
        yield _JsonItem(row, None, size, "text after the end of the list", stop=True, raw=rest[:_READ_CHARS])


def _iter_json(text: io.TextIOWrapper) -> Iterator[_JsonItem]:
    first = _first_char(text)
    text.seek(0)
    if first == "[":
        return _iter_json_array(text)
    return _iter_json_lines(text)


def json_columns(path: Path) -> list[str]:
    """The keys of the first JSON object in the file (within the first records), or []."""
    opened = _open_columns(path)
    with contextlib.closing(opened):
        for n, item in enumerate(_iter_json(opened.text)):
            if isinstance(item.value, dict) and not opened.bad_text(item.raw):
                return [str(key) for key in item.value]
            if item.stop or n >= _PROBE_RECORDS:
                break
    return []


def read_json(
    path: Path, options: ImportOptions, consumed: Callable[[int], None] | None = None
) -> Iterator[SourceItem]:
    opened = _open_text(path)
    if isinstance(opened, Quarantined):
        yield opened
        return
    with contextlib.closing(opened):
        columns: _Columns | None = None
        for item in _iter_json(opened.text):
            if consumed is not None:
                consumed(opened.raw.tell())
            location = f"{path}#row={item.row}"
            if opened.bad_text(item.raw):
                yield Quarantined(
                    location, QuarantineReason.MALFORMED_RECORD, INVALID_UTF16, item.size, item.fingerprint()
                )
                continue
            if item.error is not None:
                detail = item.error
                reason = QuarantineReason.MALFORMED_RECORD
                if item.error.startswith("record over"):
                    reason = QuarantineReason.TOO_LARGE
                yield Quarantined(location, reason, detail, item.size, item.fingerprint())  # fixed wording
                continue
            if not isinstance(item.value, dict):
                yield Quarantined(
                    location,
                    QuarantineReason.MALFORMED_RECORD,
                    "not an object",
                    item.size,
                    item.fingerprint(),
                )
                continue
            if columns is None:
                columns = _resolve_columns(path, [str(k) for k in item.value], options)
            canonical = json.dumps(item.value, sort_keys=True, ensure_ascii=False).encode(
                "utf-8", "surrogatepass"
            )
            yield make_record(
                item.value,
                columns,
                location=location,
                size=item.size,
                fingerprint=hashlib.sha256(canonical).digest(),
                fields=options.fields,
            )


def check_columns(path: Path, fmt: str, options: ImportOptions) -> None:
    """Raise InputError now (before any item) when the column mapping does not fit the file."""
    try:
        available = csv_columns(path) if fmt == "csv" else json_columns(path)
    except OSError as exc:
        raise InputError(f"{shown(path)}: cannot read ({type(exc).__name__})") from None
    if fmt == "json" and not available:
        if not options.text_column:
            raise InputError(f"{path}: say which column holds the message text")
        return  # no object to check against; every record will be judged on its own
    _resolve_columns(path, available, options)


def read_table(
    path: Path, fmt: str, options: ImportOptions, consumed: Callable[[int], None] | None = None
) -> Iterator[SourceItem]:
    if fmt == "csv":
        return read_csv(path, options, consumed)
    return read_json(path, options, consumed)
