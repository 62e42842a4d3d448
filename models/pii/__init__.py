"""PII analysis: an offline Presidio + spaCy analyser with UK and header-aware recognisers.

Import :func:`scrubdesk.models.pii.engine.get_analyzer` for the shared, loaded-once analyser. Importing
this package itself is cheap: Presidio and spaCy load only when an analyser is built.
"""
