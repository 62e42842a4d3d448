"""A person's span decisions: accept, reject, retype, add, delete; audit, roles, approvals, re-analysis."""

from __future__ import annotations

import json

import pytest

from scrubdesk.core.audit_log import AuditLog, current_os_user
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db.reviews import approved_message_ids
from scrubdesk.core.db.spans import MANUAL, message_spans, record_analysis, replace_suggestions
from scrubdesk.core.errors import InputError, PermissionDeniedError
from scrubdesk.core.review import approve, review_state
from scrubdesk.core.roles import grant
from scrubdesk.core.scrubbing import project_redactor, scrub_message
from scrubdesk.core.span_edits import accept_span, add_span, change_span_type, delete_span, reject_span
from scrubdesk.core.spans import Span
from tests.builders import add_message, audit_rows, mark_purged, remove_every_role

SUBJECT = "Bill for Jane"
BODY = "Hi, I am Jane Okafor, call 07700 900123. Account 1234 at 5 Elm Road."
# "Jane Okafor" 9..20, "07700 900123" 27..39, "1234" 49..53, "5 Elm Road" 57..67


def _message(store, key: str = "m1", spans=None) -> int:
    with store.transaction() as conn:
        mid = add_message(conn, key, BODY, subject=SUBJECT, source_location="t")
        record_analysis(conn, mid, "fp1", "now")
        replace_suggestions(
            conn,
            mid,
            "body",
            spans
            or [
                Span(9, 20, "PERSON", 0.85, "spacy"),
                Span(27, 39, "PHONE_NUMBER", 0.9, "phone"),
                Span(49, 53, "CUSTOMER_REF", 0.4, "ref"),
            ],
            "v1",
        )
    return mid


def _by_start(store, mid: int, field: str = "body"):
    return {r.start: r for r in message_spans(store, mid, field)}


def _audit(store, action: str = "span_edit") -> list[tuple[str, dict]]:
    return [(json.loads(r.objects), json.loads(r.details)) for r in audit_rows(store, action)]


def test_accept_reject_and_change_type_update_the_store_and_the_audit_log(project):
    with project.store() as store:
        mid = _message(store)
        spans = _by_start(store, mid)
        edit = accept_span(project, store, spans[27].id)
        assert (edit.record.status, edit.record.label, edit.review_reset) == (
            "accepted",
            "PHONE_NUMBER",
            False,
        )
        reject_span(project, store, spans[49].id)
        edit = change_span_type(project, store, spans[9].id, "LOCATION")
        assert (edit.record.status, edit.record.label) == ("accepted", "LOCATION")
        # score and recogniser are kept: they say where the span came from
        assert (edit.record.span.score, edit.record.span.recognizer) == (0.85, "spacy")
        now = _by_start(store, mid)
        assert {s: (r.status, r.label) for s, r in now.items()} == {
            9: ("accepted", "LOCATION"),
            27: ("accepted", "PHONE_NUMBER"),
            49: ("rejected", "CUSTOMER_REF"),
        }
        entries = _audit(store)
        assert [d["op"] for _, d in entries] == ["accept", "reject", "change_type"]
        assert all(objects == ["m1"] for objects, _ in entries)
        assert entries[2][1] == {"op": "change_type", "label": "LOCATION", "previous_label": "PERSON"}
        text = json.dumps(entries)
        assert "Okafor" not in text and "07700" not in text and "1234" not in text
        assert AuditLog(store, project.keys.id_key).verify() == []
        scrubbed = scrub_message(store, project_redactor(project, store), mid).text
        assert "Account 1234" in scrubbed and "<LOCATION>" in scrubbed and "Okafor" not in scrubbed


def test_added_span_is_trimmed_validated_and_deletable(project):
    with project.store() as store:
        mid = _message(store)
        record = add_span(project, store, mid, "body", start=56, end=67, label="STREET_ADDRESS").record
        assert (record.start, record.end) == (57, 67)  # the leading space is trimmed: "5 Elm Road"
        assert (record.status, record.span.recognizer, record.analyzer_version) == ("added", MANUAL, MANUAL)
        subject = add_span(project, store, mid, "subject", start=9, end=13, label="PERSON").record
        assert SUBJECT[subject.start : subject.end] == "Jane"
        with pytest.raises(InputError, match="reject it instead"):
            delete_span(project, store, _by_start(store, mid)[9].id)  # a suggestion is rejected, not deleted
        with pytest.raises(InputError, match="delete it instead"):
            reject_span(project, store, record.id)
        assert delete_span(project, store, record.id).record is None
        assert record.start not in _by_start(store, mid)
        assert [d for _, d in _audit(store)] == [
            {"op": "add", "label": "STREET_ADDRESS", "field": "body"},
            {"op": "add", "label": "PERSON", "field": "subject"},
            {"op": "delete", "label": "STREET_ADDRESS"},
        ]


