"""The bytes of one RFC 822 message → a ParsedMessage or a Quarantined. Never raises for bad content.

Rules (see also docs in ``readers``):
- Over ``records.MAX_MESSAGE_BYTES`` → ``too_large``, unparsed; a header block over
  ``records.MAX_HEADER_BYTES`` → ``header_too_large``. Header parsing is linear in the block's size.
- No header block, or none of the usual email header names in it → ``not_an_email`` (a plain text file
  is not imported as an email with no metadata).
- Body: text/plain preferred, else text/html converted to text (body_kind "html"). Inside
  multipart/alternative one alternative is chosen (plain first); inside multipart/mixed and friends all
  inline text parts are joined with a blank line. Parts with ``Content-Disposition: attachment``, non-text
  parts and text parts other than plain/html are attachments: counted, MIME type kept, never decoded.
- multipart/encrypted, application/pkcs7-mime, or an inline "BEGIN PGP MESSAGE" body → ``encrypted``.
- No usable text → ``no_text_body``.
- Anything unexpected → ``parser_error`` with the exception type name only.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection

from scrubdesk.core.ingest import records
from scrubdesk.core.ingest.charset import FALLBACK_FLAG, decode_bytes, normalize_newlines
from scrubdesk.core.ingest.headers import (
    decode_text_header,
    parse_addresses,
    parse_date_header,
    plain_value,
    split_header_block,
)
from scrubdesk.core.ingest.html_text import html_to_text
from scrubdesk.core.ingest.mime import MAX_DEPTH, Part, children, parse_part
from scrubdesk.core.ingest.records import ParsedMessage, Quarantined, QuarantineReason
from scrubdesk.core.ingest.recovery import (
    BOUNDARY_GUESSED,
    decode_embedded_blocks,
    decode_unlabelled,
    guess_boundary,
)

ENCRYPTED_TYPES = frozenset(
    {"multipart/encrypted", "application/pkcs7-mime", "application/x-pkcs7-mime", "application/pgp-encrypted"}
)
# Signature parts of multipart/signed: neither body nor attachment.
SIGNATURE_TYPES = frozenset(
    {"application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature"}
)
BODY_TYPES = frozenset({"text/plain", "text/html"})
DECODED_ENCODINGS = frozenset({"base64", "quoted-printable"})  # what Part.decoded() undoes
_PGP_MESSAGE = "-----BEGIN PGP MESSAGE-----"
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


class _Walk:
    """What a walk over the MIME tree found: body candidates, attachment types, encryption, flags."""

    __slots__ = ("attachments", "encrypted", "flags", "spare")

    def __init__(self) -> None:
        self.attachments: list[str] = []
        self.encrypted = False
        self.flags: set[str] = set()
        self.spare: list[list[Part]] = []  # the alternatives not chosen, best first, for an empty choice

    def candidates(self, part: Part, depth: int) -> list[Part]:
        """The leaf parts that make up the body of ``part``, in order."""
        ctype = part.content_type
        if ctype in ENCRYPTED_TYPES:
            self.encrypted = True
            return []
        if part.maintype == "multipart":
            subparts = children(part) if depth < MAX_DEPTH else None
            if subparts is None and depth < MAX_DEPTH:
                subparts = self._guessed_children(part)
            if subparts is None:
                if depth >= MAX_DEPTH:
                    self.attachments.append(ctype)
                    return []
                # No boundary, or it never appears: the body is all there is. Read it as text.
                self.flags.add("broken_mime")
                return [part] if part.body_end > part.body_start else []
            if ctype == "multipart/alternative":
                return self._alternative(subparts, depth + 1)
            found: list[Part] = []
            for sub in subparts:
                found += self.candidates(sub, depth + 1)
            return found
        if ctype in SIGNATURE_TYPES:
            return []
        if ctype == "text/plain" and depth < MAX_DEPTH and _opens_with_a_part(part):
            # A multipart whose Content-Type header was lost: its body starts with a delimiter line.
            subparts = self._guessed_children(part)
            if subparts is not None:
                found = []
                for sub in subparts:
                    found += self.candidates(sub, depth + 1)
                return found
        if ctype in BODY_TYPES and part.disposition() != "attachment":
            return [part]
        self.attachments.append(ctype)
        return []

    def _guessed_children(self, part: Part) -> list[Part] | None:
        """The parts of a multipart split on the delimiter its body really uses (recovery.guess_boundary)."""
        boundary = guess_boundary(part.raw, part.body_start, part.body_end)
        subparts = children(part, boundary) if boundary else None
        if subparts is not None:
            self.flags.add(BOUNDARY_GUESSED)
        return subparts

    def _alternative(self, subparts: list[Part], depth: int) -> list[Part]:
        options = [option for option in (self.candidates(sub, depth) for sub in subparts) if option]
        plain = [o for o in options if all(p.content_type != "text/html" for p in o)]
        ranked = plain + [o for o in options if o not in plain]
        self.spare += ranked[1:]
        return ranked[0] if ranked else []


def meta_charset(markup: bytes) -> str | None:
    """The charset an HTML document declares in a <meta> tag near its start, if any."""
    found = _META_CHARSET_RE.search(markup, 0, 4096)
    return found.group(1).decode("ascii") if found else None


def _opens_with_a_part(part: Part) -> bool:
    """The body's first line is a MIME delimiter ("--x") followed by a part header."""
    raw, start = part.raw, part.body_start
    while start < part.body_end and raw[start] in b"\r\n":
        start += 1
    if not raw.startswith(b"--", start, part.body_end):
        return False
    line_end = raw.find(b"\n", start, part.body_end)
    return line_end > 0 and guess_boundary(raw, start, min(part.body_end, line_end + 200)) is not None


