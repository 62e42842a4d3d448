"""Who acts comes from the OS account of the process, not from the environment; roles cannot be claimed by
setting LOGNAME, and an edit of the roles table that goes around Scrubdesk is caught by `audit verify`."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys

import pytest

from scrubdesk.core import identity
from scrubdesk.core.audit_log import AuditLog, audit_entries
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db import roles as role_rows
from scrubdesk.core.errors import PermissionDeniedError
from scrubdesk.core.importer import run_import
from scrubdesk.core.synthetic import generate, write_mbox
from tests.helpers import scrubdesk

OTHER_UID = 4242  # an account that holds no role (and, most likely, has no password-database entry)


def _can_map_user() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", f"--map-user={OTHER_UID}", "true"], capture_output=True).returncode == 0


needs_user_namespace = pytest.mark.skipif(not _can_map_user(), reason="needs unshare --map-user")


def _other_name() -> str:
    try:
        return pwd.getpwuid(OTHER_UID).pw_name
    except KeyError:
        return f"uid-{OTHER_UID}"


def _as_other_user(*args, env=None):
    """`scrubdesk ARGS --json` as OTHER_UID (a user namespace maps it to us, so files stay readable)."""
    cmd = [
        "unshare",
        f"--map-user={OTHER_UID}",
        f"--map-group={OTHER_UID}",
        sys.executable,
        "-m",
        "scrubdesk.gui",
    ]
    return subprocess.run(
        [*cmd, *map(str, args), "--json"], capture_output=True, text=True, env={**os.environ, **(env or {})}
    )


def test_the_account_comes_from_the_uid_not_the_environment(monkeypatch):
    monkeypatch.setenv("LOGNAME", "root")
    monkeypatch.setenv("USER", "root")
    monkeypatch.setenv("USERNAME", "root")
    identity.current_account.cache_clear()
    try:
        account = identity.current_account()
        assert account.uid == str(os.getuid())
        assert account.name == pwd.getpwuid(os.getuid()).pw_name
    finally:
        identity.current_account.cache_clear()


@needs_user_namespace
def test_claiming_a_role_through_logname_fails(tmp_path):
    proj = tmp_path / "p"
    scrubdesk("init", proj)  # this process's account is the creator, and admin
    me = pwd.getpwuid(os.getuid()).pw_name
    spoof = {"LOGNAME": me, "USER": me, "USERNAME": me}
    result = _as_other_user("roles", "grant", proj, "alice", "admin", env=spoof)
    assert result.returncode == 2, result.stderr[-2000:]
    assert '"error_type": "PermissionDeniedError"' in result.stdout.splitlines()[-1]
    assert repr(_other_name()) in result.stderr and "has no role" in result.stderr
    roles, _, _ = scrubdesk("roles", "list", proj)
    assert [r["os_user"] for r in roles["roles"]] == [me]


@needs_user_namespace
def test_someone_without_a_role_cannot_import_and_is_logged_as_who_they_are(tmp_path):
    proj = tmp_path / "p"
    scrubdesk("init", proj)
    mbox = tmp_path / "m.mbox"
    write_mbox(mbox, generate(5, seed=1))
    result = _as_other_user("import", proj, mbox)
    assert result.returncode == 2 and "PermissionDeniedError" in result.stdout.splitlines()[-1]
    stats, _, _ = scrubdesk("stats", proj)
    assert stats["messages"] == 0
    # a read anyone with the key may do: the log shows the real account, never "admin"
    shown = _as_other_user("audit", "verify", proj)
    assert shown.returncode == 0, shown.stderr[-2000:]


def test_every_entry_records_the_numeric_user_id(project):
    with project.store() as store, store.transaction():
        AuditLog(store, project.keys.id_key).append("test.entry", details={})
    with project.store() as store:
        entries = audit_entries(store, limit=5)
    assert {e.os_uid for e in entries} == {str(os.getuid())}
    assert entries[0].role == "admin"  # the creator's role, looked up, not assumed


def test_an_edit_of_the_roles_table_around_scrubdesk_is_caught(project):
    with project.store() as store:
        assert AuditLog(store, project.keys.id_key).check().ok
        with store.transaction() as conn:  # what an SQL edit would do: no role_grant entry
            role_rows.grant(conn, "mallory", "admin", granted_by="mallory", at=utc_now())
        status = AuditLog(store, project.keys.id_key).check()
    assert not status.ok
    assert any("'mallory' has role 'admin'" in p.problem for p in status.problems)


def test_a_user_without_a_role_is_refused_before_anything_is_read(project, tmp_path):
    mbox = tmp_path / "m.mbox"
    write_mbox(mbox, generate(3, seed=2))
    me = pwd.getpwuid(os.getuid()).pw_name
    with project.store() as store, store.transaction() as conn:
        role_rows.revoke(conn, me)
    with pytest.raises(PermissionDeniedError, match="has no role"):
        run_import(project, [mbox])
