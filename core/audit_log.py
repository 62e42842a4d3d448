"""A tamper-evident audit log: every entry carries an HMAC over its content and the previous MAC.

Editing, deleting or reordering any entry breaks the chain from that point, and because the chain is
keyed (with a key derived from the project's ID key), nobody without the key can forge a new one.
Entries hold keyed IDs, counts and settings only: never personal data.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from scrubdesk.core.store import Store

GENESIS = "0" * 64


def current_os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "unknown"


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


@dataclass(frozen=True)
class AuditProblem:
    seq: int
    problem: str


class AuditLog:
    def __init__(self, store: Store, id_key: bytes) -> None:
        self._store = store
        self._key = hmac.new(id_key, b"scrubdesk audit log v1", hashlib.sha256).digest()

    def _mac(self, prev_mac: str, fields: dict[str, Any]) -> str:
        return hmac.new(self._key, prev_mac.encode() + _canonical(fields), hashlib.sha256).hexdigest()

    def append(
        self,
        action: str,
        *,
        objects: list[str] | None = None,
        details: dict[str, Any] | None = None,
        role: str = "admin",
        at: str | None = None,
    ) -> int:
        """Append one entry. Call inside the transaction that does the audited work when there is one."""
        from scrubdesk.core.project import utc_now

        fields = {
            "at": at or utc_now(),
            "os_user": current_os_user(),
            "role": role,
            "action": action,
            "objects": json.dumps(objects or []),
            "details": json.dumps(details or {}, sort_keys=True),
        }
        row = self._store.execute("SELECT seq, mac FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
        mac = self._mac(prev, {"seq": seq, **fields})
        self._store.execute(
            "INSERT INTO audit_log (seq, at, os_user, role, action, objects, details, prev_mac, mac) "
            "VALUES (:seq, :at, :os_user, :role, :action, :objects, :details, :prev, :mac)",
            {"seq": seq, **fields, "prev": prev, "mac": mac},
        )
        return seq

    def verify(self) -> list[AuditProblem]:
        """Walk the chain; an empty list means every entry is intact and in order."""
        problems: list[AuditProblem] = []
        prev = GENESIS
        expected_seq = 1
        rows = self._store.execute(
            "SELECT seq, at, os_user, role, action, objects, details, prev_mac, mac "
            "FROM audit_log ORDER BY seq"
        )
        for seq, at, os_user, role, action, objects, details, prev_mac, mac in rows:
            if seq != expected_seq:
                problems.append(AuditProblem(seq, f"entry {expected_seq} is missing"))
            if prev_mac != prev:
                problems.append(AuditProblem(seq, "chain broken: an earlier entry was changed or removed"))
            fields = {
                "seq": seq,
                "at": at,
                "os_user": os_user,
                "role": role,
                "action": action,
                "objects": objects,
                "details": details,
            }
            if not hmac.compare_digest(self._mac(prev_mac, fields), mac):
                problems.append(AuditProblem(seq, "entry content does not match its MAC"))
            prev = mac
            expected_seq = seq + 1
        return problems

    def count(self) -> int:
        return int(self._store.scalar("SELECT count(*) FROM audit_log"))
