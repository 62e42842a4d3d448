"""Saving and loading triage models with skops: never pickle, and loading accepts only trusted types.

skops' own defaults trust the common scikit-learn and numpy types; :data:`TRUSTED_TYPES` adds exactly
the few more this pipeline uses. A file that needs anything else is refused before any object is built.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import skops.io as sio

from scrubdesk.core.errors import ScrubdeskError

TRUSTED_TYPES = (
    "scrubdesk.models.triage.features.guard_text",
    "scrubdesk.models.privacy.dp.DPLogisticRegression",
    "scrubdesk.models.triage.classifier.SoftmaxLinearSVC",
)


class UntrustedModelError(ScrubdeskError):
    """A model file needs types outside the trusted list: it was not made by this Scrubdesk."""


def save_model(model: Any, path: Path) -> None:
    """Write atomically, then prove the file loads with the trusted list."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        sio.dump(model, tmp)
        load_model(Path(tmp))
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_model(path: Path) -> Any:
    untrusted = sorted(set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES))
    if untrusted:
        raise UntrustedModelError(
            f"{path.name} needs {len(untrusted)} type(s) outside the trusted list "
            f"({', '.join(untrusted[:5])}); refusing to load it"
        )
    return sio.load(path, trusted=list(TRUSTED_TYPES))
