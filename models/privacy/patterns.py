"""Shapes of personal data that must never reach a model: e-mail, phone, UK postcode, NINO, card numbers.

Used twice: the feature guard replaces them before tokenising (defence in depth for PII the analyser
missed), and the vocabulary scan proves that nothing of that shape is in a trained model.

The regular expressions live in ``scrubdesk.core.pii_patterns`` (shared with the export leak guard);
this module picks the ones the model side masks, in masking order.
"""

from __future__ import annotations

import re

from scrubdesk.core.pii_patterns import (
    CREDIT_CARD,
    EMAIL_ADDRESS,
    LONG_NUMBER,
    PHONE_NUMBER,
    UK_NINO,
    UK_POSTCODE,
)

PATTERNS: dict[str, re.Pattern[str]] = {
    "EMAIL_ADDRESS": EMAIL_ADDRESS,
    "UK_NINO": UK_NINO,
    "UK_POSTCODE": UK_POSTCODE,
    "CREDIT_CARD": CREDIT_CARD,
    "PHONE_NUMBER": PHONE_NUMBER,
    "LONG_NUMBER": LONG_NUMBER,
}


def first_match(text: str) -> str | None:
    """The name of the first pattern found anywhere in ``text``, or None."""
    for name, pattern in PATTERNS.items():
        if pattern.search(text):
            return name
    return None


def mask_patterns(text: str) -> str:
    """``text`` with every pattern match replaced by its ``<NAME>`` placeholder."""
    for name, pattern in PATTERNS.items():
        text = pattern.sub(f" <{name}> ", text)
    return text


__all__ = ["PATTERNS", "first_match", "mask_patterns"]
