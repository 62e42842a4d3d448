"""RFC 822 header blocks: split, unfold, decode encoded-words (RFC 2047), addresses, dates, parameters.

Written for speed and tolerance rather than on top of ``email.policy.default``: a header block is found with
one regex search, fields are looked up by name only when needed, and values stay bytes until a caller asks
for one. Nothing here raises for bad content.
"""

from __future__ import annotations

import binascii
import re
import urllib.parse
from datetime import UTC, datetime, timedelta
from email.utils import getaddresses, mktime_tz, parsedate_tz

from scrubdesk.core.ingest.charset import decode_bytes, fallback_decode

# A field line starts with a name of printable ASCII without ":" (RFC 5322 ftext), optional blanks and a
# colon; a continuation line starts with a blank. The header block ends at the first line that is neither
# (an empty line, or text that is not a header).
_BLOCK_END_RE = re.compile(rb"^(?![\x21-\x39\x3b-\x7e]+[ \t]*:|[ \t])", re.M)
_FIELD_NAME_RE = re.compile(rb"^([\x21-\x39\x3b-\x7e]+)[ \t]*:", re.M)
# An encoded-word. Lenient: charset may carry an RFC 2231 language suffix, text may hold blanks.
_ENCODED_WORD_RE = re.compile(r"=\?([^?\s]+)\?([qQbB])\?([^?]*)\?=")
_FOLD_RE = re.compile(r"\r?\n(?=[ \t])|\r(?=[ \t])")
_BLANKS_RE = re.compile(r"[ \t\r\n]+")
_B64_JUNK_RE = re.compile(rb"[^A-Za-z0-9+/]")
_PLACEHOLDER_RE = re.compile("\ue000([0-9]+)\ue001")
# Possessive quantifiers (``*+``, ``++``) never give back what they matched: a regex over a header value
# must stay linear in its length, and a lazy name followed by ``[ \t]*`` backtracks quadratically over a
# long run of blanks (a 160 KB display name took 15 s; bench/ingest.py times the fixed version).
_ADDRESS_PIECE_RE = re.compile(r'(?:"[^"]*+"|[^,"])++')
_NAME_ADDR_RE = re.compile(r'\s*+(?P<name>"[^"]*+"|[^"<>@,]*+)\s*+<(?P<addr>[^<>\s,"@]++@[^<>\s,"]++)>\s*+')
# One ASCII address, bare or as ``Name <addr>`` / ``"Name" <addr>``, with nothing that needs decoding.
_ADDR_ATOM = rb'[^<>\s,;:"()\\@\x80-\xff]++'
_ONE_ADDRESS_RE = re.compile(
    rb'[ \t]*+(?:"?+([^"<>,;:()\\@=\r\n\x80-\xff]*+)"?+[ \t]*+<('
    + _ADDR_ATOM
    + rb"@"
    + _ADDR_ATOM
    + rb")>|("
    + _ADDR_ATOM
    + rb"@"
    + _ADDR_ATOM
    + rb"))[ \t]*+"
)
_UNUSUAL_ADDRESS_RE = re.compile(r"[()\\;:]")
_BARE_ADDR_RE = re.compile(r'\s*(?P<addr>[^<>\s,"]+@[^<>\s,"@]+)\s*')

_COMMON_DATE_RE = re.compile(
    r"(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"\s+([+-])(\d{2})(\d{2})(?:\s+\([A-Za-z0-9 +:-]*\))?"
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}

BAD_ENCODED_WORD_FLAG = "bad_encoded_word"
BAD_ADDRESS_FLAG = "bad_address"
# RFC 3696: 64 characters before the "@" and 255 after. A longer "address" is garbage (or an attack on
# whatever parses it next): it is dropped and the message flagged.
MAX_ADDRESS_CHARS = 320

# Header names that make a header block look like an email rather than a text file that happens to start
# with "Word: ...". At least one of them must be present.
EMAIL_HEADER_NAMES = frozenset(
    {
        "from", "to", "cc", "bcc", "subject", "date", "message-id", "mime-version", "content-type",
        "received", "return-path", "sender", "reply-to", "delivered-to", "in-reply-to", "references",
        "x-mailer", "user-agent", "content-transfer-encoding", "thread-topic", "envelope-to",
        "x-original-to", "dkim-signature", "authentication-results", "list-id",
    }
)  # fmt: skip
_EMAIL_FIELD_RE = re.compile(
    rb"^(?:" + b"|".join(re.escape(n.encode()) for n in sorted(EMAIL_HEADER_NAMES)) + rb")[ \t]*:",
    re.M | re.I,
)


