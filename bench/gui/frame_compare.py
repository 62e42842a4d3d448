"""Issue 17's frame bench, old code against new, side by side in one session.

    .venv/bin/python bench/gui/frame_compare.py [--old REV] [--only jump,filter] [--samples 200]
        [--rounds 2] [--json] [--no-write]

The code of ``--old`` (a commit; default: main) is exported to a temporary directory and imported from
there (``bench/gui/old_code.py``); the new code is this checkout. For each interaction of
``bench/gui/frame.py``, each round measures old then new (the order alternates between rounds), each in a
fresh process on a fresh copy of the 100k generated project, so both see the same machine load. The table
gives the mean over rounds of each run's median and p95, wall and UI-thread CPU. The ``gui-frame-compare``
block of BENCHMARKS.md is rewritten; the last line is a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.gui.build_project import keys_file  # noqa: E402
from bench.gui.frame import FRAME_MS, INTERACTIONS, MEASURE  # noqa: E402
from bench.gui.generated_project import build, project_dir  # noqa: E402
from bench.gui.run import code_version, load1  # noqa: E402
from bench.run import OUT, machine, write_section  # noqa: E402

OLD_CODE = Path(__file__).resolve().parent / "old_code.py"
SECTION = "gui-frame-compare"
STATS = ("p50_ms", "p95_ms", "cpu_p50_ms", "cpu_p95_ms")


def export(rev: str, into: Path) -> str:
    """The app's code and bench at ``rev`` under ``into``; returns the short commit."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, "core", "gui", "models", "resources", "bench"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return commit


def measure(project: Path, args: list[str], count: int, old_root: Path | None) -> dict[str, Any]:
    target = OUT / "gui-frame-compare-run"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(project, target)
    os.sync()
    script = str(old_root / "bench/gui/measure.py") if old_root else str(MEASURE)
    prefix = [sys.executable, str(OLD_CODE), str(old_root)] if old_root else [sys.executable]
    cmd = [*prefix, script, args[0], str(target), "--keys", str(keys_file(project)), *args[1:]]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([*cmd, "--count", str(count)], capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{args} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def mean_of(runs: list[dict[str, Any]]) -> dict[str, float]:
    return {k: round(statistics.fmean(r[k] for r in runs), 2) for k in STATS}


def section(r: dict[str, Any]) -> str:
    loads = r["loads"]
    lines = [
        f"**Old against new, side by side** (measured {r['date']} on {r['machine']}; "
        f"`{r['command']}`): old = commit {r['old']}, new = {r['new']}; {r['rounds']} rounds of "
        f"{r['samples']} samples per interaction and side, old and new alternating in each round, each run a "
        f"fresh process on a fresh copy of the 100k project; load average (1 min) {min(loads):.2f}–"
        f"{max(loads):.2f}. Figures are the mean over rounds of each run's median and p95.",
        "",
        "| what | old p50 / p95 | new p50 / p95 | old CPU p50 / p95 | new CPU p50 / p95 | new p95 < "
        f"{FRAME_MS} ms |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for key, side in r["results"].items():
        o, n = side["old"], side["new"]
        verdict = ("met" if n["p95_ms"] < FRAME_MS else "**missed**") if key != "raw" else "— (no target)"
        wall = f"{o['p50_ms']} / {o['p95_ms']} ms | {n['p50_ms']} / {n['p95_ms']} ms"
        cpu = f"{o['cpu_p50_ms']} / {o['cpu_p95_ms']} ms | {n['cpu_p50_ms']} / {n['cpu_p95_ms']} ms"
        lines.append(f"| {INTERACTIONS[key][1]} | {wall} | {cpu} | {verdict} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--old", default="main", help="the commit to compare against (default: main)")
    parser.add_argument("--only", help="comma-separated interactions (default: all of frame.py's)")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    keys = args.only.split(",") if args.only else list(INTERACTIONS)
    unknown = [k for k in keys if k not in INTERACTIONS]
    if unknown:
        parser.error(f"unknown interaction(s) {unknown}; choose from {list(INTERACTIONS)}")
    project = project_dir(100_000)
    build(project, 100_000)
    loads = [load1()]
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="scrubdesk-old-") as tmp:
        old_root = Path(tmp)
        old = export(args.old, old_root)
        for key in keys:
            runs: dict[str, list[dict[str, Any]]] = {"old": [], "new": []}
            for round_no in range(args.rounds):
                sides = ("old", "new") if round_no % 2 == 0 else ("new", "old")
                for side in sides:
                    code = old_root if side == "old" else None
                    run = measure(project, INTERACTIONS[key][0], args.samples, code)
                    runs[side].append(run)
                    loads += [run["load_start"], run["load_end"]]
                    print(f"{key} {side}: p95 {run['p95_ms']} ms, CPU p95 {run['cpu_p95_ms']} ms", flush=True)
            results[key] = {side: mean_of(r) for side, r in runs.items()}
    shutil.rmtree(OUT / "gui-frame-compare-run", ignore_errors=True)
    command = "python bench/gui/frame_compare.py" + "".join(
        f" {flag}" for flag in sys.argv[1:] if flag not in ("--json", "--no-write")
    )
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "command": command,
        "old": old,
        "new": code_version(),
        "rounds": args.rounds,
        "samples": args.samples,
        "loads": loads,
        "results": results,
    }
    (OUT / "gui-frame-compare-results.json").write_text(json.dumps(report, indent=2) + "\n")
    if not args.no_write:
        write_section(SECTION, section(report))
    if not args.json:
        print(section(report))
    summary = {k: {s: v[s]["p95_ms"] for s in ("old", "new")} for k, v in results.items()}
    print(json.dumps({"p95_ms": summary, "load_max": round(max(loads), 2)}, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
