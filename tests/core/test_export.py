"""ID-only export: columns, formats, rows, registration, the leak guard's refusals and atomic writing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from scrubdesk.core.audit_log import AuditLog, current_os_user
from scrubdesk.core.db.audit import count_entries, page
from scrubdesk.core.db.exports import get_export, list_exports, member_ids
from scrubdesk.core.db.labels import append as append_labels
from scrubdesk.core.db.maintenance import count_table
from scrubdesk.core.db.messages import keys_and_ids, labels_and_sources
from scrubdesk.core.db.trained_models import (
    Prediction,
    list_models,
    mark_stale,
    record_model,
    store_predictions,
)
from scrubdesk.core.errors import InputError, PermissionDeniedError
from scrubdesk.core.export import EXPORT_FORMATS, run_export
from scrubdesk.core.importer import run_import
from scrubdesk.core.ingest.records import ImportOptions
from scrubdesk.core.leak_guard import ALLOWED_COLUMNS, LeakGuardError
from scrubdesk.core.model_lineage import msg_list_digest
from scrubdesk.core.parquet_io import read_parquet
from scrubdesk.core.project import Project
from scrubdesk.core.roles import grant
from scrubdesk.core.synthetic import INTENTS, generate, write_csv, write_mbox
from tests.builders import mark_purged, overwrite_message
from tests.helpers import scrubdesk

PLANTED_ADDRESS = "zorblax.quintavelle@example.org"
PLANTED_SENTENCE = "Hello I would like a refund for my order"
LABELLED, UNLABELLED = 40, 10


@pytest.fixture
def emails():
    return list(generate(LABELLED, seed=3)), list(generate(UNLABELLED, seed=4))


@pytest.fixture
def sources(tmp_path, emails):
    csv, mbox = tmp_path / "labelled.csv", tmp_path / "inbox.mbox"
    write_csv(csv, emails[0])
    write_mbox(mbox, emails[1])
    return csv, mbox


@pytest.fixture
def labelled(project, sources):
    csv, mbox = sources
    run_import(project, [csv], ImportOptions(text_column="text", label_column="category"))
    run_import(project, [mbox])
    return project


@pytest.fixture
def outdir(tmp_path):
    path = tmp_path / "exports"
    path.mkdir()
    return path


def _rows(project: Project, which: str = "labelled") -> list[tuple]:
    """(id, msg_key, label) of the labelled, the unlabelled (label NULL) or all messages, by ID."""
    with project.store() as store:
        keys = dict(keys_and_ids(store))
        rows = [(mid, keys[mid], label) for mid, label, _source in labels_and_sources(store, list(keys))]
    if which == "labelled":
        return [r for r in rows if r[2] is not None and r[2] != ""]
    return [r for r in rows if r[2] is None] if which == "unlabelled" else rows


def _read(path: Path, fmt: str) -> pd.DataFrame:
    if fmt == "parquet":
        return read_parquet(path)
    if fmt == "jsonl":
        return pd.read_json(path, lines=True, dtype=False)
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


def _personal_strings(emails) -> list[str]:
    found = []
    for email in [*emails[0], *emails[1]]:
        found += [email.body[:40], email.subject, email.from_addr, email.from_name]
        found += [email.body[s.start : s.end] for s in email.spans if s.end - s.start >= 6]
    return [s for s in found if s and len(s) >= 6]


def _plant(project: Project, message_id: int, value: str) -> None:
    with project.store() as store, store.transaction() as conn:
        overwrite_message(conn, message_id, label=value)
        append_labels(conn, [*INTENTS, value], "now")


def _stored(project: Project, read, *args):
    """``read(store, *args)`` on a fresh connection to the project's store."""
    with project.store() as store:
        return read(store, *args)


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_round_trip_holds_only_ids_and_labels_and_no_text(labelled, outdir, emails, fmt):
    out = outdir / f"labels.{fmt}"
    summary = run_export(labelled, out)
    assert summary.format == fmt and summary.rows == LABELLED
    frame = _read(out, fmt)
    assert list(frame.columns) == ["msg_key", "label"]
    assert set(frame.columns) <= set(ALLOWED_COLUMNS)
    assert [tuple(r) for r in frame.itertuples(index=False)] == [(k, lab) for _, k, lab in _rows(labelled)]
    raw = out.read_bytes()
    leaked = [s for s in _personal_strings(emails) if s.encode() in raw or s.lower().encode() in raw.lower()]
    assert leaked == []
    assert list(outdir.iterdir()) == [out]  # no temporary file left behind


