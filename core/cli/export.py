"""CLI commands for ID-only exports: export, relink."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from scrubdesk.core.cli.support import Output, Subparsers, add_json_flag
from scrubdesk.core.export import EXPORT_FORMATS
from scrubdesk.core.ingest.formats import FORMATS as SOURCE_FORMATS


def register(sub: Subparsers) -> None:
    """Add this module's commands to the `scrubdesk` parser."""
    p = sub.add_parser(
        "export",
        help="export keyed message IDs and labels (never text), checked cell by cell by the leak guard",
    )
    p.add_argument("dir", type=Path, help="project directory")
    p.add_argument("out", type=Path, help="file to write")
    p.add_argument(
        "--format", choices=EXPORT_FORMATS, help="file format (default: from OUT's suffix, else csv)"
    )
    p.add_argument(
        "--with-suggestions",
        action="store_true",
        help="add the current model's suggestion and confidence per message",
    )
    p.add_argument(
        "--include-unlabelled", action="store_true", help="export unlabelled messages too (label empty)"
    )
    p.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
    add_json_flag(p)
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser(
        "relink",
        help="with the project key, locate an export's IDs in mail sources (file and offset/row, no text)",
    )
    p.add_argument("dir", type=Path, help="project directory")
    p.add_argument("export", type=Path, help="an export file (csv, jsonl or parquet)")
    p.add_argument("sources", type=Path, nargs="+", metavar="SOURCE", help="mail files or folders")
    p.add_argument(
        "--out", type=Path, help="where to write msg_key,label,location (default: EXPORT.relinked.csv)"
    )
    p.add_argument("--format", choices=SOURCE_FORMATS, help="source format (default: detect per source)")
    p.add_argument("--text-column", help="CSV/JSON sources: column with the message text (as at import)")
    p.add_argument("--id-column", help="CSV/JSON sources: column with the record ID (as at import)")
    p.add_argument("--overwrite", action="store_true", help="replace the output file if it exists")
    add_json_flag(p)
    p.set_defaults(handler=cmd_relink)


def cmd_export(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.core.export import run_export
    from scrubdesk.core.project import Project

    project = Project.open(args.dir)
    summary = run_export(
        project,
        args.out,
        fmt=args.format,
        with_suggestions=args.with_suggestions,
        include_unlabelled=args.include_unlabelled,
        overwrite=args.overwrite,
        control=out.job_control(),
    )
    out.info(f"exported {summary.rows} message(s) to {summary.path} (export {summary.export_id})")
    return {"ok": True, **summary.as_dict()}


def cmd_relink(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.core.ingest.records import ImportOptions
    from scrubdesk.core.project import Project
    from scrubdesk.core.relink import run_relink

    project = Project.open(args.dir)
    options = ImportOptions(format=args.format, text_column=args.text_column, id_column=args.id_column)
    summary = run_relink(
        project,
        args.export,
        args.sources,
        options,
        out=args.out,
        overwrite=args.overwrite,
        control=out.job_control(),
    )
    out.info(f"{summary.matched} matched, {summary.unmatched} unmatched; written to {summary.out}")
    if summary.exported and not summary.matched:
        out.info(
            "nothing matched: is this the project the export came from, and are these its sources? "
            "CSV/JSON sources need the same --text-column and --id-column as at import"
        )
    return {"ok": True, **summary.as_dict()}
