"""The project's label set (its intent labels, in display order) and labelling.

Labels are short identifiers that leave the store in exports, so they are validated (:func:`validate_label`)
and every change is role-checked and written to the audit log in the same transaction:

- ``label``: one message's label changed (objects: its msg_key; details: from, to, source, undo);
  a bulk run from a CSV is one ``label`` entry whose objects are every changed msg_key. Each person's own
  label is kept too; on a message assigned to several annotators it is *only* their own label (details:
  ``independent``, and the outcome), and the message's label follows :mod:`scrubdesk.core.adjudication`.
- ``labels.add`` / ``labels.rename`` / ``labels.merge`` / ``labels.reorder`` / ``labels.seed``: the set
  changed (details: label names and counts; a rename or merge does not list the messages it relabelled,
  because it changes a label's name, not any message's classification).

Any role may label and add labels; renaming, merging and reordering rewrite everybody's work and need the
reviewer or admin role. Error messages about CSV rows give row numbers, never cell contents.
"""

from __future__ import annotations

import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from scrubdesk.core import adjudication
from scrubdesk.core.audit_log import AuditLog, current_os_user
from scrubdesk.core.clock import utc_now
from scrubdesk.core.csv_input import csv_records
from scrubdesk.core.db import annotations as annotation_rows
from scrubdesk.core.db import labels as label_rows
from scrubdesk.core.errors import InputError
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.label_guide import rename_description
from scrubdesk.core.leak_guard import personal_data_problem
from scrubdesk.core.project import Project
from scrubdesk.core.roles import REVIEWER_ROLES, ROLES, require_role
from scrubdesk.core.store import Store

MAX_LABEL_CHARS = 64
LABEL_ROLES = ROLES  # admin, reviewer, annotator: everybody with a role may label
MANAGE_ROLES = REVIEWER_ROLES  # rename, merge, reorder
SOURCES = ("annotator", "bulk", "import", "model")
MAX_REPORTED_ROWS = 50  # row numbers listed in a message; the count is always exact


def validate_label(name: str) -> str:
    """``name`` without surrounding white space, if it is a usable label; otherwise :class:`InputError`.

    The message never quotes the value: it may come from a CSV cell."""
    if not isinstance(name, str):
        raise InputError("a label must be text")
    name = name.strip()
    if not name:
        raise InputError("a label must not be empty")
    if len(name) > MAX_LABEL_CHARS:
        raise InputError(f"a label must be at most {MAX_LABEL_CHARS} characters (this one has {len(name)})")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        raise InputError("a label must be one line without control characters")
    return name


def _is_valid(name: str) -> bool:
    try:
        validate_label(name)
    except InputError:
        return False
    return True


# --- personal data in label names -------------------------------------------------------------------------

# Why a label name may be personal data, by a PII analyser ([] when it found nothing). The analyser lives
# in the models layer: the CLI and the GUI pass one in; core alone checks shapes (the leak guard's rules).
LabelScreen = Callable[[str], Sequence[str]]


@dataclass(frozen=True)
class ScreenFinding:
    position: int  # 1-based, in the order the labels were given: the name itself is never repeated
    reasons: tuple[str, ...]
    overridable: bool  # an analyser's false alarm may be overridden; a shape the leak guard refuses may not


def screen_label_names(names: Sequence[str], screen: LabelScreen | None = None) -> list[ScreenFinding]:
    """Which of ``names`` may be personal data (a name, an address, an encoding of one) and why."""
    findings = []
    for position, name in enumerate(names, start=1):
        shape = personal_data_problem(name)
        found = tuple(dict.fromkeys(screen(name))) if screen is not None else ()
        if shape is not None:
            findings.append(ScreenFinding(position, (shape, *found), overridable=False))
        elif found:
            findings.append(
                ScreenFinding(position, tuple(f"the PII analyser finds {r}" for r in found), True)
            )
    return findings


class LabelLooksPersonalError(InputError):
    """A new label name may be personal data. ``overridable``: only the PII analyser objects (an admin may
    add it anyway, with a reason); otherwise the leak guard's shapes refuse it outright."""

    def __init__(self, message: str, *, overridable: bool) -> None:
        super().__init__(message)
        self.overridable = overridable


