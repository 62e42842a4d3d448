"""Shared fixtures. Every test gets its own encrypted file keyring and runs Qt offscreen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Presidio's tldextract must never reach the network (see ENVIRONMENT.md).
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

TEST_PASSPHRASE = "test-passphrase-not-secret"


class MemoryKeyring:
    """A keyring backend in memory, for in-process tests. Subprocesses use the real file keyring."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, user: str, secret: str) -> None:
        self.entries[(service, user)] = secret

    def get_password(self, service: str, user: str) -> str | None:
        return self.entries.get((service, user))

    def delete_password(self, service: str, user: str) -> None:
        self.entries.pop((service, user), None)


@pytest.fixture(autouse=True)
def isolated_keyring(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets a private encrypted file keyring, selected the documented way (env vars), which
    subprocesses use. In-process code gets a memory keyring instead, because each Argon2 unlock of the
    file costs ~0.5 s; tests marked ``real_keyring`` use the file keyring in-process too."""
    keyring_file = tmp_path_factory.mktemp("keyring") / "keyring.cfg"
    monkeypatch.setenv("SCRUBDESK_KEYRING", "file")
    monkeypatch.setenv("SCRUBDESK_PASSPHRASE", TEST_PASSPHRASE)
    monkeypatch.setenv("SCRUBDESK_KEYRING_FILE", str(keyring_file))
    if request.node.get_closest_marker("real_keyring") is None:
        memory = MemoryKeyring()
        monkeypatch.setattr("scrubdesk.core.keys.resolve_backend", lambda env=None: memory)
    return keyring_file


@pytest.fixture
def project(tmp_path: Path):
    from scrubdesk.core.project import Project

    return Project.create(tmp_path / "proj", name="test project")
