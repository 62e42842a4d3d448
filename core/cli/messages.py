"""CLI commands to browse messages without an export: messages list, messages show."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from scrubdesk.core.browse import list_messages, show_message
from scrubdesk.core.cli.support import Output, Subparsers, add_json_flag
from scrubdesk.core.db.messages import SORT_COLUMNS, MessageFilter
from scrubdesk.core.errors import InputError
from scrubdesk.core.project import Project


def register(sub: Subparsers) -> None:
    group = sub.add_parser("messages", help="browse messages: list keyed IDs and states, show scrubbed text")
    cmds = group.add_subparsers(dest="messages_command", required=True, metavar="ACTION")

    p = cmds.add_parser(
        "list",
        help="keyed ID, date, label, review state and PII count per message (never text); your queue first",
    )
    p.add_argument("dir", type=Path)
    p.add_argument("--filter", choices=MessageFilter.STATES, default="all", help="by label or review state")
    p.add_argument("--label", help="only messages with this label")
    p.add_argument("--pii-type", help="only messages with PII of this type (e.g. PERSON)")
    p.add_argument("--mine", action="store_true", help="only my queue: assigned to me and not labelled yet")
    p.add_argument("--sort", choices=tuple(SORT_COLUMNS), default="imported")
    p.add_argument("--limit", type=int, default=200, help="rows to show (default 200; 0: all)")
    p.add_argument("--offset", type=int, default=0)
    add_json_flag(p)
    p.set_defaults(handler=cmd_messages_list)

    p = cmds.add_parser("show", help="a message's scrubbed subject and body (raw only for allowed roles)")
    p.add_argument("dir", type=Path)
    p.add_argument("key", metavar="KEY", help="the message key (msg_key), or 8+ characters of its start")
    p.add_argument(
        "--raw", action="store_true", help="the raw text (only roles allowed to read it; audit-logged)"
    )
    add_json_flag(p)
    p.set_defaults(handler=cmd_messages_show)


def cmd_messages_list(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    try:
        where = MessageFilter(state=args.filter, label=args.label, pii_type=args.pii_type)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    project = Project.open(args.dir)
    with project.store() as store:
        page = list_messages(
            store, where, mine=args.mine, limit=args.limit, offset=args.offset, sort=args.sort
        )
    for row in page.rows:
        label = row.label or (f"({row.my_label}: mine)" if row.my_label else "-")
        marks = [m for m, on in (("QUEUE", row.in_my_queue), ("TEST", row.held_out)) if on]
        if row.label_review:
            marks.append(f"label review: {row.label_review}")
        out.info(
            f"{row.msg_key}  {row.date or '----------'}  {label:24} {row.review:12} pii={row.pii_count:<3}"
            + (f" [{', '.join(marks)}]" if marks else "")
        )
    out.info(f"{len(page.rows):,} of {page.total:,} shown; {page.my_queue:,} in your queue")
    return {
        "ok": True,
        "total": page.total,
        "shown": len(page.rows),
        "my_queue": page.my_queue,
        "filter": where.describe(),
        "messages": [r.as_dict() for r in page.rows],
    }


def cmd_messages_show(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    project = Project.open(args.dir)
    with project.store() as store:
        shown = show_message(project, store, args.key, raw=args.raw)
    summary = {
        "ok": True,
        "msg_key": shown.msg_key,
        "raw": shown.raw,
        "date": shown.date,
        "label": shown.label,
        "my_label": shown.my_label,
    }
    if out.json_mode:
        return {**summary, "subject": shown.subject, "body": shown.body}
    out.info(f"{'RAW ' if shown.raw else 'Scrubbed '}message {shown.msg_key}  {shown.date or ''}")
    out.info(f"Subject: {shown.subject}\n\n{shown.body}\n")
    return summary
