"""Start-up timing for benchmarks: milliseconds from process start to the main window's first paint.

`scrubdesk gui --report-startup` prints ``startup: first window painted after N ms`` on stderr and puts
``first_window_ms`` into the JSON summary. Process start comes from /proc on Linux (10 ms resolution);
elsewhere from the moment this module was imported, which misses interpreter start-up.
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QMainWindow

_IMPORTED_AT = time.monotonic()


def seconds_since_process_start() -> float:
    """Wall seconds since this process started (Linux: from /proc/self/stat; else since import)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as fh:  # noqa: PTH123 - a procfs read
            fields = fh.read().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])  # field 22 (starttime), counted after the ")" of the comm field
        boot_now = time.clock_gettime(time.CLOCK_BOOTTIME)
        return boot_now - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return time.monotonic() - _IMPORTED_AT


class FirstPaintRecorder(QObject):
    """Application-wide event filter: records the first paint of any main window, then removes itself."""

    def __init__(self) -> None:
        super().__init__()
        self.first_window_ms: float | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            self.first_window_ms is None
            and event.type() == QEvent.Type.Paint
            and isinstance(watched, QMainWindow)
        ):
            self.first_window_ms = round(seconds_since_process_start() * 1000, 1)
            sys.stderr.write(f"startup: first window painted after {self.first_window_ms} ms\n")
            sys.stderr.flush()
            app = QCoreApplication.instance()
            if app is not None:
                app.removeEventFilter(self)
        return False
