"""The import job: read sources, key and deduplicate messages, store them in committed batches.

Resumable by construction: every message gets a keyed ID (see :mod:`scrubdesk.core.import_identity`:
its Message-ID and content, its exact bytes, or its row in an exact CSV/JSON file), the ID is UNIQUE in
the store, and each batch commits on its own. A run that was killed or cancelled is completed by running it
again; what is already in is counted as a duplicate (by reason), never stored twice. Items that cannot be
imported are quarantined with location and reason, and so is every path that is not read (hidden files,
maildir tmp/...): items fed = imported + replaced + duplicates + erased_skipped + quarantined.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrubdesk.core.audit_log import AuditLog
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db import imports
from scrubdesk.core.db.erasures import erased_keys
from scrubdesk.core.errors import InputError
from scrubdesk.core.ids import KeyedIds
from scrubdesk.core.import_identity import DUPLICATES, BatchCopies, Identity, Outcome, decide, identify
from scrubdesk.core.ingest.formats import TABULAR_FORMATS
from scrubdesk.core.ingest.pipeline import read_source_in_process
from scrubdesk.core.ingest.readers import detect_format, estimate_total_bytes, read_source
from scrubdesk.core.ingest.records import (
    SKIP_REASONS,
    ImportOptions,
    ParsedMessage,
    Quarantined,
    SourceProgress,
    shown,
)
from scrubdesk.core.jobs import JobCancelled, JobControl
from scrubdesk.core.labels import LabelScreen, screen_label_names
from scrubdesk.core.project import Project
from scrubdesk.core.roles import ROLES, require_role
from scrubdesk.core.store import Store

log = logging.getLogger(__name__)

# Below this many bytes a source is parsed in-process: a parser process costs ~0.6 s to start and only
# pays off when a second core is free (measured: on a loaded 2-core machine it halves throughput).
PARALLEL_MIN_BYTES = 32_000_000
# Keyed IDs are random, so each batch dirties index pages all over the B-trees and SQLCipher re-encrypts
# each dirty page once per commit: bigger transactions share those pages (measured ~35% less time per
# message at 60k messages with 2,000 instead of 500). A crash loses at most one uncommitted batch,
# which re-running the import restores. The byte cap bounds memory when messages are large.
DEFAULT_BATCH_ITEMS = 2000
BATCH_MAX_BYTES = 16 * 1024 * 1024


@dataclass
class ImportSummary:
    sources: int = 0
    imported: int = 0  # new messages, including same_id_different_content
    same_id_different_content: int = 0  # stored beside a message with the same ID and other content
    replaced_truncated: int = 0  # complete copies written over stored truncated ones
    duplicate_reasons: Counter[str] = field(default_factory=Counter)  # same_content | truncated_copy
    erased_skipped: int = 0  # messages a data subject's erasure removed: never imported again
    labels_refused: int = 0  # messages imported without their label: it looked like personal data
    quarantined: Counter[str] = field(default_factory=Counter)  # by reason, skipped paths included
    quarantined_new: int = 0
    bytes_read: int = 0
    seconds: float = 0.0
    cancelled: bool = False

    @property
    def duplicates(self) -> int:
        return sum(self.duplicate_reasons.values())

    @property
    def quarantined_total(self) -> int:
        return sum(self.quarantined.values())

    @property
    def skipped(self) -> int:
        """Paths reported and not read (hidden, maildir tmp/, folders): part of the quarantined count."""
        return sum(n for reason, n in self.quarantined.items() if reason in SKIP_REASONS)

    @property
    def items(self) -> int:
        return (
            self.imported
            + self.replaced_truncated
            + self.duplicates
            + self.erased_skipped
            + self.quarantined_total
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "sources": self.sources,
            "items": self.items,
            "imported": self.imported,
            "same_id_different_content": self.same_id_different_content,
            "replaced_truncated": self.replaced_truncated,
            "duplicates": self.duplicates,
            "duplicates_by_reason": dict(sorted(self.duplicate_reasons.items())),
            "erased_skipped": self.erased_skipped,
            "labels_refused": self.labels_refused,
            "quarantined": self.quarantined_total,
            "quarantined_by_reason": dict(sorted(self.quarantined.items())),
            "skipped": self.skipped,
            "quarantined_new": self.quarantined_new,
            "bytes_read": self.bytes_read,
            "seconds": round(self.seconds, 3),
            "mb_per_s": round(self.bytes_read / 1e6 / self.seconds, 2) if self.seconds else None,
            "cancelled": self.cancelled,
        }


def _file_digest(ids: KeyedIds, path: Path) -> str:

    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return ids.digest("source-file", h.digest())


def source_digest(ids: KeyedIds, path: Path, fmt: str) -> str | None:
    """The keyed digest of a CSV/JSON file's bytes, which keys its rows that have no ID column (None for
    mail formats, whose messages are keyed on their own)."""
    return _file_digest(ids, path) if fmt in TABULAR_FORMATS and path.is_file() else None


def message_key(ids: KeyedIds, item: ParsedMessage, digest: str | None, *, global_ids: bool = False) -> str:
    """The msg_key of the first copy of a parsed item (see :func:`import_identity.identify` for every key
    it may be stored under)."""
    return identify(ids, item, digest, global_ids=global_ids).msg_key


class _BatchWriter:
    """Writes one batch of reader items in one transaction and tallies the outcome."""

    def __init__(
        self,
        store: Store,
        ids: KeyedIds,
        summary: ImportSummary,
        *,
        audit: AuditLog,
        role: str,
        global_ids: bool,
        label_screen: LabelScreen | None = None,
    ) -> None:
        self.store = store
        self._label_screen = label_screen
        self._label_ok: dict[str, bool] = {}
        self.ids = ids
        self.summary = summary
        self.global_ids = global_ids
        self.erased = erased_keys(store)
        self._audit = audit
        self._role = role

    def write(self, batch: Sequence[ParsedMessage | Quarantined], source_id: int, digest: str | None) -> None:
        now = utc_now()
        subjects: list[tuple[int, str, str]] = []
        identities = {
            n: identify(self.ids, item, digest, global_ids=self.global_ids)
            for n, item in enumerate(batch)
            if isinstance(item, ParsedMessage)
        }
        before = dataclasses.replace(
            self.summary,
            quarantined=Counter(self.summary.quarantined),
            duplicate_reasons=Counter(self.summary.duplicate_reasons),
        )
        try:
            with self.store.transaction() as conn:
                known = BatchCopies(conn, identities.values())
                for n, item in enumerate(batch):
                    if isinstance(item, Quarantined):
                        self._quarantine(conn, item, source_id, now)
                    else:
                        self._message(
                            conn, item, identities[n], known, source_id=source_id, now=now, subjects=subjects
                        )
                imports.link_subjects(conn, subjects)
                # In the batch's own transaction: whatever is committed is audited, even if a later batch
                # fails (a full disk) or the process is killed.
                counts = _batch_counts(before, self.summary)
                if counts["imported"] or counts["replaced_truncated"] or counts["quarantined_new"]:
                    self._audit.append("import.batch", details=counts, role=self._role)  # else nothing stored
        except BaseException:
            self.summary.__dict__.update(before.__dict__)  # the rolled-back batch counts for nothing
            raise

    def _screened(self, label: str | None) -> str | None:
        """The label a source gives a message, unless it may be personal data (then the message is imported
        unlabelled and counted): the same screen as for labels added by hand."""
        if not label:
            return label
        if label not in self._label_ok:
            self._label_ok[label] = not screen_label_names([label], self._label_screen)
        if not self._label_ok[label]:
            self.summary.labels_refused += 1
            return None
        return label

    def _quarantine(self, conn: Any, item: Quarantined, source_id: int, now: str) -> None:
        key = self.ids.digest(
            "quarantine", item.location.encode("utf-8", "surrogatepass") + b"\x00" + item.fingerprint
        )
        new = imports.quarantine(
            conn,
            imports.QuarantineItem(
                key, source_id, item.location, str(item.reason), item.detail, item.size_bytes, now
            ),
        )
        self.summary.quarantined[str(item.reason)] += 1
        self.summary.quarantined_new += int(new)

    def _message(
        self,
        conn: Any,
        m: ParsedMessage,
        identity: Identity,
        known: BatchCopies,
        *,
        source_id: int,
        now: str,
        subjects: list[tuple[int, str, str]],
    ) -> None:
        label = self._screened(m.label)
        row = _new_message(identity, m, label=label, source_id=source_id, now=now)
        message_id = None
        erased = any(key in self.erased for key in identity.candidate_keys())
        quick = None if erased else known.quick(identity)
        if quick is Outcome.SAME:
            self.summary.duplicate_reasons[str(Outcome.SAME)] += 1
            return
        if quick is Outcome.NEW or (not erased and identity.id_key is None):
            message_id = imports.insert_message(conn, row)  # the usual case: a message seen first
        if message_id is None:
            decision = decide(conn, self.ids, identity, m.body, self.erased)
            outcome = decision.outcome
            if outcome is Outcome.ERASED:
                self.summary.erased_skipped += 1
                return
            if outcome in DUPLICATES:
                self.summary.duplicate_reasons[str(outcome)] += 1
                return
            if outcome is Outcome.REPLACES:
                assert decision.copy_id is not None
                imports.replace_message(conn, decision.copy_id, row)
                self.summary.replaced_truncated += 1
                message_id = decision.copy_id
                known.stored(identity, message_id, identity.msg_key)
            else:
                key = identity.variant_key if outcome is Outcome.VARIANT else identity.msg_key
                assert key is not None
                message_id = imports.insert_message(conn, dataclasses.replace(row, msg_key=key))
                if message_id is None:  # cannot happen after decide(); counted, never lost silently
                    self.summary.duplicate_reasons[str(Outcome.SAME)] += 1
                    return
                self.summary.imported += 1
                self.summary.same_id_different_content += int(outcome is Outcome.VARIANT)
                known.stored(identity, message_id, key)
        else:
            self.summary.imported += 1
            known.stored(identity, message_id, identity.msg_key)
        subject_id = self.ids.subject_id
        if m.from_addr:
            subjects.append((message_id, subject_id(m.from_addr), "from"))
        subjects.extend((message_id, subject_id(a), "to") for a in m.to_addrs)
        subjects.extend((message_id, subject_id(a), "cc") for a in m.cc_addrs)


def _new_message(
    identity: Identity, m: ParsedMessage, *, label: str | None, source_id: int, now: str
) -> imports.NewMessage:
    return imports.NewMessage(
        msg_key=identity.msg_key, id_key=identity.id_key, content_key=identity.content_key,
        source_id=source_id, source_location=m.location, sent_at=m.sent_at, from_name=m.from_name,
        from_addr=m.from_addr,
        to_addrs=_json_list(m.to_addrs), cc_addrs=_json_list(m.cc_addrs), subject=m.subject, body=m.body,
        body_kind=m.body_kind, attachment_count=m.attachment_count,
        attachment_types=_json_list(m.attachment_types), flags=_json_list(m.flags), label=label,
        label_source="import" if label else None, size_bytes=m.size_bytes, imported_at=now,
    )  # fmt: skip


def _batch_counts(before: ImportSummary, after: ImportSummary) -> dict[str, int]:
    return {
        "imported": after.imported - before.imported,
        "same_id_different_content": after.same_id_different_content - before.same_id_different_content,
        "replaced_truncated": after.replaced_truncated - before.replaced_truncated,
        "duplicates": after.duplicates - before.duplicates,
        "erased_skipped": after.erased_skipped - before.erased_skipped,
        "quarantined": after.quarantined_total - before.quarantined_total,
        "quarantined_new": after.quarantined_new - before.quarantined_new,
    }


def _json_list(values: Sequence[str]) -> str:
    return json.dumps(list(values)) if values else "[]"


def resolve_sources(sources: Sequence[Path], options: ImportOptions) -> list[tuple[Path, str]]:
    """Check every source exists and has a known format before anything is written."""
    resolved = []
    for source in sources:
        path = Path(source)
        if not path.exists():
            raise InputError(f"source not found: {shown(path)}")
        fmt = options.format or detect_format(path)
        if fmt in TABULAR_FORMATS and not options.text_column:
            raise InputError(f"{shown(path)} is {fmt}: say which column holds the text with --text-column")
        resolved.append((path, fmt))
    return resolved


def run_import(
    project: Project,
    sources: Sequence[Path],
    options: ImportOptions | None = None,
    control: JobControl | None = None,
    *,
    batch_size: int | None = None,
    parallel: bool | None = None,
    label_screen: LabelScreen | None = None,
) -> ImportSummary:
    """Import sources into the project. ``parallel``: parse in a separate process (None = when a source
    is large enough for it to pay off)."""
    options = options or ImportOptions()
    control = control or JobControl()
    batch_size = batch_size or DEFAULT_BATCH_ITEMS
    resolved = resolve_sources(sources, options)
    sizes = [estimate_total_bytes(path, fmt) for path, fmt in resolved]  # walks folders once
    total = sum(sizes)
    summary = ImportSummary(sources=len(resolved))
    started = time.perf_counter()
    done_before = 0
    progress = SourceProgress()
    with project.store() as store:
        role = require_role(store, ROLES, "importing mail")
        audit = AuditLog(store, project.keys.id_key)
        writer = _BatchWriter(
            store,
            project.ids,
            summary,
            audit=audit,
            role=role,
            global_ids=options.global_ids,
            label_screen=label_screen,
        )
        try:
            for (path, fmt), size in zip(resolved, sizes, strict=True):
                source_id = _register_source(store, path, fmt)
                digest = source_digest(project.ids, path, fmt)
                progress = SourceProgress()
                source_options = ImportOptions(**{**options.__dict__, "format": fmt})
                use_process = parallel if parallel is not None else _parallel_pays_off(size)
                reader = read_source_in_process if use_process else read_source
                batch: list[ParsedMessage | Quarantined] = []
                batch_bytes = 0
                with contextlib.closing(reader(path, source_options, progress)) as items:
                    for item in items:
                        batch.append(item)
                        batch_bytes += item.size_bytes or 0
                        if len(batch) >= batch_size or batch_bytes >= BATCH_MAX_BYTES:
                            writer.write(batch, source_id, digest)
                            batch.clear()
                            batch_bytes = 0
                            control.progress(
                                done_before + progress.done_bytes, total, _progress_text(summary)
                            )
                            control.check_cancelled()
                if batch:
                    writer.write(batch, source_id, digest)
                done_before += progress.done_bytes
                summary.bytes_read = done_before
                control.progress(done_before, total, _progress_text(summary))
        except JobCancelled:
            summary.cancelled = True
            summary.bytes_read = done_before + progress.done_bytes
        summary.seconds = time.perf_counter() - started
        with store.transaction():
            audit.append("import", details=summary.as_dict(), role=role)
    log.info(
        "import finished: %s", {k: v for k, v in summary.as_dict().items() if k != "quarantined_by_reason"}
    )
    return summary


def _parallel_pays_off(source_bytes: int) -> bool:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores >= 2 and source_bytes >= PARALLEL_MIN_BYTES


def _progress_text(summary: ImportSummary) -> str:
    return (
        f"{summary.imported} imported, {summary.duplicates} duplicates, "
        f"{summary.quarantined_total} quarantined"
    )


def _register_source(store: Store, path: Path, fmt: str) -> int:
    location = shown(path.absolute())
    now = utc_now()
    with store.transaction() as conn:
        return imports.register_source(conn, location, fmt, now)