def _field_re(name: str) -> re.Pattern[bytes]:
    pattern = _FIELD_RES.get(name)
    if pattern is None:
        pattern = re.compile(
            rb"^" + re.escape(name.encode("ascii")) + rb"[ \t]*:([^\n]*(?:\n[ \t][^\n]*)*)", re.M | re.I
        )
        _FIELD_RES[name] = pattern
    return pattern


_FIELD_RES: dict[str, re.Pattern[bytes]] = {}
_KEYS: dict[bytes, str] = {}  # field name as written (b"Subject", b"SUBJECT") → lower-cased str
# The fields the readers ask for, collected in a single pass.
COMMON_FIELDS = frozenset(
    {
        "from", "to", "cc", "subject", "date", "message-id", "content-type", "content-transfer-encoding",
        "content-disposition",
    }
)  # fmt: skip
_COMMON_FIELDS_RE = re.compile(
    rb"^("
    + b"|".join(re.escape(n.encode()) for n in sorted(COMMON_FIELDS))
    + rb")[ \t]*:([^\n]*(?:\n[ \t][^\n]*)*)",
    re.M | re.I,
)


class HeaderBlock:
    """A message's (or MIME part's) header block. Fields come back as raw bytes with folding intact, in
    order of appearance, looked up case-insensitively. The fields the readers use are collected in one
    regex pass on first use; others are searched for on demand. Real mail carries dozens of Received/DKIM/ARC
    fields that are never needed, so nothing else is parsed."""

    __slots__ = ("_common", "block")

    def __init__(self, block: bytes = b"") -> None:
        self.block = block
        self._common: dict[str, list[bytes]] | None = None

    def __bool__(self) -> bool:
        return bool(self.block)

    def _collect(self) -> dict[str, list[bytes]]:
        common: dict[str, list[bytes]] = {}
        for name, value in _COMMON_FIELDS_RE.findall(self.block):
            key = _KEYS.get(name)
            if key is None:
                key = _KEYS.setdefault(name, name.decode("ascii").lower())
            values = common.get(key)
            if values is None:
                common[key] = [value.strip()]
            else:
                values.append(value.strip())
        self._common = common
        return common

    def common(self) -> dict[str, list[bytes]]:
        """The fields in ``COMMON_FIELDS`` that are present: lower-cased name → values."""
        return self._common if self._common is not None else self._collect()

    def all(self, name: str) -> list[bytes]:
        if name in COMMON_FIELDS:
            common = self._common if self._common is not None else self._collect()
            return common.get(name, [])
        return [value.strip() for value in _field_re(name).findall(self.block)]

    def first(self, name: str) -> bytes | None:
        values = self.all(name)
        return values[0] if values else None

    def names(self) -> list[str]:
        """Every field name, lower-cased, in order (with repeats)."""
        return [name.decode("ascii").lower() for name in _FIELD_NAME_RE.findall(self.block)]

    def looks_like_email(self) -> bool:
        return bool(self.common()) or _EMAIL_FIELD_RE.search(self.block) is not None


def split_header_block(raw: bytes, start: int = 0, end: int | None = None) -> tuple[HeaderBlock, int]:
    """Find the header block in ``raw[start:end]``; returns it and the offset where the body begins.

    The block ends at the first empty line (which is consumed) or at the first line that is neither a
    field nor a continuation (which then belongs to the body, as in ``email.feedparser``).
    """
    end = len(raw) if end is None else end
    m = _BLOCK_END_RE.search(raw, start, end)
    stop = end if m is None else m.start()
    body = stop
    if raw.startswith(b"\n", stop, end):
        body += 1
    elif raw.startswith(b"\r\n", stop, end):
        body += 2
    return HeaderBlock(raw[start:stop]), body


def header_text(value: bytes) -> tuple[str, bool]:
    """Raw header bytes → text. Raw 8-bit is read as UTF-8 (RFC 6532), else with fallbacks (flagged)."""
    if value.isascii():
        return value.decode("ascii"), False
    try:
        return value.decode("utf-8"), False
    except UnicodeDecodeError:
        return fallback_decode(value), True


def plain_value(value: bytes | None) -> str | None:
    """A structured header (Message-ID, Date) → unfolded, stripped text; None when absent."""
    if value is None:
        return None
    return unfold(header_text(value)[0]).strip()


def _decode_word(charset: str, encoding: str, text: str) -> bytes | None:
    data = text.encode("utf-8", "surrogateescape")
    try:
        if encoding in "qQ":
            return binascii.a2b_qp(data, header=True)
        cleaned = _B64_JUNK_RE.sub(b"", data)
        cut = len(cleaned) % 4
        if cut == 1:
            return None
        if cut:
            cleaned += b"=" * (4 - cut)
        return binascii.a2b_base64(cleaned)
    except (binascii.Error, ValueError):
        return None


