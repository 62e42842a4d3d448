"""Small CSV files people hand to a command (labels, review decisions): read row by row, with errors that
name the file, the row and the column, never a cell (a cell may be personal data)."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path

from scrubdesk.core.errors import InputError
from scrubdesk.core.ingest.records import describe_header


def csv_records(path: Path, required: Sequence[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, record) for each data row (the header is row 1); refuses a file that cannot be read,
    is not UTF-8 or not CSV, or lacks a ``required`` column. Missing cells read as empty strings."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or type(exc).__name__}") from None
    with handle:
        reader = csv.DictReader(handle)
        try:
            header = reader.fieldnames or []
            for column in required:
                if column not in header:
                    raise InputError(f"{path.name} has no column {column!r}; {describe_header(header)}")
            for number, record in enumerate(reader, start=2):
                yield number, {k: v or "" for k, v in record.items() if isinstance(k, str)}
        except UnicodeDecodeError:
            raise InputError(f"{path.name} is not UTF-8 text") from None
        except csv.Error as exc:
            raise InputError(f"{path.name} is not a readable CSV file (line {reader.line_num})") from exc
