"""The bias check of consent-only training: does the consenting subset look like the whole training set?

Two figures, both without message text: the shift of the label distribution (total variation distance
and a per-label share table, full set versus consenting subset) and the accuracy of the consent-only
model on the approved, labelled messages it was not allowed to train on (the non-consenting part).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from scrubdesk.core.scrubbing import ScrubbedMessage
from scrubdesk.models.triage.metrics import compute_metrics


def label_shift(full: Sequence[str], subset: Sequence[str]) -> dict[str, Any]:
    """Per-label shares in both sets and their total variation distance (0 = same distribution)."""
    n_full, n_sub = Counter(full), Counter(subset)
    labels = sorted(set(n_full) | set(n_sub))
    share_full = {x: n_full[x] / len(full) if full else 0.0 for x in labels}
    share_sub = {x: n_sub[x] / len(subset) if subset else 0.0 for x in labels}
    tvd = 0.5 * sum(abs(share_full[x] - share_sub[x]) for x in labels)
    return {
        "total_variation": round(tvd, 4),
        "labels_missing": sorted(x for x in labels if n_full[x] and not n_sub[x]),
        "per_label": {
            x: {
                "full": n_full[x],
                "consenting": n_sub[x],
                "share_full": round(share_full[x], 4),
                "share_consenting": round(share_sub[x], 4),
            }
            for x in labels
        },
    }


def bias_check(
    full_labels: Sequence[str], trained_labels: Sequence[str], model: Any, others: list[ScrubbedMessage]
) -> dict[str, Any]:
    """``full_labels``: every approved, labelled message; ``trained_labels``: what the model trained on;
    ``others``: the non-consenting messages (scored by ``model``, never trained on)."""
    result: dict[str, Any] = {
        "n_full": len(full_labels),
        "n_consenting": len(trained_labels),
        "n_non_consenting": len(others),
        "label_shift": label_shift(full_labels, trained_labels),
    }
    if not others:
        result["non_consenting_accuracy"] = None
        return result
    truth = [str(m.label) for m in others]
    predicted = [str(p) for p in model.predict([m.text for m in others])]
    known = {str(c) for c in model.classes_}
    metrics = compute_metrics(truth, predicted, sorted(known | set(truth)))
    result["non_consenting_accuracy"] = round(metrics.accuracy, 4)
    result["non_consenting_macro_f1"] = round(metrics.macro_f1, 4)
    result["non_consenting_unknown_labels"] = sum(t not in known for t in truth)
    return result
