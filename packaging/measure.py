#!/usr/bin/env python3
"""Measure the built bundle for packaging/RESULTS.md: sizes, start-up to first window, self-test time.

    .venv/bin/python packaging/measure.py [--runs 5] [--project DIR]

Start-up: `scrubdesk gui --report-startup --exit-after-ms 300` under QT_QPA_PLATFORM=offscreen. Reported
twice: as the app sees it (process start from /proc to the main window's first paint) and as the caller
sees it (spawn to the "first window painted" line on stderr). The page cache cannot be dropped here, so
every run after the first is warm; the first run is reported separately. The self-test runs through
packaging/offline_check.sh (network namespace, no Python on PATH).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "dist" / "scrubdesk"
MARK = "startup: first window painted after"


def tree_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def first_window(project: Path | None) -> tuple[float, float]:
    """(ms seen by the app, ms seen by the caller) for one start."""
    cmd = [str(BUNDLE / "scrubdesk"), "gui", "--report-startup", "--exit-after-ms", "300", "--json"]
    if project is not None:
        cmd.insert(2, str(project))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stderr is not None
    outside = None
    for line in proc.stderr:
        if line.startswith(MARK):
            outside = (time.perf_counter() - started) * 1000
            break
    out, _ = proc.communicate(timeout=60)
    summary = json.loads(out.strip().splitlines()[-1])
    if proc.returncode != 0 or outside is None:
        raise SystemExit(f"gui start failed: {summary}")
    return float(summary["first_window_ms"]), outside


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--project", type=Path, help="open this project (its key must be reachable)")
    args = parser.parse_args()
    results: dict[str, object] = {"bundle_mb": round(tree_bytes(BUNDLE) / 1e6, 1)}
    debs = sorted((ROOT / "dist").glob("scrubdesk_*.deb"))
    if debs:
        results["deb_mb"] = round(debs[-1].stat().st_size / 1e6, 1)
    inside, outside = zip(*(first_window(args.project) for _ in range(args.runs)), strict=True)
    results["first_window_first_run_ms"] = {"app": inside[0], "caller": round(outside[0], 1)}
    results["first_window_median_ms"] = {
        "app": round(statistics.median(inside[1:] or inside), 1),
        "caller": round(statistics.median(outside[1:] or outside), 1),
    }
    started = time.perf_counter()
    check = subprocess.run(
        ["sh", str(ROOT / "packaging" / "offline_check.sh"), str(BUNDLE), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    selftest = json.loads(check.stdout.strip().splitlines()[-1])
    results["selftest"] = {
        "ok": selftest["ok"],
        "exit_code": check.returncode,
        "wall_s": round(wall, 1),
        "steps": {s["name"]: [s["status"], s["seconds"]] for s in selftest["steps"]},
        "network_attempts": selftest.get("network_attempts"),
    }
    print(json.dumps(results, indent=1))
    return 0 if selftest["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
