"""Check digits and structural rules of personal identifiers: one implementation for the whole product.

Used by the export leak guard and the model's feature guard (:mod:`scrubdesk.core.pii_patterns`), by the
PII recognisers (``scrubdesk.models.pii.recognizers``) and by the synthetic generator
(:mod:`scrubdesk.core.synthetic.identifiers`), so a number the generator calls valid is one the analyser
accepts, and the other way round.

- Payment cards (Luhn), IBANs (ISO 13616: country length and account format, ISO 7064 mod 97-10) and NHS
  numbers (mod 11) are python-stdnum's, a maintained library of such rules.
- National Insurance numbers and UK postcodes (no stdnum module) follow HMRC's and Royal Mail's published
  rules here.

Pure functions on strings, no I/O. Separators (spaces, hyphens, dots) are ignored everywhere; a value of
the wrong length or with other characters is invalid, never an error.
"""

from __future__ import annotations

import re

from stdnum import iban as _iban
from stdnum import luhn as _luhn
from stdnum.gb import nhs as _nhs

__all__ = [
    "NINO_PREFIXES",
    "compact",
    "digits_only",
    "iban_check_digits",
    "is_valid_card",
    "is_valid_gb_iban",
    "is_valid_iban",
    "is_valid_nhs",
    "is_valid_nino",
    "is_valid_postcode",
    "luhn_check_digit",
    "nhs_check_digit",
    "postcode_outward",
    "valid_nino_prefix",
]

_SEPARATORS = re.compile(r"[\s\-.]")
CARD_LENGTHS = range(12, 20)  # ISO/IEC 7812: 12 (some Maestro) to 19 digits


def compact(value: str) -> str:
    """``value`` without spaces, hyphens and dots."""
    return _SEPARATORS.sub("", value)


def digits_only(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


# --- payment cards ----------------------------------------------------------------------------------------


def is_valid_card(value: str) -> bool:
    """12-19 digits (separators ignored), not all the same digit, passing the Luhn check."""
    digits = compact(value)
    return (
        digits.isdigit() and len(digits) in CARD_LENGTHS and len(set(digits)) > 1 and _luhn.is_valid(digits)
    )


def luhn_check_digit(partial: str) -> int:
    """The digit that makes ``partial + digit`` pass the Luhn check."""
    return int(_luhn.calc_check_digit(compact(partial)))


# --- IBAN -------------------------------------------------------------------------------------------------


def is_valid_iban(value: str) -> bool:
    """An IBAN of a registered country with that country's length and account format and a valid
    mod 97-10 check ('GB82 WEST 1234 5698 7654 32'). Case and spaces are ignored."""
    return _iban.is_valid(compact(value))


def is_valid_gb_iban(value: str) -> bool:
    return compact(value).upper().startswith("GB") and is_valid_iban(value)


def iban_check_digits(country: str, bban: str) -> str:
    """The two check digits of the IBAN for ``country`` (two letters) and account ``bban``."""
    return str(_iban.calc_check_digits(f"{country.upper()}00{compact(bban).upper()}"))


# --- NHS number -------------------------------------------------------------------------------------------


def nhs_check_digit(first_nine: str) -> int | None:
    """The mod-11 check digit for nine digits, or None when no digit makes the number valid."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(first_nine))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def is_valid_nhs(value: str) -> bool:
    """Ten digits (separators ignored), not all the same, with a valid mod-11 check digit."""
    digits = compact(value)
    return len(digits) == 10 and digits.isdigit() and len(set(digits)) > 1 and _nhs.is_valid(digits)


# --- National Insurance number ----------------------------------------------------------------------------

_NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"  # D F I Q U V are never used
_NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"  # ... and O is never second
_NINO_BANNED = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})
NINO_PREFIXES: tuple[str, ...] = tuple(
    a + b for a in _NINO_FIRST for b in _NINO_SECOND if a + b not in _NINO_BANNED
)
_NINO_RE = re.compile(r"([A-Z]{2})(\d{6})([A-D]?)")


def valid_nino_prefix(prefix: str) -> bool:
    return prefix.upper() in NINO_PREFIXES


def is_valid_nino(value: str) -> bool:
    """'AB123456C' with an allowed prefix; spaces and case ignored; the suffix A-D may be omitted."""
    m = _NINO_RE.fullmatch(compact(value).upper())
    return m is not None and valid_nino_prefix(m.group(1))


# --- UK postcode ------------------------------------------------------------------------------------------

_POSTCODE_RE = re.compile(r"(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) ?\d[ABD-HJLNP-UW-Z]{2}")
_OUTWARD_RE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?")
# Letters never used in the first and second outward positions (Royal Mail rules).
_NOT_FIRST = frozenset("QVX")
_NOT_SECOND = frozenset("IJZ")


def is_valid_postcode(value: str, *, outward_only: bool = False) -> bool:
    """A full postcode ('SW1A 1AA', 'ls62qt'), or with ``outward_only`` its outward code ('LS6')."""
    text = value.upper().strip()
    if outward_only:
        ok, outward = _OUTWARD_RE.fullmatch(text) is not None, text
    else:
        ok, outward = _POSTCODE_RE.fullmatch(text) is not None, compact(text)[:-3]
    if not ok:
        return False
    if outward == "GIR":
        return True
    if outward[0] in _NOT_FIRST:
        return False
    return not (outward[1].isalpha() and outward[1] in _NOT_SECOND)


def postcode_outward(value: str) -> str:
    """'W9 3JP' -> 'W9'; 'W93JP' -> 'W9'."""
    text = compact(value).upper()
    return text[:-3] if len(text) > 4 else text
