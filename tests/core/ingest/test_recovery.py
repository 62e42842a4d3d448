"""Malformed MIME decoded best effort (issue 14 point 6): samples built here, never real mail."""

from __future__ import annotations

import base64
import quopri
import random

import pytest

from scrubdesk.core.ingest.email_parse import parse_email
from scrubdesk.core.ingest.records import ParsedMessage
from scrubdesk.core.ingest.recovery import decode_embedded_blocks, decode_unlabelled

ADDRESSES = ("tamsin.okafor@example.org", "r.quill@example.net")


def parsed(raw: bytes) -> ParsedMessage:
    item = parse_email(raw, "mail.eml")
    assert isinstance(item, ParsedMessage), item
    return item


def _letter(paragraphs: int) -> str:
    rng = random.Random(14)
    words = [
        "order",
        "refund",
        "delivery",
        "parcel",
        "account",
        "invoice",
        "please",
        "thanks",
        "week",
        "late",
        "broken",
    ]
    text = [f"Please write to {ADDRESSES[0]} about the refund."]
    for _ in range(paragraphs):
        text.append(" ".join(rng.choice(words) for _ in range(60)).capitalize() + ".")
    text.append(f"Copy {ADDRESSES[1]} on the reply.")
    return "\n\n".join(text)


def _base64_lines(data: bytes, width: int = 76) -> bytes:
    encoded = base64.b64encode(data)
    return b"\n".join(encoded[i : i + width] for i in range(0, len(encoded), width))


def test_a_23_kb_base64_body_without_transfer_encoding_is_decoded() -> None:
    letter = _letter(40)
    body = _base64_lines(letter.encode())
    assert 20_000 < len(body) < 30_000
    raw = b"From: a@example.com\nSubject: hello\nContent-Type: text/plain; charset=utf-8\n\n" + body + b"\n"
    m = parsed(raw)
    assert all(address in m.body for address in ADDRESSES)
    assert m.body == letter
    assert "transfer_encoding_guessed" in m.flags and "undecoded_body" not in m.flags


def test_a_boundary_that_does_not_match_is_recovered_from_the_body() -> None:
    raw = (
        b'From: a@example.com\nSubject: hello\nContent-Type: multipart/mixed; boundary="declared"\n\n'
        b"preamble\n--actual\nContent-Type: text/plain\n\nPlease refund " + ADDRESSES[0].encode() + b".\n"
        b"--actual\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n"
        + _base64_lines(random.Random(1).randbytes(3000))
        + b"\n--actual--\n"
    )
    m = parsed(raw)
    assert m.body == f"Please refund {ADDRESSES[0]}."
    assert "Content-Type" not in m.body
    assert m.attachment_types == ("application/pdf",)
    assert "boundary_guessed" in m.flags and "broken_mime" not in m.flags


def test_a_multipart_whose_content_type_header_was_lost_is_split() -> None:
    raw = (
        b"From: a@example.com\nSubject: hello\n\n"
        b"--b1\nContent-Type: text/plain\n\nThe text part.\n"
        b"--b1\nContent-Type: text/html\n\n<p>The html twin.</p>\n--b1--\n"
    )
    m = parsed(raw)
    assert m.body == "The text part.\n\nThe html twin."
    assert "boundary_guessed" in m.flags


def test_base64_that_is_not_text_is_kept_and_flagged_undecoded() -> None:
    blob = _base64_lines(random.Random(2).randbytes(6000))
    m = parsed(b"From: a@example.com\nSubject: scan\n\n" + blob + b"\n")
    assert "undecoded_body" in m.flags and "transfer_encoding_guessed" not in m.flags
    assert m.body == blob.decode()


def test_quoted_printable_without_transfer_encoding_is_decoded() -> None:
    text = (
        f"Caf\u00e9 order for {ADDRESSES[0]}, please send it to the address below soon, many thanks indeed."
    )
    body = quopri.encodestring(text.encode("utf-8"))
    assert b"=\n" in body and b"=C3=A9" in body
    m = parsed(b"From: a@example.com\nSubject: qp\nContent-Type: text/plain; charset=utf-8\n\n" + body)
    assert m.body == text and "transfer_encoding_guessed" in m.flags


def test_base64_blocks_inside_a_text_body_are_decoded_in_place() -> None:
    inner = _letter(3)
    text = "See the forwarded note:\n\n" + _base64_lines(inner.encode()).decode() + "\n\nRegards"
    decoded, flags = decode_embedded_blocks(text, "utf-8")
    assert decoded == f"See the forwarded note:\n\n{inner}\n\nRegards"
    assert flags == {"transfer_encoding_guessed"}


@pytest.mark.parametrize(
    "text",
    [
        "x = 1\ny = 2\nprint(x=y)\n",  # "=" that is not quoted-printable
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nshort\n",  # one long token
        "ThisLineIsLongEnoughToLookLikeBase64ButItIsAlone\nPlain text after it.\n",
        "Tracking: 1Z999AA10123456784\nRef ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn\n",
        "a=3D\n",  # one escape is not enough evidence
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert decode_unlabelled(text.encode(), "utf-8") == (text.encode(), None)
    assert decode_embedded_blocks(text, "utf-8") == (text, set())


def test_base64_inside_ascii_armour_is_left_alone() -> None:
    signature = _base64_lines(random.Random(3).randbytes(400), width=64).decode()
    text = (
        "Thanks for the refund.\n\n-----BEGIN PGP SIGNATURE-----\n\n"
        + signature
        + "\n=abcd\n-----END PGP SIGNATURE-----\n"
    )
    assert decode_embedded_blocks(text, "utf-8") == (text, set())
