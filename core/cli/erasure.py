"""CLI commands for erasure and retention: erase, verify-erasure, retention, purge.

Irreversible commands (a real erase or purge) ask for confirmation on a terminal; with ``--json`` or when
stdin is not a terminal they need ``--yes`` and refuse otherwise. Nothing printed ever repeats the subject.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from scrubdesk.core.cli.support import Output, Subparsers, add_json_flag
from scrubdesk.core.erasure import AfterErasure
from scrubdesk.core.errors import InputError
from scrubdesk.core.project import Project


def register(sub: Subparsers) -> None:
    """Add this module's commands to the `scrubdesk` parser."""
    p = sub.add_parser(
        "erase",
        help="erase a data subject's messages and write an erasure certificate (admin role)",
        description="Find every message about a data subject (by email address or full name), delete it "
        "so that its bytes are gone from the store, mark dependent models and exports stale and write a "
        "signed certificate into DIR/certificates/ that holds no personal data.",
    )
    p.add_argument("dir", type=Path, help="project directory")
    p.add_argument("--subject", required=True, metavar="ADDRESS|NAME", help="email address or full name")
    p.add_argument("--dry-run", action="store_true", help="only count what would be erased")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation (needed with --json)")
    p.add_argument(
        "--force",
        action="store_true",
        help="write a certificate even when nothing matches (a record that the subject was searched for)",
    )
    p.add_argument(
        "--models",
        choices=("retrain", "delete"),
        default="retrain",
        help="models trained on the erased messages: retrain on what remains, then delete the old files "
        "(default), or only delete them",
    )
    add_json_flag(p)
    p.set_defaults(handler=cmd_erase)

    p = sub.add_parser(
        "verify-erasure",
        help="prove that no trace of a data subject remains, or check an erasure certificate",
    )
    p.add_argument("dir", type=Path, help="project directory")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--subject",
        metavar="ADDRESS|NAME|VALUE",
        help="email address, full name, or another identifier of the subject (a phone number, a reference)",
    )
    what.add_argument("--certificate", type=Path, metavar="FILE", help="an erasure-*.json certificate")
    add_json_flag(p)
    p.set_defaults(handler=cmd_verify_erasure)

    p = sub.add_parser("retention", help="show or set the dataset's retention (admin role to change)")
    p.add_argument("dir", type=Path, help="project directory")
    choice = p.add_mutually_exclusive_group()
    choice.add_argument("--until", metavar="YYYY-MM-DD", help="keep the dataset until this date")
    choice.add_argument(
        "--after-training", action="store_true", help="delete the dataset once a model is trained"
    )
    choice.add_argument("--clear", action="store_true", help="remove the retention limit")
    add_json_flag(p)
    p.set_defaults(handler=cmd_retention)

    p = sub.add_parser(
        "purge",
        help="delete the dataset's text for good, keeping models, message keys and labels (admin role)",
    )
    p.add_argument("dir", type=Path, help="project directory")
    p.add_argument("--dry-run", action="store_true", help="only count what would be purged")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation (needed with --json)")
    p.add_argument("--if-due", action="store_true", help="purge only if the retention policy says it is due")
    add_json_flag(p)
    p.set_defaults(handler=cmd_purge)


def _require_confirmation(args: argparse.Namespace, out: Output, action: str) -> bool:
    """True when the user must be asked; refuses when nobody can be asked."""
    if args.yes or args.dry_run:
        return False
    if out.json_mode or not sys.stdin.isatty():
        raise InputError(f"{action} cannot be undone: add --yes to confirm (nothing was changed)")
    return True


def _confirm(prompt: str, word: str) -> None:
    answer = input(f"{prompt} Type '{word}' to confirm: ")
    if answer.strip().lower() != word:
        raise InputError("not confirmed: nothing was changed")


def _show_match(out: Output, data: dict[str, Any]) -> None:
    out.end_progress()
    reasons = ", ".join(f"{k} {v}" for k, v in data["reasons"].items() if v) or "none"
    out.info(f"{data['messages']} message(s) found ({reasons}), {data['spans']} PII span(s)")
    if data["models"]:
        out.info(f"models trained on them (will be marked stale): {', '.join(map(str, data['models']))}")
    if data["exports"]:
        out.info(f"exports holding them (rewritten without them): {', '.join(map(str, data['exports']))}")
    if data.get("names"):
        out.info(f"display names the address wrote under, searched too: {data['names']}")
    if data.get("identifiers"):
        found = ", ".join(f"{n} {kind}" for kind, n in data["identifiers"].items())
        out.info(f"identifiers from their own messages, searched too: {found}")
    if data.get("identifiers_shared"):
        out.info(f"identifiers left out because other senders use them too: {data['identifiers_shared']}")


