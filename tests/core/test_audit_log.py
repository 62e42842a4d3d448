from __future__ import annotations

import pytest

from scrubdesk.core.audit_log import AuditLog
from scrubdesk.core.errors import WrongKeyError
from tests.builders import delete_audit_entries, swap_audit_entries, tamper_audit_entry


def _log_three(project):
    store = project.store()
    log = AuditLog(store, project.keys.id_key)
    with store.transaction():
        for action in ("import", "label", "export"):
            log.append(action, objects=["abc123"], details={"n": 1})
    return store, log


def test_intact_chain_verifies(project):
    store, log = _log_three(project)
    assert log.verify() == []
    assert log.count() == 4  # project_created, then the three


def test_edited_entry_is_detected(project):
    store, log = _log_three(project)
    tamper_audit_entry(store, 2, action="nothing")
    assert [p.seq for p in log.verify()] == [2]


def test_deleted_entry_is_detected(project):
    store, log = _log_three(project)
    delete_audit_entries(store, 2, 2)
    problems = log.verify()
    assert problems and problems[0].seq == 3
    assert "missing" in problems[0].problem


def test_reordered_entries_are_detected(project):
    store, log = _log_three(project)
    swap_audit_entries(store, 1, 3)
    assert log.verify()


def test_verifying_with_another_key_fails(project):
    store, log = _log_three(project)
    other = AuditLog(store, b"\x01" * 32)  # nothing verifies: a wrong key, not tampering
    with pytest.raises(WrongKeyError):
        other.verify()
