"""Release-2 research: features x classifier heads, accuracy and membership inference, one command each.

    python bench/triage/research.py --set banking77 --variant e5-lr --C 2 [--per-class 10] [--no-mia]

Variants: tfidf-svm (release 1: word 1-2 + char_wb 2-5, k=5 messages, LinearSVC C=0.5), e5-lr,
e5s-lr (standardised first), e5-svm, e5-ridge, e5-rbf (Nystroem + LR), e5-mlp, wl-lr (WordLlama 256),
e5wl-lr (both, concatenated), e5qp-lr (query + passage views), fuse-svm / fuse-lr (TF-IDF + e5, the e5
block weighted by --e5-weight). Needs the e5 embeddings from ``embed_sets.py`` (bench/out/triage-embeddings).

Accuracy: fit on the whole train split, score the test split (raw public text; the product trains on
scrubbed text, measured through the CLI in banking77.py). Membership inference: the product's audit (worst
of loss, confidence and margin attacks, two-sided, mean over 5 stratified folds; logits =
decision / T with T fitted out-of-fold), the same code `scrubdesk train` runs.
--per-class N: a fixed random N per class (seed), test split unchanged, mean over --seeds draws.
Appends one JSON line per run to bench/out/triage-research.jsonl and prints it.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from scrubdesk.models.privacy.membership import membership_audit  # noqa: E402
from scrubdesk.models.triage.classifier import fit_temperature  # noqa: E402
from scrubdesk.models.triage.features import TokenCounts  # noqa: E402
from scrubdesk.models.triage.settings import TriageSettings  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
EMB = ROOT / "bench" / "out" / "triage-embeddings"
LOG = ROOT / "bench" / "out" / "triage-research.jsonl"


def read_csv(path: Path) -> tuple[list[str], np.ndarray]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [r["text"] for r in rows], np.array([r["category"] for r in rows], dtype=object)


def wordllama_vectors(texts: list[str]) -> np.ndarray:
    import wordllama
    from wordllama import WordLlama

    wl = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    v = np.asarray(wl.embed(texts), dtype=np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)


class Features:
    """Feature matrices for any train/other row split of train+test texts (TF-IDF chosen per train part)."""

    def __init__(
        self, variant: str, texts: list[str], dense: np.ndarray | None, e5_weight: float, k: int = 5
    ) -> None:
        self.variant = variant
        wants = "fuse" in variant or "tfidf" in variant
        self.counts = TokenCounts(texts, TriageSettings(k=k), set()) if wants else None
        self.dense = dense
        self.e5_weight = e5_weight

    def split(self, train: np.ndarray, other: np.ndarray):
        if self.counts is None:
            return self.dense[train], self.dense[other]
        a, b = self.counts.tfidf(train, other)
        if self.dense is None:
            return a, b
        w = self.e5_weight
        return (
            sp.hstack([a, sp.csr_matrix(self.dense[train] * w)], format="csr"),
            sp.hstack([b, sp.csr_matrix(self.dense[other] * w)], format="csr"),
        )


def head(variant: str, c: float, seed: int):
    if variant.endswith("-mlp"):
        from sklearn.neural_network import MLPClassifier

        return MLPClassifier((512,), alpha=1.0 / c, max_iter=200, early_stopping=True, random_state=seed)
    if variant.endswith("-rbf"):
        from sklearn.kernel_approximation import Nystroem
        from sklearn.pipeline import make_pipeline

        return make_pipeline(
            Nystroem(gamma=1.0, n_components=2000, random_state=seed), LogisticRegression(C=c, max_iter=2000)
        )
    if variant.endswith("-ridge"):
        from sklearn.linear_model import RidgeClassifier

        return RidgeClassifier(alpha=1.0 / c)
    if variant.startswith("e5s-"):  # standardised dimensions: better conditioned, fewer solver iterations
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=3000))
    if variant.endswith("-lr"):
        return LogisticRegression(C=c, max_iter=2000)
    return LinearSVC(C=c, class_weight="balanced", random_state=seed)


def logits(model, x) -> np.ndarray:
    if hasattr(model, "decision_function"):
        return model.decision_function(x)
    return np.log(np.clip(model.predict_proba(x), 1e-300, 1.0))


def mia(features: Features, rows: np.ndarray, y: np.ndarray, variant: str, c: float, *, folds: int):
    classes = np.array(sorted(set(y.tolist())), dtype=object)
    oof = np.zeros((len(rows), len(classes)))
    parts = []
    cv = StratifiedKFold(folds, shuffle=True, random_state=0)
    for tr, te in cv.split(np.zeros(len(rows)), y):
        xa, xb = features.split(rows[tr], rows[te])
        model = head(variant, c, 0).fit(xa, y[tr])
        oof[te] = logits(model, xb)
        parts.append((tr, te, logits(model, xa)))
    t = fit_temperature(oof, y, classes)
    splits = [(z / t, y[tr], oof[te] / t, y[te]) for tr, te, z in parts]
    audit = membership_audit(splits, classes)
    cv_acc = float(np.mean(classes[oof.argmax(1)] == y))
    return audit, cv_acc, t


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--set", default="banking77")
    p.add_argument("--variant", default="e5-lr")
    p.add_argument("--C", type=float, default=1.0)
    p.add_argument("--e5-weight", type=float, default=1.0)
    p.add_argument("--k", type=int, default=5, help="TF-IDF: a term needs k distinct training messages")
    p.add_argument("--per-class", type=int)
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--no-mia", action="store_true")
    a = p.parse_args()
    if not (DATA / a.set / "train.csv").is_file():
        print(f"skipped: {DATA / a.set} not found")
        return 0
    started = time.perf_counter()
    tr_texts, y_tr = read_csv(DATA / a.set / "train.csv")
    te_texts, y_te = read_csv(DATA / a.set / "test.csv")
    texts = tr_texts + te_texts
    n_tr = len(tr_texts)
    dense = None
    if a.variant.startswith(("e5", "fuse")):
        dense = np.vstack([np.load(EMB / f"{a.set}-train.npy"), np.load(EMB / f"{a.set}-test.npy")])
    if a.variant.startswith("e5qp"):  # both e5 prefixes: query and passage views side by side
        passage = [np.load(EMB / f"{a.set}-{s}-passage.npy") for s in ("train", "test")]
        dense = np.hstack([dense, np.vstack(passage)]) / np.sqrt(2)
    if a.variant.startswith(("wl", "e5wl")):
        wl = wordllama_vectors(texts)
        dense = wl if dense is None else np.hstack([dense, wl])
    features = Features(a.variant, texts, dense, a.e5_weight, a.k)
    test_rows = np.arange(n_tr, len(texts))
    result = {
        "set": a.set,
        "variant": a.variant,
        "C": a.C,
        "e5_weight": a.e5_weight if "fuse" in a.variant else None,
        "k": a.k if "fuse" in a.variant or "tfidf" in a.variant else None,
    }
    if a.per_class:
        accs = []
        for seed in range(a.seeds):
            rng = np.random.default_rng(seed)
            rows = np.concatenate(
                [
                    rng.choice(np.flatnonzero(y_tr == c), a.per_class, replace=False)
                    for c in sorted(set(y_tr.tolist()))
                ]
            )
            xa, xb = features.split(rows, test_rows)
            accs.append(float(np.mean(head(a.variant, a.C, seed).fit(xa, y_tr[rows]).predict(xb) == y_te)))
        result |= {
            "per_class": a.per_class,
            "test_accuracy": round(float(np.mean(accs)), 4),
            "draws": [round(x, 4) for x in accs],
        }
    else:
        rows = np.arange(n_tr)
        t0 = time.perf_counter()
        xa, xb = features.split(rows, test_rows)
        model = head(a.variant, a.C, 0).fit(xa, y_tr)
        result["fit_seconds"] = round(time.perf_counter() - t0, 2)
        result["test_accuracy"] = round(float(np.mean(model.predict(xb) == y_te)), 4)
        if not a.no_mia:
            audit, cv_acc, t = mia(features, rows, y_tr, a.variant, a.C, folds=a.folds)
            result |= {
                "cv_accuracy": round(cv_acc, 4),
                "mia_auc": round(audit.auc, 4),
                "mia_per_attack": {k: round(v, 4) for k, v in audit.per_attack.items()},
                "temperature": round(t, 4),
            }
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["load"] = round(os.getloadavg()[0], 2)
    LOG.parent.mkdir(parents=True, exist_ok=True)
    with LOG.open("a") as fh:
        fh.write(json.dumps(result) + "\n")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
