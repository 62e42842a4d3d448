"""Redaction operators: what replaces a PII span in the scrubbed text every later stage sees.

- ``placeholder``: the entity type, ``<PERSON>``.
- ``surrogate``: a realistic fake value (Faker en_GB). The same value gets the same surrogate within a
  project: the Faker seed is a keyed digest (HMAC under the project's ID key) of the normalised value,
  never the raw value or a plain hash of it.
- ``mask``: every letter and digit becomes ``*``; separators stay, so the shape is kept.
- ``coarsen``: less precise but still useful: postcode -> outward code (``W9 3JP`` -> ``W9``), date ->
  month/year, age >= 90 -> ``90+``, other numbers -> a range (``30-39``); types with nothing to coarsen
  fall back to the placeholder.
- ``hash``: ``<PERSON:3fa2b1c9d0e4>``, a keyed digest: the same value always gives the same token and only
  the key holder can test a guess.

A :class:`RedactionPolicy` picks the operator per entity type (a project setting). Overlapping spans
are merged before redaction, so no fragment of any finding survives.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from scrubdesk.core.spans import Span, merge_for_redaction

OPERATORS = ("placeholder", "surrogate", "mask", "coarsen", "hash")
SETTING_KEY = "redaction.operators"  # project setting: {"default": op, "PERSON": op, ...}

_WS = re.compile(r"\s+")
_OUTWARD = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)\s*\d[A-Z]{2}$")
_NUMBER = re.compile(r"^\d+$")
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)  # fmt: skip


class Keyer:
    """Keyed digests of span values. The key is the project's ID key (or a per-run random key)."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("the redaction key must be at least 256 bits")
        self._key = key

    def digest(self, label: str, value: str) -> bytes:
        normalised = _WS.sub(" ", value.strip().lower())
        return hmac.new(self._key, f"redaction\x00{label}\x00{normalised}".encode(), hashlib.sha256).digest()

    def token(self, label: str, value: str, chars: int = 12) -> str:
        return self.digest(label, value).hex()[:chars]

    def seed(self, label: str, value: str) -> int:
        return int.from_bytes(self.digest(label, value)[:8], "big")


@dataclass(frozen=True)
class RedactionPolicy:
    """Operator per entity type, with a default for the rest."""

    default: str = "placeholder"
    per_label: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for op in (self.default, *self.per_label.values()):
            if op not in OPERATORS:
                raise ValueError(f"unknown redaction operator {op!r}; known: {', '.join(OPERATORS)}")

    def operator(self, label: str) -> str:
        return self.per_label.get(label, self.default)

    @classmethod
    def from_setting(cls, value: Mapping[str, str] | None) -> RedactionPolicy:
        value = dict(value or {})
        default = value.pop("default", "placeholder")
        return cls(default=default, per_label=value)

    def as_setting(self) -> dict[str, str]:
        return {"default": self.default, **dict(self.per_label)}


class Redactor:
    """Applies a policy to a text and its spans. Surrogates are consistent for one key."""

    def __init__(self, policy: RedactionPolicy, keyer: Keyer) -> None:
        self.policy = policy
        self.keyer = keyer
        self._faker: Any = None

    def redact(self, text: str, spans: Iterable[Span]) -> str:
        out: list[str] = []
        pos = 0
        for span in merge_for_redaction(spans):
            # A span that reaches past the text (stale offsets) still hides what it covers: fail closed.
            start, end = max(span.start, pos), min(span.end, len(text))
            if start >= end:
                continue
            out.append(text[pos:start])
            out.append(self.replacement(span.label, text[start:end]))
            pos = end
        out.append(text[pos:])
        return "".join(out)

    def replacement(self, label: str, value: str) -> str:
        op = self.policy.operator(label)
        if op == "mask":
            return mask(value)
        if op == "hash":
            return f"<{label}:{self.keyer.token(label, value)}>"
        if op == "coarsen":
            coarse = coarsen(label, value)
            return coarse if coarse is not None else placeholder(label)
        if op == "surrogate":
            return self.surrogate(label, value)
        return placeholder(label)

    def surrogate(self, label: str, value: str) -> str:
        faker = self._get_faker()
        faker.seed_instance(self.keyer.seed(label, value))
        maker = _SURROGATES.get(label)
        if maker is None:
            return placeholder(label)
        return str(maker(faker, value))

    def _get_faker(self) -> Any:
        if self._faker is None:
            from faker import Faker  # noqa: PLC0415 - lazy: heavy

            self._faker = Faker("en_GB")
        return self._faker


