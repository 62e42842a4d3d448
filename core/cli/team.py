"""CLI commands for team annotation: assign, reassign, label-review, accept-suggestions, progress, split,
training-labels. (`agreement` needs the statistics of the models layer: see scrubdesk.models.cli.team.)"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path
from typing import Any

from scrubdesk.core import adjudication, assignments, bulk_accept, label_review, splits
from scrubdesk.core.annotator_progress import annotator_progress
from scrubdesk.core.cli.support import Output, Subparsers, add_json_flag
from scrubdesk.core.errors import InputError
from scrubdesk.core.ingest.records import describe_header
from scrubdesk.core.project import Project


def register(sub: Subparsers) -> None:
    p = sub.add_parser(
        "assign", help="admin: split unlabelled messages among annotators (count, share, overlap)"
    )
    p.add_argument("dir", type=Path)
    p.add_argument("annotators", nargs="+", metavar="ANNOTATOR", help="OS accounts that hold a role")
    how = p.add_mutually_exclusive_group()
    how.add_argument(
        "--count",
        type=int,
        nargs="+",
        metavar="N",
        help="messages each labels alone (one for all, or one each)",
    )
    how.add_argument(
        "--share", type=float, nargs="+", metavar="W", help="weights, one per annotator (default equal)"
    )
    p.add_argument(
        "--overlap",
        type=float,
        default=0.0,
        help="share labelled independently by several annotators (e.g. 0.2)",
    )
    p.add_argument(
        "--overlap-annotators", type=int, default=2, help="annotators per overlap message (default 2)"
    )
    p.add_argument("--limit", type=int, help="assign at most N messages in all (with --share)")
    p.add_argument("--pii-type", help="only messages with PII of this type")
    p.add_argument("--suggested", metavar="LABEL", help="only messages the model suggests LABEL for")
    p.add_argument(
        "--keys", type=Path, metavar="FILE", help="only these messages: a msg_key per line, or a CSV"
    )
    p.add_argument("--seed", type=int, default=0, help="the random order of the messages (default 0)")
    add_json_flag(p)
    p.set_defaults(handler=cmd_assign)

    p = sub.add_parser("reassign", help="admin: hand open work to other annotators (none named: release it)")
    p.add_argument("dir", type=Path)
    p.add_argument("annotators", nargs="*", metavar="ANNOTATOR", help="who takes the work over")
    p.add_argument("--from", dest="from_annotators", nargs="+", metavar="USER", help="whose open work")
    p.add_argument("--older-than", type=float, metavar="DAYS", help="only work assigned more than DAYS ago")
    p.add_argument("--without-role", action="store_true", help="only work of annotators who lost their role")
    add_json_flag(p)
    p.set_defaults(handler=cmd_reassign)

    group = sub.add_parser("label-review", help="the label-review queue: disagreements, samples, spot checks")
    cmds = group.add_subparsers(dest="label_review_command", required=True, metavar="ACTION")
    p = cmds.add_parser("list", help="reviewer: open label reviews with every annotator's label")
    p.add_argument("dir", type=Path)
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--offset", type=int, default=0)
    add_json_flag(p)
    p.set_defaults(handler=cmd_label_review_list)
    p = cmds.add_parser("decide", help="reviewer: decide a message's label (KEY LABEL, or --from FILE.csv)")
    p.add_argument("dir", type=Path)
    p.add_argument("key", nargs="?", metavar="KEY")
    p.add_argument("label", nargs="?", metavar="LABEL")
    p.add_argument("--comment", help="why (kept with the decision, never in the audit log)")
    p.add_argument(
        "--from", dest="source", type=Path, metavar="FILE.csv", help="columns msg_key, label, comment"
    )
    add_json_flag(p)
    p.set_defaults(handler=cmd_label_review_decide)
    p = cmds.add_parser("sample", help="reviewer: queue a random sample of labelled messages for review")
    p.add_argument("dir", type=Path)
    size = p.add_mutually_exclusive_group(required=True)
    size.add_argument("--share", type=float, help="share of labelled, never reviewed messages (e.g. 0.05)")
    size.add_argument("--count", type=int, help="number of messages")
    p.add_argument("--seed", type=int, default=0)
    add_json_flag(p)
    p.set_defaults(handler=cmd_label_review_sample)

    p = sub.add_parser(
        "accept-suggestions",
        help="reviewer: accept confident model suggestions as labels, spot-check a sample",
    )
    p.add_argument("dir", type=Path)
    p.add_argument("--min-confidence", type=float, required=True, help="e.g. 0.9")
    p.add_argument(
        "--spot-check",
        type=float,
        default=bulk_accept.DEFAULT_SPOT_CHECK,
        help=f"share queued for a reviewer (default {bulk_accept.DEFAULT_SPOT_CHECK})",
    )
    p.add_argument("--seed", type=int, default=0)
    add_json_flag(p)
    p.set_defaults(handler=cmd_accept_suggestions)

    p = sub.add_parser(
        "progress", help="per annotator: labelled today/total, open work, review agreement, time"
    )
    p.add_argument("dir", type=Path)
    add_json_flag(p)
    p.set_defaults(handler=cmd_progress)

    p = sub.add_parser("split", help="the held-out test split: show it, or (admin) draw it")
    p.add_argument("dir", type=Path)
    p.add_argument(
        "--test-share", type=float, help="admin: hold out this share (e.g. 0.1); places new messages"
    )
    p.add_argument("--redraw", action="store_true", help="admin: place every message anew")
    add_json_flag(p)
    p.set_defaults(handler=cmd_split)

    p = sub.add_parser("training-labels", help="which labels train: all, or only adjudicated (admin sets)")
    p.add_argument("dir", type=Path)
    p.add_argument("mode", nargs="?", choices=adjudication.TRAINING_LABEL_MODES)
    add_json_flag(p)
    p.set_defaults(handler=cmd_training_labels)


def read_keys(path: Path) -> tuple[str, ...]:
    """Message keys from a file: a CSV with a msg_key column, or one key per line."""
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or type(exc).__name__}") from None
    except UnicodeDecodeError:
        raise InputError(f"{Path(path).name} is not UTF-8 text") from None
    rows = list(csv.reader(lines))
    if rows and len(rows[0]) > 1:
        if "msg_key" not in rows[0]:
            raise InputError(f"{Path(path).name} has no column 'msg_key'; {describe_header(rows[0])}")
        column = rows[0].index("msg_key")
        return tuple(r[column].strip() for r in rows[1:] if len(r) > column and r[column].strip())
    keys = [r[0].strip() for r in rows if r and r[0].strip()]
    return tuple(keys[1:] if keys and keys[0] == "msg_key" else keys)


def cmd_assign(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    where = assignments.AssignFilter(
        pii_type=args.pii_type, suggested=args.suggested, msg_keys=read_keys(args.keys) if args.keys else None
    )
    project = Project.open(args.dir)
    with project.store() as store:
        summary = assignments.assign(
            project, store, args.annotators, counts=args.count, shares=args.share, overlap=args.overlap,
            overlap_annotators=args.overlap_annotators, limit=args.limit, where=where, seed=args.seed,
        )  # fmt: skip
    for name, n in summary.per_annotator.items():
        out.info(f"{name}: {n:,} message(s)")
    out.info(
        f"assigned {summary.assigned:,} of {summary.candidates:,} unlabelled, unassigned message(s); "
        f"{summary.overlap:,} to several annotators"
    )
    if summary.unknown_keys:
        out.info(f"{summary.unknown_keys} key(s) in {args.keys.name} are not in this project")
    return {"ok": True, **summary.as_dict()}


def cmd_reassign(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    project = Project.open(args.dir)
    with project.store() as store:
        summary = assignments.reassign(
            project, store, args.annotators, from_annotators=args.from_annotators,
            older_than_days=args.older_than, without_role=args.without_role,
        )  # fmt: skip
    if summary.kept:
        out.info(f"{summary.kept} message(s) stay: every annotator named has them already")
    return {"ok": True, **summary.as_dict()}


def cmd_label_review_list(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    project = Project.open(args.dir)
    with project.store() as store:
        items = label_review.label_review_queue(store, args.limit, args.offset)
        counts = label_review.queue_counts(store)
    for item in items:
        given = ", ".join(f"{who}={label}" for who, label in item.labels.items()) or "-"
        out.info(f"{item.msg_key}  {item.reason:12}  {given}  now={item.current_label or '-'}")
    return {
        "ok": True,
        "open": sum(counts.values()),
        "by_reason": counts,
        "items": [i.as_dict() for i in items],
    }


def cmd_label_review_decide(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    if args.source is not None:
        if args.key or args.label or args.comment:
            raise InputError("give KEY LABEL [--comment] or --from FILE.csv, not both")
        decisions = label_review.read_decisions_csv(args.source)
    elif args.key and args.label:
        decisions = [label_review.Decision(args.key, args.label, args.comment)]
    else:
        raise InputError("give a message KEY and its LABEL, or --from FILE.csv")
    project = Project.open(args.dir)
    with project.store() as store:
        summary = label_review.decide(project, store, decisions)
        left = sum(label_review.queue_counts(store).values())
    out.info(f"{summary.decided} decided ({summary.corrected} corrected); {left} left in the queue")
    return {"ok": True, **summary.as_dict(), "open": left}


def cmd_label_review_sample(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    project = Project.open(args.dir)
    with project.store() as store:
        queued = label_review.sample_for_review(
            project, store, share=args.share, count=args.count, seed=args.seed
        )
    return {"ok": True, "queued": queued}


def cmd_accept_suggestions(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    project = Project.open(args.dir)
    with project.store() as store:
        summary = bulk_accept.accept_suggestions(
            project, store, args.min_confidence, spot_check=args.spot_check, seed=args.seed
        )
    out.info(
        f"accepted {summary.accepted:,} suggestion(s) at confidence >= {summary.min_confidence}; "
        f"{summary.spot_check:,} queued for a spot check"
    )
    return {"ok": True, **summary.as_dict()}


def cmd_progress(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    project = Project.open(args.dir)
    with project.store() as store:
        rows = [p.as_dict() for p in annotator_progress(store)]
    for r in rows:
        agree = r["agreement_with_adjudicated"]
        seconds = r["median_seconds_per_message"]
        out.info(
            f"{r['annotator']:20} today {r['labelled_today']:5,}  total {r['labelled_total']:6,}  "
            f"open {r['open']:5,} of {r['assigned']:,}  "
            f"kept by review {'-' if agree is None else f'{agree:.0%}'} (n={r['reviewed']})  "
            f"{'-' if seconds is None else f'{seconds:.1f} s'}/message"
        )
    return {"ok": True, "annotators": rows}


def cmd_split(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    project = Project.open(args.dir)
    with project.store() as store:
        if args.test_share is None and not args.redraw:
            summary = splits.split_summary(store)
        else:
            summary = splits.draw_split(project, store, args.test_share, redraw=args.redraw)
    if summary.undrawn and summary.test_share is not None:
        out.info(
            f"{summary.undrawn:,} message(s) imported since the split was drawn train until it is drawn "
            "again: "
            f"`scrubdesk split DIR --test-share {summary.test_share:g}`"
        )
    return {"ok": True, **summary.as_dict()}


def cmd_training_labels(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    project = Project.open(args.dir)
    with project.store() as store:
        if args.mode is None:
            mode = adjudication.training_labels(store)
        else:
            mode = adjudication.set_training_labels(project, store, args.mode)
    trained = (
        "every label not waiting for adjudication" if mode == "all" else "only agreed or reviewed labels"
    )
    out.info(f"training uses {trained}")
    return {"ok": True, "training_labels": mode}