def test_the_export_is_registered_with_its_lineage_and_audited(labelled, outdir):
    out = outdir / "labels.csv"
    summary = run_export(labelled, out)
    rows = _rows(labelled)
    with labelled.store() as store:
        export = get_export(store, summary.export_id)
        members = member_ids(store, summary.export_id)  # the only export
        (audit,) = page(store, offset=0, limit=1, action=None, newest_first=True)
        problems = AuditLog(store, labelled.keys.id_key).verify()
    assert (
        export.path,
        export.format,
        list(export.columns),
        export.n_rows,
        export.model_id,
        export.stale,
    ) == (
        str(out),
        "csv",
        ["msg_key", "label"],
        40,
        None,
        False,
    )
    assert export.file_sha256 == hashlib.sha256(out.read_bytes()).hexdigest() == summary.file_sha256
    digest = export.msg_list_digest
    assert digest == msg_list_digest(labelled.ids, [k for _, k, _ in rows])
    assert members == [mid for mid, _, _ in rows]
    assert audit.action == "export" and json.loads(audit.objects) == [digest]
    details = json.loads(audit.details)
    assert details["export_id"] == summary.export_id and details["rows"] == 40
    assert str(outdir) not in audit.details  # the path (a file name can name a person) stays out of the log
    assert problems == []


@pytest.mark.parametrize("planted", [PLANTED_ADDRESS, PLANTED_SENTENCE])
def test_a_planted_label_refuses_the_whole_export_naming_row_and_column(labelled, outdir, planted):
    rows = _rows(labelled)
    _plant(labelled, rows[5][0], planted)
    out = outdir / "labels.csv"
    with pytest.raises(LeakGuardError) as info:
        run_export(labelled, out)
    message = str(info.value)
    assert "row 6" in message and "column label" in message
    assert planted not in message and planted.split()[0] not in message.split(": ", 1)[1]
    assert list(outdir.iterdir()) == []
    assert _stored(labelled, count_table, "exports") == 0
    assert _stored(labelled, count_entries, "export") == 0


def test_a_label_outside_the_label_set_is_refused(labelled, outdir):
    with labelled.store() as store, store.transaction() as conn:
        append_labels(conn, ["billing_query"], "now")
    with pytest.raises(LeakGuardError, match="not one of the project's labels"):
        run_export(labelled, outdir / "x.csv")
    assert list(outdir.iterdir()) == []


def test_unlabelled_and_purged_messages(labelled, outdir):
    everything = _rows(labelled, "all")
    unlabelled = [r for r in everything if r[2] is None]
    assert len(unlabelled) == UNLABELLED
    purged_labelled = next(r for r in everything if r[2] is not None)
    with labelled.store() as store, store.transaction() as conn:
        mark_purged(conn, [unlabelled[0][0], purged_labelled[0]])
    summary = run_export(labelled, outdir / "all.jsonl", include_unlabelled=True)
    frame = pd.read_json(outdir / "all.jsonl", lines=True, dtype=False)
    assert summary.rows == len(frame) == LABELLED + UNLABELLED - 1  # the purged unlabelled one is skipped
    assert purged_labelled[1] in set(frame["msg_key"])  # purged rows keep their key and label
    assert unlabelled[0][1] not in set(frame["msg_key"])
    assert frame["label"].isna().sum() == UNLABELLED - 1
    assert (summary.labelled, summary.as_dict()["unlabelled"]) == (LABELLED, UNLABELLED - 1)
    assert run_export(labelled, outdir / "labelled.csv").rows == LABELLED  # default: labelled only


def _model(conn, ids, rows, predicted: list[int]) -> int:
    model_id = record_model(
        conn,
        created_at="2024-01-01T00:00:00+00:00",
        path="models/m.skops",
        msg_list_digest=msg_list_digest(ids, [k for _, k, _ in rows]),
        member_ids=[mid for mid, _, _ in rows],
        labels=INTENTS,
        metrics={},
        audit={},
        settings={},
    )
    store_predictions(conn, model_id, [Prediction(m, "billing_query", 0.75, 0.3) for m in predicted], "now")
    return model_id


