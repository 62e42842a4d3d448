"""The DPO's data-inventory report: sections and numbers, every copy, no personal data, escaping."""

from __future__ import annotations

import hashlib
import re
from email.message import EmailMessage

import pytest

from scrubdesk.core.audit_log import ANCHOR_FILE, audit_entries, current_os_user
from scrubdesk.core.consent import import_consent
from scrubdesk.core.db import erasures
from scrubdesk.core.db.audit import head
from scrubdesk.core.db.settings import put_json
from scrubdesk.core.errors import PermissionDeniedError
from scrubdesk.core.importer import run_import
from scrubdesk.core.ingest.records import ImportOptions
from scrubdesk.core.inventory_report import build_inventory, render_html, write_report
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.project import Project
from scrubdesk.core.roles import change_role
from tests.builders import add_export, add_model, delete_audit_entries
from tests.helpers import scrubdesk

BODY_CANARY = "Zebulon Quartermaine lives at 14 Wombat Crescent"
SENDER = "zebulon.quartermaine@canary.example"
SENDER_NAME = "Zebulon Quartermaine"
SECTIONS = ("project", "sources", "counts", "copies", "erasures", "roles", "retention", "consent", "audit")


def _eml(n: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"{SENDER_NAME} <{SENDER}>" if n == 0 else f"customer{n}@example.org"
    msg["To"] = "support@bank.example"
    msg["Subject"] = f"Case {n}"
    msg["Message-ID"] = f"<inventory-{n}@example.org>"
    msg.set_content(f"{BODY_CANARY}. Message {n}." if n == 0 else f"Please help with case {n}.")
    return bytes(msg)


@pytest.fixture
def populated(project, tmp_path):
    """3 messages from two sources (one with <script> in its path), an export (changed on disk), a missing
    export, a model, an erasure certificate, a retention rule, a reviewer and a consent list."""
    mail = tmp_path / "mail"
    mail.mkdir()
    for n in range(2):
        (mail / f"{n}.eml").write_bytes(_eml(n))
    odd = tmp_path / "odd<script>alert(1).eml"
    odd.write_bytes(_eml(2))
    run_import(project, [mail, odd], ImportOptions(), JobControl())

    kept = tmp_path / "export-kept.csv"
    kept.write_text("msg_key,label\nabc,refund\n", encoding="utf-8")
    changed = tmp_path / "export-changed.csv"
    changed.write_text("msg_key,label\nabc,refund\n", encoding="utf-8")
    sha = hashlib.sha256(kept.read_bytes()).hexdigest()
    with project.store() as store, store.transaction() as conn:
        for path, stale in ((kept, False), (changed, True), (tmp_path / "export-gone.csv", False)):
            add_export(
                conn, path=str(path), n_rows=1, created_at="2026-11-01T10:00:00+00:00", os_user="exporter",
                msg_list_digest="digest", file_sha256=sha, stale=stale,
            )  # fmt: skip
        add_model(
            conn, n_train=1234, created_at="2026-11-02T10:00:00+00:00", path="models/triage-1.skops",
            labels=["refund", "card"], stale=True,
        )  # fmt: skip
        erasures.record(
            conn, certificate_id="cert-0001", at="2026-11-03T10:00:00+00:00", os_user="dpo", role="admin",
            n_messages=7, n_spans=11, models=[1], exports=[2],
        )  # fmt: skip
        erasures.set_certificate(conn, "cert-0001", "erasures/cert-0001.json", "x")
        put_json(conn, "retention", {"mode": "until", "until": "2027-06-30", "set_by": "dpo"})
    (project.path / "models").mkdir()
    (project.path / "models" / "triage-1.skops").write_bytes(b"model bytes")
    changed.write_text("msg_key,label\nabc,card\n", encoding="utf-8")
    change_role(project, "rita", "reviewer")
    consent = tmp_path / "consent.txt"
    consent.write_text(f"{SENDER}\nnobody@example.net\n", encoding="utf-8")
    import_consent(project, consent, list_name="web form")
    return project


def test_inventory_has_every_copy_and_the_numbers(populated, tmp_path):
    inv = build_inventory(populated)
    assert [s["messages"] for s in inv["sources"]] == [2, 1]
    assert inv["counts"]["messages"] == 3 and inv["counts"]["data_subjects"] == 4  # 3 senders + support
    exports = inv["copies"]["exports"]
    assert [(x["exists"], x["sha256_matches"], x["stale"]) for x in exports] == [
        (True, True, False),
        (True, False, True),
        (False, None, False),
    ]
    (model,) = inv["copies"]["models"]
    assert model["path"] == str(populated.path / "models" / "triage-1.skops")
    assert (model["n_train"], model["stale"], model["exists"], model["labels"]) == (1234, True, True, 2)
    (erasure,) = inv["copies"]["erasures"]
    assert erasure["certificate"] == {"exists": False, "size_bytes": None, "sha256_matches": None}
    assert erasure["models_marked_stale"] == [1] and erasure["exports_marked_stale"] == [2]
    assert inv["copies"]["store"]["size_bytes"] > 0
    folder = {f["path"] for f in inv["copies"]["folder"]["files"]}
    assert {"project.json", "store.sdb", ANCHOR_FILE, "models/triage-1.skops"} <= folder
    assert {(r["os_user"], r["role"]) for r in inv["roles"]} == {
        (current_os_user(), "admin"),
        ("rita", "reviewer"),
    }
    assert inv["retention"] == {"mode": "until", "until": "2027-06-30", "set_by": "dpo"}
    assert (inv["consent"]["subjects"], inv["consent"]["messages"]) == (2, 1)
    assert inv["audit"]["ok"] and inv["audit"]["entries"] == inv["audit"]["last_seq"] >= 4


def test_html_has_the_sections_and_no_personal_data(populated):
    page = render_html(build_inventory(populated))
    for section in SECTIONS:
        assert f'<h2 id="{section}">' in page
    assert "@media print" in page and "<style>" in page
    assert (
        "1,234" in page
        and "cert-0001" in page
        and "Keep the dataset until 2027-06-30" in page
        and "web form" in page
    )
    assert (
        "sha256 differs" in page
        and "no (deleted or moved)" in page
        and "stale: trained on messages that were later erased" in page
    )
    assert re.search(r"<th>Receipt</th><td><code>\d+:[0-9a-f]{16,}</code>", page)
    lowered = page.lower()
    for secret in (BODY_CANARY, SENDER, SENDER_NAME, "Wombat", "zebulon", "customer1@example.org"):
        assert secret.lower() not in lowered
    # self-contained: no script, no external resource of any kind
    assert "<script" not in lowered and "javascript:" not in lowered
    assert not re.search(r"\b(src|href)\s*=", lowered) and "@import" not in lowered and "url(" not in lowered
    assert "odd&lt;script&gt;alert(1).eml" in page


def test_everything_is_escaped(populated):
    inv = build_inventory(populated)
    inv["project"]["name"] = '<img src=x onerror="alert(1)">'
    inv["roles"].append({"os_user": "<b>eve</b>", "role": "admin", "granted_by": "&", "granted_at": "'"})
    inv["retention"] = {"<i>mode</i>": "<script>x</script>"}
    page = render_html(inv)
    assert "<img" not in page and "<b>eve" not in page and "<i>mode" not in page and "<script" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page and "&lt;b&gt;eve&lt;/b&gt;" in page


def test_no_retention_rule_is_said_plainly(project):
    page = render_html(build_inventory(project))
    assert "No retention rule is set" in page and "Nothing has been imported." in page
    with project.store() as store:
        put_json(store, "retention", {"mode": "none"})
    assert "No retention rule is set" in render_html(build_inventory(project))


def test_write_report_is_audited_and_needs_admin_or_reviewer(populated, tmp_path):
    out = tmp_path / "inventory.html"
    result = write_report(populated, out)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert result["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    with populated.store() as store:
        (entry,) = audit_entries(store, action="inventory_report")
    assert entry.objects == (result["sha256"],) and "inventory.html" not in repr(entry)
    assert entry.details == {"audit_ok": True, "erasures": 1, "exports": 3, "models": 1}

    change_role(populated, "dpo", "admin")
    change_role(populated, current_os_user(), "annotator")
    with pytest.raises(PermissionDeniedError, match="reviewer"):
        write_report(populated, tmp_path / "again.html")
    assert not (tmp_path / "again.html").exists()


def test_report_shows_audit_problems(populated):
    with populated.store() as store:
        delete_audit_entries(store, head(store)[0])
    inv = build_inventory(populated)
    assert not inv["audit"]["ok"]
    page = render_html(inv)
    assert "PROBLEMS FOUND" in page and "were deleted" in page


def test_cli_report(tmp_path):
    proj = tmp_path / "proj"
    scrubdesk("init", proj)
    out = tmp_path / "dpo.html"
    summary, _, _ = scrubdesk("report", proj, out)
    assert summary["ok"] and summary["path"] == str(out) and summary["audit_ok"] and summary["roles"] == 1
    assert summary["messages"] == 0 and summary["exports"] == 0
    assert '<h2 id="copies">' in out.read_text(encoding="utf-8")


@pytest.mark.real_keyring
def test_the_report_tells_where_the_key_really_is(tmp_path, isolated_keyring):
    """With the encrypted key file (no OS keyring) the report must not claim 'only in the OS keyring', and it
    lists the key file among the copies."""
    project = Project.create(tmp_path / "p")
    inventory = build_inventory(project)
    assert "not in the OS keyring" in inventory["copies"]["store"]["encryption"]
    assert inventory["copies"]["key_file"]["path"] == str(isolated_keyring)
    assert inventory["copies"]["key_file"]["exists"] is True
    page = render_html(inventory)
    assert "Encrypted key file" in page and "only in the OS keyring" not in page
