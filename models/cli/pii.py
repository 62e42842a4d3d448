"""CLI command for the project's redaction policy: which operator replaces each entity type.

    scrubdesk redaction DIR                                   # show
    scrubdesk redaction DIR --set PERSON=surrogate --set default=mask
    scrubdesk redaction DIR --reset                           # back to placeholders everywhere

Changing the policy needs the admin role and is audit-logged (the changed settings only). The policy
lives in the project's settings table (``redaction.operators``) and is what scrubbing, training and
export read (:func:`scrubdesk.core.redaction_policy.redaction_policy`).
"""

from __future__ import annotations

import argparse
from typing import Any

from scrubdesk.core import redaction_policy as core_policy
from scrubdesk.core.cli.support import Output, Subparsers, add_json_flag
from scrubdesk.core.errors import InputError
from scrubdesk.core.project import Project
from scrubdesk.core.redaction import OPERATORS, RedactionPolicy
from scrubdesk.core.redaction_policy import DEFAULT
from scrubdesk.models.pii.entities import LABELS, URL


def register(sub: Subparsers) -> None:
    p = sub.add_parser(
        "redaction", help="show or set the redaction operator per entity type of a project (admin)"
    )
    p.add_argument("dir", help="project directory")
    p.add_argument(
        "--set",
        dest="changes",
        action="append",
        default=[],
        metavar="LABEL=OPERATOR",
        help=f"operator for an entity type, or for 'default' (the rest); operators: {', '.join(OPERATORS)}",
    )
    p.add_argument("--reset", action="store_true", help="placeholders for every type (applied before --set)")
    add_json_flag(p)
    p.set_defaults(handler=cmd_redaction)


def known_labels() -> tuple[str, ...]:
    return (*LABELS, URL)


def parse_changes(items: list[str]) -> dict[str, str]:
    """``['PERSON=surrogate', 'default=mask']`` -> ``{'PERSON': 'surrogate', 'default': 'mask'}``."""
    labels = known_labels()
    changes: dict[str, str] = {}
    for item in items:
        label, sep, operator = item.partition("=")
        label, operator = label.strip(), operator.strip().lower()
        if not sep or not label or not operator:
            raise InputError(f"--set takes LABEL=OPERATOR, got {item!r}")
        if label.lower() == DEFAULT:
            label = DEFAULT
        elif label.upper() in labels:
            label = label.upper()
        else:
            raise InputError(f"unknown entity type {label!r}; known: {DEFAULT}, {', '.join(labels)}")
        if operator not in OPERATORS:
            raise InputError(f"unknown operator {operator!r}; known: {', '.join(OPERATORS)}")
        changes[label] = operator
    return changes


def set_redaction_policy(
    project: Project, changes: dict[str, str], *, reset: bool = False
) -> tuple[RedactionPolicy, list[int]]:
    """The core rule (:func:`scrubdesk.core.redaction_policy.set_redaction_policy`) over every entity type
    the analyser emits."""
    return core_policy.set_redaction_policy(project, changes, reset=reset, labels=known_labels())


def cmd_redaction(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    changes = parse_changes(args.changes)
    project = Project.open(args.dir)
    changed = bool(changes or args.reset)
    stale: list[int] = []
    if changed:
        policy, stale = set_redaction_policy(project, changes, reset=args.reset)
    else:
        with project.store() as store:
            policy = core_policy.redaction_policy(store)
    effective = {label: policy.operator(label) for label in known_labels()}
    out.info(f"{'entity type':16} operator")
    for label, operator in effective.items():
        mark = "" if label in policy.per_label else "  (default)"
        out.info(f"{label:16} {operator}{mark}")
    if stale:
        out.info(
            f"{len(stale)} model(s) trained under the old policy are now stale "
            f"({', '.join(f'#{m}' for m in stale)}): run `scrubdesk train` again"
        )
    return {
        "ok": True,
        "changed": changed,
        "policy": policy.as_setting(),
        "effective": effective,
        "models_marked_stale": stale,
    }
