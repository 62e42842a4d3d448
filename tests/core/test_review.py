"""Reviewer approval and scrubbed text: roles, approve-all, stale approvals, which spans are redacted."""

from __future__ import annotations

import pytest

from scrubdesk.core.audit_log import current_os_user
from scrubdesk.core.errors import InputError, PermissionDeniedError
from scrubdesk.core.project import utc_now
from scrubdesk.core.review import approve_all, approved_message_ids
from scrubdesk.core.roles import grant, role_of
from scrubdesk.core.scrubbing import pii_strings, project_redactor, scrub_message, training_messages

BODY = "Hi, I am Jane Okafor, call 07700 900123. Account 1234."


def _message(store, key: str, analysed: bool = True, label: str | None = "billing") -> int:
    with store.transaction() as conn:
        mid = conn.execute(
            "INSERT INTO messages (msg_key, source_location, subject, body, body_kind, label, size_bytes, "
            "imported_at) VALUES (?, 't', 'Bill for Jane', ?, 'plain', ?, 1, 'now')",
            (key, BODY, label),
        ).lastrowid
        if analysed:
            conn.execute("INSERT INTO analysis_state VALUES (?, 'fp1', 'now')", (mid,))
        for field, start, end, label_, status in [
            ("body", 9, 20, "PERSON", "suggested"),
            ("body", 27, 39, "PHONE_NUMBER", "accepted"),
            ("body", 49, 53, "CUSTOMER_REF", "rejected"),
            ("subject", 9, 13, "PERSON", "added"),
        ]:
            conn.execute(
                'INSERT INTO spans (message_id, field, start, "end", label, score, recognizer, status, '
                "analyzer_version) VALUES (?, ?, ?, ?, ?, 1, 'r', ?, 'v')",
                (mid, field, start, end, label_, status),
            )
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
        details = store.scalar("SELECT details FROM audit_log WHERE action = 'review.approve_all'")
        assert "Okafor" not in details and '"approved": 1' in details
        # re-analysis with a new result: the approval no longer applies
        store.execute("UPDATE analysis_state SET fingerprint = 'fp2' WHERE message_id = ?", (first,))
        assert approved_message_ids(store) == set()
    assert approve_all(project).approved == 1


def test_annotator_may_not_approve(project):
    with project.store() as store, store.transaction() as conn:
        grant(conn, current_os_user(), "annotator", granted_by="test", at=utc_now())
    with pytest.raises(PermissionDeniedError, match="reviewer"):
        approve_all(project)
