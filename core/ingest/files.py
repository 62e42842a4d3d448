"""Reading files and listing directories for the readers, with I/O failures turned into quarantines."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from scrubdesk.core.ingest import records
from scrubdesk.core.ingest.records import Quarantined, QuarantineReason

HASH_CHUNK = 1 << 20


def _unreadable(path: Path, action: str, exc: OSError) -> Quarantined:
    return Quarantined(str(path), QuarantineReason.UNREADABLE_FILE, f"{action} failed: {type(exc).__name__}")


def read_limited(path: Path) -> bytes | Quarantined:
    """A whole file as bytes; Quarantined(too_large) — hashed in chunks, never held — when it is over
    ``records.MAX_MESSAGE_BYTES``; Quarantined(unreadable_file) on an I/O error."""
    limit = records.MAX_MESSAGE_BYTES
    try:
        with path.open("rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            data = b"" if size > limit else stream.read(limit + 1)
            if size <= limit and len(data) <= limit:
                return data
            hasher = hashlib.sha256(data)
            total = len(data)
            while chunk := stream.read(HASH_CHUNK):
                hasher.update(chunk)
                total += len(chunk)
    except OSError as exc:
        return _unreadable(path, "read", exc)
    return Quarantined(
        str(path), QuarantineReason.TOO_LARGE, "message over the size limit", total, hasher.digest()
    )


def read_head(path: Path, count: int) -> bytes:
    """The first ``count`` bytes of a file; b"" when it cannot be read (the full read reports why)."""
    try:
        with path.open("rb") as stream:
            return stream.read(count)
    except OSError:
        return b""


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def list_dir(path: Path) -> list[os.DirEntry[str]] | Quarantined:
    """The entries of a directory sorted by name, hidden ones (".name") left out."""
    try:
        with os.scandir(path) as scan:
            entries = [entry for entry in scan if not entry.name.startswith(".")]
    except OSError as exc:
        return _unreadable(path, "listing", exc)
    entries.sort(key=lambda entry: entry.name)
    return entries


def is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def not_a_file(path: Path) -> Quarantined:
    """A directory entry that is neither a regular file nor a directory we descend into (a symlink to a
    directory, a broken symlink, a socket...): reported so nothing is skipped silently."""
    return Quarantined(str(path), QuarantineReason.UNREADABLE_FILE, "not a regular file")
