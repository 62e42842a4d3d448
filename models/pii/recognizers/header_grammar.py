"""The grammar of e-mail address headers, in the message's own headers and in the header blocks that
quoted replies and forwards carry in their bodies ('From: Allen, Phillip K.', 'To: Dunton, Heather;
Belden, Tim', 'X-To: Paul Y'Barbo <Paul Y'Barbo / NA / Enron@Enron>').

A header value is a list of mailboxes: display names with or without an address, separated by ';' or
','. A display name may be 'First Last', 'Last, First M.' (Outlook), lower case or in capitals, quoted,
or a Lotus Notes path ('Doug Leach / HOU / ECT@ECT': the name is the part before the first '/').
Organisations ('Discover Card', 'Customer Services', a mailing list) are not people: a display name with an
organisation word, digits, or only ordinary words and no known name is left alone.

Pure functions on strings; the recognisers that use them are in :mod:`header_names`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import regex

from scrubdesk.models.pii.recognizers.names import NOT_NAME_WORDS

# Header fields whose values name people.
PERSON_FIELDS = ("from", "to", "cc", "bcc", "reply-to", "sender", "x-from", "x-to", "x-cc", "x-bcc")
# Every header field name a mail client shows in a quoted header block or a raw message: never a name.
FIELD_NAMES = frozenset(
    {
        "from", "to", "cc", "bcc", "sent", "date", "subject", "reply-to", "sender", "importance",
        "priority", "sensitivity", "return-path", "received", "message-id", "in-reply-to", "references",
        "mime-version", "content-type", "content-transfer-encoding", "content-disposition", "x-from",
        "x-to", "x-cc", "x-bcc", "x-folder", "x-origin", "x-filename", "x-mailer", "x-priority",
        "x-originating-ip", "thread-topic", "thread-index", "delivered-to", "attachments", "attachment",
        "organization", "organisation", "user-agent", "list-id", "list-unsubscribe", "precedence",
        "envelope-to", "resent-from", "resent-to", "disposition-notification-to", "keywords", "comments",
        "sent by", "on behalf of", "auto-submitted", "x-spam-status", "authentication-results",
    }
)  # fmt: skip

_HEADER_LINE = regex.compile(
    r"^[ \t>]*(?P<field>(?:X-)?(?:From|To|Cc|Bcc)|Reply-To|Sender)[ \t]*:[ \t]*(?P<value>[^\n]*?)[ \t]*$",
    regex.IGNORECASE | regex.MULTILINE,
)
# A line of a header block: 'Importance: High', 'Bcc: ...', 'Return-Path: <...>'. The label is no name.
FIELD_LABEL = regex.compile(
    r"^[ \t>]*(?P<label>[A-Za-z][A-Za-z-]*(?:[ \t]by|[ \t]of)?)[ \t]*:(?=[ \t]|$)", regex.MULTILINE
)
# Parts of a header value that are no display name: addresses in brackets (closed or not), bare
# addresses, Lotus Notes organisation paths ('/ HOU / ECT@ECT'), '@DOMAIN' tails, quotes.
_NOT_DISPLAY = regex.compile(
    r"<[^>\n]*>?|\[[^\]\n]*\]?|\(\S*@[^)\n]*\)|[\w.'+-]*@[\w.-]+"
    r"|(?<=\S)[ \t]*/[ \t]*[\w&.'-]+(?:[ \t]*/[ \t]*[\w&.'-]+)*(?:@[\w.-]+)?"
    r"|mailto:|\"|(?<!\w)'|'(?!\w)"
)
_WORD = regex.compile(r"\p{L}[\p{L}\p{M}'’.-]*")
_INITIAL = regex.compile(r"\p{Lu}\.?(?:\p{Lu}\.?)?")
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "md", "esq", "esq."})
# Words that make a display name an organisation, a role or a list.
ORGANISATION_WORDS = frozenset(
    {
        "inc", "ltd", "llc", "plc", "corp", "corporation", "company", "co", "gmbh", "ag", "sa", "bv",
        "group", "team", "bank", "card", "cards", "services", "service", "support", "department", "dept",
        "customer", "customers", "club", "association", "newsletter", "news", "digest", "alert", "alerts",
        "notification", "notifications", "mailer", "daemon", "admin", "administrator", "office", "desk",
        "university", "college", "school", "council", "agency", "foundation", "trust", "society",
        "institute", "committee", "board", "store", "shop", "online", "airlines", "airways", "insurance",
        "energy", "power", "telecom", "network", "systems", "solutions", "technologies", "media", "press",
        "magazine", "times", "journal", "undisclosed", "recipients", "recipient", "list", "lists", "all",
        "everyone", "staff", "marketing", "sales", "billing", "accounts", "helpdesk", "noreply",
        "no-reply", "info", "mail", "e-mail", "email", "postmaster", "webmaster", "bot", "reply",
        "centre", "center", "partners", "associates", "holdings", "international", "global",
    }
)  # fmt: skip


@dataclass(frozen=True)
class NameWords:
    """What a caller knows about words (the name lexicon), to tell people from organisations."""

    is_name: Callable[[str], bool]  # a known given name or surname
    is_ordinary: Callable[[str], bool]  # an ordinary word or noun

    @staticmethod
    def unknown() -> NameWords:
        return NameWords(lambda w: False, lambda w: False)


@dataclass(frozen=True, slots=True)
class Mailbox:
    """One display name in a header value: its offsets (relative to the value) and its words."""

    start: int
    end: int
    words: tuple[str, ...]  # the name words, without initials and suffixes
    surname_first: bool  # 'Allen, Phillip K.'


@functools.lru_cache(maxsize=4096)
def display_names(value: str, words: NameWords) -> tuple[Mailbox, ...]:
    """The people's display names of a header value, in order. Organisations are left out. Memoised:
    quoted replies repeat the same header lines (held in memory only, like the text itself)."""
    # A comma inside quotes ('"Davis, Dana" <d@x>') is part of the name, not a separator: it becomes
    # _QUOTED_COMMA (same length, so offsets hold).
    quoted = _QUOTED.sub(lambda m: m.group().replace(",", _QUOTED_COMMA), value) if '"' in value else value
    masked = _NOT_DISPLAY.sub(lambda m: " " * len(m.group()), quoted)
    separator = ";" if ";" in masked or _one_surname_first(value, masked) else ","
    found: list[Mailbox] = []
    pos = 0
    for piece in masked.split(separator):
        start, pos = pos, pos + len(piece) + 1
        for part_start, part in _split_and(piece):
            mailbox = _mailbox(part, start + part_start, words, allow_comma=separator == ";")
            if mailbox is not None:
                found.append(mailbox)
    return tuple(found)


def _one_surname_first(value: str, masked: str) -> bool:
    """'Quarrington, Odile' or 'Allen, Phillip K. [pallen@...]': one person, surname first (one comma,
    no address before it; 'Mary Smith <m@x>, Jo Lamb <j@x>' is two)."""
    if masked.count(",") != 1:
        return False
    comma = masked.index(",")
    if any(ch in value[:comma] for ch in '<@["'):
        return False
    last, first = masked.split(",")
    return 1 <= len(last.split()) <= 2 and 1 <= len(first.split()) <= 3


def _split_and(piece: str) -> Iterator[tuple[int, str]]:
    """'Amy & Alistair' is two people."""
    pos = 0
    for m in regex.finditer(r"[ \t]+(?:&|and)[ \t]+", piece):
        yield pos, piece[pos : m.start()]
        pos = m.end()
    yield pos, piece[pos:]


_QUOTED = regex.compile(r'"[^"\n]*"')
_QUOTED_COMMA = "\u201a"  # a low quotation mark: not a separator, not a word character


def _mailbox(part: str, offset: int, words: NameWords, *, allow_comma: bool) -> Mailbox | None:
    if any(ch.isdigit() for ch in part) or (not allow_comma and "," in part):
        return None
    tokens = list(_WORD.finditer(part))
    if not tokens or len(tokens) > 5:
        return None
    lowered = [t.group().lower().rstrip(".") for t in tokens]
    if any(w in ORGANISATION_WORDS or w in NOT_NAME_WORDS for w in lowered):
        return None
    name_words = tuple(
        t.group().rstrip(".")
        for t in tokens
        if not _INITIAL.fullmatch(t.group()) and t.group().lower() not in _SUFFIXES
    )
    if not name_words:
        return None
    known = any(words.is_name(w) for w in name_words)
    if len(name_words) > 1 and not known and any(words.is_ordinary(w) for w in name_words):
        return None  # 'Map Request', 'Market Data': no known name, ordinary words
    inside = part[tokens[0].start() : tokens[-1].end()]
    return Mailbox(
        offset + tokens[0].start(),
        offset + tokens[-1].end(),
        name_words,
        "," in inside or _QUOTED_COMMA in inside,
    )


@dataclass(frozen=True, slots=True)
class HeaderLine:
    field: str  # lower case
    value_start: int
    value_end: int


def header_lines(text: str) -> Iterator[HeaderLine]:
    """The address header lines of ``text`` (a message's own, quoted or forwarded header blocks)."""
    if ":" not in text:
        return
    for m in _HEADER_LINE.finditer(text):
        if m.group("value"):
            yield HeaderLine(m.group("field").lower(), m.start("value"), m.end("value"))


def field_labels(text: str) -> Iterator[tuple[int, int]]:
    """Offsets of header field names at the start of lines ('Importance', 'Return-Path')."""
    for m in FIELD_LABEL.finditer(text):
        label = m.group("label")
        if label.lower() in FIELD_NAMES or label.lower().startswith("x-"):
            yield m.span("label")
