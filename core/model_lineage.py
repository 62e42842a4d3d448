"""Trained-model lineage rules (no ML, no SQL: rows live in :mod:`scrubdesk.core.db.trained_models`).

Every model records which messages trained it (``model_members``), so that erasing a message can mark
each model it trained as stale. A change of the redaction policy marks every current model stale too: it
learnt from text scrubbed another way than the text it would now be given. The model file itself lives
under ``DIR/models/``.
"""

from __future__ import annotations

from collections.abc import Iterable

from scrubdesk.core.ids import KeyedIds

MODELS_DIR = "models"

STALE_ERASURE = "erasure"
STALE_POLICY = "redaction-policy"
STALE_EXPLANATIONS = {
    STALE_ERASURE: "trained on messages that were later erased",
    STALE_POLICY: "trained before the redaction policy changed",
}


def stale_explanation(reason: str | None) -> str:
    """A stale model's reason in words; no reason recorded means erasure (the only one before schema 6)."""
    return STALE_EXPLANATIONS.get(reason or STALE_ERASURE, STALE_EXPLANATIONS[STALE_ERASURE])


def msg_list_digest(ids: KeyedIds, msg_keys: Iterable[str]) -> str:
    """Keyed digest of the sorted training message keys: proves which list trained a model."""
    return ids.digest("model-lineage", "\n".join(sorted(msg_keys)).encode())
