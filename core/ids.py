"""Keyed identifiers: HMAC-SHA256 under the project's ID key, never a plain hash.

A plain SHA-256 of an address falls to a dictionary attack (hash every address in a leaked list and
compare). With a secret key, only the key holder can compute or re-link IDs.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from email.utils import parseaddr

ID_HEX_CHARS = 32  # 128 bits: collision-free at any realistic corpus size, short enough for people to read

_WS = re.compile(r"\s+")


class KeyedIds:
    """Derives every pseudonymous ID of a project from one secret key."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("the ID key must be at least 256 bits")
        self._key = key

    def _mac(self, domain: str, value: bytes) -> str:
        # The domain keeps IDs of different kinds apart: a Message-ID and an address never collide.
        return hmac.digest(self._key, domain.encode() + b"\x00" + value, hashlib.sha256).hex()[:ID_HEX_CHARS]

    def message_id(self, rfc822_message_id: str) -> str:
        """ID of a message from its Message-ID header, so the client can re-link it on its own server."""
        return self._mac("message-id", normalise_message_id(rfc822_message_id).encode())

    def content_id(self, content: bytes) -> str:
        """ID of a message that has no Message-ID: its exact bytes."""
        return self._mac("content", content)

    def record_id(self, source_digest: str, record_id: str) -> str:
        """ID of a row of a CSV/JSON file (its id column, or its row number within that exact file)."""
        return self._mac("record", f"{source_digest}\x00{record_id}".encode())

    def subject_id(self, address: str) -> str:
        """ID of a data subject from an email address (case and display name ignored)."""
        return self._mac("subject", normalise_address(address).encode())

    def digest(self, domain: str, value: bytes) -> str:
        """A keyed digest for anything else that must be matched without being stored."""
        return self._mac(domain, value)


def normalise_message_id(value: str) -> str:
    value = _WS.sub("", value).strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    return value


_BARE_ADDRESS = re.compile(r"[^\s<>\"(),;:]+@[^\s<>\"(),;:]+")


def normalise_address(value: str) -> str:
    value = value.strip()
    if _BARE_ADDRESS.fullmatch(value):  # the common case; parseaddr costs ~90 µs
        return value.lower()
    _, address = parseaddr(value)
    return (address or value).strip().lower()
