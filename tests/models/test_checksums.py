from __future__ import annotations

import pytest

from scrubdesk.core import pii_checksums as checksums


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("943 476 5919", True),
        ("9434765919", True),
        ("943-476-5919", True),
        ("943 476 5918", False),  # wrong check digit
        ("123 456 7890", False),  # remainder 10: no valid check digit
        ("1111111111", False),  # repeated digit
        ("94347659", False),
    ],
)
def test_nhs_mod11(value, ok):
    assert checksums.is_valid_nhs(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("4111 1111 1111 1111", True),
        ("4242-4242-4242-4242", True),
        ("378282246310005", True),  # Amex
        ("4111 1111 1111 1112", False),
        ("1234 5678 9012 3456", False),
        ("4111", False),
    ],
)
def test_luhn(value, ok):
    assert checksums.is_valid_card(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("GB82 WEST 1234 5698 7654 32", True),
        ("GB82WEST12345698765432", True),
        ("gb82 west 1234 5698 7654 32", True),
        ("DE89 3704 0044 0532 0130 00", True),
        ("GB82 WEST 1234 5698 7654 33", False),  # mod-97 fails
        ("GB82 WEST 1234 5698 7654", False),  # GB length is 22
    ],
)
def test_iban_mod97(value, ok):
    assert checksums.is_valid_iban(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("AB123456C", True),
        ("ab 12 34 56 c", True),
        ("JG103759A", True),
        ("DA123456C", False),  # D never first
        ("AO123456C", False),  # O never second
        ("GB123456C", False),  # banned prefix
        ("AB123456E", False),  # suffix A-D only
    ],
)
def test_nino_prefixes(value, ok):
    assert checksums.is_valid_nino(value) is ok


@pytest.mark.parametrize(
    ("value", "outward_only", "ok"),
    [
        ("W9 3JP", False, True),
        ("SW1A 1AA", False, True),
        ("ls62qt", False, True),
        ("EC1A1BB", False, True),
        ("QX1 1AA", False, False),  # Q never first
        ("W9 3CP", False, False),  # C never in the inward code
        ("LS6", True, True),
        ("W9", True, True),
        ("V1", True, False),
    ],
)
def test_postcode_rules(value, outward_only, ok):
    assert checksums.is_valid_postcode(value, outward_only=outward_only) is ok


def test_outward_code():
    assert checksums.postcode_outward("W9 3JP") == "W9"
    assert checksums.postcode_outward("sw1a1aa") == "SW1A"
