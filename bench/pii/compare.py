"""Every PII evaluation set side by side, ours vs plain Presidio: per-type precision and recall (span
overlap), leak rate and speed. One command:

    python bench/pii/compare.py [--sets synthetic,presidio-dev,presidio-test,enron,wnut] [--n 1000]
                                [--only-ours] [--out FILE.json] [--json]

Sets:
  synthetic      the hard synthetic gold set, ``generate(N, seed=4, hard=True)`` (bench/pii/make_gold.py),
                 with headers and the synthetic client's allow-list (bench/pii/northwind.yaml)
  presidio-dev   presidio-research synthetic sentences, even templates (tuning allowed)
  presidio-test  ... odd templates (held out: scored, misses never read)
  enron          real e-mail threads with headers and quoted replies (../shared/data/realtext), the
                 real e-mail dev set
  wnut           WNUT-17 dev: noisy social-media posts, lower case and misspelt names

Real sets score PERSON, EMAIL_ADDRESS and LOCATION; our STREET_ADDRESS and UK_POSTCODE count as
LOCATION there, and ``_unscored_*`` spans (organisations, nominal mentions, digits) are neither gold nor
false positives. Leak rate: the share of gold values still present verbatim (whole words, case-sensitive)
in the placeholder-scrubbed text. Speed here is each engine's own run over the set, one after the other
(docs/s); the interleaved speed comparison is bench/pii/speed.py. The last line of output is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval_presidio_synth import GOLD_MAP
from eval_presidio_synth import load as load_presidio_synth

from scrubdesk.core.redaction import Keyer, RedactionPolicy, Redactor
from scrubdesk.core.spans import Span
from scrubdesk.core.synthetic import generate
from scrubdesk.models.pii.analyzer import AnalysisInput, PiiAnalyzer
from scrubdesk.models.pii.baseline import presidio_spans
from scrubdesk.models.pii.engine import build_presidio_default, get_analyzer
from scrubdesk.models.pii.entities import DIRECT_IDENTIFIERS, LABELS
from scrubdesk.models.pii.evaluation import (
    GoldDoc,
    evaluate,
    leaks_by_label,
    map_labels,
    read_gold_jsonl,
)

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[2] / "shared" / "data"
REALTEXT = SHARED / "realtext"
SETS = ("synthetic", "presidio-dev", "presidio-test", "enron", "wnut")
REAL_LABELS = ("PERSON", "EMAIL_ADDRESS", "LOCATION")
REAL_MAP = {"STREET_ADDRESS": "LOCATION", "UK_POSTCODE": "LOCATION"}


@dataclass
class EvalSet:
    name: str
    docs: list[GoldDoc]
    labels: tuple[str, ...]
    prediction_map: dict[str, str]
    config: Path | None = None  # recogniser configuration (None: the packaged default)
    key_labels: tuple[str, ...] = ()  # reported as one group ('direct identifiers')


def load_set(name: str, n_synthetic: int) -> EvalSet | None:
    if name == "synthetic":
        emails = generate(n_synthetic, seed=4, hard=True)
        docs = [
            GoldDoc(e.body, tuple(Span(s.start, s.end, s.label) for s in e.spans), e.headers())
            for e in emails
        ]
        return EvalSet(name, docs, tuple(LABELS), {}, HERE / "northwind.yaml", tuple(DIRECT_IDENTIFIERS))
    if name.startswith("presidio-"):
        path = SHARED / "presidio-synth" / "synth_dataset_v2.json"
        if not path.is_file():
            return None
        texts, gold = load_presidio_synth(path, name.removeprefix("presidio-"))
        docs = [GoldDoc(t, tuple(g)) for t, g in zip(texts, gold, strict=True)]
        identifying = (
            "PERSON",
            "STREET_ADDRESS",
            "PHONE_NUMBER",
            "EMAIL_ADDRESS",
            "CREDIT_CARD",
            "IBAN_CODE",
        )
        return EvalSet(
            name, docs, tuple(sorted(set(GOLD_MAP.values()))), {}, None, (*identifying, "IP_ADDRESS")
        )
    files = {"enron": "enron-train.jsonl", "wnut": "wnut17-dev.jsonl"}
    path = REALTEXT / files[name]
    if not path.is_file():
        return None
    return EvalSet(name, read_gold_jsonl(path), REAL_LABELS, REAL_MAP)


def run_engine(
    evalset: EvalSet, predict: Callable[[list[GoldDoc]], list[list[Span]]], redactor: Redactor
) -> dict[str, Any]:
    started = time.perf_counter()
    raw = predict(evalset.docs)
    seconds = time.perf_counter() - started
    preds = [map_labels(p, evalset.prediction_map) for p in raw]
    gold = [d.spans for d in evalset.docs]
    result = evaluate(gold, preds, evalset.labels, [d.ignored for d in evalset.docs])
    scrubbed = [redactor.redact(d.text, p) for d, p in zip(evalset.docs, raw, strict=True)]
    by_label = leaks_by_label(evalset.docs, scrubbed)
    leaked, total = sum(a for a, _ in by_label.values()), sum(b for _, b in by_label.values())
    per_type = {
        label: {
            **score.as_dict(),
            "leak": round(by_label[label][0] / by_label[label][1], 4)
            if by_label.get(label, (0, 0))[1]
            else None,
        }
        for label, score in sorted(result.per_entity.items())
    }
    out: dict[str, Any] = {
        "precision": round(result.overall.precision, 4),
        "recall": round(result.overall.recall, 4),
        "f2": round(result.overall.f2, 4),
        "leak": round(leaked / total, 4) if total else None,
        "leaked": leaked,
        "gold_values": total,
        "docs_per_s": round(len(evalset.docs) / seconds, 1),
        "per_type": per_type,
    }
    if evalset.key_labels:
        key = result.subset(evalset.key_labels)
        out["key_types"] = {"precision": round(key.precision, 4), "recall": round(key.recall, 4)}
    return out


def ours(analyzer: PiiAnalyzer) -> Callable[[list[GoldDoc]], list[list[Span]]]:
    return lambda docs: list(analyzer.analyze_many([AnalysisInput(d.text, d.headers) for d in docs]))


def plain_presidio(engine: Any) -> Callable[[list[GoldDoc]], list[list[Span]]]:
    return lambda docs: list(presidio_spans(engine, [d.text for d in docs]))


def print_table(name: str, row: dict[str, Any]) -> None:
    engines = [e for e in ("ours", "presidio") if e in row]
    print(f"\n## {name}: {row['texts']} texts")
    head = " | ".join(f"{e} P | {e} R | {e} leak" for e in engines)
    print(f"| type | support | {head} |")
    print("|---|---:|" + "---:|" * (3 * len(engines)))
    labels = sorted({label for e in engines for label in row[e]["per_type"]})
    for label in labels:
        cells = []
        for e in engines:
            s = row[e]["per_type"].get(label)
            leak = s.get("leak") if s else None
            cells += (
                [f"{s['precision']:.3f}", f"{s['recall']:.3f}", "" if leak is None else f"{leak:.1%}"]
                if s
                else ["", "", ""]
            )
        support = next(
            (row[e]["per_type"][label]["support"] for e in engines if label in row[e]["per_type"]), 0
        )
        print(f"| {label} | {support} | " + " | ".join(cells) + " |")
    cells = []
    for e in engines:
        r = row[e]
        cells += [f"**{r['precision']:.3f}**", f"**{r['recall']:.3f}**", f"**{r['leak']:.1%}**"]
    print(
        f"| all | {sum(row[engines[0]]['per_type'][lb]['support'] for lb in labels)} | "
        + " | ".join(cells)
        + " |"
    )
    for e in engines:
        extra = (
            f", key types P {row[e]['key_types']['precision']:.3f} R {row[e]['key_types']['recall']:.3f}"
            if "key_types" in row[e]
            else ""
        )
        print(f"{e}: {row[e]['docs_per_s']} docs/s{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, from {', '.join(SETS)}")
    parser.add_argument("--n", type=int, default=1000, help="synthetic gold set size")
    parser.add_argument("--only-ours", action="store_true", help="skip plain Presidio")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    parser.add_argument("--json", action="store_true", help="accepted for uniformity: the last line is JSON")
    args = parser.parse_args()
    names = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = sorted(set(names) - set(SETS))
    if unknown:
        parser.error(f"unknown set(s): {', '.join(unknown)}")
    redactor = Redactor(RedactionPolicy(), Keyer(os.urandom(32)))
    presidio = None if args.only_ours else build_presidio_default()
    results: dict[str, Any] = {}
    for name in names:
        evalset = load_set(name, args.n)
        if evalset is None:
            print(f"skipped {name}: data not found under {SHARED}", file=sys.stderr)
            continue
        analyzer = get_analyzer(evalset.config)
        analyzer.nlp_engine.cache.clear()
        row: dict[str, Any] = {"texts": len(evalset.docs), "analyzer": analyzer.version}
        row["ours"] = run_engine(evalset, ours(analyzer), redactor)
        if presidio is not None:
            row["presidio"] = run_engine(evalset, plain_presidio(presidio), redactor)
        results[name] = row
        print_table(name, row)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2, sort_keys=True), encoding="utf-8")
    summary = {
        name: {
            engine: {k: row[engine][k] for k in ("precision", "recall", "leak", "docs_per_s")}
            for engine in ("ours", "presidio")
            if engine in row
        }
        for name, row in results.items()
    }
    print(json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    main()
