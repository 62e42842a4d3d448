"""The export leak guard: every cell of an export is checked before a byte of it is written.

An export may hold keyed message IDs, labels, the model's suggestion and confidence, and the model
version: nothing else. The guard refuses the whole export at the first cell that is not of its column's
shape — an unknown column, a malformed ID, a label that is not one of the project's labels or does not
look like a label, anything matching a personal-data pattern or reading like free text. The refusal
names the row and column, never the cell's value (which may be exactly the personal data it caught).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import math
import numbers
import re
import sys
from collections.abc import Callable, Collection, Hashable
from typing import TYPE_CHECKING, Any

from scrubdesk.core.errors import ScrubdeskError
from scrubdesk.core.pii_patterns import find_pii

if TYPE_CHECKING:
    import pandas as pd

MSG_KEY = "msg_key"
LABEL = "label"
SUGGESTION = "suggestion"
CONFIDENCE = "confidence"
MODEL_VERSION = "model_version"
ALLOWED_COLUMNS: tuple[str, ...] = (MSG_KEY, LABEL, SUGGESTION, CONFIDENCE, MODEL_VERSION)
REQUIRED_COLUMNS: tuple[str, ...] = (MSG_KEY, LABEL)

MSG_KEY_RE = re.compile(r"[0-9a-f]{32}")
MODEL_VERSION_RE = re.compile(r"model-[1-9][0-9]{0,9}-[0-9a-f]{16}")
FREE_TEXT_CHARS = 40  # a label longer than this reads as free text
MAX_LABEL_WORDS = 4  # "change of address" is a label; five words and more read as a sentence
# Single spaces between words; the first character a letter or digit, so no cell opens with = + - @
# (which spreadsheets run as a formula).
_LABEL_CHARS = re.compile(r"\w[\w&+/().:'-]*(?: [\w&+/().:'-]+)*")
_WORD = re.compile(r"\w+")  # "Billing / Payments" is two words, "Hello,I,want,a,refund" five
_DIGIT_RUN = re.compile(r"\d(?:[\s./-]?\d){4,}")  # five digits or more, however grouped
# A msg_key is a keyed HMAC: 32 hex characters with no separators, so none of the patterns can match it
# except a digits-only run, which would be a (one in three million) all-decimal HMAC, not a number.
_STRUCTURED_SKIP = ("LONG_NUMBER",)
# A courtesy title and a capitalised word: "Mr Varnabee", "Dr. Patel".
_TITLED_NAME = re.compile(
    r"(?i:\b(?:mr|mrs|ms|miss|mx|dr|prof|sir|dame|rev|revd|lady|lord|madam)\b\.?)\s+[A-Z][\w'-]+"
)
# A house number, up to three words and a street type: "42 High Street", "7a Mill Lane".
_STREET_ADDRESS = re.compile(
    r"(?i)\b\d{1,5}[a-z]?\s+(?:[a-z'-]+\s+){0,3}(?:street|st|road|rd|lane|ln|avenue|ave|close|drive|way|"
    r"court|ct|place|pl|crescent|grove|terrace|gardens|square|sq|hill|park|row|walk|mews|parade|green|vale|"
    r"rise|view|boulevard|blvd)\b"
)
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]{8,}={0,2}")
_HEX = re.compile(r"(?:[0-9a-fA-F]{2}){4,}")


class LeakGuardError(ScrubdeskError):
    """The export was refused. Names where (row, column) and why, never the value."""

    def __init__(self, reason: str, *, row: int | None = None, column: str | None = None) -> None:
        self.row = row
        self.column = column
        self.reason = reason
        where = ", ".join(
            part
            for part in (f"row {row}" if row is not None else "", f"column {column}" if column else "")
            if part
        )
        super().__init__(
            f"export refused by the leak guard: {where + ': ' if where else ''}{reason}. Nothing was written."
        )


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    pandas = sys.modules.get("pandas")  # pandas' own missing values exist only once pandas is loaded
    if pandas is not None and (value is pandas.NA or value is pandas.NaT):
        return True
    return isinstance(value, float) and math.isnan(value)


def free_text_problem(value: str) -> str | None:
    """Why ``value`` reads like free text rather than a code, or None."""
    if len(value) > FREE_TEXT_CHARS:
        return f"is longer than {FREE_TEXT_CHARS} characters (looks like free text)"
    if len(_WORD.findall(value)) > MAX_LABEL_WORDS:
        return f"has more than {MAX_LABEL_WORDS} words (looks like free text)"
    return None


def _decoded_text(value: str) -> str | None:
    """The text ``value`` encodes (base64, URL-safe base64 or hex), when it decodes to readable text."""
    candidates: list[bytes] = []
    if _HEX.fullmatch(value):
        candidates.append(bytes.fromhex(value))
    if _BASE64.fullmatch(value):
        padded = value + "=" * (-len(value) % 4)
        for decode in (base64.b64decode, base64.urlsafe_b64decode):
            with contextlib.suppress(ValueError, binascii.Error):
                candidates.append(decode(padded))
    for raw in candidates:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        readable = sum(ch.isalpha() or ch in " .,'-@" or ch.isdigit() for ch in text)
        if len(text) >= 4 and readable >= 0.9 * len(text) and sum(ch.isalpha() for ch in text) >= 3:
            return text
    return None


def personal_data_problem(value: str) -> str | None:
    """Why ``value`` looks like personal data by its shape alone (patterns, a titled name, a street address,
    an encoding of text), or None. Never quotes the value."""
    if (kind := find_pii(value)) is not None:
        return f"matches the pattern of {kind}"
    if _TITLED_NAME.search(value):
        return "looks like a person's name (a title and a name)"
    if _STREET_ADDRESS.search(value):
        return "looks like a street address"
    decoded = _decoded_text(value)
    if decoded is not None:
        return "is encoded text (base64 or hex), not a label"
    return None


def label_problem(value: Any) -> str | None:
    """Why ``value`` does not look like an intent label, or None. Never quotes the value."""
    if not isinstance(value, str):
        return "is not text"
    if not value:
        return "is empty"
    if (problem := personal_data_problem(value)) is not None:
        return problem
    if (problem := free_text_problem(value)) is not None:
        return problem
    if "@" in value:
        return "contains '@'"
    if _DIGIT_RUN.search(value):
        return "contains a run of five or more digits"
    if not _LABEL_CHARS.fullmatch(value):
        return (
            "does not look like a label "
            "(line breaks, tabs, repeated or edge spaces, a leading symbol or odd characters)"
        )
    return None


def _string_problem(value: Any, shape: re.Pattern[str], what: str) -> str | None:
    if not isinstance(value, str):
        return "is not text"
    if not shape.fullmatch(value):
        return f"is not {what}"
    if (kind := find_pii(value, skip=_STRUCTURED_SKIP)) is not None:
        return f"matches the pattern of {kind}"
    return None


def msg_key_problem(value: Any) -> str | None:
    return _string_problem(value, MSG_KEY_RE, "a keyed message ID (32 lower-case hex characters)")


def model_version_problem(value: Any) -> str | None:
    return _string_problem(value, MODEL_VERSION_RE, "a model version (model-<id>-<16 hex characters>)")


def confidence_problem(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return "is not a number"
    number = float(value)
    if not math.isfinite(number) or not 0.0 <= number <= 1.0:
        return "is not a probability between 0 and 1"
    return None


def _first_bad(
    values: list[Any], check: Callable[[Any], str | None], *, allow_missing: bool, cache: bool
) -> tuple[int, str] | None:
    """(0-based index, reason) of the first value that fails ``check``; repeated values are judged once."""
    verdicts: dict[Hashable, str | None] = {}
    for i, value in enumerate(values):
        if is_missing(value):
            if allow_missing:
                continue
            return i, "is empty"
        if cache and isinstance(value, str):
            if value not in verdicts:
                verdicts[value] = check(value)
            problem = verdicts[value]
        else:
            problem = check(value)
        if problem is not None:
            return i, problem
    return None


def _column_name(name: Any, position: int) -> str:
    """How an error names a column: its name when it is an allowed one, else its position (a column's
    name could itself be personal data)."""
    if isinstance(name, str) and name in ALLOWED_COLUMNS:
        return name
    return f"#{position + 1} (not an allowed column)"


def check_columns(frame: pd.DataFrame) -> None:
    names: list[object] = list(frame.columns)  # pandas allows any hashable as a column name
    for position, name in enumerate(names):
        if not isinstance(name, str) or name not in ALLOWED_COLUMNS:
            raise LeakGuardError(
                f"only these columns may leave the store: {', '.join(ALLOWED_COLUMNS)}",
                column=_column_name(name, position),
            )
        if names.index(name) != position:
            raise LeakGuardError("the column appears twice", column=name)
    for name in REQUIRED_COLUMNS:
        if name not in names:
            raise LeakGuardError(f"the required column {name} is missing")


def check_export_frame(
    frame: pd.DataFrame, label_set: Collection[str], *, allow_empty_label: bool = False
) -> None:
    """Inspect every cell of ``frame``; raise :class:`LeakGuardError` at the first that may not leave.

    ``label_set``: the project's labels; label and suggestion cells must be members of it *and* look
    like labels (a planted sentence or address in the label set is still refused). Rows are numbered
    from 1 as in the written file (after the header); the first offending cell in reading order wins.
    """
    check_columns(frame)
    labels = frozenset(label_set)

    def label_check(value: Any) -> str | None:
        problem = label_problem(value)
        if problem is None and value not in labels:
            return "is not one of the project's labels"
        return problem

    checks: dict[str, tuple[Callable[[Any], str | None], bool, bool]] = {  # check, allow_missing, cache
        MSG_KEY: (msg_key_problem, False, False),
        LABEL: (label_check, allow_empty_label, True),
        SUGGESTION: (label_check, True, True),
        CONFIDENCE: (confidence_problem, True, False),
        MODEL_VERSION: (model_version_problem, True, True),
    }
    found: list[tuple[int, int, str, str]] = []  # (row index, column position, column, reason)
    for position, name in enumerate(frame.columns):
        check, allow_missing, cache = checks[name]
        bad = _first_bad(frame[name].tolist(), check, allow_missing=allow_missing, cache=cache)
        if bad is not None:
            found.append((bad[0], position, name, bad[1]))
    if SUGGESTION in frame.columns and CONFIDENCE in frame.columns:
        paired = frame[SUGGESTION].isna() == frame[CONFIDENCE].isna()
        if not paired.all():
            index = int((~paired).to_numpy().argmax())
            found.append((index, list(frame.columns).index(CONFIDENCE), CONFIDENCE,
                          "is set without a suggestion, or missing with one"))  # fmt: skip
    if found:
        index, _position, name, reason = min(found)
        raise LeakGuardError(reason, row=index + 1, column=name)
    duplicated = frame[MSG_KEY].duplicated()
    if duplicated.any():
        raise LeakGuardError(
            "the same message appears twice", row=int(duplicated.to_numpy().argmax()) + 1, column=MSG_KEY
        )
