"""CLI commands for governance: consent, roles, report (DPO data inventory)."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's commands to the `scrubdesk` parser."""
