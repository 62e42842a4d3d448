"""`scrubdesk classify MODEL IN OUT`: route incoming mail with an exported model, no project needed.

Each message is scrubbed exactly as the model's training text was (the same analyser release, spaCy
model and configuration, verified by its version string; a mismatch is refused) with the recorded
redaction policy, then classified. Output is JSON lines of ``id, label, confidence, needs_human`` (and
``destination`` with a routing table); bad input lines and unparseable messages get an ``error`` line in
place, naming where, never the content.

IN: ``.jsonl`` (``{"id", "text", "subject"?, "headers"?}`` per line), ``.eml`` (one message) or
``.mbox``/``.mbx`` (many).
"""

from __future__ import annotations

import csv
import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from scrubdesk.core.errors import InputError
from scrubdesk.core.ingest.email_parse import parse_email
from scrubdesk.core.ingest.mbox import read_mbox
from scrubdesk.core.ingest.records import ALL_FIELDS, ParsedMessage
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.redaction import Keyer, RedactionPolicy, Redactor
from scrubdesk.core.scrubbing import join_fields
from scrubdesk.models.pii.analyzer import AnalysisInput
from scrubdesk.models.pii.config import load_config
from scrubdesk.models.pii.engine import build_analyzer
from scrubdesk.models.triage.package import ModelPackage, load_package

DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class Incoming:
    """One message to classify. Holds personal data: never log it."""

    id: str | None
    body: str
    subject: str = ""
    headers: dict[str, Any] | None = None
    error: str | None = None  # where/why it could not be read (no content)

    def __repr__(self) -> str:
        return f"Incoming(id={self.id!r}, chars={len(self.body)})"


@dataclass
class ClassifySummary:
    records: int = 0
    errors: int = 0
    needs_human: int = 0
    by_label: Counter[str] = field(default_factory=Counter)
    unrouted: int = 0
    seconds: float = 0.0
    scrub_seconds: float = 0.0
    predict_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "errors": self.errors,
            "needs_human": self.needs_human,
            "by_label": dict(sorted(self.by_label.items())),
            "unrouted": self.unrouted,
            "seconds": round(self.seconds, 3),
            "scrub_seconds": round(self.scrub_seconds, 3),
            "predict_seconds": round(self.predict_seconds, 3),
            "records_per_s": round(self.records / self.seconds, 1) if self.seconds else None,
        }


def read_routing(path: Path, labels: set[str]) -> dict[str, str]:
    """``label,destination`` rows (CSV, optional header). Unknown labels are an error: a typo would
    silently send that mail nowhere."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = [r for r in csv.reader(fh) if r and any(c.strip() for c in r)]
    except OSError as exc:
        raise InputError(f"cannot read routing table {path}: {type(exc).__name__}") from None
    if rows and [c.strip().lower() for c in rows[0][:2]] == ["label", "destination"]:
        rows = rows[1:]
    table: dict[str, str] = {}
    for n, row in enumerate(rows, 1):
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise InputError(f"{path.name} row {n}: expected label,destination")
        label = row[0].strip()
        if label not in labels:
            raise InputError(f"{path.name} row {n}: {label!r} is not a label of this model")
        table[label] = row[1].strip()
    return table


def _jsonl(path: Path) -> Iterator[Incoming]:
    with path.open(encoding="utf-8", errors="replace") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                yield Incoming(None, "", error=f"line {n}: not JSON")
                continue
            if not isinstance(record, dict) or not isinstance(record.get("text", ""), str):
                yield Incoming(None, "", error=f"line {n}: not a JSON object with a text")
                continue
            headers = record.get("headers") if isinstance(record.get("headers"), dict) else None
            subject = record.get("subject") if isinstance(record.get("subject"), str) else ""
            rid = record.get("id")
            subject_text = subject if isinstance(subject, str) else ""
            yield Incoming(None if rid is None else str(rid), record.get("text") or "", subject_text, headers)


def _headers(m: ParsedMessage) -> dict[str, Any]:
    """The header shape the project's analysis passes (models.pii.analysis_job), so names match alike."""
    name, address = m.from_name, m.from_addr
    sender = f"{name} <{address}>" if name and address else (address or name or "")
    return {"From": sender, "To": list(m.to_addrs), "Cc": list(m.cc_addrs)}


