"""Import speed of this tree against another git revision, side by side (interleaved rounds).

    nice -n 10 .venv/bin/python bench/ab_import.py [--ref main] [--size 10000] [--rounds 10]

The other revision is exported with ``git archive`` into a temporary folder and laid out as the
``scrubdesk`` namespace, which PYTHONPATH puts before this tree's editable install. Each round imports the
generator's mbox (bench/run.py's cache) into a fresh project, then again into the same project (every
message a duplicate), once per revision, alternating which goes first. Reported: median job seconds and
median process CPU seconds (user + sys, start-up included), and the ratios this tree / the other.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import machine, mbox_for  # noqa: E402

FOLDERS = ("core", "models", "gui", "resources")


def export_revision(ref: str, into: Path) -> Path:
    """``ref``'s tree under ``into``, and the namespace folder to put on PYTHONPATH."""
    archive = into / "tree.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "-C", str(ROOT), "archive", ref], stdout=out, check=True)
    tree = into / "tree"
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    namespace = into / "ns" / "scrubdesk"
    namespace.mkdir(parents=True)
    for folder in FOLDERS:
        (namespace / folder).symlink_to(tree / folder)
    return namespace.parent


def run(cmd: list[str], env: dict[str, str]) -> dict:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{cmd[3:5]} failed")
    summary = json.loads(stdout.decode().strip().splitlines()[-1])
    summary["cpu"] = usage.ru_utime + usage.ru_stime
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--ref", default="main")
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    source = mbox_for(args.size)
    load = os.getloadavg()[0]
    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="scrubdesk-ab-") as tmp:
        base = {
            **os.environ,
            "SCRUBDESK_KEYRING": "file",
            "SCRUBDESK_PASSPHRASE": "bench",
            "SCRUBDESK_KEYRING_FILE": f"{tmp}/keyring.cfg",
        }
        other = {**base, "PYTHONPATH": str(export_revision(args.ref, Path(tmp)))}
        envs = {args.ref: other, "this tree": base}
        scrub = [sys.executable, "-m", "scrubdesk.gui"]
        for r in range(args.rounds):
            order = list(envs) if r % 2 == 0 else list(reversed(envs))
            for name in order:
                project = f"{tmp}/p-{r}-{order.index(name)}"
                run([*scrub, "init", project, "--json"], envs[name])
                first = run([*scrub, "import", project, str(source), "--json"], envs[name])
                again = run([*scrub, "import", project, str(source), "--json"], envs[name])
                assert first["imported"] == args.size and again["imported"] == 0, (first, again)
                found = results.setdefault(name, {})
                for key, value in (
                    ("first_s", first["seconds"]),
                    ("first_cpu", first["cpu"]),
                    ("again_s", again["seconds"]),
                    ("again_cpu", again["cpu"]),
                ):
                    found.setdefault(key, []).append(value)
                print(f"round {r} {name:>10}: first {first['seconds']:.2f} s, again {again['seconds']:.2f} s")
    medians = {name: {k: round(statistics.median(v), 3) for k, v in m.items()} for name, m in results.items()}
    ratios = {k: round(medians["this tree"][k] / medians[args.ref][k], 3) for k in medians["this tree"]}
    print(json.dumps({"machine": machine(), "load_before": load, "medians": medians, "ratios": ratios}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
