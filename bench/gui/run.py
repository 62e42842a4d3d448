"""GUI benchmark (issue 5): open a 100k-message project, switch messages, label from the keyboard.

    .venv/bin/python bench/gui/run.py [--json] [--open-runs 5] [--switches 300] [--presses 200]
        [--max-load 2.0] [--wait 900] [--no-write]

Builds the project first if it is not cached (``bench/gui/build_project.py``, a few minutes). Each
measurement is a fresh process (``bench/gui/measure.py``) with the real MainWindow under offscreen Qt, on
a fresh copy of the project (so labelling and audit entries never accumulate; the copy is synced to disk
first, so its page cache is warm as for a project in daily use). Raw results go to
``bench/out/gui-results.json``; the ``gui`` section of BENCHMARKS.md is rewritten; the last line printed is
a one-line JSON summary.

Targets (issue 5): open to an interactive list < 1.5 s; switching message < 30 ms p95 (with span
highlighting); label keypress to the next message shown < 50 ms p95.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.gui.build_project import (  # noqa: E402
    PROJECT_DIR,
    build,
    file_keyring,
    keys_file,
)
from bench.run import BENCHMARKS_MD, OUT, machine, write_section  # noqa: E402

MEASURE = Path(__file__).resolve().parent / "measure.py"
WORK_COPY = OUT / "gui-run"
RESULTS = OUT / "gui-results.json"
SECTION = "gui"
HEADING = "## Annotation desk GUI (issue 5)"
TARGETS = {"open_s": 1.5, "switch_p95_ms": 30.0, "label_p95_ms": 50.0}
SWITCHES = {  # how a message is switched -> what the table calls it
    "random_raw": "switch message: jump to a random row (scroll + page fetch), raw text",
    "random_scrubbed": "switch message: jump to a random row, scrubbed preview",
    "click_raw": "switch message: mouse click on another row on screen, raw text",
    "next_raw": "switch message: next row (Down key), raw text",
}
BUSY_LOAD = 2.0  # 1-minute load average above which a 2-core machine is shared with other work


def code_version() -> str:
    """The commit measured, and whether the working tree had uncommitted changes to the app's code."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout

    commit = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    dirty = git("status", "--porcelain", "--", "core", "models", "gui").strip()
    return f"commit {commit}" + (" plus uncommitted changes" if dirty else "")


def load1() -> float:
    return os.getloadavg()[0]


class Quiet:
    """Waits before each measurement until the 1-minute load average is below ``max_load``; all waits
    together take at most ``budget_s``, after which measurements run whatever the load (and say so)."""

    def __init__(self, max_load: float, budget_s: float) -> None:
        self.max_load = max_load
        self.deadline = time.monotonic() + budget_s

    def wait(self) -> float:
        load = load1()
        while load >= self.max_load and time.monotonic() < self.deadline:
            print(f"gui bench: load average {load:.2f} >= {self.max_load}; waiting…", flush=True)
            time.sleep(min(20.0, max(1.0, self.deadline - time.monotonic())))
            load = load1()
        return load


def fresh_copy() -> Path:
    if WORK_COPY.exists():
        shutil.rmtree(WORK_COPY)
    shutil.copytree(PROJECT_DIR, WORK_COPY)
    os.sync()  # the copy's dirty pages must not be written back while we measure
    return WORK_COPY


