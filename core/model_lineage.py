"""Trained-model lineage and the model's suggestions, as stored in the project (no ML here).

Every model records which messages trained it (``model_members``), so that erasing a message can mark
each model it trained as stale. A change of the redaction policy marks every current model stale too: it
learnt from text scrubbed another way than the text it would now be given. The model file itself lives
under ``DIR/models/``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from scrubdesk.core.ids import KeyedIds
from scrubdesk.core.store import Store

MODELS_DIR = "models"


@dataclass(frozen=True)
class ModelRecord:
    """A trained model as the project knows it. Holds no message text."""

    id: int
    created_at: str
    path: str  # relative to the project directory
    n_train: int
    msg_list_digest: str
    labels: tuple[str, ...]
    metrics: dict[str, Any]
    audit: dict[str, Any]
    settings: dict[str, Any]
    stale: bool
    stale_reason: str | None = None  # STALE_ERASURE or STALE_POLICY when stale

    @property
    def stale_explanation(self) -> str:
        """Why the model must not be used, in words ('' when it is current)."""
        return stale_explanation(self.stale_reason) if self.stale else ""


STALE_ERASURE = "erasure"
STALE_POLICY = "redaction-policy"
STALE_EXPLANATIONS = {
    STALE_ERASURE: "trained on messages that were later erased",
    STALE_POLICY: "trained before the redaction policy changed",
}


def stale_explanation(reason: str | None) -> str:
    """A stale model's reason in words; no reason recorded means erasure (the only one before schema 6)."""
    return STALE_EXPLANATIONS.get(reason or STALE_ERASURE, STALE_EXPLANATIONS[STALE_ERASURE])


@dataclass(frozen=True)
class Prediction:
    message_id: int
    label: str
    confidence: float
    uncertainty: float


def msg_list_digest(ids: KeyedIds, msg_keys: Iterable[str]) -> str:
    """Keyed digest of the sorted training message keys: proves which list trained a model."""
    return ids.digest("model-lineage", "\n".join(sorted(msg_keys)).encode())


def record_model(
    conn: Any,
    *,
    created_at: str,
    path: str,
    msg_list_digest: str,
    member_ids: Sequence[int],
    labels: Sequence[str],
    metrics: dict[str, Any],
    audit: dict[str, Any],
    settings: dict[str, Any],
) -> int:
    """Insert a model and its members; call inside a transaction. Returns the model ID."""
    cur = conn.execute(
        "INSERT INTO models (created_at, path, n_train, msg_list_digest, labels, metrics, audit, settings) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            created_at,
            path,
            len(member_ids),
            msg_list_digest,
            json.dumps(list(labels)),
            json.dumps(metrics, sort_keys=True),
            json.dumps(audit, sort_keys=True),
            json.dumps(settings, sort_keys=True),
        ),
    )
    model_id = int(cur.lastrowid)
    conn.executemany(
        "INSERT INTO model_members (model_id, message_id) VALUES (?, ?)", [(model_id, m) for m in member_ids]
    )
    return model_id


def _record(row: Sequence[Any]) -> ModelRecord:
    mid, created, path, n, digest, labels, metrics, audit, settings, stale, reason = row
    return ModelRecord(
        mid,
        created,
        path,
        n,
        digest,
        tuple(json.loads(labels)),
        json.loads(metrics),
        json.loads(audit),
        json.loads(settings),
        bool(stale),
        (reason or STALE_ERASURE) if stale else None,
    )


_COLUMNS = (
    "id, created_at, path, n_train, msg_list_digest, labels, metrics, audit, settings, stale, stale_reason"
)


def latest_model(store: Store, *, include_stale: bool = False) -> ModelRecord | None:
    where = "" if include_stale else "WHERE stale = 0"
    row = store.execute(f"SELECT {_COLUMNS} FROM models {where} ORDER BY id DESC LIMIT 1").fetchone()
    return None if row is None else _record(row)


def list_models(store: Store) -> list[ModelRecord]:
    return [_record(r) for r in store.execute(f"SELECT {_COLUMNS} FROM models ORDER BY id")]


def models_trained_on(store: Store, message_ids: Iterable[int]) -> set[int]:
    ids = list(message_ids)
    found: set[int] = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        sql = f"SELECT DISTINCT model_id FROM model_members WHERE message_id IN ({marks})"
        found.update(int(r[0]) for r in store.execute(sql, chunk))
    return found


def mark_stale(conn: Any, model_ids: Iterable[int], reason: str = STALE_ERASURE) -> int:
    """Mark models stale, keeping the first reason a model became stale. Call inside a transaction."""
    ids = list(model_ids)
    conn.executemany(
        "UPDATE models SET stale = 1, stale_reason = coalesce(stale_reason, ?) WHERE id = ?",
        [(reason, m) for m in ids],
    )
    return len(ids)


def current_model_ids(conn: Any) -> list[int]:
    return [int(r[0]) for r in conn.execute("SELECT id FROM models WHERE stale = 0 ORDER BY id")]


def store_predictions(conn: Any, model_id: int, predictions: Sequence[Prediction], at: str) -> None:
    conn.executemany(
        "INSERT INTO predictions (message_id, label, confidence, uncertainty, model_id, predicted_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(message_id) DO UPDATE SET label = excluded.label, "
        "confidence = excluded.confidence, uncertainty = excluded.uncertainty, "
        "model_id = excluded.model_id, predicted_at = excluded.predicted_at",
        [(p.message_id, p.label, p.confidence, p.uncertainty, model_id, at) for p in predictions],
    )


def uncertainty_order(store: Store, limit: int = 100) -> list[Prediction]:
    """Unlabelled messages the model is least sure about, first: what to label next (active learning)."""
    rows = store.execute(
        "SELECT p.message_id, p.label, p.confidence, p.uncertainty FROM predictions p "
        "JOIN messages m ON m.id = p.message_id WHERE m.label IS NULL OR m.label = '' "
        "ORDER BY p.uncertainty DESC, p.message_id LIMIT ?",
        (limit,),
    )
    return [Prediction(*r) for r in rows]


def model_member_ids(store: Store, model_id: int) -> list[int]:
    """The message IDs that trained a model (those not erased since)."""
    rows = store.execute(
        "SELECT message_id FROM model_members WHERE model_id = ? ORDER BY message_id", (model_id,)
    )
    return [int(r[0]) for r in rows]


def model_by_id(store: Store, model_id: int) -> ModelRecord | None:
    row = store.execute(f"SELECT {_COLUMNS} FROM models WHERE id = ?", (model_id,)).fetchone()
    return None if row is None else _record(row)
