"""Phone numbers: validated with phonenumbers (GB first), and phone-shaped strings that do not validate.

Ofcom's drama ranges (07700 900xxx, 020 7946 0xxx) are "invalid" for phonenumbers, yet a privacy tool must
hide them like any number: a UK-shaped string (0 or +44 and the right number of digits) is kept with a
lower score even when it fails validation. Other digit runs need a context word such as 'call' or 'tel'.
"""

from __future__ import annotations

import phonenumbers

from scrubdesk.models.pii.entities import PHONE_NUMBER
from scrubdesk.models.pii.recognizers.declarative import DeclarativeRecognizer

_SEP = r"[ \t.\-]?"
_UK_NATIONAL = rf"(?<![\w+/.-])\(?0\d{{2,4}}\)?{_SEP}(?:\d{_SEP}){{5,7}}\d(?![\w/]|[.-]\d)"
_UK_INTL = (
    rf"(?<![\w/.-])(?:\+|00){_SEP}44{_SEP}(?:\(0\){_SEP})?\(?\d{{2,4}}\)?{_SEP}"
    rf"(?:\d{_SEP}){{5,7}}\d(?![\w/]|[.-]\d)"
)
_INTL = (
    rf"(?<![\w/.-])(?:\+|00)[1-9]\d{{0,2}}{_SEP}(?:\(?\d{{1,5}}\)?{_SEP}){{1,4}}\d{{2,5}}"
    r"(?![\w/]|[.-]\d)"
)
# Digit groups with real separators: a bare run of digits is an account or a reference, not a phone.
_GENERIC = (
    r"(?<![\w+/.-])(?:\(\d{2,5}\)[ \t.-]?|\d{2,5}[ \t.-])(?:\d{2,5}[ \t.-]){0,3}\d{2,5}(?![\w/]|[.-]\d)"
)


class UkPhoneRecognizer(DeclarativeRecognizer):
    ENTITY = PHONE_NUMBER
    PATTERNS = (
        ("uk national", _UK_NATIONAL, 0.7),
        ("uk international", _UK_INTL, 0.7),
        ("international", _INTL, 0.5),
        ("digits", _GENERIC, 0.2),
    )
    CONTEXT = (
        "phone", "call", "tel", "telephone", "mobile", "mob", "landline", "number", "ring", "contact",
        "whatsapp", "text", "sms", "fax", "reach",
    )  # fmt: skip
    VALID_SCORE = 0.95

    def check(self, text: str) -> bool:
        digits = sum(ch.isdigit() for ch in text)
        return 7 <= digits <= 15 and "\n" not in text

    def validate_result(self, pattern_text: str) -> bool | None:
        if not self.check(pattern_text):
            return False
        if not pattern_text.lstrip("( ").startswith(("+", "0")):
            return None  # no trunk 0 or country code: a digit group, never validated as a UK number
        try:
            number = phonenumbers.parse(pattern_text, "GB")
        except phonenumbers.NumberParseException:
            return None
        return True if phonenumbers.is_valid_number(number) else None
