"""The import preview: the first items of the sources through the real readers, stopping early, honouring
the field allow-list, reporting quarantine and source problems, and never carrying names or addresses."""

from __future__ import annotations

import dataclasses
from email.message import EmailMessage
from pathlib import Path

import pytest

from scrubdesk.core.import_preview import PREVIEW_LIMIT, ImportPreview, preview_import
from scrubdesk.core.ingest import readers
from scrubdesk.core.ingest.records import ImportOptions
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.synthetic import generate
from scrubdesk.core.synthetic.writers import write_csv, write_mbox


@pytest.fixture
def mbox(tmp_path: Path) -> Path:
    path = tmp_path / "inbox.mbox"
    write_mbox(path, generate(300, seed=5))
    return path


def eml_folder(folder: Path, count: int) -> Path:
    folder.mkdir()
    for i in range(count):
        msg = EmailMessage()
        msg["From"] = f"Jane Doe {i} <jane{i}@Example.CO.UK>"
        msg["To"] = "help@bank.example, desk@bank.example"
        msg["Cc"] = "audit@bank.example"
        msg["Subject"] = f"Card stolen {i}"
        msg["Date"] = f"Mon, {1 + i:02d} Jan 2024 09:30:00 +0000"
        msg["Message-ID"] = f"<eml-{i}@example.co.uk>"
        msg.set_content(f"My card ending 4242 was stolen. ({i})\n")
        if i == 0:
            msg.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="statement.pdf")
        (folder / f"{i:03d}.eml").write_bytes(msg.as_bytes())
    (folder / "zz-notes.eml").write_bytes(b"\x00\x01 this is not an email at all \xff\xfe")
    return folder


def all_text(preview: ImportPreview) -> str:
    return "\n".join(str(v) for item in preview.items for v in dataclasses.asdict(item).values())


def test_first_messages_of_an_mbox_as_the_import_reads_them(mbox):
    preview = preview_import([mbox])
    emails = list(generate(300, seed=5))[:PREVIEW_LIMIT]
    assert len(preview.items) == PREVIEW_LIMIT and not preview.complete and not preview.cancelled
    (source,) = preview.sources
    assert (source.path, source.format, source.error) == (str(mbox), "mbox", None)
    assert source.items == PREVIEW_LIMIT and not source.exhausted
    first = preview.items[0]
    assert first.display_location == "inbox.mbox#offset=0" and first.location == f"{mbox}#offset=0"
    assert [i.subject for i in preview.items] == [e.subject for e in emails]
    assert [i.sender_domain for i in preview.items] == [
        e.from_addr.rpartition("@")[2].lower() for e in emails
    ]
    assert [i.body_chars for i in preview.items] == [len(e.body) for e in emails]
    assert all(i.format == "mbox" and not i.quarantined and i.sent_at for i in preview.items)
    assert all(i.recipients and i.recipients >= 1 for i in preview.items)
    # The sender's name and address, and the body, are not in the preview at all.
    text = all_text(preview)
    for e in emails:
        assert e.from_addr not in text and e.from_addr.lower() not in text
        assert e.body[:40] not in text
    assert "Card" not in repr(preview.items[0]) and preview.items[0].subject not in repr(preview.items[0])


def test_reading_stops_after_the_limit(mbox, monkeypatch):
    pulled: list[int] = []
    closed: list[bool] = []
    real = readers.read_source

    def counting(path, options, progress):
        items = real(path, options, progress)

        def gen():
            try:
                for item in items:
                    pulled.append(1)
                    yield item
            finally:
                closed.append(True)
                items.close()

        return gen()

    monkeypatch.setattr(readers, "read_source", counting)
    preview = preview_import([mbox], limit=5)
    assert len(preview.items) == 5
    assert len(pulled) == 6  # the five shown and one to learn that there are more
    assert closed == [True]  # the reader was closed, not left open on the file


def test_a_source_that_ends_at_the_limit_is_complete(tmp_path):
    path = tmp_path / "small.mbox"
    write_mbox(path, generate(7, seed=1))
    assert preview_import([path], limit=7).complete
    assert not preview_import([path], limit=6).complete
    assert preview_import([path], limit=20).sources[0].exhausted


