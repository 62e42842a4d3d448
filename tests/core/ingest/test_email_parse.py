"""One RFC 822 message → ParsedMessage or Quarantined, over the messy-mail corpus."""

from __future__ import annotations

import hashlib

import pytest

from scrubdesk.core.ingest import records
from scrubdesk.core.ingest.email_parse import parse_email
from scrubdesk.core.ingest.records import ParsedMessage, Quarantined, QuarantineReason
from tests.core.ingest import corpus
from tests.core.ingest.corpus import MARK


def parsed(raw: bytes, **kwargs: object) -> ParsedMessage:
    item = parse_email(raw, "mail.eml", **kwargs)  # type: ignore[arg-type]
    assert isinstance(item, ParsedMessage), item
    return item


def quarantined(raw: bytes) -> Quarantined:
    item = parse_email(raw, "mail.eml")
    assert isinstance(item, Quarantined), item
    assert MARK not in item.detail
    return item


def test_alternative_prefers_plain_and_reads_every_header() -> None:
    m = parsed(corpus.ALTERNATIVE)
    assert m.body == f"Plain {MARK} body.\nSecond line."
    assert m.body_kind == "plain"
    assert m.subject == f"Alternative {MARK}"
    assert (m.from_name, m.from_addr) == ("Alice Example", "alice@example.org")
    assert m.to_addrs == ("bob@example.com",)
    assert m.cc_addrs == ()
    assert m.sent_at == "2024-03-04T09:00:00+00:00"
    assert m.natural_id == "<alt-1@example.org>"
    assert m.content_fingerprint == hashlib.sha256(corpus.ALTERNATIVE).digest()
    assert m.size_bytes == len(corpus.ALTERNATIVE)
    assert m.attachment_count == 0
    assert m.flags == ()
    assert m.location == "mail.eml"


def test_nested_mixed_counts_attachments_by_type_only() -> None:
    m = parsed(corpus.NESTED_MIXED)
    assert m.body == f"Nested {MARK} plain text."
    assert m.body_kind == "plain"
    assert m.attachment_types == ("image/png", "application/pdf", "message/rfc822", "text/plain")
    assert m.attachment_count == 4
    assert not any("invoice" in t or "notes" in t for t in m.attachment_types)  # never filenames
    assert (m.from_name, m.from_addr) == ("Doe, Jane", "jane.doe@example.org")
    assert m.to_addrs == ("a@example.com", "b@example.com")
    assert m.cc_addrs == ("c@example.com",)


def test_html_only_is_converted_to_text() -> None:
    m = parsed(corpus.HTML_ONLY)
    assert m.body_kind == "html"
    assert m.body == (
        f"Order confirmed\n\nDear customer, {MARK} café & more.\n\n- Item one\n- Item two\nTotal: 5 €\nThanks"
    )
    assert "alert" not in m.body and "color" not in m.body
    assert "charset_fallback" not in m.flags  # iso-8859-1 read as its superset windows-1252 is not a fallback


def test_declared_utf8_with_cp1252_bytes_falls_back_and_is_flagged() -> None:
    m = parsed(corpus.WRONG_CHARSET)
    assert m.body == f"{MARK} café costs €5 \u201cquoted\u201d"
    assert "charset_fallback" in m.flags


def test_unknown_charset_name_falls_back_to_utf8() -> None:
    m = parsed(corpus.UNKNOWN_CHARSET)
    assert m.body == f"{MARK} Grüße aus Köln"
    assert "charset_fallback" in m.flags


def test_missing_charset_with_8bit_bytes() -> None:
    m = parsed(corpus.MISSING_CHARSET_8BIT)
    assert m.body == f"{MARK} naïve façade"
    assert "charset_fallback" in m.flags


def test_ascii_body_without_charset_is_not_flagged() -> None:
    assert parsed(corpus.MISSING_HEADERS).flags == ()


def test_quoted_printable() -> None:
    m = parsed(corpus.QUOTED_PRINTABLE)
    assert m.body == (
        f"{MARK} café soft break and a long line that was wrapped by the encoder at seventy-six "
        "characters. \n"
        "Equals: 1+1=2"
    )


