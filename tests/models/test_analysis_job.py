"""The analysis job on a real (encrypted) project: spans stored, incremental, reviewed spans kept, cancel."""

from __future__ import annotations

import dataclasses
import json

import pytest

from scrubdesk.core.db.audit import details_of, page
from scrubdesk.core.db.maintenance import count_table
from scrubdesk.core.db.messages import get_message
from scrubdesk.core.db.spans import count_analysed, message_spans, spans_for_message
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.review import approve_all, review_queue, review_state
from scrubdesk.core.spans import Span
from scrubdesk.models.pii.analysis_job import run_analysis
from tests.builders import add_message, add_span, append_to_body, delete_message_row


def _add(store, n: int, body: str, subject: str = "Query", from_name: str = "Jane Okafor") -> int:
    with store.transaction() as conn:
        return add_message(
            conn,
            f"k{n}",
            body,
            subject=subject,
            from_name=from_name,
            from_addr="jane.okafor@example.com",
            to_addrs=["help@x.example"],
            size_bytes=len(body),
        )


def test_analyze_stores_spans_and_is_incremental(project, analyzer):
    with project.store() as store:
        first = _add(store, 1, "Hi,\n\njane here, call 07700 900123.\n\nThanks,\nJane", "Account NE-123456")
        _add(store, 2, "Nothing personal in here at all.")
    summary = run_analysis(project, analyzer)
    assert (summary.analysed, summary.skipped, summary.cancelled) == (2, 0, False)
    with project.store() as store:
        spans = spans_for_message(store, first)
        message = get_message(store, first)
        body, subject = message.body, message.subject
        audit = next(details_of(store, "analyze"))[2]
    found = {
        (s.field, s.span.label, (body if s.field == "body" else subject)[s.span.start : s.span.end])
        for s in spans
    }
    assert ("body", "PHONE_NUMBER", "07700 900123") in found
    assert ("body", "PERSON", "jane") in found
    assert ("subject", "CUSTOMER_REF", "NE-123456") in found
    assert all(s.status == "suggested" and s.analyzer_version == analyzer.version for s in spans)
    assert "07700" not in audit and "jane" not in audit.lower()

    again = run_analysis(project, analyzer)
    assert (again.analysed, again.skipped) == (0, 2)

    with project.store() as store, store.transaction() as conn:
        append_to_body(conn, [first], " My NI number is AB123456C.")
    changed = run_analysis(project, analyzer)
    assert (changed.analysed, changed.skipped) == (1, 1)


def test_reviewed_spans_survive_reanalysis(project, analyzer):
    with project.store() as store:
        mid = _add(store, 1, "call 07700 900123 or write to Pemberton")
        with store.transaction() as conn:
            add_span(
                conn,
                mid,
                "body",
                30,
                39,
                "PERSON",
                status="added",
                recognizer="annotator",
                analyzer_version="human",
            )
    run_analysis(project, analyzer, force=True)
    run_analysis(project, analyzer, force=True)
    with project.store() as store:
        spans = spans_for_message(store, mid, "body")
    assert [(s.span.start, s.status) for s in spans if s.status == "added"] == [(30, "added")]
    assert sum(s.span.label == "PHONE_NUMBER" for s in spans) == 1


def test_deleting_a_message_deletes_its_spans(project, analyzer):
    with project.store() as store:
        mid = _add(store, 1, "call 07700 900123")
    run_analysis(project, analyzer)
    with project.store() as store:
        with store.transaction() as conn:
            delete_message_row(conn, mid)
        assert count_table(store, "spans") == 0
        assert count_analysed(store) == 0


def test_cancel_keeps_finished_batches(project, analyzer):
    with project.store() as store:
        for n in range(12):
            _add(store, n, f"call 07700 900{n:03d}")
    control = JobControl()
    seen = []

    def on_progress(done, total, message):
        seen.append((done, total))
        control.cancel()

    control.on_progress = on_progress
    summary = run_analysis(project, analyzer, control, batch_size=4)
    assert summary.cancelled and summary.analysed == 4
    assert seen[0] == (4, 12)
    rest = run_analysis(project, analyzer, batch_size=4)
    assert (rest.analysed, rest.skipped) == (8, 4)


@pytest.mark.parametrize("status", ["suggested", "accepted", "rejected", "added"])
def test_span_status_values(project, status):
    from scrubdesk.core.db.spans import replace_suggestions

    with project.store() as store:
        mid = _add(store, 1, "x")
        with store.transaction() as conn:
            add_span(conn, mid, "body", 0, 1, "PERSON", status=status, recognizer="r")
            replace_suggestions(conn, mid, "body", [Span(0, 1, "PERSON")], "v2")
        rows = count_table(store, "spans")
    assert rows == 1


