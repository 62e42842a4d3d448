"""Old versus new training settings side by side on one project (the BANKING77 bench project by default).

    python bench/triage/compare_training.py [--project DIR] [--keyring FILE] [--rounds 1]

Other work on the machine changes absolute seconds, so both variants run in the same process,
alternately, and the load average is printed beside every figure. "old" is the pipeline of the first
triage release (5-fold CV, each fold and the final model a CalibratedClassifierCV of three LinearSVC fits,
sigmoid calibration); "new" is the current default (5-fold CV, one LinearSVC per fold and for the final
model, softmax temperature fitted on the out-of-fold decision values). Both use the same tokenisation,
vocabulary rule and scan. Test accuracy is measured on the raw test.csv text (no PII analysis: the
relative figure is what counts here; the acceptance figure comes from banking77.py through the CLI).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import time
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data" / "banking77"


def load() -> str:
    return Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"


def old_classifier(labels: np.ndarray) -> CalibratedClassifierCV:
    smallest = min(Counter(labels.tolist()).values())
    svm = LinearSVC(C=0.5, class_weight="balanced", random_state=0)
    return CalibratedClassifierCV(svm, cv=min(3, smallest), method="sigmoid")


def run_old(texts, labels, counts, settings):
    from scrubdesk.models.triage.features import build_features

    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    predicted = np.empty(len(labels), dtype=object)
    for train, test in folds.split(np.zeros(len(labels)), labels):
        x_train, x_test = counts.tfidf(train, test)
        predicted[test] = old_classifier(labels[train]).fit(x_train, labels[train]).predict(x_test)
    vocabulary = counts.vocabulary(np.arange(len(labels)))
    model = Pipeline(
        [("features", build_features(vocabulary, settings)), ("classifier", old_classifier(labels))]
    ).fit(texts, labels)
    return float(np.mean(predicted == labels)), model


def run_new(texts, labels, counts, settings):
    from scrubdesk.models.triage.train import cross_validate, fit_final, plan_for

    cv = cross_validate(counts, labels, plan_for(settings, labels))
    model = fit_final(texts, labels, counts.vocabulary(np.arange(len(labels))), cv.plan)
    return cv.metrics.accuracy, model


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--project", type=Path, default=ROOT / "bench" / "out" / "banking77" / "project")
    parser.add_argument("--keyring", type=Path, default=ROOT / "bench" / "out" / "banking77-keyring.cfg")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("SCRUBDESK_KEYRING", "file")
    os.environ.setdefault("SCRUBDESK_PASSPHRASE", "bench-not-secret")
    os.environ.setdefault("SCRUBDESK_KEYRING_FILE", str(args.keyring))
    from scrubdesk.core.project import Project
    from scrubdesk.core.scrubbing import pii_strings, training_messages
    from scrubdesk.models.privacy.vocabulary_scan import scan_object
    from scrubdesk.models.triage.features import TokenCounts
    from scrubdesk.models.triage.settings import TriageSettings

    project = Project.open(args.project)
    with project.store() as store:
        messages = list(training_messages(project, store))
        pii = pii_strings(project, store)
    texts = [m.text for m in messages]
    labels = np.array([m.label for m in messages], dtype=object)
    with (DATA / "test.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    test_texts = [r["text"] for r in rows]
    test_labels = np.array([r["category"] for r in rows], dtype=object)
    settings = TriageSettings()
    results = []
    for round_ in range(args.rounds):
        for name, run in (("old", run_old), ("new", run_new)):
            load_before = load()
            started = time.perf_counter()
            counts = TokenCounts(texts, settings, pii)
            cv_accuracy, model = run(texts, labels, counts, settings)
            findings = len(scan_object(model, pii).findings)
            seconds = time.perf_counter() - started
            test_accuracy = float(np.mean(model.predict(test_texts) == test_labels))
            result = {
                "round": round_,
                "variant": name,
                "seconds": round(seconds, 1),
                "cv_accuracy": round(cv_accuracy, 4),
                "test_accuracy_raw_text": round(test_accuracy, 4),
                "scan_findings": findings,
                "load_before": load_before,
                "load_after": load(),
            }
            results.append(result)
            print(json.dumps(result), flush=True)
    out = ROOT / "bench" / "triage" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "compare_training.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