def decode_words(text: str) -> tuple[str, set[str]]:
    """Decode RFC 2047 encoded-words in an unfolded header value. Returns (text, flags).

    Adjacent encoded-words in the same charset are joined as bytes before decoding, because mailers
    split multi-byte characters across words. Blanks between two encoded-words are dropped (RFC 2047 §6.2).
    A word that cannot be decoded is kept literally and flagged ``bad_encoded_word``.
    """
    flags: set[str] = set()
    if "=?" not in text:
        return text, flags
    out: list[str] = []
    pending: bytearray = bytearray()
    pending_charset: str | None = None
    pos = 0

    def flush() -> None:
        nonlocal pending_charset
        if pending_charset is not None:
            decoded, fell_back = decode_bytes(bytes(pending), pending_charset)
            if fell_back:
                flags.add("charset_fallback")
            out.append(decoded)
            pending.clear()
            pending_charset = None

    for m in _ENCODED_WORD_RE.finditer(text):
        between = text[pos : m.start()]
        pos = m.end()
        charset = m.group(1).split("*", 1)[0].lower()
        data = _decode_word(charset, m.group(2), m.group(3))
        if between and not (pending_charset is not None and not between.strip(" \t\r\n")):
            flush()
            out.append(between)
        if data is None:
            flush()
            flags.add(BAD_ENCODED_WORD_FLAG)
            out.append(m.group(0))
            continue
        if pending_charset is not None and pending_charset != charset:
            flush()
        pending_charset = charset
        pending += data
    flush()
    out.append(text[pos:])
    return "".join(out), flags


def unfold(text: str) -> str:
    return _FOLD_RE.sub("", text) if ("\n" in text or "\r" in text) else text


def decode_text_header(value: bytes | None) -> tuple[str | None, set[str]]:
    """A free-text header (Subject) → decoded, unfolded text; None when absent."""
    if value is None:
        return None, set()
    text, fell_back = header_text(value)
    decoded, flags = decode_words(unfold(text))
    if fell_back:
        flags.add("charset_fallback")
    return decoded.strip(), flags


def _simple_addresses(texts: list[str]) -> list[tuple[str, str]] | None:
    """The common address lists (``addr``, ``Name <addr>``, ``"Name, Q" <addr>``) without the slow
    general parser; None when anything unusual (comments, groups, escapes, odd quoting) is present."""
    pairs: list[tuple[str, str]] = []
    for text in texts:
        if _UNUSUAL_ADDRESS_RE.search(text):
            return None
        for piece in _ADDRESS_PIECE_RE.findall(text):
            if not piece.strip():
                continue
            m = _NAME_ADDR_RE.fullmatch(piece) or _BARE_ADDR_RE.fullmatch(piece)
            if m is None:
                return None
            name = m.groupdict().get("name") or ""
            if name.startswith('"'):
                name = name[1:-1]
            pairs.append((name.strip(), m.group("addr")))
    return pairs


def parse_addresses(values: list[bytes]) -> tuple[list[tuple[str, str]], set[str]]:
    """Address headers → [(display name, address lower-cased)], skipping empty entries.

    Addresses are split on the raw header and only then are display names decoded, so a decoded name
    holding a comma ("Doe, Jane") cannot split one address into two. Encoded-words are swapped for
    placeholders while splitting, because mailers put raw commas inside them too.
    """
    flags: set[str] = set()
    if not values:
        return [], flags
    if len(values) == 1:  # the usual single plain address: no decoding, no splitting
        m = _ONE_ADDRESS_RE.fullmatch(values[0])
        if m is not None:
            name, addr, bare = m.groups()
            if bare is not None and len(bare) <= MAX_ADDRESS_CHARS:
                return [("", bare.decode("ascii").lower())], flags
            if addr is not None and len(addr) <= MAX_ADDRESS_CHARS:
                return [(name.decode("ascii").strip(), addr.decode("ascii").lower())], flags
    words: list[str] = []

    def protect(match: re.Match[str]) -> str:
        words.append(match.group(0))
        return f"\ue000{len(words) - 1}\ue001"

    texts = []
    for value in values:
        text, fell_back = header_text(value)
        if fell_back:
            flags.add("charset_fallback")
        text = _BLANKS_RE.sub(" ", unfold(text))
        if "=?" in text:
            text = _ENCODED_WORD_RE.sub(protect, text)
        texts.append(text)
    result: list[tuple[str, str]] = []
    pairs = _simple_addresses(texts)
    if pairs is None:
        try:
            pairs = getaddresses(texts)
        except (ValueError, IndexError, TypeError, RecursionError):  # nested comments recurse
            pairs = []
    for name, raw_addr in pairs:
        if words:
            name = _PLACEHOLDER_RE.sub(lambda m: words[int(m.group(1))], name)  # noqa: PLW2901
            raw_addr = _PLACEHOLDER_RE.sub(lambda m: words[int(m.group(1))], raw_addr)  # noqa: PLW2901
        addr = raw_addr.strip().lower()
        if len(addr) > MAX_ADDRESS_CHARS:
            flags.add(BAD_ADDRESS_FLAG)
            addr = ""
        decoded_name, name_flags = decode_words(name)
        flags |= name_flags
        decoded_name = decoded_name.strip()
        if addr or decoded_name:
            result.append((decoded_name, addr))
    return result, flags


