"""The ``models``, ``model_members`` and ``predictions`` tables: trained-model lineage and the model's
suggestions (no ML here). The rule "current model" (not stale) lives here once."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from scrubdesk.core.db.rows import Connection, as_dicts, chunks, count, marks
from scrubdesk.core.model_lineage import STALE_ERASURE, stale_explanation


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


@dataclass(frozen=True)
class Prediction:
    message_id: int
    label: str
    confidence: float
    uncertainty: float


_COLUMNS = (
    "id, created_at, path, n_train, msg_list_digest, labels, metrics, audit, settings, stale, stale_reason"
)


def _records(cursor: Any) -> list[ModelRecord]:
    found = []
    for r in as_dicts(cursor):
        for name in ("metrics", "audit", "settings"):
            r[name] = json.loads(r[name])
        r["labels"] = tuple(json.loads(r["labels"]))
        r["stale"] = bool(r["stale"])
        r["stale_reason"] = (r["stale_reason"] or STALE_ERASURE) if r["stale"] else None
        found.append(ModelRecord(**r))
    return found


def record_model(
    conn: Connection,
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
    model_id = int(cur.lastrowid or 0)
    conn.executemany(
        "INSERT INTO model_members (model_id, message_id) VALUES (?, ?)", [(model_id, m) for m in member_ids]
    )
    return model_id


def latest_model(conn: Connection, *, include_stale: bool = False) -> ModelRecord | None:
    where = "" if include_stale else "WHERE stale = 0"
    found = _records(conn.execute(f"SELECT {_COLUMNS} FROM models {where} ORDER BY id DESC LIMIT 1"))
    return found[0] if found else None


def list_models(conn: Connection) -> list[ModelRecord]:
    return _records(conn.execute(f"SELECT {_COLUMNS} FROM models ORDER BY id"))


def model_by_id(conn: Connection, model_id: int) -> ModelRecord | None:
    found = _records(conn.execute(f"SELECT {_COLUMNS} FROM models WHERE id = ?", (model_id,)))
    return found[0] if found else None


def model_member_ids(conn: Connection, model_id: int) -> list[int]:
    """The message IDs that trained a model (those not erased since)."""
    rows = conn.execute(
        "SELECT message_id FROM model_members WHERE model_id = ? ORDER BY message_id", (model_id,)
    )
    return [int(r[0]) for r in rows]


def models_trained_on(conn: Connection, message_ids: Iterable[int]) -> set[int]:
    found: set[int] = set()
    for chunk in chunks(list(message_ids)):
        sql = f"SELECT DISTINCT model_id FROM model_members WHERE message_id IN ({marks(len(chunk))})"
        found.update(int(r[0]) for r in conn.execute(sql, chunk))
    return found


def mark_stale(conn: Connection, model_ids: Iterable[int], reason: str = STALE_ERASURE) -> int:
    """Mark models stale, keeping the first reason a model became stale. Call inside a transaction."""
    ids = list(model_ids)
    conn.executemany(
        "UPDATE models SET stale = 1, stale_reason = coalesce(stale_reason, ?) WHERE id = ?",
        [(reason, m) for m in ids],
    )
    return len(ids)


def current_model_ids(conn: Connection) -> list[int]:
    return [int(r[0]) for r in conn.execute("SELECT id FROM models WHERE stale = 0 ORDER BY id")]


def count_current(conn: Connection) -> int:
    return count(conn, "SELECT count(*) FROM models WHERE stale = 0")


def model_rows(conn: Connection) -> list[dict[str, Any]]:
    """Every model's inventory facts (no metrics), by ID."""
    return list(
        as_dicts(
            conn.execute(
                "SELECT id, created_at, path, n_train, labels, stale, stale_reason FROM models ORDER BY id"
            )
        )
    )


def store_predictions(conn: Connection, model_id: int, predictions: Sequence[Prediction], at: str) -> None:
    conn.executemany(
        "INSERT INTO predictions (message_id, label, confidence, uncertainty, model_id, predicted_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(message_id) DO UPDATE SET label = excluded.label, "
        "confidence = excluded.confidence, uncertainty = excluded.uncertainty, "
        "model_id = excluded.model_id, predicted_at = excluded.predicted_at",
        [(p.message_id, p.label, p.confidence, p.uncertainty, model_id, at) for p in predictions],
    )


def count_predictions(conn: Connection) -> int:
    return count(conn, "SELECT count(*) FROM predictions")


def uncertainty_order(conn: Connection, limit: int = 100) -> list[Prediction]:
    """Unlabelled messages the model is least sure about, first: what to label next (active learning)."""
    rows = conn.execute(
        "SELECT p.message_id, p.label, p.confidence, p.uncertainty FROM predictions p "
        "JOIN messages m ON m.id = p.message_id WHERE m.label IS NULL OR m.label = '' "
        "ORDER BY p.uncertainty DESC, p.message_id LIMIT ?",
        (limit,),
    )
    return [Prediction(*r) for r in rows]


def member_ids(conn: Connection, model_id: int) -> list[int]:
    """The messages that trained ``model_id`` (its lineage), by ID."""
    rows = conn.execute(
        "SELECT message_id FROM model_members WHERE model_id = ? ORDER BY message_id", (model_id,)
    )
    return [int(r[0]) for r in rows]


def ids_suggested(conn: Connection, label: str) -> set[int]:
    """Messages the model suggests ``label`` for."""
    return {int(r[0]) for r in conn.execute("SELECT message_id FROM predictions WHERE label = ?", (label,))}


@dataclass(frozen=True)
class ConfidentSuggestion:
    message_id: int
    msg_key: str
    label: str
    confidence: float
    model_id: int

    def __repr__(self) -> str:
        return f"ConfidentSuggestion(msg_key={self.msg_key!r})"


def confident_unlabelled(conn: Connection, min_confidence: float) -> list[ConfidentSuggestion]:
    """Unlabelled, not purged messages whose suggestion from a current (not stale) model has at least
    ``min_confidence``, by ID."""
    rows = conn.execute(
        "SELECT p.message_id, m.msg_key, p.label, p.confidence, p.model_id FROM predictions p "
        "JOIN messages m ON m.id = p.message_id JOIN models d ON d.id = p.model_id "
        "WHERE d.stale = 0 AND m.purged_at IS NULL AND (m.label IS NULL OR m.label = '') "
        "AND p.confidence >= ? ORDER BY p.message_id",
        (min_confidence,),
    )
    return [ConfidentSuggestion(int(i), str(k), str(label), float(c), int(d)) for i, k, label, c, d in rows]