def _refuse_or_override(
    store: Store, names: Sequence[str], screen: LabelScreen | None, override_reason: str | None
) -> dict[str, Any] | None:
    """Raise InputError when a name may be personal data, unless an admin overrides the analyser's
    findings with a reason; returns what the audit entry records of an override (IDs, types, reason)."""
    findings = screen_label_names(names, screen)
    if not findings:
        return None
    described = "; ".join(f"label {f.position} of {len(names)}: {', '.join(f.reasons)}" for f in findings)
    if any(not f.overridable for f in findings):
        raise LabelLooksPersonalError(
            f"refusing labels that look like personal data: {described}. Labels leave the project in "
            "exports; choose a name that describes the intent. Nothing was changed.",
            overridable=False,
        )
    reason = (override_reason or "").strip()
    if not reason:
        raise LabelLooksPersonalError(
            f"labels that may be personal data: {described}. If this is a false alarm, an admin can add "
            "them anyway, giving the reason (CLI: --allow-personal-data REASON). Nothing was changed.",
            overridable=True,
        )
    require_role(store, ("admin",), "adding labels the PII analyser flagged")
    return {"positions": [f.position for f in findings], "reasons": [list(f.reasons) for f in findings],
            "override_reason": reason}  # fmt: skip


def label_id(project: Project, name: str) -> str:
    """A keyed ID for a label name: what the audit log records instead of the name (a label could be
    someone's name by mistake, and the audit log is append-only)."""
    return "label-" + project.ids.digest("label", name.encode("utf-8"))[:16]


def _ids(project: Project, names: Iterable[str | None]) -> list[str | None]:
    return [None if n is None else label_id(project, n) for n in names]


# --- reading ------------------------------------------------------------------------------------------------


def list_labels(store: Store) -> list[str]:
    """The label set in display order."""
    return label_rows.label_names(store)


def label_counts(store: Store) -> dict[str, int]:
    """Messages per label, for every label that messages carry (in the set or not)."""
    return label_rows.label_counts(store)


def unregistered_labels(store: Store) -> dict[str, int]:
    """Labels that messages carry but the set does not have (e.g. after a CSV import), with counts."""
    known = set(list_labels(store))
    return {label: n for label, n in sorted(label_counts(store).items()) if label not in known}


def label_summary(store: Store) -> list[dict[str, Any]]:
    counts = label_counts(store)
    return [
        {"name": name, "position": i, "messages": counts.get(name, 0)}
        for i, name in enumerate(list_labels(store))
    ]


# --- the label set ------------------------------------------------------------------------------------------


def add_labels(
    project: Project,
    store: Store,
    names: Sequence[str],
    *,
    screen: LabelScreen | None = None,
    override_reason: str | None = None,
) -> list[str]:
    """Append new labels to the set (any role). Refuses a label that is already there, and one that may
    be personal data (:func:`screen_label_names`; an admin may override the analyser with a reason)."""
    clean = [validate_label(n) for n in names]
    if len(set(clean)) != len(clean):
        raise InputError("the same label was given twice")
    role = require_role(store, LABEL_ROLES, "adding labels")
    override = _refuse_or_override(store, clean, screen, override_reason)
    now = utc_now()
    with store.transaction() as conn:
        existing = [i for i, n in enumerate(clean, 1) if label_rows.in_set(conn, n)]
        if existing:
            raise InputError(f"label {existing[0]} of {len(clean)} is already in the label set")
        label_rows.append(conn, clean, now)
        details: dict[str, Any] = {"labels": _ids(project, clean)}
        if override:
            details["screen_override"] = override
        AuditLog(store, project.keys.id_key).append("labels.add", details=details, role=role, at=now)
    return clean


def add_label(
    project: Project,
    store: Store,
    name: str,
    *,
    screen: LabelScreen | None = None,
    override_reason: str | None = None,
) -> str:
    return add_labels(project, store, [name], screen=screen, override_reason=override_reason)[0]


@dataclass(frozen=True)
class RelabelSummary:
    """What a rename or merge changed."""

    old: str
    new: str
    messages: int
    predictions: int

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.old, "to": self.new, "messages": self.messages, "predictions": self.predictions}

    def audit_details(self, project: Project) -> dict[str, Any]:
        """As :meth:`as_dict`, with keyed label IDs for the names."""
        return {**self.as_dict(), "from": label_id(project, self.old), "to": label_id(project, self.new)}


