"""The models layer's commands of the `scrubdesk` CLI: PII analysis, redaction policy, triage model."""

from __future__ import annotations

from scrubdesk.core.cli.support import Subparsers
from scrubdesk.models.cli import pii, team, triage


def register(sub: Subparsers) -> None:
    triage.register(sub)
    pii.register(sub)
    team.register(sub)
