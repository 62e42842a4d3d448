"""A project: a directory with a small public descriptor and one encrypted store.

    DIR/project.json   id, name, creation time: nothing secret, nothing personal
    DIR/store.sdb      SQLCipher database (plus -wal/-shm while open)

Keys live only in the keyring, under the project's random ID.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrubdesk.core.audit_log import AuditLog, current_os_user
from scrubdesk.core.clock import utc_now
from scrubdesk.core.errors import ProjectExistsError, ProjectNotFoundError
from scrubdesk.core.files import create_private_file, keep_private, make_private_dir, write_text_atomic
from scrubdesk.core.ids import KeyedIds
from scrubdesk.core.keys import KeyVault, ProjectKeys
from scrubdesk.core.roles import grant
from scrubdesk.core.store import Store

DESCRIPTOR = "project.json"
STORE_FILE = "store.sdb"
FORMAT = "scrubdesk-project"


@dataclass(frozen=True)
class Project:
    """An opened project: its location, identity and keys. Open a Store per thread with :meth:`store`."""

    path: Path
    project_id: str
    name: str
    created_at: str
    keys: ProjectKeys
    keyring_description: str
    # the encrypted key file holding the keys, when one is used instead of the OS keyring
    key_file: Path | None = None

    @property
    def store_path(self) -> Path:
        return self.path / STORE_FILE

    @property
    def ids(self) -> KeyedIds:
        return KeyedIds(self.keys.id_key)

    def store(self) -> Store:
        """A new connection to the encrypted store, for use in the calling thread only."""
        return Store.open(self.store_path, self.keys.db_key)

    @classmethod
    def create(cls, path: Path, name: str | None = None, vault: KeyVault | None = None) -> Project:
        path = Path(path).absolute()
        if (path / DESCRIPTOR).exists() or (path / STORE_FILE).exists():
            raise ProjectExistsError(f"{path} already holds a Scrubdesk project")
        if path.exists() and not path.is_dir():
            raise ProjectExistsError(f"{path} exists and is not a directory")
        if path.is_dir() and any(path.iterdir()):
            raise ProjectExistsError(
                f"{path} is not empty: a project takes a new or empty folder, so that nothing already there "
                "is mistaken for project data (or deleted with it)"
            )
        vault = vault or KeyVault()
        project_id = str(uuid.uuid4())
        keys = ProjectKeys.generate()
        vault.store(project_id, keys)  # first: if the keyring refuses, nothing is created on disk
        make_private_dir(path)
        create_private_file(path / STORE_FILE)  # SQLite gives its -wal and -shm the store's mode
        with Store.open(path / STORE_FILE, keys.db_key, create=True) as store:
            _make_creator_admin(store, project_id, keys)
        descriptor = {
            "format": FORMAT,
            "version": 1,
            "project_id": project_id,
            "name": name or path.name,
            "created_at": utc_now(),
        }
        write_text_atomic(path / DESCRIPTOR, json.dumps(descriptor, indent=2) + "\n")
        return cls._from_descriptor(path, descriptor, keys, vault)

    @classmethod
    def open(cls, path: Path, vault: KeyVault | None = None) -> Project:
        path = Path(path).absolute()
        descriptor = read_descriptor(path)
        if not (path / STORE_FILE).exists():
            raise ProjectNotFoundError(f"{path} has {DESCRIPTOR} but its store {STORE_FILE} is missing")
        vault = vault or KeyVault()
        keys = vault.load(descriptor["project_id"])
        Store.open(path / STORE_FILE, keys.db_key).close()  # prove the key now, with a clear error
        keep_private(path, [path / STORE_FILE])  # projects from before 0600 files, or copied with a wide mode
        return cls._from_descriptor(path, descriptor, keys, vault)

    @classmethod
    def _from_descriptor(cls, path: Path, d: dict[str, Any], keys: ProjectKeys, vault: KeyVault) -> Project:
        return cls(
            path=path,
            project_id=d["project_id"],
            name=d.get("name", path.name),
            created_at=d.get("created_at", ""),
            keys=keys,
            keyring_description=vault.description,
            key_file=vault.key_file,
        )


def _make_creator_admin(store: Store, project_id: str, keys: ProjectKeys) -> None:
    """The creator is the project's first admin; the creation is the audit log's first entry (and writes
    the audit anchor ``audit.head`` next to the store)."""

    now = utc_now()
    with store.transaction() as conn:
        grant(conn, current_os_user(), "admin", granted_by="project-creator", at=now)
        AuditLog(store, keys.id_key).append(
            "project_created",
            objects=[project_id],
            details={"schema_version": store.schema_version, "creator_role": "admin"},
            role="admin",
            at=now,
        )


def read_descriptor(path: Path) -> dict[str, Any]:
    file = Path(path) / DESCRIPTOR
    try:
        descriptor = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProjectNotFoundError(f"{path} is not a Scrubdesk project (no {DESCRIPTOR})") from None
    except (OSError, ValueError) as exc:
        raise ProjectNotFoundError(f"{file} is unreadable: {type(exc).__name__}") from exc
    if (
        not isinstance(descriptor, dict)
        or descriptor.get("format") != FORMAT
        or "project_id" not in descriptor
    ):
        raise ProjectNotFoundError(f"{file} is not a Scrubdesk project descriptor")
    return descriptor


def is_project(path: Path) -> bool:
    return (Path(path) / DESCRIPTOR).is_file()
