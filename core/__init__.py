"""Scrubdesk core: project store, ingestion, keyed IDs and jobs. Never imports Qt."""
