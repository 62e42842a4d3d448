"""Who wrote each training message, and each data subject's own identifiers (issue 16).

Two facts the triage model's privacy rules need and the detector's spans do not give:

- the sender of each message (its keyed subject ID, role ``from``): a vocabulary term must occur in
  messages from at least ``k`` distinct senders, because one person writes many messages; a message
  without a known sender counts as its own sender;
- every subject's own identifiers from the headers (address, its local part and domain and their
  pieces, display-name words): strings a model must never hold even when the analyser missed them in
  the body.

Held in memory only for the duration of a training run. Rows come from
:mod:`scrubdesk.core.db.training_subjects`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

from scrubdesk.core.db import training_subjects as rows
from scrubdesk.core.db.rows import Connection

_PIECES = re.compile(r"[^\W_]+", re.UNICODE)  # letters/digits runs: "jo.smith_84" -> jo, smith, 84
MIN_PIECE = 3  # shorter pieces ("jo", "uk") are too common to mean a person; the whole value still counts


def sender_keys(conn: Connection, message_ids: Sequence[int]) -> list[str]:
    """One sender key per message, in order: its ``from`` subject, else a key of the message itself."""
    found = rows.sender_keys(conn, message_ids)
    return [found.get(mid, f"message:{mid}") for mid in message_ids]


def subject_identifiers(conn: Connection, message_ids: Sequence[int]) -> set[str]:
    """Normalised identifiers of every person in these messages' headers (sender and recipients)."""
    found: set[str] = set()
    for name, address, to_addrs, cc_addrs in rows.header_people(conn, message_ids):
        found |= identifiers_of(name, [address, *_addresses(to_addrs), *_addresses(cc_addrs)])
    return found


def analyzer_versions(conn: Connection, message_ids: Sequence[int]) -> dict[str, int]:
    """Messages per analyser version; the triage model records the most common, and `scrubdesk classify`
    scrubs new mail with exactly that one."""
    return rows.analyzer_versions(conn, message_ids)


def identifiers_of(name: str, addresses: Iterable[str]) -> set[str]:
    """A display name's words and each address, its local part, domain and their pieces, normalised."""
    found: set[str] = set()
    name = " ".join(name.lower().split())
    if name:
        found.add(name)
        found.update(w for w in _PIECES.findall(name) if len(w) >= MIN_PIECE)
    for raw in addresses:
        address = raw.strip().lower()
        if "@" not in address:
            continue
        local, _, domain = address.rpartition("@")
        found.update(v for v in (address, local, domain) if v)
        found.update(p for p in _PIECES.findall(f"{local} {domain}") if len(p) >= MIN_PIECE)
        # a spelled-out domain ("acme dot co dot uk") normalises to its pieces joined by spaces
        found.add(" ".join(_PIECES.findall(domain)))
    found.discard("")
    return found


def _addresses(value: str | None) -> list[str]:
    try:
        parsed = json.loads(value or "[]")
    except ValueError:
        return []
    return [a for a in parsed if isinstance(a, str)] if isinstance(parsed, list) else []
