"""Hostile-header benchmark (issue 15): header parsing is linear in the header's size.

    nice -n 10 .venv/bin/python bench/ingest.py [--repeat 3] [--json]

1. ``parse_email`` on one message whose header holds a display name or address list of 0.25–4 MB, in
   several hostile shapes; median of ``--repeat`` runs each. Linear means seconds per MB stays flat as the
   size doubles.
2. The address regex this replaced (a lazy display name before ``[ \\t]*<``), side by side with today's on
   the same inputs at 20–160 KB, to show the quadratic curve the fix removed.
3. ``scrubdesk import --json`` of one .eml with a 1 MB and a 4 MB header, each in a fresh subprocess
   and a fresh project: the whole import path (parse, key, store), not only the parser.

Writes ``bench/out/ingest-results.json`` and the ``ingest`` section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import OUT, machine, run_child, write_section  # noqa: E402
from scrubdesk.core.ingest import records  # noqa: E402
from scrubdesk.core.ingest.email_parse import parse_email  # noqa: E402
from scrubdesk.core.ingest.headers import _ONE_ADDRESS_RE  # noqa: E402

MB = 1_000_000
SIZES = (MB // 4, MB // 2, MB, 2 * MB, 4 * MB)
OLD_SIZES = (20_000, 40_000, 80_000, 160_000)
_ATOM = rb'[^<>\s,;:"()\\@\x80-\xff]+'
# The fast-path address regex before the fix, verbatim: its lazy name backtracks over runs of blanks.
OLD_ONE_ADDRESS_RE = re.compile(
    rb'[ \t]*(?:"?([^"<>,;:()\\@=\r\n\x80-\xff]*?)"?[ \t]*<('
    + _ATOM
    + rb"@"
    + _ATOM
    + rb")>|("
    + _ATOM
    + rb"@"
    + _ATOM
    + rb"))[ \t]*"
)


def _random(n: int) -> bytes:
    rng = random.Random(15)
    alphabet = b'ab ,;:()<>[]\\"@.=?\t'
    return bytes(rng.choice(alphabet) for _ in range(n))


def _address_list(n: int) -> bytes:
    text = b", ".join(b'"Person %d" <p%d@example.com>' % (i, i) for i in range(n // 20))
    return text[: text.rfind(b", ", 0, n)]


SHAPES: dict[str, tuple[str, Callable[[int], bytes]]] = {
    "blank_run": (
        'From: "Jane⟨n blanks⟩Doe" <addr> (the shape the issue reported)',
        lambda n: b'From: "Jane' + b" " * n + b'Doe" <jane@example.org>',
    ),
    "folded_list": (
        'Cc: "Doe, Jane" folded every 12 bytes, one quoted name',
        lambda n: b'Cc: "' + b"Doe, Jane\r\n " * (n // 12) + b'" <jane@example.org>',
    ),
    "many_addresses": (
        'To: "Person N" <pN@example.com>, … (a huge recipient list)',
        lambda n: b"To: " + _address_list(n),
    ),
    "random_specials": (
        "From: random bytes drawn from quotes, brackets, commas, blanks, @ and escapes",
        _random,
    ),
}


def message(header: bytes) -> bytes:
    return header + b"\nSubject: hostile header\nMessage-ID: <bench@example.org>\n\nbody\n"


def best_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_parse(repeat: int) -> list[dict]:
    rows = []
    for name, (_, make) in SHAPES.items():
        for size in SIZES:
            raw = message(make(size))
            assert len(raw) - 80 < records.MAX_HEADER_BYTES, "the benchmark stays under the header cap"
            item = parse_email(raw, "bench.eml")
            assert type(item).__name__ == "ParsedMessage", item
            seconds = best_of(lambda raw=raw: parse_email(raw, "bench.eml"), repeat)
            rows.append({"shape": name, "header_bytes": len(raw), "seconds": round(seconds, 4)})
            print(f"parse {name:16} {len(raw) / MB:5.2f} MB {seconds:7.3f} s", flush=True)
    return rows


def bench_old_regex(repeat: int) -> list[dict]:
    rows = []
    for size in OLD_SIZES:
        value = b'"Jane' + b" " * size + b'Doe" <jane@example.org>'
        old = best_of(lambda v=value: OLD_ONE_ADDRESS_RE.fullmatch(v), repeat)
        new = best_of(lambda v=value: _ONE_ADDRESS_RE.fullmatch(v), repeat)
        rows.append({"bytes": size, "old_s": round(old, 4), "new_s": round(new, 6)})
        print(f"regex {size:>7} B: before {old:7.3f} s, now {new:9.6f} s", flush=True)
    return rows


def bench_cli(repeat: int) -> list[dict]:
    rows = []
    scrub = [sys.executable, "-m", "scrubdesk.gui"]
    with tempfile.TemporaryDirectory(prefix="scrubdesk-bench-ingest-") as tmp:
        env = {
            **os.environ,
            "SCRUBDESK_KEYRING": "file",
            "SCRUBDESK_PASSPHRASE": "bench",
            "SCRUBDESK_KEYRING_FILE": f"{tmp}/keyring.cfg",
        }
        for size in (0, MB, 4 * MB):
            source = Path(tmp) / f"header-{size}.eml"
            source.write_bytes(message(SHAPES["blank_run"][1](size)))
            runs = []
            for n in range(repeat):
                project = f"{tmp}/p-{size}-{n}"
                run_child([*scrub, "init", project, "--json"], env)
                summary, wall, rss = run_child([*scrub, "import", project, str(source), "--json"], env)
                assert summary["imported"] == 1, summary
                runs.append((summary["seconds"], wall, rss))
            row = {
                "header_bytes": source.stat().st_size,
                "import_s": round(statistics.median(r[0] for r in runs), 3),
                "wall_s": round(statistics.median(r[1] for r in runs), 2),
                "peak_rss_mb": round(max(r[2] for r in runs)),
            }
            rows.append(row)
            print(f"import {row}", flush=True)
    return rows


def table(parse_rows: list[dict], old_rows: list[dict], cli_rows: list[dict]) -> str:
    lines = ["| shape | " + " | ".join(f"{s / MB:g} MB" for s in SIZES) + " | s/MB at 0.25 → 4 MB |"]
    lines.append("|---|" + "---:|" * (len(SIZES) + 1))
    for name, (description, _) in SHAPES.items():
        found = [r for r in parse_rows if r["shape"] == name]
        per_mb = [r["seconds"] / (r["header_bytes"] / MB) for r in found]
        cells = " | ".join(f"{r['seconds']:.3f} s" for r in found)
        lines.append(f"| `{name}`: {description} | {cells} | {per_mb[0]:.3f} → {per_mb[-1]:.3f} |")
    lines += [
        "",
        "The address regex before and after the fix, same inputs (a quoted name with a run of blanks):",
        "",
        "| name bytes | before | now |",
        "|---:|---:|---:|",
    ]
    lines += [f"| {r['bytes']:,} | {r['old_s']:.3f} s | {r['new_s'] * 1e3:.3f} ms |" for r in old_rows]
    lines += [
        "",
        "`scrubdesk import --json` of one .eml (`blank_run` shape), fresh process and project per run:",
        "",
        "| message bytes | import s (job) | wall s (incl. start-up, key unlocks) | peak RSS MB |",
        "|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r['header_bytes']:,} | {r['import_s']} | {r['wall_s']} | {r['peak_rss_mb']} |" for r in cli_rows
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    parse_rows = bench_parse(args.repeat)
    old_rows = bench_old_regex(args.repeat)
    cli_rows = bench_cli(args.repeat)
    results = {
        "machine": machine(),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_before": load,
        "parse": parse_rows,
        "old_regex": old_rows,
        "cli": cli_rows,
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "ingest-results.json").write_text(json.dumps(results, indent=2))
    header = (
        f"Measured {results['at'][:10]} on {machine()}; load average before the run {load:.2f}; "
        f"`nice -n 10 python bench/ingest.py --repeat {args.repeat}` (medians). Header cap "
        f"`MAX_HEADER_BYTES` = {records.MAX_HEADER_BYTES:,} bytes: a bigger header block is quarantined "
        "`header_too_large` unparsed.\n\n"
    )
    write_section("ingest", header + table(parse_rows, old_rows, cli_rows))
    if args.json:
        print(json.dumps({"ok": True, "parse_rows": len(parse_rows), "cli_rows": len(cli_rows)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
