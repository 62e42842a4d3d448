"""Read a source in a separate process, so parsing and storing use both cores.

The parser process sends batches of items through a bounded queue (memory stays flat: at most
QUEUE_BATCHES batches in flight). The text crosses a pipe between two processes of this program, never
a file. The child checks that its parent is alive whenever the queue is full, so a kill -9 of the
importer never leaves an orphan parser behind. The "spawn" start method is used everywhere: forking a
process that runs Qt threads is unsafe.
"""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scrubdesk.core.ingest.readers import read_source
from scrubdesk.core.ingest.records import ImportOptions, SourceItem, SourceProgress

BATCH_ITEMS = 200
QUEUE_BATCHES = 8
_PUT_TIMEOUT_S = 1.0


class ParserProcessError(RuntimeError):
    """The parser process failed; the message names the exception type only."""


def _produce(path: str, options: ImportOptions, out: Any) -> None:
    progress = SourceProgress()
    batch: list[SourceItem] = []

    def send(message: tuple[Any, ...]) -> None:
        while True:
            try:
                out.put(message, timeout=_PUT_TIMEOUT_S)
                return
            except queue.Full:
                parent = multiprocessing.parent_process()
                if parent is None or not parent.is_alive():
                    raise SystemExit(0) from None

    try:
        for item in read_source(Path(path), options, progress):
            batch.append(item)
            if len(batch) >= BATCH_ITEMS:
                send(("items", batch, progress.done_bytes))
                batch = []
        send(("items", batch, progress.done_bytes))
        send(("done", None, progress.done_bytes))
    except Exception as exc:  # noqa: BLE001 - reported to the parent by type only: messages may quote input
        send(("error", f"{type(exc).__module__}.{type(exc).__qualname__}", progress.done_bytes))


def read_source_in_process(
    path: Path, options: ImportOptions, progress: SourceProgress
) -> Iterator[SourceItem]:
    """Like read_source, but the parsing runs in a child process. Checks the source here first, so input
    errors (missing column, unknown format) raise in the caller before any process starts."""
    read_source(path, options, SourceProgress())  # validates eagerly; the generator itself is dropped
    return _consume(path, options, progress)


def _consume(path: Path, options: ImportOptions, progress: SourceProgress) -> Iterator[SourceItem]:
    context = multiprocessing.get_context("spawn")
    channel = context.Queue(maxsize=QUEUE_BATCHES)
    child = context.Process(target=_produce, args=(str(path), options, channel), daemon=True)
    child.start()
    try:
        while True:
            try:
                kind, payload, done_bytes = channel.get(timeout=5)
            except queue.Empty:
                if not child.is_alive():
                    raise ParserProcessError(
                        f"the parser process stopped (exit code {child.exitcode})"
                    ) from None
                continue
            progress.done_bytes = done_bytes
            if kind == "items":
                yield from payload
            elif kind == "done":
                return
            else:
                raise ParserProcessError(f"the parser process failed: {payload}")
    finally:  # also on cancel: the consumer stops iterating and the generator is closed
        if child.is_alive():
            child.terminate()
        child.join(timeout=5)
        channel.close()
        channel.join_thread()