def _part_text(part: Part, flags: set[str]) -> tuple[str, str]:
    """Decode one chosen part → (text, kind). A body that no transfer encoding describes but that is
    base64 or quoted-printable all the same, and base64 blocks inside a text body, are decoded best
    effort (see :mod:`recovery`)."""
    data, repaired = part.decoded()
    if repaired:
        flags.add("transfer_encoding_repaired")
    charset = part.param("charset")
    if part.transfer_encoding() not in DECODED_ENCODINGS:
        data, flag = decode_unlabelled(data, charset)
        if flag:
            flags.add(flag)
    is_html = part.content_type == "text/html"
    if is_html and not charset:
        charset = meta_charset(data)
    text, fell_back = decode_bytes(data, charset)
    if fell_back:
        flags.add(FALLBACK_FLAG)
    text = normalize_newlines(text)
    if text.startswith("\ufeff"):  # a byte order mark is not text
        text = text[1:]
    if "\x00" in text:  # NUL is never text; the store and the analysers should not see it
        text = text.replace("\x00", "")
    text, block_flags = decode_embedded_blocks(text, charset)
    flags |= block_flags
    if is_html:
        return html_to_text(text), "html"
    return text, "plain"


def _body_text(parts: list[Part], flags: set[str]) -> tuple[str, str]:
    """The chosen parts decoded and joined → (body, kind); kind is "html" if any part was HTML."""
    texts: list[str] = []
    kind = "plain"
    for part in parts:
        text, part_kind = _part_text(part, flags)
        text = text.rstrip()
        if text:
            texts.append(text)
            if part_kind == "html":
                kind = "html"
    return "\n\n".join(texts), kind


def _fingerprint(raw: bytes) -> bytes:
    return hashlib.sha256(raw).digest()


def parse_email(
    raw: bytes, location: str, fields: Collection[str] = records.ALL_FIELDS
) -> records.SourceItem:
    """One message's raw bytes → ParsedMessage or Quarantined. ``fields`` is the import allow-list."""
    size = len(raw)
    if size > records.MAX_MESSAGE_BYTES:
        return Quarantined(
            location, QuarantineReason.TOO_LARGE, "message over the size limit", size, _fingerprint(raw)
        )
    fingerprint = _fingerprint(raw)
    if not raw or raw.isspace():
        return Quarantined(location, QuarantineReason.NOT_AN_EMAIL, "empty", size, fingerprint)
    try:
        return _parse(raw, location, fields, size, fingerprint)
    except Exception as exc:  # noqa: BLE001 - one bad message must never stop an import
        return Quarantined(
            location, QuarantineReason.PARSER_ERROR, f"parse failed: {type(exc).__name__}", size, fingerprint
        )


