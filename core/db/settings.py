"""The ``settings`` table: project settings as JSON values under string keys, read and written typed.

Each setting has one :class:`Setting` declaration (key and default) beside the code that owns it; this
module only stores them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from scrubdesk.core.db.rows import Connection, scalar

T = TypeVar("T")


@dataclass(frozen=True)
class Setting(Generic[T]):
    """A named project setting with its default (used when it was never set)."""

    key: str
    default: T


def get_json(conn: Connection, key: str) -> Any | None:
    """The stored JSON value of ``key``, or None when it was never set."""
    value = scalar(conn, "SELECT value FROM settings WHERE key = ?", (key,))
    return None if value is None else json.loads(value)


def get(conn: Connection, setting: Setting[T]) -> T:
    value = get_json(conn, setting.key)
    return setting.default if value is None else cast(T, value)


def put_json(conn: Connection, key: str, value: Any) -> None:
    """Store ``value`` (JSON-serialisable) under ``key``, replacing any earlier value."""
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, json.dumps(value, sort_keys=True)),
    )


def put(conn: Connection, setting: Setting[T], value: T) -> None:
    put_json(conn, setting.key, value)


def delete(conn: Connection, key: str) -> None:
    conn.execute("DELETE FROM settings WHERE key = ?", (key,))


def all_settings(conn: Connection) -> dict[str, Any]:
    return {str(k): json.loads(v) for k, v in conn.execute("SELECT key, value FROM settings ORDER BY key")}
