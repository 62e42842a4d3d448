"""Retention policy and purge: the policy round trip, when a purge is due, and that a purge is real."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest

from scrubdesk.core.audit_log import current_os_user
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db.audit import details_of
from scrubdesk.core.db.labels import message_label
from scrubdesk.core.db.maintenance import count_table
from scrubdesk.core.db.messages import all_ids, count_purged, count_unpurged, get_message, texts
from scrubdesk.core.db.reviews import count_comments, decide
from scrubdesk.core.db.settings import all_settings
from scrubdesk.core.db.spans import record_analysis
from scrubdesk.core.db.trained_models import list_models, mark_stale, member_ids, record_model
from scrubdesk.core.errors import InputError, PermissionDeniedError
from scrubdesk.core.importer import run_import
from scrubdesk.core.ingest.records import ImportOptions
from scrubdesk.core.retention import get_policy, parse_date, purge, retention_status, set_policy
from scrubdesk.core.roles import grant
from scrubdesk.core.synthetic import generate, write_csv
from scrubdesk.core.trace_scan import Needles, scan_sqlcipher_pages
from tests.builders import add_quarantined, add_span, store_dump
from tests.helpers import scrubdesk

PHRASE = "Xylophone-Marmalade-4471"
TODAY = date(2025, 6, 15)


@pytest.fixture
def dataset(project, tmp_path):
    """Labelled messages (one carrying a unique phrase), with a span, an analysis, a commented review and
    a quarantined item."""
    emails = list(generate(12, seed=21))
    emails[4] = dataclasses.replace(emails[4], body=f"{emails[4].body}\nOur code word is {PHRASE}.")
    csv = tmp_path / "labelled.csv"
    write_csv(csv, emails)
    run_import(project, [csv], ImportOptions(text_column="text", label_column="category", id_column="id"))
    now = utc_now()
    with project.store() as store, store.transaction() as conn:
        mid = min(t.id for t in texts(conn, all_ids(conn)) if PHRASE.lower() in t.body.lower())
        add_span(conn, mid, "body", 0, 4, "PERSON", recognizer="t")
        record_analysis(conn, mid, "fp", now)
        decide(
            conn, mid, status="approved", fingerprint="fp", reviewer=current_os_user(), role="admin",
            comment="looks fine", at=now,
        )  # fmt: skip
        add_quarantined(
            conn, item_key="q", location="/mail/broken.eml", reason="parse_error", detail="no headers",
            created_at=now,
        )  # fmt: skip
    return project


def _model(project, stale: bool = False) -> int:
    with project.store() as store, store.transaction() as conn:
        ids = all_ids(conn)
        model_id = record_model(
            conn, created_at=utc_now(), path="models/m.skops", msg_list_digest="d", member_ids=ids,
            labels=["a"], metrics={}, audit={}, settings={},
        )  # fmt: skip
        if stale:
            mark_stale(conn, [model_id])
    return model_id


def _keys_and_labels(project) -> list[tuple]:
    with project.store() as store:
        return [message_label(store, mid) for mid in all_ids(store)]


def _dump(project) -> str:
    with project.store() as store:
        return store_dump(store)


def test_policy_round_trip_and_audit(project):
    with project.store() as store:
        assert get_policy(store).mode == "none"
    set_policy(project, until=date(2030, 1, 31))
    with project.store() as store:
        policy = get_policy(store)
        assert (policy.mode, policy.until, policy.set_by) == ("until", "2030-01-31", current_os_user())
    set_policy(project, after_training=True)
    with project.store() as store:
        assert (get_policy(store).mode, get_policy(store).until) == ("after_training", None)
    set_policy(project, clear=True)
    with project.store() as store:
        assert get_policy(store).mode == "none"
        assert "retention" not in all_settings(store)
        entries = [json.loads(details) for _seq, _objects, details in details_of(store, "retention.set")]
    assert [e["mode"] for e in entries] == ["until", "after_training", "none"]
    with pytest.raises(InputError):
        set_policy(project, until=date(2030, 1, 1), after_training=True)
    with pytest.raises(InputError):
        parse_date("31/01/2030")


def test_due_by_date_and_after_training(dataset):
    with dataset.store() as store:
        assert not retention_status(store, TODAY).due
    set_policy(dataset, until=TODAY)
    with dataset.store() as store:
        assert not retention_status(store, TODAY).due  # due from the day after
        assert retention_status(store, date(2025, 6, 16)).due
    set_policy(dataset, after_training=True)
    _model(dataset, stale=True)
    with dataset.store() as store:
        assert not retention_status(store).due  # a stale model does not count
    _model(dataset)
    with dataset.store() as store:
        status = retention_status(store)
    assert status.due and status.unpurged_messages == 12


def test_purge_keeps_keys_labels_and_models_and_really_deletes_the_text(dataset):
    project = dataset
    model_id = _model(project)
    keys_labels = _keys_and_labels(project)
    assert PHRASE in _dump(project)
    with project.store() as store:
        before = scan_sqlcipher_pages(store.path, project.keys.db_key, Needles([PHRASE]), page_size=4096)
    assert sum(p.hits for p in before.values()) > 0  # the page check below can fail

    summary = purge(project)

    assert summary.purged and summary.counts["messages"] == 12 and summary.counts["spans"] == 1
    assert summary.storage["vacuumed"] and summary.storage["freelist_pages"] == 0
    assert _keys_and_labels(project) == keys_labels
    dump = _dump(project)
    assert PHRASE.lower() not in dump.lower() and "looks fine" not in dump and "broken.eml" not in dump
    with project.store() as store:
        messages = [get_message(store, mid) for mid in all_ids(store)]
        row = (
            len(messages),
            sum(m.body == "" for m in messages),
            sum(m.subject is None for m in messages),
            count_purged(store),
        )
        counts = [count_table(store, t) for t in ("spans", "analysis_state", "message_subjects")]
        assert [m.id for m in list_models(store)].count(model_id) == 1
        assert len(member_ids(store, model_id)) == 12
        assert count_comments(store) == 0
        details = json.loads(next(details_of(store, "purge"))[2])
        after = scan_sqlcipher_pages(store.path, project.keys.db_key, Needles([PHRASE]), page_size=4096)
        status = retention_status(store)
    assert row == (12, 12, 12, 12) and counts == [0, 0, 0]
    assert all(p.hits == 0 for p in after.values())
    assert details["messages"] == 12 and PHRASE not in json.dumps(details)
    # No retention limit is set here, so the status does not count (that would scan every message page).
    assert status.purged_messages is None and status.unpurged_messages is None and not status.due


def test_if_due_does_nothing_when_not_due_and_dry_run_changes_nothing(dataset):
    before = _dump(dataset)
    assert not purge(dataset, if_due=True).purged
    set_policy(dataset, until=date(2999, 1, 1))
    skipped = purge(dataset, if_due=True)
    assert not skipped.purged and "not passed" in skipped.reason
    preview = purge(dataset, dry_run=True)
    assert not preview.purged and preview.counts["messages"] == 12
    with dataset.store() as store:
        assert count_unpurged(store) == 12
    assert PHRASE in _dump(dataset) and before.count(PHRASE) == _dump(dataset).count(PHRASE)
    set_policy(dataset, until=date(2020, 1, 1))
    assert purge(dataset, if_due=True).purged
    assert PHRASE not in _dump(dataset)


def test_annotator_may_neither_set_retention_nor_purge(dataset):
    with dataset.store() as store, store.transaction() as conn:
        grant(conn, current_os_user(), "annotator", granted_by="test", at=utc_now())
    with pytest.raises(PermissionDeniedError):
        set_policy(dataset, after_training=True)
    with pytest.raises(PermissionDeniedError):
        purge(dataset)
    assert PHRASE in _dump(dataset)


@pytest.mark.slow
def test_cli_retention_and_purge(tmp_path):
    csv = tmp_path / "labelled.csv"
    write_csv(csv, generate(6, seed=3))
    project_dir = tmp_path / "proj"
    scrubdesk("init", project_dir)
    scrubdesk("import", project_dir, csv, "--text-column", "text", "--label-column", "category")
    shown, _, _ = scrubdesk("retention", project_dir)
    assert shown["retention"]["mode"] == "none" and not shown["changed"] and not shown["due"]
    set_until, _, _ = scrubdesk("retention", project_dir, "--until", "2999-12-31")
    assert set_until["retention"]["until"] == "2999-12-31" and set_until["changed"]
    bad, _, _ = scrubdesk("retention", project_dir, "--until", "tomorrow", check=False)
    assert bad["_exit"] == 2
    refused, _, _ = scrubdesk("purge", project_dir, check=False)
    assert refused["_exit"] == 2 and "--yes" in refused["error"]
    not_due, _, _ = scrubdesk("purge", project_dir, "--if-due", "--yes")
    assert not not_due["purged"] and not not_due["due"]
    purged, _, _ = scrubdesk("purge", project_dir, "--yes")
    assert purged["purged"] and purged["messages"] == 6 and purged["storage"]["wal_truncated"]
