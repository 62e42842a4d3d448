"""Shapes of personal data, as regular expressions: e-mail, phone, UK postcode, NINO, card, IBAN, URL, IP.

Shared by the export leak guard (``scrubdesk.core.leak_guard``) and, through
``scrubdesk.models.privacy.patterns``, by the model's feature guard and vocabulary scan. These are
shapes, not an analyser: they err towards matching, because every caller uses them to refuse or mask.

Checksums (Luhn for cards, mod 97 for IBANs; :mod:`scrubdesk.core.pii_checksums`, the product's one
implementation) are offered as separate validators: callers that must not
miss a number (masking, the leak guard's digit-run rule) use the bare patterns; callers that name what
they found use :func:`find_pii`, which reports a card or IBAN only when its checksum holds.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from scrubdesk.core.pii_checksums import is_valid_card, is_valid_iban

EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
UK_NINO = re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2}(?:\s?\d{2}){3}\s?[A-D]\b", re.IGNORECASE)
UK_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
CREDIT_CARD = re.compile(r"\b\d(?:[ -]?\d){12,18}\b")
PHONE_NUMBER = re.compile(r"(?:\+\d{1,3}[\s-]?|\b0)\(?\d{2,5}\)?(?:[\s-]?\d){6,9}\b")
LONG_NUMBER = re.compile(r"\b\d{6,}\b")  # account numbers, phone fragments, references
# IBANs are written in capitals (ISO 13616), often in groups of four. Case-sensitive on purpose: with
# IGNORECASE every hex ID starting "ab12" would look like one.
IBAN_CODE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
URL = re.compile(
    r"\b[a-z][a-z0-9+.-]*://\S+"  # any scheme
    r"|\bwww\.\S+"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|net|org|info|biz|uk|eu|io|co|de|fr|nl|ie|es|it|gov|edu|me|app|dev)\b",
    re.IGNORECASE,
)
IPV4_ADDRESS = re.compile(
    r"\b(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\b"
)
# Candidates only: ipaddress decides (so "a:b:c" in a label is not an address).
_IPV6_CANDIDATE = re.compile(r"(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:])", re.IGNORECASE)


def luhn_ok(text: str) -> bool:
    """True when ``text`` is a card number: 12-19 digits (separators ignored) passing the Luhn check."""
    return is_valid_card(text)


def iban_ok(text: str) -> bool:
    """True when ``text`` (spaces ignored) is an IBAN: the country's format and the mod-97 check."""
    return is_valid_iban(text)


def _ipv6_ok(text: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(text), ipaddress.IPv6Address)
    except ValueError:
        return False


@dataclass(frozen=True)
class PiiPattern:
    """A named shape; ``validate`` (when set) must accept a match for it to count in :func:`find_pii`."""

    name: str
    regex: re.Pattern[str]
    validate: Callable[[str], bool] | None = None


PII_PATTERNS: tuple[PiiPattern, ...] = (
    PiiPattern("EMAIL_ADDRESS", EMAIL_ADDRESS),
    PiiPattern("URL", URL),
    PiiPattern("IP_ADDRESS", IPV4_ADDRESS),
    PiiPattern("IP_ADDRESS", _IPV6_CANDIDATE, _ipv6_ok),
    PiiPattern("IBAN_CODE", IBAN_CODE, iban_ok),
    PiiPattern("CREDIT_CARD", CREDIT_CARD, luhn_ok),
    PiiPattern("UK_NINO", UK_NINO),
    PiiPattern("UK_POSTCODE", UK_POSTCODE),
    PiiPattern("PHONE_NUMBER", PHONE_NUMBER),
    PiiPattern("LONG_NUMBER", LONG_NUMBER),
)

PII_NAMES: tuple[str, ...] = tuple(dict.fromkeys(p.name for p in PII_PATTERNS))


def find_pii(text: str, *, skip: Collection[str] = ()) -> str | None:
    """The name of the first personal-data shape found anywhere in ``text`` (validated where a checksum
    exists), or None. ``skip``: pattern names not to look for. Never returns the matched text."""
    for pattern in PII_PATTERNS:
        if pattern.name in skip:
            continue
        for match in pattern.regex.finditer(text):
            if pattern.validate is None or pattern.validate(match.group(0)):
                return pattern.name
    return None


__all__ = [
    "CREDIT_CARD",
    "EMAIL_ADDRESS",
    "IBAN_CODE",
    "IPV4_ADDRESS",
    "LONG_NUMBER",
    "PHONE_NUMBER",
    "PII_NAMES",
    "PII_PATTERNS",
    "UK_NINO",
    "UK_POSTCODE",
    "URL",
    "PiiPattern",
    "find_pii",
    "iban_ok",
    "luhn_ok",
]