def test_fields_outside_the_allow_list_are_not_shown(tmp_path):
    folder = eml_folder(tmp_path / "mail", 3)
    every = preview_import([folder])
    first = every.items[0]
    assert (first.sent_at, first.subject, first.sender_domain) == (
        "2024-01-01T09:30:00+00:00",
        "Card stolen 0",
        "example.co.uk",
    )
    assert (first.recipients, first.attachments) == (3, 1)

    only_subject = preview_import([folder], ImportOptions(fields=("subject",)))
    assert only_subject.fields == ("subject",)
    item = only_subject.items[0]
    assert item.subject == "Card stolen 0"
    assert (item.sent_at, item.sender_domain, item.recipients, item.attachments) == (None, None, None, None)
    assert item.body_chars == first.body_chars  # the body is always kept

    to_only = preview_import([folder], ImportOptions(fields=("to",))).items[0]
    assert (to_only.recipients, to_only.subject) == (2, None)


def test_quarantined_items_show_reason_and_a_folder_relative_location(tmp_path):
    folder = eml_folder(tmp_path / "mail", 3)
    preview = preview_import([folder])
    assert preview.complete and preview.quarantined == 1
    assert [i.display_location for i in preview.items] == [
        "mail/000.eml",
        "mail/001.eml",
        "mail/002.eml",
        "mail/zz-notes.eml",
    ]
    bad = preview.items[-1]
    assert bad.quarantined and bad.quarantine_reason == "not_an_email" and bad.quarantine_detail
    assert bad.body_chars is None and bad.subject is None and bad.format == "emldir"


def test_every_source_is_checked_even_when_the_first_fills_the_preview(mbox, tmp_path):
    table = tmp_path / "tickets.csv"
    write_csv(table, generate(3, seed=2))
    missing = tmp_path / "gone.mbox"
    preview = preview_import([mbox, table, missing], ImportOptions(text_column="body"))
    assert len(preview.items) == PREVIEW_LIMIT
    first, csv_source, gone = preview.sources
    assert first.error is None and first.items == PREVIEW_LIMIT
    assert csv_source.format == "csv" and "no column 'body'" in (csv_source.error or "")
    assert csv_source.columns == ("id", "text", "category", "subject", "from")  # to pick the right one
    assert gone.format is None and gone.error == f"source not found: {missing}"
    assert len(preview.errors) == 2 and not preview.complete


def test_table_rows_with_label_and_no_text_column_yet(tmp_path):
    table = tmp_path / "tickets.csv"
    emails = list(generate(4, seed=2))
    write_csv(table, emails)
    no_column = preview_import([table])
    assert no_column.items == () and "say which column holds the message text" in no_column.errors[0]
    assert no_column.sources[0].columns[:2] == ("id", "text")

    preview = preview_import([table], ImportOptions(text_column="text", label_column="category"))
    assert preview.complete and [i.display_location for i in preview.items] == [
        f"tickets.csv#row={n}" for n in range(1, 5)
    ]
    assert [i.label for i in preview.items] == [e.intent for e in emails]
    assert [i.body_chars for i in preview.items] == [len(e.body) for e in emails]


def test_cancel_returns_what_was_read(mbox):
    control = JobControl()
    seen: list[int] = []

    def progress(done: int, total: int | None, message: str) -> None:
        seen.append(done)
        if done == 4:
            control.cancel()

    control.on_progress = progress
    preview = preview_import([mbox], control=control)
    assert preview.cancelled and not preview.complete
    assert len(preview.items) == 4 and seen == [1, 2, 3, 4]


def test_messages_already_in_the_project_are_marked_duplicates(project, mbox, tmp_path):
    from scrubdesk.core.importer import run_import

    fresh = tmp_path / "fresh.mbox"
    write_mbox(fresh, generate(5, seed=99))
    before = preview_import([mbox, fresh], limit=400, project=project)
    assert before.duplicates == 0 and all(i.duplicate is False for i in before.items)
    assert all(i.duplicate is None for i in preview_import([mbox], limit=3).items)  # no project: unknown

    run_import(project, [mbox])
    after = preview_import([mbox, fresh], limit=400, project=project)
    assert [i.duplicate for i in after.items] == [True] * 300 + [False] * 5
    assert after.duplicates == 300

    with_ids = tmp_path / "with-ids.csv"
    write_csv(with_ids, generate(3, seed=2))
    by_id = ImportOptions(text_column="text", id_column="id")
    run_import(project, [with_ids], by_id)
    assert [i.duplicate for i in preview_import([with_ids], by_id, project=project).items] == [True] * 3
    by_row = ImportOptions(text_column="text")  # keyed on the whole file's digest: not read for a preview
    assert [i.duplicate for i in preview_import([with_ids], by_row, project=project).items] == [None] * 3
