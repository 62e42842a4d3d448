from __future__ import annotations

import json
import sqlite3

import pytest

from scrubdesk.core import schema
from scrubdesk.core.db.maintenance import count_table, table_names
from scrubdesk.core.db.messages import first_id, get_message
from scrubdesk.core.errors import (
    ProjectExistsError,
    ProjectKeyMissingError,
    ProjectNotFoundError,
    SchemaError,
    WrongKeyError,
)
from scrubdesk.core.keys import KeyVault, ProjectKeys
from scrubdesk.core.project import DESCRIPTOR, STORE_FILE, Project
from scrubdesk.core.store import Store
from tests.builders import (
    MIGRATION_FAILING_HALFWAY,
    MIGRATION_WITH_A_ROW,
    add_message,
    read_as_plain_sqlite,
    set_schema_version,
)

CANARY = "Canary Quentin Zebedee-Smythe, 42 Wobble Lane"


def _insert_canary(project: Project) -> None:
    with project.store() as store, store.transaction() as conn:
        add_message(conn, "k1", CANARY, size_bytes=10)


def test_create_then_open(tmp_path):
    created = Project.create(tmp_path / "p", name="Acme")
    opened = Project.open(tmp_path / "p")
    assert opened.project_id == created.project_id
    assert opened.name == "Acme"
    with opened.store() as store:
        assert store.schema_version == schema.SCHEMA_VERSION


def test_descriptor_holds_no_secret(project):
    text = (project.path / DESCRIPTOR).read_text()
    assert project.keys.db_key.hex() not in text
    assert set(json.loads(text)) == {"format", "version", "project_id", "name", "created_at"}


def test_store_is_encrypted_at_rest(project):
    _insert_canary(project)
    for file in project.path.iterdir():
        data = file.read_bytes()
        assert CANARY.encode() not in data, file.name
        assert CANARY.encode("utf-16-le") not in data, file.name
        assert b"Zebedee" not in data, file.name
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        read_as_plain_sqlite(project.store_path)


def test_create_refuses_existing_project(project):
    with pytest.raises(ProjectExistsError):
        Project.create(project.path)


def test_open_non_project_is_clear(tmp_path):
    with pytest.raises(ProjectNotFoundError, match="not a Scrubdesk project"):
        Project.open(tmp_path)


def test_missing_key_is_clear_and_touches_nothing(project):
    _insert_canary(project)
    before = {f.name: f.read_bytes() for f in project.path.iterdir()}
    KeyVault().delete(project.project_id)
    with pytest.raises(ProjectKeyMissingError, match=project.project_id):
        Project.open(project.path)
    assert {f.name: f.read_bytes() for f in project.path.iterdir()} == before


def test_wrong_key_is_clear_and_touches_nothing(project):
    _insert_canary(project)
    before = {f.name: f.read_bytes() for f in project.path.iterdir()}
    KeyVault().store(project.project_id, ProjectKeys.generate())  # someone replaced the key
    with pytest.raises(WrongKeyError, match="does not open"):
        Project.open(project.path)
    assert {f.name: f.read_bytes() for f in project.path.iterdir()} == before
    KeyVault().store(project.project_id, project.keys)
    with Project.open(project.path).store() as store:
        assert get_message(store, first_id(store)).body == CANARY


def test_newer_schema_is_refused(project):
    with project.store() as store:
        set_schema_version(store, schema.SCHEMA_VERSION + 1)
    with pytest.raises(SchemaError, match="Upgrade Scrubdesk"):
        Project.open(project.path)


def test_migrations_run_in_order_once(tmp_path, monkeypatch):
    key = ProjectKeys.generate().db_key
    path = tmp_path / "s.sdb"
    Store.open(path, key, create=True).close()
    monkeypatch.setattr("scrubdesk.core.store.MIGRATIONS", [*schema.MIGRATIONS, MIGRATION_WITH_A_ROW])
    monkeypatch.setattr("scrubdesk.core.store.SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    with Store.open(path, key) as store:
        assert store.schema_version == schema.SCHEMA_VERSION + 1
    with Store.open(path, key) as store:  # a second open must not re-run it
        assert count_table(store, "extra") == 1


def test_failed_migration_rolls_back(tmp_path, monkeypatch):
    key = ProjectKeys.generate().db_key
    path = tmp_path / "s.sdb"
    Store.open(path, key, create=True).close()
    monkeypatch.setattr("scrubdesk.core.store.MIGRATIONS", [*schema.MIGRATIONS, MIGRATION_FAILING_HALFWAY])
    monkeypatch.setattr("scrubdesk.core.store.SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    with pytest.raises(Exception, match="syntax error"):
        Store.open(path, key)
    monkeypatch.undo()
    with Store.open(path, key) as store:
        assert store.schema_version == schema.SCHEMA_VERSION
        assert "half" not in table_names(store)


def test_store_file_missing_is_clear(project):
    (project.path / STORE_FILE).unlink()
    with pytest.raises(ProjectNotFoundError, match="store"):
        Project.open(project.path)


@pytest.mark.real_keyring
def test_keyring_refusal_creates_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("SCRUBDESK_KEYRING", "bogus")
    with pytest.raises(Exception, match="not known"):
        Project.create(tmp_path / "p")
    assert not (tmp_path / "p").exists()
