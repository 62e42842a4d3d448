"""PII analysis: an offline Presidio + spaCy analyser with UK and header-aware recognisers.

Import :func:`scrubdesk.models.pii.engine.get_analyzer` for the shared, loaded-once analyser. Importing
this package itself is cheap: Presidio and spaCy load only when an analyser is built.

The package imports :mod:`scrubdesk.models.pii.offline` first, so whichever of its modules is imported
first, tldextract (which Presidio's e-mail recogniser uses) is already cut off from the network.
"""

from scrubdesk.models.pii import offline  # noqa: F401 - first, before anything can import Presidio
