"""Synthetic UK identifiers: structurally valid, checksum-correct, and chosen so they are never real.

Every number here comes from a range that is reserved or never issued:

- phone numbers: Ofcom's drama ranges (07700 900xxx, 020 7946 0xxx, 0161 496 0xxx, ...);
- card numbers: the card schemes' public test BINs, Luhn-valid;
- NHS numbers: leading digit 9 (not issued to patients), valid mod-11 check digit;
- IP addresses: the RFC 5737 / RFC 3849 documentation ranges;
- IBANs, sort codes, account numbers, NINOs: random but well-formed (a random number with no
  name attached is not personal data).

Check digits and validity rules are :mod:`scrubdesk.core.pii_checksums`' (the same rules the PII
recognisers apply), re-exported here for the generator's callers.
"""

from __future__ import annotations

import random

from scrubdesk.core.pii_checksums import (
    NINO_PREFIXES,
    iban_check_digits,
    is_valid_card,
    is_valid_gb_iban,
    is_valid_nhs,
    is_valid_nino,
    luhn_check_digit,
    nhs_check_digit,
)

luhn_valid = is_valid_card  # the generator's older name

__all__ = [
    "NINO_PREFIXES",
    "iban_check_digits",
    "is_valid_gb_iban",
    "is_valid_nhs",
    "is_valid_nino",
    "luhn_check_digit",
    "luhn_valid",
    "make_account_number",
    "make_card",
    "make_gb_iban",
    "make_ip",
    "make_nhs",
    "make_nino",
    "make_phone",
    "make_sort_code",
    "nhs_check_digit",
]

# --- National Insurance number ----------------------------------------------------------------------------


def make_nino(rng: random.Random, *, spaced: bool = False, lower: bool = False) -> str:
    """A well-formed NINO: 'AB123456C', or 'AB 12 34 56 C' when spaced."""
    prefix = rng.choice(NINO_PREFIXES)
    digits = f"{rng.randrange(1_000_000):06d}"
    suffix = "ABCD"[rng.randrange(4)]
    if spaced:
        value = f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"
    else:
        value = f"{prefix}{digits}{suffix}"
    return value.lower() if lower else value


# --- NHS number -------------------------------------------------------------------------------------------


def make_nhs(rng: random.Random, *, spaced: bool = True) -> str:
    """A valid NHS number '9xx xxx xxxx' (the 9 leading digit is never issued to a patient)."""
    while True:
        nine = f"9{rng.randrange(100_000_000):08d}"
        check = nhs_check_digit(nine)
        if check is not None:
            break
    digits = f"{nine}{check}"
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if spaced else digits


# --- Payment cards ----------------------------------------------------------------------------------------

# (test BIN prefix, total length, grouping)
_CARD_BINS: tuple[tuple[str, int, tuple[int, ...]], ...] = (
    ("411111", 16, (4, 4, 4, 4)),  # Visa test
    ("424242", 16, (4, 4, 4, 4)),  # Visa test
    ("400000", 16, (4, 4, 4, 4)),  # Visa test
    ("555555", 16, (4, 4, 4, 4)),  # Mastercard test
    ("510510", 16, (4, 4, 4, 4)),  # Mastercard test
    ("222300", 16, (4, 4, 4, 4)),  # Mastercard 2-series test
    ("378282", 15, (4, 6, 5)),  # Amex test
    ("371449", 15, (4, 6, 5)),  # Amex test
)


def make_card(rng: random.Random, *, separator: str = " ") -> str:
    """A Luhn-valid card number from a scheme test BIN, grouped with ``separator`` ('' for none)."""
    bin_, length, groups = _CARD_BINS[rng.randrange(len(_CARD_BINS))]
    body = bin_ + "".join(str(rng.randrange(10)) for _ in range(length - len(bin_) - 1))
    digits = body + str(luhn_check_digit(body))
    if not separator:
        return digits
    out: list[str] = []
    pos = 0
    for g in groups:
        out.append(digits[pos : pos + g])
        pos += g
    return separator.join(out)


