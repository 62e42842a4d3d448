"""The audit log's anchor file (DIR/audit.head): deleted newest entries, a tampered anchor, a lagging
anchor after a crash, a wrong key, a damaged store, and `scrubdesk audit verify/show`."""

from __future__ import annotations

import json

import pytest

from scrubdesk.core.audit_log import (
    ANCHOR_CREATED,
    ANCHOR_FILE,
    AuditLog,
    audit_actions,
    audit_entries,
    count_entries,
    parse_receipt,
)
from scrubdesk.core.db.maintenance import page_size as page_size_of
from scrubdesk.core.errors import InputError, StoreDamagedError, WrongKeyError
from scrubdesk.core.keys import KeyVault, ProjectKeys
from scrubdesk.core.project import STORE_FILE, Project
from tests.builders import (
    audit_row,
    delete_audit_entries,
    swap_audit_entries,
    table_root_page,
    tamper_audit_entry,
)
from tests.helpers import scrubdesk


def _append(project, *actions: str) -> None:
    with project.store() as store:
        log = AuditLog(store, project.keys.id_key)
        with store.transaction():
            for action in actions:
                log.append(action, objects=["abc123"], details={"n": 1})


def _check(project, **kwargs):
    with project.store() as store:
        return AuditLog(store, project.keys.id_key).check(**kwargs)


def _anchor(project) -> dict:
    return json.loads((project.path / ANCHOR_FILE).read_text())


def _tamper(project, tamper, *args, **kwargs) -> None:
    with project.store() as store:
        tamper(store, *args, **kwargs)


def _flip_a_digit_in_details(store, seq: int) -> None:
    tamper_audit_entry(store, seq, details=audit_row(store, seq).details.replace("1", "2"))


def test_project_creation_is_the_first_entry_and_is_anchored(project):
    status = _check(project)
    assert status.ok and status.entries == 1 and status.anchor_seq == 1
    with project.store() as store:
        (first,) = audit_entries(store)
    assert first.action == "project_created" and first.objects == (project.project_id,)
    assert _anchor(project)["seq"] == 1


def test_anchor_moves_only_after_the_commit(project):
    with project.store() as store:
        log = AuditLog(store, project.keys.id_key)
        with store.transaction():
            log.append("import")
            log.append("label")
            assert _anchor(project)["seq"] == 1  # not yet: the entries are not committed
        assert _anchor(project)["seq"] == 3
        with pytest.raises(RuntimeError), store.transaction():
            log.append("export")
            raise RuntimeError("the audited work failed")
    assert _anchor(project)["seq"] == 3
    status = _check(project)
    assert status.ok and status.entries == 3 and status.anchor_seq == 3


def test_append_outside_a_transaction_anchors_at_once(project):
    with project.store() as store:
        AuditLog(store, project.keys.id_key).append("stats")
    assert _anchor(project)["seq"] == 2
    assert _check(project).ok


def test_one_flipped_byte_in_an_entry_is_detected(project):
    _append(project, "import", "label", "export")
    _tamper(project, _flip_a_digit_in_details, 3)
    status = _check(project)
    assert [(p.seq, p.problem) for p in status.problems] == [(3, "entry content does not match its MAC")]


def test_deleting_the_last_entry_is_detected(project):
    _append(project, "import", "label", "export")
    _tamper(project, delete_audit_entries, 4, 4)
    status = _check(project)
    assert not status.ok
    assert [p.problem for p in status.problems] == [
        "entries after 3 were deleted: the anchor records entry 4"
    ]


def test_deleting_the_last_entries_then_working_on_keeps_the_evidence(project):
    _append(project, "import", "label", "export")
    _tamper(project, delete_audit_entries, 3)
    _append(project, "import", "train", "predict")  # seq 3-5 again, with other MACs
    assert _anchor(project)["seq"] == 4  # the anchor was not moved over the evidence
    problems = _check(project).problems
    assert [p.seq for p in problems] == [4]
    assert "not the one the anchor recorded" in problems[0].problem


def test_reordered_entries_are_detected(project):
    _append(project, "import", "label", "export")
    _tamper(project, swap_audit_entries, 2, 4)
    problems = _check(project).problems
    assert problems and {p.seq for p in problems} >= {2}


@pytest.mark.parametrize(
    "tamper",
    [
        lambda a: {**a, "seq": a["seq"] + 5},  # claims more entries, keeping the old MAC
        lambda a: {**a, "mac": ("0" if a["mac"][0] != "0" else "1") + a["mac"][1:]},
        lambda a: "not json at all",
    ],
    ids=["seq", "mac", "garbage"],
)
def test_a_tampered_anchor_is_detected_and_kept_as_evidence(project, tamper):
    _append(project, "import")
    changed = tamper(_anchor(project))
    text = changed if isinstance(changed, str) else json.dumps(changed)
    (project.path / ANCHOR_FILE).write_text(text)
    status = _check(project)
    assert [(p.seq, p.problem) for p in status.problems] == [
        (0, f"anchor tampered: {ANCHOR_FILE} does not match its MAC")
    ]
    _append(project, "label")  # later work must not overwrite the evidence
    assert (project.path / ANCHOR_FILE).read_text() == text
    assert not _check(project).ok


