"""CLI commands for core jobs: init, import, stats, quarantine, audit verify/show, review approve-all."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from scrubdesk.core.audit_log import ANCHOR_FILE, AuditLog, audit_entries, count_entries, parse_receipt
from scrubdesk.core.cli.support import Output, Subparsers, add_json_flag
from scrubdesk.core.db.imports import quarantine_rows
from scrubdesk.core.errors import InputError, StoreDamagedError
from scrubdesk.core.ingest.formats import FORMATS
from scrubdesk.core.ingest.records import ALL_FIELDS, ImportOptions
from scrubdesk.core.integrity import check_store
from scrubdesk.core.project import Project
from scrubdesk.core.stats import project_stats


def register(sub: Subparsers) -> None:
    p = sub.add_parser("init", help="create an encrypted project")
    p.add_argument("dir", type=Path)
    p.add_argument("--name", help="project name (default: the directory name)")
    add_json_flag(p)
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("import", help="import mail into a project (resumable; re-run to complete)")
    p.add_argument("dir", type=Path, help="project directory")
    p.add_argument("sources", type=Path, nargs="+", metavar="SOURCE", help="files or folders")
    p.add_argument("--format", choices=FORMATS, help="source format (default: detect per source)")
    p.add_argument("--text-column", help="CSV/JSON: column with the message text")
    p.add_argument("--label-column", help="CSV/JSON: column with the intent label")
    p.add_argument("--id-column", help="CSV/JSON: column with a stable record ID")
    p.add_argument(
        "--global-ids",
        action="store_true",
        help="CSV/JSON: record IDs are the same across files (default: an ID names a record within its file)",
    )
    p.add_argument("--subject-column", help="CSV/JSON: column with the subject")
    p.add_argument("--from-column", help="CSV/JSON: column with the sender address")
    p.add_argument("--date-column", help="CSV/JSON: column with the date")
    p.add_argument(
        "--fields",
        default=",".join(ALL_FIELDS),
        help=f"allow-list of fields to keep besides the body (default: all of {','.join(ALL_FIELDS)})",
    )
    p.add_argument("--batch-size", type=int, default=None, help=argparse.SUPPRESS)
    add_json_flag(p)
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("stats", help="counts of messages, labels, quarantine and audit entries")
    p.add_argument("dir", type=Path)
    add_json_flag(p)
    p.set_defaults(handler=cmd_stats)

    p = sub.add_parser(
        "check", help="check the store's pages and structure and the audit log; name any damage"
    )
    p.add_argument("dir", type=Path, help="project directory")
    add_json_flag(p)
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("quarantine", help="list items that could not be imported, with location and reason")
    p.add_argument("dir", type=Path)
    p.add_argument("--limit", type=int, default=1000)
    add_json_flag(p)
    p.set_defaults(handler=cmd_quarantine)

    audit = sub.add_parser("audit", help="audit log").add_subparsers(dest="audit_command", required=True)
    p = audit.add_parser(
        "verify",
        help=f"check the hash chain of the audit log and its anchor {ANCHOR_FILE} (exit 1 on any problem)",
    )
    p.add_argument("dir", type=Path)
    p.add_argument(
        "--receipt",
        action="append",
        default=[],
        metavar="SEQ:MAC",
        help="a receipt printed by an earlier verify and kept elsewhere: check the log still holds that "
        "entry (catches an old copy of the log restored with its anchor); repeatable",
    )
    add_json_flag(p)
    p.set_defaults(handler=cmd_audit_verify)

    p = audit.add_parser("show", help="list audit-log entries, newest first")
    p.add_argument("dir", type=Path)
    p.add_argument("--limit", type=int, default=50, help="at most this many entries (default: 50)")
    p.add_argument("--action", help="only entries with this action, e.g. import, export, erase")
    add_json_flag(p)
    p.set_defaults(handler=cmd_audit_show)

    review = sub.add_parser("review", help="reviewer approval of redactions").add_subparsers(
        dest="review_command", required=True
    )
    p = review.add_parser(
        "approve-all", help="approve the redaction of every analysed message (reviewer or admin role)"
    )
    p.add_argument("dir", type=Path)
    p.add_argument("--comment", help="a note stored with each approval (no personal data, please)")
    add_json_flag(p)
    p.set_defaults(handler=cmd_review_approve_all)


def cmd_init(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    project = Project.create(args.dir, name=args.name)
    out.info(f"created project {project.name!r} at {project.path} (key in {project.keyring_description})")
    return {"ok": True, "project": str(project.path), "project_id": project.project_id}


def parse_fields(value: str) -> tuple[str, ...]:
    fields = tuple(f.strip() for f in value.split(",") if f.strip())
    unknown = sorted(set(fields) - set(ALL_FIELDS))
    if unknown:
        raise InputError(f"--fields: unknown field(s) {', '.join(unknown)}; known: {', '.join(ALL_FIELDS)}")
    return fields


def cmd_import(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.core.importer import run_import

    project = Project.open(args.dir)
    options = ImportOptions(
        format=args.format,
        fields=parse_fields(args.fields),
        text_column=args.text_column,
        label_column=args.label_column,
        id_column=args.id_column,
        global_ids=args.global_ids,
        subject_column=args.subject_column,
        from_column=args.from_column,
        date_column=args.date_column,
    )
    control = out.job_control()
    try:
        summary = run_import(
            project,
            args.sources,
            options,
            control,
            batch_size=args.batch_size,
            label_screen=getattr(args, "label_screen", None),
        )
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        control.cancel()
        raise
    data = summary.as_dict()
    if summary.cancelled:
        out.info("import cancelled: committed batches are kept; run the same command again to complete it")
    return {"ok": not summary.cancelled, **data}


def cmd_stats(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    project = Project.open(args.dir)
    with project.store() as store:
        stats = project_stats(store)
    return {"ok": True, "project": project.name, **stats}


def cmd_quarantine(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    project = Project.open(args.dir)
    with project.store() as store:
        rows = quarantine_rows(store, limit=args.limit)
    for row in rows:
        out.info(f"{row.reason:18} {row.location}  ({row.detail})")
    return {"ok": True, "listed": len(rows)}


def cmd_audit_verify(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    receipts = [parse_receipt(r) for r in args.receipt]
    project = Project.open(args.dir)
    damage = check_store(project)
    for line in damage.describe():
        out.info(f"store: {line}")
    with project.store() as store:
        log = AuditLog(store, project.keys.id_key)
        status = log.check()
        receipt_problems = [p for seq, mac in receipts if (p := log.check_receipt(seq, mac)) is not None]
    for problem in [*status.problems, *receipt_problems]:
        out.info(f"entry {problem.seq}: {problem.problem}" if problem.seq else problem.problem)
    for note in status.notes:
        out.info(f"note: {note}")
    ok = status.ok and not receipt_problems and damage.ok
    if ok:
        checked = f"; {len(receipts)} receipt(s) match" if receipts else ""
        out.info(
            f"audit log intact: {status.entries} entries, anchored at entry {status.anchor_seq}{checked}"
        )
    if status.receipt:
        out.info(f"receipt: {status.receipt}  (keep it outside this project to detect a restored older copy)")
    return {
        **status.as_dict(),
        "ok": ok,
        "problems": len(status.problems) + len(receipt_problems),
        "receipts_checked": len(receipts),
        "receipt_problems": len(receipt_problems),
        **damage.as_dict(),
    }


def cmd_check(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    """The store's pages and structure, the audit log's chain and anchor: one verdict, damage named."""
    project = Project.open(args.dir)
    damage = check_store(project)
    for line in damage.describe():
        out.info(f"store: {line}")
    audit: dict[str, Any] = {"audit_ok": False}
    try:
        with project.store() as store:
            status = AuditLog(store, project.keys.id_key).check(reanchor=False)
        for problem in status.problems:
            out.info(f"audit log: entry {problem.seq}: {problem.problem}" if problem.seq else problem.problem)
        audit = {
            "audit_ok": status.ok,
            "audit_entries": status.entries,
            "audit_problems": len(status.problems),
        }
    except StoreDamagedError:
        out.info("audit log: cannot be read (its pages are damaged)")
    ok = damage.ok and audit["audit_ok"]
    if ok:
        out.info(f"{project.path}: store intact, audit log intact")
    return {"ok": ok, **damage.as_dict(), **audit}


def cmd_audit_show(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    if args.limit < 0:
        raise InputError("--limit must be 0 or more")
    project = Project.open(args.dir)
    with project.store() as store:
        rows = audit_entries(store, limit=args.limit, action=args.action)
        total = count_entries(store, args.action)
    if not out.json_mode:
        for row in rows:
            objects = ",".join(row.objects) or "-"
            details = json.dumps(row.details, sort_keys=True) if row.details else "-"
            who = f"{row.os_user} uid {row.os_uid}" if row.os_uid else row.os_user
            out.info(f"{row.seq:>6} {row.at} {who} ({row.role}) {row.action} {objects} {details}")
    summary: dict[str, Any] = {"ok": True, "shown": len(rows), "matching": total}
    if out.json_mode:
        summary["entries"] = [row.as_dict() for row in rows]
    return summary


def cmd_review_approve_all(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.core.review import approve_all

    project = Project.open(args.dir)
    summary = approve_all(project, out.job_control(), comment=args.comment)
    out.info(
        f"approved {summary.approved} message(s); accepted {summary.suggestions_accepted} undecided "
        "suggestion(s) as PII on the way"
    )
    if summary.not_analysed:
        out.info(f"{summary.not_analysed} message(s) are not analysed yet and were not approved")
    if summary.needs_review_by_hand:
        out.info(
            f"{summary.needs_review_by_hand} message(s) were left for a reviewer to look at by hand: in a "
            "language the analyser does not read, or with a body the import could not decode"
        )
    return {"ok": True, **summary.as_dict()}
