"""What a format reader yields: a parsed message or a quarantined item. Both cross into the store."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

# Fields an import may keep. The allow-list in ImportOptions picks a subset; the body is always kept.
ALL_FIELDS = ("sent_at", "from", "to", "cc", "subject", "attachments")
DEFAULT_FIELDS = ALL_FIELDS

MAX_MESSAGE_BYTES = 50 * 1024 * 1024  # a raw message above this is quarantined unread
MAX_BODY_CHARS = 1_000_000  # a text body above this is truncated and flagged
# A header block above this is quarantined unparsed. Parsing is linear in its size (bench/ingest.py), so
# the cap only bounds memory and time per message: real header blocks stay far below it (a 10,000-name
# recipient list is ~500 KB).
MAX_HEADER_BYTES = 4 * 1024 * 1024


class QuarantineReason(StrEnum):
    UNREADABLE_FILE = "unreadable_file"  # I/O error, permission denied
    NOT_AN_EMAIL = "not_an_email"  # no headers and no body we recognise
    NO_TEXT_BODY = "no_text_body"  # only attachments / empty after decoding
    TOO_LARGE = "too_large"  # over MAX_MESSAGE_BYTES
    MALFORMED_MSG = "malformed_msg"  # Outlook .msg that extract-msg cannot open
    MALFORMED_RECORD = "malformed_record"  # CSV/JSON row that is not a usable record
    ENCRYPTED = "encrypted"  # S/MIME or PGP encrypted body
    PARSER_ERROR = "parser_error"  # any other failure; detail names the exception type only
    HEADER_TOO_LARGE = "header_too_large"  # a header block over MAX_HEADER_BYTES: never parsed
    SPECIAL_FILE = "special_file"  # a FIFO, device or socket: never read (it could block or never end)
    SKIPPED_HIDDEN = "skipped_hidden"  # a hidden file or folder (".name"): not read
    SKIPPED_MAILDIR_TMP = "skipped_maildir_tmp"  # a maildir delivery still in progress (tmp/): not read
    SKIPPED_FOLDER = "skipped_folder"  # a folder that is not read: inside cur/ or new/, or a link


# How people see each reason (the CLI, the GUI import dialog and the quarantine list all use this).
REASON_TEXT: dict[QuarantineReason, str] = {
    QuarantineReason.UNREADABLE_FILE: "Unreadable file",
    QuarantineReason.NOT_AN_EMAIL: "Not an email",
    QuarantineReason.NO_TEXT_BODY: "No text body",
    QuarantineReason.TOO_LARGE: "Too large",
    QuarantineReason.MALFORMED_MSG: "Malformed Outlook .msg",
    QuarantineReason.MALFORMED_RECORD: "Malformed CSV/JSON record",
    QuarantineReason.ENCRYPTED: "Encrypted (S/MIME or PGP)",
    QuarantineReason.PARSER_ERROR: "Parser error",
    QuarantineReason.HEADER_TOO_LARGE: "Header too large",
    QuarantineReason.SPECIAL_FILE: "Not a regular file (pipe, device or socket)",
    QuarantineReason.SKIPPED_HIDDEN: "Skipped: hidden",
    QuarantineReason.SKIPPED_MAILDIR_TMP: "Skipped: maildir delivery in progress (tmp/)",
    QuarantineReason.SKIPPED_FOLDER: "Skipped: folder not part of the mail",
}
SKIP_REASONS = frozenset(
    {QuarantineReason.SKIPPED_HIDDEN, QuarantineReason.SKIPPED_MAILDIR_TMP, QuarantineReason.SKIPPED_FOLDER}
)


# The flags readers put on a message, and how people see them. NEEDS_REVIEW: the message's text may be
# incomplete or still encoded (personal data the analyser cannot see): keep it out of training and out of
# approve-all until a reviewer has looked at it.
FLAG_TEXT: dict[str, str] = {
    "body_truncated": "body truncated",
    "charset_fallback": "charset guessed",
    "bad_date": "unreadable date",
    "broken_mime": "broken MIME",
    "transfer_encoding_repaired": "encoding repaired",
    "bad_encoded_word": "bad encoded header",
    "bad_address": "impossible address dropped",
    "boundary_guessed": "MIME boundary guessed",
    "transfer_encoding_guessed": "encoding guessed",
    "undecoded_body": "undecodable data in body",
}
NEEDS_REVIEW_FLAGS = frozenset({"undecoded_body"})


def flag_text(flag: str) -> str:
    return FLAG_TEXT.get(flag, flag.replace("_", " "))


def reason_text(reason: str) -> str:
    """The wording of a quarantine reason code (the code itself when it is not one we know)."""
    try:
        return REASON_TEXT[QuarantineReason(reason)]
    except ValueError:
        return reason


def location_text(location: str) -> str:
    """A location that can be stored and printed: a file name that is not valid UTF-8 (read from the disk
    with surrogate escapes) keeps its bytes, each undecodable byte written as ``\\xNN``."""
    if location.isascii():
        return location
    try:
        location.encode("utf-8")
    except UnicodeEncodeError:
        try:
            raw = location.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            return location.encode("utf-8", "backslashreplace").decode("ascii")
        return raw.decode("utf-8", "backslashreplace")
    return location


def content_digest(subject: str | None, body: str) -> bytes:
    """What makes two copies with the same Message-ID (or record ID) the same message: subject and body."""
    data = f"{subject or ''}\x00{body}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).digest()


def shown(path: object) -> str:
    """A path as text for messages and locations (see location_text)."""
    return location_text(str(path))


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
    # CSV/JSON record IDs name a record within its file unless the user says they are global (the same ID
    # in two files is then the same record, as long as the text is the same too).
    global_ids: bool = False


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
    # sha256 of the subject and the body (see content_digest), the subject read even when the allow-list
    # leaves it out, so a message's content identity does not depend on the allow-list
    content_digest: bytes = b""

    def __post_init__(self) -> None:
        object.__setattr__(self, "location", location_text(self.location))
        if not self.content_digest:
            object.__setattr__(self, "content_digest", content_digest(self.subject, self.body))

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

    def __post_init__(self) -> None:
        object.__setattr__(self, "location", location_text(self.location))


SourceItem = ParsedMessage | Quarantined


@dataclass
class SourceProgress:
    """Bytes of a source consumed so far, updated by readers as they go."""

    total_bytes: int = 0
    done_bytes: int = 0
    extra: dict[str, int] = field(default_factory=dict)


_COLUMN_NAME = re.compile(r"\w[\w .:/()-]{0,39}")
MAX_NAMED_COLUMNS = 30


def describe_header(header: Sequence[str]) -> str:
    """The columns a file has, for an error message, when its first line is a CSV header; otherwise only
    that it is not one. A file that is not a CSV (an e-mail, a letter) would have its first line quoted."""
    names = [str(h).strip() for h in header]
    if names and len(names) <= MAX_NAMED_COLUMNS and all(_COLUMN_NAME.fullmatch(n) for n in names):
        return f"its columns: {', '.join(names)}"
    return f"its first line does not look like a CSV header ({len(names)} field(s); not shown)"
