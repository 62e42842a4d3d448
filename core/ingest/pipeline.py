"""Read a source in a separate process, so parsing and storing use both cores.

The parser process sends batches of items through a one-way pipe; a full pipe blocks it, so memory stays
flat (a batch being written, the pipe's buffer, a batch being stored). The text crosses a pipe between two
processes of this program, never a file. The "spawn" start method is used everywhere: forking a process
that runs Qt threads is unsafe.

The parser dies with its parent, so a kill -9 of the importer leaves nothing running (the parser would
otherwise keep multiprocessing's resource tracker alive with it):
- on Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` makes the kernel kill it the moment the thread that
  started it ends (the import's thread: it starts and drains the parser within one call);
- everywhere, a watchdog thread waits on the parent's sentinel and exits when the parent is gone;
- a write to the pipe after the parent died fails (only the parent holds the reading end) and ends it.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
from collections.abc import Generator
from pathlib import Path
from typing import Any

from scrubdesk.core.ingest.readers import read_source
from scrubdesk.core.ingest.records import ImportOptions, SourceItem, SourceProgress

BATCH_ITEMS = 200
_POLL_S = 5.0
_PR_SET_PDEATHSIG = 1


class ParserProcessError(RuntimeError):
    """The parser process failed; the message names the exception type only."""


def die_with_parent(parent_pid: int) -> None:
    """Make this process end when its parent does (see the module docstring)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the death signal was armed
        os._exit(0)
    parent = multiprocessing.parent_process()
    if parent is not None:

        def watch() -> None:
            multiprocessing.connection.wait([parent.sentinel])
            os._exit(0)

        threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _produce(path: str, options: ImportOptions, out: Any, parent_pid: int) -> None:
    die_with_parent(parent_pid)
    progress = SourceProgress()
    batch: list[SourceItem] = []
    try:
        try:
            for item in read_source(Path(path), options, progress):
                batch.append(item)
                if len(batch) >= BATCH_ITEMS:
                    out.send(("items", batch, progress.done_bytes))
                    batch = []
            out.send(("items", batch, progress.done_bytes))
            out.send(("done", None, progress.done_bytes))
        except (BrokenPipeError, EOFError):  # the importer stopped reading (cancel, or it died)
            return
        except Exception as exc:  # noqa: BLE001 - reported to the parent by type only: messages may quote input
            with contextlib.suppress(OSError):
                out.send(("error", f"{type(exc).__module__}.{type(exc).__qualname__}", progress.done_bytes))
    finally:
        out.close()


def read_source_in_process(
    path: Path, options: ImportOptions, progress: SourceProgress
) -> Generator[SourceItem, None, None]:
    """Like read_source, but the parsing runs in a child process. Checks the source here first, so input
    errors (missing column, unknown format) raise in the caller before any process starts."""
    read_source(path, options, SourceProgress())  # validates eagerly; the generator itself is dropped
    return _consume(path, options, progress)


def _consume(
    path: Path, options: ImportOptions, progress: SourceProgress
) -> Generator[SourceItem, None, None]:
    context = multiprocessing.get_context("spawn")
    reader, writer = context.Pipe(duplex=False)
    child = context.Process(
        target=_produce, args=(str(path), options, writer, os.getpid()), name="scrubdesk-parser", daemon=True
    )
    try:
        child.start()
    finally:
        writer.close()  # the child holds the only writing end: its death reads as EOF here
    try:
        while True:
            if not reader.poll(_POLL_S):
                if not child.is_alive():
                    raise ParserProcessError(f"the parser process stopped (exit code {child.exitcode})")
                continue
            try:
                kind, payload, done_bytes = reader.recv()
            except EOFError:
                child.join(timeout=5)
                raise ParserProcessError(f"the parser process stopped (exit code {child.exitcode})") from None
            progress.done_bytes = done_bytes
            if kind == "items":
                yield from payload
            elif kind == "done":
                return
            else:
                raise ParserProcessError(f"the parser process failed: {payload}")
    finally:  # also on cancel: the consumer stops iterating and the generator is closed
        reader.close()
        if child.is_alive():
            child.terminate()
        child.join(timeout=5)
