"""CLI commands for governance: consent, roles, report (DPO data inventory)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from scrubdesk.core.cli.support import Output, Subparsers, add_json_flag
from scrubdesk.core.project import Project
from scrubdesk.core.roles import ROLES


def register(sub: Subparsers) -> None:
    """Add this module's commands to the `scrubdesk` parser."""
    consent = sub.add_parser("consent", help="consent lists (stored as keyed IDs only)").add_subparsers(
        dest="consent_command", required=True
    )
    p = consent.add_parser(
        "import",
        help="add consenting addresses from a file: one per line, or a CSV column (admin role)",
    )
    p.add_argument("dir", type=Path, help="project directory")
    p.add_argument("file", type=Path, help="text file (one address per line) or CSV file")
    p.add_argument("--column", help="CSV: the column with the addresses (default: email/address/mail)")
    p.add_argument("--list-name", help="a name for this list, without personal data (default: file name)")
    add_json_flag(p)
    p.set_defaults(handler=cmd_consent_import)

    p = consent.add_parser("status", help="how many subjects consent and how many messages they sent")
    p.add_argument("dir", type=Path)
    add_json_flag(p)
    p.set_defaults(handler=cmd_consent_status)

    p = consent.add_parser("clear", help="remove every consent (admin role)")
    p.add_argument("dir", type=Path)
    p.add_argument("--list-name", help="only the consents imported under this list name")
    add_json_flag(p)
    p.set_defaults(handler=cmd_consent_clear)

    roles = sub.add_parser("roles", help="who may do what in a project").add_subparsers(
        dest="roles_command", required=True
    )
    p = roles.add_parser("list", help="everyone who holds a role")
    p.add_argument("dir", type=Path)
    add_json_flag(p)
    p.set_defaults(handler=cmd_roles_list)

    p = roles.add_parser("grant", help="give an OS user a role, replacing its previous one (admin role)")
    p.add_argument("dir", type=Path)
    p.add_argument("os_user", metavar="OS_USER")
    p.add_argument("role", choices=ROLES)
    add_json_flag(p)
    p.set_defaults(handler=cmd_roles_grant)

    p = roles.add_parser("revoke", help="take an OS user's role away; never the last admin (admin role)")
    p.add_argument("dir", type=Path)
    p.add_argument("os_user", metavar="OS_USER")
    add_json_flag(p)
    p.set_defaults(handler=cmd_roles_revoke)

    p = sub.add_parser(
        "report",
        help="write the DPO's data-inventory report: a printable HTML page (admin or reviewer role)",
    )
    p.add_argument("dir", type=Path)
    p.add_argument("out", type=Path, metavar="OUT.html")
    add_json_flag(p)
    p.set_defaults(handler=cmd_report)


def cmd_consent_import(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.core.consent import import_consent

    project = Project.open(args.dir)
    summary = import_consent(project, args.file, list_name=args.list_name, column=args.column)
    if summary.invalid:
        shown = ", ".join(map(str, summary.invalid_lines))
        more = " ..." if summary.invalid > len(summary.invalid_lines) else ""
        out.info(f"{summary.invalid} line(s) are not an email address and were skipped: line {shown}{more}")
    out.info(
        f"{summary.added} subject(s) added, {summary.already} already consenting; "
        f"{summary.consenting_messages} message(s) are now from consenting senders"
    )
    return {"ok": True, **summary.as_dict()}


def cmd_consent_status(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.core.consent import consent_status

    project = Project.open(args.dir)
    with project.store() as store:
        status = consent_status(store)
    return {"ok": True, **status.as_dict()}


def cmd_consent_clear(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.core.consent import clear_consent

    project = Project.open(args.dir)
    removed = clear_consent(project, list_name=args.list_name)
    out.info(f"{removed} consent(s) removed")
    return {"ok": True, "removed": removed}


def cmd_roles_list(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.core.roles import list_roles

    project = Project.open(args.dir)
    with project.store() as store:
        grants = list_roles(store)
    summary: dict[str, Any] = {"ok": True, "count": len(grants)}
    if out.json_mode:
        summary["roles"] = [
            {"os_user": g.os_user, "role": g.role, "granted_by": g.granted_by, "granted_at": g.granted_at}
            for g in grants
        ]
    else:
        for g in grants:
            out.info(f"{g.role:10} {g.os_user}  (granted by {g.granted_by} at {g.granted_at})")
    return summary


def cmd_roles_grant(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.core.roles import change_role

    result = change_role(Project.open(args.dir), args.os_user, args.role)
    out.info(f"{result['os_user']} is now {result['role']} (was: {result['previous_role'] or 'no role'})")
    return {"ok": True, **result}


def cmd_roles_revoke(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.core.roles import revoke_role

    result = revoke_role(Project.open(args.dir), args.os_user)
    out.info(f"{result['os_user']} no longer has a role (was: {result['previous_role']})")
    return {"ok": True, **result}


def cmd_report(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.core.inventory_report import write_report

    result = write_report(Project.open(args.dir), args.out)
    inventory = result["inventory"]
    copies = inventory["copies"]
    out.info(f"data-inventory report written to {result['path']}")
    if not inventory["audit"]["ok"]:
        out.info("warning: the audit log has problems; see the report's audit section")
    return {
        "ok": True,
        "path": result["path"],
        "sha256": result["sha256"],
        "bytes": result["bytes"],
        "sources": len(inventory["sources"]),
        "messages": inventory["counts"]["messages"],
        "exports": len(copies["exports"]),
        "exports_missing": sum(not x["exists"] for x in copies["exports"]),
        "exports_changed": sum(x["sha256_matches"] is False for x in copies["exports"]),
        "models": len(copies["models"]),
        "erasures": len(copies["erasures"]),
        "roles": len(inventory["roles"]),
        "consenting_subjects": inventory["consent"]["subjects"],
        "audit_ok": inventory["audit"]["ok"],
        "audit_entries": inventory["audit"]["entries"],
    }
