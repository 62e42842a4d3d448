"""GUI benchmark, issue 17: every interaction within one 60 Hz frame at 100k messages, and a 1M-message
project opening in < 1.5 s with RSS < 400 MB.

    .venv/bin/python bench/gui/frame.py [--json] [--samples 200] [--open-runs 3] [--max-load 2.0]
        [--wait 600] [--no-write]

Both projects are generated rows (``bench/gui/generated_project.py``: synthetic emails repeated under new
IDs, with gold spans, labels and model suggestions; built on first use, cached in ``bench/out/``). Each
measurement is a fresh process (``bench/gui/measure.py``) with the real MainWindow under offscreen Qt;
interactions run on a fresh copy of the 100k project, the 1M opens on the cached project itself (opening
writes nothing). The ``gui-frame`` section of BENCHMARKS.md is rewritten; the last line is a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.gui.build_project import keys_file  # noqa: E402
from bench.gui.generated_project import build, project_dir  # noqa: E402
from bench.gui.run import BUSY_LOAD, Quiet, code_version, summarise_open  # noqa: E402
from bench.run import OUT, machine, write_section  # noqa: E402

MEASURE = Path(__file__).resolve().parent / "measure.py"
SECTION = "gui-frame"
HEADING = "## Annotation desk GUI: one frame per interaction (issue 17)"
FRAME_MS = 16.7
OPEN_1M_S, RSS_1M_MB = 1.5, 400
RESULTS = OUT / "gui-frame-results.json"
INTERACTIONS = {  # key -> (measure.py arguments, what the table calls it)
    "jump": (
        ["switch", "--mode", "scrubbed", "--how", "random"],
        "jump to a random row (scroll + page fetch)",
    ),
    "click": (["switch", "--mode", "scrubbed", "--how", "click"], "mouse click on another row on screen"),
    "next": (["switch", "--mode", "scrubbed", "--how", "next"], "next message (Down key)"),
    "label": (["label"], "label key 1: stored (one commit), next message shown"),
    "span": (["span_key"], "span key Y: accepted (one commit), next span current"),
    "filter": (["filter"], "filter change (Show: all <-> unlabelled, arrow key)"),
    "raw": (
        ["switch", "--mode", "raw", "--how", "next"],
        "next message raw (R): shown once its view is logged",
    ),
}


def run(quiet: Quiet, project: Path, metric_args: list[str], *extra: str, copy: bool) -> dict[str, Any]:
    target = project
    if copy:
        target = OUT / "gui-frame-run"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(project, target)
        os.sync()
    quiet.wait()
    cmd = [sys.executable, str(MEASURE), metric_args[0], str(target), "--keys", str(keys_file(project))]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [*cmd, *metric_args[1:], *extra], capture_output=True, text=True, env=env, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{metric_args} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print(
        f"gui frame bench: {' '.join(metric_args)}: {result.get('p95_ms', result.get('open_s'))}", flush=True
    )
    return result


def section(r: dict[str, Any]) -> str:
    loads = r["loads"]
    busy = max(loads) > BUSY_LOAD
    load = f"load average (1 min) {min(loads):.2f}–{max(loads):.2f} during the runs"
    if busy:
        load += (
            f" — **the machine was shared** (load above {BUSY_LOAD} on 2 cores: other engineers' jobs), "
            "which inflates wall times; the UI-thread CPU column is what the code itself costs"
        )
    o100, o1m = r["open_100k"], r["open_1m"]
    lines = [
        f"Measured {r['date']} on {r['machine']}; GUI code at {r['code']}; `{r['command']}`; {load}.",
        "",
        f"Projects: generated rows (`bench/gui/generated_project.py`: {r['p100k']['generated_from_pool']:,} "
        "synthetic emails repeated under new keyed IDs, with their gold spans as suggestions, 30 % labelled, "
        f"the rest with a model suggestion): {r['p100k']['messages']:,} messages "
        f"({r['p100k']['store_mb']} MB store) and {r['p1m']['messages']:,} "
        f"({r['p1m']['store_mb']} MB, built in "
        f"{r['p1m']['build_seconds']} s). The real `MainWindow`, offscreen, 1280×800, role admin, scrubbed "
        "view (as everyone starts). Done means as in the section above: the action made as a user makes it, "
        "the event loop run until a zero-delay timer posted after it fired, the repaint sent (a paint "
        "counter confirms the body was painted in each timed interval). Raw numbers: "
        "`bench/out/gui-frame-results.json`.",
        "",
        "| what | samples | p50 | p95 | max | UI-thread CPU p50 / p95 | target | |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for key, (_args, text) in INTERACTIONS.items():
        s = r["interactions"][key]
        target = f"< {FRAME_MS} ms p95" if key != "raw" else "—"
        verdict = ("met" if s["p95_ms"] < FRAME_MS else "**missed**") if key != "raw" else ""
        lines.append(
            f"| {text} | {s['n']} | {s['p50_ms']} ms | {s['p95_ms']} ms | {s['max_ms']} ms | "
            f"{s['cpu_p50_ms']} / {s['cpu_p95_ms']} ms | {target} | {verdict} |"
        )
    lines += [
        f"| open 100k → first message shown and painted | {o100['runs']} | {o100['median_s']} s | | "
        f"{o100['max_s']} s | {o100['median_ui_cpu_s']} s | | |",
        f"| open 1M → first message shown and painted | {o1m['runs']} | {o1m['median_s']} s | | "
        f"{o1m['max_s']} s | {o1m['median_ui_cpu_s']} s | < {OPEN_1M_S} s | "
        f"{'met' if o1m['median_s'] < OPEN_1M_S else '**missed**'} |",
        "",
        f"RSS after opening the 1M project: median {o1m['median_rss_mb']} MB, max {o1m['max_rss_mb']} MB "
        f"(target < {RSS_1M_MB} MB: {'met' if o1m['max_rss_mb'] < RSS_1M_MB else '**missed**'}); the 100k "
        f"project: {o100['median_rss_mb']} MB.",
        "",
        "Why label and span keys cost more wall time than UI-thread CPU: each decision is one committed "
        "transaction with its audit entry, and the store commits with `synchronous = FULL` (an fsync) on "
        "the UI thread before the next message or span shows. The raw-mode row includes waiting for the raw "
        "view's audit entry on its writer thread before the raw text shows.",
    ]
    unpainted = [
        f"{INTERACTIONS[k][1]}: {s['unpainted']} of {s['n'] + 5}"
        for k, s in r["interactions"].items()
        if s.get("unpainted")
    ]
    if unpainted:
        lines += [
            "",
            "Timed intervals in which the body needed no repaint, so the bench repainted it inside the "
            "interval (the time counts): " + "; ".join(unpainted) + ". A filter change keeps the message "
            "shown when it is still listed, so only the list changes.",
        ]
    missed = r["missed"]
    lines += ["", ("**Missed:** " + "; ".join(missed) + ".") if missed else "All targets met."]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--open-runs", type=int, default=3)
    parser.add_argument("--max-load", type=float, default=BUSY_LOAD)
    parser.add_argument("--wait", type=float, default=600)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    p100k = build(project_dir(100_000), 100_000)
    p1m = build(project_dir(1_000_000), 1_000_000)
    quiet = Quiet(args.max_load, args.wait)
    load_before = quiet.wait()
    n = str(args.samples)
    interactions = {
        key: run(quiet, project_dir(100_000), margs, "--count", n, copy=True)
        for key, (margs, _text) in INTERACTIONS.items()
    }
    opens_100k = [run(quiet, project_dir(100_000), ["open"], copy=False) for _ in range(args.open_runs)]
    opens_1m = [run(quiet, project_dir(1_000_000), ["open"], copy=False) for _ in range(args.open_runs)]
    shutil.rmtree(OUT / "gui-frame-run", ignore_errors=True)
    every = [*interactions.values(), *opens_100k, *opens_1m]
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "code": code_version(),
        "command": "python bench/gui/frame.py" + (f" --samples {n}" if args.samples != 200 else ""),
        "p100k": p100k,
        "p1m": p1m,
        "interactions": interactions,
        "open_100k": summarise_open(opens_100k),
        "open_1m": summarise_open(opens_1m),
        "open_runs": {"100k": opens_100k, "1m": opens_1m},
        "loads": [load_before] + [x[k] for x in every for k in ("load_start", "load_end")],
    }
    missed = [
        f"{text}: {interactions[key]['p95_ms']} ms p95 (CPU {interactions[key]['cpu_p95_ms']} ms)"
        for key, (_a, text) in INTERACTIONS.items()
        if key != "raw" and interactions[key]["p95_ms"] >= FRAME_MS
    ]
    if results["open_1m"]["median_s"] >= OPEN_1M_S:
        missed.append(f"open 1M: {results['open_1m']['median_s']} s median")
    if results["open_1m"]["max_rss_mb"] >= RSS_1M_MB:
        missed.append(f"RSS 1M: {results['open_1m']['max_rss_mb']} MB")
    results["missed"] = missed
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    if not args.no_write:
        from bench.run import BENCHMARKS_MD

        text = BENCHMARKS_MD.read_text()
        if f"<!-- bench:{SECTION}:begin -->" not in text:
            BENCHMARKS_MD.write_text(text.rstrip() + f"\n\n{HEADING}\n")
        write_section(SECTION, section(results))
    summary = {
        "p95_ms": {k: v["p95_ms"] for k, v in interactions.items()},
        "cpu_p95_ms": {k: v["cpu_p95_ms"] for k, v in interactions.items()},
        "open_1m_median_s": results["open_1m"]["median_s"],
        "rss_1m_max_mb": results["open_1m"]["max_rss_mb"],
        "open_100k_median_s": results["open_100k"]["median_s"],
        "missed": missed,
        "load_min": round(min(results["loads"]), 2),
        "load_max": round(max(results["loads"]), 2),
    }
    if not args.json:
        print(section(results))
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
