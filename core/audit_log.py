"""A tamper-evident audit log: every entry carries an HMAC over its content and the previous MAC.

Editing, deleting or reordering any entry breaks the chain from that point, and because the chain is
keyed (with a key derived from the project's ID key), nobody without the key can forge a new one.
Entries hold keyed IDs, counts and settings only: never personal data.

A chain alone cannot show that its *newest* entries were deleted. So the head (seq and MAC of the newest
entry) is also kept outside the store, in ``DIR/audit.head``, MAC'd with another key derived from the ID
key. :meth:`AuditLog.append` asks the store to rewrite that anchor right after the transaction commits
(:meth:`Store.after_commit`), so callers need nothing more than ``with store.transaction(): log.append()``.

What the anchor can and cannot tell:
- anchor ahead of the store, or pointing at an entry with another MAC: entries were deleted or rewritten;
- anchor MAC bad: the anchor file was edited (it is then never overwritten: it is the evidence);
- anchor behind the store: a crash between COMMIT and the anchor write. Benign; ``check`` re-anchors;
- anchor missing: reported. Projects from before anchors get one with their next entry, and that entry is
  preceded by an ``audit.anchor_created`` entry, so a deleted anchor leaves a trace in the chain.
Restoring an *older* copy of the anchor file together with deleting the entries after it is not
detectable from the files alone. For that, ``check`` returns a *receipt* of the head ('SEQ:MAC'; the MAC
is keyed and holds no personal data) to keep somewhere else (the DPO's records, a ticket), and
:meth:`AuditLog.check_receipt` later proves the log still holds that entry unchanged.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlcipher3.dbapi2 import OperationalError

from scrubdesk.core.clock import utc_now
from scrubdesk.core.db import audit as audit_rows
from scrubdesk.core.db import maintenance
from scrubdesk.core.db import roles as role_rows
from scrubdesk.core.errors import InputError, StoreDamagedError, WrongKeyError
from scrubdesk.core.files import write_text_atomic
from scrubdesk.core.identity import current_account
from scrubdesk.core.store import DatabaseError, IntegrityError, Store

log = logging.getLogger(__name__)

GENESIS = "0" * 64
NO_ROLE = "none"  # logged for work by someone without a role (only where no role is needed)
ANCHOR_FILE = "audit.head"
ANCHOR_FORMAT = "scrubdesk-audit-head"
ANCHOR_CREATED = "audit.anchor_created"
ANCHOR_HOOK = "audit-anchor"


def current_os_user() -> str:
    """The name of this process's OS account (see :mod:`scrubdesk.core.identity`: never the environment)."""
    return current_account().name


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


@dataclass(frozen=True)
class AuditProblem:
    seq: int  # 0: the anchor file itself
    problem: str


@dataclass(frozen=True)
class AuditEntry:
    """One audit-log entry as stored (keyed IDs, counts and settings only)."""

    seq: int
    at: str
    os_user: str
    role: str
    action: str
    objects: tuple[str, ...]
    details: dict[str, Any]
    mac: str
    os_uid: str | None = None  # the numeric user ID (entries from before schema 7 have none)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "objects": list(self.objects)}


@dataclass(frozen=True)
class AuditStatus:
    """The result of :meth:`AuditLog.check`: problems mean tampering or damage; notes are benign."""

    entries: int
    last_seq: int
    anchor_seq: int | None
    problems: tuple[AuditProblem, ...] = ()
    notes: tuple[str, ...] = ()
    reanchored: bool = False
    head_mac: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def receipt(self) -> str:
        """'SEQ:MAC' of the newest entry: kept elsewhere, it later shows whether entries were removed."""
        return f"{self.last_seq}:{self.head_mac}" if self.head_mac else ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "last_seq": self.last_seq,
            "anchor_seq": self.anchor_seq,
            "problems": len(self.problems),
            "notes": len(self.notes),
            "reanchored": self.reanchored,
            "receipt": self.receipt,
        }


def parse_receipt(text: str) -> tuple[int, str]:
    """'SEQ:MAC' -> (seq, mac); a clear error for anything else."""
    seq_text, _, mac = text.strip().partition(":")
    if not (
        seq_text.isdigit()
        and int(seq_text) > 0
        and len(mac) >= 16
        and all(c in "0123456789abcdef" for c in mac)
    ):
        raise InputError(f"not an audit receipt: {text!r} (expected SEQ:MAC as printed by `audit verify`)")
    return int(seq_text), mac


@dataclass(frozen=True)
class _Anchor:
    state: str  # "missing" | "bad" | "ok"
    seq: int = 0
    entry_mac: str = ""


@dataclass
class _Walk:
    entries: int = 0
    last_seq: int = 0
    last_mac: str = ""
    bad_macs: int = 0
    problems: list[AuditProblem] = field(default_factory=list)


