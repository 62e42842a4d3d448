"""A trained model scored on the project's held-out test split (messages that never train), reported
beside its cross-validation. The split itself lives in core (:mod:`scrubdesk.core.splits`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scrubdesk.core.scrubbing import ScrubbedMessage
from scrubdesk.models.triage.metrics import compute_metrics


def held_out_metrics(model: Any, messages: Sequence[ScrubbedMessage]) -> dict[str, Any]:
    """Accuracy and macro-F1 of ``model`` on the held-out messages (``n`` 0 and no figures without any).
    A label the model never learnt counts as an error on its messages."""
    if not messages:
        return {"n": 0, "accuracy": None, "macro_f1": None}
    truth = [str(m.label) for m in messages]
    predicted = [str(p) for p in model.predict([m.text for m in messages])]
    labels = sorted(set(truth) | {str(c) for c in model.classes_})
    metrics = compute_metrics(truth, predicted, labels)
    return {"n": metrics.n, "accuracy": round(metrics.accuracy, 4), "macro_f1": round(metrics.macro_f1, 4)}
