"""Right to erasure (GDPR Art. 17): find a data subject, erase every trace from the store, prove it.

Finding the person (:mod:`scrubdesk.core.subject_search`): a query is an e-mail address or a full name;
the search widens to name variants, the display names an address wrote under, and the identifiers
(phone numbers, account numbers, references) in the subject's own messages, in stored and encoded text.
The preview (``--dry-run``) counts messages per reason. When nothing matches, nothing is erased and no
certificate is written unless the admin forces one.

Erasure (:func:`erase_subject`) runs in one transaction: dependent models and exports are marked stale,
the messages and everything hanging off them are deleted, residue in quarantine, source paths and review
comments is scrubbed, an ``erasures`` row and an audit entry (counts only) are written. Then registered
exports that held the messages are rewritten without their rows (one that changed or moved is listed as
remaining), models trained on them are handled by the models layer (``after_erasure``), and the bytes
are made unrecoverable: ``secure_delete`` is on for every connection, ``VACUUM`` rebuilds the file and a
``TRUNCATE`` checkpoint empties the WAL. A signed certificate (what, where, when, by whom, how, and the
verification result - never the query or its keyed ID) is written to ``DIR/certificates/``.

:func:`verify_erasure` looks for every form the erasure searched for in every column of the decrypted
store, every file of the project, every registered export (which must also hold no erased message's keyed
ID) and every decrypted page of the store and its WAL. It also accepts any other identifier of the subject
(a phone number, a reference).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrubdesk.core.audit_log import AuditLog, current_os_user
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db import consent as consent_rows
from scrubdesk.core.db import erasures as erasure_rows
from scrubdesk.core.db import exports as export_rows
from scrubdesk.core.db import maintenance
from scrubdesk.core.db.trained_models import mark_stale
from scrubdesk.core.errors import InputError
from scrubdesk.core.export import file_sha256, rewrite_without
from scrubdesk.core.files import write_text_atomic
from scrubdesk.core.ids import KeyedIds
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.project import STORE_FILE, Project
from scrubdesk.core.roles import require_role
from scrubdesk.core.store import Store
from scrubdesk.core.subject_search import SubjectMatch, SubjectProfile, SubjectQuery, find_subject_messages
from scrubdesk.core.trace_scan import Needles, iter_files, scan_file, scan_sqlcipher_pages

log = logging.getLogger(__name__)

ADMIN_ONLY = ("admin",)
# What the models layer does to the models trained on the erased messages (delete or retrain); its
# summary goes into the certificate.
AfterErasure = Callable[[Store, SubjectMatch], dict[str, Any]]
CERTIFICATES_DIR = "certificates"
CERTIFICATE_FORMAT = "scrubdesk-erasure-certificate"
CERTIFICATE_VERSION = 1


# --- erasing ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerificationReport:
    """Where traces of a subject remain, as counts per place. ``ok``: none anywhere."""

    subject_messages: int  # what the erasure search still finds
    store_hits: dict[str, int]  # "table.column" -> rows containing the subject (decrypted store)
    keyed_id_hits: dict[str, int]  # "table.column" -> rows holding the subject's keyed ID (not the audit log)
    keyed_id_in_audit_log: int  # audit entries that name the keyed ID: kept, the log is append-only
    file_hits: dict[str, int]  # file (relative to the project, or an export's path) -> occurrences
    page_hits: dict[str, int]  # store file / WAL -> occurrences in the decrypted pages
    problems: tuple[str, ...]  # what could not be checked (never personal data)
    checked: dict[str, int]
    erased_ids_in_files: dict[str, int] = field(default_factory=dict)  # file -> keyed IDs of erased messages

    @property
    def _places(self) -> tuple[dict[str, int], ...]:
        return (self.store_hits, self.keyed_id_hits, self.file_hits, self.page_hits, self.erased_ids_in_files)

    @property
    def ok(self) -> bool:
        return self.subject_messages == 0 and not any(self._places) and not self.problems

    @property
    def total_hits(self) -> int:
        return self.subject_messages + sum(sum(p.values()) for p in self._places)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "subject_messages": self.subject_messages,
            "store_hits": dict(self.store_hits),
            "keyed_id_hits": dict(self.keyed_id_hits),
            "keyed_id_in_audit_log": self.keyed_id_in_audit_log,
            "file_hits": dict(self.file_hits),
            "page_hits": dict(self.page_hits),
            "erased_ids_in_files": dict(self.erased_ids_in_files),
            "problems": list(self.problems),
            "checked": dict(self.checked),
        }


@dataclass(frozen=True)
class ErasureCertificate:
    """The outcome of :func:`erase_subject`; for a dry run, the preview (no certificate file)."""

    match: SubjectMatch
    dry_run: bool
    certificate_id: str | None = None
    path: Path | None = None
    counts: dict[str, int] = field(default_factory=dict)
    storage: dict[str, Any] = field(default_factory=dict)
    verification: VerificationReport | None = None
    exports_rewritten: tuple[int, ...] = ()  # exports whose erased rows were removed from the file
    exports_remaining: tuple[dict[str, Any], ...] = ()  # exports that still hold erased IDs, and why
    nothing_found: bool = False  # nothing matched: no erasure and no certificate (unless forced)
    models_after: dict[str, Any] = field(default_factory=dict)  # what became of the stale models

    @property
    def ok(self) -> bool:
        if self.nothing_found:
            return False
        return self.dry_run or (self.verification is not None and self.verification.ok)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"dry_run": self.dry_run, **self.match.as_dict()}
        if self.nothing_found:
            data["nothing_found"] = True
        if not self.dry_run and not self.nothing_found:
            data["models_after_erasure"] = dict(self.models_after)
            data["exports_rewritten"] = list(self.exports_rewritten)
            data["exports_remaining"] = list(self.exports_remaining)
            data.update(
                {
                    "certificate": str(self.path) if self.path else None,
                    "certificate_id": self.certificate_id,
                    "erased": dict(self.counts),
                    "storage": dict(self.storage),
                    "verified": self.verification.ok if self.verification else False,
                    "remaining_hits": self.verification.total_hits if self.verification else None,
                }
            )
        return data


def find_subject(project: Project, store: Store, query: str) -> SubjectMatch:
    """Preview: every message about the subject given by ``query`` (admin role)."""
    require_role(store, ADMIN_ONLY, "searching for a data subject")
    return find_subject_messages(store, SubjectQuery.parse(query), project.ids, JobControl())[0]


def erase_subject(
    project: Project,
    query: str,
    control: JobControl | None = None,
    *,
    dry_run: bool = False,
    force: bool = False,
    after_erasure: AfterErasure | None = None,
) -> ErasureCertificate:
    """Erase every message about a data subject and prove it (admin role). See the module docstring.

    When nothing matches, nothing is done and no certificate is written (``nothing_found``), unless
    ``force``: then a certificate records that the subject was searched for and not found.
    ``after_erasure(store, match)``: what the models layer does to models trained on the erased messages
    (delete or retrain); what it returns goes into the certificate."""
    q = SubjectQuery.parse(query)
    control = control or JobControl()
    with project.store() as store:
        role = require_role(store, ADMIN_ONLY, "erasing a data subject")
        audit = AuditLog(store, project.keys.id_key)
        if dry_run:
            match, _profile = find_subject_messages(store, q, project.ids, control)
            with store.transaction():
                audit.append("erase.preview", details=match.as_dict(), role=role)
            return ErasureCertificate(match, dry_run=True)
        certificate_id = uuid.uuid4().hex
        at = utc_now()
        with store.transaction() as conn:
            match, profile = find_subject_messages(store, q, project.ids, control)
            if match.n_messages == 0 and not force:
                audit.append("erase.not_found", details={"kind": q.kind}, role=role, at=at)
                return ErasureCertificate(match, dry_run=False, nothing_found=True)
            control.check_cancelled()  # the last point where cancelling changes nothing
            mark_stale(conn, match.models)
            export_rows.mark_stale(conn, match.exports)
            erasure_rows.remember_erased(conn, match.msg_keys, certificate_id)
            counts = erasure_rows.delete_messages(conn, match.message_ids)
            counts.update(_scrub_residue(conn, q, profile, project.ids))
            erasure_rows.record(
                conn, certificate_id=certificate_id, at=at, os_user=current_os_user(), role=role,
                n_messages=counts["messages"], n_spans=counts["spans"], models=match.models,
                exports=match.exports,
            )  # fmt: skip
            details = {**counts, "certificate_id": certificate_id, "reasons": match.reasons}
            details |= {
                "models_marked_stale": list(match.models),
                "exports_marked_stale": list(match.exports),
                "identifiers": match.identifiers,
            }
            audit.append("erase", details=details, role=role, at=at)
        control.progress(1, 4, "removing the erased messages from exports")
        rewritten, remaining = clean_exports(project, store, match.exports, set(match.msg_keys))
        models = after_erasure(store, match) if after_erasure is not None and match.models else {}
        control.progress(2, 4, "rewriting the store without the erased data")
        storage = maintenance.wipe_free_space(store)
        control.progress(3, 4, "verifying that no trace remains")
        report = _verify(project, store, q, JobControl(), profile=profile, erased_keys=set(match.msg_keys))
        body = _certificate_body(
            project, store, certificate_id=certificate_id, at=at, role=role, q=q, match=match, counts=counts,
            storage=storage, report=report, rewritten=rewritten, remaining=remaining, models=models,
        )  # fmt: skip
        path = write_certificate(project, body)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        with store.transaction() as conn:
            where = path.relative_to(project.path).as_posix()
            erasure_rows.set_certificate(conn, certificate_id, where, digest)
        maintenance.checkpoint(store)
        control.progress(4, 4, "erasure certificate written")
    return ErasureCertificate(
        match, False, certificate_id, path, counts, storage, report, tuple(rewritten), tuple(remaining),
        models_after=models,
    )  # fmt: skip


def clean_exports(
    project: Project, store: Store, export_ids: Sequence[int], erased_keys: set[str]
) -> tuple[list[int], list[dict[str, Any]]]:
    """Remove erased messages' rows from the registered files that hold them. A file that moved, changed
    since it was written or cannot be rewritten is left alone and listed with the reason: the admin must
    deal with it, and verification keeps reporting it."""
    rewritten: list[int] = []
    remaining: list[dict[str, Any]] = []
    for record in export_rows.exports_by_ids(store, export_ids):
        path = _export_file(project, record.path)
        why = None
        if path is None:
            why = "the file is not where it was written"
        elif file_sha256(path) != record.file_sha256:
            why = "the file changed after it was written, so it is not rewritten"
        else:
            try:
                rows, sha256 = rewrite_without(path, record.format, record.columns, erased_keys)
            except (OSError, ValueError, InputError):
                why = "the file could not be rewritten"
            else:
                with store.transaction() as conn:
                    export_rows.rewritten(conn, record.id, rows, sha256)
                    AuditLog(store, project.keys.id_key).append(
                        "export.rewrite",
                        details={"export_id": record.id, "rows": rows, "file_sha256": sha256},
                    )
                rewritten.append(record.id)
        if why is not None:
            remaining.append({"id": record.id, "path": record.path, "reason": why})
    return rewritten, remaining


def _scrub_residue(conn: Any, q: SubjectQuery, profile: SubjectProfile, ids: KeyedIds) -> dict[str, int]:
    """Remove the subject from rows that are not about them but mention them (a file path, a comment)."""
    key = q.subject_key(ids)
    counts = erasure_rows.scrub_residue(conn, lambda value: any(p.hit(value) for p in profile.queries))
    counts["consent"] = consent_rows.remove_subject(conn, key) if key else 0
    return counts


# --- verifying --------------------------------------------------------------------------------------------


def verify_erasure(project: Project, query: str, control: JobControl | None = None) -> VerificationReport:
    """Prove that no trace of the subject remains (admin role): the erasure search finds nothing; no text
    column of any table of the decrypted store contains it; no file under the project directory, no
    registered export and no decrypted page of the store or its WAL contains it in any common encoding.
    Besides an address or a name, ``query`` may be any other identifier (a phone number, a reference)."""
    q = SubjectQuery.parse(query, any_value=True)
    with project.store() as store:
        role = require_role(store, ADMIN_ONLY, "verifying an erasure")
        maintenance.checkpoint(store)  # finish what a busy erasure could not: old pages may still wait
        report = _verify(project, store, q, control or JobControl())
        with store.transaction():
            details = {"ok": report.ok, "remaining_hits": report.total_hits, "problems": len(report.problems)}
            AuditLog(store, project.keys.id_key).append("erase.verify", details=details, role=role)
    return report


def _verify(
    project: Project,
    store: Store,
    q: SubjectQuery,
    control: JobControl,
    *,
    profile: SubjectProfile | None = None,
    erased_keys: set[str] | None = None,
) -> VerificationReport:
    """``profile``: every form the erasure searched for (name variants, the subject's identifiers), known
    only while their messages existed; later verification re-derives what it can from the query.
    ``erased_keys``: keyed IDs of erased messages that no file may still hold (default: every erasure's)."""
    subject_key = q.subject_key(project.ids)
    match, found = find_subject_messages(store, q, project.ids, control)
    profile = SubjectProfile((*(profile.queries if profile else ()), *found.queries))
    store_hits, keyed_hits, in_audit, checked = _scan_store(store, profile, subject_key)
    needles = Needles([*profile.forms, *([subject_key] if subject_key else [])])
    erased = Needles(sorted(erased_keys if erased_keys is not None else erasure_rows.erased_keys(store)))
    erased_in_files: dict[str, int] = {}
    problems: list[str] = []
    file_hits: dict[str, int] = {}
    files = scanned_bytes = 0
    for path in iter_files(project.path):
        files += 1
        scanned_bytes += path.stat().st_size
        result = scan_file(path, needles, project.keys.db_key)  # sealed model files are decrypted
        name = path.relative_to(project.path).as_posix()
        if result.unreadable:
            problems.append(f"{name}: could not be read")
        elif result.hits:
            file_hits[name] = result.hits
    exports = missing = 0
    for export in export_rows.list_exports(store):
        export_id = export.id
        export_path = _export_file(project, export.path)
        if export_path is None:
            missing += 1
            continue
        if erased.folded or erased.exact:
            held = scan_file(export_path, erased)
            if held.hits:
                erased_in_files[f"export {export_id}: {export_path}"] = held.hits
        if export_path.is_relative_to(project.path):
            continue  # scanned with the project directory
        exports += 1
        result = scan_file(export_path, needles)
        if result.unreadable:
            problems.append(f"export {export_id}: could not be read")
        elif result.hits:
            file_hits[f"export {export_id}: {export_path}"] = result.hits
    page_size = maintenance.page_size(store)
    page_hits: dict[str, int] = {}
    pages = 0
    for name, scan in scan_sqlcipher_pages(
        store.path, project.keys.db_key, Needles(profile.forms), page_size=page_size
    ).items():
        pages += scan.pages
        if not scan.checked:
            problems.append(f"{name}: pages could not be decrypted here (no AES implementation)")
        if scan.undecryptable:
            problems.append(f"{name}: {scan.undecryptable} page(s) failed their HMAC and were not checked")
        if scan.hits:
            page_hits[name] = scan.hits
    checked |= {
        "files": files,
        "file_bytes": scanned_bytes,
        "exports": exports,
        "exports_not_found": missing,
        "pages": pages,
    }
    return VerificationReport(
        subject_messages=match.n_messages,
        store_hits=store_hits,
        keyed_id_hits=keyed_hits,
        keyed_id_in_audit_log=in_audit,
        file_hits=file_hits,
        page_hits=page_hits,
        problems=tuple(problems),
        checked=checked,
        erased_ids_in_files=erased_in_files,
    )


def _scan_store(
    store: Store, profile: SubjectProfile, subject_key: str | None
) -> tuple[dict[str, int], dict[str, int], int, dict[str, int]]:
    """Every column of every table, decrypted: rows containing the subject, and its keyed ID."""

    def key_hit(value: object) -> bool:
        return subject_key is not None and isinstance(value, str) and subject_key in value

    def subject_hit(value: object) -> bool:
        return any(p.hit(value) for p in profile.queries)

    found = maintenance.count_cells(store, {"subject_hit": subject_hit, "subject_key_hit": key_hit})
    keyed = {place: n for place, n in found["subject_key_hit"].items() if not place.startswith("audit_log.")}
    in_audit = sum(n for place, n in found["subject_key_hit"].items() if place.startswith("audit_log."))
    tables = maintenance.table_names(store)
    columns = sum(len(maintenance.column_names(store, t)) for t in tables)
    return found["subject_hit"], keyed, in_audit, {"tables": len(tables), "columns": columns}


def _export_file(project: Project, where: str) -> Path | None:
    path = Path(where)
    candidates = [path] if path.is_absolute() else [project.path / path, Path.cwd() / path]
    return next((c.resolve() for c in candidates if c.is_file()), None)


# --- the certificate --------------------------------------------------------------------------------------


def _certificate_key(project: Project) -> bytes:
    return hmac.new(project.keys.id_key, b"scrubdesk erasure certificate v1", hashlib.sha256).digest()


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _render(body: dict[str, Any], mac: str) -> str:
    """The exact text of a certificate file: any change to any byte changes the content or the form."""
    return json.dumps({**body, "mac": mac}, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


def _certificate_body(
    project: Project,
    store: Store,
    *,
    certificate_id: str,
    at: str,
    role: str,
    q: SubjectQuery,
    match: SubjectMatch,
    counts: dict[str, int],
    storage: dict[str, Any],
    report: VerificationReport,
    rewritten: Sequence[int] = (),
    remaining: Sequence[dict[str, Any]] = (),
    models: dict[str, Any] | None = None,
) -> dict[str, Any]:
    exports = [
        {"id": e.id, "path": e.path, "format": e.format}
        for e in export_rows.exports_by_ids(store, match.exports)
    ]
    return {
        "format": CERTIFICATE_FORMAT,
        "version": CERTIFICATE_VERSION,
        "certificate_id": certificate_id,
        "what": {
            "subject_given_as": q.kind,
            "match_reasons": dict(match.reasons),
            "erased": dict(counts),
            "models_marked_stale": list(match.models),
            "models_after_erasure": dict(models or {}),
            "exports_marked_stale": exports,
            "exports_rewritten": list(rewritten),
            "exports_remaining": list(remaining),
            "identifiers_followed": dict(match.identifiers),
        },
        "where": {
            "project_id": project.project_id,
            "project_name": project.name,
            "project_path": str(project.path),
            "store_file": STORE_FILE,
        },
        "when": at,
        "by": {"os_user": current_os_user(), "role": role},
        "how": dict(storage),
        "verification": report.as_dict(),
        "note": (
            "Holds no personal data: the subject is identified neither by value nor by keyed ID. Messages "
            "were deleted with secure_delete on, the store was rewritten (VACUUM) and its WAL truncated. "
            "Models and exports listed were marked stale; exports rewritten had the erased rows removed; "
            "exports remaining still hold the erased messages' keyed IDs: delete or replace them."
        ),
    }


def write_certificate(project: Project, body: dict[str, Any]) -> Path:
    """Sign ``body`` and write ``erasure-<id>.json`` and a short ``.md`` beside it; return the JSON path."""
    folder = project.path / CERTIFICATES_DIR
    folder.mkdir(exist_ok=True)
    mac = hmac.new(_certificate_key(project), _canonical(body), hashlib.sha256).hexdigest()
    path = folder / f"erasure-{body['certificate_id']}.json"
    text = _render(body, mac)
    write_text_atomic(path, text)
    write_text_atomic(
        path.with_suffix(".md"), _summary_markdown(body, hashlib.sha256(text.encode()).hexdigest())
    )
    return path


def _summary_markdown(body: dict[str, Any], sha256: str) -> str:
    what, where, by = body["what"], body["where"], body["by"]
    erased = what["erased"]
    verification = body["verification"]
    stale_exports = ", ".join(str(e["id"]) for e in what["exports_marked_stale"]) or "none"
    return "\n".join(
        [
            f"# Erasure certificate {body['certificate_id']}",
            "",
            f"- When: {body['when']}",
            f"- By: OS user {by['os_user']} (role {by['role']})",
            f"- Where: project {where['project_name']} ({where['project_id']}) at {where['project_path']}, "
            f"store {where['store_file']}",
            f"- What: {erased['messages']} message(s), {erased['spans']} PII span(s), "
            f"{erased['labels']} label(s); subject given as {what['subject_given_as']}",
            f"- Models marked stale: {', '.join(map(str, what['models_marked_stale'])) or 'none'}",
            f"- Exports marked stale: {stale_exports}",
            f"- Verification: {'no trace found' if verification['ok'] else 'TRACES REMAIN'} "
            f"({verification['checked'].get('files', 0)} files, {verification['checked'].get('pages', 0)} "
            "store pages, every column of every table checked)",
            "",
            f"The signed record is erasure-{body['certificate_id']}.json (SHA-256 {sha256}); check it with "
            "`scrubdesk verify-erasure --certificate`. This summary holds no personal data.",
            "",
        ]
    )


@dataclass(frozen=True)
class CertificateCheck:
    ok: bool
    certificate_id: str | None
    problems: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "certificate_id": self.certificate_id, "problems": list(self.problems)}


def verify_certificate(project: Project, path: Path) -> CertificateCheck:
    """Check a certificate's signature (key derived from the project's ID key), its exact bytes, and that
    the project registered it with the same SHA-256."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the certificate {path} ({type(exc).__name__})") from None
    try:
        text = raw.decode("utf-8")
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError
    except ValueError:
        return CertificateCheck(False, None, ("the file is not a readable certificate: it was altered",))
    problems: list[str] = []
    mac = data.pop("mac", None)
    certificate_id = data.get("certificate_id") if isinstance(data.get("certificate_id"), str) else None
    if data.get("format") != CERTIFICATE_FORMAT:
        problems.append("not a Scrubdesk erasure certificate")
    expected = hmac.new(_certificate_key(project), _canonical(data), hashlib.sha256).hexdigest()
    if not isinstance(mac, str) or not hmac.compare_digest(mac, expected):
        problems.append("the signature does not match: the content was altered, or it is another project's")
    elif _render(data, mac) != text:
        problems.append("the file's bytes differ from its signed form: it was edited")
    if data.get("where", {}).get("project_id") != project.project_id:
        problems.append("it was issued for another project")
    with project.store() as store:
        recorded, sha256 = erasure_rows.certificate_sha256(store, certificate_id)
    if not recorded:
        problems.append("this project has no erasure with this certificate ID")
    elif sha256 and sha256 != hashlib.sha256(raw).hexdigest():
        problems.append("the file differs from the one this project recorded (SHA-256 mismatch)")
    return CertificateCheck(not problems, certificate_id, tuple(problems))
