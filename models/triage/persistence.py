"""Saving and loading triage models with skops: never pickle, and loading accepts only trusted types.

skops' own defaults trust the common scikit-learn and numpy types; :data:`TRUSTED_TYPES` adds exactly
the few more this pipeline uses. A file that needs anything else is refused before any object is built.

Inside a project a model is sealed (AES-GCM under a key derived from the project key, see
:mod:`scrubdesk.core.model_files`): :func:`save_sealed` / :func:`load_sealed`. The clear
:func:`save_model` / :func:`load_model` serve the exported model package only.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import skops.io as sio

from scrubdesk.core.errors import ScrubdeskError
from scrubdesk.core.model_files import open_sealed, seal

TRUSTED_TYPES = (
    "scrubdesk.models.triage.model.TriageModel",
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


def _loads(data: bytes, name: str) -> Any:
    untrusted = sorted(set(sio.get_untrusted_types(data=data)) - set(TRUSTED_TYPES))
    if untrusted:
        raise UntrustedModelError(
            f"{name} needs {len(untrusted)} type(s) outside the trusted list "
            f"({', '.join(untrusted[:5])}); refusing to load it"
        )
    return sio.loads(data, trusted=list(TRUSTED_TYPES))


def model_bytes(model: Any) -> bytes:
    """The skops serialisation of ``model``, proven to load with the trusted list."""
    data = sio.dumps(model)
    _loads(data, "the new model")
    return data


def save_sealed(model: Any, path: Path, db_key: bytes) -> bytes:
    """Serialise, check, and seal under the project key; returns the clear bytes (for a digest)."""
    data = model_bytes(model)
    seal(data, path, db_key)
    return data


def load_sealed(path: Path, db_key: bytes) -> Any:
    return _loads(open_sealed(path, db_key), path.name)


def load_bytes(data: bytes, name: str) -> Any:
    return _loads(data, name)
