"""Building blocks: charset fallbacks, header decoding, MIME parameters, HTML to text."""

from __future__ import annotations

import pytest

from scrubdesk.core.ingest.charset import decode_bytes, normalize_newlines, repair_surrogates
from scrubdesk.core.ingest.headers import (
    decode_text_header,
    decode_words,
    parse_addresses,
    parse_date,
    parse_params,
    split_header_block,
)
from scrubdesk.core.ingest.html_text import html_to_text

# ---------------------------------------------------------------------------------------------- charset


@pytest.mark.parametrize(
    ("data", "charset", "expected", "fell_back"),
    [
        (b"plain", None, "plain", False),
        ("Grüße".encode(), "utf-8", "Grüße", False),
        (b"caf\xe9", "utf-8", "café", True),  # wrong declaration → cp1252
        (b"\x80", "iso-8859-1", "€", False),  # latin-1 label read as windows-1252
        (b"\x81", "iso-8859-1", "\x81", False),  # a byte cp1252 leaves undefined stays latin-1
        (b"\x81\x8d", None, "\x81\x8d", True),  # undeclared, not utf-8, not cp1252 → latin-1
        ("Köln".encode(), "x-unknown", "Köln", True),
        ("Köln".encode(), "base64", "Köln", True),  # a codec, but not a text encoding
        ("Köln".encode(), "unicode_escape", "Köln", True),  # refused
        (b"caf\xe9", "us-ascii", "café", True),
        ("中文".encode("gbk"), "gb2312", "中文", False),  # gb2312 label read as its superset
        ("hi".encode("utf-16"), "utf-16", "hi", False),
        (b"ok", '"utf-8"', "ok", False),
    ],
)
def test_decode_bytes(data: bytes, charset: str | None, expected: str, fell_back: bool) -> None:
    assert decode_bytes(data, charset) == (expected, fell_back)


def test_repair_surrogates_and_newlines() -> None:
    broken = b"caf\xe9".decode("utf-8", "surrogateescape")
    assert repair_surrogates(broken) == ("café", True)
    assert repair_surrogates("fine") == ("fine", False)
    assert normalize_newlines("a\r\nb\rc\n") == "a\nb\nc\n"


# ---------------------------------------------------------------------------------------------- headers


def test_header_block_split_and_lookup() -> None:
    raw = b"From: a@example.org\r\nSUBJECT : folded\r\n  subject\r\nX-Empty:\r\n\r\nbody\r\n"
    headers, body_start = split_header_block(raw)
    assert raw[body_start:] == b"body\r\n"
    assert headers.first("subject") == b"folded\r\n  subject"
    assert decode_text_header(headers.first("subject"))[0] == "folded  subject"
    assert headers.first("x-empty") == b""
    assert headers.first("missing") is None
    assert headers.names() == ["from", "subject", "x-empty"]
    assert headers.looks_like_email()


def test_header_block_ends_at_a_non_header_line() -> None:
    raw = b"From: a@example.org\nthis line is not a header\nmore\n"
    headers, body_start = split_header_block(raw)
    assert headers.names() == ["from"]
    assert raw[body_start:] == b"this line is not a header\nmore\n"


def test_raw_utf8_and_8bit_headers() -> None:
    assert decode_text_header("Grüße".encode()) == ("Grüße", set())
    assert decode_text_header(b"Gr\xfc\xdfe") == ("Grüße", {"charset_fallback"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=?utf-8?q?a_b?= =?utf-8?q?c?=", "a bc"),  # blanks between encoded-words are dropped
        ("x =?utf-8?q?a?= y", "x a y"),
        ("=?UTF-8*en?Q?lang?=", "lang"),  # RFC 2231 language suffix
        ("=?utf-8?Q?with space?=", "with space"),  # lenient: blanks inside
        ("no words here", "no words here"),
        ("=?iso-8859-1?b?Y2Fm6Q?=", "café"),  # missing padding
    ],
)
def test_decode_words(text: str, expected: str) -> None:
    assert decode_words(text)[0] == expected


def test_addresses_with_comments_groups_and_encoded_commas() -> None:
    pairs, _ = parse_addresses(
        [
            b"Team: x@example.org, y@example.org;, (comment) z@Example.ORG",
            b"=?utf-8?Q?Doe,_J=C3=BCrgen?= <jd@example.de>",
        ]
    )
    assert [addr for _, addr in pairs] == ["x@example.org", "y@example.org", "z@example.org", "jd@example.de"]
    assert pairs[-1][0] == "Doe, Jürgen"
    assert parse_addresses([b"undisclosed-recipients:;"])[0] == []
    assert parse_addresses([]) == ([], set())


@pytest.mark.parametrize(
    ("value", "expected", "bad"),
    [
        ("Mon, 4 Mar 2024 10:00:00 +0100", "2024-03-04T09:00:00+00:00", False),
        ("4 Mar 2024 23:30 -0100 (XYZ)", "2024-03-05T00:30:00+00:00", False),
        ("Mon, 4 Mar 2024 10:00:00 GMT", "2024-03-04T10:00:00+00:00", False),
        ("Mon, 4 Mar 2024 10:00:00", "2024-03-04T10:00:00+00:00", False),  # no zone: UTC, not local time
        ("Mon, 04 Mar 24 10:00:00 +0000", "2024-03-04T10:00:00+00:00", False),
        ("Mon, 31 Feb 2024 10:00:00 +0000", None, True),
        ("tomorrow", None, True),
        ("", None, False),
        (None, None, False),
    ],
)
def test_parse_date(value: str | None, expected: str | None, bad: bool) -> None:
    assert parse_date(value) == (expected, bad)


def test_parse_params() -> None:
    assert parse_params(b'Text/Plain; charset="utf-8"; format=flowed') == (
        "text/plain",
        {"charset": "utf-8", "format": "flowed"},
    )
    assert parse_params(b'multipart/mixed; boundary="a;b\\"c"')[1]["boundary"] == 'a;b"c'
    assert parse_params(b"attachment; filename*=utf-8''%C3%BC.txt")[1]["filename"] == "ü.txt"
    assert parse_params(b'attachment; filename*0="a"; filename*1="b.txt"')[1]["filename"] == "ab.txt"
    assert parse_params(None) == ("", {})


# ---------------------------------------------------------------------------------------------- HTML


def test_html_blocks_lists_entities_and_dropped_elements() -> None:
    html = (
        "<html><head><title>Title</title><style>p{}</style></head><body>"
        "<p>Hello&nbsp;<b>World</b> &amp; co</p><div>line1<br>line2<br><br>line4</div>"
        "<ul><li>one</li><li>two<ul><li>nested</li></ul></li></ul>"
        "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>"
        "<script>var secret = 1;</script><pre>  keep\n   this</pre>tail &lt;x&gt; &#8364;</body></html>"
    )
    assert html_to_text(html) == (
        "Hello World & co\n\nline1\nline2\n\nline4\n- one\n- two\n  - nested\n\na b\nc\n\n  keep\n   this\n\n"
        "tail <x> €"
    )


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("plain text", "plain text"),
        ("<p>unclosed <b>bold <script>var x", "unclosed bold"),
        ("<br><br>hi <!-- comment --> there", "hi there"),
        ("a\n\n\n   b", "a b"),
        ("<p>one</p>\n\n<p>two</p>", "one\n\ntwo"),
        ("<<<>>>&&&;;<p", "<<<>>>&&&;;<p"),  # an unfinished tag at the end is kept as text
        ("", ""),
    ],
)
def test_html_edge_cases(html: str, expected: str) -> None:
    assert html_to_text(html) == expected