def rename_label(
    project: Project,
    store: Store,
    old: str,
    new: str,
    *,
    screen: LabelScreen | None = None,
    override_reason: str | None = None,
) -> RelabelSummary:
    """Rename a label in the set, on every message and every suggestion (reviewer or admin). The new name
    is screened for personal data as :func:`add_labels` screens a new label.

    A model trained before the rename still predicts the old name: retrain (or merge again) after it."""
    new = validate_label(new)
    role = require_role(store, MANAGE_ROLES, "renaming labels")
    override = _refuse_or_override(store, [new], screen, override_reason)
    now = utc_now()
    with store.transaction() as conn:
        if not label_rows.in_set(conn, old):
            raise InputError(f"label {old!r} is not in the label set")
        if old == new:
            raise InputError("the new name is the same as the old one")
        if label_rows.in_set(conn, new):
            raise InputError(f"label {new!r} already exists: merge {old!r} into it instead")
        label_rows.rename(conn, old, new)
        rename_description(conn, old, new)
        summary = RelabelSummary(old, new, *label_rows.relabel(conn, old, new))
        details = summary.audit_details(project)
        if override:
            details["screen_override"] = override
        AuditLog(store, project.keys.id_key).append("labels.rename", details=details, role=role, at=now)
    return summary


def merge_labels(project: Project, store: Store, source: str, target: str) -> RelabelSummary:
    """Merge ``source`` into ``target``: its messages and suggestions become ``target`` and ``source``
    leaves the set (reviewer or admin)."""
    role = require_role(store, MANAGE_ROLES, "merging labels")
    now = utc_now()
    with store.transaction() as conn:
        for name in (source, target):
            if not label_rows.in_set(conn, name):
                raise InputError(f"label {name!r} is not in the label set")
        if source == target:
            raise InputError("cannot merge a label into itself")
        summary = RelabelSummary(source, target, *label_rows.relabel(conn, source, target))
        label_rows.remove(conn, source)
        AuditLog(store, project.keys.id_key).append(
            "labels.merge", details=summary.audit_details(project), role=role, at=now
        )
    return summary


def reorder_labels(project: Project, store: Store, names: Sequence[str]) -> list[str]:
    """Put the set in this order; ``names`` must be exactly the labels of the set (reviewer or admin)."""
    role = require_role(store, MANAGE_ROLES, "reordering labels")
    now = utc_now()
    with store.transaction() as conn:
        current = label_rows.label_names(conn)
        if sorted(current) != sorted(names) or len(set(names)) != len(names):
            raise InputError("give every label of the set exactly once to reorder it")
        label_rows.set_order(conn, names)
        AuditLog(store, project.keys.id_key).append(
            "labels.reorder", details={"labels": _ids(project, names)}, role=role, at=now
        )
    return list(names)


@dataclass(frozen=True)
class SeedSummary:
    added: list[str]
    skipped_invalid: int  # distinct labels in messages that are not usable label names

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def seed_from_messages(project: Project, store: Store) -> SeedSummary:
    """Add every label that messages carry but the set lacks (most used first), e.g. after a CSV import.

    Does nothing (and writes no audit entry) when there is nothing to add."""
    missing = unregistered_labels(store)
    usable = sorted((n for n in missing if _is_valid(n) and n == n.strip()), key=lambda n: (-missing[n], n))
    summary = SeedSummary(usable, len(missing) - len(usable))
    if not usable:
        return summary
    role = require_role(store, LABEL_ROLES, "adding labels")
    now = utc_now()
    with store.transaction() as conn:
        label_rows.append(conn, [n for n in usable if not label_rows.in_set(conn, n)], now)
        details = {"added": _ids(project, summary.added), "skipped_invalid": summary.skipped_invalid}
        AuditLog(store, project.keys.id_key).append("labels.seed", details=details, role=role, at=now)
    return summary


# --- labelling ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelChange:
    """One label before and after a change: what undo needs.

    For a message labelled independently (assigned to 2+ annotators), ``previous`` and ``label`` are the
    person's own label (the message's label follows from everyone's: :mod:`scrubdesk.core.adjudication`),
    and ``outcome`` says what became of the message."""

    message_id: int
    msg_key: str
    previous: str | None
    previous_source: str | None
    label: str | None
    source: str | None
    independent: bool = False
    previous_own: str | None = None  # the person's own label before the change
    outcome: str | None = None  # independent labels: waiting, agreed, disagreement or decided

    @property
    def changed(self) -> bool:
        return self.previous != self.label


