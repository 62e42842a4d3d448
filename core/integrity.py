"""Is the project's store intact? SQLCipher's page check (every page's HMAC), SQLite's structural check,
and, when pages fail, which tables they belong to: damage named before a command stumbles on it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from scrubdesk.core.db import maintenance
from scrubdesk.core.project import Project
from scrubdesk.core.store import DatabaseError

_PAGE = re.compile(r"page (\d+)")


@dataclass(frozen=True)
class StoreCheck:
    pages_failing: tuple[int, ...]  # pages whose HMAC fails: altered or corrupted on disk
    damaged_tables: tuple[str, ...]  # tables with rows that cannot be read back
    structure_problems: tuple[str, ...]  # SQLite's own check of the decrypted database

    @property
    def ok(self) -> bool:
        return not (self.pages_failing or self.damaged_tables or self.structure_problems)

    def describe(self) -> list[str]:
        """One line per kind of damage, for people (no data, only page numbers and table names)."""
        lines = []
        if self.pages_failing:
            shown = ", ".join(map(str, self.pages_failing[:10])) + (
                ", ..." if len(self.pages_failing) > 10 else ""
            )
            lines.append(f"{len(self.pages_failing)} page(s) fail their integrity check: {shown}")
        if self.damaged_tables:
            lines.append(f"damaged table(s): {', '.join(self.damaged_tables)}")
        elif self.pages_failing:
            lines.append("every table reads back: the damage is in an index or in free pages")
        lines.extend(self.structure_problems[:10])
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {
            "store_ok": self.ok,
            "pages_failing": list(self.pages_failing),
            "damaged_tables": list(self.damaged_tables),
            "structure_problems": list(self.structure_problems),
        }


def check_store(project: Project) -> StoreCheck:
    """Check the store on fresh connections (SQLite stops reading on a connection after one bad page)."""
    with project.store() as store:
        pages = sorted(
            {int(n) for line in maintenance.integrity_problems(store) for n in _PAGE.findall(line)}
        )
        tables = maintenance.table_names(store)
        structure: list[str] = []
        if not pages:  # with failing pages the structural check only repeats them, page by page
            try:
                structure = maintenance.structure_problems(store)
            except DatabaseError:
                structure = ["the database structure cannot be read"]
    damaged = []
    if pages or structure:
        for table in tables:
            with project.store() as store:
                if not maintenance.table_readable(store, table):
                    damaged.append(table)
    return StoreCheck(tuple(pages), tuple(damaged), tuple(structure))