def test_base64_body() -> None:
    m = parsed(corpus.BASE64_BODY)
    assert m.body == f"{MARK} base64 body – with ünïcödé\nline two"


def test_broken_base64_is_repaired_and_flagged() -> None:
    m = parsed(corpus.BROKEN_BASE64)
    assert m.body == f"{MARK} broken paddi"  # the incomplete last quantum is dropped
    assert "transfer_encoding_repaired" in m.flags


def test_rfc2047_subjects_and_names() -> None:
    m = parsed(corpus.ENCODED_WORDS)
    assert m.subject == f"{MARK} über tail café"
    assert (m.from_name, m.from_addr) == ("Jürgen Müller", "jm@example.de")
    assert m.to_addrs == ("renee@example.fr", "zhang@example.cn")
    assert m.flags == ()


def test_multibyte_character_split_across_encoded_words() -> None:
    assert parsed(corpus.SPLIT_MULTIBYTE_WORD).subject == "€uro"


def test_broken_encoded_words_do_not_crash_and_are_flagged() -> None:
    m = parsed(corpus.BROKEN_ENCODED_WORDS)
    assert m.from_name == "Bad Müller"  # unknown charset: bytes decoded with the fallbacks
    assert m.from_addr == "bad@example.org"
    assert m.subject == "=?utf-8?B?!!!notbase64?= and ok and =?utf-8?X?unknown?="
    assert {"charset_fallback", "bad_encoded_word"} <= set(m.flags)


def test_missing_headers_leave_fields_empty() -> None:
    m = parsed(corpus.MISSING_HEADERS)
    assert m.body == f"{MARK} body without sender or date."
    assert m.subject == "only a subject"
    assert m.from_addr is None and m.from_name is None
    assert m.to_addrs == () and m.sent_at is None and m.natural_id is None
    assert m.content_fingerprint == hashlib.sha256(corpus.MISSING_HEADERS).digest()
    assert "bad_date" not in m.flags  # absent is not bad


def test_headers_only_is_no_text_body() -> None:
    assert quarantined(corpus.HEADERS_ONLY).reason is QuarantineReason.NO_TEXT_BODY


def test_no_header_block_is_not_an_email() -> None:
    q = quarantined(corpus.NO_HEADERS)
    assert q.reason is QuarantineReason.NOT_AN_EMAIL
    assert q.fingerprint == hashlib.sha256(corpus.NO_HEADERS).digest()
    assert q.size_bytes == len(corpus.NO_HEADERS)


def test_text_that_merely_looks_like_a_header_is_not_an_email() -> None:
    assert (
        quarantined(b"Note: call Zebra-Quill back\n\nabout the thing\n").reason
        is QuarantineReason.NOT_AN_EMAIL
    )


@pytest.mark.parametrize("raw", [b"", b"\n\n  \r\n", corpus.BINARY_JUNK])
def test_empty_and_binary_junk_are_not_emails(raw: bytes) -> None:
    assert quarantined(raw).reason is QuarantineReason.NOT_AN_EMAIL


def test_duplicate_headers_first_wins_and_recipients_combine() -> None:
    m = parsed(corpus.DUPLICATE_HEADERS)
    assert m.subject == "First subject"
    assert m.from_addr == "first@example.org"
    assert m.to_addrs == ("one@example.com", "two@example.com")
    assert m.sent_at == "2024-03-04T10:00:00+00:00"


def test_very_long_header_lines() -> None:
    m = parsed(corpus.LONG_HEADERS)
    assert m.body == f"{MARK} body after long headers"
    assert m.subject is not None and m.subject.startswith("long long") and len(m.subject) == 4000 * 5 - 1


def test_crlf_message_gives_lf_text() -> None:
    m = parsed(corpus.crlf(corpus.ALTERNATIVE))
    assert m.body == f"Plain {MARK} body.\nSecond line."
    assert m.subject == f"Alternative {MARK}"
    assert m.natural_id == "<alt-1@example.org>"


