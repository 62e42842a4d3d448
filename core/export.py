"""ID-only export: keyed message IDs with their labels (and optionally the model's suggestions), never text.

    msg_key, label[, suggestion, confidence][, model_version]

Every cell passes the leak guard (:mod:`scrubdesk.core.leak_guard`) before a byte is written. The file is
written to a temporary file next to the target, fsynced and moved into place as the last step of the
transaction that registers it (``exports`` + ``export_members`` + an ``export`` audit entry): either the
file is there and registered, or neither. An existing file is only replaced with ``overwrite``.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrubdesk.core.audit_log import AuditLog, current_os_user
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db import exports as export_rows
from scrubdesk.core.db import labels as label_rows
from scrubdesk.core.db.trained_models import ModelRecord, latest_model
from scrubdesk.core.errors import InputError
from scrubdesk.core.files import fsync_dir, fsync_file, temporary_beside
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.leak_guard import (
    CONFIDENCE,
    LABEL,
    MODEL_VERSION,
    MSG_KEY,
    SUGGESTION,
    LeakGuardError,
    check_export_frame,
)
from scrubdesk.core.model_lineage import msg_list_digest
from scrubdesk.core.parquet_io import read_parquet, write_parquet
from scrubdesk.core.project import DESCRIPTOR, STORE_FILE, Project
from scrubdesk.core.roles import REVIEWER_ROLES, require_role
from scrubdesk.core.store import Store

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

EXPORT_FORMATS = ("csv", "jsonl", "parquet")
_SUFFIX_FORMATS = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
}
PARQUET_MAGIC = b"PAR1"


@dataclass(frozen=True)
class ExportSummary:
    export_id: int
    path: Path
    format: str
    columns: tuple[str, ...]
    rows: int
    labelled: int
    suggestions: int
    model_id: int | None
    model_version: str | None
    msg_list_digest: str
    file_sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "export_id": self.export_id,
            "path": str(self.path),
            "format": self.format,
            "columns": list(self.columns),
            "rows": self.rows,
            "labelled": self.labelled,
            "unlabelled": self.rows - self.labelled,
            "suggestions": self.suggestions,
            "model_id": self.model_id,
            "model_version": self.model_version,
            "msg_list_digest": self.msg_list_digest,
            "file_sha256": self.file_sha256,
        }


def model_version(model: ModelRecord) -> str:
    """The version string an export carries for a model: its ID and the start of its lineage digest."""
    return f"model-{model.id}-{model.msg_list_digest[:16]}"


def format_for(path: Path, fmt: str | None = None) -> str:
    """The export format: as given, else from the file's suffix, else csv."""
    if fmt is not None:
        if fmt not in EXPORT_FORMATS:
            raise InputError(f"unknown export format {fmt!r}; known: {', '.join(EXPORT_FORMATS)}")
        return fmt
    return _SUFFIX_FORMATS.get(Path(path).suffix.lower(), "csv")


def project_labels(store: Store) -> list[str]:
    """The project's label set (table ``label_set``), or the distinct labels in use when it is empty."""
    return label_rows.label_names(store) or label_rows.labels_in_use(store)


# --- building the frame ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Selection:
    frame: pd.DataFrame
    message_ids: list[int]
    labelled: int
    suggestions: int


def _select(
    store: Store, model: ModelRecord | None, *, with_suggestions: bool, include_unlabelled: bool
) -> _Selection:
    # A purged message keeps its msg_key and label, so it is exported when labelled; unlabelled, it is
    # nothing but an ID and is left out.
    import pandas as pd  # noqa: PLC0415 - lazy: pandas loads only when a frame is built or read

    model_id = model.id if (model is not None and with_suggestions) else None
    rows = export_rows.labels_with_suggestions(store, model_id, include_unlabelled=include_unlabelled)
    data: dict[str, Any] = {
        MSG_KEY: pd.Series([r.msg_key for r in rows], dtype=object),
        LABEL: pd.Series([r.label for r in rows], dtype=object),
    }
    if with_suggestions:
        data[SUGGESTION] = pd.Series([r.suggestion for r in rows], dtype=object)
        data[CONFIDENCE] = pd.Series([r.confidence for r in rows], dtype="float64")
    if model is not None:
        data[MODEL_VERSION] = pd.Series([model_version(model)] * len(rows), dtype=object)
    return _Selection(
        frame=pd.DataFrame(data),
        message_ids=[r.id for r in rows],
        labelled=sum(r.label is not None for r in rows),
        suggestions=sum(r.suggestion is not None for r in rows) if with_suggestions else 0,
    )


# --- writing -----------------------------------------------------------------------------------------------


