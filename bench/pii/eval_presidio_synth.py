"""Evaluate on the public presidio-research synthetic set (../shared/data/presidio-synth), ours vs plain
Presidio, with entity names mapped onto Scrubdesk's vocabulary.

    python bench/pii/eval_presidio_synth.py [--data PATH] [--out FILE.json]

Mapping (gold -> ours): PERSON->PERSON, STREET_ADDRESS->STREET_ADDRESS, GPE->LOCATION,
PHONE_NUMBER->PHONE_NUMBER, EMAIL_ADDRESS->EMAIL_ADDRESS, CREDIT_CARD->CREDIT_CARD, IBAN_CODE->IBAN_CODE,
IP_ADDRESS->IP_ADDRESS, ZIP_CODE->UK_POSTCODE. Not scored (no counterpart, or not personal data on its
own): ORGANIZATION, DATE_TIME, TITLE, AGE, NRP, DOMAIN_NAME, US_SSN, US_DRIVER_LICENSE.
Predictions of labels outside the mapped set are ignored. Matching is by overlap (see evaluation.py);
a gold STREET_ADDRESS counts as found by a STREET_ADDRESS prediction overlapping it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from scrubdesk.core.spans import Span
from scrubdesk.models.pii.analyzer import AnalysisInput
from scrubdesk.models.pii.baseline import presidio_spans
from scrubdesk.models.pii.engine import build_presidio_default, get_analyzer
from scrubdesk.models.pii.evaluation import evaluate

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "presidio-synth" / "synth_dataset_v2.json"
GOLD_MAP = {
    "PERSON": "PERSON",
    "STREET_ADDRESS": "STREET_ADDRESS",
    "GPE": "LOCATION",
    "PHONE_NUMBER": "PHONE_NUMBER",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN_CODE",
    "IP_ADDRESS": "IP_ADDRESS",
    "ZIP_CODE": "UK_POSTCODE",
}
IDENTIFYING = (
    "PERSON",
    "STREET_ADDRESS",
    "PHONE_NUMBER",
    "EMAIL_ADDRESS",
    "CREDIT_CARD",
    "IBAN_CODE",
    "IP_ADDRESS",
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if not args.data.is_file():
        print(f"skipped: {args.data} not found (see ../shared/data/README.md)")
        sys.exit(0)
    records = json.loads(args.data.read_text(encoding="utf-8"))
    texts = [r["full_text"] for r in records]
    gold = [
        [
            Span(s["start_position"], s["end_position"], GOLD_MAP[s["entity_type"]])
            for s in r["spans"]
            if s["entity_type"] in GOLD_MAP
        ]
        for r in records
    ]
    labels = set(GOLD_MAP.values())
    analyzer = get_analyzer()
    started = time.perf_counter()
    ours = list(analyzer.analyze_many(AnalysisInput(t) for t in texts))
    ours_s = time.perf_counter() - started
    presidio = build_presidio_default()
    started = time.perf_counter()
    theirs = list(presidio_spans(presidio, texts))
    theirs_s = time.perf_counter() - started
    out = {}
    for name, preds, secs in (("ours", ours, ours_s), ("presidio_default", theirs, theirs_s)):
        ev = evaluate(gold, preds, labels)
        ident = ev.subset(IDENTIFYING)
        out[name] = {
            **ev.summary(),
            "identifying": {
                "precision": round(ident.precision, 4),
                "recall": round(ident.recall, 4),
                "f2": round(ident.f2, 4),
            },
            "texts_per_s": round(len(texts) / secs, 1),
        }
        print(name, json.dumps({k: v for k, v in out[name].items() if k != "per_entity"}))
        for label, s in sorted(out[name]["per_entity"].items()):
            print(
                f"   {label:16} P={s['precision']:.3f} R={s['recall']:.3f} F2={s['f2']:.3f} n={s['support']}"
            )
    if args.out:
        args.out.write_text(json.dumps(out, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
