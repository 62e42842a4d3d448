"""The import job in-process: counts, resumability, parallel parsing, cancel, allow-list."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from scrubdesk.core.db.audit import page
from scrubdesk.core.db.imports import quarantine_rows
from scrubdesk.core.db.maintenance import count_table
from scrubdesk.core.db.messages import all_ids, first_id, get_message, message_ids, texts
from scrubdesk.core.erasure import erase_subject
from scrubdesk.core.import_identity import KeysInOrder, identify
from scrubdesk.core.importer import run_import
from scrubdesk.core.ingest.readers import read_source
from scrubdesk.core.ingest.records import ImportOptions, ParsedMessage, SourceProgress
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.stats import project_stats
from scrubdesk.core.synthetic import generate
from scrubdesk.core.synthetic.writers import write_mbox
from tests.builders import table_rows


@pytest.fixture
def mbox(tmp_path):
    path = tmp_path / "inbox.mbox"
    write_mbox(path, generate(300, seed=5))
    return path


def _snapshot(project):
    with project.store() as store:
        return sorted(
            table_rows(
                store, "messages", ["msg_key", "subject", "body", "from_addr", "to_addrs", "sent_at", "flags"]
            )
        )


def test_parallel_and_serial_parsing_store_the_same(mbox, tmp_path):
    from scrubdesk.core.project import Project

    serial = Project.create(tmp_path / "serial")
    parallel = Project.create(tmp_path / "parallel")
    a = run_import(serial, [mbox], parallel=False, batch_size=64)
    b = run_import(parallel, [mbox], parallel=True, batch_size=64)
    assert a.imported == b.imported == 300
    # keys differ between projects (different ID keys); the content must not
    assert sorted(r[1:] for r in _snapshot(serial)) == sorted(r[1:] for r in _snapshot(parallel))


def test_bodies_round_trip_exactly_from_the_generator(project, mbox):
    run_import(project, [mbox])
    expected = {project.ids.message_id(e.message_id): e for e in generate(300, seed=5)}
    with project.store() as store:
        for mid in message_ids(store):
            message = get_message(store, mid)
            assert message is not None
            email = expected[message.msg_key]
            assert (message.body, message.subject) == (email.body, email.subject)
            assert message.from_addr == email.from_addr.lower()


def test_second_run_is_all_duplicates_and_subjects_are_keyed(project, mbox):
    run_import(project, [mbox])
    again = run_import(project, [mbox])
    assert (again.imported, again.duplicates) == (0, 300)
    with project.store() as store:
        stats = project_stats(store)
        keys = [key for (key,) in table_rows(store, "message_subjects", ["subject_key"])[:20]]
    assert stats["messages"] == 300 and stats["subjects"] > 10
    assert all(len(k) == 32 and "@" not in k for k in keys)


@pytest.mark.parametrize("parallel", [False, True])
def test_cancel_keeps_committed_batches_and_resume_completes(project, mbox, parallel):
    control = JobControl()
    calls = 0

    def on_progress(done, total, message):
        nonlocal calls
        calls += 1
        if calls == 2:
            control.cancel()

    control.on_progress = on_progress
    first = run_import(project, [mbox], control=control, batch_size=50, parallel=parallel)
    assert first.cancelled and 0 < first.imported < 300
    rest = run_import(project, [mbox], parallel=parallel)
    assert rest.imported + first.imported == 300 and rest.duplicates == first.imported


def test_field_allow_list_keeps_only_named_fields(project, mbox):
    run_import(project, [mbox], ImportOptions(fields=("subject",)))
    with project.store() as store:
        message = get_message(store, first_id(store))
        subjects = count_table(store, "message_subjects")
    assert message.from_addr is None and message.to_addrs == () and message.sent_at is None
    assert message.subject and message.body
    assert subjects == 0


def test_audit_entry_records_counts_not_content(project, mbox):
    run_import(project, [mbox])
    with project.store() as store:
        (row,) = page(store, offset=0, limit=1, action="import", newest_first=False)
        details = json.loads(row.details)
        everything = " ".join(str(v) for v in row.__dict__.values())
    assert details["imported"] == 300
    first = next(iter(generate(1, seed=5)))
    assert first.from_addr not in everything and first.subject not in everything


# ---------------------------------------------------------------------------------------------- identity


def _mail(
    message_id: str | None, body: str, subject: str = "Order", sender: str = "ann@example.org"
) -> bytes:
    head = f"From: Ann <{sender}>\nTo: desk@example.com\nSubject: {subject}\n"
    if message_id:
        head += f"Message-ID: <{message_id}>\n"
    return f"{head}\n{body}\n".encode()


def _write(folder, name: str, data: bytes):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def _bodies(project) -> list[str]:
    with project.store() as store:
        return sorted(text.body for text in texts(store, all_ids(store)))


def test_same_message_id_with_other_content_is_a_separate_message(project, tmp_path):
    folder = tmp_path / "mail"
    _write(folder, "1.eml", _mail("same@x", "Please cancel my order."))
    _write(folder, "2.eml", _mail("same@x", "Please cancel my order.", subject="Other subject"))
    _write(folder, "3.eml", _mail("same@x", "A different complaint altogether."))
    _write(folder, "4.eml", _mail("same@x", "Please cancel my order."))  # a true copy
    first = run_import(project, [folder])
    assert (first.imported, first.same_id_different_content) == (3, 2)
    assert first.as_dict()["duplicates_by_reason"] == {"same_content": 1}
    assert first.items == 4
    again = run_import(project, [folder])
    assert (again.imported, again.duplicates, again.as_dict()["duplicates_by_reason"]) == (
        0,
        4,
        {"same_content": 4},
    )


@pytest.mark.parametrize("complete_first", [False, True])
def test_a_complete_copy_replaces_a_truncated_one_never_the_reverse(project, tmp_path, complete_first):
    full = "Line one of the complaint.\nLine two, with the order number.\nRegards, Ann"
    cut = full[:35]  # a copy cut off mid-line
    truncated = _write(tmp_path / "a", "cut.eml", _mail("m1@x", cut))
    complete = _write(tmp_path / "b", "full.eml", _mail("m1@x", full))
    order = [complete, truncated] if complete_first else [truncated, complete]
    first = run_import(project, [order[0]])
    second = run_import(project, [order[1]])
    assert first.imported == 1 and second.imported == 0
    if complete_first:
        assert second.as_dict()["duplicates_by_reason"] == {"truncated_copy": 1}
    else:
        assert second.replaced_truncated == 1 and second.items == 1
    assert _bodies(project) == [full]
    with project.store() as store:
        (message_id,) = all_ids(store)
        message = get_message(store, message_id)
    assert message is not None and message.source_location == str(complete)
    assert message.msg_key == project.ids.message_id("m1@x")  # the same row and key, now whole


def _csv(path, rows):
    path.write_text("id,text\n" + "".join(f"{i},{t}\n" for i, t in rows), encoding="utf-8")
    return path


def test_record_ids_are_scoped_to_their_file_unless_global(project, tmp_path):
    a = _csv(tmp_path / "a.csv", [(1, "alpha"), (2, "beta"), (3, "gamma")])
    b = _csv(tmp_path / "b.csv", [(1, "delta"), (2, "beta"), (3, "epsilon")])
    options = ImportOptions(text_column="text", id_column="id")
    summary = run_import(project, [a, b], options)
    assert (summary.imported, summary.duplicates) == (6, 0)  # overlapping IDs lose nothing
    assert run_import(project, [a, b], options).duplicates == 6  # and a re-run adds nothing


def test_global_record_ids_match_across_files_by_id_and_content(project, tmp_path):
    a = _csv(tmp_path / "a.csv", [(1, "alpha"), (2, "beta")])
    b = _csv(tmp_path / "b.csv", [(1, "changed"), (2, "beta")])
    summary = run_import(project, [a, b], ImportOptions(text_column="text", id_column="id", global_ids=True))
    assert (summary.imported, summary.same_id_different_content, summary.duplicates) == (3, 1, 1)
    assert _bodies(project) == ["alpha", "beta", "changed"]


def test_erased_messages_stay_out_whatever_copy_comes_back(project, tmp_path):
    sender = "erase.me@example.org"
    folder = tmp_path / "mail"
    _write(folder, "1.eml", _mail("e1@x", "About my account.", sender=sender))
    _write(folder, "2.eml", _mail("k1@x", "Keep this one."))
    assert run_import(project, [folder]).imported == 2
    erase_subject(project, sender)
    later = tmp_path / "later"
    _write(later, "1.eml", _mail("e1@x", "About my account.", sender=sender))  # the same copy
    _write(later, "2.eml", _mail("e1@x", "About my account, again.", sender=sender))  # same ID, other text
    _write(later, "3.eml", _mail("e1@x", "About my", sender=sender))  # a truncated copy
    again = run_import(project, [later])
    assert (again.imported, again.erased_skipped) == (0, 3)
    assert _bodies(project) == ["Keep this one."]


def test_every_fed_item_is_accounted_for_and_every_skipped_path_reported(project, tmp_path):
    root = tmp_path / "mail"
    _write(root, "a.eml", _mail("a@x", "one"))
    _write(root, "b.eml", _mail("a@x", "one"))  # duplicate
    _write(root, ".hidden.eml", _mail("h@x", "hidden"))
    _write(root / ".git", "config", b"x")
    _write(root, "notes.txt", b"just text")
    box = root / "box"
    for sub in ("cur", "new", "tmp"):
        (box / sub).mkdir(parents=True)
    _write(box / "cur", "1.host:2,S", _mail("c@x", "in cur"))
    _write(box / "tmp", "2.host", _mail("t@x", "in delivery"))
    _write(box / "cur" / "sub", "3.host", _mail("s@x", "in a folder in cur"))
    bad_name = Path(os.fsdecode(os.fsencode(root) + b"/caf\xe9.eml"))
    bad_name.write_bytes(_mail("u@x", "non-UTF-8 file name"))
    summary = run_import(project, [root])
    assert summary.items == 9
    assert (summary.imported, summary.duplicates) == (3, 1)
    assert summary.as_dict()["quarantined_by_reason"] == {
        "not_an_email": 1,
        "skipped_folder": 1,
        "skipped_hidden": 2,
        "skipped_maildir_tmp": 1,
    }
    assert summary.skipped == 4
    with project.store() as store:
        locations = {row.location for row in quarantine_rows(store)}
        stored = {get_message(store, i).source_location for i in all_ids(store)}  # type: ignore[union-attr]
    assert str(root / ".git") in locations and str(box / "tmp" / "2.host") in locations
    assert str(root) + "/caf\\xe9.eml" in stored


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX only")
def test_a_fifo_among_the_sources_is_refused_and_the_rest_imported(project, tmp_path):
    fifo = tmp_path / "pipe.mbox"
    os.mkfifo(fifo)
    good = _write(tmp_path, "good.eml", _mail("g@x", "fine"))
    summary = run_import(project, [fifo, good])
    assert summary.imported == 1 and summary.as_dict()["quarantined_by_reason"] == {"special_file": 1}


def test_rereading_the_sources_in_order_derives_the_stored_keys(project, tmp_path):
    """What re-link relies on: every stored message's key comes back from its source, variants included."""
    folder = tmp_path / "mail"
    _write(folder, "1.eml", _mail("same@x", "first text"))
    _write(folder, "2.eml", _mail("same@x", "second text"))
    _write(folder, "3.eml", _mail("same@x", "first text"))
    _write(folder, "4.eml", _mail(None, "no message id"))
    run_import(project, [folder])
    with project.store() as store:
        messages = [get_message(store, i) for i in all_ids(store)]
    stored = {m.msg_key: m.source_location for m in messages if m is not None}
    in_order = KeysInOrder()
    derived: dict[str, str] = {}
    for item in read_source(folder, ImportOptions(), SourceProgress()):
        assert isinstance(item, ParsedMessage)
        (key,) = in_order.keys(identify(project.ids, item, None))
        derived.setdefault(key, item.location)
    assert derived == stored and len(stored) == 3


def test_switching_between_global_and_per_file_ids_stores_nothing_twice(project, tmp_path):
    a = _csv(tmp_path / "a.csv", [(1, "alpha"), (2, "beta")])
    scoped = ImportOptions(text_column="text", id_column="id")
    assert run_import(project, [a], scoped).imported == 2
    again = run_import(project, [a], ImportOptions(text_column="text", id_column="id", global_ids=True))
    assert (again.imported, again.duplicates) == (0, 2)
    assert _bodies(project) == ["alpha", "beta"]
