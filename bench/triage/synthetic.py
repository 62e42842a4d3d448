"""Synthetic emails with PII through the real CLI: the privacy figures of issue 6 on one fixed data set.

    python bench/triage/synthetic.py [--n 400] [--seed 3] [--workdir DIR]

Writes ``generate(N, seed)`` as CSV (text, category, subject, from, id), then init -> import -> analyze
(the real PII engine) -> review approve-all -> train, three times on the same project and the same
cross-validation folds (seed 0): the default (``--latent auto``), the sparse model (``--latent off``,
the first release's feature space) and the default again with ``--cost-report`` (raw vs scrubbed vs DP
accuracy, out-of-fold over all messages). Prints one JSON line per step and writes them all to
bench/triage/out/synthetic-N.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from banking77 import ROOT, run


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=400)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out" / "synthetic-triage")
    args = parser.parse_args()
    from scrubdesk.core.synthetic import generate, write_csv

    os.environ.setdefault("SCRUBDESK_KEYRING", "file")
    os.environ.setdefault("SCRUBDESK_PASSPHRASE", "bench-not-secret")
    os.environ.setdefault("SCRUBDESK_KEYRING_FILE", str(args.workdir / "keyring.cfg"))
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    shutil.rmtree(args.workdir, ignore_errors=True)
    args.workdir.mkdir(parents=True)
    data = args.workdir / f"synthetic-{args.n}.csv"
    write_csv(data, generate(args.n, seed=args.seed))
    project = str(args.workdir / "project")
    steps = {
        "init": run("init", project),
        "import": run(
            "import",
            project,
            str(data),
            "--text-column",
            "text",
            "--label-column",
            "category",
            "--subject-column",
            "subject",
            "--from-column",
            "from",
            "--id-column",
            "id",
        ),
        "analyze": run("analyze", project),
        "approve": run("review", "approve-all", project),
        "train_default": run("train", project),
        "train_sparse": run("train", project, "--latent", "off"),
        "train_cost_report": run("train", project, "--cost-report"),
    }
    out = ROOT / "bench" / "triage" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"synthetic-{args.n}.json").write_text(json.dumps(steps, indent=2, sort_keys=True) + "\n")
    return 0 if all(s.get("exit") == 0 for s in steps.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
