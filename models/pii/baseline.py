"""Plain Presidio (default recognisers) as a comparison: its labels mapped onto Scrubdesk's vocabulary."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from scrubdesk.core.spans import Span

# Presidio's default entity names -> ours. Unlisted ones (URL, NRP, US_SSN, ...) are not scored.
PRESIDIO_TO_SCRUBDESK = {
    "PERSON": "PERSON",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "PHONE_NUMBER": "PHONE_NUMBER",
    "LOCATION": "LOCATION",
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN_CODE",
    "IP_ADDRESS": "IP_ADDRESS",
    "UK_NHS": "UK_NHS",
    "UK_NINO": "UK_NINO",
    "UK_POSTCODE": "UK_POSTCODE",
    "DATE_TIME": "DATE_OF_BIRTH",  # plain Presidio flags every date; only birth dates are gold
    "US_BANK_NUMBER": "UK_BANK_ACCOUNT",
}


def presidio_spans(engine: Any, texts: Iterable[str], language: str = "en") -> Iterator[list[Span]]:
    """Plain Presidio over texts, one ``analyze()`` call per text (its documented usage)."""
    for text in texts:
        results = engine.analyze(text=text, language=language)
        yield [
            Span(r.start, r.end, PRESIDIO_TO_SCRUBDESK[r.entity_type], float(r.score), "presidio")
            for r in results
            if r.entity_type in PRESIDIO_TO_SCRUBDESK
        ]
