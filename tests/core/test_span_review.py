"""The Qt-free span-review state machine behind the message view: raw-view gating, navigation,
decisions and role gating, checked without painting anything."""

from __future__ import annotations

import pytest

from scrubdesk.core.audit_log import current_os_user
from scrubdesk.core.db.messages import get_message
from scrubdesk.core.db.roles import revoke
from scrubdesk.core.db.spans import message_spans
from scrubdesk.core.errors import PermissionDeniedError
from scrubdesk.core.review import check_raw_view, review_state, set_raw_view_roles
from scrubdesk.core.span_review import RAW, RAW_LOG_FAILED, SCRUBBED, SpanReview
from tests.review_fixtures import BODY, add_message, as_role


class FakeRawLog:
    """Records requests; the test decides when (and whether) each is committed."""

    def __init__(self) -> None:
        self.requests: list[int] = []

    def request(self, store, message_id: int, msg_key: str) -> None:
        check_raw_view(store)  # as the real gate does: refuse before queueing
        self.requests.append(message_id)


@pytest.fixture
def store(project):
    with project.store() as store:
        yield store


@pytest.fixture
def review(project, store):
    raw_log = FakeRawLog()
    review = SpanReview()
    review.set_project(project, store, raw_log)
    review.raw_log = raw_log  # for the tests
    return review


def statuses(store, mid: int) -> dict[tuple[str, int], str]:
    return {(r.field, r.start): r.status for r in message_spans(store, mid)}


def test_raw_text_is_shown_only_after_its_view_is_logged(review, store):
    first, second = add_message(store, "m1"), add_message(store, "m2")
    review.show(get_message(store, first))
    assert review.mode == SCRUBBED and review.raw_log.requests == []  # everyone starts scrubbed
    assert review.set_mode(RAW)  # R: raw on demand
    assert review.mode == RAW and review.raw_waiting and not review.raw_shown
    assert review.shown() == (None, None) and review.raw_log.requests == [first]
    assert "audit log" in review.body_placeholder()
    assert review.raw_logged(first)
    assert review.shown()[1].text == BODY and review.caption().startswith("Body (plain")
    # the same display: switching modes and editing log nothing more
    review.set_mode(SCRUBBED)
    assert "Okafor" not in review.shown()[1].text
    review.set_mode(RAW)
    assert review.raw_shown
    review.move(1)
    assert review.accept().done
    assert review.raw_log.requests == [first]
    # another message is another display; a late confirmation of the one left behind shows nothing
    review.show(get_message(store, second))
    review.show(get_message(store, first))
    assert review.raw_log.requests == [first, second, first]
    assert not review.raw_logged(second) and review.raw_waiting
    assert review.raw_logged(first) and review.raw_shown


def test_a_role_without_raw_access_never_asks_and_a_failed_log_ends_raw_viewing(project, review, store):
    mid = add_message(store, "m1")
    review.show(get_message(store, mid))
    review.set_mode(RAW)
    review.raw_log_failed()
    assert review.mode == SCRUBBED and not review.raw_allowed and review.notice == RAW_LOG_FAILED
    assert not review.set_mode(RAW) and review.mode == SCRUBBED
    assert "Okafor" not in review.shown()[1].text

    set_raw_view_roles(project, store, ["admin"])
    as_role(store, "annotator")
    review.set_project(project, store, review.raw_log)
    review.show(get_message(store, mid))
    assert review.mode == SCRUBBED and not review.raw_allowed and not review.set_mode(RAW)
    assert review.raw_log.requests == [mid]  # only the admin's, before the role changed
    with pytest.raises(PermissionDeniedError):
        check_raw_view(store)


def test_keys_walk_the_spans_and_decisions_advance(review, store):
    mid = add_message(store, "m1")
    review.show(get_message(store, mid))
    review.set_mode(SCRUBBED)
    assert [(m.field, m.label) for m in review.marks()] == [
        ("subject", "PERSON"),
        ("body", "PERSON"),
        ("body", "PHONE_NUMBER"),
        ("body", "CUSTOMER_REF"),
    ]
    assert review.current is None and review.move(-1) and review.current.label == "CUSTOMER_REF"
    assert not review.move(1)  # past the last span: nowhere to go (the view moves the focus on)
    review.set_current(None)
    assert review.move(1) and review.current.field == "subject"
    assert review.accept().done  # Y: accepted, and on to the next span
    assert (review.current.field, review.current.label) == ("body", "PERSON")
    outcome = review.reject()
    assert outcome.done and outcome.spans_changed and not outcome.review_changed
    assert statuses(store, mid)[("body", 9)] == "rejected"
    assert review.current.label == "PHONE_NUMBER"
    assert not review.delete().done and "reject a suggestion instead" in review.notice
    assert review.retype("UK_POSTCODE").done and review.current.label == "UK_POSTCODE"
    assert "1 to decide" in review.caption()  # the customer reference is left


def test_adding_from_a_scrubbed_selection_maps_back_to_raw_offsets(review, store):
    mid = add_message(store, "m1")
    review.show(get_message(store, mid))
    review.set_mode(SCRUBBED)
    body = review.shown()[1].text
    leeds = body.index("Leeds")
    assert review.add("body", (leeds, leeds + 5), "LOCATION").done
    assert statuses(store, mid)[("body", BODY.index("Leeds"))] == "added"
    assert review.current.status == "added"
    assert not review.add("body", (0, 14), "PERSON").done and "placeholders" in review.notice
    assert not review.add("body", None, "PERSON").done and "Select the text" in review.notice
    assert review.reject().done  # N on an added span deletes it
    assert ("body", BODY.index("Leeds")) not in statuses(store, mid)


def test_submit_and_role_gating(project, review, store):
    mid = add_message(store, "m1")
    unanalysed = add_message(store, "m2", analysed=False)
    review.show(get_message(store, unanalysed))
    assert review.editable and not review.can_submit
    review.show(get_message(store, mid))
    assert review.can_submit and review.review_text() == "Review: not submitted"
    outcome = review.submit()
    assert outcome.done and outcome.review_changed and review_state(store, mid).status == "pending"
    assert not review.can_submit and "awaiting approval" in review.review_text()
    with store.transaction() as conn:  # no role at all: nothing may be edited
        revoke(conn, current_os_user())
    review.set_project(project, store, review.raw_log)
    review.show(get_message(store, mid))
    assert review.role is None and not review.editable and not review.can_submit
