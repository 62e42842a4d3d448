"""Outlook .msg files (OLE compound documents) → ParsedMessage, through extract-msg.

Metadata comes from the transport headers stored in the file when there are any (they are the original
RFC 822 headers), else from MAPI properties. Body: the plain-text property, else the HTML body converted to
text, else the RTF body de-encapsulated by extract-msg (body_kind "rtf"). A file extract-msg cannot open is
``malformed_msg``; an S/MIME encrypted item (class IPM.Note.SMIME) is ``encrypted``.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrubdesk.core.ingest import records
from scrubdesk.core.ingest.charset import FALLBACK_FLAG, decode_bytes, normalize_newlines
from scrubdesk.core.ingest.email_parse import meta_charset
from scrubdesk.core.ingest.files import read_limited
from scrubdesk.core.ingest.headers import (
    HeaderBlock,
    decode_text_header,
    parse_addresses,
    parse_date_header,
    plain_value,
    split_header_block,
)
from scrubdesk.core.ingest.html_text import html_to_text
from scrubdesk.core.ingest.records import ParsedMessage, Quarantined, QuarantineReason, SourceItem

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# extract-msg and RTFDE log details of the file they read (class names, header values, RTF text at debug
# level). Personal data never goes to logs, so their records stop here instead of reaching the app's handlers.
for _name in ("extract_msg", "RTFDE"):
    logging.getLogger(_name).propagate = False


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.replace("\x00", "").strip()
    return value or None


def _utc_iso(moment: object) -> str | None:
    if not isinstance(moment, datetime):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _html_text(html: bytes, flags: set[str]) -> str:
    markup, fell_back = decode_bytes(html, meta_charset(html) or "utf-8")
    if fell_back:
        flags.add(FALLBACK_FLAG)
    return html_to_text(normalize_newlines(markup.replace("\x00", "")))


def _body(msg: Any, flags: set[str]) -> tuple[str, str]:
    """(text, kind) from the best body the item has; ("", "plain") when none.

    Order: the plain-text property; the HTML property; the compressed RTF, de-encapsulated by extract-msg
    to its original plain text or HTML (kind "rtf" either way). extract-msg's own ``htmlBody`` would
    also invent HTML from the plain text, so the streams are checked directly.
    """
    if msg.exists("__substg1.0_1000001F") or msg.exists("__substg1.0_1000001E"):
        text = _clean(msg.getStringStream("__substg1.0_1000"))
        if text:
            return normalize_newlines(text), "plain"
    html = msg.getStream("__substg1.0_10130102")
    if html:
        text = _html_text(html, flags)
        if text.strip():
            return text, "html"
    if msg.exists("__substg1.0_10090102"):
        text = _clean(msg.body)
        if text:
            return normalize_newlines(text), "rtf"
        html = msg.htmlBody
        if html:
            return _html_text(html, flags), "rtf"
    return "", "plain"


def _first_address(msg: Any, streams: tuple[str, ...]) -> str | None:
    for stream in streams:
        value = _clean(msg.getStringStream(stream))
        if value and "@" in value:
            return value.lower()
    return None


def _attachment_type(att: Any) -> str:
    mimetype = getattr(att, "mimetype", None)
    if isinstance(mimetype, str) and "/" in mimetype:
        return mimetype.strip().lower()
    if str(getattr(att, "type", "")).lower().endswith("msg"):
        return "application/vnd.ms-outlook"
    return "application/octet-stream"


def convert_message(
    msg: Any, location: str, size: int, fingerprint: bytes, fields: Collection[str]
) -> SourceItem:
    """An opened extract-msg item → ParsedMessage/Quarantined. Kept apart from opening so it can be tested
    against a stand-in object."""
    class_type = (_clean(msg.classType) or "").lower()
    if not class_type:
        return Quarantined(location, QuarantineReason.MALFORMED_MSG, "no message class", size, fingerprint)
    if class_type.endswith(".smime"):
        return Quarantined(location, QuarantineReason.ENCRYPTED, "S/MIME item", size, fingerprint)
    flags: set[str] = set()
    body, kind = _body(msg, flags)
    body = body.rstrip()
    if not body:
        return Quarantined(location, QuarantineReason.NO_TEXT_BODY, "no text body", size, fingerprint)
    if body.lstrip().startswith("-----BEGIN PGP MESSAGE-----"):
        return Quarantined(location, QuarantineReason.ENCRYPTED, "inline PGP message", size, fingerprint)
    if len(body) > records.MAX_BODY_CHARS:
        body = body[: records.MAX_BODY_CHARS]
        flags.add("body_truncated")

    headers = HeaderBlock()
    transport = _clean(msg.getStringStream("__substg1.0_007D"))
    if transport:
        headers, _ = split_header_block(transport.encode("utf-8", "surrogateescape"))

    natural_id = plain_value(headers.first("message-id")) or _clean(msg.getStringStream("__substg1.0_1035"))

    sent_at = from_name = from_addr = subject = None
    to_addrs: list[str] = []
    cc_addrs: list[str] = []
    if "sent_at" in fields:
        sent_at, bad = parse_date_header(headers.first("date"))
        if bad:
            flags.add("bad_date")
        if sent_at is None:
            try:
                sent_at = _utc_iso(msg.date)
            except (ValueError, OverflowError, OSError, TypeError, AttributeError):
                flags.add("bad_date")
    if "from" in fields:
        if headers.all("from"):
            pairs, more = parse_addresses(headers.all("from")[:1])
            flags |= more
            if pairs:
                from_name, from_addr = pairs[0][0] or None, pairs[0][1] or None
        else:
            from_name = _clean(msg.getStringStream("__substg1.0_0C1A"))
            from_addr = _first_address(
                msg, ("__substg1.0_5D01", "__substg1.0_0C1F", "__substg1.0_5D02", "__substg1.0_0065")
            )
    wants = {"to": 1, "cc": 2}
    if any(name in fields for name in wants):
        if headers.all("to") or headers.all("cc"):
            for name, target in (("to", to_addrs), ("cc", cc_addrs)):
                pairs, more = parse_addresses(headers.all(name))
                flags |= more
                target += [addr for _, addr in pairs if addr]
        else:
            for recipient in msg.recipients:
                address = _clean(recipient.email) or _clean(getattr(recipient, "smtpAddress", None))
                if not address or "@" not in address:
                    continue
                kind_no = int(recipient.type)
                if kind_no == wants["to"]:
                    to_addrs.append(address.lower())
                elif kind_no == wants["cc"]:
                    cc_addrs.append(address.lower())
    if headers.first("subject") is not None:
        full_subject, more = decode_text_header(headers.first("subject"))
    else:
        full_subject, more = _clean(msg.subject), set()
    if "subject" in fields:
        subject = full_subject
        flags |= more
    attachment_types: tuple[str, ...] = ()
    if "attachments" in fields:
        attachment_types = tuple(_attachment_type(att) for att in msg.attachments)
    return ParsedMessage(
        location=location,
        body=body,
        body_kind=kind,
        size_bytes=size,
        natural_id=natural_id or None,
        content_fingerprint=fingerprint,
        sent_at=sent_at,
        from_name=from_name,
        from_addr=from_addr,
        to_addrs=tuple(to_addrs) if "to" in fields else (),
        cc_addrs=tuple(cc_addrs) if "cc" in fields else (),
        subject=subject,
        attachment_count=len(attachment_types),
        attachment_types=attachment_types,
        flags=tuple(sorted(flags)),
        content_digest=records.content_digest(full_subject, body),
    )


def parse_msg_bytes(data: bytes, location: str, fields: Collection[str]) -> SourceItem:
    """The bytes of one .msg file → ParsedMessage or Quarantined. Never raises for bad content."""
    size = len(data)
    fingerprint = hashlib.sha256(data).digest()
    if size > records.MAX_MESSAGE_BYTES:
        return Quarantined(
            location, QuarantineReason.TOO_LARGE, "message over the size limit", size, fingerprint
        )
    if not data.startswith(OLE_MAGIC):
        return Quarantined(
            location, QuarantineReason.MALFORMED_MSG, "not an OLE compound file", size, fingerprint
        )
    import extract_msg  # noqa: PLC0415 - lazy: extract_msg and its RTF stack load only for .msg sources
    from extract_msg.enums import ErrorBehavior  # noqa: PLC0415 - lazy: as above

    try:
        # Tolerate broken attachments and RTF, but not a damaged container: a truncated file must be
        # reported as malformed rather than read as an empty message.
        tolerant = ErrorBehavior.SUPPRESS_ALL & ~ErrorBehavior.OLE_DEFECT_INCORRECT
        msg = extract_msg.openMsg(data, strict=False, errorBehavior=tolerant)
    except Exception as exc:  # noqa: BLE001 - extract-msg raises many types for broken files
        return Quarantined(
            location, QuarantineReason.MALFORMED_MSG, f"cannot open: {type(exc).__name__}", size, fingerprint
        )
    try:
        return convert_message(msg, location, size, fingerprint, fields)
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop an import
        return Quarantined(
            location, QuarantineReason.MALFORMED_MSG, f"cannot read: {type(exc).__name__}", size, fingerprint
        )
    finally:
        with contextlib.suppress(Exception):  # closing a broken file may fail too; nothing to do
            msg.close()


def read_msg_file(path: Path, fields: Collection[str]) -> SourceItem:
    data = read_limited(path)
    if isinstance(data, Quarantined):
        return data
    return parse_msg_bytes(data, str(path), fields)
