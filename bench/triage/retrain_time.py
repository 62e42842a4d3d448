"""Retrain time through the real CLI, an older release of the code beside this one, runs interleaved.

    python bench/triage/retrain_time.py --project bench/out/banking77/project \
        --keyring-file bench/out/banking77-keyring.cfg --old-ref REF [--runs 3] [--old-default-runs 1]

Each run is `scrubdesk train PROJECT --json` in a fresh process on a project whose embeddings are all
cached (the retrain case), so it times everything a user waits for: start-up, key, cache read, the C
search with its 5-fold membership audit, the final fit, the scan and sealing. The old code is
`git archive REF` of this repository, loaded through the same virtualenv (its editable finder pointed
at the archive). Threads: as the product runs (no OPENBLAS/OMP variables), and for the old code also
with OPENBLAS/OMP/MKL threads = 1, the setting earlier benchmarks used. Reported per variant: median
wall and CPU (user + sys of the child) and the 1-minute load average before each run; the last JSON
line holds every run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
LAUNCHER = """
import sys, __editable___scrubdesk_0_1_0_finder as finder
source = sys.argv.pop(1)
if source != "-":
    for package in list(finder.MAPPING):
        finder.MAPPING[package] = source + "/" + package.split(".", 1)[1]
from scrubdesk.gui.cli import main
sys.argv[0] = "scrubdesk"
sys.exit(main())
"""


def extract(ref: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "core", "models", "gui", "resources"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=__import__("io").BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def one_run(source: str, project: str, env: dict[str, str]) -> dict:
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    cmd = ["nice", "-n", "10", sys.executable, "-c", LAUNCHER, source, "train", project, "--json"]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = result.stdout.strip().splitlines()
    summary = json.loads(lines[-1]) if lines else {}
    if result.returncode != 0:
        print(result.stderr[-2000:], file=sys.stderr)
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "load_before": round(load, 2),
        "train_seconds": summary.get("seconds"),
        "C": summary.get("C"),
        "cv_accuracy": summary.get("accuracy"),
        "membership_auc": summary.get("membership_auc"),
        "saved": summary.get("saved"),
        "exit": result.returncode,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--project", required=True)
    parser.add_argument("--keyring-file", required=True)
    parser.add_argument("--old-ref", required=True, help="git ref of the old code")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--old-default-runs", type=int, default=1, help="old code, library default threads")
    args = parser.parse_args()
    base = {k: v for k, v in os.environ.items() if k not in THREAD_VARS}
    base.update(
        SCRUBDESK_KEYRING="file",
        SCRUBDESK_PASSPHRASE=os.environ.get("SCRUBDESK_PASSPHRASE", "bench-not-secret"),
        SCRUBDESK_KEYRING_FILE=str(Path(args.keyring_file).resolve()),
        TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS="",
    )
    one_thread = {**base, **dict.fromkeys(THREAD_VARS, "1")}
    with tempfile.TemporaryDirectory(prefix="scrubdesk-old-") as tmp:
        old = str(extract(args.old_ref, Path(tmp)))
        variants = {
            "old, threads 1 (env)": (old, one_thread, args.runs),
            "new, product default": ("-", base, args.runs),
            "old, library default threads": (old, base, args.old_default_runs),
        }
        runs: dict[str, list[dict]] = {name: [] for name in variants}
        # interleaved, then the slow oversubscribed variant last (it loads the machine for minutes)
        order = [(name, i) for i in range(args.runs) for name in list(variants)[:2]]
        order += [(list(variants)[2], i) for i in range(args.old_default_runs)]
        for name, i in order:
            source, env, _ = variants[name]
            r = one_run(source, args.project, env)
            runs[name].append(r)
            print(json.dumps({"variant": name, "run": i + 1, **r}), flush=True)
    table = {}
    for name, rs in runs.items():
        if rs:
            table[name] = {
                "runs": len(rs),
                "median_wall_s": statistics.median(r["wall_s"] for r in rs),
                "median_cpu_s": statistics.median(r["cpu_s"] for r in rs),
                "load_before": [r["load_before"] for r in rs],
                "C": sorted({r["C"] for r in rs}),
                "cv_accuracy": sorted({r["cv_accuracy"] for r in rs}),
                "membership_auc": sorted({r["membership_auc"] for r in rs}),
            }
            print(f"{name:32s} {json.dumps(table[name])}")
    print(json.dumps({"old_ref": args.old_ref, "variants": table, "runs": runs}))
    return 0 if all(r["exit"] == 0 for rs in runs.values() for r in rs) else 1


if __name__ == "__main__":
    sys.exit(main())