def test_a_missing_anchor_is_reported_and_its_recreation_is_in_the_chain(project):
    _append(project, "import")
    (project.path / ANCHOR_FILE).unlink()
    status = _check(project)
    assert [p.seq for p in status.problems] == [0]
    assert status.problems[0].problem.startswith("anchor missing")

    _append(project, "label", "export")  # like a project from before anchors: created on first append
    status = _check(project)
    assert status.ok and status.anchor_seq == 5
    with project.store() as store:
        created = audit_entries(store, action=ANCHOR_CREATED)
    assert [(e.seq, e.details) for e in created] == [(3, {"entries_before": 2})]  # one, not one per append


def test_an_anchor_behind_the_store_is_a_note_and_is_re_anchored(project):
    _append(project, "import")
    old = (project.path / ANCHOR_FILE).read_text()
    _append(project, "label", "export")
    (project.path / ANCHOR_FILE).write_text(old)  # as if the process died between COMMIT and the write
    status = _check(project, reanchor=False)
    assert status.ok and status.anchor_seq == 2 and len(status.notes) == 1 and not status.reanchored
    status = _check(project)
    assert status.ok and status.reanchored and "harmless" in status.notes[0]
    assert _anchor(project)["seq"] == 4
    assert _check(project).notes == ()


def test_a_failing_anchor_write_does_not_fail_the_committed_work(project, monkeypatch):
    def broken(self, seq, mac):
        raise OSError("disk full")

    monkeypatch.setattr(AuditLog, "_write_anchor", broken)
    _append(project, "import")  # no exception: the work and its entry are committed
    monkeypatch.undo()
    with project.store() as store:
        assert count_entries(store) == 2
    status = _check(project)
    assert status.ok and status.reanchored


def test_another_id_key_is_a_clear_error_not_tampering(project):
    _append(project, "import", "label")
    with project.store() as store, pytest.raises(WrongKeyError, match="ID key"):
        AuditLog(store, b"\x01" * 32).check()


def test_forged_entries_without_the_key_are_detected(project):
    _append(project, "import", "label")
    with project.store() as store:
        forger = AuditLog(store, b"\x01" * 32)  # recomputes the MAC of its edit with a guessed key
        row = audit_row(store, 3)
        fields = {
            "seq": row.seq, "at": row.at, "os_user": row.os_user, "role": row.role, "action": "nothing",
            "objects": row.objects, "details": row.details,
        }  # fmt: skip
        tamper_audit_entry(store, 3, action="nothing", mac=forger._mac(row.prev_mac, fields))
        problems = AuditLog(store, project.keys.id_key).verify()
    assert [p.seq for p in problems] == [3, 3]  # its MAC, and the anchor no longer matches entry 3


