"""The held-out split kept in the project: messages marked ``test`` never train a model, and the training
job scores each model on them beside its cross-validation
(:func:`scrubdesk.core.scrubbing.held_out_messages`).

Membership is drawn once per message from a keyed digest of its msg_key: uniform, reproducible with the
project key, and independent of import order and of labels (which may not exist yet). Drawing again
later places only the messages imported since; ``redraw`` places every message anew (models scored on
the old split are then not comparable with new ones: the audit entry says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scrubdesk.core.audit_log import AuditLog
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db import settings
from scrubdesk.core.db import splits as split_rows
from scrubdesk.core.errors import InputError
from scrubdesk.core.ids import KeyedIds
from scrubdesk.core.project import Project
from scrubdesk.core.roles import ROLES, require_role
from scrubdesk.core.store import Store

TEST_SHARE = settings.Setting[float | None]("test_share", None)
MAX_TEST_SHARE = 0.5
_SCALE = 16**12


def _fraction(ids: KeyedIds, msg_key: str) -> float:
    """A uniform number in [0, 1) for a message, keyed: nobody without the key can predict the split."""
    return int(ids.digest("split", msg_key.encode("ascii"))[:12], 16) / _SCALE


@dataclass(frozen=True)
class SplitSummary:
    test_share: float | None
    test: int
    train: int
    undrawn: int  # imported since the split was drawn: they train until it is drawn again
    placed: int = 0  # by this run

    def as_dict(self) -> dict[str, Any]:
        return {
            "test_share": self.test_share,
            "test": self.test,
            "train": self.train,
            "undrawn": self.undrawn,
            "placed": self.placed,
        }


def split_summary(store: Store) -> SplitSummary:
    require_role(store, ROLES, "reading the held-out split")
    counts = split_rows.counts(store)
    return SplitSummary(settings.get(store, TEST_SHARE), counts["test"], counts["train"], counts["undrawn"])


def draw_split(
    project: Project, store: Store, test_share: float | None = None, *, redraw: bool = False
) -> SplitSummary:
    """Place every message not yet in the split (admin; audit-logged). ``test_share``: the share held out
    (default: the project's, set by the first draw); ``redraw``: place every message anew."""
    role = require_role(store, ("admin",), "drawing the held-out split")
    share = settings.get(store, TEST_SHARE) if test_share is None else test_share
    if share is None:
        raise InputError("give the share of messages to hold out for testing (e.g. 0.1 for 10 %)")
    if not 0.0 < share <= MAX_TEST_SHARE:
        raise InputError(f"the held-out share is above 0 and at most {MAX_TEST_SHARE} (e.g. 0.1 for 10 %)")
    previous = settings.get(store, TEST_SHARE)
    if previous is not None and share != previous and not redraw:
        raise InputError(
            f"the project holds out {previous:g} already; changing the share moves messages between training "
            "and test, so it needs --redraw (models scored on the old split are then not comparable)"
        )
    at = utc_now()
    with store.transaction() as conn:
        if redraw:
            split_rows.clear(conn)
        placed = [
            (mid, "test" if _fraction(project.ids, key) < share else "train")
            for mid, key in split_rows.undrawn_keys(conn)
        ]
        split_rows.put(conn, placed, at)
        settings.put(conn, TEST_SHARE, share)
        counts = split_rows.counts(conn)
        summary = SplitSummary(share, counts["test"], counts["train"], counts["undrawn"], len(placed))
        AuditLog(store, project.keys.id_key).append(
            "split.draw",
            details={**summary.as_dict(), "redraw": redraw, "previous_share": previous},
            role=role,
            at=at,
        )
    return summary


def held_out_ids(store: Store) -> set[int]:
    """The messages in the held-out test split: never trained on."""
    return split_rows.test_ids(store)
