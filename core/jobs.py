"""The protocol every long job follows, shared by the CLI and the GUI workers.

A job is a plain callable that takes a :class:`JobControl`. It reports progress through it and calls
:meth:`JobControl.check_cancelled` at safe points (between committed batches), which raises
:class:`JobCancelled`. Jobs never touch widgets; the GUI wraps them in Qt workers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

ProgressCallback = Callable[[int, int | None, str], None]


class JobCancelled(Exception):  # noqa: N818 - reads as an event, like KeyboardInterrupt
    """Raised inside a job when the user cancelled it. Work committed before this point is kept."""


def _ignore_progress(done: int, total: int | None, message: str) -> None:
    return None


@dataclass
class JobControl:
    """Progress sink and cancel flag handed to a job. Thread-safe: the cancel flag is an Event."""

    on_progress: ProgressCallback = _ignore_progress
    _cancel: threading.Event = field(default_factory=threading.Event)

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        self.on_progress(done, total, message)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check_cancelled(self) -> None:
        if self._cancel.is_set():
            raise JobCancelled
