"""Reviewer approval and scrubbed text: roles, approve-all, per-message review, the queue, raw viewing."""

from __future__ import annotations

import pytest

from scrubdesk.core.audit_log import current_os_user
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db.audit import details_of
from scrubdesk.core.db.reviews import approved_message_ids, queue_size
from scrubdesk.core.db.spans import message_spans, record_analysis
from scrubdesk.core.errors import InputError, PermissionDeniedError
from scrubdesk.core.review import (
    RAW_VIEW_SETTING,
    approve,
    approve_all,
    can_view_raw,
    raw_view_roles,
    record_raw_view,
    review_queue,
    review_state,
    send_back,
    set_raw_view_roles,
    submit_for_review,
)
from scrubdesk.core.roles import grant, role_of
from scrubdesk.core.scrubbing import pii_strings, project_redactor, scrub_message, training_messages
from scrubdesk.core.span_edits import accept_span
from tests.builders import add_message, add_span, audit_rows, remove_every_role, stored_setting

BODY = "Hi, I am Jane Okafor, call 07700 900123. Account 1234."


def _message(store, key: str, analysed: bool = True, label: str | None = "billing") -> int:
    with store.transaction() as conn:
        mid = add_message(conn, key, BODY, subject="Bill for Jane", label=label, source_location="t")
        if analysed:
            record_analysis(conn, mid, "fp1", "now")
        for field, start, end, label_, status in [
            ("body", 9, 20, "PERSON", "suggested"),
            ("body", 27, 39, "PHONE_NUMBER", "accepted"),
            ("body", 49, 53, "CUSTOMER_REF", "rejected"),
            ("subject", 9, 13, "PERSON", "added"),
        ]:
            add_span(conn, mid, field, start, end, label_, status=status, recognizer="r")
    return int(mid)


def test_creator_is_admin(project):
    with project.store() as store:
        assert role_of(store) == "admin"


def test_scrubbed_text_redacts_all_but_rejected_spans(project):
    with project.store() as store:
        mid = _message(store, "a")
        scrubbed = scrub_message(store, project_redactor(project, store), mid)
        assert scrubbed.text == "Bill for <PERSON>\nHi, I am <PERSON>, call <PHONE_NUMBER>. Account 1234."
        assert "Okafor" not in repr(scrubbed)
        assert pii_strings(project, store) == {"jane okafor", "07700 900123", "jane"}
        unanalysed = _message(store, "b", analysed=False)
        with pytest.raises(InputError, match="not been analysed"):
            scrub_message(store, project_redactor(project, store), unanalysed)


def test_approve_all_approves_analysed_messages_and_is_audited(project):
    with project.store() as store:
        first = _message(store, "a")
        _message(store, "b", analysed=False)
    summary = approve_all(project)
    assert (summary.approved, summary.not_analysed, summary.role) == (1, 1, "admin")
    with project.store() as store:
        assert approved_message_ids(store) == {first}
        assert [m.message_id for m in training_messages(project, store)] == [first]
        details = next(details_of(store, "review.approve_all"))[2]
        assert "Okafor" not in details and '"approved": 1' in details
        # re-analysis with a new result: the approval no longer applies
        record_analysis(store, first, "fp2", "now")
        assert approved_message_ids(store) == set()
    assert approve_all(project).approved == 1


def test_annotator_may_not_approve(project):
    with project.store() as store, store.transaction() as conn:
        grant(conn, current_os_user(), "annotator", granted_by="test", at=utc_now())
    with pytest.raises(PermissionDeniedError, match="reviewer"):
        approve_all(project)


def _as(store, role: str) -> None:
    with store.transaction() as conn:
        grant(conn, current_os_user(), role, granted_by="test", at=utc_now())


def _audit(store, action: str) -> list[tuple[str, str, str]]:
    return [(r.objects, r.details, r.role) for r in audit_rows(store, action)]


