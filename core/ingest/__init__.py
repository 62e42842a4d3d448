"""Email ingestion: format readers that turn sources into ParsedMessage or Quarantined records."""

from scrubdesk.core.ingest.records import (
    ImportOptions,
    ParsedMessage,
    Quarantined,
    QuarantineReason,
    SourceItem,
)

__all__ = ["ImportOptions", "ParsedMessage", "QuarantineReason", "Quarantined", "SourceItem"]
