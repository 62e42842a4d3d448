"""Evaluate on the public presidio-research synthetic set (../shared/data/presidio-synth), ours vs plain
Presidio, with entity names mapped onto Scrubdesk's vocabulary.

    python bench/pii/eval_presidio_synth.py [--half dev|test|all] [--only-ours] [--out FILE.json]

Halves: the 1,500 sentences come from 209 templates; ``dev`` holds the sentences of even template ids
(tuning allowed: its misses were read while improving the recognisers), ``test`` those of odd ids (held
out: scored only, never inspected). Splitting by template keeps a template's wording out of the other
half.

Mapping (gold -> ours): PERSON->PERSON, STREET_ADDRESS->STREET_ADDRESS, GPE->LOCATION,
PHONE_NUMBER->PHONE_NUMBER, EMAIL_ADDRESS->EMAIL_ADDRESS, CREDIT_CARD->CREDIT_CARD, IBAN_CODE->IBAN_CODE,
IP_ADDRESS->IP_ADDRESS, ZIP_CODE->UK_POSTCODE. Not scored (no counterpart, or not personal data on its
own): ORGANIZATION, DATE_TIME, TITLE, AGE, NRP, DOMAIN_NAME, US_SSN, US_DRIVER_LICENSE.
Predictions of labels outside the mapped set are ignored. Two matching rules (models/pii/evaluation.py):
span overlap (a gold span is found by an overlapping prediction of its label) and token level
(presidio-research's token evaluator: every word token of a gold span is one item).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from scrubdesk.core.spans import Span
from scrubdesk.models.pii.analyzer import AnalysisInput
from scrubdesk.models.pii.baseline import presidio_spans
from scrubdesk.models.pii.engine import build_presidio_default, get_analyzer
from scrubdesk.models.pii.evaluation import EvalResult, evaluate, evaluate_tokens

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


def load(path: Path, half: str) -> tuple[list[str], list[list[Span]]]:
    records = json.loads(path.read_text(encoding="utf-8"))
    if half != "all":
        records = [r for r in records if (int(r["template_id"]) % 2 == 0) == (half == "dev")]
    texts = [r["full_text"] for r in records]
    gold = [
        [
            Span(s["start_position"], s["end_position"], GOLD_MAP[s["entity_type"]])
            for s in r["spans"]
            if s["entity_type"] in GOLD_MAP
        ]
        for r in records
    ]
    return texts, gold


def scores(result: EvalResult) -> dict[str, Any]:
    ident = result.subset(IDENTIFYING)
    return {
        **result.summary(),
        "identifying": {
            "precision": round(ident.precision, 4),
            "recall": round(ident.recall, 4),
            "f2": round(ident.f2, 4),
            "support": ident.support,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--half", choices=("dev", "test", "all"), default="all")
    parser.add_argument("--only-ours", action="store_true", help="skip plain Presidio")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if not args.data.is_file():
        print(f"skipped: {args.data} not found (see ../shared/data/README.md)")
        sys.exit(0)
    texts, gold = load(args.data, args.half)
    labels = set(GOLD_MAP.values())
    engines: list[tuple[str, Any]] = [
        ("ours", lambda: get_analyzer().analyze_many(AnalysisInput(t) for t in texts))
    ]
    if not args.only_ours:
        engines.append(("presidio_default", lambda: presidio_spans(build_presidio_default(), texts)))
    out: dict[str, Any] = {"half": args.half, "texts": len(texts)}
    for name, run in engines:
        started = time.perf_counter()
        preds = list(run())
        seconds = time.perf_counter() - started
        out[name] = {
            "span_overlap": scores(evaluate(gold, preds, labels)),
            "token": scores(evaluate_tokens(texts, gold, preds, labels)),
            "texts_per_s": round(len(texts) / seconds, 1),
        }
        for rule in ("span_overlap", "token"):
            result = out[name][rule]
            print(f"{name} [{args.half}, {rule}] identifying: {json.dumps(result['identifying'])}")
            for label, s in sorted(result["per_entity"].items()):
                print(
                    f"   {label:16} P={s['precision']:.3f} R={s['recall']:.3f} F2={s['f2']:.3f} "
                    f"n={s['support']}"
                )
    if args.out:
        args.out.write_text(json.dumps(out, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
