"""Re-link: map the keyed IDs of an export back to messages in a mail source, with the project key.

The client keeps an export of IDs and labels; while the emails still exist on its own server, it can
rebuild a training set: this job reads the mail sources with the importer's readers, derives each item's
keyed ID exactly as the importer did (:mod:`scrubdesk.core.import_identity`; give the sources in the order
they were imported, so copies sharing a Message-ID get the same keys) and writes, for every exported ID,
where the message is (file, and offset or row): never its text. Without the project key the
IDs cannot be derived, so an export on its own points to nothing.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrubdesk.core.audit_log import AuditLog, current_os_user
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db import exports as export_rows
from scrubdesk.core.db import messages
from scrubdesk.core.errors import InputError
from scrubdesk.core.export import (
    check_target,
    file_sha256,
    format_for,
    read_export,
    write_registered,
)
from scrubdesk.core.import_identity import KeysInOrder, identify
from scrubdesk.core.importer import resolve_sources, source_digest
from scrubdesk.core.ingest.readers import read_source
from scrubdesk.core.ingest.records import ImportOptions, ParsedMessage, SourceProgress
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.leak_guard import LABEL, MSG_KEY, MSG_KEY_RE
from scrubdesk.core.model_lineage import msg_list_digest
from scrubdesk.core.project import Project
from scrubdesk.core.roles import REVIEWER_ROLES, require_role

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

LOCATION = "location"
RELINK_SUFFIX = ".relinked.csv"
_PROGRESS_EVERY = 500


@dataclass(frozen=True)
class RelinkSummary:
    out: Path
    exported: int  # distinct valid IDs in the export
    matched: int
    invalid_ids: int  # export rows whose msg_key is not a keyed ID
    items: int  # messages read from the sources
    quarantined: int  # source items that could not be parsed (as at import)
    repeated: int  # further copies of an already located message
    export_id: int | None  # the registered export this file is, when its sha256 matches one

    @property
    def unmatched(self) -> int:
        return self.exported - self.matched

    def as_dict(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "exported": self.exported,
            "matched": self.matched,
            "unmatched": self.unmatched,
            "invalid_ids": self.invalid_ids,
            "items": self.items,
            "quarantined": self.quarantined,
            "repeated": self.repeated,
            "export_id": self.export_id,
        }


def default_out(export: Path) -> Path:
    export = Path(export)
    return export.with_name(export.stem + RELINK_SUFFIX)


def _wanted(frame: pd.DataFrame) -> tuple[dict[str, Any], int]:
    """msg_key -> label for every valid ID (first occurrence wins), and how many rows were not IDs."""
    import pandas as pd  # noqa: PLC0415 - lazy: pandas loads only when a frame is built or read

    wanted: dict[str, Any] = {}
    invalid = 0
    for key, label in zip(frame[MSG_KEY].tolist(), frame[LABEL].tolist(), strict=True):
        if not isinstance(key, str) or not MSG_KEY_RE.fullmatch(key):
            invalid += 1
            continue
        wanted.setdefault(key, None if pd.isna(label) else label)
    return wanted, invalid


def run_relink(
    project: Project,
    export: Path,
    sources: Sequence[Path],
    options: ImportOptions | None = None,
    *,
    out: Path | None = None,
    overwrite: bool = False,
    control: JobControl | None = None,
) -> RelinkSummary:
    """Locate every exported ID in ``sources`` and write ``msg_key,label,location`` to ``out`` (default:
    next to the export, ``<stem>.relinked.csv``). Admin or reviewer; audited as ``relink``."""
    import pandas as pd  # noqa: PLC0415 - lazy: pandas loads only when a frame is built or read

    options = options or ImportOptions()
    control = control or JobControl()
    export = Path(export)
    frame = read_export(export)
    wanted, invalid = _wanted(frame)
    if not wanted:
        raise InputError(f"{export} holds no keyed message IDs")
    target = Path(out) if out is not None else default_out(export)
    fmt = format_for(target)
    target = check_target(target, overwrite=overwrite, project=project)
    resolved = resolve_sources(sources, options)
    ids = project.ids
    found: dict[str, str] = {}
    items = quarantined = repeated = 0
    with project.store() as store:
        role = require_role(store, REVIEWER_ROLES, "relink")
        sha256 = file_sha256(export)
        export_id = export_rows.latest_with_sha256(store, sha256)
        in_order = KeysInOrder()
        for n, (path, source_fmt) in enumerate(resolved):
            digest = source_digest(ids, path, source_fmt)
            source_options = ImportOptions(**{**options.__dict__, "format": source_fmt})
            progress = SourceProgress()
            with contextlib.closing(read_source(path, source_options, progress)) as stream:
                for item in stream:
                    if not isinstance(item, ParsedMessage):
                        quarantined += 1
                        continue
                    items += 1
                    identity = identify(ids, item, digest, global_ids=options.global_ids)
                    for key in in_order.keys(identity):
                        if key in wanted:
                            if key in found:
                                repeated += 1
                            else:
                                found[key] = item.location
                            break
                    if items % _PROGRESS_EVERY == 0:
                        control.progress(n, len(resolved), f"{items} messages read, {len(found)} matched")
                        control.check_cancelled()
        control.check_cancelled()
        result = pd.DataFrame(
            {
                MSG_KEY: pd.Series(list(wanted), dtype=object),
                LABEL: pd.Series(list(wanted.values()), dtype=object),
                LOCATION: pd.Series([found.get(k) for k in wanted], dtype=object),
            }
        )
        summary = RelinkSummary(
            out=target,
            exported=len(wanted),
            matched=len(found),
            invalid_ids=invalid,
            items=items,
            quarantined=quarantined,
            repeated=repeated,
            export_id=export_id,
        )

        def register(conn: Any, out_sha256: str) -> None:
            # The output maps keyed IDs to source files: a copy of project data like an export, so it is
            # registered as one (listed in the inventory, rewritten or reported by erasure).
            keyed = messages.ids_for_keys(conn, list(wanted))
            relinked_id = export_rows.register(
                conn, created_at=utc_now(), os_user=current_os_user(), path=str(target), fmt=fmt,
                columns=list(result.columns), model_id=None, msg_list_digest=msg_list_digest(ids, wanted),
                file_sha256=out_sha256, message_ids=sorted(keyed.values()),
            )  # fmt: skip
            AuditLog(store, project.keys.id_key).append(
                "relink",
                objects=[msg_list_digest(ids, wanted)],
                details={
                    **{k: v for k, v in summary.as_dict().items() if k != "out"},
                    "sources": len(resolved),
                    "export_sha256": sha256,
                    "out_sha256": out_sha256,
                    "registered_as": relinked_id,
                },
                role=role,
            )

        write_registered(store, result, target, fmt, overwrite=overwrite, register=register)
    log.info("relink: %d of %d exported IDs located", summary.matched, summary.exported)
    return summary
