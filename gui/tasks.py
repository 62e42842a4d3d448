"""Every thread the application starts is started here: the task runner for long jobs (import, analysis,
training, export, search, ...) and :class:`BackgroundWriter` for small writes the UI must not wait for.

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

``core`` and ``models`` never start threads: their functions are plain and synchronous, and take a
``JobControl`` for progress and cancel.
"""

from __future__ import annotations

import atexit
import logging
import queue
import threading
import traceback
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from scrubdesk.core.jobs import JobCancelled, JobControl

log = logging.getLogger(__name__)

Job = Callable[[JobControl], Any]


class _Signals(QObject):
    """Emitted from the worker thread; delivered queued to the task in the UI thread."""

    progressed = Signal(object, object, str)  # done, total | None, message
    succeeded = Signal(object)  # the job's result
    failed = Signal(object)  # the exception
    cancelled = Signal()  # the job raised JobCancelled
    finished = Signal()  # always last


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
    succeeded = Signal(object)  # the job's result
    failed = Signal(object)  # the exception (a ScrubdeskError's message is meant for the user)
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

    @Slot()
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


R = TypeVar("R")  # what a writer writes with, e.g. its own store connection


class WriterStoppedError(RuntimeError):
    """A :class:`BackgroundWriter` stopped after a failed write and takes no more items."""


class _WriterSignals(QObject):
    written = Signal(object)  # list of items, committed
    failed = Signal(object)  # the exception that stopped the writer


class BackgroundWriter(Generic[R]):
    """One writer thread for small, frequent writes the UI must not wait for (each commit costs an fsync,
    ~20 ms or more), such as audit-log entries.

    :meth:`put` queues an item and returns at once. The thread opens its resource with ``open_resource``
    when work arrives (a store connection belongs to one thread), writes everything queued so far with
    ``write(resource, items)`` — what arrives during one write goes into the next — and closes the resource
    with ``close_resource`` after ``idle_seconds`` without work (the thread ends too; the next item starts
    another). ``signals.written`` carries each committed batch; after a failure ``signals.failed`` carries
    the exception, the items not yet written are dropped, and every later :meth:`put` raises
    :class:`WriterStoppedError`. Both signals are delivered in the thread that created the writer (the UI
    thread). :meth:`close` writes what is queued and stops; it also runs at interpreter exit.
    """

    def __init__(
        self,
        name: str,
        open_resource: Callable[[], R],
        write: Callable[[R, list[Any]], None],
        close_resource: Callable[[R], None],
        *,
        idle_seconds: float = 5.0,
    ) -> None:
        self.name = name
        self.signals = _WriterSignals()
        self._open, self._write, self._close_resource = open_resource, write, close_resource
        self._idle_seconds = idle_seconds
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._stop = object()  # queued by close()
        self._pending = 0
        self._lock = threading.Condition()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._closed = False
        atexit.register(self.close)

    @property
    def error(self) -> BaseException | None:
        return self._error

    def put(self, item: Any) -> None:
        """Queue one item. Raises :class:`WriterStoppedError` after a failed write, or once closed."""
        with self._lock:
            if self._error is not None:
                message = f"the {self.name} writer stopped after a failed write"
                raise WriterStoppedError(message) from self._error
            if self._closed:
                raise WriterStoppedError(f"the {self.name} writer is closed")
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
        self._queue.put(item)

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every queued item is written (or dropped by a failure). True if none is left."""
        with self._lock:
            return self._lock.wait_for(lambda: self._pending == 0, timeout)

    def close(self, timeout: float = 30.0) -> None:
        """Write what is queued, then stop the thread. Safe to call more than once."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            thread = self._thread
        atexit.unregister(self.close)
        if thread is not None:
            self._queue.put(self._stop)
            thread.join(timeout)

    def _next_batch(self) -> list[Any] | None:
        """Everything queued now (waiting for the first); None when idle long enough to end the thread."""
        try:
            batch = [self._queue.get(timeout=self._idle_seconds)]
        except queue.Empty:
            with self._lock:
                if self._pending == 0:
                    self._thread = None
                    return None
            return []
        while batch[-1] is not self._stop:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _run(self) -> None:
        resource: Any = None
        opened = False
        try:
            while (batch := self._next_batch()) is not None:
                items = [item for item in batch if item is not self._stop]
                if items:
                    if not opened:
                        resource, opened = self._open(), True
                    self._write(resource, items)
                    with self._lock:
                        self._pending -= len(items)
                        self._lock.notify_all()
                    self._emit(self.signals.written, items)
                if len(items) < len(batch):  # close() asked us to stop
                    return
        except BaseException as exc:  # noqa: BLE001 - reported through `failed`; never its message
            log.error("%s writer failed with %s", self.name, type(exc).__name__)
            with self._lock:
                self._error = exc
                self._pending = 0
                self._thread = None
                self._lock.notify_all()
            self._emit(self.signals.failed, exc)
        finally:
            if opened:
                self._close_resource(resource)

    def _emit(self, signal: Any, value: Any) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the receiving side is gone (e.g. at interpreter exit)
            log.debug("%s writer: nobody is listening any more", self.name)
