"""What every gateway shares: the connection protocol and row mapping by column name."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

CHUNK = 500  # parameters per IN (...) list: far below SQLite's limit, small enough for one page of IDs


class Cursor(Protocol):
    description: Any
    rowcount: int
    lastrowid: int | None

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """A SQLCipher connection, or a :class:`~scrubdesk.core.store.Store` (which forwards to one)."""

    def execute(self, sql: str, params: Any = ..., /) -> Cursor: ...
    def executemany(self, sql: str, params: Iterable[Any], /) -> Cursor: ...


def column_names(cursor: Cursor) -> list[str]:
    return [d[0] for d in cursor.description]


def mapped(cursor: Cursor, make: type[T]) -> Iterator[T]:
    """Each row as ``make(**row)``, matched by column name (so a reordered SELECT cannot shift fields)."""
    names = column_names(cursor)
    wanted = {f.name for f in dataclasses.fields(make)} if dataclasses.is_dataclass(make) else set(names)
    missing = set(names) - wanted
    if missing:
        raise TypeError(f"{make.__name__} has no field for column(s) {sorted(missing)}")
    for row in cursor:
        yield make(**dict(zip(names, row, strict=True)))


def as_dicts(cursor: Cursor) -> Iterator[dict[str, Any]]:
    names = column_names(cursor)
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def one_dict(cursor: Cursor) -> dict[str, Any] | None:
    row = cursor.fetchone()
    return None if row is None else dict(zip(column_names(cursor), row, strict=True))


def scalar(conn: Connection, sql: str, params: Any = ()) -> Any:
    row = conn.execute(sql, params).fetchone()
    return None if row is None else row[0]


def count(conn: Connection, sql: str, params: Any = ()) -> int:
    return int(scalar(conn, sql, params) or 0)


def marks(n: int) -> str:
    """``?,?,?`` for an IN list of ``n`` values."""
    return ",".join("?" * n)


def chunks(values: Sequence[T] | Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def query_plan(conn: Connection, sql: str) -> list[str]:
    """SQLite's plan for ``sql``, one step per line: for tests that a query is answered from indexes."""
    return [str(row[3]) for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
