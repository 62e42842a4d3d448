"""Right to erasure (GDPR Art. 17): find a data subject, erase every trace from the store, prove it.

Matching (:class:`SubjectQuery`) - a query is an email address or a person's full name:

* an address matches messages linked to its keyed subject ID (``message_subjects``), messages whose
  From/To/Cc headers contain it, PII spans whose text is that address, and messages whose subject, body
  or sender name contain it (case-insensitive);
* a name matches messages whose sender name contains it, spans whose text *equals* it (a leading title
  such as "Mrs" ignored, "Surname, Given" accepted), and messages whose subject or body contain it with
  any whitespace between the parts, case-insensitive. A name must have at least two parts: a surname or
  given name alone, or the local part of an address, would match other people, so they never select a
  message on their own. A name query does not follow the addresses that name wrote from (ticket systems
  send many customers' mail from one address under each customer's name): erase by address as well.

:func:`verify_erasure` also accepts any other identifier of the subject (a phone number, a reference),
searched for the same way.

Text matches are substring matches - the same test :func:`verify_erasure` applies to every column and
file - so an erasure always verifies; the preview's counts show when a query is too broad.

Erasure (:func:`erase_subject`) runs in one transaction: dependent models and exports are marked stale,
the messages and everything hanging off them are deleted, residue in quarantine, source paths and review
comments is scrubbed, an ``erasures`` row and an audit entry (counts only) are written. Then the bytes
are made unrecoverable: ``secure_delete`` is on for every connection, ``VACUUM`` rebuilds the file and a
``TRUNCATE`` checkpoint empties the WAL. A signed certificate (what, where, when, by whom, how, and the
verification result - never the query or its keyed ID) is written to ``DIR/certificates/``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import uuid
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Literal

from scrubdesk.core.audit_log import AuditLog, current_os_user
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db import consent as consent_rows
from scrubdesk.core.db import erasures as erasure_rows
from scrubdesk.core.db import exports as export_rows
from scrubdesk.core.db import maintenance, messages
from scrubdesk.core.db import spans as span_rows
from scrubdesk.core.db.trained_models import mark_stale, models_trained_on
from scrubdesk.core.errors import InputError
from scrubdesk.core.files import write_text_atomic
from scrubdesk.core.ids import KeyedIds, normalise_address
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.project import STORE_FILE, Project
from scrubdesk.core.roles import require_role
from scrubdesk.core.store import Store
from scrubdesk.core.trace_scan import Needles, iter_files, scan_file, scan_sqlcipher_pages

log = logging.getLogger(__name__)

ADMIN_ONLY = ("admin",)
CERTIFICATES_DIR = "certificates"
CERTIFICATE_FORMAT = "scrubdesk-erasure-certificate"
CERTIFICATE_VERSION = 1
REASONS = ("subject_key", "header", "sender_name", "pii_span", "text")
TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev", "lady", "lord"})
MIN_NAME_PARTS = 2
MIN_VALUE_CHARS = 4

_ADDRESS = re.compile(r"[^\s@<>\"(),;:]+@[^\s@<>\"(),;:]+\.[^\s@<>\"(),;:]+")


# --- the query --------------------------------------------------------------------------------------------


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _strip_titles(parts: list[str]) -> list[str]:
    while len(parts) > 1 and parts[0].rstrip(".").lower() in TITLES:
        parts = parts[1:]
    return parts


@dataclass(frozen=True)
class SubjectQuery:
    """A parsed erasure query. Holds personal data: never log it or put it in an error message."""

    kind: Literal["address", "name", "value"]
    value: str  # address: lower-cased; name: whitespace collapsed, leading titles removed
    pattern: re.Pattern[str] = field(repr=False)
    equal_forms: frozenset[str] = field(repr=False)  # casefolded texts a PII span must equal
    forms: tuple[str, ...] = field(repr=False)  # what must appear nowhere afterwards

    def __repr__(self) -> str:
        return f"SubjectQuery(kind={self.kind!r})"

    @classmethod
    def parse(cls, query: str, *, any_value: bool = False) -> SubjectQuery:
        """An address or a full name; with ``any_value`` (verification only) also any other identifier
        of the subject, such as a phone number or a customer reference."""
        text = _collapse(query or "")
        if not text:
            raise InputError("the subject is empty: give an email address or a full name")
        if "@" in text:
            return cls._address(text)
        try:
            return cls._name(text)
        except InputError:
            if not any_value:
                raise
        if len(text) < MIN_VALUE_CHARS:
            raise InputError(f"the value to look for needs at least {MIN_VALUE_CHARS} characters") from None
        return cls(
            kind="value",
            value=text,
            pattern=re.compile(r"\s+".join(re.escape(p) for p in text.split(" ")), re.IGNORECASE),
            equal_forms=frozenset({text.casefold()}),
            forms=(text,),
        )

    @classmethod
    def _address(cls, text: str) -> SubjectQuery:
        as_given = (parseaddr(text)[1] or text).strip()
        address = normalise_address(text)
        if not _ADDRESS.fullmatch(address):
            raise InputError("the subject contains '@' but is not one email address (like name@example.org)")
        return cls(
            kind="address",
            value=address,
            pattern=re.compile(re.escape(address), re.IGNORECASE),
            equal_forms=frozenset({address}),
            forms=tuple(dict.fromkeys((address, as_given))),
        )

    @classmethod
    def _name(cls, text: str) -> SubjectQuery:
        parts = _strip_titles(text.split(" "))
        if sum(any(ch.isalpha() for ch in p) for p in parts) < MIN_NAME_PARTS:
            raise InputError(
                "give the subject's full name (given name and surname) or an email address: one name "
                "alone would match other people"
            )
        name = " ".join(parts)
        reversed_name = f"{parts[-1]}, {' '.join(parts[:-1])}"
        forward = r"\s+".join(re.escape(p) for p in parts)
        backward = re.escape(parts[-1]) + r",\s*" + r"\s+".join(re.escape(p) for p in parts[:-1])
        return cls(
            kind="name",
            value=name,
            pattern=re.compile(f"{forward}|{backward}", re.IGNORECASE),
            equal_forms=frozenset({name.casefold(), reversed_name.casefold()}),
            forms=(name, reversed_name),
        )

    def hit(self, value: object) -> bool:
        """True when a stored value contains the subject (text case-insensitively; blobs in any of the
        byte forms of :class:`Needles`)."""
        if isinstance(value, str):
            return self.pattern.search(value) is not None
        if isinstance(value, bytes | memoryview):
            return Needles(self.forms).count(bytes(value)) > 0
        return False

    def equals(self, span_text: str) -> bool:
        """True when a PII span's text is the subject itself (not merely part of it)."""
        if self.kind == "address":
            return normalise_address(span_text.removeprefix("mailto:")) == self.value
        return " ".join(_strip_titles(_collapse(span_text).split(" "))).casefold() in self.equal_forms

    def subject_key(self, ids: KeyedIds) -> str | None:
        return ids.subject_id(self.value) if self.kind == "address" else None


