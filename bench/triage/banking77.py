"""BANKING77 through the real CLI: init -> import -> analyze -> review approve-all -> train -> evaluate.

    python bench/triage/banking77.py [--workdir DIR] [--workers 2] [--skip-setup]

Needs ../shared/data/banking77/{train,test}.csv (skips with a message when absent). Uses the encrypted
file keyring (SCRUBDESK_KEYRING=file) with a throwaway passphrase. Prints one JSON line per step and
writes them all to bench/triage/out/banking77.json. ``--skip-setup`` reuses an analysed project (train
and evaluate only).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "banking77"


def run(*args: str) -> dict:
    started = time.perf_counter()
    cmd = [sys.executable, "-m", "scrubdesk.gui", *args, "--json"]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    lines = result.stdout.strip().splitlines()
    summary = json.loads(lines[-1]) if lines else {"ok": False}
    summary["wall_s"] = round(wall, 2)
    summary["exit"] = result.returncode
    if result.returncode not in (0, 1):
        print(result.stderr[-2000:], file=sys.stderr)
    print(json.dumps({"step": args[0], **summary}, sort_keys=True), flush=True)
    return summary


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out" / "banking77")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-setup", action="store_true")
    args = parser.parse_args()
    if not (DATA / "train.csv").is_file():
        print(f"skipped: {DATA} not found")
        return 0
    os.environ.setdefault("SCRUBDESK_KEYRING", "file")
    os.environ.setdefault("SCRUBDESK_PASSPHRASE", "bench-not-secret")
    os.environ.setdefault("SCRUBDESK_KEYRING_FILE", str(args.workdir.parent / "banking77-keyring.cfg"))
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    project = str(args.workdir / "project")
    steps = {}
    if not args.skip_setup:
        args.workdir.mkdir(parents=True, exist_ok=True)
        steps["init"] = run("init", project)
        steps["import"] = run(
            "import", project, str(DATA / "train.csv"), "--text-column", "text", "--label-column", "category"
        )
        steps["analyze"] = run("analyze", project, "--workers", str(args.workers))
        steps["approve"] = run("review", "approve-all", project)
    steps["train"] = run("train", project)
    steps["evaluate"] = run(
        "evaluate",
        project,
        str(DATA / "test.csv"),
        "--text-column",
        "text",
        "--label-column",
        "category",
        "--workers",
        str(args.workers),
    )
    out = ROOT / "bench" / "triage" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "banking77.json").write_text(json.dumps(steps, indent=2, sort_keys=True) + "\n")
    return 0 if all(s.get("exit") == 0 for s in steps.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