def test_unparseable_date_is_flagged() -> None:
    m = parsed(corpus.BAD_DATE)
    assert m.sent_at is None
    assert "bad_date" in m.flags


@pytest.mark.parametrize("raw", [corpus.SMIME_ENCRYPTED, corpus.PGP_MIME_ENCRYPTED, corpus.INLINE_PGP])
def test_encrypted_messages_are_quarantined(raw: bytes) -> None:
    assert quarantined(raw).reason is QuarantineReason.ENCRYPTED


def test_signed_message_body_without_signature_part() -> None:
    m = parsed(corpus.SIGNED)
    assert m.body == f"Signed {MARK} body."
    assert m.attachment_count == 0


def test_only_attachments_is_no_text_body() -> None:
    q = quarantined(corpus.ONLY_ATTACHMENT)
    assert q.reason is QuarantineReason.NO_TEXT_BODY
    assert "1 attachments" in q.detail


def test_multipart_without_boundary_is_read_as_text() -> None:
    m = parsed(corpus.NO_BOUNDARY)
    assert m.body == f"{MARK} text where the boundary parameter is missing."
    assert "broken_mime" in m.flags


def test_missing_close_delimiter_keeps_every_part() -> None:
    m = parsed(corpus.NO_CLOSE_DELIMITER)
    assert m.body == f"{MARK} first part.\n\nSecond part, and the file ends without a close delimiter."


def test_inline_text_parts_of_mixed_are_joined() -> None:
    m = parsed(corpus.MAILING_LIST_FOOTER)
    assert m.body == f"{MARK} message text.\n\n--\nList footer: unsubscribe here."


def test_html_meta_charset_is_honoured() -> None:
    m = parsed(corpus.HTML_META_CHARSET)
    assert m.body == f"{MARK} \u201csmart\u201d quotes"
    assert "charset_fallback" not in m.flags


def test_unix_from_line_on_a_single_message_is_skipped() -> None:
    m = parsed(corpus.WITH_UNIXFROM)
    assert m.from_addr == "a@example.org" and m.body == MARK


def test_trailing_whitespace_stripped_only_at_the_end() -> None:
    raw = b"From: a@example.org\n\n  indented first line  \n\n\tsecond\t\n\n\n   \n"
    assert parsed(raw).body == "  indented first line  \n\n\tsecond"


def test_fields_allow_list() -> None:
    m = parsed(corpus.NESTED_MIXED, fields=("subject",))
    assert m.subject == "Nested"
    assert m.from_addr is None and m.from_name is None
    assert m.to_addrs == () and m.cc_addrs == () and m.sent_at is None
    assert m.attachment_count == 0 and m.attachment_types == ()
    assert m.body  # the body is always kept
    m = parsed(corpus.ALTERNATIVE, fields=())
    assert m.subject is None and m.sent_at is None and m.natural_id == "<alt-1@example.org>"


def test_big_body_is_truncated_and_flagged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "MAX_BODY_CHARS", 1000)
    raw = b"From: a@example.org\nSubject: big\n\n" + (b"0123456789abcdef\n" * 310_000)  # ~5 MB
    assert len(raw) > 5_000_000
    m = parsed(raw)
    assert len(m.body) == 1000
    assert m.body.startswith("0123456789abcdef\n0123")
    assert "body_truncated" in m.flags
    assert m.size_bytes == len(raw)


def test_over_the_message_limit_is_too_large_unparsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "MAX_MESSAGE_BYTES", 100)
    q = quarantined(corpus.ALTERNATIVE)
    assert q.reason is QuarantineReason.TOO_LARGE
    assert q.size_bytes == len(corpus.ALTERNATIVE)
    assert q.fingerprint == hashlib.sha256(corpus.ALTERNATIVE).digest()


