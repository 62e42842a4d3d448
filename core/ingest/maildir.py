"""Maildir folders: the message files of ``cur/`` and ``new/``, then Maildir++ sub-folders (".Sent",
".Archive.2024" …) and nested maildirs, in name order.

Reported, never read: files in ``tmp/`` (deliveries in progress: ``skipped_maildir_tmp``), folders inside
``cur/`` and ``new/`` (not part of the format: ``skipped_folder``) and hidden entries in them
(``skipped_hidden``). Files at a maildir's top level (the server's index files) are not messages by the
format's definition and are not listed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from scrubdesk.core.ingest.files import is_dir, is_file, list_dir, not_a_file
from scrubdesk.core.ingest.records import Quarantined, QuarantineReason

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


def _in_delivery(folder: Path) -> Iterator[Quarantined]:
    """Every entry of ``tmp/`` (hidden ones too), reported as not read."""
    if not folder.is_dir() or folder.is_symlink():
        return
    try:
        paths = sorted(folder.iterdir())
    except OSError as exc:
        yield Quarantined(
            str(folder), QuarantineReason.UNREADABLE_FILE, f"listing failed: {type(exc).__name__}"
        )
        return
    for path in paths:
        yield Quarantined(str(path), QuarantineReason.SKIPPED_MAILDIR_TMP, "maildir tmp/ entry: not read")


def iter_maildir(root: Path) -> Iterator[Path | Quarantined]:
    """Every message file of the maildir at ``root`` and of its sub-folders, and what is not read."""
    for sub in MESSAGE_DIRS:
        entries, skipped = list_dir(root / sub)
        yield from skipped
        for entry in entries:
            path = root / sub / entry.name
            if is_file(entry):
                yield path
            elif is_dir(entry):
                yield Quarantined(
                    str(path),
                    QuarantineReason.SKIPPED_FOLDER,
                    "folder inside a maildir's cur/ or new/: not read",
                )
            else:
                yield not_a_file(path)
    yield from _in_delivery(root / "tmp")
    for folder in _subfolders(root):
        yield from iter_maildir(folder)
