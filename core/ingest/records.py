"""What a format reader yields: a parsed message or a quarantined item. Both cross into the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# Fields an import may keep. The allow-list in ImportOptions picks a subset; the body is always kept.
ALL_FIELDS = ("sent_at", "from", "to", "cc", "subject", "attachments")
DEFAULT_FIELDS = ALL_FIELDS

MAX_MESSAGE_BYTES = 50 * 1024 * 1024  # a raw message above this is quarantined unread
MAX_BODY_CHARS = 1_000_000  # a text body above this is truncated and flagged


class QuarantineReason(StrEnum):
    UNREADABLE_FILE = "unreadable_file"  # I/O error, permission denied
    NOT_AN_EMAIL = "not_an_email"  # no headers and no body we recognise
    NO_TEXT_BODY = "no_text_body"  # only attachments / empty after decoding
    TOO_LARGE = "too_large"  # over MAX_MESSAGE_BYTES
    MALFORMED_MSG = "malformed_msg"  # Outlook .msg that extract-msg cannot open
    MALFORMED_RECORD = "malformed_record"  # CSV/JSON row that is not a usable record
    ENCRYPTED = "encrypted"  # S/MIME or PGP encrypted body
    PARSER_ERROR = "parser_error"  # any other failure; detail names the exception type only


@dataclass(frozen=True)
class ImportOptions:
    """How to read a source. Column options apply to CSV/JSON only."""

    format: str | None = None  # eml | emldir | mbox | maildir | msg | csv | json; None = detect
    fields: tuple[str, ...] = DEFAULT_FIELDS
    text_column: str | None = None
    label_column: str | None = None
    id_column: str | None = None
    subject_column: str | None = None
    from_column: str | None = None
    date_column: str | None = None


@dataclass(frozen=True)
class ParsedMessage:
    """One message, decoded to text. Never logged or printed: it holds personal data."""

    location: str  # source file, plus "#offset=N" (mbox) or "#row=N" (CSV/JSON)
    body: str
    body_kind: str  # plain | html | rtf | record
    size_bytes: int
    natural_id: str | None = None  # Message-ID header, or the CSV/JSON id column
    content_fingerprint: bytes | None = None  # sha256 of the raw bytes; only used when natural_id is None
    sent_at: str | None = None  # ISO 8601 UTC
    from_name: str | None = None
    from_addr: str | None = None
    to_addrs: tuple[str, ...] = ()
    cc_addrs: tuple[str, ...] = ()
    subject: str | None = None
    attachment_count: int = 0
    attachment_types: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    label: str | None = None

    def __repr__(self) -> str:  # keep personal data out of tracebacks and logs
        return f"ParsedMessage(location={self.location!r}, size_bytes={self.size_bytes})"


@dataclass(frozen=True)
class Quarantined:
    """An item that could not be imported, with where it is and why. Holds no message text."""

    location: str
    reason: QuarantineReason
    detail: str  # human-readable, without message content (exception type, not its message)
    size_bytes: int | None = None
    fingerprint: bytes = b""  # sha256 of the raw bytes where available, so re-runs do not repeat it


SourceItem = ParsedMessage | Quarantined


@dataclass
class SourceProgress:
    """Bytes of a source consumed so far, updated by readers as they go."""

    total_bytes: int = 0
    done_bytes: int = 0
    extra: dict[str, int] = field(default_factory=dict)
