"""Outlook .msg files. The files are real MS-CFB/MS-OXMSG documents built by ``msg_builder`` (extract-msg
ships an OLE writer but no .msg authoring API) and read back through extract-msg, not mocked."""

from __future__ import annotations

import hashlib
import io
import logging
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from extract_msg.ole_writer import OleWriter

from scrubdesk.core.ingest import records
from scrubdesk.core.ingest.outlook import convert_message, parse_msg_bytes
from scrubdesk.core.ingest.readers import read_source
from scrubdesk.core.ingest.records import (
    ImportOptions,
    ParsedMessage,
    Quarantined,
    QuarantineReason,
    SourceProgress,
)
from tests.core.ingest.corpus import MARK
from tests.core.ingest.msg_builder import MsgAttachment, MsgRecipient, MsgSpec, build_msg

FULL = MsgSpec(
    subject=f"Refund {MARK}",
    body=f"Hello,\r\n{MARK} please refund order 4411.\r\n\r\n",
    sender_name="Alice Example",
    sender_email="Alice@Example.org",
    message_id="<msg-1@example.org>",
    sent=datetime(2024, 3, 1, 12, 30, tzinfo=UTC),
    recipients=[
        MsgRecipient("Bob@Example.com", "Bob"),
        MsgRecipient("carol@example.com", "Carol", kind=2),
        MsgRecipient("dave@example.com", "Dave", kind=3),
    ],
    attachments=[
        MsgAttachment("invoice-4411.pdf", "application/pdf", b"%PDF-1.4 synthetic"),
        MsgAttachment("photo.jpg", "image/jpeg", b"\xff\xd8\xff synthetic"),
    ],
)


def parse(spec: MsgSpec, fields: tuple[str, ...] = records.ALL_FIELDS) -> ParsedMessage | Quarantined:
    return parse_msg_bytes(build_msg(spec), "mail.msg", fields)


def test_full_message(tmp_path: Path) -> None:
    data = build_msg(FULL)
    path = tmp_path / "mail.msg"
    path.write_bytes(data)
    [m] = list(read_source(path, ImportOptions(), SourceProgress()))
    assert isinstance(m, ParsedMessage)
    assert m.body == f"Hello,\n{MARK} please refund order 4411."
    assert m.body_kind == "plain"
    assert m.subject == f"Refund {MARK}"
    assert (m.from_name, m.from_addr) == ("Alice Example", "alice@example.org")
    assert m.to_addrs == ("bob@example.com",)
    assert m.cc_addrs == ("carol@example.com",)  # Bcc is neither
    assert m.sent_at == "2024-03-01T12:30:00+00:00"
    assert m.natural_id == "<msg-1@example.org>"
    assert m.attachment_types == ("application/pdf", "image/jpeg")
    assert m.attachment_count == 2
    assert m.content_fingerprint == hashlib.sha256(data).digest()
    assert m.size_bytes == len(data)
    assert m.location == str(path)


def test_fields_allow_list() -> None:
    m = parse(FULL, fields=("sent_at",))
    assert isinstance(m, ParsedMessage)
    assert m.sent_at == "2024-03-01T12:30:00+00:00"
    assert (m.subject, m.from_addr, m.to_addrs, m.cc_addrs, m.attachment_count) == (None, None, (), (), 0)


def test_transport_headers_take_precedence() -> None:
    headers = (
        "Received: from mx.example.org\r\n"
        "From: =?utf-8?Q?J=C3=BCrgen?= <JM@example.de>\r\n"
        "To: one@example.com, two@example.com\r\n"
        "Subject: =?utf-8?B?w5xiZXI=?=\r\n"
        "Date: Tue, 5 Mar 2024 08:00:00 -0500\r\n"
        "Message-ID: <hdr-1@example.de>\r\n\r\n"
    )
    m = parse(
        MsgSpec(body="text", transport_headers=headers, subject="ignored", sender_email="x@example.org")
    )
    assert isinstance(m, ParsedMessage)
    assert (m.from_name, m.from_addr) == ("Jürgen", "jm@example.de")
    assert m.to_addrs == ("one@example.com", "two@example.com")
    assert m.subject == "Über"
    assert m.sent_at == "2024-03-05T13:00:00+00:00"
    assert m.natural_id == "<hdr-1@example.de>"


def test_html_body() -> None:
    html = b'<html><head><meta charset="windows-1252"></head><body><p>caf\xe9</p><p>two</p></body></html>'
    m = parse(MsgSpec(html=html))
    assert isinstance(m, ParsedMessage)
    assert (m.body, m.body_kind, m.flags) == ("café\n\ntwo", "html", ())


