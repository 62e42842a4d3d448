"""The model package: what `scrubdesk model export` writes and `scrubdesk classify` runs, with no project.

A zip archive (clear: it leaves the project on purpose, after a fresh scan, and the export is audited):

- ``model.skops``    the fitted :class:`TriageModel` (skops, trusted types only)
- ``card.json``      the model card (labels, metrics, audit, settings, versions)
- ``scrubbing.json`` the analyser version the model was trained with, the configuration overlay that
                     rebuilds it, and the redaction policy (operators per entity type)
- ``manifest.json``  the format and the SHA-256 of each file above; checked on load

:func:`load_package` refuses a package whose digests do not match (changed or truncated) or whose model
needs an untrusted type.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrubdesk.core.errors import InputError
from scrubdesk.core.files import write_bytes_atomic
from scrubdesk.models.triage.persistence import load_bytes

FORMAT = "scrubdesk-triage-package/1"
FILES = ("model.skops", "card.json", "scrubbing.json")


class PackageError(InputError):
    """A model package is missing, damaged, changed since export, or of another format."""


@dataclass(frozen=True)
class ModelPackage:
    model: Any
    card: dict[str, Any]
    scrubbing: dict[str, Any]
    sha256: str  # of the whole package file

    @property
    def analyser_version(self) -> str | None:
        return self.scrubbing.get("analyser_version")


def write_package(path: Path, model_bytes: bytes, card: dict[str, Any], scrubbing: dict[str, Any]) -> str:
    """Write the package atomically; returns its SHA-256."""
    contents = {
        "model.skops": model_bytes,
        "card.json": json.dumps(card, indent=2, sort_keys=True).encode(),
        "scrubbing.json": json.dumps(scrubbing, indent=2, sort_keys=True).encode(),
    }
    manifest = {"format": FORMAT, "files": {n: hashlib.sha256(b).hexdigest() for n, b in contents.items()}}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, sort_keys=True))
    data = buffer.getvalue()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, data)  # owner-only, durable
    except OSError as exc:
        raise InputError(f"cannot write {path}: {type(exc).__name__}") from None
    return hashlib.sha256(data).hexdigest()


def load_package(path: Path) -> ModelPackage:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PackageError(f"model package {path} cannot be read ({type(exc).__name__})") from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            missing = [n for n in ("manifest.json", *FILES) if n not in names]
            if missing:
                raise PackageError(f"{path.name} is not a Scrubdesk model package (no {', '.join(missing)})")
            manifest = json.loads(archive.read("manifest.json"))
            contents = {n: archive.read(n) for n in FILES}
    except (zipfile.BadZipFile, ValueError) as exc:
        raise PackageError(f"{path.name} is not a Scrubdesk model package ({type(exc).__name__})") from None
    if manifest.get("format") != FORMAT:
        raise PackageError(f"{path.name} has package format {manifest.get('format')!r}; expected {FORMAT}")
    for name, content in contents.items():
        if hashlib.sha256(content).hexdigest() != manifest.get("files", {}).get(name):
            raise PackageError(f"{path.name}: {name} does not match its digest in manifest.json (changed?)")
    return ModelPackage(
        model=load_bytes(contents["model.skops"], f"{path.name}:model.skops"),
        card=json.loads(contents["card.json"]),
        scrubbing=json.loads(contents["scrubbing.json"]),
        sha256=hashlib.sha256(data).hexdigest(),
    )