# --- finding ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectMatch:
    """Which messages are about the subject, and why. IDs and counts only: safe to show in a preview."""

    kind: str
    message_ids: tuple[int, ...]
    msg_keys: tuple[str, ...]
    reasons: dict[str, int]  # messages per reason; a message can have several
    n_spans: int  # spans stored on the matched messages (all of them go)
    models: tuple[int, ...] = ()  # models trained on any of them
    exports: tuple[int, ...] = ()  # exports that hold any of them

    def __repr__(self) -> str:
        return f"SubjectMatch(kind={self.kind!r}, messages={len(self.message_ids)}, reasons={self.reasons})"

    @property
    def n_messages(self) -> int:
        return len(self.message_ids)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "messages": self.n_messages,
            "spans": self.n_spans,
            "reasons": dict(self.reasons),
            "models": list(self.models),
            "exports": list(self.exports),
        }


def find_subject(project: Project, store: Store, query: str) -> SubjectMatch:
    """Preview: every message about the subject given by ``query`` (admin role)."""
    require_role(store, ADMIN_ONLY, "searching for a data subject")
    return _find(store, SubjectQuery.parse(query), project.ids, JobControl())


def _find(store: Store, q: SubjectQuery, ids: KeyedIds, control: JobControl) -> SubjectMatch:
    found: dict[str, set[int]] = {reason: set() for reason in REASONS}
    key = q.subject_key(ids)
    if key is not None:
        found["subject_key"].update(messages.subject_message_ids(store, key))
    total = messages.count_messages(store)
    for done, m in enumerate(messages.every_with_headers(store), 1):
        if q.hit(m.from_addr) or q.hit(m.to_addrs) or q.hit(m.cc_addrs):
            found["header"].add(m.id)
        if q.hit(m.from_name):
            found["sender_name"].add(m.id)
        if q.hit(m.subject) or q.hit(m.body):
            found["text"].add(m.id)
        if done % 2000 == 0:
            control.progress(done, total, f"searched {done} messages")
            control.check_cancelled()
    found["pii_span"] = _span_matches(store, q)
    message_ids = tuple(sorted(set().union(*found.values())))
    keys = messages.keys_of(store, message_ids)
    n_spans = span_rows.count_for_messages(store, message_ids)
    control.progress(total, total, f"{len(message_ids)} messages found")
    return SubjectMatch(
        kind=q.kind,
        message_ids=message_ids,
        msg_keys=tuple(keys),
        reasons={reason: len(found[reason]) for reason in REASONS},
        n_spans=n_spans,
        models=tuple(sorted(models_trained_on(store, message_ids))),
        exports=tuple(sorted(export_rows.exports_holding(store, message_ids))),
    )


