"""Re-link: with the project key an export's IDs lead back to the right messages; without it, nowhere."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from scrubdesk.core.audit_log import AuditLog
from scrubdesk.core.db.audit import details_of
from scrubdesk.core.db.messages import all_ids, get_message
from scrubdesk.core.errors import InputError
from scrubdesk.core.export import run_export
from scrubdesk.core.importer import run_import
from scrubdesk.core.ingest.records import ImportOptions
from scrubdesk.core.project import Project
from scrubdesk.core.relink import run_relink
from scrubdesk.core.synthetic import generate, write_csv, write_mbox
from tests.helpers import scrubdesk

CSV_NO_ID = ImportOptions(text_column="text", label_column="category")
CSV_WITH_ID = ImportOptions(text_column="text", label_column="category", id_column="id")


@pytest.fixture
def corpus(tmp_path):
    """Mail in every keying mode: Message-ID (mbox), exact bytes (.eml without Message-ID), CSV rows
    keyed by their ID column, and CSV rows keyed by row number within the exact file."""
    root = tmp_path / "mail"
    root.mkdir()
    mbox_emails = list(generate(25, seed=21))
    write_mbox(root / "inbox.mbox", mbox_emails)
    eml_dir = root / "loose"
    eml_dir.mkdir()
    for i, email in enumerate(generate(6, seed=22)):
        raw = b"\n".join(ln for ln in email.to_bytes().split(b"\n") if not ln.startswith(b"Message-ID:"))
        (eml_dir / f"{i}.eml").write_bytes(raw)
    write_csv(root / "with_id.csv", generate(15, seed=23))
    write_csv(root / "rows.csv", generate(15, seed=24))
    return {"root": root, "mbox_emails": mbox_emails}


def _import_all(project: Project, root: Path) -> None:
    run_import(project, [root / "inbox.mbox", root / "loose"])
    run_import(project, [root / "with_id.csv"], CSV_WITH_ID)
    run_import(project, [root / "rows.csv"], CSV_NO_ID)


def _relink_all(project: Project, export: Path, root: Path, out_name: str) -> tuple:
    first = run_relink(
        project, export, [root / "inbox.mbox", root / "loose"], out=root.parent / f"{out_name}1.csv"
    )
    second = run_relink(
        project, export, [root / "with_id.csv"], CSV_WITH_ID, out=root.parent / f"{out_name}2.csv"
    )
    third = run_relink(
        project, export, [root / "rows.csv"], CSV_NO_ID, out=root.parent / f"{out_name}3.jsonl"
    )
    return first, second, third


def _relinked(path: Path) -> dict[str, str | None]:
    if path.suffix == ".jsonl":
        frame = pd.read_json(path, lines=True, dtype=False)
    else:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    assert list(frame.columns) == ["msg_key", "label", "location"]
    return {
        k: (None if pd.isna(loc) else loc) for k, loc in zip(frame["msg_key"], frame["location"], strict=True)
    }


def test_every_exported_id_relinks_to_its_message_with_the_right_key(project, corpus, tmp_path):
    root = corpus["root"]
    _import_all(project, root)
    export = tmp_path / "all.csv"
    exported = run_export(project, export, include_unlabelled=True)
    with project.store() as store:
        where = {m.msg_key: m.source_location for m in (get_message(store, i) for i in all_ids(store))}
    assert exported.rows == len(where) == 25 + 6 + 15 + 15

    results = _relink_all(project, export, root, "relinked")
    assert [r.matched for r in results] == [31, 15, 15]
    assert all(r.exported == exported.rows and r.export_id == exported.export_id for r in results)
    located: dict[str, str] = {}
    for result in results:
        for key, location in _relinked(result.out).items():
            if location is not None:
                located[key] = location
    assert located == where  # 100%, each to the file and offset/row it was imported from
    assert any("#offset=" in loc for loc in located.values()) and any(
        "#row=" in loc for loc in located.values()
    )
    assert any(loc.endswith(".eml") for loc in located.values())  # keyed on exact bytes
    with project.store() as store:
        entries = [details for _seq, _objects, details in details_of(store, "relink")]
        assert AuditLog(store, project.keys.id_key).verify() == []
    assert [json.loads(d)["matched"] for d in entries] == [31, 15, 15]


def test_the_output_holds_no_text_and_unmatched_ids_are_listed_without_a_location(project, corpus, tmp_path):
    root = corpus["root"]
    _import_all(project, root)
    export = tmp_path / "labelled.jsonl"
    run_export(project, export)  # the labelled CSV rows only
    result = run_relink(project, export, [root / "with_id.csv"], CSV_WITH_ID)
    assert result.out == tmp_path / "labelled.relinked.csv"
    assert (result.exported, result.matched, result.unmatched) == (30, 15, 15)
    located = _relinked(result.out)
    assert sum(loc is None for loc in located.values()) == 15
    text = result.out.read_text(encoding="utf-8")
    for email in generate(15, seed=23):
        assert email.body[:30] not in text and email.from_addr not in text and email.subject not in text
    with pytest.raises(InputError, match="--overwrite"):
        run_relink(project, export, [root / "with_id.csv"], CSV_WITH_ID)


def test_another_project_key_relinks_nothing(project, corpus, tmp_path):
    root = corpus["root"]
    _import_all(project, root)
    export = tmp_path / "all.csv"
    run_export(project, export, include_unlabelled=True)
    other = Project.create(tmp_path / "other")
    _import_all(other, root)  # the very same mail, under another key
    results = _relink_all(other, export, root, "other")
    assert [r.matched for r in results] == [0, 0, 0]
    assert all(r.export_id is None for r in results)  # not an export of that project either


def test_ids_are_not_plain_hashes_of_message_ids_or_addresses(project, corpus, tmp_path):
    root = corpus["root"]
    run_import(project, [root / "inbox.mbox"])
    export = tmp_path / "mbox.csv"
    run_export(project, export, include_unlabelled=True)
    keys = set(pd.read_csv(export, dtype=str)["msg_key"])
    assert len(keys) == 25
    guesses: set[str] = set()
    for email in corpus["mbox_emails"]:
        for value in (
            email.message_id,
            email.message_id.strip("<>"),
            email.from_addr,
            email.from_addr.lower(),
        ):
            for algorithm in ("sha256", "md5", "sha1"):
                digest = hashlib.new(algorithm, value.encode()).hexdigest()
                guesses |= {digest, digest[:32]}
    assert keys.isdisjoint(guesses)


def test_bad_inputs_are_refused_before_any_reading(project, corpus, tmp_path):
    root = corpus["root"]
    junk = tmp_path / "junk.csv"
    junk.write_text("label\nbilling_query\n")
    with pytest.raises(InputError, match="no msg_key column"):
        run_relink(project, junk, [root / "inbox.mbox"])
    no_ids = tmp_path / "no_ids.csv"
    no_ids.write_text("msg_key,label\nnot-a-key,billing_query\n")
    with pytest.raises(InputError, match="no keyed message IDs"):
        run_relink(project, no_ids, [root / "inbox.mbox"])
    with pytest.raises(InputError, match="not found"):
        run_relink(project, tmp_path / "absent.csv", [root / "inbox.mbox"])


@pytest.mark.real_keyring
def test_relink_through_the_cli(tmp_path, corpus):
    root = corpus["root"]
    project_dir = tmp_path / "proj"
    scrubdesk("init", project_dir)
    scrubdesk("import", project_dir, root / "inbox.mbox", root / "loose")
    export = tmp_path / "out" / "ids.parquet"
    export.parent.mkdir()
    scrubdesk("export", project_dir, export, "--include-unlabelled")
    summary, stdout, _ = scrubdesk("relink", project_dir, export, root / "inbox.mbox", root / "loose")
    assert (summary["matched"], summary["unmatched"], summary["exported"]) == (31, 0, 31)
    assert summary["out"] == str(export.with_name("ids.relinked.csv"))
    assert all(loc and loc.startswith(str(root)) for loc in _relinked(Path(summary["out"])).values())


def test_a_relink_output_is_a_registered_copy_that_erasure_cleans(project, corpus, tmp_path):
    """The output maps keyed IDs to source files: it is registered like an export, and erasing a
    subject removes their rows from it (or reports it), so verification never misses it."""
    from scrubdesk.core.db import exports as export_rows
    from scrubdesk.core.erasure import erase_subject

    run_import(project, [corpus["root"] / "inbox.mbox"])
    from scrubdesk.core.labels import Labeller, add_labels

    with project.store() as store:
        add_labels(project, store, ["refund"])
        labeller = Labeller(project, store)
        from scrubdesk.core.db import messages

        for mid in messages.all_ids(store):
            labeller.set_label(mid, "refund")
    export = tmp_path / "labels.csv"
    run_export(project, export)
    out = tmp_path / "relinked.csv"
    run_relink(project, export, [corpus["root"] / "inbox.mbox"], out=out)
    with project.store() as store:
        registered = [e for e in export_rows.list_exports(store) if e.path == str(out)]
    assert len(registered) == 1 and "location" in registered[0].columns and registered[0].members == 25
    sender = corpus["mbox_emails"][0].from_addr
    rows_before = len(pd.read_csv(out))
    result = erase_subject(project, sender)
    assert result.ok and registered[0].id in result.exports_rewritten
    assert len(pd.read_csv(out)) == rows_before - result.match.n_messages