def cmd_erase(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.core.erasure import erase_subject

    ask = _require_confirmation(args, out, "an erasure")
    project = Project.open(args.dir)
    control = out.job_control()
    if args.dry_run or ask:
        preview = erase_subject(project, args.subject, control, dry_run=True)
        _show_match(out, preview.as_dict())
        if args.dry_run:
            return {"ok": True, **preview.as_dict()}
        _confirm(f"Erase {preview.match.n_messages} message(s) for good?", "erase")
    result = erase_subject(
        project, args.subject, control, force=args.force, after_erasure=_models_step(args, project)
    )
    data = result.as_dict()
    if not ask:
        _show_match(out, data)
    out.end_progress()
    if result.nothing_found:
        out.info(
            "warning: no message matches this subject, so nothing was erased and no certificate was written "
            "(check the spelling, or try the address and the full name; --force records a certificate anyway)"
        )
        return {"ok": False, **data}
    out.info(f"erasure certificate: {result.path}")
    if result.models_after:
        after = result.models_after
        replaced = (
            f"; retrained as model {after['retrained_model_id']}" if after.get("retrained_model_id") else ""
        )
        refused = f"; no new model: {after['retrain_refused']}" if after.get("retrain_refused") else ""
        out.info(
            f"models trained on the erased messages deleted: {after.get('models_deleted')}{replaced}{refused}"
        )
    for remaining in result.exports_remaining:
        out.info(
            f"export {remaining['id']} still holds erased IDs: {remaining['reason']} ({remaining['path']})"
        )
    if not result.storage.get("wal_truncated", True):
        out.info(
            "another program has this project open, so old pages may remain in the store for now: close it, "
            "then run verify-erasure, which finishes the job and proves it"
        )
    if not result.ok:
        report = result.verification
        places = report.as_dict() if report else {}
        out.info(f"verification found traces: {_places(places)}")
    return {"ok": result.ok, **data}


def _models_step(args: argparse.Namespace, project: Project) -> AfterErasure | None:
    """What erasure does to the models it made stale, when the assembled command line provides it (the
    models layer does; core cannot import it)."""
    handle = getattr(args, "models_after_erasure", None)
    if handle is None:
        return None
    step: AfterErasure = handle(project, args.models)
    return step


def _places(report: dict[str, Any]) -> str:
    parts = []
    for key in ("store_hits", "keyed_id_hits", "file_hits", "page_hits", "erased_ids_in_files"):
        parts += [f"{place} ({n})" for place, n in report.get(key, {}).items()]
    if report.get("subject_messages"):
        parts.append(f"{report['subject_messages']} message(s) still match")
    parts += report.get("problems", [])
    return "; ".join(parts) or "none"


def cmd_verify_erasure(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.core.erasure import verify_certificate, verify_erasure

    project = Project.open(args.dir)
    if args.certificate is not None:
        check = verify_certificate(project, args.certificate)
        for problem in check.problems:
            out.info(f"certificate: {problem}")
        out.info("certificate is intact" if check.ok else "certificate check FAILED")
        return check.as_dict()
    report = verify_erasure(project, args.subject, out.job_control())
    out.end_progress()
    data = report.as_dict()
    if report.ok:
        out.info(f"no trace found ({data['checked'].get('files', 0)} files, every table, decrypted pages)")
    else:
        out.info(f"traces remain: {_places(data)}")
    return data


def cmd_retention(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.core.retention import parse_date, retention_status, set_policy

    project = Project.open(args.dir)
    changed = bool(args.until or args.after_training or args.clear)
    if changed:
        until = parse_date(args.until) if args.until else None
        set_policy(project, until=until, after_training=args.after_training, clear=args.clear)
    with project.store() as store:
        status = retention_status(store)
    out.info(
        f"retention: {status.policy.describe()}; purge {'due' if status.due else 'not due'} ({status.reason})"
    )
    return {"ok": True, "changed": changed, **status.as_dict()}


def cmd_purge(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.core.retention import purge

    ask = _require_confirmation(args, out, "a purge")
    project = Project.open(args.dir)
    control = out.job_control()
    if ask:
        preview = purge(project, control, dry_run=True, if_due=args.if_due)
        out.end_progress()
        if not args.if_due or preview.due:
            out.info(
                f"{preview.counts.get('messages', 0)} message(s) would lose their text ({preview.reason})"
            )
            _confirm("Purge the dataset for good?", "purge")
    summary = purge(project, control, dry_run=args.dry_run, if_due=args.if_due)
    out.end_progress()
    if summary.purged:
        out.info(f"purged {summary.counts.get('messages', 0)} message(s); models, keys and labels kept")
    elif not args.dry_run:
        out.info(f"nothing purged: {summary.reason}")
    return {"ok": True, **summary.as_dict()}
