"""Helpers for tests that drive the real `scrubdesk` command in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def scrubdesk(*args: str | Path, check: bool = True, timeout: float = 300) -> tuple[dict[str, Any], str, str]:
    """Run `scrubdesk ARGS --json`; return (last-line summary, stdout, stderr). Uses the env keyring."""
    cmd = [sys.executable, "-m", "scrubdesk.gui", *map(str, args), "--json"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=dict(os.environ))
    lines = result.stdout.strip().splitlines()
    assert lines, f"no output from {args}: {result.stderr[-2000:]}"
    summary = json.loads(lines[-1])
    if check:
        assert result.returncode == 0, (result.returncode, result.stderr[-3000:])
    summary["_exit"] = result.returncode
    return summary, result.stdout, result.stderr