class Labeller:
    """Labels messages for one user session: the role is checked once, when the session starts.

    Each change is one small transaction (fit for the UI thread) with its audit entry. Call
    :meth:`opened` when a message is shown: the time until it is labelled is kept with the label (the
    annotator's time per message)."""

    def __init__(
        self, project: Project, store: Store, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.project = project
        self.store = store
        self.role = require_role(store, LABEL_ROLES, "labelling messages")
        self.annotator = current_os_user()
        self._audit = AuditLog(store, project.keys.id_key)
        self._clock = clock
        self._opened: tuple[int, float] | None = None

    def opened(self, message_id: int) -> None:
        """The message is now in front of the annotator (only the latest one shown counts)."""
        self._opened = (message_id, self._clock())

    def set_label(self, message_id: int, label: str | None, *, source: str = "annotator") -> LabelChange:
        """Give a message ``label`` (None: no label). The label must be in the set. Returns the change;
        an unchanged label writes nothing."""
        if source not in SOURCES:
            raise ValueError(f"unknown label source {source!r}")
        if label is not None:
            label = validate_label(label)
        return self._write(message_id, label, source if label is not None else None, check_set=True)

    def undo(self, change: LabelChange) -> LabelChange:
        """Restore the label a change replaced (audit-logged as an undo). The restored label need not be
        in the set any more: it is the message's earlier state."""
        return self._write(
            change.message_id, change.previous, change.previous_source, undo=True, own=change.previous_own
        )

    def _seconds(self, message_id: int) -> float | None:
        if self._opened is None or self._opened[0] != message_id:
            return None
        return round(max(self._clock() - self._opened[1], 0.0), 3)

    def _write(
        self,
        message_id: int,
        label: str | None,
        source: str | None,
        *,
        check_set: bool = False,
        undo: bool = False,
        own: str | None = None,
    ) -> LabelChange:
        now = utc_now()
        with self.store.transaction() as conn:
            row = label_rows.message_label(conn, message_id)
            if row is None:
                raise InputError(f"there is no message {message_id} in this project")
            msg_key, previous, previous_source = row
            previous = previous or None
            if check_set and label is not None and not label_rows.in_set(conn, label):
                raise InputError(f"label {label!r} is not in the project's label set: add it first")
            mine = annotation_rows.own_label(conn, message_id, self.annotator)
            independent = adjudication.is_independent(conn, message_id)
            seconds = None if undo else self._seconds(message_id)
            kept_source = source or "annotator"
            if independent:
                change = LabelChange(message_id, msg_key, mine, None, label, source, True, mine)
                if not change.changed:
                    return change
                adjudication.set_own(
                    conn, message_id, self.annotator, label, source=kept_source, seconds=seconds, at=now
                )
                outcome = adjudication.resolve(conn, message_id, by=self.annotator, at=now)
                change = replace(change, outcome=outcome)
            else:
                change = LabelChange(
                    message_id, msg_key, previous, previous_source, label, source, False, mine
                )
                if not change.changed and previous_source == source:
                    return change
                label_rows.set_message_label(conn, message_id, label, source)
                adjudication.set_own(
                    conn, message_id, self.annotator, own if undo else label, source=kept_source,
                    seconds=seconds, at=now,
                )  # fmt: skip
            details: dict[str, Any] = {
                "from": label_id(self.project, change.previous) if change.previous else None,
                "to": label_id(self.project, label) if label else None,
                "source": source,
            }
            if independent:
                details.update(independent=True, outcome=change.outcome)
            if undo:
                details["undo"] = True
            self._audit.append("label", objects=[msg_key], details=details, role=self.role, at=now)
        return change


def set_label(
    project: Project, store: Store, message_id: int, label: str | None, *, source: str = "annotator"
) -> LabelChange:
    """One-off :meth:`Labeller.set_label` (checks the role each call; keep a Labeller for a session)."""
    return Labeller(project, store).set_label(message_id, label, source=source)


# --- bulk labelling from a CSV ------------------------------------------------------------------------------


@dataclass
class BulkLabelSummary:
    rows: int = 0
    changed: int = 0
    unchanged: int = 0
    unknown_rows: list[int] = field(default_factory=list)  # row numbers (header = row 1) of unknown keys
    duplicate_rows: int = 0  # a key seen again: the later row wins
    labels_added: list[str] = field(default_factory=list)
    # rows that labelled a message held for independent labels, and what became of those messages
    independent: adjudication.BulkOutcome = field(default_factory=adjudication.BulkOutcome)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "unknown_keys": len(self.unknown_rows),
            "unknown_rows": self.unknown_rows[:MAX_REPORTED_ROWS],
            "duplicate_rows": self.duplicate_rows,
            "labels_added": self.labels_added,
            **self.independent.as_dict(),
        }


def _rows_text(rows: Sequence[int]) -> str:
    shown = ", ".join(map(str, rows[:MAX_REPORTED_ROWS]))
    return shown + (f" and {len(rows) - MAX_REPORTED_ROWS} more" if len(rows) > MAX_REPORTED_ROWS else "")


