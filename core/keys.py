"""Project keys in the OS keyring, and the rules for which keyring backends are acceptable.

Each project has two random 256-bit keys: one opens the SQLCipher store, one keys the HMAC IDs.
They live in one keyring entry and never touch the disk in clear.

Backend policy: only the platform's own secret stores are used (Secret Service / KWallet on Linux,
Credential Manager on Windows, Keychain on macOS). Plaintext, null and failing backends are refused, and
so is any third-party file backend that was not explicitly chosen, because some prompt on a TTY and some
store secrets in clear. For headless and CI use, ``SCRUBDESK_KEYRING=file`` explicitly selects an
encrypted file keyring (keyrings.cryptfile: Argon2 + AES-GCM) whose passphrase is read from
``SCRUBDESK_PASSPHRASE``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrubdesk.core.errors import (
    KeyringUnavailableError,
    ProjectKeyMissingError,
    ScrubdeskError,
    WrongKeyError,
)

SERVICE = "scrubdesk"
KEY_BYTES = 32
ENV_BACKEND = "SCRUBDESK_KEYRING"
ENV_PASSPHRASE = "SCRUBDESK_PASSPHRASE"  # noqa: S105 - a variable name
ENV_KEYRING_FILE = "SCRUBDESK_KEYRING_FILE"

# Module prefixes of the platform secret stores we trust.
_TRUSTED_BACKEND_MODULES = (
    "keyring.backends.SecretService",
    "keyring.backends.libsecret",
    "keyring.backends.kwallet",
    "keyring.backends.Windows",
    "keyring.backends.macOS",
)


@dataclass(frozen=True)
class ProjectKeys:
    db_key: bytes
    id_key: bytes

    @classmethod
    def generate(cls) -> ProjectKeys:
        return cls(db_key=secrets.token_bytes(KEY_BYTES), id_key=secrets.token_bytes(KEY_BYTES))

    def to_secret(self) -> str:
        return json.dumps({"v": 1, "db": self.db_key.hex(), "id": self.id_key.hex()})

    @classmethod
    def from_secret(cls, secret: str) -> ProjectKeys:
        try:
            data = json.loads(secret)
            keys = cls(db_key=bytes.fromhex(data["db"]), id_key=bytes.fromhex(data["id"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise WrongKeyError("the keyring entry for this project is not a Scrubdesk key") from exc
        if len(keys.db_key) != KEY_BYTES or len(keys.id_key) != KEY_BYTES:
            raise WrongKeyError("the keyring entry for this project has keys of the wrong length")
        return keys

    def __repr__(self) -> str:  # never print key material, even in a traceback
        return "ProjectKeys(<redacted>)"


def backend_name(backend: Any) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _is_trusted(backend: Any) -> bool:
    return type(backend).__module__.startswith(_TRUSTED_BACKEND_MODULES)


def default_keyring_file() -> Path:
    from platformdirs import user_data_path  # noqa: PLC0415 - lazy: only when a default path is needed

    return user_data_path("scrubdesk", appauthor=False) / "keyring.cfg"


class EncryptedKeyFile:
    """The explicit headless keyring: one keyrings.cryptfile file (Argon2 + AES-GCM) at ``path``.

    Opening it only to read never creates it: cryptfile writes a new file as soon as its passphrase is
    set, so a missing file answers "no key" and is created only by the first :meth:`set_password`."""

    def __init__(self, path: Path, passphrase: str) -> None:
        self.file_path = path
        self._passphrase = passphrase
        self._backend: Any = None

    def __repr__(self) -> str:  # never show the passphrase
        return f"EncryptedKeyFile({str(self.file_path)!r})"

    def _open(self) -> Any:
        if self._backend is None:
            from keyrings.cryptfile.cryptfile import CryptFileKeyring  # noqa: PLC0415 - lazy: only when used

            backend = CryptFileKeyring()
            backend.file_path = str(self.file_path)
            try:
                backend.keyring_key = self._passphrase  # set before first use, so it never prompts on a TTY
            except ValueError as exc:  # cryptfile checks the passphrase against the file: "MAC check failed"
                raise WrongKeyError(
                    f"the key file {self.file_path} could not be unlocked: wrong {ENV_PASSPHRASE}?"
                ) from exc
            self._backend = backend
        return self._backend

    def get_password(self, service: str, user: str) -> str | None:
        if self._backend is None and not self.file_path.exists():
            return None
        found: str | None = self._open().get_password(service, user)
        return found

    def set_password(self, service: str, user: str, secret: str) -> None:
        self.file_path.parent.mkdir(parents=True, exist_ok=True)
        self._open().set_password(service, user, secret)

    def delete_password(self, service: str, user: str) -> None:
        if self._backend is not None or self.file_path.exists():
            self._open().delete_password(service, user)


def _file_backend(env: Mapping[str, str]) -> EncryptedKeyFile:
    passphrase = env.get(ENV_PASSPHRASE, "")
    if not passphrase:
        raise KeyringUnavailableError(
            f"{ENV_BACKEND}=file needs the keyring passphrase in {ENV_PASSPHRASE}; it is not set."
        )
    return EncryptedKeyFile(Path(env.get(ENV_KEYRING_FILE) or default_keyring_file()), passphrase)


def resolve_backend(env: Mapping[str, str] | None = None) -> Any:
    """The keyring backend to use, or a clear refusal."""
    env = os.environ if env is None else env
    choice = env.get(ENV_BACKEND, "").strip().lower()
    if choice == "file":
        return _file_backend(env)
    if choice not in ("", "os"):
        raise KeyringUnavailableError(f"{ENV_BACKEND}={choice!r} is not known: use 'os' (default) or 'file'.")

    import keyring  # noqa: PLC0415 - lazy: backend discovery
    from keyring.backends.chainer import ChainerBackend  # noqa: PLC0415 - lazy: backend discovery

    current = keyring.get_keyring()
    candidates = list(current.backends) if isinstance(current, ChainerBackend) else [current]
    trusted = [b for b in candidates if _is_trusted(b)]
    if not trusted:
        found = ", ".join(backend_name(b) for b in candidates) or "none"
        raise KeyringUnavailableError(
            "No secure OS keyring is available (found: "
            f"{found}). Scrubdesk keeps project keys only in the OS keyring and will not store them in "
            "clear. Start a desktop session with a keyring (GNOME Keyring, KWallet, Windows Credential "
            f"Manager, macOS Keychain), or for headless/CI use set {ENV_BACKEND}=file and "
            f"{ENV_PASSPHRASE} to use an encrypted key file."
        )
    return trusted[0]


def passphrase_needed(env: Mapping[str, str] | None = None) -> Path | None:
    """The encrypted key file whose passphrase must be typed in (a desktop without an OS keyring), or None.

    That is when the key file is chosen (``SCRUBDESK_KEYRING=file``) without ``SCRUBDESK_PASSPHRASE``, or
    when nothing is chosen, no secure OS keyring exists, and a key file is there to unlock. Without an OS
    keyring and without a key file, nothing is offered: opening refuses as before, with its explanation."""
    env = os.environ if env is None else env
    choice = env.get(ENV_BACKEND, "").strip().lower()
    path = Path(env.get(ENV_KEYRING_FILE) or default_keyring_file())
    if choice == "file":
        return None if env.get(ENV_PASSPHRASE) else path
    if choice not in ("", "os"):
        return None
    try:
        resolve_backend(env)
    except KeyringUnavailableError:
        return path if path.exists() else None
    return None


def key_file_vault(path: Path, passphrase: str) -> KeyVault:
    """A vault over the encrypted key file at ``path``, unlocked with a passphrase someone typed in. The
    passphrase lives only in this object: never stored, never logged (its repr hides it)."""
    return KeyVault(EncryptedKeyFile(path, passphrase))


class KeyVault:
    """Reads and writes project keys in one keyring backend."""

    def __init__(self, backend: Any | None = None) -> None:
        self.backend = backend if backend is not None else resolve_backend()

    @property
    def description(self) -> str:
        if isinstance(self.backend, EncryptedKeyFile):
            return f"encrypted key file {self.backend.file_path}"
        return backend_name(self.backend)

    @property
    def key_file(self) -> Path | None:
        """Where the keys are on disk (encrypted) with the explicit key file; None for an OS keyring."""
        return self.backend.file_path if isinstance(self.backend, EncryptedKeyFile) else None

    @staticmethod
    def _entry(project_id: str) -> str:
        return f"project:{project_id}"

    def store(self, project_id: str, keys: ProjectKeys) -> None:
        try:
            self.backend.set_password(SERVICE, self._entry(project_id), keys.to_secret())
        except Exception as exc:  # backends raise many types; the message must stay generic
            raise KeyringUnavailableError(
                f"could not store the project key in the keyring ({self.description}): {type(exc).__name__}"
            ) from exc

    def load(self, project_id: str) -> ProjectKeys:
        try:
            secret = self.backend.get_password(SERVICE, self._entry(project_id))
        except ScrubdeskError:
            raise
        except ValueError as exc:  # cryptfile: wrong passphrase
            raise WrongKeyError(
                f"the keyring ({self.description}) could not be unlocked: wrong {ENV_PASSPHRASE}?"
            ) from exc
        except Exception as exc:
            raise KeyringUnavailableError(
                f"could not read the keyring ({self.description}): {type(exc).__name__}"
            ) from exc
        if secret is None:
            if self.key_file is not None and not self.key_file.exists():
                raise ProjectKeyMissingError(
                    f"there is no key file at {self.key_file} ({ENV_KEYRING_FILE}), so no key for project "
                    f"{project_id}; nothing was created. Point {ENV_KEYRING_FILE} at the file that holds it."
                )
            raise ProjectKeyMissingError(
                f"the keyring ({self.description}) holds no key for project {project_id}. The project can "
                "only be opened on the machine and user account that created it, or after its key is "
                "restored to this keyring."
            )
        return ProjectKeys.from_secret(secret)

    def delete(self, project_id: str) -> None:
        import keyring.errors  # noqa: PLC0415 - lazy: backend discovery

        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            self.backend.delete_password(SERVICE, self._entry(project_id))