def _flip_byte_in_audit_pages(project) -> int:
    with project.store() as store:
        root = table_root_page(store, "audit_log")
        page_size = page_size_of(store)
    store_file = project.path / STORE_FILE
    assert not store_file.with_name(STORE_FILE + "-wal").exists()  # everything is in the main file
    data = bytearray(store_file.read_bytes())
    data[(root - 1) * page_size + page_size // 2] ^= 0x01
    store_file.write_bytes(bytes(data))
    return root


def test_a_flipped_byte_in_the_store_file_is_a_clear_damaged_error(project):
    _append(project, *(f"action{i}" for i in range(20)))
    page = _flip_byte_in_audit_pages(project)
    reopened = Project.open(project.path)  # page 1 is intact: the store opens
    with reopened.store() as store:
        with pytest.raises(StoreDamagedError) as caught:
            AuditLog(store, reopened.keys.id_key).check()
        with pytest.raises(StoreDamagedError):
            audit_entries(store)
    message = str(caught.value)
    assert "damaged" in message and f"page {page}" in message and "backup" in message


def test_audit_show_pages_and_filters(project):
    _append(project, "import", "label", "label", "export")
    with project.store() as store:
        newest = audit_entries(store, limit=2)
        labels = audit_entries(store, action="label", newest_first=False)
        assert count_entries(store) == 5 and count_entries(store, "label") == 2
        assert audit_actions(store) == ["export", "import", "label", "project_created"]
        page2 = audit_entries(store, offset=2, limit=2)
    assert [e.seq for e in newest] == [5, 4] and [e.seq for e in page2] == [3, 2]
    assert [e.seq for e in labels] == [3, 4]
    assert labels[0].objects == ("abc123",) and labels[0].details == {"n": 1}
    assert labels[0].as_dict()["objects"] == ["abc123"]


# --- the command line ------------------------------------------------------------------------------------


def test_cli_audit_verify_and_show(tmp_path):
    proj = tmp_path / "proj"
    scrubdesk("init", proj)
    summary, _, _ = scrubdesk("audit", "verify", proj)
    assert summary["ok"] and summary["entries"] == 1 and summary["anchor_seq"] == 1
    shown, stdout, _ = scrubdesk("audit", "show", proj, "--limit", "5")
    assert shown["shown"] == 1 and shown["entries"][0]["action"] == "project_created"
    assert len(stdout.strip().splitlines()) == 1

    (proj / ANCHOR_FILE).write_text("{}")
    summary, _, stderr = scrubdesk("audit", "verify", proj, check=False)
    assert summary["_exit"] == 1 and not summary["ok"] and summary["problems"] == 1
    assert "anchor tampered" in stderr


@pytest.mark.real_keyring
def test_cli_wrong_or_corrupted_key_is_a_clear_error(tmp_path):
    vault = KeyVault()
    a = Project.create(tmp_path / "a", vault=vault)
    b = Project.create(tmp_path / "b", vault=vault)
    _append(a, "import", "label")
    cases = [  # (what the keyring holds for project a, what the error says)
        (b.keys.to_secret(), "does not open"),
        (ProjectKeys(db_key=a.keys.db_key, id_key=b.keys.id_key).to_secret(), "ID key"),
        ('{"v": 1, "db": "zz', "not a Scrubdesk key"),
    ]
    for secret, says in cases:
        vault.backend.set_password("scrubdesk", f"project:{a.project_id}", secret)
        summary, _, stderr = scrubdesk("audit", "verify", a.path, check=False)
        assert summary["_exit"] == 2, says
        assert summary["error_type"] == "WrongKeyError" and says in summary["error"]
        assert stderr.startswith("error: ") and "Traceback" not in stderr and "internal error" not in stderr


def test_cli_damaged_store_exits_2_with_a_clear_message(project, capsys):
    from scrubdesk.gui.cli import main

    _append(project, *(f"action{i}" for i in range(20)))
    _flip_byte_in_audit_pages(project)
    assert main(["audit", "verify", str(project.path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: the encrypted store") and "is damaged" in err and "Traceback" not in err


def test_a_receipt_catches_an_older_anchor_restored_with_the_tail_deleted(project):
    _append(project, "import", "label", "export")
    older_anchor = (project.path / ANCHOR_FILE).read_bytes()
    _append(project, "train", "predict")
    receipt = _check(project).receipt
    assert receipt.startswith("6:")
    _tamper(project, delete_audit_entries, 5)
    (project.path / ANCHOR_FILE).write_bytes(older_anchor)
    assert _check(project).ok  # the files alone cannot tell: the anchor and the log agree again
    with project.store() as store:
        log = AuditLog(store, project.keys.id_key)
        problem = log.check_receipt(*parse_receipt(receipt))
        assert problem is not None and "log ends at 4: entries were deleted" in problem.problem
        assert log.check_receipt(*parse_receipt(f"4:{_anchor(project)['entry_mac']}")) is None
    _append(project, "erase", "purge")  # the same seq numbers again, other content
    with project.store() as store:
        problem = AuditLog(store, project.keys.id_key).check_receipt(*parse_receipt(receipt))
    assert problem is not None and "not the one the receipt recorded" in problem.problem


@pytest.mark.parametrize("text", ["", "6", "x:abc", "0:" + "a" * 64, "6:" + "z" * 64, "6:abc"])
def test_a_malformed_receipt_is_a_clear_error(text):
    with pytest.raises(InputError, match="not an audit receipt"):
        parse_receipt(text)


def test_cli_audit_verify_prints_and_checks_receipts(tmp_path):
    proj = tmp_path / "proj"
    scrubdesk("init", proj)
    summary, _, stderr = scrubdesk("audit", "verify", proj)
    receipt = summary["receipt"]
    assert receipt.startswith("1:") and receipt in stderr
    summary, _, _ = scrubdesk("audit", "verify", proj, "--receipt", receipt)
    assert summary["ok"] and summary["receipts_checked"] == 1 and summary["receipt_problems"] == 0
    forged = receipt[:-1] + ("0" if receipt[-1] != "0" else "1")
    summary, _, stderr = scrubdesk("audit", "verify", proj, "--receipt", forged, check=False)
    assert summary["_exit"] == 1 and not summary["ok"] and summary["receipt_problems"] == 1
    assert "not the one the receipt recorded" in stderr
    summary, _, stderr = scrubdesk("audit", "verify", proj, "--receipt", "nonsense", check=False)
    assert summary["_exit"] == 2 and "not an audit receipt" in stderr
