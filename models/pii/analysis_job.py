"""The batch analysis job behind `scrubdesk analyze DIR`: find PII in every new or changed message.

Incremental: each analysed message has a fingerprint, a keyed digest of the analyser version and the
message's analysed content. A message whose fingerprint is unchanged is skipped; a new analyser version
or configuration re-analyses everything. Spans a person reviewed (accepted, rejected, added) are kept;
only the analyser's own suggestions are replaced.

A reviewer's approval is tied to the fingerprint it approved. When a new analyser version re-analyses a
message whose content did not change and finds exactly the same suggestions (same places, same types),
the redaction the reviewer approved is unchanged, so the approval moves to the new fingerprint; otherwise
the message needs approval again (the rule is :func:`scrubdesk.core.review.record_reanalysis`). The
summary and the audit log count both.

Batches commit on their own, so a cancelled or killed run keeps its finished batches and the next run
continues where it stopped. Progress and cancel go through :class:`scrubdesk.core.jobs.JobControl`.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from scrubdesk.core.audit_log import AuditLog
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db import messages
from scrubdesk.core.db import spans as span_rows
from scrubdesk.core.jobs import JobCancelled, JobControl
from scrubdesk.core.project import Project
from scrubdesk.core.review import APPROVAL_KEPT, APPROVAL_TO_REDO, record_reanalysis
from scrubdesk.core.roles import ANALYSE_ROLES, require_role
from scrubdesk.core.store import Store
from scrubdesk.models.pii.analyzer import AnalysisInput, PiiAnalyzer
from scrubdesk.models.pii.parallel import analyzer_for

log = logging.getLogger(__name__)


@dataclass
class AnalysisSummary:
    messages: int = 0
    analysed: int = 0
    skipped: int = 0
    spans: int = 0
    by_label: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    cancelled: bool = False
    analyzer_version: str = ""
    approvals_kept: int = 0  # approved messages re-analysed to the same suggestions
    approvals_to_redo: int = 0  # approved messages whose suggestions (or content) changed
    language_unsupported: int = 0  # analysed messages in a language the analyser does not read

    def as_dict(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "analysed": self.analysed,
            "skipped": self.skipped,
            "spans": self.spans,
            "spans_by_label": dict(sorted(self.by_label.items())),
            "seconds": round(self.seconds, 3),
            "messages_per_s": round(self.analysed / self.seconds, 1) if self.seconds else None,
            "cancelled": self.cancelled,
            "analyzer_version": self.analyzer_version,
            "approvals_kept": self.approvals_kept,
            "approvals_to_redo": self.approvals_to_redo,
            "language_unsupported": self.language_unsupported,
        }


@dataclass(frozen=True)
class _Work:
    """One message to analyse. Holds personal data: never log it."""

    message_id: int
    fingerprint: str
    body: str
    subject: str
    headers: dict[str, Any]
    previous: str | None = None  # the fingerprint it was last analysed with
    same_content: bool = False  # that analysis was of this very content (only the analyser changed)

    def __repr__(self) -> str:
        return f"_Work(message_id={self.message_id})"


def _headers(from_name: str | None, from_addr: str | None, to: str, cc: str) -> dict[str, Any]:
    sender = f"{from_name} <{from_addr}>" if from_name and from_addr else (from_addr or from_name or "")
    return {"From": sender, "To": json.loads(to or "[]"), "Cc": json.loads(cc or "[]")}


def _fingerprint(project: Project, version: str, body: str, subject: str, headers: dict[str, Any]) -> str:
    content = json.dumps([version, body, subject, headers], sort_keys=True).encode()
    return project.ids.digest("pii-analysis", content)


def _pending(store: Store, project: Project, version: str, force: bool, page: int) -> Iterator[_Work]:
    """Messages whose analysis is missing or stale, in ID order, read page by page."""
    # Earlier analyser versions of this project, to tell 'only the analyser changed' from 'the content
    # changed' (a fingerprint is a keyed digest: it can only be recomputed, not read back). Read once, and
    # only when a message analysed before comes up (a scan of the spans table).
    earlier: list[str] | None = None
    last = 0
    while True:
        rows = messages.with_headers_after(store, last, page)
        if not rows:
            return
        analysed = span_rows.fingerprints_after(store, last, page)
        for m in rows:
            old = analysed.get(m.id)
            headers = _headers(m.from_name, m.from_addr, m.to_addrs, m.cc_addrs)
            fingerprint = _fingerprint(project, version, m.body, m.subject, headers)
            if force or fingerprint != old:
                same = old == fingerprint
                if old is not None and not same:
                    if earlier is None:
                        earlier = span_rows.earlier_analyzer_versions(store, version)
                    same = any(_fingerprint(project, v, m.body, m.subject, headers) == old for v in earlier)
                yield _Work(m.id, fingerprint, m.body, m.subject, headers, old, same)
            else:
                yield _Work(m.id, "", "", "", {})  # unchanged: counted, not analysed
        last = rows[-1].id


def run_analysis(
    project: Project,
    analyzer: PiiAnalyzer,
    control: JobControl | None = None,
    *,
    batch_size: int = 64,
    force: bool = False,
    workers: int = 1,
) -> AnalysisSummary:
    """Analyse new and changed messages. ``workers`` > 1 spreads batches over processes."""
    with analyzer_for(analyzer, workers) as chosen:
        return _run(project, chosen, control or JobControl(), batch_size, force)


def _run(
    project: Project, analyzer: Any, control: JobControl, batch_size: int, force: bool
) -> AnalysisSummary:
    summary = AnalysisSummary(analyzer_version=analyzer.version)
    started = time.perf_counter()
    with project.store() as store:
        require_role(store, ANALYSE_ROLES, "running the PII analysis")
        total = messages.count_messages(store)
        try:
            batch: list[_Work] = []
            for work in _pending(store, project, analyzer.version, force, page=max(batch_size * 4, 256)):
                summary.messages += 1
                if not work.fingerprint:
                    summary.skipped += 1
                    continue
                batch.append(work)
                if len(batch) >= batch_size:
                    _analyse_batch(store, analyzer, batch, summary)
                    batch = []
                    control.progress(summary.messages, total, _progress_text(summary))
                    control.check_cancelled()
            if batch:
                _analyse_batch(store, analyzer, batch, summary)
            control.progress(summary.messages, total, _progress_text(summary))
        except JobCancelled:
            summary.cancelled = True
        summary.seconds = time.perf_counter() - started
        with store.transaction():
            details = {k: v for k, v in summary.as_dict().items() if k != "analyzer_version"}
            AuditLog(store, project.keys.id_key).append(
                "analyze", details={**details, "analyzer_version": analyzer.version}
            )
    log.info(
        "analysis finished: %d analysed, %d skipped, %d spans",
        summary.analysed,
        summary.skipped,
        summary.spans,
    )
    return summary


def _analyse_batch(store: Store, analyzer: Any, batch: list[_Work], summary: AnalysisSummary) -> None:
    inputs = [AnalysisInput(w.body, w.headers) for w in batch]
    inputs += [AnalysisInput(w.subject, w.headers) for w in batch]
    results = list(analyzer.analyze_many_detailed(inputs, batch_size=max(len(inputs) // 4, 8)))
    bodies, subjects = results[: len(batch)], results[len(batch) :]
    now = utc_now()
    with store.transaction() as conn:
        for work, body_result, subject_result in zip(batch, bodies, subjects, strict=True):
            body, subject = body_result.spans, subject_result.spans
            # The body says which language the message is in (a subject is too short to tell).
            outcome = record_reanalysis(
                conn,
                work.message_id,
                {"body": body, "subject": subject},
                analyzer_version=analyzer.version,
                previous=work.previous,
                fingerprint=work.fingerprint,
                same_content=work.same_content,
                at=now,
                language=body_result.language,
                language_supported=body_result.supported,
            )
            if not body_result.supported:
                summary.language_unsupported += 1
            if outcome == APPROVAL_KEPT:
                summary.approvals_kept += 1
            elif outcome == APPROVAL_TO_REDO:
                summary.approvals_to_redo += 1
            for span in (*body, *subject):
                summary.by_label[span.label] += 1
            summary.spans += len(body) + len(subject)
    summary.analysed += len(batch)


def _progress_text(summary: AnalysisSummary) -> str:
    text = f"{summary.analysed} analysed, {summary.skipped} unchanged, {summary.spans} spans"
    if summary.language_unsupported:
        text += f", {summary.language_unsupported} in a language not supported (review by hand)"
    return text
