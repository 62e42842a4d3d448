"""Opening files and listing directories for the readers, with I/O failures turned into quarantines.

Only regular files are ever read. A FIFO would block the import until some other program writes to it,
and a device such as ``/dev/zero`` never ends, so both are refused with ``special_file`` — checked with
``stat`` before opening, and again with ``fstat`` on the open descriptor (opened non-blocking, so even a
FIFO swapped in between cannot block). Every directory entry that is not read is reported with a reason.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
from pathlib import Path

from scrubdesk.core.ingest import records
from scrubdesk.core.ingest.records import Quarantined, QuarantineReason

HASH_CHUNK = 1 << 20
_OPEN_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
)
_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _unreadable(path: Path, action: str, exc: OSError) -> Quarantined:
    return Quarantined(str(path), QuarantineReason.UNREADABLE_FILE, f"{action} failed: {type(exc).__name__}")


def _kind(mode: int) -> str:
    return next((text for test, text in _KINDS if test(mode)), "not a regular file")


def special_kind(path: Path) -> str | None:
    """What a path is when it is neither a regular file nor a directory (symlinks followed): "a named pipe
    (FIFO)", "a character device"...; None for files, directories and paths that cannot be stat'ed."""
    try:
        mode = Path(path).stat().st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return _kind(mode)


def special_file(path: Path, kind: str) -> Quarantined:
    return Quarantined(str(path), QuarantineReason.SPECIAL_FILE, f"{kind}: not read")


def _open_nonblocking(path: Path) -> int:
    return os.open(path, _OPEN_FLAGS)


def open_regular(path: Path) -> io.BufferedReader | Quarantined:
    """``path`` opened for binary reading, or a Quarantined when it is not a regular file or cannot be
    opened. Never blocks on a FIFO."""
    kind = special_kind(path)
    if kind is not None:
        return special_file(path, kind)
    try:
        fd = _open_nonblocking(path)
    except OSError as exc:
        return _unreadable(path, "read", exc)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            os.close(fd)
            if stat.S_ISDIR(mode):
                return Quarantined(str(path), QuarantineReason.UNREADABLE_FILE, "a folder, not a file")
            return special_file(path, _kind(mode))
        if _OPEN_FLAGS & getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except OSError as exc:
        os.close(fd)
        return _unreadable(path, "read", exc)


def read_limited(path: Path) -> bytes | Quarantined:
    """A whole file as bytes; Quarantined(too_large) — hashed in chunks, never held — when it is over
    ``records.MAX_MESSAGE_BYTES``; Quarantined(unreadable_file / special_file) when it cannot be read."""
    limit = records.MAX_MESSAGE_BYTES
    stream = open_regular(path)
    if isinstance(stream, Quarantined):
        return stream
    try:
        with stream:
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
    """The first ``count`` bytes of a regular file; b"" when it cannot be read (the full read says why)."""
    stream = open_regular(path)
    if isinstance(stream, Quarantined):
        return b""
    try:
        with stream:
            return stream.read(count)
    except OSError:
        return b""


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def hidden(path: Path) -> Quarantined:
    return Quarantined(str(path), QuarantineReason.SKIPPED_HIDDEN, "hidden entry: not read")


def list_dir(path: Path, *, report_hidden: bool = True) -> tuple[list[os.DirEntry[str]], list[Quarantined]]:
    """The entries of a directory sorted by name, without hidden ones (".name"), and what could not be
    listed or was left out: the hidden entries (reported ``skipped_hidden`` unless ``report_hidden`` is
    False), or the directory itself when it cannot be listed."""
    try:
        with os.scandir(path) as scan:
            entries = list(scan)
    except OSError as exc:
        return [], [_unreadable(path, "listing", exc)]
    entries.sort(key=lambda entry: entry.name)
    shown = [entry for entry in entries if not entry.name.startswith(".")]
    skipped = [hidden(path / e.name) for e in entries if e.name.startswith(".")] if report_hidden else []
    return shown, skipped


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
    """A directory entry that is neither a regular file nor a directory we descend into, reported so that
    nothing is skipped silently: a link to a folder (not followed: no loops), a broken link, a FIFO..."""
    kind = special_kind(path)
    if kind is not None:
        return special_file(path, kind)
    if path.is_dir():
        return Quarantined(str(path), QuarantineReason.SKIPPED_FOLDER, "link to a folder: not followed")
    if path.is_symlink():
        return Quarantined(str(path), QuarantineReason.UNREADABLE_FILE, "broken link")
    return Quarantined(str(path), QuarantineReason.UNREADABLE_FILE, "not a regular file")
