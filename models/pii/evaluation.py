"""Evaluation of PII detection: per-entity precision, recall and F2, and the leak rate.

Two matching rules, both reported by the benchmarks:

- **span overlap** (:func:`evaluate`): a gold span is found when a predicted span of the same label
  overlaps it; a prediction is correct when it overlaps a gold span of its label. Lenient about
  boundaries ('Mr John Smith' vs 'John Smith', an address found as one span where the gold has three).
- **token level** (:func:`evaluate_tokens`), as presidio-research's token evaluator (IO scheme): every
  word token (a run of letters and digits) inside a gold span is one gold item of that span's label,
  every token inside a prediction is one predicted item; a token is a true positive when both carry the
  same label. Stricter: half an address found is half its tokens found, and an over-long prediction
  costs precision.

Predictions whose label is not in the gold vocabulary (e.g. URL) are not scored. F2 weighs recall four
times as much as precision: for a privacy tool a miss costs more than a false alarm.

Real-text gold sets mark some spans ``_unscored_*`` (organisations, nominal mentions, digits): they are
neither gold nor false positives. :func:`read_gold_jsonl` keeps them apart (``GoldDoc.ignored``) and
:func:`evaluate` does not count a prediction that overlaps one of them and no gold span of its label.
``prediction_map`` folds the engine's finer labels onto a set's coarser vocabulary (the real sets count a
street address or a postcode as LOCATION).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrubdesk.core.errors import InputError
from scrubdesk.core.spans import Span


@dataclass(frozen=True)
class GoldDoc:
    """One gold-set text with its spans. Holds (synthetic) personal data: never log it."""

    text: str
    spans: tuple[Span, ...]
    headers: Mapping[str, Any] | None = None
    ignored: tuple[Span, ...] = ()  # annotated, but neither gold nor a false positive

    def __repr__(self) -> str:
        return f"GoldDoc(chars={len(self.text)}, spans={len(self.spans)}, ignored={len(self.ignored)})"


@dataclass(frozen=True)
class EntityScore:
    support: int
    predicted: int
    found: int  # gold spans overlapped by a prediction of the same label
    correct: int  # predictions overlapping a gold span of the same label

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else (1.0 if not self.support else 0.0)

    @property
    def recall(self) -> float:
        return self.found / self.support if self.support else 1.0

    @property
    def f2(self) -> float:
        p, r = self.precision, self.recall
        return 5 * p * r / (4 * p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f2": round(self.f2, 4),
            "support": self.support,
        }


@dataclass(frozen=True)
class EvalResult:
    per_entity: dict[str, EntityScore]
    overall: EntityScore

    def subset(self, labels: Iterable[str]) -> EntityScore:
        chosen = [self.per_entity[label] for label in labels if label in self.per_entity]
        return EntityScore(
            *(sum(getattr(s, f) for s in chosen) for f in ("support", "predicted", "found", "correct"))
        )

    def summary(self) -> dict[str, Any]:
        """The eval-pii JSON shape: precision, recall, f2, per_entity."""
        return {
            "precision": round(self.overall.precision, 4),
            "recall": round(self.overall.recall, 4),
            "f2": round(self.overall.f2, 4),
            "per_entity": {label: s.as_dict() for label, s in sorted(self.per_entity.items())},
        }


UNSCORED_PREFIX = "_unscored"


def map_labels(spans: Iterable[Span], prediction_map: Mapping[str, str]) -> list[Span]:
    """Spans relabelled through ``prediction_map`` (labels not in it are kept as they are)."""
    return [
        Span(s.start, s.end, prediction_map[s.label], s.score, s.recognizer)
        if s.label in prediction_map
        else s
        for s in spans
    ]


def evaluate(
    gold: Sequence[Sequence[Span]],
    predicted: Sequence[Sequence[Span]],
    labels: Iterable[str],
    ignored: Sequence[Sequence[Span]] | None = None,
) -> EvalResult:
    """Span-overlap scores. ``ignored`` (per text): regions where a prediction that finds no gold span of
    its label is neither right nor wrong."""
    vocabulary = set(labels)
    counts: dict[str, Counter[str]] = {}
    ignored = ignored if ignored is not None else [()] * len(gold)
    for gold_spans, pred_spans, skip in zip(gold, predicted, ignored, strict=True):
        preds = [p for p in pred_spans if p.label in vocabulary]
        if skip:
            preds = [
                p
                for p in preds
                if not any(p.overlaps(i) for i in skip)
                or any(g.label == p.label and p.overlaps(g) for g in gold_spans)
            ]
        for g in gold_spans:
            c = counts.setdefault(g.label, Counter())
            c["support"] += 1
            c["found"] += any(p.label == g.label and p.overlaps(g) for p in preds)
        for p in preds:
            c = counts.setdefault(p.label, Counter())
            c["predicted"] += 1
            c["correct"] += any(g.label == p.label and p.overlaps(g) for g in gold_spans)
    per_entity = {
        label: EntityScore(c["support"], c["predicted"], c["found"], c["correct"])
        for label, c in counts.items()
    }
    overall = EntityScore(
        *(
            sum(getattr(s, f) for s in per_entity.values())
            for f in ("support", "predicted", "found", "correct")
        )
    )
    return EvalResult(per_entity, overall)


_TOKEN = re.compile(r"[^\W_]+")


def evaluate_tokens(
    texts: Sequence[str],
    gold: Sequence[Sequence[Span]],
    predicted: Sequence[Sequence[Span]],
    labels: Iterable[str],
) -> EvalResult:
    """Token-level scores (see the module docstring). A token belongs to a span it overlaps; where
    spans of one side overlap each other, the first in position order wins."""
    vocabulary = set(labels)
    counts: dict[str, Counter[str]] = {}
    for text, gold_spans, pred_spans in zip(texts, gold, predicted, strict=True):
        gold_sorted = sorted(gold_spans)
        pred_sorted = sorted(p for p in pred_spans if p.label in vocabulary)
        for m in _TOKEN.finditer(text):
            token = Span(m.start(), m.end(), "")
            g = next((s.label for s in gold_sorted if s.overlaps(token)), None)
            p = next((s.label for s in pred_sorted if s.overlaps(token)), None)
            if g is not None:
                c = counts.setdefault(g, Counter())
                c["support"] += 1
                c["found"] += p == g
            if p is not None:
                c = counts.setdefault(p, Counter())
                c["predicted"] += 1
                c["correct"] += p == g
    per_entity = {
        label: EntityScore(c["support"], c["predicted"], c["found"], c["correct"])
        for label, c in counts.items()
    }
    overall = EntityScore(
        *(
            sum(getattr(s, f) for s in per_entity.values())
            for f in ("support", "predicted", "found", "correct")
        )
    )
    return EvalResult(per_entity, overall)


def any_label_recall(gold: Sequence[Sequence[Span]], predicted: Sequence[Sequence[Span]]) -> float:
    """Share of gold spans overlapped by any prediction, whatever its label (what redaction needs)."""
    total = found = 0
    for gold_spans, pred_spans in zip(gold, predicted, strict=True):
        for g in gold_spans:
            total += 1
            found += any(p.overlaps(g) for p in pred_spans)
    return found / total if total else 1.0


def leaks(docs: Sequence[GoldDoc], scrubbed: Sequence[str]) -> tuple[int, int]:
    """(gold values still present verbatim in the scrubbed text, gold values). A value counts as present
    when it appears as a whole word sequence (case-sensitive) anywhere in its scrubbed text."""
    by_label = leaks_by_label(docs, scrubbed)
    return sum(a for a, _ in by_label.values()), sum(b for _, b in by_label.values())


def leaks_by_label(docs: Sequence[GoldDoc], scrubbed: Sequence[str]) -> dict[str, tuple[int, int]]:
    """:func:`leaks`, per gold label: {label: (leaked, total)}."""
    counts: dict[str, Counter[str]] = {}
    for doc, out in zip(docs, scrubbed, strict=True):
        for span in doc.spans:
            value = doc.text[span.start : span.end].strip()
            if not value:
                continue
            c = counts.setdefault(span.label, Counter())
            c["total"] += 1
            c["leaked"] += re.search(r"(?<!\w)" + re.escape(value) + r"(?!\w)", out) is not None
    return {label: (c["leaked"], c["total"]) for label, c in sorted(counts.items())}


def read_gold_jsonl(path: Path, label_map: Mapping[str, str] | None = None) -> list[GoldDoc]:
    """Gold records ``{"text", "spans": [{"start", "end", "label"}], "headers"?}``, one per line."""
    docs = []
    try:
        with Path(path).open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    raw = [(int(s["start"]), int(s["end"]), str(s["label"])) for s in record.get("spans", ())]
                    spans = tuple(Span(a, b, _mapped(label, label_map)) for a, b, label in raw)
                    ignored = tuple(
                        Span(a, b, label) for a, b, label in raw if label.startswith(UNSCORED_PREFIX)
                    )
                    text = str(record["text"])
                except (ValueError, KeyError, TypeError) as exc:
                    raise InputError(f"{path} line {n}: not a gold record ({type(exc).__name__})") from exc
                scored = tuple(s for s in spans if s.label and not s.label.startswith(UNSCORED_PREFIX))
                docs.append(GoldDoc(text, scored, record.get("headers") or None, ignored))
    except OSError as exc:
        raise InputError(f"cannot read gold file {path}: {type(exc).__name__}") from exc
    return docs


def _mapped(label: str, label_map: Mapping[str, str] | None) -> str:
    if label_map is None:
        return label
    return label_map.get(label, "")
