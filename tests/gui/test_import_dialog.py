"""Import from the GUI: the options dialog, the worker with live progress and Cancel, the summary."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt, QTimer

from scrubdesk.core.db.messages import count_messages
from scrubdesk.core.ingest.records import ALL_FIELDS, ImportOptions
from scrubdesk.gui.import_dialog import ImportDialog
from scrubdesk.gui.import_progress import ImportProgressDialog
from tests.gui.conftest import open_project, show_raw
from tests.gui.fakes import FakeReader, fake_source

pytestmark = pytest.mark.gui


@pytest.fixture
def opened(main_window, project, qtbot):
    assert open_project(qtbot, main_window, project.path)
    return main_window


class Ticker:
    """Counts QTimer ticks: proof that the UI event loop keeps turning."""

    def __init__(self, interval_ms: int = 10) -> None:
        self.ticks = 0
        self.timer = QTimer()
        self.timer.timeout.connect(self._tick)
        self.timer.start(interval_ms)

    def _tick(self) -> None:
        self.ticks += 1


def closed(dialog: ImportProgressDialog) -> bool:
    return not shiboken6.isValid(dialog) or not dialog.isVisible()  # closed dialogs delete themselves


def run_to_end(qtbot, dialog: ImportProgressDialog, timeout: int = 30_000) -> None:
    qtbot.waitUntil(lambda: not dialog.running, timeout=timeout)


def test_dialog_collects_sources_format_and_columns(qtbot, app_settings, tmp_path):
    dialog = ImportDialog(app_settings)
    qtbot.addWidget(dialog)
    assert not dialog.import_button.isEnabled()  # nothing to import yet
    csv = tmp_path / "tickets.csv"
    csv.write_text("id,text\n1,hello\n")
    dialog.add_sources([csv, tmp_path, csv])
    assert dialog.sources() == [csv, tmp_path]  # no duplicates
    assert dialog.selected_format() is None  # auto-detect is the default
    assert not dialog.import_button.isEnabled()  # a .csv needs its text column
    assert "column" in dialog.hint.text()
    dialog.text_column.setText("text")
    dialog.label_column.setText(" label ")
    assert dialog.import_button.isEnabled()
    assert dialog.options() == ImportOptions(format=None, text_column="text", label_column="label")
    assert dialog.options().fields == ALL_FIELDS  # every field is kept unless unticked
    dialog.set_format("mbox")
    assert not dialog.columns_box.isEnabled()
    assert dialog.options().format == "mbox"
    dialog.source_list.setCurrentRow(0)
    dialog.remove_button.click()
    assert dialog.sources() == [tmp_path]


def test_import_runs_in_a_worker_with_live_progress_and_summary(opened, qtbot, tmp_path, monkeypatch):
    FakeReader(1100, delay=0.001, bad=3).install(monkeypatch)
    ticker = Ticker()
    dialog = opened.start_import([fake_source(tmp_path)], ImportOptions())
    assert dialog is not None and dialog.isVisible() and dialog.running
    assert not opened.import_action.isEnabled()  # one import at a time
    lines: list[str] = []
    dialog.task.progressed.connect(lambda d, t, m: lines.append(dialog.counts_label.text()))
    with qtbot.waitSignal(dialog.import_finished, timeout=30_000) as finished:
        pass
    ticker.timer.stop()
    assert ticker.ticks >= 20  # the UI thread turned all along (the job takes over a second)
    assert "500 imported, 0 duplicates, 0 quarantined" in lines  # live line after the first batch
    assert lines[-1] == "1100 imported, 0 duplicates, 3 quarantined"
    assert dialog.progress_bar.value() == dialog.progress_bar.maximum()

    outcome = finished.args[0]
    assert outcome.summary["imported"] == 1100 and outcome.summary["cancelled"] is False
    assert dialog.stack.currentIndex() == 1
    assert dialog.headline.text() == "Import finished: 1,100 new messages."
    assert dialog.summary_values["quarantined"].text() == "3"
    assert dialog.summary_values["reasons"].text() == "No text body: 2\nNot an email: 1"
    table = dialog.quarantine_table
    assert table.rowCount() == 3
    row = [table.item(0, c).text() for c in range(3)]
    assert row[0].endswith("inbox.fake#bad0") and row[1:] == ["No text body", "only attachments"]

    assert opened.model.rowCount() == 1100  # the list refreshed
    assert opened.count_label.text() == "1,100 messages"
    qtbot.waitUntil(opened.import_action.isEnabled)  # once the task has fully finished
    dialog.close_button.click()
    assert not dialog.isVisible()


def test_cancel_keeps_committed_messages_and_says_cancelled(opened, qtbot, tmp_path, monkeypatch):
    FakeReader(5000, delay=0.001).install(monkeypatch)
    dialog = opened.start_import([fake_source(tmp_path)], ImportOptions())
    qtbot.waitUntil(lambda: dialog.counts_label.text().startswith("500 imported"), timeout=30_000)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.cancel_button.text() == "Cancelling…" and not dialog.cancel_button.isEnabled()
    with qtbot.waitSignal(dialog.import_finished, timeout=30_000) as finished:
        pass
    summary = finished.args[0].summary
    assert summary["cancelled"] is True
    assert 500 <= summary["imported"] < 5000
    assert "cancelled" in dialog.headline.text().lower()
    assert f"{summary['imported']:,} messages imported before the cancel were kept" in dialog.headline.text()
    assert dialog.windowTitle() == "Import cancelled"
    with opened.project.store() as store:
        assert count_messages(store) == summary["imported"]  # committed batches are kept
    assert opened.model.rowCount() == summary["imported"]


def test_closing_the_progress_dialog_cancels_instead_of_abandoning_the_job(
    opened, qtbot, tmp_path, monkeypatch
):
    FakeReader(5000, delay=0.001).install(monkeypatch)
    dialog = opened.start_import([fake_source(tmp_path)], ImportOptions())
    dialog.reject()  # Esc / window close button
    assert dialog.isVisible() and dialog.task.cancel_requested
    run_to_end(qtbot, dialog)
    assert dialog.outcome is not None and dialog.outcome.summary["cancelled"]


def test_user_error_from_the_job_shows_a_message_box(opened, qtbot, tmp_path, message_boxes):
    missing = tmp_path / "nowhere.mbox"
    dialog = opened.start_import([missing], ImportOptions())
    with qtbot.waitSignal(dialog.import_finished, timeout=10_000) as finished:
        pass
    assert finished.args == [None]
    assert message_boxes == [("Import failed", f"source not found: {missing}")]
    assert closed(dialog)
    qtbot.waitUntil(opened.import_action.isEnabled)


def test_unexpected_error_is_shown_by_type_only(opened, qtbot, tmp_path, monkeypatch, message_boxes, caplog):
    secret = "Dear Mr Sample, my card 4111 1111 1111 1111"

    def broken_reader(path: Path, options, progress):
        raise UnicodeError(secret)
        yield  # pragma: no cover

    reader = FakeReader(1).install(monkeypatch)
    import scrubdesk.core.importer as importer

    monkeypatch.setattr(importer, "read_source", broken_reader)
    assert reader.count == 1
    dialog = opened.start_import([fake_source(tmp_path)], ImportOptions())
    qtbot.waitUntil(lambda: bool(message_boxes), timeout=10_000)
    title, text = message_boxes[0]
    assert title == "Import failed" and "UnicodeError" in text
    assert secret not in text and secret not in caplog.text
    assert closed(dialog)


def write_eml_folder(folder: Path, count: int) -> Path:
    from email.message import EmailMessage

    folder.mkdir()
    for i in range(count):
        msg = EmailMessage()
        msg["From"] = f"Jane Doe {i} <jane{i}@example.co.uk>"
        msg["To"] = "help@bank.example"
        msg["Subject"] = f"Card stolen <b>{i}</b>"
        msg["Date"] = f"Mon, {1 + i:02d} Jan 2024 09:30:00 +0000"
        msg["Message-ID"] = f"<eml-{i}@example.co.uk>"
        msg.set_content(f"My card ending 4242 was stolen.\n<i>Please</i> block it. ({i})\n")
        if i == 0:
            msg.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="statement.pdf")
        (folder / f"{i:03d}.eml").write_bytes(msg.as_bytes())
    (folder / "notes.eml").write_bytes(b"\x00\x01 this is not an email at all \xff\xfe")
    return folder


@pytest.mark.parametrize("in_child_process", [False, True], ids=["in-process", "parser-process"])
def test_end_to_end_eml_folder_import_then_read(opened, qtbot, tmp_path, monkeypatch, in_child_process):
    if in_child_process:  # what a large source does: parse in a spawned process, from the Qt worker thread
        import scrubdesk.core.importer as importer

        monkeypatch.setattr(importer, "PARALLEL_MIN_BYTES", 0)
    folder = write_eml_folder(tmp_path / "mail", 5)
    dialog = ImportDialog(opened.settings, opened)
    qtbot.addWidget(dialog)
    dialog.add_sources([folder])
    assert dialog.import_button.isEnabled()
    progress = opened.start_import(dialog.sources(), dialog.options())
    with qtbot.waitSignal(progress.import_finished, timeout=30_000) as finished:
        pass
    summary = finished.args[0].summary
    assert summary["imported"] == 5 and summary["cancelled"] is False
    assert summary["quarantined"] == 1
    assert progress.quarantine_table.rowCount() == 1
    assert progress.quarantine_table.item(0, 0).text().endswith("notes.eml")

    assert opened.model.rowCount() == 5
    subjects = {opened.model.index(r, 3).data() for r in range(5)}
    assert subjects == {f"Card stolen <b>{i}</b>" for i in range(5)}
    row = next(r for r in range(5) if opened.model.index(r, 3).data() == "Card stolen <b>0</b>")
    opened.list_view.select_row(row)
    view = opened.message_view
    show_raw(qtbot, view)
    assert view.fields["Subject"].text() == "Card stolen <b>0</b>"  # literal, never rendered
    assert view.fields["From"].text() == "Jane Doe 0 <jane0@example.co.uk>"
    assert view.fields["Attachments"].text().startswith("1")
    assert "<i>Please</i> block it. (0)" in view.body.toPlainText()

    # Importing the same folder again stores nothing twice.
    qtbot.waitUntil(opened.import_action.isEnabled)
    again = opened.start_import([folder], ImportOptions())
    qtbot.waitUntil(lambda: again.outcome is not None, timeout=30_000)
    assert again.outcome.summary["imported"] == 0 and again.outcome.summary["duplicates"] == 5
    assert opened.model.rowCount() == 5


# --- the preview ---------------------------------------------------------------------------------------


def preview_of(qtbot, dialog: ImportDialog, timeout: int = 30_000):
    """Wait for the next preview the dialog finishes (started by a change, after its short pause)."""
    with qtbot.waitSignal(dialog.preview_finished, timeout=timeout) as finished:
        pass
    return finished.args[0]


def table_rows(dialog: ImportDialog) -> list[dict[str, str]]:
    from scrubdesk.gui.import_dialog import PREVIEW_KEYS

    table = dialog.preview_table
    return [
        {key: table.item(r, c).text() for c, key in enumerate(PREVIEW_KEYS)} for r in range(table.rowCount())
    ]


def everything_shown(dialog: ImportDialog) -> str:
    table = dialog.preview_table
    cells = [table.item(r, c) for r in range(table.rowCount()) for c in range(table.columnCount())]
    return "\n".join(f"{cell.text()}\t{cell.toolTip()}" for cell in cells if cell is not None)


def test_preview_shows_the_first_messages_without_names_or_addresses(qtbot, app_settings, tmp_path):
    folder = write_eml_folder(tmp_path / "mail", 5)
    dialog = ImportDialog(app_settings)
    qtbot.addWidget(dialog)
    assert dialog.preview_table.rowCount() == 0 and "Add files" in dialog.preview_status.text()
    dialog.add_sources([folder])
    preview = preview_of(qtbot, dialog)
    assert preview is dialog.preview and preview.complete
    rows = table_rows(dialog)
    assert len(rows) == 6
    assert rows[0] == {
        "location": "mail/000.eml",
        "date": "2024-01-01 09:30",
        "subject": "Card stolen <b>0</b>",
        "sender": "example.co.uk",
        "recipients": "1",
        "attachments": "1",
        "body": f"{preview.items[0].body_chars:,}",
        "label": "",
        "format": "emldir",
        "status": "Message",
    }
    assert rows[-1]["location"] == "mail/notes.eml"
    assert rows[-1]["status"] == "Quarantine: Not an email" and rows[-1]["body"] == ""
    assert dialog.preview_table.item(5, PREVIEW_KEYS_INDEX["status"]).toolTip()  # the reason's detail
    assert dialog.preview_status.text() == "All 6 items of the sources; 1 would be quarantined."
    label_col = PREVIEW_KEYS_INDEX["label"]
    assert dialog.preview_table.isColumnHidden(label_col)  # no label column given: no labels to show
    shown = everything_shown(dialog)
    assert "Jane" not in shown and "jane" not in shown and "4242" not in shown  # no name, address, body
    assert dialog.import_button.isEnabled()


PREVIEW_KEYS_INDEX = {
    key: n
    for n, key in enumerate(
        (
            "location",
            "date",
            "subject",
            "sender",
            "recipients",
            "attachments",
            "body",
            "label",
            "format",
            "status",
        )
    )
}


def test_unticked_fields_are_neither_read_nor_shown_and_are_remembered(qtbot, app_settings, tmp_path):
    folder = write_eml_folder(tmp_path / "mail", 2)
    dialog = ImportDialog(app_settings)
    qtbot.addWidget(dialog)
    dialog.add_sources([folder])
    preview_of(qtbot, dialog)
    dialog.field_checks["subject"].setChecked(False)
    dialog.field_checks["from"].setChecked(False)
    assert dialog.options().fields == ("sent_at", "to", "cc", "attachments")
    preview = preview_of(qtbot, dialog)
    assert preview.fields == ("sent_at", "to", "cc", "attachments")
    assert all(item.subject is None and item.sender_domain is None for item in preview.items)
    table = dialog.preview_table
    assert table.isColumnHidden(PREVIEW_KEYS_INDEX["subject"]) and table.isColumnHidden(
        PREVIEW_KEYS_INDEX["sender"]
    )
    assert not table.isColumnHidden(PREVIEW_KEYS_INDEX["date"])
    assert "Card stolen" not in everything_shown(dialog)
    dialog.field_checks["to"].setChecked(False)
    dialog.field_checks["cc"].setChecked(False)
    preview_of(qtbot, dialog)
    assert table.isColumnHidden(PREVIEW_KEYS_INDEX["recipients"])

    again = ImportDialog(app_settings)  # the allow-list is remembered for the next import
    qtbot.addWidget(again)
    assert again.options().fields == ("sent_at", "attachments")


def test_a_source_that_cannot_be_read_as_asked_blocks_the_import_until_fixed(qtbot, app_settings, tmp_path):
    table = tmp_path / "tickets.csv"
    table.write_text("id,text,category\n1,my card was stolen,fraud\n2,refund please,billing\n")
    dialog = ImportDialog(app_settings)
    qtbot.addWidget(dialog)
    dialog.add_sources([table])
    dialog.text_column.setText("body")
    preview = preview_of(qtbot, dialog)
    assert preview.items == () and "no column 'body'" in preview.errors[0]
    assert not dialog.import_button.isEnabled()
    assert "no column 'body'" in dialog.hint.text() and "its columns: id, text" in dialog.hint.text()
    assert dialog.preview_status.text() == "The source cannot be read as asked (see below)."
    completer = dialog.text_column.completer()  # the file's columns are offered while typing
    assert completer is not None
    assert completer.model().stringList() == ["category", "id", "text"]

    dialog.text_column.setText("text")
    dialog.label_column.setText("category")
    assert dialog.import_button.isEnabled()  # the old problem is gone with the options it was about
    preview = preview_of(qtbot, dialog)
    assert not preview.errors and dialog.import_button.isEnabled() and dialog.hint.isHidden()
    rows = table_rows(dialog)
    assert [(r["location"], r["label"], r["format"]) for r in rows] == [
        ("tickets.csv#row=1", "fraud", "csv"),
        ("tickets.csv#row=2", "billing", "csv"),
    ]
    assert not dialog.preview_table.isColumnHidden(PREVIEW_KEYS_INDEX["label"])
    assert rows[0]["recipients"] == rows[0]["attachments"] == ""  # a table row has neither


class EndlessReader:
    """An mbox that never ends, slowly: counts the items the preview pulled."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.pulled = 0
        self.closed = 0

    def read_source(self, path, options, progress):
        from tests.gui.fakes import fake_message

        def items():
            try:
                i = 0
                while True:
                    time.sleep(self.delay)
                    self.pulled += 1
                    yield fake_message(i, path)
                    i += 1
            finally:
                self.closed += 1

        return items()

    def install(self, monkeypatch) -> EndlessReader:
        from scrubdesk.core.ingest import readers

        monkeypatch.setattr(readers, "read_source", self.read_source)
        return self