def test_add_span_checks_label_field_and_bounds_without_echoing_text(project):
    with project.store() as store:
        mid = _message(store)
        with pytest.raises(InputError, match="unknown entity type"):
            add_span(project, store, mid, "body", start=0, end=2, label="NOT_A_TYPE")
        with pytest.raises(InputError, match="unknown field"):
            add_span(project, store, mid, "from_addr", start=0, end=2, label="PERSON")
        for start, end in [(-1, 3), (5, 5), (60, len(BODY) + 1), (8, 3)]:
            with pytest.raises(InputError, match="outside the body of message m1") as info:
                add_span(project, store, mid, "body", start=start, end=end, label="PERSON")
            assert "Okafor" not in str(info.value)
        with pytest.raises(InputError, match="only white space"):
            add_span(project, store, mid, "body", start=26, end=27, label="PERSON")  # one space
        with pytest.raises(InputError, match="no message"):
            add_span(project, store, 999, "body", start=0, end=2, label="PERSON")
        assert _audit(store) == []


def test_overlaps_supersede_rejected_and_contained_suggestions_and_refuse_the_rest(project):
    with project.store() as store:
        mid = _message(store)
        spans = _by_start(store, mid)
        # extends the suggestion "Jane Okafor" (9..20) to "I am Jane Okafor": the suggestion is superseded
        wide = add_span(project, store, mid, "body", start=4, end=20, label="PERSON")
        assert wide.record is not None and spans[9].id not in {r.id for r in message_spans(store, mid)}
        assert _audit(store)[-1][1]["superseded"] == 1
        # a rejected span is superseded by any overlapping addition
        reject_span(project, store, spans[49].id)
        add_span(project, store, mid, "body", start=41, end=53, label="UK_BANK_ACCOUNT")
        assert spans[49].id not in {r.id for r in message_spans(store, mid)}
        # partial overlap with a suggestion, and any overlap with a decided span, are refused
        with pytest.raises(InputError, match=r"overlaps the suggested PHONE_NUMBER span 27\.\.39"):
            add_span(project, store, mid, "body", start=33, end=40, label="PHONE_NUMBER")
        with pytest.raises(InputError, match="overlaps the added PERSON span"):
            add_span(project, store, mid, "body", start=14, end=20, label="PERSON")
        accept_span(project, store, spans[27].id)
        with pytest.raises(InputError, match="overlaps the accepted"):
            add_span(project, store, mid, "body", start=27, end=39, label="PHONE_NUMBER")


def test_editing_an_approved_message_resets_its_review_to_pending(project):
    with project.store() as store:
        mid = _message(store)
        approve(project, store, mid, accept_remaining=True)
        assert approved_message_ids(store) == {mid}
        edit = reject_span(project, store, _by_start(store, mid)[27].id)
        assert edit.review_reset
        assert review_state(store, mid).status == "pending"
        assert approved_message_ids(store) == set()
        assert _audit(store)[-1][1] == {"op": "reject", "label": "PHONE_NUMBER", "review_reset": True}
        # a second edit has nothing to reset
        assert not accept_span(project, store, _by_start(store, mid)[9].id).review_reset


def test_every_role_may_edit_and_a_user_without_a_role_may_not(project):
    with project.store() as store:
        mid = _message(store)
        first = _by_start(store, mid)[9].id
        for role in ("annotator", "reviewer", "admin"):
            with store.transaction() as conn:
                grant(conn, current_os_user(), role, granted_by="test", at=utc_now())
            assert accept_span(project, store, first).record.status == "accepted"
        assert {r.role for r in audit_rows(store, "span_edit")} == {
            "annotator",
            "reviewer",
            "admin",
        }
        remove_every_role(store)
        with pytest.raises(PermissionDeniedError, match="has no role"):
            reject_span(project, store, first)
        with pytest.raises(PermissionDeniedError):
            add_span(project, store, mid, "body", start=57, end=67, label="STREET_ADDRESS")
        assert _by_start(store, mid)[9].status == "accepted"


def test_purged_messages_cannot_be_edited(project):
    with project.store() as store:
        mid = _message(store)
        mark_purged(store, [mid])
        with pytest.raises(InputError, match="purged"):
            accept_span(project, store, _by_start(store, mid)[9].id)
        assert _by_start(store, mid)[9].status == "suggested"


def test_human_decisions_survive_re_analysis(project):
    """Re-analysis replaces only the analyser's undecided suggestions; a decision stands, and a new
    suggestion that overlaps a decided span is not stored."""
    with project.store() as store:
        mid = _message(store)
        spans = _by_start(store, mid)
        accept_span(project, store, spans[27].id)
        reject_span(project, store, spans[49].id)
        change_span_type(project, store, spans[9].id, "LOCATION")
        add_span(project, store, mid, "body", start=57, end=67, label="STREET_ADDRESS")
        before = {(r.start, r.end, r.label, r.status) for r in message_spans(store, mid)}
        with store.transaction() as conn:  # what the analysis job does for a message it analyses again
            replace_suggestions(
                conn,
                mid,
                "body",
                [
                    Span(9, 13, "PERSON", 0.9, "spacy"),  # inside the retyped span
                    Span(27, 39, "PHONE_NUMBER", 0.9, "phone"),  # the accepted one again
                    Span(49, 53, "CUSTOMER_REF", 0.5, "ref"),  # the rejected one again
                    Span(59, 67, "STREET_ADDRESS", 0.7, "addr"),  # inside the added one
                    Span(0, 2, "PERSON", 0.3, "spacy"),  # new: stored as a suggestion
                ],
                "v2",
            )
        after = {(r.start, r.end, r.label, r.status) for r in message_spans(store, mid)}
        assert after == before | {(0, 2, "PERSON", "suggested")}
