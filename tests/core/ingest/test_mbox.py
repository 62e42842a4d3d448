"""The streaming mbox splitter and reader: offsets, escaping, CRLF, odd endings, limits, memory."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from scrubdesk.core.ingest import records
from scrubdesk.core.ingest.mbox import CHUNK_BYTES, iter_mbox_items, split_mbox
from scrubdesk.core.ingest.readers import read_source
from scrubdesk.core.ingest.records import (
    ImportOptions,
    ParsedMessage,
    Quarantined,
    QuarantineReason,
    SourceProgress,
)
from tests.core.ingest import corpus
from tests.core.ingest.corpus import MARK


def items_of(data: bytes, chunk_size: int = CHUNK_BYTES) -> list[ParsedMessage | Quarantined]:
    return list(iter_mbox_items(io.BytesIO(data), "box", records.ALL_FIELDS, chunk_size=chunk_size))


def offsets(items: list[ParsedMessage | Quarantined]) -> list[int]:
    return [int(item.location.rsplit("#offset=", 1)[1]) for item in items]


def test_messages_offsets_and_mboxrd_unescaping() -> None:
    body = "Hi\nFrom the start\n>From quoted once\nend"
    data = corpus.mbox_of([corpus.simple_message(1, body), corpus.simple_message(2)])
    assert b"\n>From the start\n>>From quoted once\n" in data  # written escaped
    items = items_of(data)
    assert [type(i) for i in items] == [ParsedMessage, ParsedMessage]
    first, second = items
    assert isinstance(first, ParsedMessage) and isinstance(second, ParsedMessage)
    assert first.body == body
    assert second.body == f"{MARK} body number 2."
    assert offsets(items) == [0, data.index(b"From sender1@")]
    assert second.subject == "Message 2"


@pytest.mark.parametrize("chunk_size", [1, 2, 5, 6, 7, 64, CHUNK_BYTES])
def test_chunk_boundaries_do_not_matter(chunk_size: int) -> None:
    data = corpus.mbox_of([corpus.simple_message(i) for i in range(5)])
    items = items_of(data, chunk_size)
    assert [i.body for i in items if isinstance(i, ParsedMessage)] == [
        f"{MARK} body number {i}." for i in range(5)
    ]
    assert offsets(items) == [
        j for j in range(len(data)) if data.startswith(b"From ", j) and (j == 0 or data[j - 1] == 10)
    ]


def test_crlf_mbox_without_trailing_newline() -> None:
    data = corpus.crlf(corpus.mbox_of([corpus.simple_message(1), corpus.simple_message(2, "last line")]))
    data = data.rstrip(b"\r\n")
    assert not data.endswith(b"\n")
    items = items_of(data)
    assert [i.body for i in items if isinstance(i, ParsedMessage)] == [f"{MARK} body number 1.", "last line"]
    assert offsets(items)[1] == data.index(b"\r\nFrom sender1@") + 2


def test_separator_line_and_fingerprint_do_not_depend_on_the_from_line() -> None:
    message = corpus.simple_message(7)
    a = items_of(b"From a@x Mon Mar  4 10:00:00 2024\n" + message + b"\n")
    b = items_of(b"From other@y Tue Mar  5 11:00:00 2024\n" + message + b"\n")
    assert isinstance(a[0], ParsedMessage) and isinstance(b[0], ParsedMessage)
    assert a[0].content_fingerprint == b[0].content_fingerprint == hashlib.sha256(message).digest()


def test_preamble_is_one_quarantined_item_and_blank_preamble_is_nothing() -> None:
    data = b"garbage before any From line\n\n" + corpus.mbox_of([corpus.simple_message(1)])
    items = items_of(data)
    assert isinstance(items[0], Quarantined)
    assert items[0].reason is QuarantineReason.NOT_AN_EMAIL
    assert offsets(items) == [0, data.index(b"From sender0@")]
    assert len(items_of(b"\n\n  \n" + corpus.mbox_of([corpus.simple_message(1)]))) == 1


def test_unescaped_from_line_in_a_body_splits_and_the_fragment_is_quarantined() -> None:
    data = corpus.mbox_of([corpus.simple_message(1, "before\nFrom here on it breaks\nafter")], escape=False)
    items = items_of(data)
    assert len(items) == 2
    assert isinstance(items[0], ParsedMessage) and items[0].body == "before"
    assert isinstance(items[1], Quarantined) and items[1].reason is QuarantineReason.NOT_AN_EMAIL


@pytest.mark.parametrize("data", [b"", b"From ", b"From x", b"From x\n", b"\n", b"From x\nFrom y\n"])
def test_degenerate_files(data: bytes) -> None:
    items = items_of(data)
    expected = data.startswith(b"From ") + data.count(b"\nFrom ")
    assert len(items) == expected
    assert all(isinstance(i, Quarantined) and i.reason is QuarantineReason.NOT_AN_EMAIL for i in items)


def test_oversized_message_is_hashed_not_held() -> None:
    big = corpus.simple_message(1, "x" * 5000)
    data = corpus.mbox_of([corpus.simple_message(0), big, corpus.simple_message(2)])
    spans = list(split_mbox(io.BytesIO(data), limit=1000, chunk_size=256))
    assert [s.data is None for s in spans] == [False, True, False]
    start = data.index(b"From sender1@")
    end = data.index(b"From sender2@")
    assert spans[1].digest == hashlib.sha256(data[start:end]).digest()
    assert spans[1].size == end - start


def test_reader_quarantines_too_large(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(records, "MAX_MESSAGE_BYTES", 1000)
    path = tmp_path / "box.mbox"
    path.write_bytes(corpus.mbox_of([corpus.simple_message(0), corpus.simple_message(1, "y" * 20_000)]))
    items = list(read_source(path, ImportOptions(), SourceProgress()))
    assert isinstance(items[0], ParsedMessage)
    assert isinstance(items[1], Quarantined) and items[1].reason is QuarantineReason.TOO_LARGE


class CountingStream(io.BytesIO):
    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_splitter_streams() -> None:
    """The first message comes out after one chunk is read, not after the whole file."""
    data = corpus.mbox_of([corpus.simple_message(i) for i in range(20_000)])
    assert len(data) > 3 * CHUNK_BYTES
    stream = CountingStream(data)
    spans = split_mbox(stream)
    first = next(spans)
    assert first.offset == 0
    assert stream.bytes_read <= CHUNK_BYTES
    assert sum(1 for _ in spans) == 19_999


def test_progress_reaches_file_size(tmp_path: Path) -> None:
    path = tmp_path / "big.mbox"
    path.write_bytes(corpus.mbox_of([corpus.simple_message(i) for i in range(10_000)]))
    progress = SourceProgress()
    seen = []
    for _ in read_source(path, ImportOptions(), progress):
        seen.append(progress.done_bytes)
    assert seen == sorted(seen)
    assert seen[0] < path.stat().st_size  # progress moves while reading, not only at the end
    assert progress.done_bytes == path.stat().st_size
