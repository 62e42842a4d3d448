"""The raw-view gate and its background writer: raw views are committed off the UI thread, in order, and
a failed write hides raw text for good."""

from __future__ import annotations

import threading

import pytest

from scrubdesk.core.audit_log import audit_entries
from scrubdesk.core.errors import PermissionDeniedError, ScrubdeskError
from scrubdesk.core.review import set_raw_view_roles
from tests.review_fixtures import add_message

pytestmark = pytest.mark.gui


def view_raw_objects(store) -> list[str]:
    return [e.objects[0] for e in audit_entries(store, action="view_raw", newest_first=False)]


def test_the_gate_writes_each_view_off_the_callers_thread_and_says_when(qtbot, project):
    from scrubdesk.gui.raw_view_gate import RawViewGate

    with project.store() as store:
        first, second = add_message(store, "k1"), add_message(store, "k2")
        gate = RawViewGate(project)
        logged: list[int] = []
        gate.logged.connect(logged.append)
        for mid, key in [(first, "k1"), (second, "k2"), (first, "k1")]:
            gate.request(store, mid, key)
        assert gate.flush(10)
        qtbot.waitUntil(lambda: len(logged) == 3)
        assert logged == [first, second, first]
        assert view_raw_objects(store) == ["k1", "k2", "k1"]
        set_raw_view_roles(project, store, ["reviewer"])
        with pytest.raises(PermissionDeniedError):
            gate.request(store, first, "k1")
        gate.close()
        assert len(view_raw_objects(store)) == 3


def test_the_gate_reports_a_failed_write_and_refuses_more(qtbot, project, monkeypatch):
    from scrubdesk.gui.raw_view_gate import RawViewGate

    with project.store() as store:
        mid = add_message(store, "k1")
        gate = RawViewGate(project)
        monkeypatch.setattr(type(project), "store", lambda self: (_ for _ in ()).throw(OSError("disk gone")))
        with qtbot.waitSignal(gate.failed, timeout=10_000):
            gate.request(store, mid, "k1")
        with pytest.raises(ScrubdeskError, match="raw text stays hidden"):
            gate.request(store, mid, "k1")
        gate.close()


def test_the_writer_batches_what_queues_during_a_write_and_keeps_order(qtbot):
    from scrubdesk.gui.tasks import BackgroundWriter

    release = threading.Event()
    batches: list[list[int]] = []
    threads: set[str] = set()

    def write(_resource: object, items: list[int]) -> None:
        threads.add(threading.current_thread().name)
        release.wait(10)  # the first write is slow: the rest queue meanwhile
        batches.append(items)

    writer: BackgroundWriter[object] = BackgroundWriter("test-writer", object, write, lambda _r: None)
    written: list[list[int]] = []
    writer.signals.written.connect(written.append)
    for i in range(5):
        writer.put(i)
    release.set()
    assert writer.flush(10)
    assert [i for batch in batches for i in batch] == [0, 1, 2, 3, 4]
    assert len(batches) <= 2  # one for the first item, one for everything that queued behind it
    assert threads == {"test-writer"} and threading.current_thread().name not in threads
    qtbot.waitUntil(lambda: sum(map(len, written)) == 5)
    writer.close()
    with pytest.raises(RuntimeError, match="closed"):
        writer.put(5)