def test_suggestions_and_model_version_come_from_the_current_model(labelled, outdir):
    rows = _rows(labelled)
    unlabelled = [r[0] for r in _rows(labelled, "unlabelled")]
    with labelled.store() as store, store.transaction() as conn:
        old = _model(conn, labelled.ids, rows, [rows[0][0], unlabelled[0]])
        current = _model(conn, labelled.ids, rows, [rows[1][0], unlabelled[1]])
        digest = {m.id: m for m in list_models(store)}[current].msg_list_digest
    out = outdir / "s.parquet"
    summary = run_export(labelled, out, with_suggestions=True, include_unlabelled=True)
    frame = read_parquet(out).set_index("msg_key")
    assert list(frame.reset_index().columns) == list(ALLOWED_COLUMNS)
    assert set(frame["model_version"]) == {f"model-{current}-{digest[:16]}"} == {summary.model_version}
    keys = {mid: key for mid, key, _ in _rows(labelled, "all")}
    suggested = frame.dropna(subset=["suggestion"])
    assert set(suggested.index) == {keys[rows[1][0]], keys[unlabelled[1]]}  # model `old`'s are not used
    assert list(suggested["confidence"]) == [0.75, 0.75] and summary.suggestions == 2
    assert _stored(labelled, get_export, summary.export_id).model_id == current
    with labelled.store() as store, store.transaction() as conn:
        mark_stale(conn, [current])
    again = run_export(labelled, outdir / "t.csv")
    assert again.model_version is not None and again.model_version.startswith(f"model-{old}-")
    with labelled.store() as store, store.transaction() as conn:
        mark_stale(conn, [old])
    with pytest.raises(InputError, match="needs a current model"):
        run_export(labelled, outdir / "u.csv", with_suggestions=True)
    assert "model_version" not in run_export(labelled, outdir / "v.csv").columns


def test_an_existing_file_is_only_replaced_with_overwrite(labelled, outdir):
    out = outdir / "labels.csv"
    out.write_text("keep me\n")
    with pytest.raises(InputError, match="--overwrite"):
        run_export(labelled, out)
    assert out.read_text() == "keep me\n"
    run_export(labelled, out, overwrite=True)
    assert out.read_text().startswith("msg_key,label\n")
    assert sorted(p.name for p in outdir.iterdir()) == ["labels.csv"]


def test_a_failed_registration_leaves_no_file_and_keeps_a_replaced_one(labelled, outdir, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(AuditLog, "append", broken)
    with pytest.raises(RuntimeError):
        run_export(labelled, outdir / "new.csv")
    assert list(outdir.iterdir()) == []
    old = outdir / "old.csv"
    old.write_text("previous export\n")
    with pytest.raises(RuntimeError):
        run_export(labelled, old, overwrite=True)
    assert old.read_text() == "previous export\n" and list(outdir.iterdir()) == [old]
    assert _stored(labelled, count_table, "exports") == 0


def test_refusals_before_anything_is_written(project, labelled, outdir, tmp_path):
    with pytest.raises(InputError, match="folder"):
        run_export(labelled, outdir)
    with pytest.raises(InputError, match="does not exist"):
        run_export(labelled, tmp_path / "missing" / "x.csv")
    with pytest.raises(InputError, match="project's own files"):
        run_export(labelled, labelled.path / "store.sdb", overwrite=True)
    empty = Project.create(tmp_path / "empty")
    with pytest.raises(InputError, match="nothing to export"):
        run_export(empty, outdir / "x.csv")
    with labelled.store() as store, store.transaction() as conn:
        grant(conn, current_os_user(), "annotator", granted_by="test", at="now")
    with pytest.raises(PermissionDeniedError):
        run_export(labelled, outdir / "x.csv")
    with labelled.store() as store, store.transaction() as conn:
        grant(conn, current_os_user(), "reviewer", granted_by="test", at="now")
    assert run_export(labelled, outdir / "x.csv").rows == LABELLED


@pytest.mark.real_keyring
def test_export_through_the_cli(tmp_path, sources, emails, outdir):
    csv, _mbox = sources
    project_dir = tmp_path / "proj"
    scrubdesk("init", project_dir)
    scrubdesk("import", project_dir, csv, "--text-column", "text", "--label-column", "category")
    summary, _, _ = scrubdesk("export", project_dir, outdir / "labels.jsonl")
    assert (summary["ok"], summary["rows"], summary["format"]) == (True, LABELLED, "jsonl")
    assert summary["columns"] == ["msg_key", "label"]
    parquet, _, _ = scrubdesk("export", project_dir, outdir / "labels.dat", "--format", "parquet")
    assert len(read_parquet(outdir / "labels.dat")) == LABELLED and parquet["format"] == "parquet"

    project = Project.open(project_dir)
    _plant(project, _rows(project)[9][0], PLANTED_ADDRESS)
    refused, out, err = scrubdesk("export", project_dir, outdir / "planted.csv", check=False)
    assert refused["_exit"] == 2 and refused["error_type"] == "LeakGuardError"
    assert "row 10" in refused["error"] and "column label" in refused["error"]
    assert PLANTED_ADDRESS not in out + err
    assert not (outdir / "planted.csv").exists()
    assert sorted(p.name for p in outdir.iterdir()) == ["labels.dat", "labels.jsonl"]
    raw = (outdir / "labels.jsonl").read_bytes()
    assert [s for s in _personal_strings(emails) if s.encode() in raw] == []
    with project.store() as store:
        registered = [(e.format, e.n_rows) for e in list_exports(store)]
    assert registered == [("jsonl", LABELLED), ("parquet", LABELLED)]