# --- Bank details -----------------------------------------------------------------------------------------

_BANK_CODES = ("NWBK", "BARC", "LOYD", "HBUK", "MIDL", "NAIA", "SRLG", "BUKB")


def make_sort_code(rng: random.Random, *, style: str = "-") -> str:
    """Sort code as '12-34-56', '12 34 56' or '123456' (style '-', ' ' or '')."""
    a, b, c = rng.randrange(10, 100), rng.randrange(100), rng.randrange(100)
    return f"{a:02d}{style}{b:02d}{style}{c:02d}"


def make_account_number(rng: random.Random) -> str:
    """An 8-digit UK bank account number."""
    return f"{rng.randrange(10_000_000, 100_000_000)}"


def make_gb_iban(rng: random.Random, *, grouped: bool = True) -> str:
    """A GB IBAN with a correct mod-97 checksum: GBkk BBBB SSSS SSAA AAAA AA."""
    bank = _BANK_CODES[rng.randrange(len(_BANK_CODES))]
    bban = bank + f"{rng.randrange(10**6):06d}" + f"{rng.randrange(10**8):08d}"
    iban = "GB" + iban_check_digits("GB", bban) + bban
    if not grouped:
        return iban
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


# --- Phone numbers (Ofcom drama ranges) -------------------------------------------------------------------

# (national number without the leading 0, split into display groups); last group's final 3 digits vary.
_LANDLINES: tuple[tuple[str, str], ...] = (
    ("20", "7946 0"),  # London
    ("161", "496 0"),  # Manchester
    ("121", "496 0"),  # Birmingham
    ("113", "496 0"),  # Leeds
    ("114", "496 0"),  # Sheffield
    ("115", "496 0"),  # Nottingham
    ("116", "496 0"),  # Leicester
    ("117", "496 0"),  # Bristol
    ("118", "496 0"),  # Reading
    ("131", "496 0"),  # Edinburgh
    ("141", "496 0"),  # Glasgow
    ("151", "496 0"),  # Liverpool
    ("191", "498 0"),  # Tyneside
    ("29", "2018 0"),  # Cardiff
    ("1632", "960"),  # no area
)

PHONE_STYLES_EASY = ("national", "compact")
PHONE_STYLES_HARD = ("national", "compact", "intl", "intl_compact", "brackets", "dashes", "intl_zero")


def make_phone(rng: random.Random, *, mobile: bool, style: str = "national") -> str:
    """A UK phone number from a drama range, in one of several written styles.

    Styles: national '07700 900123' / '020 7946 0018'; compact '07700900123'; intl '+44 7700 900123';
    intl_compact '+447700900123'; brackets '(020) 7946 0018'; dashes '0161-496-0000';
    intl_zero '+44 (0)20 7946 0958'.
    """
    if mobile:
        area, rest = "7700", f"900{rng.randrange(1000):03d}"
        groups = [area, rest]
    else:
        area, fixed = _LANDLINES[rng.randrange(len(_LANDLINES))]
        tail = f"{rng.randrange(1000):03d}"
        parts = (fixed + tail).split(" ")
        groups = [area, *parts]
    if style == "compact":
        return "0" + "".join(groups)
    if style == "intl":
        return "+44 " + " ".join(groups)
    if style == "intl_compact":
        return "+44" + "".join(groups)
    if style == "brackets":
        return f"(0{groups[0]}) " + " ".join(groups[1:])
    if style == "dashes":
        return "0" + "-".join(groups)
    if style == "intl_zero":
        return f"+44 (0){groups[0]} " + " ".join(groups[1:])
    return "0" + " ".join(groups)


# --- IP addresses (documentation ranges) ------------------------------------------------------------------

_IPV4_NETS = ("192.0.2", "198.51.100", "203.0.113")


def make_ip(rng: random.Random, *, v6: bool = False) -> str:
    if v6:
        return f"2001:db8:{rng.randrange(0x10000):x}::{rng.randrange(1, 0x10000):x}"
    return f"{_IPV4_NETS[rng.randrange(3)]}.{rng.randrange(1, 255)}"