def test_submit_approve_and_send_back_move_a_message_through_review(project):
    with project.store() as store:
        mid = _message(store, "k1")
        assert review_state(store, mid) is None
        _as(store, "annotator")
        assert submit_for_review(project, store, mid).status == "pending"
        _as(store, "reviewer")
        queue = review_queue(store)
        assert [(e.msg_key, e.pii_count, e.undecided, e.stale_approval) for e in queue] == [
            ("k1", 3, 1, False)
        ]
        state = send_back(project, store, mid, "  Missed the account number  ")
        assert (state.status, state.comment, state.role) == (
            "sent_back",
            "Missed the account number",
            "reviewer",
        )
        assert review_queue(store) == [] and queue_size(store) == 0
        _as(store, "annotator")
        submit_for_review(project, store, mid)
        _as(store, "reviewer")
        person = next(r for r in message_spans(store, mid) if r.status == "suggested")
        accept_span(project, store, person.id)  # every suggestion decided: approval needs nothing more
        state = approve(project, store, mid, comment="ok now")
        assert state.approved and state.comment == "ok now"
        assert approved_message_ids(store) == {mid}
        # submitting an approved message again changes nothing
        assert submit_for_review(project, store, mid).approved
        # the audit log names the message by its keyed ID; comments stay in the reviews table
        assert _audit(store, "review_submit") == [('["k1"]', '{"with_comment": false}', "annotator")] * 2
        assert _audit(store, "review_send_back") == [('["k1"]', '{"with_comment": true}', "reviewer")]
        assert _audit(store, "review_approve") == [('["k1"]', '{"with_comment": true}', "reviewer")]
        everything = " ".join(r.details for r in audit_rows(store))
        assert "Missed" not in everything and "ok now" not in everything


def test_a_re_analysed_approval_is_back_in_the_queue(project):
    with project.store() as store:
        mid = _message(store, "k1")
        approve(project, store, mid, accept_remaining=True)
        record_analysis(store, mid, "fp2", "now")
        assert not review_state(store, mid).approved
        assert [(e.message_id, e.stale_approval) for e in review_queue(store)] == [(mid, True)]
        assert approve(project, store, mid).approved
        assert review_queue(store) == []


def test_annotators_cannot_approve_or_send_back(project):
    with project.store() as store:
        mid = _message(store, "k1")
        _as(store, "annotator")
        submit_for_review(project, store, mid)
        with pytest.raises(PermissionDeniedError, match="reviewer"):
            approve(project, store, mid)
        with pytest.raises(PermissionDeniedError, match="reviewer"):
            send_back(project, store, mid, "no")
        assert review_state(store, mid).status == "pending"
        assert _audit(store, "review_approve") == []


def test_review_needs_an_analysed_message_and_send_back_a_comment(project):
    with project.store() as store:
        unanalysed = _message(store, "k1", analysed=False)
        with pytest.raises(InputError, match="k1 has not been analysed"):
            submit_for_review(project, store, unanalysed)
        with pytest.raises(InputError, match="has not been analysed"):
            approve(project, store, unanalysed)
        with pytest.raises(InputError, match="needs a comment"):
            send_back(project, store, unanalysed, "   ")
        with pytest.raises(InputError, match="no message"):
            approve(project, store, 12345)


def test_queue_pages_oldest_first(project):
    with project.store() as store:
        ids = [_message(store, f"k{i}") for i in range(5)]
        for mid in ids:
            submit_for_review(project, store, mid)
        assert queue_size(store) == 5
        first, second = review_queue(store, limit=3), review_queue(store, limit=3, offset=3)
        assert [e.message_id for e in first + second] == ids


