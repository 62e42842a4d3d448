"""Maildir folders: the message files of ``cur/`` and ``new/`` (``tmp/`` holds deliveries in progress and
is skipped), then Maildir++ sub-folders (".Sent", ".Archive.2024" …) and nested maildirs, in name order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from scrubdesk.core.ingest.files import is_dir, is_file, list_dir, not_a_file
from scrubdesk.core.ingest.records import Quarantined

MESSAGE_DIRS = ("cur", "new")
_SPECIAL = frozenset({"cur", "new", "tmp"})


def is_maildir(path: Path) -> bool:
    """A maildir has ``cur/`` and ``new/`` (``tmp/`` is usually there too, but copies often drop it)."""
    return all((path / name).is_dir() for name in MESSAGE_DIRS)


def _subfolders(root: Path) -> Iterator[Path]:
    """Maildir++ folders are hidden directories, so they are listed here apart from list_dir."""
    try:
        names = sorted(entry.name for entry in root.iterdir() if entry.is_dir() and not entry.is_symlink())
    except OSError:
        return
    for name in names:
        if name in _SPECIAL or name in (".", ".."):
            continue
        if is_maildir(root / name):
            yield root / name


def iter_maildir(root: Path) -> Iterator[Path | Quarantined]:
    """Every message file of the maildir at ``root`` and of its sub-folders."""
    for sub in MESSAGE_DIRS:
        entries = list_dir(root / sub)
        if isinstance(entries, Quarantined):
            yield entries
            continue
        for entry in entries:
            path = root / sub / entry.name
            if is_file(entry):
                yield path
            elif not is_dir(entry):
                yield not_a_file(path)
            # directories inside cur/new are not part of the format; they are ignored
    for folder in _subfolders(root):
        yield from iter_maildir(folder)
