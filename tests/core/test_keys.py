from __future__ import annotations

import pytest

from scrubdesk.core import keys as keys_module
from scrubdesk.core.errors import KeyringUnavailableError, ProjectKeyMissingError, WrongKeyError
from scrubdesk.core.keys import KeyVault, ProjectKeys

pytestmark = pytest.mark.real_keyring


def resolve_backend():
    return keys_module.resolve_backend()


def _fake_keyring_class(module: str):
    return type("Keyring", (), {"__module__": module})


def test_file_keyring_round_trip_and_nothing_in_clear(isolated_keyring):
    vault = KeyVault()
    keys = ProjectKeys.generate()
    vault.store("p1", keys)
    assert KeyVault().load("p1") == keys
    raw = isolated_keyring.read_bytes()
    assert keys.db_key.hex().encode() not in raw
    assert keys.id_key.hex().encode() not in raw


def test_wrong_passphrase_is_a_clear_error(monkeypatch):
    KeyVault().store("p1", ProjectKeys.generate())
    monkeypatch.setenv("SCRUBDESK_PASSPHRASE", "not the passphrase")
    with pytest.raises(WrongKeyError, match="SCRUBDESK_PASSPHRASE"):
        KeyVault().load("p1")


def test_missing_key_names_the_project():
    with pytest.raises(ProjectKeyMissingError, match="no key for project nope"):
        KeyVault().load("nope")


def test_file_backend_needs_a_passphrase(monkeypatch):
    monkeypatch.delenv("SCRUBDESK_PASSPHRASE")
    with pytest.raises(KeyringUnavailableError, match="SCRUBDESK_PASSPHRASE"):
        resolve_backend()


def test_unknown_backend_choice_is_refused(monkeypatch):
    monkeypatch.setenv("SCRUBDESK_KEYRING", "plaintext")
    with pytest.raises(KeyringUnavailableError, match="not known"):
        resolve_backend()


@pytest.mark.parametrize(
    "module",
    ["keyring.backends.fail", "keyring.backends.null", "keyrings.alt.file", "keyrings.cryptfile.file"],
)
def test_insecure_os_backends_are_refused(monkeypatch, module):
    import keyring

    monkeypatch.delenv("SCRUBDESK_KEYRING")
    monkeypatch.setattr(keyring, "get_keyring", lambda: _fake_keyring_class(module)())
    with pytest.raises(KeyringUnavailableError, match="No secure OS keyring"):
        resolve_backend()


def test_chainer_picks_the_trusted_backend_and_skips_plaintext(monkeypatch):
    import keyring
    from keyring.backends.chainer import ChainerBackend

    plaintext = _fake_keyring_class("keyrings.alt.file")()
    secret_service = _fake_keyring_class("keyring.backends.SecretService")()
    chainer = ChainerBackend.__new__(ChainerBackend)
    monkeypatch.setattr(ChainerBackend, "backends", [plaintext, secret_service])
    monkeypatch.delenv("SCRUBDESK_KEYRING")
    monkeypatch.setattr(keyring, "get_keyring", lambda: chainer)
    assert resolve_backend() is secret_service


def test_keys_never_appear_in_repr():
    keys = ProjectKeys.generate()
    assert keys.db_key.hex() not in repr(keys)
    assert "redacted" in repr(keys)


def test_corrupt_keyring_entry_is_a_clear_error():
    with pytest.raises(WrongKeyError, match="not a Scrubdesk key"):
        ProjectKeys.from_secret("hunter2")


def test_a_read_never_creates_the_key_file(isolated_keyring, monkeypatch, tmp_path):
    """Pointing SCRUBDESK_KEYRING_FILE at a missing file must not create it (or its folder) on a read."""
    missing = tmp_path / "nowhere" / "keyring.cfg"
    monkeypatch.setenv("SCRUBDESK_KEYRING_FILE", str(missing))
    with pytest.raises(ProjectKeyMissingError, match=r"no key file at .*nothing was created"):
        KeyVault().load("p1")
    assert not missing.exists() and not missing.parent.exists()
    KeyVault().store("p1", keys := ProjectKeys.generate())  # the first write creates it
    assert missing.is_file() and KeyVault().load("p1") == keys


def test_the_vault_names_the_key_file_it_uses(isolated_keyring):
    vault = KeyVault()
    assert vault.key_file == isolated_keyring
    assert str(isolated_keyring) in vault.description
