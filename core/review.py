"""Reviewer approval of a message's redaction: only approved, analysed messages may train a model.

An approval records the analysis fingerprint it saw. If the message is analysed again with a different
result fingerprint (new content, new analyser), the approval no longer matches and the message is not
trainable until a reviewer approves it again.
"""

from __future__ import annotations

from dataclasses import dataclass

from scrubdesk.core.audit_log import AuditLog, current_os_user
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.project import Project, utc_now
from scrubdesk.core.roles import REVIEWER_ROLES, require_role
from scrubdesk.core.store import Store

STATUSES = ("pending", "approved", "sent_back")

# Approved, and the approval is for the message's current analysis.
APPROVED_SQL = (
    "SELECT r.message_id FROM reviews r JOIN analysis_state a ON a.message_id = r.message_id "
    "WHERE r.status = 'approved' AND r.fingerprint = a.fingerprint"
)


@dataclass(frozen=True)
class ApprovalSummary:
    approved: int  # newly approved by this run
    already_approved: int
    not_analysed: int  # skipped: run `analyze` first
    role: str

    def as_dict(self) -> dict[str, int | str]:
        return {
            "approved": self.approved,
            "already_approved": self.already_approved,
            "not_analysed": self.not_analysed,
            "role": self.role,
        }


def approve_all(
    project: Project, control: JobControl | None = None, comment: str | None = None
) -> ApprovalSummary:
    """Approve the redaction of every analysed message. Needs the reviewer or admin role; audit-logged."""
    control = control or JobControl()
    with project.store() as store:
        role = require_role(store, REVIEWER_ROLES, "approving redactions")
        total = int(store.scalar("SELECT count(*) FROM messages"))
        analysed = int(store.scalar("SELECT count(*) FROM analysis_state"))
        already = int(store.scalar(f"SELECT count(*) FROM ({APPROVED_SQL})"))
        now = utc_now()
        with store.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO reviews (message_id, status, fingerprint, reviewer, role, comment, at) "
                "SELECT a.message_id, 'approved', a.fingerprint, ?, ?, ?, ? FROM analysis_state a "
                "LEFT JOIN reviews r ON r.message_id = a.message_id "
                "WHERE r.message_id IS NULL OR r.status != 'approved' "
                "OR r.fingerprint IS NOT a.fingerprint "
                "ON CONFLICT(message_id) DO UPDATE SET status = excluded.status, "
                "fingerprint = excluded.fingerprint, reviewer = excluded.reviewer, role = excluded.role, "
                "comment = excluded.comment, at = excluded.at",
                (current_os_user(), role, comment, now),
            )
            approved = max(cur.rowcount, 0)
            summary = ApprovalSummary(approved, already, total - analysed, role)
            AuditLog(store, project.keys.id_key).append(
                "review.approve_all", details=summary.as_dict(), role=role, at=now
            )
        control.progress(total, total, f"{approved} approved")
    return summary


def approved_message_ids(store: Store) -> set[int]:
    return {int(r[0]) for r in store.execute(APPROVED_SQL)}


def review_counts(store: Store) -> dict[str, int]:
    rows = store.execute("SELECT status, count(*) FROM reviews GROUP BY status ORDER BY status")
    return dict(rows.fetchall())
