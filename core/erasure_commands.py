"""CLI commands for erasure and retention: erase, verify-erasure, retention, purge."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add this module's commands to the `scrubdesk` parser."""
