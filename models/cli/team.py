"""CLI command of the models layer for team annotation: agreement (it needs scikit-learn's kappa)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from scrubdesk.core.cli.support import Output, Subparsers, add_json_flag


def register(sub: Subparsers) -> None:
    p = sub.add_parser(
        "agreement",
        help="reviewer: agreement between annotators on the overlap (Cohen's kappa, Krippendorff's alpha)",
    )
    p.add_argument("dir", type=Path, help="project directory")
    add_json_flag(p)
    p.set_defaults(handler=cmd_agreement)


def cmd_agreement(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.core.adjudication import independent_labels
    from scrubdesk.core.project import Project
    from scrubdesk.models.triage.agreement import agreement

    project = Project.open(args.dir)
    with project.store() as store:
        result = agreement(independent_labels(store))
    summary = result.as_dict()
    if not result.messages:
        out.info("no message has independent labels from two annotators yet (`scrubdesk assign --overlap`)")
    else:
        name = "Cohen's kappa" if result.measure == "cohen_kappa" else "Krippendorff's alpha"
        out.info(
            f"{result.messages:,} overlap message(s) by {len(result.annotators)} annotators: "
            f"{result.all_agree:,} agree, {name} {summary['value']}"
        )
        for pair in result.pairs:
            out.info(f"  {pair.first} / {pair.second}: n={pair.messages}, kappa {_shown(pair.kappa)}")
        for label, figures in result.per_label.items():
            shown = ", ".join(f"{k} {v}" for k, v in figures.items())
            out.info(f"  {label}: {shown}")
    return {"ok": True, **summary}


def _shown(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.3f}"
