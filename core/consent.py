"""Consent of data subjects, stored as keyed subject IDs only (never the address).

A consent list is a text file with one address per line (blank lines and ``#`` comments are skipped) or
a CSV file whose address column is named. Each address becomes ``project.ids.subject_id(address)`` at
once; the address itself is never stored, logged or echoed. Invalid lines are reported by line number.
A message is "from a consenting sender" when its From address's subject ID is on a list.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrubdesk.core.audit_log import AuditLog
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db import consent as consent_rows
from scrubdesk.core.db.messages import count_messages
from scrubdesk.core.errors import InputError
from scrubdesk.core.ids import normalise_address
from scrubdesk.core.roles import require_role
from scrubdesk.core.store import Store

if TYPE_CHECKING:
    from scrubdesk.core.project import Project

MAX_LISTED_LINES = 50  # invalid line numbers listed in a summary; the count is always complete
MAX_LIST_NAME = 200
ADDRESS_COLUMNS = ("email", "e-mail", "email_address", "address", "mail")
_ADDRESS = re.compile(r"[^\s@<>\"(),;:\[\]\\]+@[^\s@<>\"(),;:\[\]\\]+\.[^\s@<>\"(),;:\[\]\\.]+")


def consenting_message_ids(store: Store) -> set[int]:
    """IDs of messages whose sender is on a consent list."""
    return consent_rows.consenting_message_ids(store)


@dataclass(frozen=True)
class ConsentImportSummary:
    list_name: str
    lines: int  # lines (or CSV rows) read, blank and comment lines included
    valid: int  # valid addresses, duplicates within the file included
    added: int  # subjects new to the consent table
    already: int  # subjects that were on a consent list already
    invalid: int
    invalid_lines: tuple[int, ...]  # the first MAX_LISTED_LINES line numbers, never their content
    consenting_subjects: int  # after the import
    consenting_messages: int

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "invalid_lines": list(self.invalid_lines)}


@dataclass(frozen=True)
class ConsentStatus:
    subjects: int  # consenting data subjects (keyed IDs)
    lists: dict[str, int]  # list name -> subjects from it
    messages: int  # messages from consenting senders
    messages_total: int
    senders_with_consent: int  # consenting subjects that sent at least one stored message

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def valid_address(value: str) -> str | None:
    """The normalised address, or None when ``value`` is not one plausible email address."""
    if "\ufffd" in value:  # undecodable bytes
        return None
    address = normalise_address(value)
    return address if _ADDRESS.fullmatch(address) else None


def _read_lines(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"consent list not found: {path}") from None
    except OSError as exc:
        raise InputError(f"consent list {path} is unreadable: {type(exc).__name__}") from exc
    return raw.decode("utf-8-sig", errors="replace")


def _values(path: Path, column: str | None) -> tuple[list[tuple[int, str]], int]:
    """(line number, cell) of every candidate address (1-based; blank and comment lines dropped), and the
    number of lines read."""
    text = _read_lines(path)
    if column is None and path.suffix.lower() == ".csv":
        header = next(csv.reader(io.StringIO(text)), [])
        names = [h.strip().lower() for h in header]
        column = next((header[names.index(c)] for c in ADDRESS_COLUMNS if c in names), None)
        if column is None:
            raise InputError(
                f"{path} is a CSV file: name its address column with --column (no column named "
                f"{', '.join(ADDRESS_COLUMNS)} in its first row)"
            )
    if column is None:
        lines = text.splitlines()
        values = [(n, line.strip()) for n, line in enumerate(lines, start=1)]
        return [(n, v) for n, v in values if v and not v.startswith("#")], len(lines)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    wanted = column.strip()
    if wanted not in header:
        lowered = [h.lower() for h in header]
        if wanted.lower() not in lowered:
            # The first row is not echoed: a file without a header row would put an address there.
            raise InputError(f"column {wanted!r} not found in the first row of {path}")
        wanted = header[lowered.index(wanted.lower())]
    index = header.index(wanted)
    out: list[tuple[int, str]] = []
    for row in reader:
        line = reader.line_num  # the physical line where this row ends (quoted newlines count)
        if not any(cell.strip() for cell in row):
            continue
        out.append((line, row[index].strip() if index < len(row) else ""))
    return out, reader.line_num


def import_consent(
    project: Project, path: Path, *, list_name: str | None = None, column: str | None = None
) -> ConsentImportSummary:
    """Add the addresses in ``path`` to the project's consent list, as keyed subject IDs. Admin only."""

    path = Path(path)
    name = (list_name if list_name is not None else path.name).strip()
    if not name or len(name) > MAX_LIST_NAME or not name.isprintable():
        raise InputError(f"the list name must be 1 to {MAX_LIST_NAME} printable characters")
    with project.store() as store:
        require_role(store, ("admin",), "importing a consent list")  # before reading the file
    values, n_lines = _values(path, column)
    subject_id = project.ids.subject_id
    keys: set[str] = set()
    invalid: list[int] = []
    valid = 0
    for line, value in values:
        address = valid_address(value)
        if address is None:
            invalid.append(line)
            continue
        valid += 1
        keys.add(subject_id(address))
    now = utc_now()
    with project.store() as store:
        with store.transaction() as conn:
            role = require_role(store, ("admin",), "importing a consent list")
            before = consent_rows.count_consent(conn)
            consent_rows.add(conn, sorted(keys), name, now)
            total = consent_rows.count_consent(conn)
            added = total - before
            # The list name stays out of the entry (a file name can name a person); consent.list_name has it.
            details = {
                "valid": valid,
                "distinct": len(keys),
                "added": added,
                "invalid": len(invalid),
            }
            list_digest = project.ids.digest("consent-list", "\n".join(sorted(keys)).encode())
            AuditLog(store, project.keys.id_key).append(
                "consent_import", objects=[list_digest], details=details, role=role, at=now
            )
        messages = len(consenting_message_ids(store))
    return ConsentImportSummary(
        list_name=name,
        lines=n_lines,
        valid=valid,
        added=added,
        already=len(keys) - added,
        invalid=len(invalid),
        invalid_lines=tuple(invalid[:MAX_LISTED_LINES]),
        consenting_subjects=total,
        consenting_messages=messages,
    )


def consent_status(store: Store) -> ConsentStatus:
    return ConsentStatus(
        subjects=consent_rows.count_consent(store),
        lists=consent_rows.per_list(store),
        messages=len(consenting_message_ids(store)),
        messages_total=count_messages(store),
        senders_with_consent=consent_rows.senders_with_consent(store),
    )


def clear_consent(project: Project, *, list_name: str | None = None) -> int:
    """Remove every consent (or only those of ``list_name``); returns how many. Admin only, audit-logged."""

    with project.store() as store, store.transaction() as conn:
        role = require_role(store, ("admin",), "clearing consent")
        removed = consent_rows.clear(conn, list_name)
        details = {"removed": removed, "all_lists": list_name is None}
        AuditLog(store, project.keys.id_key).append("consent_clear", details=details, role=role)
    return removed