def test_preview_of_a_huge_source_runs_in_a_worker_and_reads_only_what_it_shows(
    qtbot, app_settings, tmp_path, monkeypatch
):
    reader = EndlessReader(delay=0.05).install(monkeypatch)
    huge = tmp_path / "huge.mbox"
    huge.write_bytes(b"From x\n")
    dialog = ImportDialog(app_settings)
    qtbot.addWidget(dialog)
    ticker = Ticker()
    dialog.add_sources([huge])
    task = dialog.refresh_preview()  # at once, without the pause
    assert task is not None and dialog.preview_running and not dialog.preview_stop_button.isHidden()
    qtbot.waitUntil(
        lambda: "Reading the first items… 3 of 20" in dialog.preview_status.text(), timeout=10_000
    )
    preview = preview_of(qtbot, dialog)
    ticker.timer.stop()
    assert ticker.ticks >= 30  # the UI kept turning for the second it took
    assert len(preview.items) == 20 and not preview.complete
    assert reader.pulled == 21 and reader.closed == 1  # stopped early and closed the source
    assert dialog.preview_status.text() == "The first 20 items (the import reads them all)."
    assert dialog.preview_table.rowCount() == 20 and dialog.preview_stop_button.isHidden()
    assert table_rows(dialog)[0]["sender"] == "example.com"


