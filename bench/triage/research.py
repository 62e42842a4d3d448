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
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis  # noqa: E402
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


class Centred:
    """Release 2's e5 head as trained now: LR on centred vectors, the centring folded into the intercept.
    ``renorm``: centre, then L2-normalise again (the map is kept and applied to every input);
    ``shrink``: whiten by (cov + shrink * mean eigenvalue)^-1/2 after centring (a kept linear map);
    ``noise``: train on x + N(0, noise^2 / d) per dimension instead of x (same number of rows);
    ``dims``: keep only the top ``dims`` principal directions (after centring);
    ``lda_start``: start L-BFGS from the shrinkage-LDA solution of the same rows (then stop at tol);
    ``smooth``: label smoothing (soft targets), our own L-BFGS on the softmax loss with L2."""

    def __init__(
        self,
        c: float,
        *,
        renorm=False,
        shrink=None,
        noise=0.0,
        smooth=0.0,
        dims=None,
        lda_start=False,
        seed=0,
    ):
        self.c, self.renorm, self.shrink, self.noise, self.smooth, self.seed = (
            c,
            renorm,
            shrink,
            noise,
            smooth,
            seed,
        )
        self.dims = dims
        self.lda_start = lda_start

    def _map(self, x):
        z = np.asarray(x, dtype=np.float32) - self.mean_
        if self.renorm:
            z = z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-9)
        if self.shrink is not None or self.dims is not None:
            z = z @ self.white_
        return z

    def fit(self, x, y):
        x = np.asarray(x, dtype=np.float32)
        self.mean_ = x.mean(axis=0)
        if self.shrink is not None:
            z = x - self.mean_
            ev, vecs = np.linalg.eigh(np.cov(z.T.astype(np.float64)))
            ev = np.maximum(ev, 0)
            self.white_ = (vecs / np.sqrt(ev + self.shrink * ev.mean())) @ vecs.T
            self.white_ = self.white_.astype(np.float32) * np.float32(np.sqrt(ev.mean()))
        elif self.dims is not None:
            ev, vecs = np.linalg.eigh(np.cov((x - self.mean_).T.astype(np.float64)))
            self.white_ = vecs[:, -self.dims :].astype(np.float32)
        z = self._map(x)
        if self.noise:
            rng = np.random.default_rng(self.seed)
            z = z + rng.normal(scale=self.noise / np.sqrt(z.shape[1]), size=z.shape).astype(np.float32)
        if self.smooth:
            self.classes_, self.coef_, self.intercept_ = _smoothed_lr(z, y, self.c, self.smooth)
        else:
            lr = LogisticRegression(C=self.c, max_iter=3000, warm_start=self.lda_start)
            if self.lda_start:
                lda = LinearDiscriminantAnalysis(solver="lsqr", shrinkage=OPTIONS.get("lda_shrinkage"))
                lda.fit(z, y)
                lr.coef_, lr.intercept_ = lda.coef_.astype(np.float32), lda.intercept_.astype(np.float32)
            lr.fit(z, y)
            self.n_iter_ = int(lr.n_iter_[0])
            self.classes_, self.coef_, self.intercept_ = lr.classes_, lr.coef_, lr.intercept_
        return self

    def decision_function(self, x):
        return self._map(x) @ self.coef_.T + self.intercept_

    def predict(self, x):
        return self.classes_[np.argmax(self.decision_function(x), axis=1)]


def _smoothed_lr(z, y, c, eps):
    from scipy.optimize import minimize

    classes, yi = np.unique(y, return_inverse=True)
    n, d = z.shape
    k = len(classes)
    target = np.full((n, k), eps / k, dtype=np.float32)
    target[np.arange(n), yi] += 1 - eps
    lam = 1.0 / (c * n)

    def f(wb):
        w = wb[: d * k].reshape(k, d)
        logits_ = z @ w.T.astype(np.float32) + wb[d * k :].astype(np.float32)
        logits_ = logits_ - logits_.max(axis=1, keepdims=True)
        e = np.exp(logits_)
        tot = e.sum(axis=1, keepdims=True)
        loss = float((target * (np.log(tot) - logits_)).sum(dtype=np.float64)) / n
        g = (e / tot - target) / n
        grad_w = (g.T @ z).astype(np.float64) + lam * w
        return loss + 0.5 * lam * float((w**2).sum()), np.r_[grad_w.ravel(), g.sum(0).astype(np.float64)]

    r = minimize(f, np.zeros(d * k + k), jac=True, method="L-BFGS-B", options={"maxiter": 3000, "gtol": 1e-4})
    return classes, r.x[: d * k].reshape(k, d), r.x[d * k :]


OPTIONS: dict = {}


def head(variant: str, c: float, seed: int):
    if variant == "e5lda":  # shrinkage LDA: class means + shared covariance, closed form (C unused)
        return LinearDiscriminantAnalysis(solver="lsqr", shrinkage=OPTIONS.get("lda_shrinkage"))
    centred = ("e5c-", "e5cn-", "e5w-", "e5n-", "e5ls-", "e5p-", "e5ldastart-", "e5pass-", "e5cqp-")
    if variant.startswith(centred):
        return Centred(
            c,
            renorm=variant.startswith("e5cn-"),
            shrink=OPTIONS.get("shrink") if variant.startswith("e5w-") else None,
            noise=OPTIONS.get("noise", 0.0) if variant.startswith("e5n-") else 0.0,
            smooth=OPTIONS.get("smooth", 0.0) if variant.startswith("e5ls-") else 0.0,
            dims=OPTIONS.get("dims") if variant.startswith("e5p-") else None,
            lda_start=variant.startswith("e5ldastart-"),
            seed=seed,
        )
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
    p.add_argument("--shrink", type=float, default=0.1, help="e5w-lr: whitening shrinkage")
    p.add_argument("--noise", type=float, default=0.1, help="e5n-lr: input noise norm")
    p.add_argument("--smooth", type=float, default=0.1, help="e5ls-lr: label smoothing")
    p.add_argument("--dims", type=int, default=256, help="e5p-lr: principal directions kept")
    p.add_argument("--lda-shrinkage", default="auto", help="e5lda / e5ldastart-lr: auto or 0..1")
    a = p.parse_args()
    lda_shrinkage = a.lda_shrinkage if a.lda_shrinkage == "auto" else float(a.lda_shrinkage)
    OPTIONS.update(shrink=a.shrink, noise=a.noise, smooth=a.smooth, dims=a.dims, lda_shrinkage=lda_shrinkage)
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
    if a.variant.startswith("e5pass"):  # the passage view alone (e5's other prefix)
        dense = np.vstack([np.load(EMB / f"{a.set}-{s}-passage.npy") for s in ("train", "test")])
    if a.variant.startswith(("e5qp", "e5cqp")):  # both e5 prefixes: query and passage views side by side
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
        **({"shrink": a.shrink} if a.variant.startswith("e5w-") else {}),
        **({"noise": a.noise} if a.variant.startswith("e5n-") else {}),
        **({"smooth": a.smooth} if a.variant.startswith("e5ls-") else {}),
        **({"dims": a.dims} if a.variant.startswith("e5p-") else {}),
        **({"lda_shrinkage": lda_shrinkage} if "lda" in a.variant else {}),
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
        if hasattr(model, "n_iter_"):
            result["fit_iterations"] = int(np.max(model.n_iter_))
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
