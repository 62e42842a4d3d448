"""The task runner: jobs run off the UI thread; progress, results and errors come back as signals."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from scrubdesk.core.errors import InputError
from scrubdesk.core.jobs import JobControl

pytestmark = pytest.mark.gui


def test_result_and_progress_arrive_in_the_ui_thread(runner, qtbot):
    ui_thread = threading.get_ident()
    job_thread: list[int] = []
    seen: list[tuple] = []

    def job(control: JobControl) -> str:
        job_thread.append(threading.get_ident())
        for i in range(1, 4):
            control.progress(i, 3, f"step {i}")
        return "done"

    task = runner.run(job, name="demo")
    task.progressed.connect(lambda d, t, m: seen.append((d, t, m, threading.get_ident())))
    task.succeeded.connect(lambda r: seen.append(("result", r, threading.get_ident())))
    with qtbot.waitSignal(task.finished, timeout=5000):
        task.start()
        assert runner.active() == [task]
    assert job_thread and job_thread[0] != ui_thread
    assert seen == [
        (1, 3, "step 1", ui_thread),
        (2, 3, "step 2", ui_thread),
        (3, 3, "step 3", ui_thread),
        ("result", "done", ui_thread),
    ]
    assert not task.running
    assert runner.active() == []


def test_user_errors_are_delivered_and_other_errors_logged_without_their_message(runner, qtbot, caplog):
    secret = "Dear Mrs Example, my account 12345678"
    errors: list[BaseException] = []

    def bad(control: JobControl) -> None:
        raise ValueError(secret)

    def user_error(control: JobControl) -> None:
        raise InputError("source not found: /x")

    caplog.set_level(logging.DEBUG)
    for job in (bad, user_error):
        task = runner.run(job, name=job.__name__)
        task.failed.connect(errors.append)
        with qtbot.waitSignal(task.finished, timeout=5000):
            task.start()
    assert [type(e) for e in errors] == [ValueError, InputError]
    assert "ValueError" in caplog.text
    assert secret not in caplog.text


def test_cancel_stops_the_job_at_its_next_check(runner, qtbot):
    started = threading.Event()

    def endless(control: JobControl) -> None:
        started.set()
        while True:
            time.sleep(0.01)
            control.check_cancelled()

    task = runner.run(endless, name="endless")
    cancelled: list[bool] = []
    task.cancelled.connect(lambda: cancelled.append(True))
    task.start()
    assert started.wait(5)
    with qtbot.waitSignal(task.finished, timeout=5000):
        task.cancel()
    assert cancelled == [True]


def test_event_loop_keeps_turning_while_a_job_runs(runner, qtbot):
    from PySide6.QtCore import QTimer

    ticks = [0]
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.__setitem__(0, ticks[0] + 1))
    timer.start(10)
    task = runner.run(lambda control: time.sleep(0.6), name="sleep")
    with qtbot.waitSignal(task.finished, timeout=5000):
        task.start()
    timer.stop()
    assert ticks[0] >= 15  # ~60 possible; a blocked UI thread would give 0 or 1


def test_shutdown_cancels_running_jobs(runner, qtbot):
    started = threading.Event()

    def endless(control: JobControl) -> None:
        started.set()
        while True:
            time.sleep(0.01)
            control.check_cancelled()

    task = runner.run(endless, name="endless").start()
    assert started.wait(5)
    assert runner.shutdown(timeout_ms=5000)
    assert task.cancel_requested


def test_a_task_starts_only_once(runner, qtbot):
    task = runner.run(lambda control: None, name="once")
    with qtbot.waitSignal(task.finished):
        task.start()
    with pytest.raises(RuntimeError):
        task.start()
