"""The one task runner the GUI uses for every long job (import now; analysis, training, export later).

A job is a plain callable from ``scrubdesk.core`` that takes a :class:`~scrubdesk.core.jobs.JobControl`
and returns a result. The runner runs it on its own ``QThreadPool`` and brings progress, the result or
the error back to the UI thread through the signals of a :class:`Task`. The job never touches widgets,
and opens its own store connection (a connection belongs to one thread).

Usage::

    task = runner.run(lambda control: run_import(project, sources, options, control), name="import")
    task.progressed.connect(dialog.on_progress)   # (done, total | None, message) in the UI thread
    task.succeeded.connect(dialog.on_result)
    task.failed.connect(dialog.on_error)
    task.start()

Connect first, then ``start()``: no signal can be missed.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from scrubdesk.core.jobs import JobCancelled, JobControl

log = logging.getLogger(__name__)

Job = Callable[[JobControl], Any]


class _Signals(QObject):
    """Emitted from the worker thread; delivered queued to the task in the UI thread."""

    progressed = Signal(object, object, str)
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()


class _Runnable(QRunnable):
    def __init__(self, task: Task) -> None:
        super().__init__()  # auto-deleted by the pool after run(); nothing else keeps it
        self._job = task.job
        self._control = task.control
        self._signals = task.signals
        self._name = task.name

    def run(self) -> None:
        signals = self._signals
        try:
            result = self._job(self._control)
        except JobCancelled:
            signals.cancelled.emit()
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the UI, never kill the pool
            # Never log an exception's message: a third-party error could quote email text.
            frames = "".join(traceback.format_tb(exc.__traceback__))
            log.error("task %r failed with %s\n%s", self._name, type(exc).__name__, frames)
            signals.failed.emit(exc)
        else:
            signals.succeeded.emit(result)
        finally:
            signals.finished.emit()


class Task(QObject):
    """One job run by the :class:`TaskRunner`. Its signals are delivered in the UI thread.

    ``failed`` carries the exception. A :class:`~scrubdesk.core.errors.ScrubdeskError` has a message meant
    for the user; any other exception should be shown by type only.
    """

    progressed = Signal(object, object, str)  # done, total (None if unknown), message
    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()  # the job raised JobCancelled (jobs that return a partial result use succeeded)
    finished = Signal()  # always last, after exactly one of succeeded / failed / cancelled

    def __init__(self, runner: TaskRunner, job: Job, name: str) -> None:
        super().__init__()
        self.runner = runner
        self.job = job
        self.name = name
        self.signals = _Signals()  # lives in the UI thread, so worker emits are queued here
        self.control = JobControl(on_progress=self._report_progress)
        self._started = False
        self._running = False
        self.signals.progressed.connect(self.progressed)
        self.signals.succeeded.connect(self.succeeded)
        self.signals.failed.connect(self.failed)
        self.signals.cancelled.connect(self.cancelled)
        self.signals.finished.connect(self._on_finished)

    def _report_progress(self, done: int, total: int | None, message: str) -> None:
        # Called in the worker thread: only emit, never touch Qt objects of the UI thread.
        self.signals.progressed.emit(done, total, message)

    def start(self) -> Task:
        if self._started:
            raise RuntimeError(f"task {self.name!r} was already started")
        self._started = True
        self._running = True
        self.runner._start(self, _Runnable(self))
        return self

    def cancel(self) -> None:
        """Ask the job to stop at its next safe point. Work committed before then is kept."""
        self.control.cancel()

    @property
    def cancel_requested(self) -> bool:
        return self.control.cancelled

    @property
    def running(self) -> bool:
        return self._running

    def _on_finished(self) -> None:
        self._running = False
        self.finished.emit()
        self.runner._finished(self)


class TaskRunner(QObject):
    """Owns the worker threads. Pass it to whatever starts jobs; there is no global instance."""

    tasks_changed = Signal(int)  # number of running tasks

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 2) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._tasks: list[Task] = []
        self._retired: list[Task] = []  # finished tasks, released once their last signal has returned

    def run(self, job: Job, *, name: str) -> Task:
        """Wrap ``job`` in a task. Connect to its signals, then call ``task.start()``."""
        return Task(self, job, name)

    def active(self) -> list[Task]:
        return list(self._tasks)

    def _start(self, task: Task, runnable: QRunnable) -> None:
        self._tasks.append(task)
        self._pool.start(runnable)
        log.debug("task %r started", task.name)
        self.tasks_changed.emit(len(self._tasks))

    def _finished(self, task: Task) -> None:
        if task in self._tasks:
            self._tasks.remove(task)
        log.debug("task %r finished", task.name)
        self.tasks_changed.emit(len(self._tasks))
        # We are inside the task's own signal: drop our reference only after it has returned.
        self._retired.append(task)
        QTimer.singleShot(0, self._retired.clear)

    def shutdown(self, timeout_ms: int = 60_000) -> bool:
        """Cancel every running task and wait for the threads. True if all stopped in time."""
        for task in self._tasks:
            task.cancel()
        done = self._pool.waitForDone(timeout_ms)
        if not done:
            log.warning("%d task(s) still running at shutdown", len(self._tasks))
        return done
