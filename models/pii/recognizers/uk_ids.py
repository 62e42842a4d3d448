"""UK identifiers with a checksum or a fixed structure: postcode, NINO, NHS number."""

from __future__ import annotations

import regex

from scrubdesk.core import pii_checksums as checksums
from scrubdesk.models.pii.entities import UK_NHS, UK_NINO, UK_POSTCODE
from scrubdesk.models.pii.recognizers.declarative import DeclarativeRecognizer


class PostcodeRecognizer(DeclarativeRecognizer):
    """Full postcodes, with or without the space: 'LS6 2QT', 'ls62qt', 'SW1A 1AA'."""

    ENTITY = UK_POSTCODE
    PATTERNS = (("postcode", r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) ?\d[A-Z]{2}\b", 0.6),)
    CONTEXT = ("postcode", "post", "code", "address")
    VALID_SCORE = 0.95

    def check(self, text: str) -> bool:
        return checksums.is_valid_postcode(text)


class OutwardCodeRecognizer(DeclarativeRecognizer):
    """An outward code alone ('W9', 'LS6'): only with a word like 'postcode' or 'area' before it."""

    ENTITY = UK_POSTCODE
    PATTERNS = (("outward code", r"\b[A-Z]{1,2}\d[A-Z\d]?\b", 0.05),)
    CONTEXT = ("postcode", "postal", "area", "district")
    FLAGS = regex.MULTILINE  # upper case only: 'b12' or 'a1' in prose are not postcodes

    def check(self, text: str) -> bool:
        return checksums.is_valid_postcode(text, outward_only=True)


class NinoRecognizer(DeclarativeRecognizer):
    """National Insurance numbers with an allowed prefix: 'AB123456C', 'ab 12 34 56 c'."""

    ENTITY = UK_NINO
    PATTERNS = (("nino", r"\b[A-Z]{2}[ \t]?\d{2}[ \t]?\d{2}[ \t]?\d{2}[ \t]?[A-D]\b", 0.5),)
    CONTEXT = ("national", "insurance", "ni", "nino")
    VALID_SCORE = 0.95

    def check(self, text: str) -> bool:
        return checksums.is_valid_nino(text)


class NhsNumberRecognizer(DeclarativeRecognizer):
    """NHS numbers, 10 digits with a mod-11 check digit: '943 476 5919'."""

    ENTITY = UK_NHS
    # A whole token only: not inside a tracking code or a longer number, and not the rest of a number
    # after a country code ('+1 212 555 0199' is a phone).
    PATTERNS = (
        (
            "nhs",
            r"(?<![\w+/.#-])(?<!\+\d{1,3}[ \t.-])[1-9]\d{2}[ \t-]?\d{3}[ \t-]?\d{4}(?![\w-]|[./]\d)",
            0.4,
        ),
    )
    CONTEXT = ("nhs", "health", "patient")
    VALID_SCORE = 0.95

    def check(self, text: str) -> bool:
        return checksums.is_valid_nhs(text)
