"""CLI commands for the label set and labelling: labels, label."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's commands to the `scrubdesk` parser."""
