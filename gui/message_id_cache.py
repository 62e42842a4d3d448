"""The message list's ID lists (one per filter and sort), each read from the store once per data version.

A filter change reads every matching ID (70k IDs for "unlabelled" in a 100k project: ~15 ms), more than
a frame. Switching back and forth between filters, nothing in the store has changed in between, so the
list read last time is still exact. Each list is kept with the store's change stamp
(:meth:`~scrubdesk.core.store.Store.change_stamp`: any commit by another connection, any row written by
this one) and used again only while the stamp is unchanged, so a label, span, review or import, from this
window, a worker or another process, makes the next read go back to the store.

Qt-free: the table model holds one of these.
"""

from __future__ import annotations

from collections import OrderedDict

from scrubdesk.core.db import messages
from scrubdesk.core.db.messages import MessageFilter
from scrubdesk.core.store import Store

Stamp = tuple[int, int]
Key = tuple[MessageFilter, str, bool]


class MessageIdCache:
    """The last few ID lists read, each valid for the change stamp it was read under."""

    def __init__(self, size: int = 6, max_ids: int = 1_500_000) -> None:
        self.size = size
        # IDs kept in all (~36 bytes each): a few lists at 100k messages, the last one or two at 1M
        self.max_ids = max_ids
        self._lists: OrderedDict[Key, tuple[Stamp, list[int]]] = OrderedDict()
        self._labelled: tuple[Stamp, set[int]] | None = None
        self.reads = 0  # lists read from the store: for tests and diagnostics

    def clear(self) -> None:
        self._lists.clear()
        self._labelled = None

    def ids(self, store: Store, sort: str, descending: bool, where: MessageFilter) -> list[int]:
        """The IDs ``where`` selects, in ``sort`` order. Callers must not change the list."""
        stamp = store.change_stamp()  # before reading: a commit racing the read changes it again
        key = (where, sort, descending)
        kept = self._lists.get(key)
        if kept is not None and kept[0] == stamp:
            self._lists.move_to_end(key)
            return kept[1]
        ids = messages.message_ids(store, sort, descending, where)
        self.reads += 1
        self._lists[key] = (stamp, ids)
        self._lists.move_to_end(key)
        while len(self._lists) > 1 and (
            len(self._lists) > self.size or sum(len(kept[1]) for kept in self._lists.values()) > self.max_ids
        ):
            self._lists.popitem(last=False)
        return ids

    def labelled(self, store: Store) -> set[int]:
        """IDs of every labelled message. Callers must not change the set."""
        stamp = store.change_stamp()
        if self._labelled is None or self._labelled[0] != stamp:
            self._labelled = (stamp, messages.labelled_ids(store))
        return self._labelled[1]
