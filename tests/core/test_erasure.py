"""Right to erasure: finding a data subject, erasing every trace, the signed certificate, verification."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import json
import urllib.parse
import zipfile
from pathlib import Path

import pytest

from scrubdesk.core.audit_log import current_os_user
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db.audit import count_entries
from scrubdesk.core.db.erasures import list_erasures
from scrubdesk.core.db.exports import get_export
from scrubdesk.core.db.maintenance import count_table
from scrubdesk.core.db.messages import (
    all_ids,
    count_messages,
    field_text,
    first_id,
    id_of_key,
    key_state,
    texts,
)
from scrubdesk.core.db.reviews import decide
from scrubdesk.core.db.spans import record_analysis
from scrubdesk.core.db.trained_models import list_models, record_model
from scrubdesk.core.erasure import (
    erase_subject,
    find_subject,
    verify_certificate,
    verify_erasure,
)
from scrubdesk.core.errors import InputError, PermissionDeniedError
from scrubdesk.core.importer import run_import
from scrubdesk.core.ingest.records import ImportOptions
from scrubdesk.core.roles import grant
from scrubdesk.core.subject_search import SubjectQuery
from scrubdesk.core.synthetic import generate, write_csv, write_mbox
from scrubdesk.core.trace_scan import Needles, scan_sqlcipher_pages
from tests.builders import (
    add_export,
    add_quarantined,
    add_span,
    audit_rows,
    reader_holding_a_snapshot,
    rows_about,
    secure_delete_off,
    store_dump,
    table_rows,
)
from tests.helpers import scrubdesk

NAME = "Zebedee Quillfeather"
ADDRESS = "zq.canary@example.org"
PLANTED = (NAME, ADDRESS)


@dataclasses.dataclass
class Planted:
    """A project with the subject planted in some messages, and the IDs of every kind of mention."""

    project: object
    ids: dict[str, int]  # role of the planted message -> message id
    model_with: int
    model_without: int
    export_id: int
    export_file: Path


def _mbox_emails() -> list:
    emails = list(generate(40, seed=11))

    def plant(i: int, **changes) -> None:
        emails[i] = dataclasses.replace(emails[i], **changes)

    plant(3, from_addr=ADDRESS, from_name=NAME, message_id="<from@planted>")
    plant(7, to_addr=ADDRESS, message_id="<to@planted>")
    plant(
        11,
        body=emails[11].body + "\nPlease write to ZQ.Canary@Example.ORG today.",
        message_id="<addr@planted>",
    )
    plant(15, body=emails[15].body + "\nRegards,\nZEBEDEE\n   quillfeather", message_id="<name@planted>")
    plant(19, body=emails[19].body + "\nQuillfeather, Zebedee (account holder)", message_id="<rev@planted>")
    plant(23, body=emails[23].body + "\nMr Quillfeather rang again.", message_id="<surname@planted>")
    plant(27, body=emails[27].body + "\nHis login is zq.canary at the portal.", message_id="<local@planted>")
    return emails


def _message_id(store, rfc822_id: str, project) -> int:
    return int(id_of_key(store, project.ids.message_id(rfc822_id)))


@pytest.fixture
def planted(project, tmp_path) -> Planted:
    mbox, csv = tmp_path / "inbox.mbox", tmp_path / "labelled.csv"
    write_mbox(mbox, _mbox_emails())
    labelled = list(generate(8, seed=12))
    labelled[2] = dataclasses.replace(labelled[2], body=labelled[2].body + f"\nSigned: {NAME}")
    write_csv(csv, labelled)
    run_import(project, [mbox])
    run_import(project, [csv], ImportOptions(text_column="text", label_column="category", id_column="id"))
    roles = {
        "from": "<from@planted>",
        "to": "<to@planted>",
        "addr_text": "<addr@planted>",
        "name_text": "<name@planted>",
        "reversed": "<rev@planted>",
        "surname_only": "<surname@planted>",
        "local_part_only": "<local@planted>",
    }
    now = utc_now()
    with project.store() as store:
        ids = {role: _message_id(store, rid, project) for role, rid in roles.items()}
        ids["csv"] = next(
            t.id
            for t in sorted(texts(store, all_ids(store)), key=lambda t: t.id)
            if t.label is not None and NAME.lower() in t.body.lower()
        )
        other = first_id(store)
        rev_body = field_text(store, ids["reversed"], "body")
        with store.transaction() as conn:
            start = rev_body.index("Quillfeather, Zebedee")
            end = start + len("Quillfeather, Zebedee")
            add_span(conn, ids["reversed"], "body", start, end, "PERSON", score=0.9)
            record_analysis(conn, ids["from"], "fp", now)
            decide(
                conn,
                ids["from"],
                status="approved",
                fingerprint="fp",
                reviewer=current_os_user(),
                role="admin",
                comment=None,
                at=now,
            )
            common = {"created_at": now, "labels": ["a"], "metrics": {}, "audit": {}, "settings": {}}
            with_subject = record_model(
                conn, path="models/m1.skops", msg_list_digest="d1", member_ids=[ids["from"], other], **common
            )
            without = record_model(
                conn, path="models/m2.skops", msg_list_digest="d2", member_ids=[other], **common
            )
            export_file = tmp_path / "exports" / "labels.csv"
            export_file.parent.mkdir()
            keys = [key_state(store, m).msg_key for m in (ids["csv"], other)]
            export_file.write_text(
                "msg_key,label\n" + "".join(f"{k},billing\n" for k in keys), encoding="utf-8"
            )
            export_id = add_export(
                conn,
                path=str(export_file),
                n_rows=2,
                created_at=now,
                os_user=current_os_user(),
                file_sha256=hashlib.sha256(export_file.read_bytes()).hexdigest(),
                members=(ids["csv"], other),
            )
            add_quarantined(
                conn,
                item_key="q1",
                location=f"/mail/{ADDRESS}.eml",
                reason="parse_error",
                detail="bad header",
                created_at=now,
            )
    return Planted(project, ids, with_subject, without, int(export_id), export_file)


def _snapshot(project, exclude: set[int]) -> list[tuple]:
    with project.store() as store:
        rows = table_rows(store, "messages")
    return [r for r in rows if r[0] not in exclude]


def _dump(project) -> str:
    with project.store() as store:
        return store_dump(store)


def _contains_any(text: str, values) -> list[str]:
    return [v for v in values if v.lower() in text.lower()]


def test_preview_finds_every_kind_of_mention_and_shows_counts_only(planted):
    project, ids = planted.project, planted.ids
    with project.store() as store:
        by_address = find_subject(project, store, "  ZQ.Canary@example.org ")
        by_name = find_subject(project, store, "Mrs zebedee  QUILLFEATHER")
    # The address wrote under the display name "Zebedee Quillfeather": the person is found by that name
    # too (its own message included), with its variants ("Mr Quillfeather"), not only by the address.
    mentions = {ids["name_text"], ids["reversed"], ids["surname_only"], ids["csv"]}
    assert set(by_address.message_ids) == {ids["from"], ids["to"], ids["addr_text"], *mentions}
    assert by_address.reasons == {
        "subject_key": 2, "header": 2, "sender_name": 0, "pii_span": 0, "text": 1, "name_variant": 5,
        "identifier": 0,
    }  # fmt: skip
    assert by_address.names == 1
    assert by_address.models == (planted.model_with,) and by_address.exports == (planted.export_id,)
    assert set(by_name.message_ids) == {ids["from"], *mentions}
    assert by_name.reasons["sender_name"] == 1 and by_name.reasons["pii_span"] == 1
    assert by_name.reasons["name_variant"] == 1  # "Mr Quillfeather"
    assert by_name.exports == (planted.export_id,) and by_name.n_spans == 1
    # an address's local part never selects a message
    assert ids["local_part_only"] not in by_address.message_ids
    preview = json.dumps([by_address.as_dict(), by_name.as_dict(), repr(by_name)]).lower()
    assert _contains_any(preview, [*PLANTED, "quillfeather"]) == []


def test_erase_by_address_removes_every_trace_and_marks_lineage_stale(planted):
    project, ids = planted.project, planted.ids
    # the address's own messages, and every mention of the name it wrote under (see the preview test)
    erased = {ids[k] for k in ("from", "to", "addr_text", "name_text", "reversed", "surname_only", "csv")}
    others_before = _snapshot(project, exclude=erased)
    assert ADDRESS in _dump(project).lower()  # the checks below are not vacuous
    with project.store() as store:
        pages = scan_sqlcipher_pages(store.path, project.keys.db_key, Needles([ADDRESS]), page_size=4096)
    assert sum(p.hits for p in pages.values()) > 0

    result = erase_subject(project, ADDRESS)

    assert result.counts["messages"] == 7 and result.counts["quarantine"] == 1
    assert result.counts["reviews"] == 1 and result.counts["analysis_state"] == 1
    assert result.counts["model_members"] == 1
    assert result.ok and result.verification.ok
    with project.store() as store:
        left = set(all_ids(store))
        for table in ("spans", "analysis_state", "reviews", "message_subjects", "model_members"):
            assert rows_about(store, table, list(erased)) == 0, table
        erasure = list_erasures(store)[0]
    assert not erased & left and ids["local_part_only"] in left
    assert _snapshot(project, exclude=erased) == others_before  # other messages untouched
    with project.store() as store:
        stale = {m.id: m.stale for m in list_models(store)}
    assert stale == {planted.model_with: True, planted.model_without: False}
    assert erasure.n_messages == 7 and (project.path / erasure.certificate_path) == result.path
    assert result.exports_rewritten == (planted.export_id,) and result.exports_remaining == ()

    for value in (ADDRESS, ADDRESS.upper()):
        assert value.lower() not in _dump(project).lower()
    assert project.ids.subject_id(ADDRESS) not in _dump(project)
    for name in ("store.sdb", "store.sdb-wal"):
        file = project.path / name
        if file.exists():
            data = file.read_bytes()
            assert ADDRESS.encode() not in data and ADDRESS.encode("utf-16-le") not in data
    with project.store() as store:
        pages = scan_sqlcipher_pages(store.path, project.keys.db_key, Needles([ADDRESS]), page_size=4096)
    assert all(p.hits == 0 and p.undecryptable == 0 for p in pages.values())
    assert verify_erasure(project, ADDRESS).ok


def test_erase_by_name_follows_its_variants_and_rewrites_the_export(planted):
    project, ids = planted.project, planted.ids
    with project.store() as store:
        erased_key = key_state(store, ids["csv"]).msg_key
    assert erased_key in planted.export_file.read_text()
    result = erase_subject(project, NAME)
    assert result.counts["messages"] == 5 and result.counts["spans"] == 1 and result.counts["labels"] == 1
    assert result.ok and result.exports_rewritten == (planted.export_id,)
    with project.store() as store:
        left = set(all_ids(store))
        export = get_export(store, planted.export_id)
        export_stale, members = export.stale, export.members
    assert ids["surname_only"] not in left and ids["to"] in left  # "Mr Quillfeather" is a variant
    assert export_stale == 1 and members == 1
    exported = planted.export_file.read_text()
    assert erased_key not in exported and exported.count("\n") == 2  # the header and the other row
    dump = _dump(project).lower()
    assert "zebedee" not in dump and "quillfeather" not in dump
    assert verify_erasure(project, NAME).ok and verify_erasure(project, "Quillfeather, Zebedee").ok


def test_certificate_holds_no_personal_data_verifies_and_detects_tampering(planted, tmp_path):
    project = planted.project
    result = erase_subject(project, ADDRESS)
    json_file, md_file = result.path, result.path.with_suffix(".md")
    assert json_file.parent == project.path / "certificates" and md_file.is_file()
    secrets = [*PLANTED, project.ids.subject_id(ADDRESS), urllib.parse.quote(ADDRESS)]
    for file in (json_file, md_file):
        assert _contains_any(file.read_text(encoding="utf-8"), secrets) == []
    body = json.loads(json_file.read_text())
    assert body["what"]["erased"]["messages"] == 7
    assert body["what"]["models_marked_stale"] == [planted.model_with]
    assert body["by"] == {"os_user": current_os_user(), "role": "admin"}
    assert body["where"]["project_path"] == str(project.path) and body["verification"]["ok"] is True
    assert verify_certificate(project, json_file).ok

    original = json_file.read_bytes()
    digit = original.index(b'"messages": 7') + len(b'"messages": ')
    space = original.index(b'\n  "') + 1
    for position, new in ((digit, b"4"), (space, b"\t"), (len(original) - 1, b" ")):
        tampered = bytearray(original)
        tampered[position : position + 1] = new
        json_file.write_bytes(bytes(tampered))
        check = verify_certificate(project, json_file)
        assert not check.ok and check.problems, position
    json_file.write_bytes(original)
    assert verify_certificate(project, json_file).ok


def test_audit_entry_has_counts_only(planted):
    project = planted.project
    erase_subject(project, NAME)
    with project.store() as store:
        rows = [(row.objects, row.details) for row in audit_rows(store, "erase")]
    assert len(rows) == 1
    objects, details = rows[0]
    assert json.loads(objects) == [] and json.loads(details)["messages"] == 5
    assert _contains_any(objects + details, [*PLANTED, "quillfeather"]) == []


def test_dry_run_changes_nothing(planted):
    project = planted.project
    before = _snapshot(project, exclude=set())
    preview = erase_subject(project, ADDRESS, dry_run=True)
    assert preview.dry_run and preview.path is None and preview.match.n_messages == 7
    assert _snapshot(project, exclude=set()) == before
    assert not (project.path / "certificates").exists()
    with project.store() as store:
        assert count_entries(store, "erase.preview") == 1
        assert sum(m.stale for m in list_models(store)) == 0


def test_annotator_is_refused_everything(planted):
    project = planted.project
    with project.store() as store, store.transaction() as conn:
        grant(conn, current_os_user(), "annotator", granted_by="test", at=utc_now())
    before = _snapshot(project, exclude=set())
    with pytest.raises(PermissionDeniedError):
        erase_subject(project, ADDRESS)
    with pytest.raises(PermissionDeniedError):
        erase_subject(project, ADDRESS, dry_run=True)
    with pytest.raises(PermissionDeniedError):
        verify_erasure(project, ADDRESS)
    with project.store() as store, pytest.raises(PermissionDeniedError):
        find_subject(project, store, ADDRESS)
    assert _snapshot(project, exclude=set()) == before


@pytest.mark.parametrize("query", ["Quillfeather", "Mr Quillfeather", "zq@", "a@b@c.org", "   "])
def test_ambiguous_or_malformed_subjects_are_refused_without_echo(query):
    with pytest.raises(InputError) as info:
        SubjectQuery.parse(query)
    assert query.strip() == "" or query.lower() not in str(info.value).lower()


def test_verification_accepts_other_identifiers():
    assert SubjectQuery.parse("07700 900123", any_value=True).kind == "value"
    with pytest.raises(InputError):
        SubjectQuery.parse("07700 900123")


def _b64_inside(value: bytes) -> bytes:
    return b"data:" + base64.b64encode(b"x" + value + b"yz")  # not aligned to a base64 group


def _zip_with(value: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("vocabulary.json", b'{"tokens": ["' + value + b'"]}')
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        lambda v: b"note: " + v.upper(),
        lambda v: v.decode().encode("utf-16-le"),
        lambda v: urllib.parse.quote(v.decode()).encode(),
        _b64_inside,
        _zip_with,
    ],
    ids=["upper", "utf16", "url", "base64", "zip"],
)
def test_verification_finds_a_trace_left_in_any_file_in_any_encoding(planted, content):
    project = planted.project
    erase_subject(project, ADDRESS)
    (project.path / "left-behind.bin").write_bytes(content(ADDRESS.encode()))
    report = verify_erasure(project, ADDRESS)
    assert not report.ok and report.file_hits == {"left-behind.bin": report.file_hits["left-behind.bin"]}
    assert report.file_hits["left-behind.bin"] >= 1


def test_verification_finds_traces_in_exports_and_the_store_before_erasure(planted):
    project = planted.project
    planted.export_file.write_text(f"msg_key,label\nx,{ADDRESS}\n", encoding="utf-8")
    report = verify_erasure(project, ADDRESS)
    assert not report.ok and report.subject_messages == 7
    assert {"messages.from_addr", "messages.to_addrs", "messages.body", "quarantine.location"} <= set(
        report.store_hits
    )
    assert report.keyed_id_hits == {"message_subjects.subject_key": 2}
    assert report.page_hits.get("store.sdb", 0) + report.page_hits.get("store.sdb-wal", 0) > 0
    assert any(place.startswith(f"export {planted.export_id}:") for place in report.file_hits)
    assert "zq.canary" not in json.dumps(report.as_dict())


@pytest.mark.slow
def test_cli_erase_and_verify(tmp_path):
    emails = _mbox_emails()
    write_mbox(tmp_path / "inbox.mbox", emails)
    project_dir = tmp_path / "proj"
    scrubdesk("init", project_dir)
    scrubdesk("import", project_dir, tmp_path / "inbox.mbox")
    outputs: list[str] = []

    refused, out, err = scrubdesk("erase", project_dir, "--subject", ADDRESS, check=False)
    outputs += [out, err]
    assert refused["_exit"] == 2 and "--yes" in refused["error"]
    preview, out, err = scrubdesk("erase", project_dir, "--subject", ADDRESS, "--dry-run")
    outputs += [out, err]
    assert preview["dry_run"] and preview["messages"] == 6  # 3 with the address, 3 naming its sender
    erased, out, err = scrubdesk("erase", project_dir, "--subject", ADDRESS, "--yes")
    outputs += [out, err]
    assert erased["ok"] and erased["messages"] == 6 and Path(erased["certificate"]).is_file()
    verified, out, err = scrubdesk("verify-erasure", project_dir, "--subject", ADDRESS)
    outputs += [out, err]
    assert verified["ok"] and verified["checked"]["pages"] > 0
    cert, out, err = scrubdesk("verify-erasure", project_dir, "--certificate", erased["certificate"])
    assert cert["ok"]

    (project_dir / "notes.txt").write_text(f"remember {ADDRESS}\n", encoding="utf-8")
    failed, out, err = scrubdesk("verify-erasure", project_dir, "--subject", ADDRESS, check=False)
    outputs += [out, err]
    assert failed["_exit"] == 1 and not failed["ok"] and failed["file_hits"] == {"notes.txt": 1}
    assert _contains_any("\n".join(outputs), PLANTED) == []


def test_without_secure_delete_and_vacuum_the_page_scan_finds_the_residue(planted, monkeypatch):
    """What the decrypted-page check is for: rows that SQL no longer returns but the file still holds."""
    from scrubdesk.core.db import erasures, maintenance

    delete = erasures.delete_messages

    def careless_delete(conn, message_ids):
        secure_delete_off(conn)
        return delete(conn, message_ids)

    monkeypatch.setattr(erasures, "delete_messages", careless_delete)
    monkeypatch.setattr(maintenance, "wipe_free_space", lambda store: {"vacuumed": False})
    result = erase_subject(planted.project, ADDRESS)
    report = result.verification
    assert not result.ok and report.store_hits == {} and report.subject_messages == 0
    assert sum(report.page_hits.values()) > 0
    assert ADDRESS not in _dump(planted.project).lower()  # invisible to SQL, yet recoverable from the file


def test_a_reader_holding_old_pages_is_reported_and_verify_finishes_the_job_later(planted):
    project = planted.project
    with project.store() as reader, reader_holding_a_snapshot(reader):  # from before the erasure
        result = erase_subject(project, ADDRESS)
        assert result.counts["messages"] == 7 and not result.storage["wal_truncated"]
        assert not result.ok and sum(result.verification.page_hits.values()) > 0  # honest, not hidden
        assert result.verification.store_hits == {}
    assert verify_erasure(project, ADDRESS).ok


def test_reimporting_the_same_mail_does_not_bring_erased_messages_back(project, tmp_path):
    from scrubdesk.core.importer import run_import
    from scrubdesk.core.synthetic import generate, write_eml_dir

    sender = "resurrection.check@example.org"
    emails = list(generate(8, seed=5))
    emails[:3] = [dataclasses.replace(e, from_addr=sender) for e in emails[:3]]
    folder = tmp_path / "mail"
    write_eml_dir(folder, emails)
    assert run_import(project, [folder]).imported == 8

    erase_subject(project, sender)
    again = run_import(project, [folder])

    assert (again.imported, again.erased_skipped, again.duplicates) == (0, 3, 5)
    with project.store() as store:
        assert count_messages(store) == 5
        assert count_table(store, "erased_messages") == 3
    assert verify_erasure(project, sender).ok
