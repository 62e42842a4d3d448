"""A fake format reader for GUI tests: synthetic messages, optionally slow, through the real import job.

Only the three reader functions of ``scrubdesk.core.importer`` are replaced; keying, deduplication,
batching, commits, cancel and the audit log are the real ones.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scrubdesk.core.ingest.records import (
    ImportOptions,
    ParsedMessage,
    Quarantined,
    QuarantineReason,
    SourceProgress,
)

FAKE_FORMAT = "fake"
BYTES_PER_ITEM = 1000


def subject_of(i: int) -> str:
    return f"Refund request {i:05d}"


def body_of(i: int) -> str:
    return f"Hello,\nthis is message number {i}.\n<b>not bold</b> & <script>alert(1)</script>\nThanks"


def fake_message(i: int, source: Path) -> ParsedMessage:
    return ParsedMessage(
        location=f"{source}#{i}",
        body=body_of(i),
        body_kind="plain",
        size_bytes=BYTES_PER_ITEM,
        natural_id=f"<msg-{i}@fake.example>",
        sent_at=f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00+00:00",
        from_name=f"Customer {i}",
        from_addr=f"customer{i}@example.com",
        to_addrs=("support@example.co.uk",),
        subject=subject_of(i),
        attachment_count=i % 3,
        attachment_types=("application/pdf",) * (i % 3),
        label=("billing", "complaint", None)[i % 3],
    )


class FakeReader:
    """Yields ``count`` messages per source (and ``bad`` quarantined items), sleeping ``delay`` s each."""

    def __init__(self, count: int, *, delay: float = 0.0, bad: int = 0) -> None:
        self.count = count
        self.delay = delay
        self.bad = bad

    def detect_format(self, path: Path) -> str:
        return FAKE_FORMAT

    def estimate_total_bytes(self, path: Path, fmt: str) -> int:
        return (self.count + self.bad) * BYTES_PER_ITEM

    def read_source(
        self, path: Path, options: ImportOptions, progress: SourceProgress
    ) -> Iterator[ParsedMessage | Quarantined]:
        progress.total_bytes = self.estimate_total_bytes(path, FAKE_FORMAT)
        for i in range(self.count):
            if self.delay:
                time.sleep(self.delay)
            progress.done_bytes += BYTES_PER_ITEM
            yield fake_message(i, path)
        for j in range(self.bad):
            progress.done_bytes += BYTES_PER_ITEM
            yield Quarantined(
                location=f"{path}#bad{j}",
                reason=QuarantineReason.NOT_AN_EMAIL if j % 2 else QuarantineReason.NO_TEXT_BODY,
                detail="no headers found" if j % 2 else "only attachments",
                size_bytes=BYTES_PER_ITEM,
                fingerprint=f"bad{j}".encode(),
            )

    def install(self, monkeypatch: pytest.MonkeyPatch) -> FakeReader:
        import scrubdesk.core.importer as importer

        monkeypatch.setattr(importer, "detect_format", self.detect_format)
        monkeypatch.setattr(importer, "estimate_total_bytes", self.estimate_total_bytes)
        monkeypatch.setattr(importer, "read_source", self.read_source)
        # Large sources are parsed in a child process, which would use the real readers: stay in-process.
        monkeypatch.setattr(importer, "read_source_in_process", self.read_source)
        # The tests watch progress after each committed batch of 500.
        monkeypatch.setattr(importer, "DEFAULT_BATCH_ITEMS", 500)
        return self


def fake_source(tmp_path: Path, name: str = "inbox.fake") -> Path:
    path = tmp_path / name
    path.write_bytes(b"fake source")  # run_import checks that sources exist
    return path