def read_label_csv(path: Path, key_column: str, label_column: str) -> list[tuple[int, str, str]]:
    """(row number, key, label) for each data row; the header is row 1. Refuses bad labels by row."""
    path = Path(path)
    rows: list[tuple[int, str, str]] = []
    empty: list[int] = []
    invalid: list[int] = []
    for number, record in csv_records(path, (key_column, label_column)):
        key, label = record[key_column].strip(), record[label_column].strip()
        if not label:
            empty.append(number)
        elif not _is_valid(label):
            invalid.append(number)
        else:
            rows.append((number, key, label))
    if empty:
        raise InputError(f"{path.name}: {len(empty)} row(s) have an empty label (rows {_rows_text(empty)})")
    if invalid:
        raise InputError(
            f"{path.name}: {len(invalid)} row(s) have a label that is not a one-line name of at most "
            f"{MAX_LABEL_CHARS} characters (rows {_rows_text(invalid)}): is {label_column!r} the right one?"
        )
    return rows


def label_from_csv(
    project: Project,
    store: Store,
    path: Path,
    *,
    key_column: str = "msg_key",
    label_column: str = "label",
    add_missing: bool = False,
    control: JobControl | None = None,
    screen: LabelScreen | None = None,
    override_reason: str | None = None,
) -> BulkLabelSummary:
    """Label messages from a CSV of msg_keys and labels, in one transaction with one audit entry.

    Unknown keys are skipped and reported by row number. Labels not in the set are added with
    ``add_missing`` (screened for personal data like :func:`add_labels`); otherwise nothing is changed
    and the rows are named. A row for a message assigned to several annotators sets the caller's own
    label only (:mod:`scrubdesk.core.adjudication`)."""
    control = control or JobControl()
    rows = read_label_csv(path, key_column, label_column)
    role = require_role(store, LABEL_ROLES, "labelling messages")
    summary = BulkLabelSummary(rows=len(rows))
    known = set(list_labels(store))
    missing_rows = [number for number, _key, label in rows if label not in known]
    if missing_rows and not add_missing:
        raise InputError(
            f"{Path(path).name}: {len(missing_rows)} row(s) have a label that is not in the label set "
            f"(rows {_rows_text(missing_rows)}); add the labels first (`scrubdesk labels add`) "
            "or pass --add-missing. Nothing was changed."
        )
    new_labels = list(dict.fromkeys(label for _n, _k, label in rows if label not in known))
    override = _refuse_or_override(store, new_labels, screen, override_reason) if new_labels else None
    wanted: dict[str, tuple[int, str]] = {}
    for number, key, label in rows:
        if key in wanted:
            summary.duplicate_rows += 1
        wanted[key] = (number, label)
    now = utc_now()
    me = current_os_user()
    changed_keys: list[str] = []
    outcomes: Counter[str] = Counter()
    with store.transaction() as conn:
        label_rows.append(conn, new_labels, now)
        summary.labels_added = new_labels
        for done, (key, (number, label)) in enumerate(wanted.items(), start=1):
            row = label_rows.label_by_key(conn, key)
            if row is None:
                summary.unknown_rows.append(number)
            elif adjudication.is_independent(conn, row[0]):  # the person's own label; the message's follows
                if annotation_rows.own_label(conn, row[0], me) == label:
                    summary.unchanged += 1
                else:
                    adjudication.set_own(conn, row[0], me, label, source="bulk", seconds=None, at=now)
                    outcomes[adjudication.resolve(conn, row[0], by=me, at=now)] += 1
                    changed_keys.append(key)
            elif row[1] == label:
                summary.unchanged += 1
            else:
                label_rows.set_message_label(conn, row[0], label, "bulk")
                adjudication.set_own(conn, row[0], me, label, source="bulk", seconds=None, at=now)
                changed_keys.append(key)
            if done % 1000 == 0:
                control.progress(done, len(wanted), f"{done:,} of {len(wanted):,} rows")
        summary.unknown_rows.sort()
        summary.changed = len(changed_keys)
        summary.independent = adjudication.BulkOutcome(
            sum(outcomes.values()), outcomes[adjudication.AGREEMENT], outcomes[adjudication.DISAGREEMENT]
        )
        audit = AuditLog(store, project.keys.id_key)
        if new_labels:
            added = {"labels": _ids(project, new_labels), "from_csv": True}
            if override:
                added["screen_override"] = override
            audit.append("labels.add", details=added, role=role, at=now)
        details = {k: v for k, v in summary.as_dict().items() if k not in ("unknown_rows", "labels_added")}
        audit.append("label", objects=changed_keys, details={**details, "source": "bulk"}, role=role, at=now)
    control.progress(len(wanted), len(wanted), f"{summary.changed:,} labelled")
    return summary
