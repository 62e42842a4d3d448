"""Who labels what: an admin splits unlabelled messages among annotators, each of whom sees "my queue"
first; open work that went stale (or whose annotator left) is handed to someone else.

An assignment run takes the unlabelled messages nobody is assigned yet (optionally only those matching a
filter), in a random order drawn from ``seed``. A share of them (``overlap``) goes to several annotators
each (``overlap_annotators``, default 2), who label them independently (see
:mod:`scrubdesk.core.adjudication`); the rest is split by count (``counts``: how many each annotator labels
alone) or by share (``shares``: weights, equal by default). Overlap messages rotate through the annotators
so each gets the same number.

Everything is admin-only and audit-logged with keyed message IDs and account names only.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from scrubdesk.core import adjudication
from scrubdesk.core.audit_log import AuditLog, current_os_user
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db import assignments as assignment_rows
from scrubdesk.core.db import messages, trained_models
from scrubdesk.core.errors import InputError
from scrubdesk.core.project import Project
from scrubdesk.core.roles import require_role, role_of
from scrubdesk.core.store import Store

ADMIN_ONLY = ("admin",)
MAX_OVERLAP = 0.9  # nobody would split work to have almost all of it done twice; a typo more likely


@dataclass(frozen=True)
class AssignFilter:
    """Which unlabelled, unassigned messages an assignment run takes; every condition given must hold."""

    pii_type: str | None = None  # has a span of this entity type that nobody rejected
    suggested: str | None = None  # the model suggests this label
    msg_keys: tuple[str, ...] | None = None  # only these messages (keyed IDs)

    def describe(self) -> dict[str, Any]:
        """For the audit log: the entity type, whether a suggestion or a key list was used (no names)."""
        return {
            "pii_type": self.pii_type,
            "by_suggestion": self.suggested is not None,
            "keys_given": None if self.msg_keys is None else len(self.msg_keys),
        }


@dataclass(frozen=True)
class AssignSummary:
    per_annotator: dict[str, int]  # messages each was given (their overlap ones included)
    overlap: int  # messages given to several annotators
    single: int  # messages given to one annotator
    candidates: int  # unlabelled, unassigned messages that matched
    unknown_keys: int = 0

    @property
    def assigned(self) -> int:
        return self.overlap + self.single

    def as_dict(self) -> dict[str, Any]:
        return {
            "assigned": self.assigned,
            "overlap": self.overlap,
            "single": self.single,
            "per_annotator": self.per_annotator,
            "candidates": self.candidates,
            "left_unassigned": self.candidates - self.assigned,
            "unknown_keys": self.unknown_keys,
        }


def _largest_remainder(total: int, weights: Sequence[float]) -> list[int]:
    """``total`` split in proportion to ``weights``, in whole numbers that add up to ``total``."""
    exact = [total * w / sum(weights) for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _check_annotators(store: Store, annotators: Sequence[str]) -> list[str]:
    names = [a.strip() for a in annotators]
    if not names:
        raise InputError("name at least one annotator (an OS account that holds a role in the project)")
    if len(set(names)) != len(names):
        raise InputError("the same annotator was named twice")
    without = [n for n in names if role_of(store, n) is None]
    if without:
        raise InputError(
            f"{', '.join(map(repr, without))} hold(s) no role in this project: an admin grants one first "
            "(`scrubdesk roles grant DIR USER annotator`). Nothing was assigned."
        )
    return names


def _candidates(store: Store, where: AssignFilter) -> tuple[list[int], int]:
    """Unlabelled, unassigned messages matching ``where`` (by ID), and how many given keys are unknown."""
    ids = assignment_rows.unassigned_unlabelled_ids(store)
    unknown = 0
    if where.pii_type is not None:
        found = messages.MessageFilter(pii_type=where.pii_type).id_set(store) or set()
        ids = [i for i in ids if i in found]
    if where.suggested is not None:
        suggested = trained_models.ids_suggested(store, where.suggested)
        ids = [i for i in ids if i in suggested]
    if where.msg_keys is not None:
        known = messages.ids_for_keys(store, where.msg_keys)
        unknown = len(set(where.msg_keys) - set(known))
        wanted = set(known.values())
        ids = [i for i in ids if i in wanted]
    return ids, unknown


def assign(
    project: Project,
    store: Store,
    annotators: Sequence[str],
    *,
    counts: Sequence[int] | None = None,
    shares: Sequence[float] | None = None,
    overlap: float = 0.0,
    overlap_annotators: int = 2,
    limit: int | None = None,
    where: AssignFilter = AssignFilter(),
    seed: int = 0,
) -> AssignSummary:
    """Split unlabelled, unassigned messages among ``annotators`` (admin; audit-logged). See the module
    docstring. Refuses (assigning nothing) when ``counts`` ask for more messages than there are."""
    role = require_role(store, ADMIN_ONLY, "assigning messages")
    names = _check_annotators(store, annotators)
    n = len(names)
    if not 0.0 <= overlap <= MAX_OVERLAP:
        raise InputError(
            f"the overlap is a share of the messages from 0 to {MAX_OVERLAP} (e.g. 0.2 for 20 %)"
        )
    k = min(overlap_annotators, n)
    if overlap > 0 and (overlap_annotators < 2 or n < 2):
        raise InputError("overlap needs at least two annotators to label the same messages")
    if counts is not None and shares is not None:
        raise InputError("split by count or by share, not both")
    if limit is not None and limit < 0:
        raise InputError("the limit must not be negative")
    ids, unknown = _candidates(store, where)
    random.Random(seed).shuffle(ids)
    if counts is not None:
        per = list(counts) * n if len(counts) == 1 else list(counts)
        if len(per) != n or any(c < 0 for c in per):
            raise InputError(f"give one count for all annotators or one each ({n}); counts are not negative")
        single_counts = per
        n_overlap = round(overlap / (1 - overlap) * sum(per)) if overlap else 0
        if sum(per) + n_overlap > len(ids):
            raise InputError(
                f"asked for {sum(per) + n_overlap:,} messages ({n_overlap:,} of them overlap) but only "
                f"{len(ids):,} unlabelled, unassigned messages match. Nothing was assigned."
            )
    else:
        weights = list(shares) if shares is not None else [1.0] * n
        if len(weights) != n or any(w <= 0 for w in weights):
            raise InputError(f"give one positive share per annotator ({n})")
        total = len(ids) if limit is None else min(limit, len(ids))
        n_overlap = round(overlap * total)
        single_counts = _largest_remainder(total - n_overlap, weights)
    pairs: list[tuple[int, str]] = []
    for i, mid in enumerate(ids[:n_overlap]):
        pairs += [(mid, names[(i + j) % n]) for j in range(k)]
    start = n_overlap
    for name, size in zip(names, single_counts, strict=True):
        pairs += [(mid, name) for mid in ids[start : start + size]]
        start += size
    per_annotator = Counter(who for _mid, who in pairs)
    summary = AssignSummary(
        {name: per_annotator[name] for name in names}, n_overlap, start - n_overlap, len(ids), unknown
    )
    if not pairs:
        return summary
    now = utc_now()
    with store.transaction() as conn:
        assignment_rows.add(conn, pairs, assigned_by=current_os_user(), at=now)
        details = {
            **summary.as_dict(),
            "overlap_share": overlap,
            "overlap_annotators": k if n_overlap else 0,
            "filter": where.describe(),
            "seed": seed,
        }
        keys = messages.keys_of(conn, ids[:start])
        AuditLog(store, project.keys.id_key).append(
            "assign", objects=keys, details=details, role=role, at=now
        )
    return summary


# --- handing open work to someone else ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReassignSummary:
    moved: dict[str, int] = field(default_factory=dict)  # new annotator -> messages
    released: int = 0  # returned to the unassigned pool (no one to take them)
    kept: int = 0  # open, but every annotator named already has the message
    taken_from: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "moved": sum(self.moved.values()),
            "to": self.moved,
            "from": self.taken_from,
            "released": self.released,
            "kept": self.kept,
        }


def stale_before(days: float, now: str | None = None) -> str:
    """The assignment time before which open work counts as stale, ``days`` before ``now``."""
    if days < 0:
        raise InputError("the age of stale work must not be negative")
    moment = datetime.fromisoformat(now or utc_now()) - timedelta(days=days)
    return moment.isoformat(timespec="seconds")


def reassign(
    project: Project,
    store: Store,
    to: Sequence[str],
    *,
    from_annotators: Sequence[str] | None = None,
    older_than_days: float | None = None,
    without_role: bool = False,
    now: str | None = None,
) -> ReassignSummary:
    """Hand open assignments to ``to`` (admin; audit-logged), or release them to the unassigned pool when
    ``to`` is empty. Which: those of ``from_annotators``, those assigned more than ``older_than_days`` ago,
    those of annotators who no longer hold a role (``without_role``); every condition given must hold, and
    at least one must be given. Each message goes to the named annotator with the least work moved so far
    who does not have it yet (an overlap message is never given twice to one person)."""
    role = require_role(store, ADMIN_ONLY, "reassigning messages")
    if from_annotators is None and older_than_days is None and not without_role:
        raise InputError(
            "say whose work to move: from which annotators, older than how many days, or without role"
        )
    names = _check_annotators(store, to) if to else []
    if from_annotators and set(from_annotators) & set(names):
        raise InputError("an annotator cannot take over their own work")
    cutoff = None if older_than_days is None else stale_before(older_than_days, now)
    chosen = [
        a
        for a in assignment_rows.open_assignments(store, assigned_before=cutoff)
        if (from_annotators is None or a.annotator in from_annotators)
        and (not without_role or role_of(store, a.annotator) is None)
    ]
    holders = assignment_rows.annotators_by_message(store, [a.message_id for a in chosen])
    load: Counter[str] = Counter(dict.fromkeys(names, 0))
    moves: list[tuple[int, str, str]] = []
    kept = 0
    for a in chosen:
        free = [name for name in names if name not in holders.get(a.message_id, [])]
        if names and not free:
            kept += 1
            continue
        new = min(free, key=lambda name: (load[name], names.index(name))) if free else ""
        load[new] += 1 if new else 0
        holders.setdefault(a.message_id, []).append(new)
        moves.append((a.message_id, a.annotator, new))
    moved = Counter(new for _mid, _old, new in moves if new)
    summary = ReassignSummary(
        dict(moved), sum(1 for m in moves if not m[2]), kept, dict(Counter(old for _mid, old, _new in moves))
    )
    if not moves:
        return summary
    at = utc_now()
    with store.transaction() as conn:
        assignment_rows.remove(conn, [(mid, old) for mid, old, _new in moves])
        me = current_os_user()
        assignment_rows.add(conn, [(mid, new) for mid, _old, new in moves if new], assigned_by=me, at=at)
        for mid in sorted({mid for mid, _old, _new in moves}):
            adjudication.settle(conn, mid, by=me, at=at)
        details = {**summary.as_dict(), "older_than_days": older_than_days, "without_role": without_role}
        keys = messages.keys_of(conn, sorted({mid for mid, _old, _new in moves}))
        AuditLog(store, project.keys.id_key).append(
            "reassign", objects=keys, details=details, role=role, at=at
        )
    return summary


# --- "my queue" ---------------------------------------------------------------------------------------------


def my_queue(store: Store, annotator: str | None = None) -> list[int]:
    """The messages waiting for ``annotator`` (default: the current OS user), in the order assigned."""
    return assignment_rows.open_ids(store, annotator or current_os_user())


def queue_first(ids: Sequence[int], queue: Sequence[int]) -> list[int]:
    """``ids`` with those in ``queue`` first (in the queue's order), the rest in their own order."""
    wanted = set(ids)
    mine = [i for i in queue if i in wanted]
    first = set(mine)
    return mine + [i for i in ids if i not in first]


@dataclass(frozen=True)
class AssignmentOverview:
    annotator: str
    assigned: int
    open: int
    has_role: bool


def overview(store: Store) -> list[AssignmentOverview]:
    """Per annotator: messages assigned, still open, and whether they still hold a role."""
    return [
        AssignmentOverview(c.annotator, c.assigned, c.open, role_of(store, c.annotator) is not None)
        for c in assignment_rows.counts_by_annotator(store)
    ]