def _span_matches(store: Store, q: SubjectQuery) -> set[int]:
    """Messages with a span (any status) whose text is the subject; spans are offsets into the field."""
    lengths = [len(f) for f in q.equal_forms]
    # titles, spacing, "mailto:" and <> may pad a span
    rows = span_rows.span_texts_between(store, min(lengths) // 2, max(lengths) * 3 + 16)
    return {mid for mid, text in rows if text and q.equals(text)}


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

    @property
    def ok(self) -> bool:
        places = (self.store_hits, self.keyed_id_hits, self.file_hits, self.page_hits)
        return self.subject_messages == 0 and not any(places) and not self.problems

    @property
    def total_hits(self) -> int:
        places = (self.store_hits, self.keyed_id_hits, self.file_hits, self.page_hits)
        return self.subject_messages + sum(sum(p.values()) for p in places)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "subject_messages": self.subject_messages,
            "store_hits": dict(self.store_hits),
            "keyed_id_hits": dict(self.keyed_id_hits),
            "keyed_id_in_audit_log": self.keyed_id_in_audit_log,
            "file_hits": dict(self.file_hits),
            "page_hits": dict(self.page_hits),
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

    @property
    def ok(self) -> bool:
        return self.dry_run or (self.verification is not None and self.verification.ok)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"dry_run": self.dry_run, **self.match.as_dict()}
        if not self.dry_run:
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


def erase_subject(
    project: Project, query: str, control: JobControl | None = None, *, dry_run: bool = False
) -> ErasureCertificate:
    """Erase every message about a data subject and prove it (admin role). See the module docstring."""
    q = SubjectQuery.parse(query)
    control = control or JobControl()
    with project.store() as store:
        role = require_role(store, ADMIN_ONLY, "erasing a data subject")
        audit = AuditLog(store, project.keys.id_key)
        if dry_run:
            match = _find(store, q, project.ids, control)
            with store.transaction():
                audit.append("erase.preview", details=match.as_dict(), role=role)
            return ErasureCertificate(match, dry_run=True)
        certificate_id = uuid.uuid4().hex
        at = utc_now()
        with store.transaction() as conn:
            match = _find(store, q, project.ids, control)
            control.check_cancelled()  # the last point where cancelling changes nothing
            mark_stale(conn, match.models)
            export_rows.mark_stale(conn, match.exports)
            erasure_rows.remember_erased(conn, match.msg_keys, certificate_id)
            counts = erasure_rows.delete_messages(conn, match.message_ids)
            counts.update(_scrub_residue(conn, q, project.ids))
            erasure_rows.record(
                conn, certificate_id=certificate_id, at=at, os_user=current_os_user(), role=role,
                n_messages=counts["messages"], n_spans=counts["spans"], models=match.models,
                exports=match.exports,
            )  # fmt: skip
            details = {**counts, "certificate_id": certificate_id, "reasons": match.reasons}
            details |= {
                "models_marked_stale": list(match.models),
                "exports_marked_stale": list(match.exports),
            }
            audit.append("erase", details=details, role=role, at=at)
        control.progress(1, 3, "rewriting the store without the erased data")
        storage = maintenance.wipe_free_space(store)
        control.progress(2, 3, "verifying that no trace remains")
        report = _verify(project, store, q, JobControl())
        body = _certificate_body(
            project, store, certificate_id=certificate_id, at=at, role=role, q=q, match=match, counts=counts,
            storage=storage, report=report,
        )  # fmt: skip
        path = write_certificate(project, body)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        with store.transaction() as conn:
            erasure_rows.set_certificate(
                conn, certificate_id, path.relative_to(project.path).as_posix(), digest
            )
        maintenance.checkpoint(store)
        control.progress(3, 3, "erasure certificate written")
    return ErasureCertificate(match, False, certificate_id, path, counts, storage, report)


def _scrub_residue(conn: Any, q: SubjectQuery, ids: KeyedIds) -> dict[str, int]:
    """Remove the subject from rows that are not about them but mention them (a file path, a comment)."""
    key = q.subject_key(ids)
    counts = erasure_rows.scrub_residue(conn, q.hit)
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


def _verify(project: Project, store: Store, q: SubjectQuery, control: JobControl) -> VerificationReport:
    subject_key = q.subject_key(project.ids)
    match = _find(store, q, project.ids, control)
    store_hits, keyed_hits, in_audit, checked = _scan_store(store, q, subject_key)
    needles = Needles([*q.forms, *([subject_key] if subject_key else [])])
    problems: list[str] = []
    file_hits: dict[str, int] = {}
    files = scanned_bytes = 0
    for path in iter_files(project.path):
        files += 1
        scanned_bytes += path.stat().st_size
        result = scan_file(path, needles)
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
        store.path, project.keys.db_key, Needles(q.forms), page_size=page_size
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
    )


def _scan_store(
    store: Store, q: SubjectQuery, subject_key: str | None
) -> tuple[dict[str, int], dict[str, int], int, dict[str, int]]:
    """Every column of every table, decrypted: rows containing the subject, and its keyed ID."""

    def key_hit(value: object) -> bool:
        return subject_key is not None and isinstance(value, str) and subject_key in value

    found = maintenance.count_cells(store, {"subject_hit": q.hit, "subject_key_hit": key_hit})
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
            "exports_marked_stale": exports,
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
            "Models and exports listed were marked stale: retrain, and delete or replace those exports."
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
