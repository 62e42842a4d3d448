"""CLI commands for the label set and labelling: labels, label."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from scrubdesk.core import labels
from scrubdesk.core.cli.support import Output, Subparsers, add_json_flag
from scrubdesk.core.project import Project


def register(sub: Subparsers) -> None:
    """Add this module's commands to the `scrubdesk` parser."""
    group = sub.add_parser("labels", help="the project's label set: list, add, rename, merge, reorder, seed")
    cmds = group.add_subparsers(dest="labels_command", required=True, metavar="ACTION")

    p = cmds.add_parser("list", help="the label set in order, with message counts")
    p.add_argument("dir", type=Path)
    add_json_flag(p)
    p.set_defaults(handler=cmd_labels_list)

    p = cmds.add_parser("add", help="add labels at the end of the set (any role)")
    p.add_argument("dir", type=Path)
    p.add_argument("names", nargs="+", metavar="NAME")
    p.add_argument(
        "--allow-personal-data",
        metavar="REASON",
        help="admin: add labels the PII analyser flags anyway (a false alarm); REASON goes in the audit log",
    )
    add_json_flag(p)
    p.set_defaults(handler=cmd_labels_add)

    p = cmds.add_parser("rename", help="rename a label everywhere (reviewer or admin)")
    p.add_argument("dir", type=Path)
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument(
        "--allow-personal-data",
        metavar="REASON",
        help="admin: a new name the PII analyser flags, used anyway (a false alarm); REASON is audit-logged",
    )
    add_json_flag(p)
    p.set_defaults(handler=cmd_labels_rename)

    p = cmds.add_parser("merge", help="merge label SOURCE into TARGET (reviewer or admin)")
    p.add_argument("dir", type=Path)
    p.add_argument("source")
    p.add_argument("target")
    add_json_flag(p)
    p.set_defaults(handler=cmd_labels_merge)

    p = cmds.add_parser("reorder", help="set the display order: every label once (reviewer or admin)")
    p.add_argument("dir", type=Path)
    p.add_argument("names", nargs="+", metavar="NAME")
    add_json_flag(p)
    p.set_defaults(handler=cmd_labels_reorder)

    p = cmds.add_parser("seed", help="add the labels that messages already carry (e.g. after a CSV import)")
    p.add_argument("dir", type=Path)
    add_json_flag(p)
    p.set_defaults(handler=cmd_labels_seed)

    p = sub.add_parser("label", help="label messages in bulk from a CSV of message keys and labels")
    p.add_argument("dir", type=Path)
    p.add_argument("--from", dest="source", type=Path, required=True, metavar="FILE.csv")
    p.add_argument("--key-column", default="msg_key", help="column with the keyed message IDs (msg_key)")
    p.add_argument("--label-column", default="label", help="column with the labels (label)")
    p.add_argument(
        "--add-missing", action="store_true", help="add labels that are not in the label set (else: refuse)"
    )
    p.add_argument(
        "--allow-personal-data",
        metavar="REASON",
        help="admin: add labels the PII analyser flags anyway (a false alarm); REASON goes in the audit log",
    )
    add_json_flag(p)
    p.set_defaults(handler=cmd_label)


def label_screen(args: argparse.Namespace) -> labels.LabelScreen | None:
    """The PII analyser's label screen, when the assembled command line provides one (the models layer
    does; core cannot import it)."""
    screen: labels.LabelScreen | None = getattr(args, "label_screen", None)
    return screen


def cmd_labels_list(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    project = Project.open(args.dir)
    with project.store() as store:
        rows = labels.label_summary(store)
        unregistered = labels.unregistered_labels(store)
    for row in rows:
        out.info(f"{row['position'] + 1:3}  {row['name']:30} {row['messages']:8,} messages")
    if unregistered:
        out.info(f"{len(unregistered)} label(s) on messages are not in the set: run `scrubdesk labels seed`")
    return {"ok": True, "labels": rows, "unregistered": unregistered}


def cmd_labels_add(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    project = Project.open(args.dir)
    with project.store() as store:
        added = labels.add_labels(
            project, store, args.names, screen=label_screen(args), override_reason=args.allow_personal_data
        )
        current = labels.list_labels(store)
    return {"ok": True, "added": added, "labels": current}


def cmd_labels_rename(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    project = Project.open(args.dir)
    with project.store() as store:
        summary = labels.rename_label(
            project,
            store,
            args.old,
            args.new,
            screen=label_screen(args),
            override_reason=args.allow_personal_data,
        )
        current = labels.list_labels(store)
    out.info(f"renamed on {summary.messages:,} message(s) and {summary.predictions:,} suggestion(s)")
    return {"ok": True, **summary.as_dict(), "labels": current}


def cmd_labels_merge(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    project = Project.open(args.dir)
    with project.store() as store:
        summary = labels.merge_labels(project, store, args.source, args.target)
        current = labels.list_labels(store)
    out.info(f"merged: {summary.messages:,} message(s) and {summary.predictions:,} suggestion(s) relabelled")
    return {"ok": True, **summary.as_dict(), "labels": current}


def cmd_labels_reorder(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    project = Project.open(args.dir)
    with project.store() as store:
        current = labels.reorder_labels(project, store, args.names)
    return {"ok": True, "labels": current}


def cmd_labels_seed(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    project = Project.open(args.dir)
    with project.store() as store:
        summary = labels.seed_from_messages(project, store)
        current = labels.list_labels(store)
    if summary.skipped_invalid:
        out.info(
            f"{summary.skipped_invalid} label(s) on messages are not usable label names and were skipped"
        )
    return {"ok": True, **summary.as_dict(), "labels": current}


def cmd_label(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    project = Project.open(args.dir)
    with project.store() as store:
        summary = labels.label_from_csv(
            project,
            store,
            args.source,
            key_column=args.key_column,
            label_column=args.label_column,
            add_missing=args.add_missing,
            control=out.job_control(),
            screen=label_screen(args),
            override_reason=args.allow_personal_data,
        )
    if summary.unknown_rows:
        rows = ", ".join(map(str, summary.unknown_rows[: labels.MAX_REPORTED_ROWS]))
        more = len(summary.unknown_rows) - labels.MAX_REPORTED_ROWS
        out.info(
            f"{len(summary.unknown_rows)} row(s) name a message key that is not in this project "
            f"(rows {rows}{f' and {more} more' if more > 0 else ''}); they were skipped"
        )
    if summary.labels_added:
        out.info(f"added {len(summary.labels_added)} label(s) to the set")
    return {"ok": True, **summary.as_dict()}
