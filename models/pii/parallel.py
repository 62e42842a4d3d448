"""Analysis across worker processes: each loads its own analyser once and takes batches in turn.

Texts travel to the workers through multiprocessing pipes (memory only: no temporary files). Results
come back in input order. Each worker costs one more copy of the spaCy pipeline (~250 MB).
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from scrubdesk.core.spans import Span
from scrubdesk.models.pii.analyzer import AnalysisInput, AnalysisResult, PiiAnalyzer
from scrubdesk.models.pii.config import PiiConfig

_worker_analyzer: Any = None


def _init_worker(config: PiiConfig, mode: str) -> None:
    global _worker_analyzer  # noqa: PLW0603 - one analyser per worker process, by design
    if _worker_analyzer is None:  # spawned; a forked worker inherits the parent's loaded analyser
        from scrubdesk.models.pii.engine import build_analyzer  # noqa: PLC0415 - lazy: loads Presidio and spaCy

        _worker_analyzer = build_analyzer(config, mode)
    cache = getattr(_worker_analyzer.nlp_engine, "cache", None)
    if cache is not None:
        cache.clear()  # a forked worker starts cold: no copy of the parent's cached segments


def _analyse(batch: list[tuple[str, dict[str, Any] | None]]) -> list[AnalysisResult]:
    inputs = [AnalysisInput(text, headers) for text, headers in batch]
    return list(_worker_analyzer.analyze_many_detailed(inputs, batch_size=len(inputs)))


class ParallelAnalyzer:
    """Same results as :meth:`PiiAnalyzer.analyze_many`, computed by ``workers`` processes."""

    def __init__(self, analyzer: PiiAnalyzer, workers: int, mode: str = "segmented") -> None:
        global _worker_analyzer  # noqa: PLW0603
        if workers < 2:
            raise ValueError("use PiiAnalyzer directly for one worker")
        self.version = analyzer.version
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        _worker_analyzer = analyzer if method == "fork" else None
        self._pool = multiprocessing.get_context(method).Pool(
            workers, initializer=_init_worker, initargs=(analyzer.config, mode)
        )

    def analyze_many(self, inputs: Iterable[AnalysisInput], batch_size: int = 32) -> Iterator[list[Span]]:
        for result in self.analyze_many_detailed(inputs, batch_size):
            yield result.spans

    def analyze_many_detailed(
        self, inputs: Iterable[AnalysisInput], batch_size: int = 32
    ) -> Iterator[AnalysisResult]:
        iterator = iter(inputs)

        def next_batch() -> list[tuple[str, dict[str, Any] | None]]:
            return [(i.text, dict(i.headers) if i.headers else None) for i in islice(iterator, batch_size)]

        batches = iter(next_batch, [])
        for result in self._pool.imap(_analyse, batches):
            yield from result

    def close(self) -> None:
        self._pool.close()
        self._pool.join()

    def __enter__(self) -> ParallelAnalyzer:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.terminate()
        self._pool.join()


@contextlib.contextmanager
def analyzer_for(analyzer: PiiAnalyzer, workers: int) -> Iterator[PiiAnalyzer | ParallelAnalyzer]:
    """The rule "more than one worker means worker processes", in one place: ``analyzer`` itself for one
    worker, else a pool of ``workers`` copies of it, closed when the block ends."""
    if workers <= 1:
        yield analyzer
        return
    with ParallelAnalyzer(analyzer, workers) as parallel:
        yield parallel
