"""Check digits and structural rules of UK identifiers. Pure functions on strings, no I/O."""

from __future__ import annotations

import re

_NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"  # D F I Q U V are never used
_NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"  # ... and O is never second
_NINO_BANNED = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})
_NINO_RE = re.compile(r"([A-Z]{2})(\d{6})([A-D]?)")
_SEPARATORS = re.compile(r"[\s\-.]")


def digits_only(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def compact(value: str) -> str:
    return _SEPARATORS.sub("", value)


def valid_nino_prefix(prefix: str) -> bool:
    prefix = prefix.upper()
    return (
        len(prefix) == 2
        and prefix[0] in _NINO_FIRST
        and prefix[1] in _NINO_SECOND
        and prefix not in _NINO_BANNED
    )


def is_valid_nino(value: str) -> bool:
    """'AB123456C' with an allowed prefix; spaces and case ignored; suffix A-D (may be omitted)."""
    m = _NINO_RE.fullmatch(compact(value).upper())
    return bool(m) and valid_nino_prefix(m.group(1))  # type: ignore[union-attr]


def nhs_check_digit(first_nine: str) -> int | None:
    """Mod-11 check digit of nine digits, or None when no valid check digit exists."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(first_nine))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def is_valid_nhs(value: str) -> bool:
    digits = compact(value)
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    return nhs_check_digit(digits[:9]) == int(digits[9])


def luhn_valid(value: str) -> bool:
    digits = compact(value)
    if not digits.isdigit() or not 12 <= len(digits) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "ES": 24, "FI": 18,
    "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LI": 21, "LT": 20,
    "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18,
    "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SE": 24,
    "SI": 19, "SK": 24, "SM": 27, "TN": 24, "TR": 26, "UA": 29, "VG": 24, "XK": 20,
}  # fmt: skip


def is_valid_iban(value: str) -> bool:
    """Mod-97 check and the country's length (ISO 13616)."""
    iban = compact(value).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", iban):
        return False
    expected = _IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def is_valid_gb_iban(value: str) -> bool:
    iban = compact(value).upper()
    return bool(re.fullmatch(r"GB\d{2}[A-Z]{4}\d{14}", iban)) and is_valid_iban(iban)


_POSTCODE_RE = re.compile(
    r"(?:[A-Z]{1,2}\d[A-Z\d]?|GIR) ?\d[ABD-HJLNP-UW-Z]{2}",
)
_OUTWARD_RE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?")
# Letters never used in the first, second and third outward positions (Royal Mail rules).
_NOT_FIRST = set("QVX")
_NOT_SECOND = set("IJZ")


def is_valid_postcode(value: str, *, outward_only: bool = False) -> bool:
    text = value.upper().strip()
    if outward_only:
        ok = bool(_OUTWARD_RE.fullmatch(text))
        outward = text
    else:
        ok = bool(_POSTCODE_RE.fullmatch(text))
        outward = compact(text)[:-3]
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