def measure(quiet: Quiet, metric: str, *args: str, file_keyring_path: Path | None = None) -> dict[str, Any]:
    """One measurement in a fresh process on a fresh copy of the project, when the machine is quiet."""
    project = fresh_copy()
    quiet.wait()
    keyring = ["--file-keyring", str(file_keyring_path)] if file_keyring_path else []
    cmd = [sys.executable, str(MEASURE), metric, str(project), "--keys", str(keys_file(PROJECT_DIR))]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([*cmd, *keyring, *args], capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{metric} {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"gui bench: {metric} {' '.join(args)} {keyring[:1]}: {_short(result)}", flush=True)
    return result


def _short(result: dict[str, Any]) -> str:
    keys = ("open_s", "unlock_s", "rss_mb", "p50_ms", "p95_ms", "max_ms", "load_start", "load_end")
    return ", ".join(f"{k}={result[k]}" for k in keys if k in result)


def summarise_open(runs: list[dict[str, Any]]) -> dict[str, Any]:
    def med(key: str) -> float:
        return round(statistics.median(r[key] for r in runs), 3)

    return {
        "runs": len(runs),
        "median_s": med("open_s"),
        "max_s": round(max(r["open_s"] for r in runs), 3),
        "min_s": round(min(r["open_s"] for r in runs), 3),
        "median_ui_cpu_s": med("ui_cpu_s"),
        "median_unlock_s": med("unlock_s"),
        "median_build_ui_s": med("build_ui_s"),
        "median_paint_s": med("paint_s"),
        "median_rss_mb": round(statistics.median(r["rss_mb"] for r in runs)),
        "max_rss_mb": round(max(r["rss_mb"] for r in runs)),
        "rows": runs[0]["rows"],
    }


def verdict(value: float, target: float) -> str:
    return "met" if value < target else "**missed**"


def section(results: dict[str, Any]) -> str:
    b, o, fo = results["project"], results["open"], results.get("open_file_keyring")
    sw, lab = results["switch"], results["label"]
    loads = results["loads"]
    busy = max(loads) > BUSY_LOAD
    load_text = (
        f"load average (1 min) {min(loads):.2f}–{max(loads):.2f} across the runs, the benchmark's own "
        "process counting for about 1"
    )
    if busy:
        load_text += (
            f" — **the machine was shared**: other jobs ran during some runs (load above {BUSY_LOAD} on 2 "
            "cores), which inflates wall times; UI-thread CPU is less affected"
        )
    lines = [
        f"Measured {results['date']} on {results['machine']}; GUI code at {results['code']}; "
        f"`{results['command']}`; {load_text}.",
        "",
        f"Project: {b['messages']:,} synthetic emails (`bench/out/synthetic-100000.mbox`, imported by the "
        f"real import job), {b['spans']:,} PII spans (the generator's exact gold spans, stored as "
        f"suggestions, so no analyser run), {b['labelled']:,} labelled, {b['predictions']:,} with a model "
        f"suggestion; store {b['store_mb']} MB. The real `MainWindow` under offscreen Qt (raster painting), "
        "1280×800, role admin (raw text allowed, so each raw view is audit-logged as in use); a fresh "
        "process and a fresh copy of the project per measurement (page cache warm, as for a project in "
        "daily use). **Keyring: a benchmark keyring in clear (no Argon2)**; the real encrypted file "
        "keyring's unlock is measured separately below. Done means: the change made as a user makes it, "
        "then the event loop run until a zero-delay timer posted after it has fired (deferred span "
        "formatting, layout, queued signals) and the repaint sent; a paint counter confirms the message "
        "body (and the list) was painted inside each timed interval. UI-thread CPU is the window thread's "
        "CPU time in the same interval: it leaves out waiting (for a CPU on a busy machine, for fsync), so "
        "it shows what the code costs. Raw numbers: `bench/out/gui-results.json`.",
        "",
        "| what | samples | p50 / median | p95 | max | UI-thread CPU p50 / p95 | target | |",
        "|---|---:|---:|---:|---:|---:|---|---|",
        f"| open 100k project → list populated, first message shown and painted | {o['runs']} processes | "
        f"{o['median_s']} s | | {o['max_s']} s | {o['median_ui_cpu_s']} s | < {TARGETS['open_s']} s | "
        f"{verdict(o['median_s'], TARGETS['open_s'])} |",
    ]
    for key, text in SWITCHES.items():
        s = sw[key]
        lines.append(
            f"| {text} | {s['n']} | {s['p50_ms']} ms | {s['p95_ms']} ms | {s['max_ms']} ms | "
            f"{s['cpu_p50_ms']} / {s['cpu_p95_ms']} ms | < {TARGETS['switch_p95_ms']:.0f} ms p95 | "
            f"{verdict(s['p95_ms'], TARGETS['switch_p95_ms'])} |"
        )
    lines.append(
        f"| label key 1 → label stored, next message shown and painted (unlabelled filter) | {lab['n']} | "
        f"{lab['p50_ms']} ms | {lab['p95_ms']} ms | {lab['max_ms']} ms | {lab['cpu_p50_ms']} / "
        f"{lab['cpu_p95_ms']} ms | < {TARGETS['label_p95_ms']:.0f} ms p95 | "
        f"{verdict(lab['p95_ms'], TARGETS['label_p95_ms'])} |"
    )
    if fo is not None:
        lines.append(
            f"| open with the encrypted file keyring (for comparison) | {fo['runs']} processes | "
            f"{fo['median_s']} s | | {fo['max_s']} s | {fo['median_ui_cpu_s']} s | | |"
        )
    lines += [
        "",
        f"Open, median of {o['runs']}: keyring + `Project.open` in the worker {o['median_unlock_s']} s, "
        f"UI thread (store connection, {o['rows']:,} row IDs, panels, first message) "
        f"{o['median_build_ui_s']} s, settle and first paint {o['median_paint_s']} s. Process RSS after "
        f"open: median {o['median_rss_mb']} MB (max {o['max_rss_mb']} MB).",
    ]
    if fo is not None:
        extra = round(fo["median_unlock_s"] - o["median_unlock_s"], 2)
        lines.append(
            f"With the encrypted file keyring (Argon2 by design), keyring + `Project.open` takes "
            f"{fo['median_unlock_s']} s (median of {fo['runs']}), i.e. {extra} s more per open than above."
        )
    missed = results["missed"]
    lines += ["", ("**Missed:** " + "; ".join(missed) + ".") if missed else "All targets met."]
    return "\n".join(lines)


def write_gui_section(body: str) -> None:
    """Rewrite the gui section (between its markers), adding its heading the first time."""
    text = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else "# Benchmarks\n"
    if f"<!-- bench:{SECTION}:begin -->" not in text:
        BENCHMARKS_MD.write_text(text.rstrip() + f"\n\n{HEADING}\n")
    write_section(SECTION, body)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--open-runs", type=int, default=5)
    parser.add_argument("--file-keyring-runs", type=int, default=3)
    parser.add_argument("--switches", type=int, default=300)
    parser.add_argument("--presses", type=int, default=200)
    parser.add_argument(
        "--max-load", type=float, default=BUSY_LOAD, help="before each measurement, wait for a lower load"
    )
    parser.add_argument("--wait", type=float, default=900, help="seconds of such waiting in all, at most")
    parser.add_argument("--no-write", action="store_true", help="do not rewrite BENCHMARKS.md")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON only (last line)")
    args = parser.parse_args()

    info = build()
    quiet = Quiet(args.max_load, args.wait)
    load_before = quiet.wait()
    results: dict[str, Any] = {
        "machine": machine(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "code": code_version(),
        "command": "python bench/gui/run.py"
        + "".join(
            f" --{k.replace('_', '-')} {v}"
            for k, v in (
                ("open_runs", args.open_runs),
                ("file_keyring_runs", args.file_keyring_runs),
                ("switches", args.switches),
                ("presses", args.presses),
            )
            if v != parser.get_default(k)
        ),
        "project": info,
        "load_before": round(load_before, 2),
    }
    opens = [measure(quiet, "open") for _ in range(args.open_runs)]
    file_opens = [
        measure(quiet, "open", file_keyring_path=file_keyring(PROJECT_DIR))
        for _ in range(args.file_keyring_runs)
    ]
    n = str(args.switches)
    switch = {
        "random_raw": measure(quiet, "switch", "--count", n, "--mode", "raw", "--how", "random"),
        "random_scrubbed": measure(quiet, "switch", "--count", n, "--mode", "scrubbed", "--how", "random"),
        "click_raw": measure(quiet, "switch", "--count", n, "--mode", "raw", "--how", "click"),
        "next_raw": measure(quiet, "switch", "--count", n, "--mode", "raw", "--how", "next"),
    }
    label = measure(quiet, "label", "--count", str(args.presses))
    results.update(
        open=summarise_open(opens),
        open_runs=opens,
        switch=switch,
        label=label,
    )
    if file_opens:
        results["open_file_keyring"] = summarise_open(file_opens)
        results["open_file_keyring_runs"] = file_opens
    every = [*opens, *file_opens, *switch.values(), label]
    results["loads"] = [load_before] + [r[k] for r in every for k in ("load_start", "load_end")]
    worst_switch = max(switch.values(), key=lambda s: s["p95_ms"])
    missed = []
    if results["open"]["median_s"] >= TARGETS["open_s"]:
        missed.append(f"open: {results['open']['median_s']} s median (target < {TARGETS['open_s']} s)")
    for key, s in switch.items():
        if s["p95_ms"] >= TARGETS["switch_p95_ms"]:
            missed.append(
                f"{SWITCHES[key].removeprefix('switch message: ')}: {s['p95_ms']} ms p95 "
                f"(target < {TARGETS['switch_p95_ms']:.0f} ms)"
            )
    if label["p95_ms"] >= TARGETS["label_p95_ms"]:
        missed.append(f"label keypress: {label['p95_ms']} ms p95 (target < {TARGETS['label_p95_ms']:.0f} ms)")
    results["missed"] = missed
    shutil.rmtree(WORK_COPY, ignore_errors=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    if not args.no_write:
        write_gui_section(section(results))
    summary = {
        "open_median_s": results["open"]["median_s"],
        "open_max_s": results["open"]["max_s"],
        "open_file_keyring_median_s": results.get("open_file_keyring", {}).get("median_s"),
        "rss_after_open_mb": results["open"]["median_rss_mb"],
        "switch_p95_ms": {k: s["p95_ms"] for k, s in switch.items()},
        "switch_worst_p95_ms": worst_switch["p95_ms"],
        "label_p95_ms": label["p95_ms"],
        "targets": TARGETS,
        "missed": missed,
        "load_min": round(min(results["loads"]), 2),
        "load_max": round(max(results["loads"]), 2),
        "results": str(RESULTS.relative_to(ROOT)),
    }
    if not args.json:
        print(section(results))
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
