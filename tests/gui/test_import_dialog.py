"""Import from the GUI: the options dialog, the worker with live progress and Cancel, the summary."""

from __future__ import annotations

from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt, QTimer

from scrubdesk.core.ingest.records import ImportOptions
from scrubdesk.core.messages import count_messages
from scrubdesk.gui.import_dialog import ImportDialog, ImportProgressDialog
from tests.gui.conftest import open_project
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