@pytest.mark.parametrize(
    ("rtf", "expected"),
    [
        (rb"{\rtf1\ansi\ansicpg1252\fromtext \deff0{\fonttbl{\f0 Arial;}}\pard\plain\f0 "
         rb"From RTF\par line two\par}",
         "From RTF\nline two"),
        (rb"{\rtf1\ansi\ansicpg1252\fromhtml1 \deff0{\fonttbl{\f0 Arial;}}{\*\htmltag64 <p>}Encapsulated HTML"
         rb"{\*\htmltag72 </p>}\par}", "Encapsulated HTML"),
    ],
)  # fmt: skip
def test_rtf_body(rtf: bytes, expected: str) -> None:
    m = parse(MsgSpec(rtf=rtf))
    assert isinstance(m, ParsedMessage)
    assert (m.body, m.body_kind) == (expected, "rtf")


def test_no_body_is_no_text_body() -> None:
    q = parse(MsgSpec(subject=MARK))
    assert isinstance(q, Quarantined) and q.reason is QuarantineReason.NO_TEXT_BODY


def test_smime_encrypted_item() -> None:
    q = parse(MsgSpec(message_class="IPM.Note.SMIME", body="x"))
    assert isinstance(q, Quarantined) and q.reason is QuarantineReason.ENCRYPTED


def test_body_truncation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "MAX_BODY_CHARS", 10)
    m = parse(MsgSpec(body="0123456789abcdef"))
    assert isinstance(m, ParsedMessage) and m.body == "0123456789" and "body_truncated" in m.flags


def test_not_an_ole_file() -> None:
    q = parse_msg_bytes(b"this is not an outlook file " + MARK.encode(), "x.msg", records.ALL_FIELDS)
    assert isinstance(q, Quarantined)
    assert (q.reason, q.detail) == (QuarantineReason.MALFORMED_MSG, "not an OLE compound file")


def test_truncated_msg() -> None:
    data = build_msg(FULL)
    q = parse_msg_bytes(data[: len(data) // 2], "x.msg", records.ALL_FIELDS)
    assert isinstance(q, Quarantined) and q.reason is QuarantineReason.MALFORMED_MSG
    assert q.detail.startswith(("cannot open: ", "cannot read: "))
    assert MARK not in q.detail


def test_ole_file_that_is_not_a_message() -> None:
    writer = OleWriter()
    writer.addEntry("WordDocument", b"\x00" * 600)
    out = io.BytesIO()
    writer.write(out)
    q = parse_msg_bytes(out.getvalue(), "x.msg", records.ALL_FIELDS)
    assert isinstance(q, Quarantined) and q.reason in (
        QuarantineReason.MALFORMED_MSG,
        QuarantineReason.NO_TEXT_BODY,
    )


def test_too_large(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(records, "MAX_MESSAGE_BYTES", 1000)
    path = tmp_path / "big.msg"
    path.write_bytes(build_msg(FULL))
    [q] = list(read_source(path, ImportOptions(), SourceProgress()))
    assert isinstance(q, Quarantined) and q.reason is QuarantineReason.TOO_LARGE


def test_failure_while_reading_is_malformed_with_type_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from scrubdesk.core.ingest import outlook

    def explode(*_: object) -> None:
        raise KeyError(MARK)

    monkeypatch.setattr(outlook, "convert_message", explode)
    q = parse(FULL)
    assert isinstance(q, Quarantined)
    assert (q.reason, q.detail) == (QuarantineReason.MALFORMED_MSG, "cannot read: KeyError")


def test_stand_in_object_boundary() -> None:
    """convert_message only needs this small surface of extract-msg's Message (documented for upgrades)."""
    msg = SimpleNamespace(
        classType="IPM.Note",
        exists=lambda name: name == "__substg1.0_1000001F",
        getStringStream=lambda name: {"__substg1.0_1000": "stand-in body", "__substg1.0_0C1A": "S"}.get(name),
        getStream=lambda name: None,
        date=datetime(2024, 1, 1, tzinfo=UTC),
        subject="subj",
        recipients=[SimpleNamespace(email="R@example.com", type=1)],
        attachments=[SimpleNamespace(mimetype=None, type="msg")],
    )
    m = convert_message(msg, "x.msg", 10, b"fp", records.ALL_FIELDS)
    assert isinstance(m, ParsedMessage)
    assert (m.body, m.subject, m.from_name, m.to_addrs) == ("stand-in body", "subj", "S", ("r@example.com",))
    assert m.attachment_types == ("application/vnd.ms-outlook",)


def test_third_party_loggers_do_not_reach_app_handlers() -> None:
    """extract-msg logs stream names and header values; none of it may reach the app's (root) handlers.
    (pytest's caplog attaches itself to non-propagating loggers too, so a plain root handler is used.)"""

    class Collect(logging.Handler):
        def __init__(self) -> None:
            super().__init__(logging.DEBUG)
            self.names: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.names.append(record.name)

    root = logging.getLogger()
    handler, old_level = Collect(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        parse(FULL)
        parse_msg_bytes(build_msg(FULL)[:3000], "x.msg", records.ALL_FIELDS)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    assert not [name for name in handler.names if name.startswith(("extract_msg", "RTFDE"))]
