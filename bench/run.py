"""Scrubdesk benchmarks: one command, results into BENCHMARKS.md.

    .venv/bin/python bench/run.py [--only import|gui] [--sizes 1000,10000,100000] [--repeat 3] [--json]

import: synthetic UK emails in one mbox → `scrubdesk import` in a fresh subprocess (real encrypted file
keyring, fresh project), so peak RSS is the child's own (os.wait4). MB/s is source bytes / import time
as the job reports it; wall time includes interpreter start-up and the keyring unlock.

gui: delegates to ``bench/gui/run.py`` (defaults; run that script for its options).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    system = f"{platform.system()} {platform.release()}"
    return f"{cpu}, {os.cpu_count()} cores, {mem_gb:.0f} GB, {system}, Python {platform.python_version()}"


PROFILES = {
    "plain": "the generator's default: ~1 KB, 20% with an HTML alternative, no attachments",
    "realistic": "every message with an HTML alternative, 30% with one 20-200 KB attachment (PDF/JPEG)",
}


def mbox_for(n: int, profile: str = "plain") -> Path:
    path = OUT / (f"synthetic-{n}.mbox" if profile == "plain" else f"synthetic-{profile}-{n}.mbox")
    if not path.exists():
        from scrubdesk.core.synthetic import generate
        from scrubdesk.core.synthetic.writers import write_mbox

        OUT.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        if profile == "plain":
            write_mbox(tmp, generate(n, seed=2026))
        else:
            _write_realistic_mbox(tmp, n)
        tmp.replace(path)
    return path


def _write_realistic_mbox(path: Path, n: int) -> None:
    """Realistic sizes: real customer mail carries HTML twins and attachments (never stored, only counted)."""
    import random

    from scrubdesk.core.synthetic import generate

    rng = random.Random(2026)
    with path.open("wb") as out:
        for email in generate(n, seed=2026, html_ratio=1.0):
            message = email.to_message()
            if rng.random() < 0.3:
                kind, ext = rng.choice([("application/pdf", "pdf"), ("image/jpeg", "jpg")])
                payload = rng.randbytes(rng.randint(20_000, 200_000))
                maintype, subtype = kind.split("/")
                message.add_attachment(payload, maintype=maintype, subtype=subtype, filename=f"scan.{ext}")
            raw = message.as_bytes().replace(b"\r\n", b"\n")
            lines = raw.split(b"\n")
            escaped = [b">" + line if line.lstrip(b">").startswith(b"From ") else line for line in lines]
            out.write(b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n" + b"\n".join(escaped).rstrip(b"\n"))
            out.write(b"\n\n")


def run_child(cmd: list[str], env: dict[str, str]) -> tuple[dict, float, float]:
    """Run a command; return (last-line JSON, wall seconds, peak RSS in MB of that child)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{cmd[3:5]} failed with {os.waitstatus_to_exitcode(status)}")
    summary = json.loads(stdout.decode().strip().splitlines()[-1])
    return summary, wall, usage.ru_maxrss / 1024


def bench_import(sizes: list[int], repeat: int, profile: str = "plain") -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="scrubdesk-bench-") as tmp:
        env = {
            **os.environ,
            "SCRUBDESK_KEYRING": "file",
            "SCRUBDESK_PASSPHRASE": "bench",
            "SCRUBDESK_KEYRING_FILE": f"{tmp}/keyring.cfg",
        }
        scrub = [sys.executable, "-m", "scrubdesk.gui"]
        for n in sizes:
            source = mbox_for(n, profile)
            runs = []
            for i in range(repeat):
                proj = f"{tmp}/p{n}-{i}"
                run_child([*scrub, "init", proj, "--json"], env)
                summary, wall, rss = run_child([*scrub, "import", proj, str(source), "--json"], env)
                assert summary["imported"] == n, summary
                runs.append(
                    {
                        "mb_per_s": summary["mb_per_s"],
                        "seconds": summary["seconds"],
                        "wall": wall,
                        "rss_mb": rss,
                    }
                )
                print(
                    f"import {profile} {n:>7}: {summary['mb_per_s']:6.1f} MB/s, {rss:6.0f} MB RSS", flush=True
                )
            rows.append(
                {
                    "profile": profile,
                    "messages": n,
                    "source_mb": round(source.stat().st_size / 1e6, 1),
                    "runs": len(runs),
                    "median_mb_per_s": round(statistics.median(r["mb_per_s"] for r in runs), 1),
                    "median_import_s": round(statistics.median(r["seconds"] for r in runs), 2),
                    "median_wall_s": round(statistics.median(r["wall"] for r in runs), 2),
                    "median_msgs_per_s": round(n / statistics.median(r["seconds"] for r in runs)),
                    "max_peak_rss_mb": round(max(r["rss_mb"] for r in runs)),
                }
            )
    return rows


def import_table(rows: list[dict]) -> str:
    lines = [
        "| profile | messages | mbox MB | runs | median MB/s | median msgs/s | median import s "
        "| median wall s | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['profile']} | {r['messages']:,} | {r['source_mb']} | {r['runs']} | {r['median_mb_per_s']} | "
        f"{r['median_msgs_per_s']:,} | {r['median_import_s']} | {r['median_wall_s']} "
        f"| {r['max_peak_rss_mb']} |"
        for r in rows
    ]
    return "\n".join(lines)


def write_section(name: str, body: str) -> None:
    begin, end = f"<!-- bench:{name}:begin -->", f"<!-- bench:{name}:end -->"
    text = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else "# Benchmarks\n"
    block = f"{begin}\n{body}\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    BENCHMARKS_MD.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=["import", "gui"], default="import")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--realistic-sizes", default="1000,10000", help="sizes for the realistic profile")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.only == "gui":  # its own runner, options and results file (bench/gui/run.py --help)
        gui = [sys.executable, str(ROOT / "bench" / "gui" / "run.py"), *(["--json"] if args.json else [])]
        return subprocess.call(gui)
    load_before = os.getloadavg()[0]
    sizes = [int(s) for s in args.sizes.split(",")]
    when = datetime.now(UTC).strftime("%Y-%m-%d")
    results: dict = {"machine": machine(), "date": when}
    if args.only == "import":
        rows = bench_import(sizes, args.repeat, "plain")
        realistic = [int(s) for s in args.realistic_sizes.split(",") if s]
        rows += bench_import(realistic, args.repeat, "realistic")
        results["import"] = rows
        profiles = "\n".join(f"- `{name}`: {text}" for name, text in PROFILES.items())
        write_section(
            "import",
            f"Measured {when} on {results['machine']}; load average before the run "
            f"{load_before:.2f}; `python bench/run.py --only import --sizes {args.sizes} "
            f"--realistic-sizes {args.realistic_sizes} --repeat {args.repeat}`.\n\n{profiles}\n\n"
            f"{import_table(rows)}",
        )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    if args.json:
        print(json.dumps(results, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
