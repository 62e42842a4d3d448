"""Embedding vectors of a project's messages, through the encrypted per-message cache (schema 7)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from scrubdesk.core.db.embeddings import cached_vectors, store_vectors, text_digest
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.project import Project
from scrubdesk.core.scrubbing import ScrubbedMessage
from scrubdesk.core.store import Store
from scrubdesk.models.triage import embeddings


def message_vectors(
    project: Project, store: Store, messages: list[ScrubbedMessage], control: JobControl
) -> tuple[np.ndarray, dict[str, Any]]:
    """One embedding per message: from the cache when its scrubbed text is unchanged, else computed and
    cached (in chunks, so a cancelled run keeps what it embedded)."""
    started = time.perf_counter()
    embedder = embeddings.embedder_id()
    digests = [text_digest(project.ids, m.text) for m in messages]
    found = cached_vectors(store, embedder, list(zip((m.message_id for m in messages), digests, strict=True)))
    missing = [i for i, m in enumerate(messages) if m.message_id not in found]
    chunk = 256
    for start in range(0, len(missing), chunk):
        control.check_cancelled()
        rows = missing[start : start + chunk]
        vectors = embeddings.embed([messages[i].text for i in rows])
        with store.transaction() as conn:
            store_vectors(
                conn,
                embedder,
                [(messages[i].message_id, digests[i], v) for i, v in zip(rows, vectors, strict=True)],
            )
        found.update((messages[i].message_id, v) for i, v in zip(rows, vectors, strict=True))
        control.progress(
            start + len(rows), len(missing), f"embedded {start + len(rows)}/{len(missing)} texts"
        )
    matrix = np.vstack([found[m.message_id] for m in messages]).astype(np.float32)
    seconds = time.perf_counter() - started
    return matrix, {
        "embedder": embedder,
        "embedded": len(missing),
        "from_cache": len(messages) - len(missing),
        "seconds": round(seconds, 2),
    }