def _common_date(groups: tuple[str | None, ...]) -> tuple[str | None, bool] | None:
    """The fields of ``_COMMON_DATE_RE`` → (ISO date, bad); None when the month name is unknown."""
    day, month_name, year, hour, minute, second, sign, zone_hours, zone_minutes = groups
    month = _MONTHS.get((month_name or "").lower())
    if month is None:
        return None
    try:
        moment = datetime(
            int(year or 0),
            month,
            int(day or 0),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=UTC,
        )
    except ValueError:
        return None, True
    offset = timedelta(hours=int(zone_hours or 0), minutes=int(zone_minutes or 0))
    moment = moment - offset if sign == "+" else moment + offset
    return moment.isoformat(timespec="seconds"), False


def parse_date(value: str | None) -> tuple[str | None, bool]:
    """An RFC 5322 date → ISO 8601 UTC ("2024-03-01T12:00:00+00:00"); (None, True) when unparseable."""
    if value is None:
        return None, False
    value = value.strip()
    if not value:
        return None, False
    m = _COMMON_DATE_RE.fullmatch(value)
    if m is not None and (found := _common_date(m.groups())) is not None:
        return found  # the usual shape, without the slow general parser
    try:
        parts = parsedate_tz(value)
        if parts is None:
            return None, True
        if parts[9] is None:  # no zone given: read as UTC, never as this machine's local time
            parts = (*parts[:9], 0)
        moment = datetime.fromtimestamp(mktime_tz(parts), UTC)
    except (ValueError, OverflowError, OSError, TypeError, IndexError):
        return None, True
    return moment.isoformat(timespec="seconds"), False


def parse_date_header(value: bytes | None) -> tuple[str | None, bool]:
    """``parse_date`` for a raw Date header, with a fast path for the usual shape."""
    if value is None:
        return None, False
    if value.isascii():
        m = _COMMON_DATE_RE.fullmatch(value.decode("ascii"))
        if m is not None and (found := _common_date(m.groups())) is not None:
            return found
    return parse_date(plain_value(value))


def _split_params(text: str) -> list[str]:
    if '"' not in text:
        return text.split(";")
    parts: list[str] = []
    buf: list[str] = []
    quoted = escaped = False
    for ch in text:
        if escaped:
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == ";" and not quoted:
            parts.append("".join(buf))
            buf = []
            continue
        buf.append(ch)
    parts.append("".join(buf))
    return parts


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
        if "\\" in value:
            value = re.sub(r"\\(.)", r"\1", value)
    return value


def parse_params(value: bytes | None) -> tuple[str, dict[str, str]]:
    """A Content-Type / Content-Disposition value → (lower-cased main value, {param: value}).

    Handles quoted values and RFC 2231 extended (``name*=charset''…``) and continued (``name*0=``) params.
    """
    if not value:
        return "", {}
    text, _ = header_text(value)
    parts = _split_params(unfold(text))
    main = parts[0].strip().lower()
    params: dict[str, str] = {}
    continued: dict[str, list[tuple[int, str, bool]]] = {}
    for part in parts[1:]:
        key, sep, raw_value = part.partition("=")
        if not sep:
            continue
        key = key.strip().lower()
        extended = key.endswith("*")
        if extended:
            key = key[:-1]
        head, star, index = key.partition("*")
        if star and index.isdigit():
            continued.setdefault(head, []).append((int(index), raw_value, extended))
            continue
        if extended:
            params.setdefault(key, _decode_extended(raw_value.strip(), first=True))
        else:
            params.setdefault(key, _unquote(raw_value))
    for key, pieces in continued.items():
        if key in params:
            continue
        pieces.sort(key=lambda piece: piece[0])
        text_pieces = []
        for i, (_, raw_value, extended) in enumerate(pieces):
            if extended:
                text_pieces.append(_decode_extended(raw_value.strip(), first=i == 0))
            else:
                text_pieces.append(_unquote(raw_value))
        params[key] = "".join(text_pieces)
    return main, params


def _decode_extended(value: str, *, first: bool) -> str:
    charset = "us-ascii"
    if first and value.count("'") >= 2:
        charset, _, rest = value.split("'", 2)
        value = rest
    data = urllib.parse.unquote_to_bytes(_unquote(value))
    return decode_bytes(data, charset or "us-ascii")[0]
