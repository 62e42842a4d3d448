"""Durable, private file writes: every file Scrubdesk writes goes through here.

A file is written to a hidden temporary file in the target's folder (created owner-only, mode 0600),
flushed and fsynced, then renamed over the target, and the folder is fsynced so that the rename itself
survives a power loss (POSIX; on Windows the rename is atomic and a folder cannot be fsynced).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def fsync_dir(directory: Path) -> None:
    """Make renames and new names in ``directory`` durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def temporary_beside(target: Path, suffix: str = ".part") -> Iterator[Path]:
    """A new, empty, owner-only temporary file next to ``target``; removed when the block ends unless it
    was moved away."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=suffix)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


def fsync_file(path: Path) -> None:
    with path.open("rb+") as fh:
        os.fsync(fh.fileno())


def write_with(target: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write ``target`` atomically and durably through ``write(binary file)``."""
    target = Path(target)
    with temporary_beside(target, ".tmp") as tmp:
        with tmp.open("wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(target)
    fsync_dir(target.parent)


def write_bytes_atomic(target: Path, data: bytes) -> None:
    def write(fh: BinaryIO) -> None:
        fh.write(data)

    write_with(target, write)


def write_text_atomic(target: Path, text: str) -> None:
    """``text`` as UTF-8 with the newlines given (no translation)."""
    write_bytes_atomic(target, text.encode("utf-8"))


def make_private_dir(path: Path) -> None:
    """Create ``path`` (and parents) if needed; the folder itself is owner-only."""
    path.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):  # not the owner, or a file system without modes
        path.chmod(PRIVATE_DIR)


def create_private_file(path: Path) -> None:
    """Create ``path`` empty and owner-only; an existing file is an error (FileExistsError)."""
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE))


def keep_private(folder: Path, files: Iterable[Path]) -> None:
    """Narrow the modes of ``folder`` and ``files`` to owner-only where they are wider (and ours)."""
    for path, mode in ((folder, PRIVATE_DIR), *((f, PRIVATE_FILE) for f in files)):
        with contextlib.suppress(OSError):  # missing, not ours, or a file system without modes
            if path.stat().st_mode & 0o077:
                path.chmod(mode)
