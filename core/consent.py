"""Consent of data subjects, stored as keyed subject IDs only (never the address)."""

from __future__ import annotations

from scrubdesk.core.store import Store


def consenting_message_ids(store: Store) -> set[int]:
    """IDs of messages whose sender is on a consent list."""
    rows = store.execute(
        "SELECT DISTINCT ms.message_id FROM message_subjects ms "
        "JOIN consent c ON c.subject_key = ms.subject_key WHERE ms.role = 'from'"
    )
    return {int(r[0]) for r in rows}
