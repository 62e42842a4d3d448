"""Role management: list, grant, revoke; admin only; never without an admin; audit-logged."""

from __future__ import annotations

import pytest

from scrubdesk.core.audit_log import AuditLog, audit_entries, current_os_user
from scrubdesk.core.errors import InputError, PermissionDeniedError
from scrubdesk.core.roles import change_role, list_roles, revoke_role, role_of
from tests.helpers import scrubdesk


def _roles(project) -> dict[str, str]:
    with project.store() as store:
        return {g.os_user: g.role for g in list_roles(store)}


def test_grant_replace_and_revoke_are_audited(project):
    me = current_os_user()
    assert _roles(project) == {me: "admin"}
    assert change_role(project, "alice", "annotator") == {
        "os_user": "alice",
        "role": "annotator",
        "previous_role": None,
    }
    assert change_role(project, "alice", "reviewer")["previous_role"] == "annotator"
    change_role(project, "bob", "admin")
    with project.store() as store:
        admins_by_name = sorted([("bob", "admin"), (me, "admin")])
        assert [(g.os_user, g.role) for g in list_roles(store)] == [*admins_by_name, ("alice", "reviewer")]
        assert {g.os_user: g.granted_by for g in list_roles(store)}["alice"] == me
    assert revoke_role(project, "alice") == {"os_user": "alice", "previous_role": "reviewer"}
    assert "alice" not in _roles(project)
    with project.store() as store:
        entries = audit_entries(store, newest_first=False)
        assert AuditLog(store, project.keys.id_key).verify() == []
    assert [(e.action, e.details) for e in entries[1:]] == [
        ("role_grant", {"os_user": "alice", "role": "annotator", "previous_role": None}),
        ("role_grant", {"os_user": "alice", "role": "reviewer", "previous_role": "annotator"}),
        ("role_grant", {"os_user": "bob", "role": "admin", "previous_role": None}),
        ("role_revoke", {"os_user": "alice", "previous_role": "reviewer"}),
    ]
    assert all(e.role == "admin" and e.os_user == me for e in entries[1:])


def test_the_last_admin_cannot_be_removed_or_demoted(project):
    me = current_os_user()
    with pytest.raises(InputError, match="only admin"):
        revoke_role(project, me)
    with pytest.raises(InputError, match="only admin"):
        change_role(project, me, "reviewer")
    assert _roles(project) == {me: "admin"}
    change_role(project, "dpo", "admin")
    revoke_role(project, "dpo")  # fine: another admin remains
    change_role(project, "dpo", "admin")
    change_role(project, me, "reviewer")  # fine now: dpo is admin
    with project.store() as store:
        assert role_of(store, me) == "reviewer"


def test_only_admins_manage_roles(project):
    me = current_os_user()
    change_role(project, "dpo", "admin")
    change_role(project, me, "annotator")
    with pytest.raises(PermissionDeniedError, match="admin"):
        change_role(project, "mallory", "admin")
    with pytest.raises(PermissionDeniedError):
        revoke_role(project, "dpo")
    assert _roles(project) == {"dpo": "admin", me: "annotator"}


@pytest.mark.parametrize("bad", ["", "two words", "tab\tname", "x" * 300])
def test_bad_user_names_and_unknowns_are_refused(project, bad):
    with pytest.raises(InputError):
        change_role(project, bad, "reviewer")
    with pytest.raises(InputError, match="unknown role"):
        change_role(project, "alice", "superuser")
    with pytest.raises(InputError, match="no role"):
        revoke_role(project, "nobody")


def test_cli_roles(tmp_path):
    proj = tmp_path / "proj"
    scrubdesk("init", proj)
    granted, _, _ = scrubdesk("roles", "grant", proj, "carol", "reviewer")
    assert granted["role"] == "reviewer" and granted["previous_role"] is None
    listed, _, _ = scrubdesk("roles", "list", proj)
    assert (
        listed["count"] == 2
        and {"carol": "reviewer"}.items() <= {r["os_user"]: r["role"] for r in listed["roles"]}.items()
    )
    revoked, _, _ = scrubdesk("roles", "revoke", proj, "carol")
    assert revoked["previous_role"] == "reviewer"
    refused, _, stderr = scrubdesk("roles", "revoke", proj, current_os_user(), check=False)
    assert refused["_exit"] == 2 and refused["error_type"] == "InputError" and "only admin" in stderr