def test_stop_keeps_what_was_read_and_a_change_discards_a_running_preview(
    qtbot, app_settings, tmp_path, monkeypatch
):
    EndlessReader(delay=0.2).install(monkeypatch)
    huge = tmp_path / "huge.mbox"
    huge.write_bytes(b"From x\n")
    dialog = ImportDialog(app_settings)
    qtbot.addWidget(dialog)
    dialog.add_sources([huge])
    dialog.refresh_preview()
    qtbot.waitUntil(lambda: "… 2 of 20" in dialog.preview_status.text(), timeout=10_000)
    qtbot.mouseClick(dialog.preview_stop_button, Qt.MouseButton.LeftButton)
    preview = preview_of(qtbot, dialog)
    assert preview.cancelled and 2 <= len(preview.items) < 20
    assert dialog.preview_table.rowCount() == len(preview.items)
    assert dialog.preview_status.text().startswith(f"Preview stopped after {len(preview.items)} items")

    first = dialog.refresh_preview()
    dialog.set_format("mbox")  # a change while it runs: that preview is stale
    assert first is not None and first.cancel_requested and dialog.preview_task is None
    assert dialog.preview_table.rowCount() == len(preview.items)  # kept until the new one is in
    qtbot.waitUntil(lambda: not first.running, timeout=10_000)
    latest = dialog.refresh_preview()
    assert latest is not None and dialog.preview_task is latest
    dialog.reject()  # closing stops the preview too
    assert latest.cancel_requested
    qtbot.waitUntil(lambda: not latest.running, timeout=10_000)


