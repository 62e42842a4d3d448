"""Scoring an external labelled CSV through the same scrubbing as training: analyse, redact, predict."""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrubdesk.core.errors import InputError
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.project import Project
from scrubdesk.core.scrubbing import join_fields, project_redactor
from scrubdesk.models.pii.analyzer import AnalysisInput, PiiAnalyzer
from scrubdesk.models.pii.parallel import analyzer_for
from scrubdesk.models.triage.metrics import Metrics, compute_metrics
from scrubdesk.models.triage.predict import load_latest


@dataclass(frozen=True)
class Evaluation:
    model_id: int
    metrics: Metrics
    unknown_labels: int  # test rows whose label the model never saw (always counted wrong)
    scrub_seconds: float
    predict_seconds: float


def read_labelled_csv(path: Path, text_column: str, label_column: str) -> tuple[list[str], list[str]]:
    if not path.is_file():
        raise InputError(f"test file not found: {path}")
    texts, labels = [], []
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in (text_column, label_column) if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"{path.name} has no column(s) {', '.join(missing)}")
        for row in reader:
            label = (row.get(label_column) or "").strip()
            if label:
                texts.append(row.get(text_column) or "")
                labels.append(label)
    if not texts:
        raise InputError(f"{path.name} holds no labelled rows")
    return texts, labels


def evaluate_file(
    project: Project,
    analyzer: PiiAnalyzer,
    path: Path,
    text_column: str,
    label_column: str,
    *,
    workers: int = 1,
    control: JobControl | None = None,
) -> Evaluation:
    control = control or JobControl()
    texts, labels = read_labelled_csv(path, text_column, label_column)
    record, model = load_latest(project)
    started = time.perf_counter()
    inputs = [AnalysisInput(t) for t in texts]
    with analyzer_for(analyzer, workers) as chosen:
        spans = list(chosen.analyze_many(inputs, batch_size=64))
    with project.store() as store:
        redactor = project_redactor(project, store)
    scrubbed = [join_fields("", redactor.redact(t, s)) for t, s in zip(texts, spans, strict=True)]
    scrub_seconds = time.perf_counter() - started
    control.progress(len(texts), len(texts), "scrubbed")
    started = time.perf_counter()
    predicted = [str(p) for p in model.predict(scrubbed)]
    predict_seconds = time.perf_counter() - started
    known = {str(c) for c in model.classes_}
    label_set = sorted(known | set(labels))
    metrics = compute_metrics(labels, predicted, label_set)
    unknown = sum(label not in known for label in labels)
    return Evaluation(record.id, metrics, unknown, scrub_seconds, predict_seconds)


def evaluation_summary(e: Evaluation) -> dict[str, Any]:
    return {
        "model_id": e.model_id,
        "n": e.metrics.n,
        "accuracy": round(e.metrics.accuracy, 4),
        "macro_f1": round(e.metrics.macro_f1, 4),
        "unknown_labels": e.unknown_labels,
        "scrub_seconds": round(e.scrub_seconds, 2),
        "predict_seconds": round(e.predict_seconds, 2),
    }
