"""The Qt-free labelling session: permission checked once, undo, and progress over the whole project."""

from __future__ import annotations

import pytest

from scrubdesk.core.audit_log import current_os_user
from scrubdesk.core.db.roles import revoke
from scrubdesk.core.errors import PermissionDeniedError
from scrubdesk.core.labelling_session import LabellingSession
from scrubdesk.core.labels import add_label
from tests.review_fixtures import add_message


def test_progress_counts_the_whole_project_and_this_session(project):
    with project.store() as store:
        ids = [add_message(store, f"m{i}") for i in range(4)]
        add_label(project, store, "billing")
        session = LabellingSession(project, store)
        assert session.can_label and session.can_manage and session.refusal == ""
        assert session.progress().text() == "labelled 0 of 4"
        session.label(ids[0], "billing")
        session.label(ids[1], "billing")
        session.label(ids[1], "billing")  # unchanged: counts once
        assert session.progress().text() == "labelled 2 of 4 · +2 this session"
        restored = session.undo()  # the repeated label wrote nothing, so undo restores the first one's
        assert restored is not None and restored.message_id == ids[1] and restored.label is None
        assert session.progress().text() == "labelled 1 of 4 · +1 this session"
        session.undo()
        assert session.progress().text() == "labelled 0 of 4" and session.undo() is None
        fresh = LabellingSession(project, store)  # a new session starts at zero, the project count stays
        fresh.label(ids[3], "billing")
        assert LabellingSession(project, store).progress().text() == "labelled 1 of 4"


def test_a_user_without_a_role_is_told_why(project):
    with project.store() as store:
        mid = add_message(store, "m1")
        with store.transaction() as conn:
            revoke(conn, current_os_user())
        session = LabellingSession(project, store)
        assert not session.can_label and "labelling messages" in session.refusal
        with pytest.raises(PermissionDeniedError):
            session.label(mid, "billing")
    assert LabellingSession().refusal.startswith("Open a project")