def _write_frame(frame: pd.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "parquet":
        write_parquet(frame, path)
        fsync_file(path)
        return
    with path.open("w", encoding="utf-8", newline="") as fh:
        if fmt == "csv":
            frame.to_csv(fh, index=False, lineterminator="\n")
        else:
            text = frame.to_json(orient="records", lines=True, force_ascii=False) if len(frame) else ""
            fh.write(text if not text or text.endswith("\n") else text + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def place(tmp: Path, target: Path, *, overwrite: bool) -> None:
    """Move ``tmp`` to ``target`` atomically. Without ``overwrite`` an existing target is never replaced,
    even one that appeared since the first check (a hard link fails on an existing name)."""
    if overwrite:
        tmp.replace(target)
    else:
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise InputError(f"{target} exists; pass --overwrite to replace it") from None
        except OSError:  # no hard links on this file system: check, then rename
            if target.exists():
                raise InputError(f"{target} exists; pass --overwrite to replace it") from None
            tmp.replace(target)
        tmp.unlink(missing_ok=True)
    fsync_dir(target.parent)


def check_target(target: Path, *, overwrite: bool, project: Project | None = None) -> Path:
    """The target as an absolute path; InputError when it cannot or may not be written."""
    target = Path(target).absolute()
    if target.is_dir():
        raise InputError(f"{target} is a folder; give a file name")
    if not target.parent.is_dir():
        raise InputError(f"the folder {target.parent} does not exist")
    if target.exists() and not overwrite:
        raise InputError(f"{target} exists; pass --overwrite to replace it")
    own_file = target.name == DESCRIPTOR or target.name.startswith(STORE_FILE)
    if project is not None and own_file and target.parent.resolve() == project.path.resolve():
        raise InputError(f"{target} is one of the project's own files")
    return target


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_registered(
    store: Store,
    frame: pd.DataFrame,
    target: Path,
    fmt: str,
    *,
    overwrite: bool,
    register: Callable[[Any, str], None],
) -> str:
    """Write ``frame`` to ``target`` atomically, with ``register(conn, sha256)`` in the same transaction.

    The file is moved into place as the last step before COMMIT: if registering fails, the old file (if
    any) is untouched; if the COMMIT itself fails, the new file is removed. Returns the file's sha256."""
    placed = False
    with temporary_beside(target) as tmp:
        try:
            _write_frame(frame, tmp, fmt)
            digest = file_sha256(tmp)
            with store.transaction() as conn:
                register(conn, digest)
                place(tmp, target, overwrite=overwrite)
                placed = True
        except BaseException:
            if placed:
                target.unlink(missing_ok=True)
            raise
    return digest


@dataclass(frozen=True)
class ExportPreview:
    """Exactly what an export would write, before anything is written: the columns that leave, the first
    rows, the row count, and the leak guard's verdict (its message names row and column, never a value)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    total_rows: int
    labelled: int
    model_version: str | None
    refusal: str | None

    @property
    def ok(self) -> bool:
        return self.refusal is None and self.total_rows > 0


def preview_export(
    project: Project, *, with_suggestions: bool = False, include_unlabelled: bool = False, limit: int = 50
) -> ExportPreview:
    """Build the export frame and run the leak guard on every cell, without writing (admin or reviewer)."""
    with project.store() as store:
        require_role(store, REVIEWER_ROLES, "export")
        model = latest_model(store)
        if with_suggestions and model is None:
            raise InputError("suggestions need a current model: train one (stale models are not used)")
        selection = _select(
            store, model, with_suggestions=with_suggestions, include_unlabelled=include_unlabelled
        )
        labels = project_labels(store)
    frame = selection.frame
    refusal = None
    try:
        check_export_frame(frame, labels, allow_empty_label=include_unlabelled)
    except LeakGuardError as exc:
        refusal = str(exc)
    head = frame.head(limit).astype(object).where(frame.head(limit).notna(), None)
    return ExportPreview(
        columns=tuple(str(c) for c in frame.columns),
        rows=tuple(tuple(row) for row in head.itertuples(index=False, name=None)),
        total_rows=len(frame),
        labelled=selection.labelled,
        model_version=model_version(model) if model is not None else None,
        refusal=refusal,
    )


# --- the job -----------------------------------------------------------------------------------------------


def run_export(
    project: Project,
    out: Path,
    *,
    fmt: str | None = None,
    with_suggestions: bool = False,
    include_unlabelled: bool = False,
    overwrite: bool = False,
    control: JobControl | None = None,
) -> ExportSummary:
    """Export the project's keyed IDs and labels to ``out`` (admin or reviewer). Raises
    :class:`~scrubdesk.core.leak_guard.LeakGuardError` and writes nothing when any cell may not leave."""
    control = control or JobControl()
    fmt = format_for(out, fmt)
    target = check_target(out, overwrite=overwrite, project=project)
    with project.store() as store:
        role = require_role(store, REVIEWER_ROLES, "export")
        model = latest_model(store)
        if with_suggestions and model is None:
            raise InputError(
                "--with-suggestions needs a current model: train one (stale models are not used)"
            )
        control.progress(0, 3, "selecting messages")
        selection = _select(
            store, model, with_suggestions=with_suggestions, include_unlabelled=include_unlabelled
        )
        frame = selection.frame
        if frame.empty:
            hint = "" if include_unlabelled else " (--include-unlabelled exports unlabelled ones too)"
            raise InputError(f"nothing to export: the project has no labelled messages{hint}")
        control.progress(1, 3, "checking every cell")
        check_export_frame(frame, project_labels(store), allow_empty_label=include_unlabelled)
        control.check_cancelled()
        control.progress(2, 3, "writing")
        keys_digest = msg_list_digest(project.ids, frame[MSG_KEY].tolist())
        columns = tuple(str(c) for c in frame.columns)
        model_id = model.id if model is not None else None
        export_id = 0

        def register(conn: Any, sha256: str) -> None:
            nonlocal export_id
            export_id = export_rows.register(
                conn, created_at=utc_now(), os_user=current_os_user(), path=str(target), fmt=fmt,
                columns=columns, model_id=model_id, msg_list_digest=keys_digest, file_sha256=sha256,
                message_ids=selection.message_ids,
            )  # fmt: skip
            # The path stays out of the audit entry (a file name can name a person); exports.path has it.
            AuditLog(store, project.keys.id_key).append(
                "export",
                objects=[keys_digest],
                details={
                    "export_id": export_id,
                    "format": fmt,
                    "columns": list(columns),
                    "rows": len(frame),
                    "labelled": selection.labelled,
                    "suggestions": selection.suggestions,
                    "model_id": model_id,
                    "file_sha256": sha256,
                },
                role=role,
            )

        sha256 = write_registered(store, frame, target, fmt, overwrite=overwrite, register=register)
    control.progress(3, 3, "done")
    log.info("export %d written: %d rows, format %s", export_id, len(frame), fmt)
    return ExportSummary(
        export_id=export_id,
        path=target,
        format=fmt,
        columns=columns,
        rows=len(frame),
        labelled=selection.labelled,
        suggestions=selection.suggestions,
        model_id=model_id,
        model_version=model_version(model) if model is not None else None,
        msg_list_digest=keys_digest,
        file_sha256=sha256,
    )


# --- reading an export back (re-link) ----------------------------------------------------------------------


def detect_export_format(path: Path) -> str:
    """csv, jsonl or parquet: by suffix, else by content (parquet magic, a leading '{')."""
    suffix_format = _SUFFIX_FORMATS.get(Path(path).suffix.lower())
    if suffix_format:
        return suffix_format
    with Path(path).open("rb") as fh:
        head = fh.read(4)
    if head == PARQUET_MAGIC:
        return "parquet"
    return "jsonl" if head.lstrip()[:1] == b"{" else "csv"


def read_export(path: Path, columns: Sequence[str] = (MSG_KEY, LABEL)) -> pd.DataFrame:
    """An export file as a frame of strings (IDs stay strings even when all digits)."""
    import pandas as pd  # noqa: PLC0415 - lazy: pandas loads only when a frame is built or read

    path = Path(path)
    if not path.is_file():
        raise InputError(f"export file not found: {path}")
    fmt = detect_export_format(path)
    try:
        if fmt == "parquet":
            frame = read_parquet(path)
        elif fmt == "jsonl":
            frame = pd.read_json(path, lines=True, dtype=False)
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (ValueError, OSError) as exc:  # the library's message can quote the file: type only
        raise InputError(f"{path} is not a readable {fmt} export ({type(exc).__name__})") from None
    missing = [c for c in columns if c not in frame.columns]
    if MSG_KEY in missing:
        raise InputError(f"{path} has no {MSG_KEY} column: not a Scrubdesk export")
    for name in missing:
        frame[name] = None
    return frame[list(columns)]


def rewrite_without(
    path: Path, fmt: str, columns: Sequence[str], msg_keys: Collection[str]
) -> tuple[int, str]:
    """Rewrite a registered file without the rows of ``msg_keys`` (erased messages), atomically, in its own
    format and columns. Returns the rows left and the new file's SHA-256."""
    frame = read_export(path, tuple(columns))
    kept = frame[~frame[MSG_KEY].isin(set(msg_keys))].reset_index(drop=True)
    with temporary_beside(path) as tmp:
        _write_frame(kept, tmp, fmt)
        sha256 = file_sha256(tmp)
        tmp.replace(path)
    fsync_dir(path.parent)
    return len(kept), sha256
