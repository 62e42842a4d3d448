"""The core layer's commands of the `scrubdesk` CLI (no Qt, no ML): each module registers its own."""

from __future__ import annotations

from scrubdesk.core.cli import erasure, export, governance, labels, messages, project, team
from scrubdesk.core.cli.support import Subparsers


def register(sub: Subparsers) -> None:
    for module in (project, labels, messages, team, export, erasure, governance):
        module.register(sub)
