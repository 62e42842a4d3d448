"""Release-2 triage figures through the real CLI, today's model and the new one side by side, one project.

    python bench/triage/intent_cli.py --set banking77 [--per-class 10 --skip-tfidf --accept-membership-risk]
        [--workdir DIR] [--skip-setup]

Steps: init -> import train.csv (or N per class of it) -> analyze -> review approve-all ->
train --features tfidf --accept-membership-risk (release 1's model, which fails the gate) -> evaluate ->
train (default: e5 embeddings, C chosen to meet the gate; embeds and caches) -> evaluate ->
train again (every vector from the cache: the retrain time) -> model export -> classify the test split
(JSONL) -> accuracy of classify's labels. Every step is a `scrubdesk ... --json` subprocess; one JSON line
per step is printed and all are written to bench/triage/out/{set}[-{N}pc].json.

Needs ../shared/data/{set}/{train,test}.csv (skips with a message when absent). Encrypted file keyring
with a throwaway passphrase. OpenBLAS/OMP threads are set to 1 (a busy 2-core machine).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"


def run(*args: str) -> dict:
    started = time.perf_counter()
    cmd = [sys.executable, "-m", "scrubdesk.gui", *args, "--json"]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    lines = result.stdout.strip().splitlines()
    summary = json.loads(lines[-1]) if lines else {"ok": False}
    for bulky in ("scan_details", "per_class", "confusion"):
        summary.pop(bulky, None)
    summary["wall_s"] = round(wall, 2)
    summary["exit"] = result.returncode
    summary["load"] = round(os.getloadavg()[0], 2)
    if result.returncode not in (0, 1):
        print(result.stderr[-2000:], file=sys.stderr)
    print(json.dumps({"step": args[0], **summary}, sort_keys=True), flush=True)
    return summary


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write_csv(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["text", "category"])
        writer.writeheader()
        writer.writerows({"text": r["text"], "category": r["category"]} for r in rows)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", default="banking77")
    parser.add_argument("--per-class", type=int, help="train on N random messages per label (seed 0)")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-setup", action="store_true")
    parser.add_argument("--skip-tfidf", action="store_true", help="only the new model")
    parser.add_argument(
        "--accept-membership-risk",
        action="store_true",
        help="save the new model above the gate too (small sets: 10 per class reads MIA ~0.8)",
    )
    args = parser.parse_args()
    data = DATA / args.set
    if not (data / "train.csv").is_file():
        print(f"skipped: {data} not found")
        return 0
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    name = args.set + (f"-{args.per_class}pc" if args.per_class else "")
    workdir = args.workdir or ROOT / "bench" / "out" / name
    os.environ.setdefault("SCRUBDESK_KEYRING", "file")
    os.environ.setdefault("SCRUBDESK_PASSPHRASE", "bench-not-secret")
    os.environ.setdefault("SCRUBDESK_KEYRING_FILE", str(workdir.parent / f"{name}-keyring.cfg"))
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    project = str(workdir / "project")
    steps: dict[str, dict] = {}
    train_csv = data / "train.csv"
    if args.per_class:
        rows = read_rows(train_csv)
        rng = random.Random(0)
        by_label: dict[str, list[dict[str, str]]] = {}
        for r in rows:
            by_label.setdefault(r["category"], []).append(r)
        chosen = [r for label in sorted(by_label) for r in rng.sample(by_label[label], args.per_class)]
        workdir.mkdir(parents=True, exist_ok=True)
        train_csv = workdir / "train-subset.csv"
        write_csv(chosen, train_csv)
    if not args.skip_setup:
        workdir.mkdir(parents=True, exist_ok=True)
        steps["init"] = run("init", project)
        steps["import"] = run(
            "import", project, str(train_csv), "--text-column", "text", "--label-column", "category"
        )
        steps["analyze"] = run("analyze", project, "--workers", str(args.workers))
        steps["approve"] = run("review", "approve-all", project)
    evaluate = (
        "evaluate",
        project,
        str(data / "test.csv"),
        "--text-column",
        "text",
        "--label-column",
        "category",
    )
    if not args.skip_tfidf:
        steps["train_tfidf"] = run("train", project, "--features", "tfidf", "--accept-membership-risk")
        steps["evaluate_tfidf"] = run(*evaluate, "--workers", str(args.workers))
    accept = ("--accept-membership-risk",) if args.accept_membership_risk else ()
    steps["train_e5"] = run("train", project, *accept)
    steps["evaluate_e5"] = run(*evaluate, "--workers", str(args.workers))
    steps["retrain_e5_cached"] = run("train", project, *accept)
    package = workdir / "model.zip"
    steps["export"] = run("model", "export", project, str(package))
    test_rows = read_rows(data / "test.csv")
    incoming = workdir / "test.jsonl"
    incoming.write_text(
        "".join(json.dumps({"id": str(i), "text": r["text"]}) + "\n" for i, r in enumerate(test_rows)),
        encoding="utf-8",
    )
    labelled = workdir / "classified.jsonl"
    steps["classify"] = run("classify", str(package), str(incoming), str(labelled))
    if steps["classify"].get("exit") == 0:
        lines = labelled.read_text(encoding="utf-8").splitlines()
        predicted = [json.loads(line).get("label") for line in lines]
        correct = sum(p == r["category"] for p, r in zip(predicted, test_rows, strict=True))
        steps["classify"]["test_accuracy"] = round(correct / len(test_rows), 4)
        print(json.dumps({"step": "classify-accuracy", "accuracy": steps["classify"]["test_accuracy"]}))
    out = ROOT / "bench" / "triage" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(steps, indent=2, sort_keys=True) + "\n")
    return 0 if all(s.get("exit") in (0, 1) for s in steps.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
