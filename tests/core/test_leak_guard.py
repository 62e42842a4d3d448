"""The export leak guard on crafted frames, and the shared personal-data patterns it uses."""

from __future__ import annotations

import secrets

import pandas as pd
import pytest

from scrubdesk.core.leak_guard import (
    LeakGuardError,
    check_export_frame,
    label_problem,
    msg_key_problem,
)
from scrubdesk.core.pii_patterns import find_pii, iban_ok, luhn_ok

LABELS = ["billing_query", "refund_request", "change of address", "Tier 2"]


def _key() -> str:
    return secrets.token_hex(16)


def _frame(n: int = 5, **columns: list) -> pd.DataFrame:
    data: dict = {"msg_key": [_key() for _ in range(n)], "label": [LABELS[i % 2] for i in range(n)]}
    data.update(columns)
    return pd.DataFrame(data)


def _refused(frame: pd.DataFrame, labels=LABELS, **kwargs) -> LeakGuardError:
    with pytest.raises(LeakGuardError) as info:
        check_export_frame(frame, labels, **kwargs)
    return info.value


def test_a_well_formed_export_passes_with_every_allowed_column():
    frame = _frame(
        4,
        suggestion=["billing_query", None, "Tier 2", "change of address"],
        confidence=[0.9, float("nan"), 1.0, 0.0],
        model_version=["model-3-0123456789abcdef"] * 4,
    )
    check_export_frame(frame, LABELS)


PLANTED = [
    ("jane.doe@example.com", "EMAIL_ADDRESS"),
    ("Dear team, please refund my last order", "free text"),
    ("07700 900123", "PHONE_NUMBER"),
    ("+44 20 7946 0958", "PHONE_NUMBER"),
    ("SW1A 1AA", "UK_POSTCODE"),
    ("AB 12 34 56 C", "UK_NINO"),
    ("4111 1111 1111 1111", "CREDIT_CARD"),
    ("GB82 WEST 1234 5698 7654 32", "IBAN_CODE"),
    ("https://example.com/a", "URL"),
    ("www.example.org", "URL"),
    ("example.co.uk", "URL"),
    ("192.168.10.1", "IP_ADDRESS"),
    ("2001:db8::1", "IP_ADDRESS"),
    ("ref 123456", "LONG_NUMBER"),
    ("call 12 34 5", "digits"),
    ("@handle", "'@'"),
    ("a" * 41, "longer than"),
    ("one two three four five", "words"),
    ("Hello,I,want,my,refund", "words"),
    ("billing\tquery", "does not look like a label"),
    ("billing  query", "does not look like a label"),
    ("billing\nquery", "does not look like a label"),
    (" billing", "does not look like a label"),
    ("+cmd", "does not look like a label"),
    ("=SUM(A1)", "does not look like a label"),
]


@pytest.mark.parametrize(("value", "reason"), PLANTED)
@pytest.mark.parametrize("column", ["label", "suggestion"])
def test_a_planted_value_is_refused_with_row_and_column_and_never_quoted(value, reason, column):
    frame = _frame(5, suggestion=[None] * 5, confidence=[float("nan")] * 5)
    frame[column] = frame[column].astype(object)
    frame.loc[2, column] = value
    if column == "suggestion":
        frame.loc[2, "confidence"] = 0.5
    error = _refused(frame, [*LABELS, value])  # even when it is in the label set
    assert (error.row, error.column) == (3, column)
    assert "row 3" in str(error) and f"column {column}" in str(error)
    assert reason in str(error)
    assert value not in str(error) and value.strip() not in str(error)


@pytest.mark.parametrize(
    "value",
    [
        "billing_query",
        "change of address",
        "Tier 2",
        "refund-request",
        "Q3",
        "Billing / Payments - Direct Debit",
    ],
)
def test_ordinary_labels_look_like_labels(value):
    assert label_problem(value) is None


def test_a_label_outside_the_label_set_is_refused():
    frame = _frame(3)
    frame.loc[1, "label"] = "complaint"
    error = _refused(frame)
    assert (error.row, error.column) == (2, "label") and "not one of the project's labels" in str(error)


def test_empty_labels_only_when_allowed():
    frame = _frame(3)
    frame.loc[0, "label"] = None
    assert _refused(frame).row == 1
    check_export_frame(frame, LABELS, allow_empty_label=True)