class AuditLog:
    def __init__(self, store: Store, id_key: bytes) -> None:
        self._store = store
        self._key = hmac.new(id_key, b"scrubdesk audit log v1", hashlib.sha256).digest()
        self._anchor_key = hmac.new(id_key, b"scrubdesk audit anchor v1", hashlib.sha256).digest()

    @property
    def anchor_path(self) -> Path:
        return Path(self._store.path).parent / ANCHOR_FILE

    def _mac(self, prev_mac: str, fields: dict[str, Any]) -> str:
        return hmac.new(self._key, prev_mac.encode() + _canonical(fields), hashlib.sha256).hexdigest()

    # --- writing ---------------------------------------------------------------------------------------

    def append(
        self,
        action: str,
        *,
        objects: list[str] | None = None,
        details: dict[str, Any] | None = None,
        role: str | None = None,
        at: str | None = None,
    ) -> int:
        """Append one entry. Call inside the transaction that does the audited work when there is one;
        the anchor file is rewritten after that transaction commits. ``role``: the role the work was
        checked against; by default the current user's role in the project, or ``none``."""
        at = at or utc_now()
        role = role or role_rows.role_of(self._store, current_account().name) or NO_ROLE
        head = self._head()
        seq, prev = (head[0] + 1, head[1]) if head else (1, GENESIS)
        if head and not self._store.has_after_commit(ANCHOR_HOOK) and not self.anchor_path.exists():
            # An older project, or a deleted anchor: either way the chain says from where it is anchored.
            details_created = {"entries_before": head[0]}
            prev = self._insert(seq, prev, at=at, role=role, action=ANCHOR_CREATED, details=details_created)
            seq += 1
        self._insert(seq, prev, at=at, role=role, action=action, objects=objects, details=details)
        self._store.after_commit(ANCHOR_HOOK, self._advance_anchor)
        return seq

    def _insert(
        self,
        seq: int,
        prev: str,
        *,
        at: str,
        role: str,
        action: str,
        objects: list[str] | None = None,
        details: dict[str, Any] | None = None,
    ) -> str:
        account = current_account()
        fields = {
            "at": at,
            "os_user": account.name,
            "role": role,
            "action": action,
            "objects": json.dumps(objects or []),
            "details": json.dumps(details or {}, sort_keys=True),
        }
        mac = self._mac(prev, {"seq": seq, **fields, "os_uid": account.uid})
        row = audit_rows.AuditRow(seq=seq, **fields, os_uid=account.uid, prev_mac=prev, mac=mac)
        audit_rows.insert(self._store, row)
        return mac

    def _head(self) -> tuple[int, str] | None:
        return audit_rows.head(self._store)

    def _mac_at(self, seq: int) -> str | None:
        return audit_rows.mac_at(self._store, seq)

    # --- the anchor ------------------------------------------------------------------------------------

    def _anchor_mac(self, seq: int, entry_mac: str) -> str:
        body = _canonical({"format": ANCHOR_FORMAT, "seq": seq, "entry_mac": entry_mac})
        return hmac.new(self._anchor_key, body, hashlib.sha256).hexdigest()

    def _read_anchor(self) -> _Anchor:
        try:
            data = json.loads(self.anchor_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return _Anchor("missing")
        except (OSError, ValueError):
            return _Anchor("bad")
        if not isinstance(data, dict) or data.get("format") != ANCHOR_FORMAT:
            return _Anchor("bad")
        seq, entry_mac, mac = data.get("seq"), data.get("entry_mac"), data.get("mac")
        if not (isinstance(seq, int) and isinstance(entry_mac, str) and isinstance(mac, str)):
            return _Anchor("bad")
        if not hmac.compare_digest(self._anchor_mac(seq, entry_mac), mac):
            return _Anchor("bad")
        return _Anchor("ok", seq, entry_mac)

    def _write_anchor(self, seq: int, entry_mac: str) -> None:
        data = {
            "format": ANCHOR_FORMAT,
            "seq": seq,
            "entry_mac": entry_mac,
            "mac": self._anchor_mac(seq, entry_mac),
            "written_at": utc_now(),  # informative only, outside the MAC
        }
        write_text_atomic(self.anchor_path, json.dumps(data, indent=2) + "\n")

    def _advance_anchor(self) -> None:
        """After a commit: move the anchor to the newest entry, unless the anchor is evidence of tampering.
        Never raises: the audited work is committed already; ``check`` reports a lagging anchor."""
        try:
            anchor = self._read_anchor()  # before the head: a concurrent writer can only move it forward
            head = self._head()
            if head is None:
                return
            if anchor.state == "bad":
                log.warning("audit anchor fails its MAC: left unchanged as evidence; run 'audit verify'")
                return
            if anchor.state == "ok" and (
                anchor.seq > head[0] or self._mac_at(anchor.seq) != anchor.entry_mac
            ):
                log.warning("audit anchor disagrees with the log: left unchanged; run 'audit verify'")
                return
            self._write_anchor(*head)
        except (OSError, DatabaseError) as exc:
            log.warning("could not write the audit anchor: %s", type(exc).__name__)

    # --- checking --------------------------------------------------------------------------------------

    def _walk(self) -> _Walk:
        walk = _Walk()
        prev = GENESIS
        expected_seq = 1
        for row in audit_rows.all_rows(self._store):
            seq, prev_mac, mac = row.seq, row.prev_mac, row.mac
            walk.entries += 1
            walk.last_seq, walk.last_mac = seq, mac
            if seq != expected_seq:
                walk.problems.append(AuditProblem(seq, f"entry {expected_seq} is missing"))
            if prev_mac != prev:
                walk.problems.append(
                    AuditProblem(seq, "chain broken: an earlier entry was changed or removed")
                )
            fields = {
                "seq": seq,
                "at": row.at,
                "os_user": row.os_user,
                "role": row.role,
                "action": row.action,
                "objects": row.objects,
                "details": row.details,
            }
            if row.os_uid is not None:  # entries written before schema 7 have none, and their MAC lacks it
                fields["os_uid"] = row.os_uid
            if not hmac.compare_digest(self._mac(prev_mac, fields), mac):
                walk.problems.append(AuditProblem(seq, "entry content does not match its MAC"))
                walk.bad_macs += 1
            prev = mac
            expected_seq = seq + 1
        return walk

    def check(self, *, reanchor: bool = True) -> AuditStatus:
        """Walk the chain and compare its head with the anchor file.

        Raises :class:`WrongKeyError` when the key cannot be this log's key (nothing verifies with it) and
        :class:`StoreDamagedError` when the store's pages fail SQLCipher's integrity check."""
        # The anchor first: it is written after a commit, so whatever it says is committed by the time the
        # chain is read, even while another process appends.
        anchor = self._read_anchor()
        with store_damage_guard(self._store):
            walk = self._walk()
            anchor_entry_mac = self._mac_at(anchor.seq) if anchor.state == "ok" else None
        problems = list(walk.problems)
        notes: list[str] = []
        if (
            walk.entries
            and walk.bad_macs == walk.entries
            and (anchor.state == "bad" or (anchor.state == "missing" and walk.entries > 1))
        ):
            raise WrongKeyError(
                f"none of the {walk.entries} audit-log entries (nor the anchor {ANCHOR_FILE}) verifies with "
                "this project's ID key: the keyring entry for this project holds another key, or the whole "
                "log was replaced. Nothing was changed."
            )
        if anchor.state == "missing":
            if walk.entries:
                problems.append(
                    AuditProblem(
                        0,
                        f"anchor missing: {ANCHOR_FILE} is not in the project folder, so deleting the newest "
                        "entries would go unnoticed (a project from before audit anchors gets one with its "
                        "next entry)",
                    )
                )
        elif anchor.state == "bad":
            problems.append(AuditProblem(0, f"anchor tampered: {ANCHOR_FILE} does not match its MAC"))
        elif anchor.seq > walk.last_seq:
            problems.append(
                AuditProblem(
                    anchor.seq,
                    f"entries after {walk.last_seq} were deleted: the anchor records entry {anchor.seq}",
                )
            )
        elif anchor_entry_mac != anchor.entry_mac:
            problems.append(
                AuditProblem(
                    anchor.seq,
                    f"entry {anchor.seq} is not the one the anchor recorded: the log was rewritten",
                )
            )
        problems.extend(AuditProblem(0, p) for p in roles_disagreeing_with_log(self._store))
        reanchored = False
        if anchor.state == "ok" and anchor.seq < walk.last_seq and not problems:
            notes.append(
                f"the anchor recorded entry {anchor.seq} of {walk.last_seq}: its update after a commit was "
                "interrupted (e.g. a crash), which is harmless" + ("; re-anchored" if reanchor else "")
            )
            if reanchor:
                self._advance_anchor()
                reanchored = self._read_anchor().seq == walk.last_seq
        return AuditStatus(
            entries=walk.entries,
            last_seq=walk.last_seq,
            anchor_seq=walk.last_seq if reanchored else anchor.seq if anchor.state == "ok" else None,
            problems=tuple(problems),
            notes=tuple(notes),
            reanchored=reanchored,
            head_mac=walk.last_mac,
        )

    def check_receipt(self, seq: int, mac: str) -> AuditProblem | None:
        """Does the log still hold entry ``seq`` with ``mac`` (a receipt from an earlier check)?"""
        found = self._mac_at(seq)
        if found is None:
            last = (self._head() or (0, ""))[0]
            return AuditProblem(
                seq, f"the receipt records entry {seq}, the log ends at {last}: entries were deleted"
            )
        if not hmac.compare_digest(found, mac):
            return AuditProblem(
                seq, f"entry {seq} is not the one the receipt recorded: the log was rewritten"
            )
        return None

    def verify(self) -> list[AuditProblem]:
        """Every problem of :meth:`check`; an empty list means the log is intact, in order and complete."""
        return list(self.check().problems)

    def count(self) -> int:
        return audit_rows.count_entries(self._store)


# --- the roles table, replayed from the log ------------------------------------------------------------


def roles_from_log(store: Store) -> dict[str, str]:
    """Who holds which role according to the audit log: the creator is admin, then every grant and revoke
    in order. The chain's MACs make these entries unforgeable without the key."""
    holders: dict[str, str] = {}
    for action, os_user, details_text in audit_rows.role_events(store):
        details = _json_or(details_text, {})
        if action == "project_created":
            holders[os_user] = str(details.get("creator_role", "admin"))
        elif action == "role_grant" and isinstance(details.get("os_user"), str):
            holders[details["os_user"]] = str(details.get("role"))
        elif action == "role_revoke" and isinstance(details.get("os_user"), str):
            holders.pop(details["os_user"], None)
    return holders


def roles_disagreeing_with_log(store: Store) -> list[str]:
    """How the roles table differs from the roles the audit log granted: an edit of the table that went
    around Scrubdesk (e.g. with SQL) shows here. Names the users and roles, which are not personal data of
    data subjects."""
    logged = roles_from_log(store)
    table = {g.os_user: g.role for g in role_rows.list_roles(store)}
    problems = []
    for user in sorted(set(logged) | set(table)):
        if logged.get(user) != table.get(user):
            has = f"has role {table[user]!r}" if user in table else "has no role"
            says = f"role {logged[user]!r}" if user in logged else "no role"
            problems.append(
                f"roles table edited outside Scrubdesk: {user!r} {has}, the audit log grants {says}"
            )
    return problems


# --- reading, for the CLI and the GUI's audit viewer -------------------------------------------------------


def audit_entries(
    store: Store, *, offset: int = 0, limit: int = 200, action: str | None = None, newest_first: bool = True
) -> list[AuditEntry]:
    """A page of entries (newest first by default), optionally only those with ``action``."""
    with store_damage_guard(store):
        rows = audit_rows.page(store, offset=offset, limit=limit, action=action, newest_first=newest_first)
    return [
        AuditEntry(
            seq=row.seq,
            at=row.at,
            os_user=row.os_user,
            role=row.role,
            action=row.action,
            objects=tuple(_json_or(row.objects, [])),
            details=_json_or(row.details, {}),
            mac=row.mac,
            os_uid=row.os_uid,
        )
        for row in rows
    ]


def count_entries(store: Store, action: str | None = None) -> int:
    with store_damage_guard(store):
        return audit_rows.count_entries(store, action)


def audit_actions(store: Store) -> list[str]:
    """The distinct actions in the log, for a filter list."""
    with store_damage_guard(store):
        return audit_rows.actions(store)


def _json_or(text: str, default: Any) -> Any:
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return default
    return value if isinstance(value, type(default)) else default


# --- damage -----------------------------------------------------------------------------------------------

_PAGE = re.compile(r"page (\d+)")


@contextlib.contextmanager
def store_damage_guard(store: Store) -> Iterator[None]:
    """Turn SQLite's "database disk image is malformed" (a page failing SQLCipher's HMAC) into a clear
    :class:`StoreDamagedError`. Locking and constraint errors pass through unchanged."""
    try:
        yield
    except DatabaseError as exc:
        if isinstance(exc, (IntegrityError, OperationalError)):
            raise
        raise damaged_store_error(store) from exc


def damaged_store_error(store: Store) -> StoreDamagedError:
    pages: list[int] = []
    with contextlib.suppress(DatabaseError):
        for line in maintenance.integrity_problems(store):
            pages.extend(int(m) for m in _PAGE.findall(line))
    where = (
        f"{len(pages)} page(s) fail their integrity check (page {', '.join(map(str, pages[:5]))}"
        + (", ..." if len(pages) > 5 else "")
        + ")"
        if pages
        else "it cannot be read"
    )
    return StoreDamagedError(
        f"the encrypted store {store.path} is damaged: {where}. It was altered or corrupted on disk; restore "
        "it from a backup. Nothing was changed."
    )
