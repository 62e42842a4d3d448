"""Build small, valid Outlook .msg files (MS-OXMSG in an MS-CFB container) for tests.

extract-msg can read .msg files but has no API to author them; it does ship an OLE (compound file)
writer, so this module lays out the MAPI property streams itself: a top-level property stream, string
properties as ``__substg1.0_XXXXYYYY`` streams, one storage per recipient and per attachment. Only the few
properties the reader uses are written. All content is synthetic.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import compressed_rtf
from extract_msg.ole_writer import OleWriter

PT_LONG = 0x0003
PT_SYSTIME = 0x0040
PT_UNICODE = 0x001F
PT_BINARY = 0x0102
_FLAGS = 0x00000006  # readable | writable


@dataclass
class MsgRecipient:
    email: str
    name: str = ""
    kind: int = 1  # 1 = To, 2 = Cc, 3 = Bcc


@dataclass
class MsgAttachment:
    filename: str
    mime_type: str
    data: bytes


@dataclass
class MsgSpec:
    message_class: str = "IPM.Note"
    subject: str | None = None
    body: str | None = None
    html: bytes | None = None
    rtf: bytes | None = None  # stored compressed, as Outlook does
    sender_name: str | None = None
    sender_email: str | None = None
    message_id: str | None = None
    transport_headers: str | None = None
    sent: datetime | None = None
    recipients: list[MsgRecipient] = field(default_factory=list)
    attachments: list[MsgAttachment] = field(default_factory=list)


class _PropertyStore:
    """Collects the streams and the fixed-length property entries of one MAPI object."""

    def __init__(self, writer: OleWriter, prefix: str) -> None:
        self.writer = writer
        self.prefix = prefix
        self.entries = b""

    def _stream(self, tag: int, kind: int, data: bytes) -> None:
        self.writer.addEntry(f"{self.prefix}__substg1.0_{tag:04X}{kind:04X}", data)
        self.entries += struct.pack(
            "<HHIII", kind, tag, _FLAGS, len(data) + (2 if kind == PT_UNICODE else 0), 0
        )

    def string(self, tag: int, value: str | None) -> None:
        if value is not None:
            self._stream(tag, PT_UNICODE, value.encode("utf-16-le"))

    def binary(self, tag: int, value: bytes | None) -> None:
        if value is not None:
            self._stream(tag, PT_BINARY, value)

    def long(self, tag: int, value: int) -> None:
        self.entries += struct.pack("<HHIiI", PT_LONG, tag, _FLAGS, value, 0)

    def systime(self, tag: int, value: datetime) -> None:
        ticks = int((value - datetime(1601, 1, 1, tzinfo=UTC)).total_seconds() * 10_000_000)
        self.entries += struct.pack("<HHIQ", PT_SYSTIME, tag, _FLAGS, ticks)

    def finish(self, header: bytes) -> None:
        self.writer.addEntry(f"{self.prefix}__properties_version1.0", header + self.entries)


def build_msg(spec: MsgSpec) -> bytes:
    writer = OleWriter()
    top = _PropertyStore(writer, "")
    top.string(0x001A, spec.message_class)
    top.string(0x0037, spec.subject)
    top.string(0x1000, spec.body)
    top.binary(0x1013, spec.html)
    if spec.rtf is not None:
        top.binary(0x1009, compressed_rtf.compress(spec.rtf, compressed=True))
    top.string(0x0C1A, spec.sender_name)
    top.string(0x0C1F, spec.sender_email)
    top.string(0x5D01, spec.sender_email)
    top.string(0x1035, spec.message_id)
    top.string(0x007D, spec.transport_headers)
    if spec.sent is not None:
        top.systime(0x0039, spec.sent)  # PR_CLIENT_SUBMIT_TIME
        top.long(0x0E07, 0x00000001)  # PR_MESSAGE_FLAGS: MSGFLAG_READ (not unsent)
    else:
        top.long(0x0E07, 0x00000008)  # MSGFLAG_UNSENT
    for i, recipient in enumerate(spec.recipients):
        store = _PropertyStore(writer, f"__recip_version1.0_#{i:08X}/")
        writer.addEntry(f"__recip_version1.0_#{i:08X}", storage=True)
        store.string(0x3001, recipient.name or recipient.email)
        store.string(0x3003, recipient.email)
        store.string(0x39FE, recipient.email)
        store.string(0x3002, "SMTP")
        store.long(0x0C15, recipient.kind)
        store.finish(b"\0" * 8)
    for i, attachment in enumerate(spec.attachments):
        writer.addEntry(f"__attach_version1.0_#{i:08X}", storage=True)
        store = _PropertyStore(writer, f"__attach_version1.0_#{i:08X}/")
        store.string(0x3707, attachment.filename)
        store.string(0x3704, attachment.filename[:8])
        store.string(0x370E, attachment.mime_type)
        store.binary(0x3701, attachment.data)
        store.long(0x3705, 1)  # PR_ATTACH_METHOD: by value
        store.finish(b"\0" * 8)
    writer.addEntry("__nameid_version1.0", storage=True)
    for stream in ("__substg1.0_00020102", "__substg1.0_00030102", "__substg1.0_00040102"):
        writer.addEntry(f"__nameid_version1.0/{stream}", b"")
    count_r, count_a = len(spec.recipients), len(spec.attachments)
    top.finish(b"\0" * 8 + struct.pack("<IIII", count_r, count_a, count_r, count_a) + b"\0" * 8)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def write_msg(path: Path, spec: MsgSpec) -> Path:
    path.write_bytes(build_msg(spec))
    return path
