"""Accuracy versus epsilon of the DP classifier on BANKING77 (train.csv -> test.csv), as a table.

    python bench/triage/dp_curve.py [--project DIR] [--keyring FILE] [--draws 3]

Uses the analysed, approved BANKING77 bench project of banking77.py (scrubbed training text) and the
raw test.csv text. The exact weights are fitted once; each epsilon gets ``--draws`` fresh noise draws
(mean and range printed). delta = 1/n^2. The non-private model of the same features is the reference.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "banking77"
EPSILONS = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--project", type=Path, default=ROOT / "bench" / "out" / "banking77" / "project")
    parser.add_argument("--keyring", type=Path, default=ROOT / "bench" / "out" / "banking77-keyring.cfg")
    parser.add_argument("--draws", type=int, default=3)
    parser.add_argument("--lam", type=float, nargs="+", default=[0.1])
    args = parser.parse_args()
    os.environ.setdefault("SCRUBDESK_KEYRING", "file")
    os.environ.setdefault("SCRUBDESK_PASSPHRASE", "bench-not-secret")
    os.environ.setdefault("SCRUBDESK_KEYRING_FILE", str(args.keyring))
    from scrubdesk.core.project import Project
    from scrubdesk.core.scrubbing import pii_strings, training_messages
    from scrubdesk.models.privacy.dp import DPLogisticRegression, default_delta, exact_weights
    from scrubdesk.models.triage.features import TokenCounts
    from scrubdesk.models.triage.settings import TriageSettings
    from scrubdesk.models.triage.train import make_classifier, plan_for

    project = Project.open(args.project)
    with project.store() as store:
        messages = list(training_messages(project, store))
        pii = pii_strings(project, store)
    with (DATA / "test.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    texts = [m.text for m in messages] + [r["text"] for r in rows]
    labels = np.array([m.label for m in messages] + [r["category"] for r in rows], dtype=object)
    train, test = np.arange(len(messages)), np.arange(len(messages), len(texts))
    settings = TriageSettings()
    counts = TokenCounts(texts, settings, pii)
    x_train, x_test = counts.tfidf(train, test)
    y_train, y_test = labels[train], labels[test]
    reference = make_classifier(plan_for(settings, y_train), x_train.shape[1]).fit(x_train, y_train)
    result = {"n_train": len(train), "n_test": len(test), "delta": default_delta(len(train))}
    result["non_private_accuracy"] = round(float(np.mean(reference.predict(x_test) == y_test)), 4)
    print(json.dumps(result), flush=True)
    classes = np.unique(y_train)
    for lam in args.lam:
        exact = exact_weights(x_train, y_train, lam)
        no_noise = DPLogisticRegression(epsilon=1.0, lam=lam).release(exact, classes, len(train))
        no_noise.coef_ = exact
        row = {"lam": lam, "exact_lr_accuracy": round(float(np.mean(no_noise.predict(x_test) == y_test)), 4)}
        for eps in EPSILONS:
            accuracies = [
                float(
                    np.mean(
                        DPLogisticRegression(epsilon=eps, lam=lam)
                        .release(exact, classes, len(train))
                        .predict(x_test)
                        == y_test
                    )
                )
                for _ in range(args.draws)
            ]
            row[f"eps_{eps}"] = [
                round(float(np.mean(accuracies)), 4),
                round(min(accuracies), 4),
                round(max(accuracies), 4),
            ]
        print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