def test_unexpected_failure_is_parser_error_with_type_name_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from scrubdesk.core.ingest import email_parse

    def explode(*_: object, **__: object) -> None:
        raise UnicodeDecodeError("utf-8", MARK.encode(), 0, 1, f"bad {MARK}")

    monkeypatch.setattr(email_parse, "parse_addresses", explode)
    q = quarantined(corpus.ALTERNATIVE)
    assert q.reason is QuarantineReason.PARSER_ERROR
    assert q.detail == "parse failed: UnicodeDecodeError"


def test_repr_and_quarantine_details_hold_no_message_text() -> None:
    samples = [*corpus.ALL_PARSEABLE, corpus.HEADERS_ONLY, corpus.NO_HEADERS, corpus.SMIME_ENCRYPTED]
    for raw in samples:
        item = parse_email(raw, "x.eml")
        assert MARK not in repr(item)
        if isinstance(item, Quarantined):
            assert MARK not in item.detail


@pytest.mark.parametrize("raw", corpus.ALL_PARSEABLE)
def test_every_corpus_message_parses(raw: bytes) -> None:
    m = parsed(raw)
    assert MARK in m.body
    assert m.body == m.body.rstrip()
    assert "\r" not in m.body


def test_empty_plain_alternative_falls_back_to_html() -> None:
    raw = corpus.ALTERNATIVE.replace(f"Plain {MARK} body.\nSecond line.\n".encode(), b"  \n")
    m = parsed(raw)
    assert (m.body, m.body_kind) == (f"HTML {MARK} body.", "html")


def test_cr_only_line_endings_bom_and_nul() -> None:
    m = parsed(b"From: a@example.org\rSubject: old mac\r\r" + "\ufeffline one\rline\x00 two\r".encode())
    assert (m.subject, m.body) == ("old mac", "line one\nline two")


# ------------------------------------------------------------------------------------------ hostile headers
# (their timing, 1 MB and up, is in bench/ingest.py: speed lives in benchmarks, not tests)

BIG = 1_000_000


@pytest.mark.parametrize(
    "header",
    [
        b'From: "Jane' + b" " * BIG + b'Doe" <jane@example.org>',  # a run of blanks in a quoted name
        b"From: Jane" + b"\t" * BIG + b"Doe <jane@example.org>",
        b'From: "' + b"Doe, Jane\r\n " * (BIG // 12) + b'" <jane@example.org>',  # folded, with commas
    ],
)
def test_a_one_megabyte_display_name_is_parsed(header: bytes) -> None:
    m = parsed(header + b"\nSubject: big\nMessage-ID: <big@x>\n\nbody\n")
    assert m.from_addr == "jane@example.org" and m.from_name and len(m.from_name) > BIG // 2
    assert m.body == "body"


def test_a_header_block_over_the_cap_is_quarantined_unparsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "MAX_HEADER_BYTES", 1000)
    raw = b"From: a@b.example\nTo: " + b"x@y.example, " * 100 + b"\nSubject: s\n\nbody\n"
    item = quarantined(raw)
    assert item.reason is QuarantineReason.HEADER_TOO_LARGE
    assert item.detail == "header block over the size limit"
    assert isinstance(parse_email(b"From: a@b.example\nSubject: s\n\nbody\n", "ok.eml"), ParsedMessage)


def test_an_address_longer_than_any_real_one_is_dropped_and_flagged() -> None:
    long_address = b"a@" * 5000 + b"example.org"
    other = b"x" * 400 + b"@example.org"
    m = parsed(b"From: Jane <" + long_address + b">\nTo: bob@example.org, Al <" + other + b">\n\nbody\n")
    assert (m.from_name, m.from_addr) == ("Jane", None)
    assert m.to_addrs == ("bob@example.org",)
    assert "bad_address" in m.flags


def test_a_crafted_multipart_subtype_stays_out_of_the_quarantine_detail() -> None:
    raw = (
        b"From: a@example.org\nContent-Type: multipart/x-" + MARK.encode() + b"; boundary=b\n\n"
        b"--b\nContent-Type: application/pkcs7-mime\n\nMIIB\n--b--\n"
    )
    item = quarantined(raw)
    assert item.reason is QuarantineReason.ENCRYPTED
    assert item.detail == "encrypted body (an encrypted part)"
