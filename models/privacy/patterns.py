"""Shapes of personal data that must never reach a model: e-mail, phone, UK postcode, NINO, card numbers.

Used twice: the feature guard replaces them before tokenising (defence in depth for PII the analyser
missed), and the vocabulary scan proves that nothing of that shape is in a trained model.
"""

from __future__ import annotations

import re

PATTERNS: dict[str, re.Pattern[str]] = {
    "EMAIL_ADDRESS": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE),
    "UK_NINO": re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2}(?:\s?\d{2}){3}\s?[A-D]\b", re.IGNORECASE),
    "UK_POSTCODE": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE),
    "CREDIT_CARD": re.compile(r"\b\d(?:[ -]?\d){12,18}\b"),
    "PHONE_NUMBER": re.compile(r"(?:\+\d{1,3}[\s-]?|\b0)\(?\d{2,5}\)?(?:[\s-]?\d){6,9}\b"),
    "LONG_NUMBER": re.compile(r"\b\d{6,}\b"),  # account numbers, phone fragments, references
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