def _parse(
    raw: bytes, location: str, fields: Collection[str], size: int, fingerprint: bytes
) -> records.SourceItem:
    if b"\n" not in raw and b"\r" in raw:  # old Mac line endings (CR only)
        raw = raw.replace(b"\r", b"\n")
    start = len(raw) - len(raw.lstrip(b"\r\n"))  # tolerate blank lines before the headers
    if raw.startswith(b"From ", start):  # an mbox "From " envelope line left on a single message
        nl = raw.find(b"\n", start)
        start = len(raw) if nl < 0 else nl + 1
    headers, body_start = split_header_block(raw, start)
    if len(headers.block) > records.MAX_HEADER_BYTES:
        return Quarantined(
            location, QuarantineReason.HEADER_TOO_LARGE, "header block over the size limit", size, fingerprint
        )
    if not headers.looks_like_email():
        return Quarantined(
            location, QuarantineReason.NOT_AN_EMAIL, "no email header block", size, fingerprint
        )

    top = parse_part(raw, body_start, len(raw), headers=headers)
    walk = _Walk()
    chosen = walk.candidates(top, 0)
    flags = walk.flags

    def quarantine(reason: QuarantineReason, detail: str) -> Quarantined:
        return Quarantined(location, reason, detail, size, fingerprint)

    if walk.encrypted and (top.content_type in ENCRYPTED_TYPES or not chosen):
        # Fixed wording only: a crafted Content-Type must not carry header text into the quarantine list.
        kind = top.content_type if top.content_type in ENCRYPTED_TYPES else "an encrypted part"
        return quarantine(QuarantineReason.ENCRYPTED, f"encrypted body ({kind})")
    body, kind = _body_text(chosen, flags)
    for spare in walk.spare:  # the chosen alternative was empty (an empty text/plain beside real HTML)
        if body:
            break
        body, kind = _body_text(spare, flags)
    if body.lstrip().startswith(_PGP_MESSAGE):
        return quarantine(QuarantineReason.ENCRYPTED, "inline PGP message")
    if not body:
        return quarantine(
            QuarantineReason.NO_TEXT_BODY, f"no text body ({len(walk.attachments)} attachments)"
        )
    limit = records.MAX_BODY_CHARS
    if len(body) > limit:
        body = body[:limit]
        flags.add("body_truncated")

    found = headers.common()
    message_ids = found.get("message-id")
    natural_id = plain_value(message_ids[0]) or None if message_ids else None

    sent_at = from_name = from_addr = subject = None
    to_addrs: tuple[str, ...] = ()
    cc_addrs: tuple[str, ...] = ()
    if "sent_at" in fields:
        dates = found.get("date")
        sent_at, bad = parse_date_header(dates[0] if dates else None)
        if bad:
            flags.add("bad_date")
    if "from" in fields:
        senders, sender_flags = parse_addresses(found.get("from", [])[:1])
        flags |= sender_flags
        if senders:
            from_name = senders[0][0] or None
            from_addr = senders[0][1] or None
    if "to" in fields:
        pairs, address_flags = parse_addresses(found.get("to", []))
        flags |= address_flags
        to_addrs = tuple(addr for _, addr in pairs if addr)
    if "cc" in fields:
        pairs, address_flags = parse_addresses(found.get("cc", []))
        flags |= address_flags
        cc_addrs = tuple(addr for _, addr in pairs if addr)
    subjects = found.get("subject")
    full_subject, subject_flags = decode_text_header(subjects[0] if subjects else None)
    if "subject" in fields:
        subject = full_subject
        flags |= subject_flags
    keep_attachments = "attachments" in fields
    return ParsedMessage(
        location=location,
        body=body,
        body_kind=kind,
        size_bytes=size,
        natural_id=natural_id,
        content_fingerprint=fingerprint,
        sent_at=sent_at,
        from_name=from_name,
        from_addr=from_addr,
        to_addrs=to_addrs,
        cc_addrs=cc_addrs,
        subject=subject,
        attachment_count=len(walk.attachments) if keep_attachments else 0,
        attachment_types=tuple(walk.attachments) if keep_attachments else (),
        flags=tuple(sorted(flags)),
        content_digest=records.content_digest(full_subject, body),
    )
