"""Model files at rest: encrypted inside the project under a key derived from the project key.

A trained model can hold what the analyser missed, so inside the project it is never written in clear:
``seal`` encrypts the serialised model with AES-256-GCM under a key derived (HMAC-SHA256, its own domain)
from the project's database key, and ``open_sealed`` decrypts it in memory. Only the audited
`scrubdesk model export` writes a clear copy, outside the project. No ML here: bytes in, bytes out.

File layout: ``MAGIC | 12-byte nonce | ciphertext+tag``; the magic and the file's name are the associated
data, so a sealed model renamed to another model's name does not open.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from scrubdesk.core.errors import ScrubdeskError
from scrubdesk.core.files import write_bytes_atomic

MAGIC = b"SCRUBDESK-MODEL-1\n"
SEALED_SUFFIX = ".sealed"
_NONCE = 12


class SealedModelError(ScrubdeskError):
    """A sealed model file is not one, was changed, or belongs to another project."""


def model_file_key(db_key: bytes) -> bytes:
    """The key that seals model files: derived, so the database key itself never encrypts anything else."""
    return hmac.digest(db_key, b"scrubdesk/model-file/v1", hashlib.sha256)


def seal(data: bytes, path: Path, db_key: bytes) -> None:
    """Encrypt ``data`` to ``path`` (atomic: a temporary file in the same folder, then renamed)."""
    nonce = secrets.token_bytes(_NONCE)
    sealed = MAGIC + nonce + AESGCM(model_file_key(db_key)).encrypt(nonce, data, _aad(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, sealed)  # owner-only temporary beside it, fsync, rename


def open_sealed(path: Path, db_key: bytes) -> bytes:
    """The clear bytes of a sealed model file, in memory only."""
    try:
        blob = path.read_bytes()
    except OSError as exc:
        raise SealedModelError(f"model file {path.name} cannot be read ({type(exc).__name__})") from None
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + _NONCE + 16:
        raise SealedModelError(f"{path.name} is not a sealed Scrubdesk model file")
    nonce = blob[len(MAGIC) : len(MAGIC) + _NONCE]
    try:
        return AESGCM(model_file_key(db_key)).decrypt(nonce, blob[len(MAGIC) + _NONCE :], _aad(path))
    except InvalidTag:
        raise SealedModelError(
            f"{path.name} does not decrypt with this project's key: it was changed, renamed or belongs to "
            "another project"
        ) from None


def is_sealed(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def _aad(path: Path) -> bytes:
    return MAGIC + path.name.encode("utf-8")