@pytest.mark.slow
def test_parallel_workers_give_the_same_spans(project, analyzer):
    from scrubdesk.models.pii.analyzer import AnalysisInput
    from scrubdesk.models.pii.parallel import ParallelAnalyzer

    inputs = [
        AnalysisInput(
            f"Hi,\n\ncall 07700 900{n:03d}.\n\nThanks,\nAda Quist", {"From": "Ada Quist <a@x.example>"}
        )
        for n in range(30)
    ]
    expected = list(analyzer.analyze_many(inputs))
    with ParallelAnalyzer(analyzer, 2) as parallel:
        assert parallel.version == analyzer.version
        assert list(parallel.analyze_many(inputs, batch_size=4)) == expected
    with project.store() as store:
        for n in range(10):
            _add(store, n, f"call 07700 900{n:03d}")
    summary = run_analysis(project, analyzer, batch_size=4, workers=2)
    assert (
        summary.analysed,
        summary.spans_by_label if hasattr(summary, "spans_by_label") else summary.by_label["PHONE_NUMBER"],
    ) == (10, 10)


class _Renamed:
    """The session analyser under another version string, optionally dropping entity types: what a new
    analyser release looks like to the job."""

    def __init__(self, inner, version: str, drop: tuple[str, ...] = ()) -> None:
        self.inner, self.version, self.drop = inner, version, drop

    def analyze_many_detailed(self, inputs, batch_size: int = 32):
        for result in self.inner.analyze_many_detailed(inputs, batch_size=batch_size):
            yield dataclasses.replace(result, spans=[s for s in result.spans if s.label not in self.drop])


def _approved(project, *ids: int) -> set[int]:
    """Which of ``ids`` a reviewer's approval still covers, asked one message at a time through the public
    review state (not through the query the job and the gateway use to list approvals)."""
    with project.store() as store:
        return {mid for mid in ids if (state := review_state(store, mid)) is not None and state.approved}


def _to_redo(project) -> set[int]:
    """Messages back in the review queue because their approval no longer covers their analysis."""
    with project.store() as store:
        return {entry.message_id for entry in review_queue(store) if entry.stale_approval}


def test_a_new_analyser_keeps_approvals_whose_redaction_is_unchanged(project, analyzer):
    with project.store() as store:
        phone = _add(store, 1, "Please call me on 07700 900123 after six.")
        name = _add(store, 2, "My name is Tom Baker and the bill is wrong.")
        plain = _add(store, 3, "Nothing personal in here at all.")
    everything = (phone, name, plain)
    run_analysis(project, _Renamed(analyzer, "release-a", drop=("PHONE_NUMBER",)))
    approve_all(project)  # accepts the undecided suggestions (the name) as it approves
    assert _approved(project, *everything) == {phone, name, plain}  # what the test approved

    same = run_analysis(project, _Renamed(analyzer, "release-b", drop=("PHONE_NUMBER",)))
    assert (same.analysed, same.approvals_kept, same.approvals_to_redo) == (3, 3, 0)
    assert _approved(project, *everything) == {phone, name, plain}
    assert _to_redo(project) == set()

    # a decided span stays when an analyser no longer suggests it: the redaction, and the approval, hold
    fewer = run_analysis(project, _Renamed(analyzer, "release-b2", drop=("PHONE_NUMBER", "PERSON")))
    assert (fewer.approvals_kept, fewer.approvals_to_redo) == (3, 0)
    with project.store() as store:
        assert [(r.label, r.status) for r in message_spans(store, name)] == [("PERSON", "accepted")]

    more = run_analysis(project, _Renamed(analyzer, "release-c"))  # now finds the phone number
    assert (more.approvals_kept, more.approvals_to_redo) == (2, 1)
    assert _approved(project, *everything) == {name, plain}  # its suggestions changed: approve again
    assert _to_redo(project) == {phone}

    with project.store() as store, store.transaction() as conn:
        append_to_body(conn, [name], " Thanks.")
    edited = run_analysis(project, _Renamed(analyzer, "release-d"))
    assert (edited.approvals_kept, edited.approvals_to_redo) == (1, 1)
    assert _approved(project, *everything) == {plain}  # new content was never reviewed, whatever was found
    assert _to_redo(project) == {phone, name}
    with project.store() as store:
        (newest,) = page(store, offset=0, limit=1, action="analyze", newest_first=True)
        details = json.loads(newest.details)
    assert (details["approvals_kept"], details["approvals_to_redo"]) == (1, 1)
