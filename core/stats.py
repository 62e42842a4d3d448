"""Counts that describe a project at a glance (``scrubdesk stats``, the GUI's status, the screenshots)."""

from __future__ import annotations

from typing import Any

from scrubdesk.core.db import audit, imports, messages
from scrubdesk.core.store import Store


def project_stats(store: Store) -> dict[str, Any]:
    by_label = messages.label_counts_with_empty(store)
    unlabelled = by_label.pop("", 0)
    return {
        "messages": messages.count_messages(store),
        "labelled": sum(by_label.values()),
        "unlabelled": unlabelled,
        "labels": dict(sorted(by_label.items())),
        "quarantined": imports.count_quarantined(store),
        "quarantined_by_reason": imports.quarantined_by_reason(store),
        "sources": imports.count_sources(store),
        "subjects": messages.count_subjects(store),
        "audit_entries": audit.count_entries(store),
        "schema_version": store.schema_version,
    }
