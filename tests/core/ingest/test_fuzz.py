"""Property tests: mutated messages and mailboxes never make a reader raise, and every item is accounted for.

Accounting rules asserted here (documented in ``mbox.py`` and ``readers.py``):
- a single message → exactly one ParsedMessage or Quarantined;
- an mbox → one item per line starting with "From " (at offset 0 or after "\\n"), plus one for a non-blank
  preamble, in file order, each located at its separator's byte offset;
- a file in a directory → one item, unless it starts with "From " (then it is read as an mbox, rule above).
"""

from __future__ import annotations

import hashlib
import io
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrubdesk.core.ingest import records
from scrubdesk.core.ingest.email_parse import parse_email
from scrubdesk.core.ingest.html_text import html_to_text
from scrubdesk.core.ingest.mbox import iter_mbox_items
from scrubdesk.core.ingest.readers import read_source
from scrubdesk.core.ingest.records import ImportOptions, ParsedMessage, Quarantined, SourceProgress
from tests.core.ingest import corpus
from tests.core.ingest.corpus import MARK

FUZZ = settings(max_examples=250, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

TOKENS = [
    b"\n", b"\r\n", b"\r", b"\n\n", b"From ", b"\nFrom ", b">From ", b"--", b"--alt-b", b"--outer--", b"=?",
    b"?=", b"=?utf-8?B?", b"=?x-bad?Q?=FF?=", b"=\n", b"=ZZ", b"<", b">", b"<p>", b"</", b"<script>", b"&#",
    b"&#xFFFFFFFF;", b";", b'"', b"\\", b"\x00", b"\xff\xfe", b"\xe9", b"\xc3", b":", b" ", b"\t",
    b"-----BEGIN PGP MESSAGE-----",
]  # fmt: skip
HEADER_LINES = [
    b"Content-Type: multipart/mixed; boundary=",
    b'Content-Type: multipart/alternative; boundary="alt-b"',
    b"Content-Type: multipart/mixed; boundary=outer",
    b"Content-Type: text/html; charset=x-unknown",
    b"Content-Type: text/plain; charset=utf-16",
    b"Content-Type: text/plain; charset=base64",
    b"Content-Type: application/pkcs7-mime",
    b"Content-Type: message/rfc822",
    b"Content-Type: multipart/x-" + MARK.encode() + b"; boundary=b",  # a crafted subtype
    b"Content-Type: multipart/digest; boundary=d",
    b"Content-Transfer-Encoding: base64",
    b"Content-Transfer-Encoding: quoted-printable",
    b"Content-Disposition: attachment; filename*0*=utf-8''%FF; filename*1=x",
    b"From: =?utf-8?Q?a,b?= <x@y>, (c) <<@>>, g: a@b;",
    b'To: ,,,<>,@,"unterminated',
    b"Subject: =?utf-8?B?" + b"A" * 200,
    b"Date: Mon, 99 Foo 99999 99:99:99 +9999",
    b"Date: 0",
    b"Message-ID:",
    b" continuation without a field",
]
BASES = [*corpus.ALL_PARSEABLE, corpus.HEADERS_ONLY, corpus.NO_HEADERS, corpus.SMIME_ENCRYPTED, b""]

_position = st.integers(min_value=0, max_value=1 << 16)
mutation = st.one_of(
    st.tuples(st.just("flip"), _position, st.integers(0, 255)),
    st.tuples(st.just("truncate"), _position),
    st.tuples(st.just("insert"), _position, st.one_of(st.sampled_from(TOKENS), st.binary(max_size=24))),
    st.tuples(st.just("header"), _position, st.sampled_from(HEADER_LINES)),
    st.tuples(
        st.just("crlf"),
    ),
)


def mutate(data: bytes, mutations: list[tuple]) -> bytes:  # type: ignore[type-arg]
    buf = bytearray(data)
    for m in mutations:
        kind = m[0]
        if kind == "crlf":
            buf = bytearray(bytes(buf).replace(b"\n", b"\r\n"))
            continue
        where = m[1] % (len(buf) + 1)
        if kind == "flip" and buf:
            buf[where % len(buf)] = m[2]
        elif kind == "truncate":
            del buf[where:]
        elif kind == "insert":
            buf[where:where] = m[2]
        elif kind == "header":
            line_start = bytes(buf).rfind(b"\n", 0, where) + 1
            buf[line_start:line_start] = m[2] + b"\n"
    return bytes(buf)


# Every quarantine detail a mail reader can give: fixed wording, an exception type name or a count, never
# anything taken from the input.
DETAILS = re.compile(
    r"empty|no email header block|header block over the size limit|message over the size limit"
    r"|encrypted body \((multipart/encrypted|application/(x-)?pkcs7-mime|application/pgp-encrypted"
    r"|an encrypted part)\)|inline PGP message|no text body \(\d+ attachments\)|parse failed: [A-Za-z]+"
    r"|text before the first From line|read failed: [A-Za-z]+"
)


def check_item(item: object, raw: bytes | None = None) -> None:
    assert isinstance(item, ParsedMessage | Quarantined)
    if isinstance(item, Quarantined):
        assert MARK not in item.detail
        assert DETAILS.fullmatch(item.detail), item.detail
        assert isinstance(item.reason, records.QuarantineReason)
        return
    assert item.body and item.body == item.body.rstrip()
    assert "\r" not in item.body
    assert len(item.body) <= records.MAX_BODY_CHARS
    assert item.body_kind in ("plain", "html")
    assert list(item.flags) == sorted(set(item.flags))
    assert all(addr == addr.lower() for addr in (*item.to_addrs, *item.cc_addrs))
    assert MARK not in repr(item)
    if raw is not None:
        assert item.size_bytes == len(raw)
        assert item.content_fingerprint == hashlib.sha256(raw).digest()


@FUZZ
@given(base=st.sampled_from(BASES), mutations=st.lists(mutation, max_size=6))
def test_mutated_message_always_gives_exactly_one_item(base: bytes, mutations: list[tuple]) -> None:  # type: ignore[type-arg]
    raw = mutate(base, mutations)
    check_item(parse_email(raw, "fuzz.eml"), raw)


def expected_mbox_offsets(data: bytes) -> list[int]:
    separators = [0] if data.startswith(b"From ") else []
    pos = data.find(b"\nFrom ")
    while pos >= 0:
        separators.append(pos + 1)
        pos = data.find(b"\nFrom ", pos + 1)
    preamble = data[: separators[0]] if separators else data
    return ([0] if preamble.strip() else []) + separators


MBOX_BASE = corpus.mbox_of(
    [corpus.ALTERNATIVE, corpus.simple_message(1, "From the top\n>From quoted\nend"), corpus.NESTED_MIXED]
)


@FUZZ
@given(
    mutations=st.lists(mutation, max_size=8),
    chunk_size=st.sampled_from([1, 3, 5, 6, 7, 64, 4096]),
    crlf=st.booleans(),
)
def test_mutated_mbox_accounts_for_every_separator(
    mutations: list[tuple], chunk_size: int, crlf: bool
) -> None:  # type: ignore[type-arg]
    data = mutate(corpus.crlf(MBOX_BASE) if crlf else MBOX_BASE, mutations)
    items = list(iter_mbox_items(io.BytesIO(data), "box", records.ALL_FIELDS, chunk_size=chunk_size))
    for item in items:
        check_item(item)
    assert [int(i.location.rsplit("#offset=", 1)[1]) for i in items] == expected_mbox_offsets(data)


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    bases=st.lists(st.tuples(st.sampled_from(BASES), st.lists(mutation, max_size=4)), min_size=1, max_size=4)
)
def test_directory_of_mutated_files(bases: list[tuple[bytes, list[tuple]]]) -> None:  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        expected = 0
        for n, (base, mutations) in enumerate(bases):
            data = mutate(base, mutations)
            (root / f"{n:02d}.eml").write_bytes(data)
            expected += len(expected_mbox_offsets(data)) if data.startswith(b"From ") else 1
        progress = SourceProgress()
        items = list(read_source(root, ImportOptions(), progress))
        for item in items:
            check_item(item)
        assert len(items) == expected
        assert progress.done_bytes == sum(p.stat().st_size for p in root.iterdir())


@FUZZ
@given(
    st.lists(
        st.one_of(st.sampled_from([t.decode("latin-1") for t in TOKENS]), st.text(max_size=12)), max_size=40
    )
)
def test_html_to_text_never_raises(pieces: list[str]) -> None:
    text = html_to_text("".join(pieces))
    assert text == text.strip("\n")
