"""The encrypted project store: one SQLCipher file, opened with a raw 256-bit key.

One connection per thread: call :meth:`Store.open` in each thread that needs the store.
WAL mode lets the GUI read while an import writes. ``synchronous=FULL`` and explicit transactions
mean a kill -9 (or power loss) never loses a committed batch. ``temp_store=MEMORY`` keeps SQLite's
sort and VACUUM scratch data off the disk.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher

from scrubdesk.core.errors import (
    DiskFullError,
    ProjectReadOnlyError,
    SchemaError,
    ScrubdeskError,
    StoreBusyError,
    StoreDamagedError,
    WrongKeyError,
)
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
            except sqlcipher.OperationalError as exc:
                raise explain(exc, path) or exc from exc
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

    def change_stamp(self) -> tuple[int, int]:
        """Changes whenever the database may have changed: a commit by any other connection (SQLite's
        data version) or any row this connection wrote (its total changes, rolled back ones included).
        Anything read and kept while the stamp stays equal is still current."""
        other = int(self.conn.execute("PRAGMA data_version").fetchone()[0])
        return other, int(self.conn.total_changes)

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


def _read_only_place(path: Path) -> bool:
    """Is the store's folder (where SQLite must create its journal, even to read) not writable for us?"""
    folder = path.parent
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return True
    except (OSError, AttributeError):  # no statvfs on Windows
        pass
    return not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK))


def explain(exc: BaseException, path: Path | None = None) -> ScrubdeskError | None:
    """The user's version of a database or file-system error (SQLite's messages never quote data), or
    None when it is not one of the known conditions: damage, read-only place, full disk, a lock."""
    if isinstance(exc, ScrubdeskError):
        return exc
    where = f" ({path})" if path is not None else ""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower() if isinstance(exc, sqlcipher.DatabaseError) else ""
    if (
        name == "SQLITE_FULL"
        or "disk is full" in text
        or (isinstance(exc, OSError) and exc.errno == errno.ENOSPC)
    ):
        return DiskFullError(
            f"the disk holding the project is full{where}. Work committed before is kept; free some "
            "space and run the same command again."
        )
    if (
        name in ("SQLITE_READONLY", "SQLITE_CANTOPEN")
        or "readonly" in text
        or (isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM))
    ):
        if path is None or _read_only_place(Path(path)):
            return ProjectReadOnlyError(
                f"the project cannot be written{where}: its folder or store is read-only for this user, "
                "or on a read-only disk. SQLite needs to write its journal beside the store even to read. "
                "Ask for write access or copy the project somewhere writable. Nothing was changed."
            )
        return None
    if name in ("SQLITE_BUSY", "SQLITE_LOCKED") or "database is locked" in text:
        return StoreBusyError(
            f"another program keeps the project's store locked{where}; close it (or wait for it to finish) "
            "and run the command again. Nothing was changed."
        )
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "malformed" in text:
        return StoreDamagedError(
            f"the encrypted store is damaged{where}: a page fails its integrity check. Run "
            "`scrubdesk check` to see which, and restore the project from a backup."
        )
    return None