def test_preview_marks_messages_already_in_the_project(qtbot, app_settings, project, tmp_path):
    from scrubdesk.core.importer import run_import

    folder = write_eml_folder(tmp_path / "mail", 3)
    run_import(project, [folder / "000.eml", folder / "002.eml"])
    dialog = ImportDialog(app_settings, project=project)
    qtbot.addWidget(dialog)
    dialog.add_sources([folder])
    preview_of(qtbot, dialog)
    assert [r["status"] for r in table_rows(dialog)] == [
        "Duplicate (skipped)",
        "Message",
        "Duplicate (skipped)",
        "Quarantine: Not an email",
    ]
    assert dialog.preview_status.text() == (
        "All 4 items of the sources; 2 already in the project; 1 would be quarantined."
    )


def test_preview_summary_line():
    from scrubdesk.core.import_preview import ImportPreview, PreviewItem, SourcePreview
    from scrubdesk.gui.import_dialog import preview_summary

    def item(**kw) -> PreviewItem:
        return PreviewItem("s", "s", "s", "mbox", 1, **kw)

    ok = SourcePreview("a.mbox", "mbox", items=2, exhausted=True)
    more = SourcePreview("b.mbox", "mbox", items=2, exhausted=False)
    bad = SourcePreview("c.csv", "csv", error="c.csv: no column 'body'")
    two = (item(duplicate=True), item(quarantine_reason="not_an_email"))
    assert preview_summary(ImportPreview(two, (ok,), (), 20)) == (
        "All 2 items of the sources; 1 already in the project; 1 would be quarantined."
    )
    assert preview_summary(ImportPreview(two[:1], (more,), (), 1)) == (
        "The first 1 item (the import reads them all); 1 already in the project."
    )
    assert preview_summary(ImportPreview((), (ok, bad), (), 20)) == (
        "No items in the sources that can be read; 1 source cannot be read as asked (see below)."
    )
    assert preview_summary(ImportPreview((), (bad, bad), (), 20)) == (
        "None of the sources can be read as asked (see below)."
    )
    assert preview_summary(ImportPreview(two, (more,), (), 2, cancelled=True)) == (
        "Preview stopped after 2 items; 1 already in the project; 1 would be quarantined."
    )