def test_raw_view_is_a_project_setting_and_each_view_is_audited(project):
    with project.store() as store:
        mid = _message(store, "k1")
        assert raw_view_roles(store) == ("admin", "reviewer", "annotator")
        assert can_view_raw(store)
        record_raw_view(project, store, mid)
        assert _audit(store, "view_raw") == [('["k1"]', "{}", "admin")]
        assert set_raw_view_roles(project, store, ["reviewer", "admin", "admin"]) == ("admin", "reviewer")
        assert stored_setting(store, RAW_VIEW_SETTING) == ('["admin", "reviewer"]')
        _as(store, "annotator")
        assert not can_view_raw(store)
        with pytest.raises(PermissionDeniedError, match="reading raw message text"):
            record_raw_view(project, store, mid)
        assert len(_audit(store, "view_raw")) == 1
        with pytest.raises(PermissionDeniedError, match="admin"):
            set_raw_view_roles(project, store, ["annotator"])
        remove_every_role(store)
        assert not can_view_raw(store)  # no role, no raw text
        _as(store, "admin")
        with pytest.raises(InputError, match="unknown role"):
            set_raw_view_roles(project, store, ["guest"])


def test_queue_entries_carry_the_scrubbed_subject_only_with_a_redactor(project):
    with project.store() as store:
        mid = _message(store, "k1")
        submit_for_review(project, store, mid)
        assert review_queue(store)[0].scrubbed_subject == ""
        (entry,) = review_queue(store, redactor=project_redactor(project, store))
        assert entry.scrubbed_subject == "Bill for <PERSON>"
        assert "Jane" not in repr(entry)


def test_raw_views_are_checked_when_asked_for_and_committed_together(project):
    """The GUI asks (raw_view: a read, on its own connection) and commits later, in a batch."""
    from scrubdesk.core.audit_log import audit_entries
    from scrubdesk.core.review import raw_view, record_raw_views

    with project.store() as store:
        first, second = _message(store, "k1"), _message(store, "k2")
        views = [raw_view(store, mid, key) for mid, key in [(first, "k1"), (second, "k2"), (first, "k1")]]
        assert _audit(store, "view_raw") == []  # asking writes nothing
        set_raw_view_roles(project, store, ["reviewer"])
        with pytest.raises(PermissionDeniedError):
            raw_view(store, first, "k1")
        record_raw_views(project, store, views)  # asked while allowed: logged as asked, with its time
        assert [objects for objects, _, _ in _audit(store, "view_raw")] == ['["k1"]', '["k2"]', '["k1"]']
        entries = audit_entries(store, action="view_raw", newest_first=False)
        assert [e.at for e in entries] == [v.at for v in views]


def test_approval_needs_every_suggestion_decided_or_an_explicit_counted_accept(project):
    from scrubdesk.core.audit_log import audit_entries
    from scrubdesk.core.review import UndecidedSuggestionsError, undecided_count

    with project.store() as store:
        mid = _message(store, "k1")
        assert undecided_count(store, mid) == 1
        with pytest.raises(UndecidedSuggestionsError, match="1 undecided suggestion") as refused:
            approve(project, store, mid)
        assert refused.value.undecided == 1
        assert review_state(store, mid) is None and _audit(store, "review_approve") == []
        state = approve(project, store, mid, accept_remaining=True)
        assert state.approved and undecided_count(store, mid) == 0
        assert {r.status for r in message_spans(store, mid) if (r.field, r.start) == ("body", 9)} == {
            "accepted"
        }
        (entry,) = audit_entries(store, action="review_approve")
        assert entry.details == {"with_comment": False, "accepted_remaining": 1}


def test_approve_all_accepts_and_counts_the_undecided_suggestions(project):
    with project.store() as store:
        first, second = _message(store, "k1"), _message(store, "k2")
        person = next(r for r in message_spans(store, first) if r.status == "suggested")
        accept_span(project, store, person.id)
    summary = approve_all(project)
    assert (summary.approved, summary.suggestions_accepted) == (2, 1)  # only k2's was undecided
    assert summary.as_dict()["suggestions_accepted"] == 1
    with project.store() as store:
        assert approved_message_ids(store) == {first, second}
        assert _audit(store, "review.approve_all")[0][1].count('"suggestions_accepted": 1') == 1
        assert approve_all(project).suggestions_accepted == 0


def test_the_queue_counts_undecided_and_kept_spans(project):
    with project.store() as store:
        mid = _message(store, "k1")
        submit_for_review(project, store, mid)
        (entry,) = review_queue(store)
        assert (entry.pii_count, entry.undecided, entry.kept) == (3, 1, 1)