@pytest.mark.parametrize(
    "key",
    ["ABCDEF0123456789ABCDEF0123456789", "abc", "0" * 33, "jane.doe@example.com", " " + "a" * 31, 1234],
)
def test_malformed_msg_keys_are_refused(key):
    frame = _frame(3)
    frame["msg_key"] = frame["msg_key"].astype(object)
    frame.loc[1, "msg_key"] = key
    error = _refused(frame)
    assert (error.row, error.column) == (2, "msg_key")


def test_keyed_ids_never_look_like_personal_data():
    keys = [_key() for _ in range(5000)] + ["0123456789" * 3 + "01", "4111111111111111" * 2]
    assert [k for k in keys if msg_key_problem(k)] == []


@pytest.mark.parametrize("name", ["text", "body", "jane.doe@example.com", "from_addr", 0])
def test_a_column_outside_the_allow_list_is_refused_by_position(name):
    frame = _frame(2)
    frame[name] = ["x", "y"]
    error = _refused(frame)
    assert error.column == "#3 (not an allowed column)"
    assert "jane.doe" not in str(error)


def test_required_columns_and_duplicate_rows():
    assert "msg_key" in str(_refused(_frame(2).drop(columns=["msg_key"])))
    frame = _frame(4)
    frame.loc[3, "msg_key"] = frame.loc[1, "msg_key"]
    error = _refused(frame)
    assert (error.row, error.column) == (4, "msg_key") and "twice" in str(error)


@pytest.mark.parametrize("value", [1.5, -0.1, "0.5", True, float("inf")])
def test_confidence_must_be_a_probability(value):
    frame = _frame(2, suggestion=["billing_query"] * 2, confidence=pd.Series([0.5, 0.5], dtype=object))
    frame.loc[1, "confidence"] = value
    error = _refused(frame)
    assert (error.row, error.column) == (2, "confidence")


def test_confidence_and_suggestion_come_in_pairs():
    frame = _frame(2, suggestion=["billing_query", None], confidence=[0.5, 0.7])
    assert (_refused(frame).row, _refused(frame).column) == (2, "confidence")


@pytest.mark.parametrize("value", ["model-3", "3", "model-0-0123456789abcdef", "model-3-0123456789ABCDEF"])
def test_model_version_must_match_its_pattern(value):
    error = _refused(_frame(2, model_version=["model-3-0123456789abcdef", value]))
    assert (error.row, error.column) == (2, "model_version")


def test_the_first_offending_cell_in_reading_order_is_named():
    frame = _frame(6, suggestion=["billing_query"] * 6, confidence=[0.5] * 6)
    frame.loc[4, "label"] = "jane@example.com"
    frame.loc[1, "confidence"] = 2.0
    error = _refused(frame, [*LABELS, "jane@example.com"])
    assert (error.row, error.column) == (2, "confidence")


# --- the patterns ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("4111 1111 1111 1111", True),
        ("5555-5555-5555-4444", True),
        ("4111111111111112", False),
        ("12", False),
    ],
)
def test_luhn(number, ok):
    assert luhn_ok(number) is ok


@pytest.mark.parametrize(
    ("iban", "ok"),
    [
        ("GB82 WEST 1234 5698 7654 32", True),
        ("DE89370400440532013000", True),
        ("GB82WEST12345698765433", False),
    ],
)
def test_iban_checksum(iban, ok):
    assert iban_ok(iban) is ok


def test_find_pii_reports_checksummed_kinds_only_when_valid_and_never_the_text():
    assert find_pii("card 4111 1111 1111 1111 ok") == "CREDIT_CARD"
    assert find_pii("GB82WEST12345698765432") == "IBAN_CODE"
    # Failing the checksum, they are not named as cards or IBANs, but a label holding them is still
    # refused: the label rule refuses any run of five digits, however grouped.
    for mistyped in ("4111 1111 1111 1112", "GB82WEST12345698765433"):
        assert find_pii(mistyped) is None
        assert "digits" in (label_problem(mistyped) or "")
    assert find_pii("billing_query") is None
    assert find_pii("a:b:c") is None and find_pii("fe80::1") == "IP_ADDRESS"
    assert find_pii("ref 123456", skip=("LONG_NUMBER",)) is None


def test_the_model_side_patterns_are_the_core_ones():
    from scrubdesk.core import pii_patterns
    from scrubdesk.models.privacy import patterns

    assert patterns.PATTERNS["EMAIL_ADDRESS"] is pii_patterns.EMAIL_ADDRESS
    assert patterns.mask_patterns("mail jane@example.com now") == "mail  <EMAIL_ADDRESS>  now"
