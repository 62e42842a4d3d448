"""Which message an imported item is: identity = its ID (Message-ID or CSV/JSON record ID) and its content.

Keys (all keyed HMACs under the project's ID key, see :mod:`scrubdesk.core.ids`):

- A message with a Message-ID: the first copy stored is keyed on the Message-ID alone (as every version
  before this one did, so older projects, exports and erasure records keep working); a copy with the same
  ID and other content (subject or body) is a different message, stored under a *variant* key derived from
  the ID and the content, and counted "same Message-ID, different content".
- A CSV/JSON record with an ID column: the same, with the ID scoped to the file's name, unless the user
  says IDs are global (``ImportOptions.global_ids``); then the ID alone, as before. The key of the other
  scoping is checked too, for erased and already-stored records, so an older project (whose record IDs
  were global) does not get them back or twice, and switching modes on one file stores nothing twice.
- A message without a Message-ID: its exact bytes; a record without an ID column: its row in that exact
  file (a copy elsewhere is another item: there is nothing else to match it on).

Truncated copies: when the bodies of two copies with the same ID differ only in that one is a proper
prefix of the other, the shorter is a truncated copy (a cut-off file, a partial download; the parser's
``body_truncated`` cut at ``MAX_BODY_CHARS`` makes equal prefixes, which are the same content). A complete
copy replaces a stored truncated one in place (same row, key and label: its analysis is redone, because
the content changed); a truncated copy of a stored message is a duplicate. A purged message is never
replaced.

Erased messages: an item whose ID key, variant key or legacy key was erased is skipped, whatever its
content: an erasure request covers every copy of that message.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath

from scrubdesk.core.db import imports
from scrubdesk.core.db.messages import text_of
from scrubdesk.core.db.rows import Connection
from scrubdesk.core.ids import KeyedIds
from scrubdesk.core.ingest.records import ParsedMessage, content_digest


class Outcome(StrEnum):
    NEW = "new"  # store under Identity.msg_key
    VARIANT = "same_id_different_content"  # store under Identity.variant_key
    REPLACES = "replaces_truncated"  # write over the stored truncated copy
    SAME = "same_content"  # duplicate: a stored copy has this content
    TRUNCATED = "truncated_copy"  # duplicate: a stored copy holds this body and more
    ERASED = "erased"  # an erasure removed this message: never imported again


DUPLICATES = frozenset({Outcome.SAME, Outcome.TRUNCATED})


@dataclass(frozen=True)
class Identity:
    msg_key: str  # the key of the first copy stored with this ID (or of the item, when it has no ID)
    id_key: str | None  # shared by every copy with the same ID; None without an ID
    content_key: str
    variant_key: str | None  # the key of a copy with this ID and this content, when the ID is taken
    # record IDs: the key of the other scoping (global / per file), checked for erased and stored copies
    legacy_keys: tuple[str, ...] = ()

    def candidate_keys(self) -> tuple[str, ...]:
        """Every msg_key this item may be stored under (re-link matches an export against these)."""
        return tuple(k for k in (self.msg_key, self.variant_key, *self.legacy_keys) if k)


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    copy_id: int | None = None  # the stored copy a complete one replaces


class KeysInOrder:
    """The key each item of a source had when it was imported, for re-link: the first copy read with an ID
    took the ID's key, a later copy with the same content the same key, one with other content its variant
    key (as the import did, when the sources are read in the same order)."""

    def __init__(self) -> None:
        self._first: dict[str, str] = {}  # id_key -> content_key of the first copy

    def keys(self, identity: Identity) -> tuple[str, ...]:
        if identity.id_key is None or identity.variant_key is None:
            return (identity.msg_key,)
        first = self._first.setdefault(identity.id_key, identity.content_key)
        key = identity.msg_key if first == identity.content_key else identity.variant_key
        return (key, *identity.legacy_keys)


class BatchCopies:
    """The stored copies of a batch's IDs, read with one query per batch and kept current while the batch
    is written, so that the usual cases (a new ID; a copy already stored) need no query of their own."""

    def __init__(self, conn: Connection, identities: Collection[Identity]) -> None:
        keys = sorted({k for i in identities for k in (i.id_key, *i.legacy_keys) if k})
        self._by_id: dict[str, list[imports.StoredCopy]] = defaultdict(list)
        for copy in imports.copies(conn, keys) if keys else []:
            self._by_id[copy.id_key].append(copy)

    def quick(self, identity: Identity) -> Outcome | None:
        """NEW or SAME when the copies settle it; None when :func:`decide` must look closer."""
        if identity.id_key is None:
            return None
        group = [c for k in (identity.id_key, *identity.legacy_keys) for c in self._by_id.get(k, ())]
        if not group:
            return Outcome.NEW
        if any(copy.content_key == identity.content_key for copy in group):
            return Outcome.SAME
        return None

    def stored(self, identity: Identity, message_id: int, msg_key: str) -> None:
        """Record a copy just written (new, or a complete one over a truncated one)."""
        if identity.id_key is None:
            return
        group = self._by_id[identity.id_key]
        group[:] = [copy for copy in group if copy.id != message_id]
        group.append(imports.StoredCopy(message_id, msg_key, identity.content_key, False, identity.id_key))


def record_scope(location: str) -> str:
    """The file a record came from, by name: record IDs are scoped to it."""
    return PurePosixPath(location.rsplit("#", 1)[0].replace("\\", "/")).name


def identify(ids: KeyedIds, item: ParsedMessage, digest: str | None, *, global_ids: bool = False) -> Identity:
    """The keys of a parsed item. ``digest``: the keyed digest of a CSV/JSON file's bytes (see
    :func:`scrubdesk.core.importer.source_digest`), which keys rows without an ID column."""
    content_key = ids.digest("content", item.content_digest or content_digest(item.subject, item.body))
    if item.body_kind == "record":
        if not item.natural_id:
            assert digest is not None, "a record without an ID column needs its file's digest"
            return Identity(ids.record_id(digest, item.location.rsplit("#", 1)[-1]), None, content_key, None)
        global_key = ids.digest("record-id", item.natural_id.encode())
        scoped_key = ids.digest("record-id", f"{record_scope(item.location)}\x00{item.natural_id}".encode())
        # The other mode's key is checked too, so switching modes on the same file stores nothing twice.
        key, other = (global_key, scoped_key) if global_ids else (scoped_key, global_key)
        return Identity(key, key, content_key, _variant(ids, key, content_key), (other,))
    if item.natural_id:
        key = ids.message_id(item.natural_id)
        return Identity(key, key, content_key, _variant(ids, key, content_key))
    if item.content_fingerprint is None:
        raise ValueError("reader gave neither an ID nor a fingerprint")
    return Identity(ids.content_id(item.content_fingerprint), None, content_key, None)


def _variant(ids: KeyedIds, id_key: str, content_key: str) -> str:
    return ids.digest("message-variant", f"{id_key}\x00{content_key}".encode())


def decide(
    conn: Connection, ids: KeyedIds, identity: Identity, body: str, erased: Collection[str]
) -> Decision:
    """What importing an item with ``identity`` and ``body`` would do, given what is stored. Reads only."""
    if any(key in erased for key in identity.candidate_keys()):
        return Decision(Outcome.ERASED)
    if identity.id_key is None:
        return Decision(Outcome.SAME if imports.key_taken(conn, identity.msg_key) else Outcome.NEW)
    stored = imports.copies(conn, [identity.id_key, *identity.legacy_keys])
    if not stored:
        return Decision(Outcome.NEW)
    if any(_content_key(conn, ids, copy) == identity.content_key for copy in stored):
        return Decision(Outcome.SAME)
    for copy in stored:
        if copy.purged:
            continue
        text = text_of(conn, copy.id)
        if text is None:
            continue
        if len(body) < len(text.body) and text.body.startswith(body):
            return Decision(Outcome.TRUNCATED)
        if len(text.body) < len(body) and body.startswith(text.body):
            return Decision(Outcome.REPLACES, copy.id)
    if all(copy.msg_key != identity.msg_key for copy in stored):
        return Decision(Outcome.NEW)  # only legacy-keyed copies, with other content
    if identity.variant_key is None or imports.key_taken(conn, identity.variant_key):
        return Decision(Outcome.SAME)
    return Decision(Outcome.VARIANT)


def _content_key(conn: Connection, ids: KeyedIds, copy: imports.StoredCopy) -> str | None:
    if copy.content_key is not None:
        return copy.content_key
    text = text_of(conn, copy.id)  # stored before identity included content: derive it from the row
    return None if text is None else ids.digest("content", content_digest(text.subject, text.body))
