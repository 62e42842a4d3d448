"""Per-annotator progress and quality: labelled today and in total, assigned work done and open, how
often a reviewer kept their label, and the time they take per message.

Admins and reviewers see everyone; an annotator sees only their own line. "Today" is the current UTC
day, like every stored time. Time per message is the median over labels given in the desk (from showing
a message to labelling it); labels from a CSV are not timed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scrubdesk.core.audit_log import current_os_user
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db import annotations as annotation_rows
from scrubdesk.core.db import assignments as assignment_rows
from scrubdesk.core.roles import REVIEWER_ROLES, ROLES, require_role
from scrubdesk.core.store import Store


@dataclass(frozen=True)
class AnnotatorProgress:
    annotator: str
    labelled_today: int
    labelled_total: int
    assigned: int
    open: int  # assigned and not labelled yet
    reviewed: int  # their labels on messages a reviewer decided
    kept: int  # of those, the reviewer decided on their label
    median_seconds: float | None
    timed: int  # labels with a time

    @property
    def agreement_with_adjudicated(self) -> float | None:
        return round(self.kept / self.reviewed, 4) if self.reviewed else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "annotator": self.annotator,
            "labelled_today": self.labelled_today,
            "labelled_total": self.labelled_total,
            "assigned": self.assigned,
            "done": self.assigned - self.open,
            "open": self.open,
            "reviewed": self.reviewed,
            "agreement_with_adjudicated": self.agreement_with_adjudicated,
            "median_seconds_per_message": None
            if self.median_seconds is None
            else round(self.median_seconds, 1),
            "timed": self.timed,
        }


def annotator_progress(store: Store, *, now: str | None = None) -> list[AnnotatorProgress]:
    """One line per person who labelled or was assigned something; only the caller's own line for an
    annotator (a reviewer or admin sees everyone)."""
    role = require_role(store, ROLES, "reading annotator progress")
    today = (now or utc_now())[:10]
    activity = {a.annotator: a for a in annotation_rows.activity(store, since=today)}
    work = {c.annotator: c for c in assignment_rows.counts_by_annotator(store)}
    reviewed = annotation_rows.reviewed_counts(store)
    people = sorted(set(activity) | set(work))
    if role not in REVIEWER_ROLES:
        people = [p for p in people if p == current_os_user()] or [current_os_user()]
    found = []
    for who in people:
        a, w = activity.get(who), work.get(who)
        n_reviewed, kept = reviewed.get(who, (0, 0))
        found.append(
            AnnotatorProgress(
                annotator=who,
                labelled_today=a.since if a else 0,
                labelled_total=a.total if a else 0,
                assigned=w.assigned if w else 0,
                open=w.open if w else 0,
                reviewed=n_reviewed,
                kept=kept,
                median_seconds=a.median_seconds if a else None,
                timed=a.timed if a else 0,
            )
        )
    return found