def placeholder(label: str) -> str:
    return f"<{label}>"


def mask(value: str) -> str:
    return "".join("*" if ch.isalnum() else ch for ch in value)


def coarsen(label: str, value: str) -> str | None:
    """The coarse form of a value, or None when this label has none."""
    text = value.strip()
    if label in ("UK_POSTCODE", "POSTCODE"):
        m = _OUTWARD.match(text.upper())
        if m:
            return m.group(1)
        compact = text.replace(" ", "").upper()
        return compact[:-3] if len(compact) > 4 else compact
    if label in ("DATE_OF_BIRTH", "DATE", "DATE_TIME"):
        parsed = parse_date(text)
        return f"{_MONTHS[parsed.month - 1]} {parsed.year}" if parsed else None
    if label == "AGE" or (_NUMBER.match(text) and label in ("NUMBER", "AMOUNT")):
        return coarsen_number(int(text), age=label == "AGE") if _NUMBER.match(text) else None
    return None


def coarsen_number(number: int, *, age: bool = False, width: int = 10) -> str:
    if age and number >= 90:
        return "90+"
    low = number // width * width
    return f"{low}-{low + width - 1}"


_DATE_FORMATS = (
    "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y",
    "%B %d %Y", "%b %d %Y", "%d of %B %Y",
)  # fmt: skip
_ORDINAL = re.compile(r"(\d)(st|nd|rd|th)\b", re.IGNORECASE)


def parse_date(text: str) -> date | None:
    cleaned = _ORDINAL.sub(r"\1", text.replace(",", " "))
    cleaned = _WS.sub(" ", cleaned).strip().rstrip(".")
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None


def _name(faker: Any, value: str) -> str:
    parts = value.split()
    name = faker.first_name() if len(parts) == 1 else f"{faker.first_name()} {faker.last_name()}"
    return name.lower() if value.islower() else name


_SURROGATES: dict[str, Any] = {
    "PERSON": _name,
    "EMAIL_ADDRESS": lambda f, v: f"{f.user_name()}@example.com",
    "PHONE_NUMBER": lambda f, v: f"07700 900{f.random_int(0, 999):03d}",
    "UK_POSTCODE": lambda f, v: f.postcode(),
    "STREET_ADDRESS": lambda f, v: f.street_address().replace("\n", ", "),
    "LOCATION": lambda f, v: f.city(),
    "UK_NINO": lambda f, v: f"QQ{f.random_int(0, 999999):06d}C",  # QQ: never issued
    "UK_NHS": lambda f, v: f"999 {f.random_int(0, 999):03d} {f.random_int(0, 9999):04d}",
    "UK_SORT_CODE": lambda f, v: (
        f"{f.random_int(0, 99):02d}-{f.random_int(0, 99):02d}-{f.random_int(0, 99):02d}"
    ),
    "UK_BANK_ACCOUNT": lambda f, v: f"{f.random_int(10_000_000, 99_999_999)}",
    "CREDIT_CARD": lambda f, v: "4000 0000 0000 0002",
    "IBAN_CODE": lambda f, v: f.iban(),
    "DATE_OF_BIRTH": lambda f, v: f.date_of_birth(minimum_age=18, maximum_age=90).strftime("%d/%m/%Y"),
    "CUSTOMER_REF": lambda f, v: f"REF-{f.random_int(100_000, 999_999)}",
    "IP_ADDRESS": lambda f, v: f"192.0.2.{f.random_int(1, 254)}",
    "URL": lambda f, v: "https://example.com/",
}
