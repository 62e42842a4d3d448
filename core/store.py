"""The encrypted project store: one SQLCipher file, opened with a raw 256-bit key.

One connection per thread: call :meth:`Store.open` in each thread that needs the store.
WAL mode lets the GUI read while an import writes. ``synchronous=FULL`` and explicit transactions
mean a kill -9 (or power loss) never loses a committed batch. ``temp_store=MEMORY`` keeps SQLite's
sort and VACUUM scratch data off the disk.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher

from scrubdesk.core.errors import SchemaError, WrongKeyError
from scrubdesk.core.schema import MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)

DatabaseError = sqlcipher.DatabaseError
IntegrityError = sqlcipher.IntegrityError
CACHE_KIB = 64 * 1024


class Store:
    """A connection to one project's encrypted database."""

    def __init__(self, conn: Any, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._after_commit: dict[str, Callable[[], None]] = {}

    @classmethod
    def open(cls, path: Path, db_key: bytes, *, create: bool = False) -> Store:
        path = Path(path)
        if not create and not path.exists():
            raise FileNotFoundError(f"project store not found: {path}")
        conn = sqlcipher.connect(str(path), timeout=30, isolation_level=None, check_same_thread=True)
        try:
            conn.execute("PRAGMA cipher_log_level = NONE")
            conn.execute(f"PRAGMA key = \"x'{db_key.hex()}'\"")
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except sqlcipher.DatabaseError as exc:
                raise WrongKeyError(
                    f"the key from the keyring does not open {path}: the file is damaged or was "
                    "encrypted with another key. Nothing was changed."
                ) from exc
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA temp_store = MEMORY")
            # Random keyed IDs make index inserts random; every page-cache miss costs a decrypt.
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            conn.execute("PRAGMA secure_delete = ON")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
        except BaseException:
            conn.close()
            raise
        store = cls(conn, path)
        store._migrate()
        return store

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Any]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception (including cancel)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self._after_commit.clear()
            self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        finally:
            callbacks, self._after_commit = list(self._after_commit.values()), {}
        for callback in callbacks:
            callback()

    def after_commit(self, key: str, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the open transaction commits (at once when none is open); dropped on
        rollback. One callback per ``key``: registering the same key again replaces it."""
        if not self.conn.in_transaction:
            callback()
        else:
            self._after_commit[key] = callback

    def has_after_commit(self, key: str) -> bool:
        """Whether a callback for ``key`` waits for the open transaction to commit."""
        return key in self._after_commit

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.schema_version
        if current > SCHEMA_VERSION:
            raise SchemaError(
                f"{self.path} has schema version {current}; this Scrubdesk understands up to "
                f"{SCHEMA_VERSION}. Upgrade Scrubdesk to open it."
            )
        for version in range(current + 1, SCHEMA_VERSION + 1):
            with self.transaction() as conn:
                for statement in _split_sql(MIGRATIONS[version - 1]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version}")
            log.info("store migrated to schema %d", version)

    def execute(self, sql: str, params: Any = (), /) -> Any:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, params: Any, /) -> Any:
        return self.conn.executemany(sql, params)

    def scalar(self, sql: str, params: Any = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]


def _split_sql(script: str) -> list[str]:
    # Migrations contain no semicolons inside literals or triggers, so a plain split is exact.
    return [s.strip() for s in script.split(";") if s.strip()]
