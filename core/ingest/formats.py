"""The import formats, their names for people and their file extensions: the one list the readers, the
CLI and the GUI import dialog all use."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImportFormat:
    code: str  # what --format takes and ImportOptions.format holds
    label: str  # how the GUI names it
    extensions: tuple[str, ...] = ()  # lower-case, with the dot; detection by extension uses these
    tabular: bool = False  # CSV/JSON: needs a text column
    folder: bool = False  # read from a directory


IMPORT_FORMATS: tuple[ImportFormat, ...] = (
    ImportFormat("eml", "EML file (.eml)", (".eml",)),
    ImportFormat("emldir", "Folder of .eml files", folder=True),
    ImportFormat("mbox", "Mbox mailbox", (".mbox", ".mbx")),
    ImportFormat("maildir", "Maildir folder", folder=True),
    ImportFormat("msg", "Outlook message (.msg)", (".msg",)),
    ImportFormat("csv", "CSV table", (".csv",), tabular=True),
    ImportFormat("json", "JSON / JSON Lines table", (".json", ".jsonl", ".ndjson"), tabular=True),
)
FORMATS = tuple(f.code for f in IMPORT_FORMATS)
TABULAR_FORMATS = tuple(f.code for f in IMPORT_FORMATS if f.tabular)
DIRECTORY_FORMATS = tuple(f.code for f in IMPORT_FORMATS if f.folder)
BY_EXTENSION = {ext: f.code for f in IMPORT_FORMATS for ext in f.extensions}
TABULAR_EXTENSIONS = tuple(ext for f in IMPORT_FORMATS if f.tabular for ext in f.extensions)


def file_filter() -> str:
    """A file-dialog filter for every extension the import knows (Qt's "Name (*.a *.b);;All files (*)")."""
    patterns = " ".join(f"*{ext}" for f in IMPORT_FORMATS for ext in f.extensions)
    return f"Mail and tables ({patterns});;All files (*)"