def _from_parsed(item: Any) -> Incoming:
    if isinstance(item, ParsedMessage):
        return Incoming(item.natural_id or item.location, item.body, item.subject or "", _headers(item))
    return Incoming(getattr(item, "location", None), "", error=f"{item.location}: {item.detail}")


def read_incoming(path: Path) -> Iterator[Incoming]:
    if not path.is_file():
        raise InputError(f"input file not found: {path}")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        yield from _jsonl(path)
    elif suffix == ".eml":
        yield _from_parsed(parse_email(path.read_bytes(), str(path), ALL_FIELDS))
    elif suffix in (".mbox", ".mbx"):
        yield from (_from_parsed(item) for item in read_mbox(path, ALL_FIELDS))
    else:
        raise InputError(f"{path.name}: classify reads .jsonl, .eml or .mbox files")


def check_analyser(package: ModelPackage, analyser_version: str) -> None:
    wanted = package.analyser_version
    if wanted is None:
        raise InputError("this model package does not record the analyser it was trained with: re-export it")
    if analyser_version != wanted:
        raise InputError(
            f"this model was trained on text scrubbed by analyser {wanted}; this installation builds "
            f"{analyser_version}. Scrubbing differently would feed the model text it never saw: use the "
            "Scrubdesk release (and spaCy model) it was trained with, or train and export it again"
        )


def classify_file(
    package_path: Path,
    in_path: Path,
    out: TextIO,
    *,
    routing: Path | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    batch_size: int = 32,
    control: JobControl | None = None,
    analyzer: Any = None,
) -> ClassifySummary:
    """``analyzer``: a prebuilt analyser (tests); by default built from the package's configuration."""
    control = control or JobControl()
    if not 0.0 <= threshold <= 1.0:
        raise InputError("the needs-human threshold must be between 0 and 1")
    package = load_package(package_path)
    model = package.model
    table = read_routing(routing, {str(c) for c in model.classes_}) if routing else None
    if analyzer is None:
        analyzer = build_analyzer(load_config(overrides=package.scrubbing.get("config_overlay") or None))
    check_analyser(package, analyzer.version)
    # No project key here: a random key keeps keyed operators consistent within this run only.
    policy = RedactionPolicy.from_setting(package.scrubbing.get("redaction_policy"))
    redactor = Redactor(policy, Keyer(os.urandom(32)))
    summary = ClassifySummary()
    started = time.perf_counter()
    batch: list[Incoming] = []

    def flush() -> None:
        good = [m for m in batch if m.error is None]
        t0 = time.perf_counter()
        inputs = [AnalysisInput(m.body, m.headers) for m in good] + [
            AnalysisInput(m.subject, m.headers) for m in good
        ]
        spans = list(analyzer.analyze_many(inputs, batch_size))
        texts = [
            join_fields(redactor.redact(m.subject, spans[len(good) + i]), redactor.redact(m.body, spans[i]))
            for i, m in enumerate(good)
        ]
        t1 = time.perf_counter()
        proba = model.predict_proba(texts) if texts else None
        summary.scrub_seconds += t1 - t0
        summary.predict_seconds += time.perf_counter() - t1
        row = 0
        for m in batch:
            if m.error is not None:
                out.write(json.dumps({"id": m.id, "error": m.error}) + "\n")
                summary.errors += 1
                continue
            assert proba is not None
            best = int(proba[row].argmax())
            confidence = float(proba[row][best])
            label = str(model.classes_[best])
            row += 1
            line: dict[str, Any] = {
                "id": m.id,
                "label": label,
                "confidence": round(confidence, 4),
                "needs_human": confidence < threshold,
            }
            if table is not None:
                line["destination"] = table.get(label)
                summary.unrouted += label not in table
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            summary.records += 1
            summary.needs_human += confidence < threshold
            summary.by_label[label] += 1
        batch.clear()
        control.progress(summary.records, None, f"{summary.records} classified")
        control.check_cancelled()

    for item in read_incoming(in_path):
        batch.append(item)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    summary.seconds = time.perf_counter() - started
    return summary
