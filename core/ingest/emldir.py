"""A directory of message files, walked recursively in name order.

Every regular file is an item (the reader decides per file whether it is an .eml, an .msg or an mbox; a file
that is none of these is quarantined ``not_an_email``). A sub-directory that is a maildir is read as one.
Nothing is left out silently: hidden entries (".name", files and folders) are reported ``skipped_hidden``,
links to folders ``skipped_folder`` (not followed: no loops), FIFOs and devices ``special_file``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from scrubdesk.core.ingest.files import is_dir, is_file, list_dir, not_a_file
from scrubdesk.core.ingest.maildir import is_maildir, iter_maildir
from scrubdesk.core.ingest.records import Quarantined


def iter_tree(root: Path) -> Iterator[Path | Quarantined]:
    entries, skipped = list_dir(root)
    yield from skipped
    for entry in entries:
        path = root / entry.name
        if is_dir(entry):
            yield from iter_maildir(path) if is_maildir(path) else iter_tree(path)
        elif is_file(entry):
            yield path
        else:
            yield not_a_file(path)
