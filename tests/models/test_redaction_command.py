"""`scrubdesk redaction`: show and set the project's operator per entity type (admin, audit-logged)."""

from __future__ import annotations

import json

import pytest

from scrubdesk.core.errors import InputError, PermissionDeniedError
from scrubdesk.core.redaction_policy import redaction_policy
from scrubdesk.core.roles import grant
from scrubdesk.models.cli.pii import parse_changes, set_redaction_policy
from tests.builders import audit_rows
from tests.helpers import scrubdesk


def test_parse_changes_normalises_and_rejects_unknowns():
    assert parse_changes(["person=Surrogate", "DEFAULT=mask", "UK_POSTCODE=coarsen"]) == {
        "PERSON": "surrogate",
        "default": "mask",
        "UK_POSTCODE": "coarsen",
    }
    with pytest.raises(InputError, match="unknown entity type"):
        parse_changes(["NOT_A_LABEL=mask"])
    with pytest.raises(InputError, match="unknown operator"):
        parse_changes(["PERSON=shred"])
    with pytest.raises(InputError, match="LABEL=OPERATOR"):
        parse_changes(["PERSON"])


def test_set_reset_and_audit(project):
    policy, _ = set_redaction_policy(project, {"PERSON": "surrogate", "default": "mask"})
    assert policy.operator("PERSON") == "surrogate" and policy.operator("EMAIL_ADDRESS") == "mask"
    set_redaction_policy(project, {"UK_POSTCODE": "coarsen"})
    with project.store() as store:
        stored = redaction_policy(store)
        assert stored.operator("PERSON") == "surrogate"  # earlier settings are kept
        assert stored.operator("UK_POSTCODE") == "coarsen"
        assert stored.default == "mask"
    policy, _ = set_redaction_policy(project, {"PERSON": "hash"}, reset=True)
    assert policy.as_setting() == {"default": "placeholder", "PERSON": "hash"}
    with project.store() as store:
        rows = [(row.action, row.details) for row in audit_rows(store, "redaction.set")]
    assert len(rows) == 3
    assert json.loads(rows[-1][1])["reset"] is True
    assert json.loads(rows[-1][1])["policy"] == {"default": "placeholder", "PERSON": "hash"}


def test_changing_the_policy_needs_the_admin_role(project):
    from scrubdesk.core.audit_log import current_os_user

    with project.store() as store, store.transaction() as conn:
        grant(conn, current_os_user(), "reviewer", granted_by="test", at="now")
    with pytest.raises(PermissionDeniedError, match="admin"):
        set_redaction_policy(project, {"PERSON": "mask"})
    with project.store() as store:
        assert redaction_policy(store).operator("PERSON") == "placeholder"


@pytest.mark.slow
def test_redaction_command(tmp_path):
    proj = tmp_path / "proj"
    scrubdesk("init", proj)
    summary, _, stderr = scrubdesk("redaction", proj)
    assert summary["changed"] is False and summary["effective"]["PERSON"] == "placeholder"
    assert summary["models_marked_stale"] == []
    assert "PERSON" in stderr or "PERSON" in summary["effective"]
    summary, _, _ = scrubdesk("redaction", proj, "--set", "PERSON=surrogate", "--set", "default=mask")
    assert summary["changed"] is True
    assert summary["policy"] == {"default": "mask", "PERSON": "surrogate"}
    assert summary["effective"]["EMAIL_ADDRESS"] == "mask"
    summary, _, _ = scrubdesk("redaction", proj, "--reset")
    assert summary["policy"] == {"default": "placeholder"}
    summary, _, _ = scrubdesk("redaction", proj, "--set", "PERSON=bogus", check=False)
    assert summary["_exit"] == 2
