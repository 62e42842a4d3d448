"""Finding a data subject in the store: the person, not a string (GDPR Art. 17 erasure and its proof).

A query is an e-mail address or a full name (:class:`SubjectQuery`). The search then widens to how the
person appears elsewhere (:func:`find_subject_messages`):

* **name variants**: title + surname ("Mr Varnabee"), initial + surname ("Q. Varnabee", "Q Varnabee"),
  given name + middle initial + surname, "Surname, Given", in any case;
* for an address, the **display names** it sent mail under, and their variants;
* **identifiers found in the subject's own messages** (phone numbers, account and card numbers, national
  numbers, references, other e-mail addresses in their signature), so that a message holding only their
  phone number is found too. An identifier that also appears in mail from several other senders (a
  company switchboard) is not the subject's and is left out.

Text is searched as stored and in its encoded forms (base64, URL-encoding, UTF-16: :class:`Needles`), the
same forms ``verify-erasure`` scans files and pages for, so a body kept as raw base64 is found as well.
The preview counts messages per reason, so an admin sees when a variant is too broad.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any, Literal

from scrubdesk.core.db import exports as export_rows
from scrubdesk.core.db import messages
from scrubdesk.core.db import spans as span_rows
from scrubdesk.core.db.trained_models import models_trained_on
from scrubdesk.core.errors import InputError
from scrubdesk.core.ids import KeyedIds, normalise_address
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.store import Store
from scrubdesk.core.trace_scan import Needles

REASONS = ("subject_key", "header", "sender_name", "pii_span", "text", "name_variant", "identifier")
TITLES = ("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "rev", "lady", "lord")
MIN_NAME_PARTS = 2
MIN_VALUE_CHARS = 4
# Span types that identify one person when found in mail they sent themselves.
IDENTIFIER_TYPES = (
    "PHONE_NUMBER", "EMAIL_ADDRESS", "UK_NINO", "UK_NHS", "IBAN_CODE", "CREDIT_CARD", "UK_BANK_ACCOUNT",
    "CUSTOMER_REF",
)  # fmt: skip
MAX_OTHER_SENDERS = 1  # an identifier in mail from more other senders is shared (a switchboard), not theirs
MIN_IDENTIFIER_DIGITS = 6
ENCODED_MIN_CHARS = 16  # a text this short holds no base64 of a name worth the scan

_ADDRESS = re.compile(r"[^\s@<>\"(),;:]+@[^\s@<>\"(),;:]+\.[^\s@<>\"(),;:]+")
_TITLE_PATTERN = "|".join(TITLES)


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _strip_titles(parts: list[str]) -> list[str]:
    while len(parts) > 1 and parts[0].rstrip(".").lower() in TITLES:
        parts = parts[1:]
    return parts


def _digits_pattern(value: str) -> str | None:
    """A pattern for a number however it is grouped ('07700 900123', '07700-900-123', '+44 7700 900123')."""
    digits = re.sub(r"\D", "", value)
    if len(digits) < MIN_IDENTIFIER_DIGITS:
        return None
    body = r"[\s.()-]{0,2}".join(digits[1:] if digits.startswith("0") else digits)
    lead = r"(?:\+\d{1,3}[\s.()-]{0,3}(?:\(0\)\s?)?|0)" if digits.startswith("0") else ""
    return rf"(?<!\d){lead}{body}(?!\d)"


@dataclass(frozen=True)
class SubjectQuery:
    """One form to search for. Holds personal data: never log it or put it in an error message."""

    kind: Literal["address", "name", "value", "name_variant", "identifier"]
    value: str  # address: lower-cased; name: whitespace collapsed, leading titles removed
    pattern: re.Pattern[str] = field(repr=False)
    equal_forms: frozenset[str] = field(repr=False)  # casefolded texts a PII span must equal
    forms: tuple[str, ...] = field(repr=False)  # literal forms that must appear nowhere afterwards

    def __repr__(self) -> str:
        return f"SubjectQuery(kind={self.kind!r})"

    @classmethod
    def parse(cls, query: str, *, any_value: bool = False) -> SubjectQuery:
        """An address or a full name; with ``any_value`` (verification only) also any other identifier
        of the subject, such as a phone number or a customer reference."""
        text = _collapse(query or "")
        if not text:
            raise InputError("the subject is empty: give an email address or a full name")
        if "@" in text:
            return cls._address(text)
        try:
            return cls.name(text)
        except InputError:
            if not any_value:
                raise
        if len(text) < MIN_VALUE_CHARS:
            raise InputError(f"the value to look for needs at least {MIN_VALUE_CHARS} characters") from None
        return cls.identifier(text, kind="value")

    @classmethod
    def identifier(cls, text: str, kind: Literal["value", "identifier"] = "identifier") -> SubjectQuery:
        literal = r"\s+".join(re.escape(p) for p in text.split(" "))
        digits = _digits_pattern(text) if not re.search(r"[A-Za-z@]", text) else None
        return cls(
            kind=kind,
            value=text,
            pattern=re.compile(digits or literal, re.IGNORECASE),
            equal_forms=frozenset({text.casefold()}),
            forms=(text,),
        )

    @classmethod
    def _address(cls, text: str) -> SubjectQuery:
        as_given = (parseaddr(text)[1] or text).strip()
        address = normalise_address(text)
        if not _ADDRESS.fullmatch(address):
            raise InputError("the subject contains '@' but is not one email address (like name@example.org)")
        return cls(
            kind="address",
            value=address,
            pattern=re.compile(re.escape(address), re.IGNORECASE),
            equal_forms=frozenset({address}),
            forms=tuple(dict.fromkeys((address, as_given))),
        )

    @classmethod
    def name(cls, text: str) -> SubjectQuery:
        parts = _strip_titles(_collapse(text).split(" "))
        if sum(any(ch.isalpha() for ch in p) for p in parts) < MIN_NAME_PARTS:
            raise InputError(
                "give the subject's full name (given name and surname) or an email address: one name "
                "alone would match other people"
            )
        name = " ".join(parts)
        reversed_name = f"{parts[-1]}, {' '.join(parts[:-1])}"
        forward = r"\s+".join(re.escape(p) for p in parts)
        backward = re.escape(parts[-1]) + r",\s*" + r"\s+".join(re.escape(p) for p in parts[:-1])
        return cls(
            kind="name",
            value=name,
            pattern=re.compile(rf"\b(?:{forward}|{backward})\b", re.IGNORECASE),
            equal_forms=frozenset({name.casefold(), reversed_name.casefold()}),
            forms=(name, reversed_name),
        )

    def variants(self) -> list[SubjectQuery]:
        """The other ways a name is written: title + surname, initial + surname, given name + middle
        initial + surname (a name query only)."""
        if self.kind != "name":
            return []
        parts = self.value.split(" ")
        given, surname = parts[0], parts[-1]
        initial = given[0]
        s, g, i = re.escape(surname), re.escape(given), re.escape(initial)
        pattern = rf"\b(?:(?:{_TITLE_PATTERN})\.?\s+{s}|{i}\.?\s*{s}|{g}\s+[A-Za-z]\.?\s+{s})\b"
        forms = (
            *(f"{t.capitalize()} {surname}" for t in TITLES),
            *(f"{t.capitalize()}. {surname}" for t in TITLES),
            f"{initial}. {surname}",
            f"{initial} {surname}",
            f"{initial}.{surname}",
        )
        return [
            SubjectQuery(
                kind="name_variant",
                value=f"{initial}. {surname}",
                pattern=re.compile(pattern, re.IGNORECASE),
                equal_forms=frozenset(f.casefold() for f in forms),
                forms=forms,
            )
        ]

    def hit(self, value: object) -> bool:
        """True when a stored value contains the subject: text as written (case-insensitively, any
        grouping for numbers) or in an encoded form; blobs in any of the byte forms of :class:`Needles`."""
        if isinstance(value, str):
            if self.pattern.search(value) is not None:
                return True
            return len(value) > ENCODED_MIN_CHARS and self.needles.count(value.encode("utf-8")) > 0
        if isinstance(value, bytes | memoryview):
            return self.needles.count(bytes(value)) > 0
        return False

    @functools.cached_property
    def needles(self) -> Needles:
        """The literal forms in every encoding files and pages are scanned for."""
        return Needles(self.forms)

    def equals(self, span_text: str) -> bool:
        """True when a PII span's text is the subject itself (not merely part of it)."""
        if self.kind == "address":
            return normalise_address(span_text.removeprefix("mailto:")) == self.value
        if self.kind in ("value", "identifier") and _digits_pattern(self.value):
            return self.pattern.fullmatch(span_text.strip()) is not None
        return " ".join(_strip_titles(_collapse(span_text).split(" "))).casefold() in self.equal_forms

    def subject_key(self, ids: KeyedIds) -> str | None:
        return ids.subject_id(self.value) if self.kind == "address" else None


# --- finding ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectMatch:
    """Which messages are about the subject, and why. IDs and counts only: safe to show in a preview."""

    kind: str
    message_ids: tuple[int, ...]
    msg_keys: tuple[str, ...]
    reasons: dict[str, int]  # messages per reason; a message can have several
    n_spans: int  # spans stored on the matched messages (all of them go)
    models: tuple[int, ...] = ()  # models trained on any of them
    exports: tuple[int, ...] = ()  # exports that hold any of them
    identifiers: dict[str, int] = field(default_factory=dict)  # identifiers used per type (not values)
    identifiers_shared: int = 0  # identifiers left out: other senders use them too
    names: int = 0  # display names an address sent mail under (each searched with its variants)

    def __repr__(self) -> str:
        return f"SubjectMatch(kind={self.kind!r}, messages={len(self.message_ids)}, reasons={self.reasons})"

    @property
    def n_messages(self) -> int:
        return len(self.message_ids)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "messages": self.n_messages,
            "spans": self.n_spans,
            "reasons": dict(self.reasons),
            "models": list(self.models),
            "exports": list(self.exports),
            "identifiers": dict(self.identifiers),
            "identifiers_shared": self.identifiers_shared,
            "names": self.names,
        }


@dataclass(frozen=True)
class SubjectProfile:
    """Every form the subject was searched in: the proof of an erasure looks for all of them. Holds
    personal data: in memory only, never logged, never written."""

    queries: tuple[SubjectQuery, ...]

    @property
    def forms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f for q in self.queries for f in q.forms))

    def __repr__(self) -> str:
        return f"SubjectProfile(queries={len(self.queries)})"


def _scan(
    store: Store, queries: Sequence[tuple[str, SubjectQuery]], control: JobControl, what: str
) -> tuple[dict[str, set[int]], dict[int, set[int]], dict[int, str | None]]:
    """One pass over every message: (reason -> message IDs, query index -> IDs of messages whose text or
    headers hold it, message ID -> sender address)."""
    found: dict[str, set[int]] = defaultdict(set)
    by_query: dict[int, set[int]] = defaultdict(set)
    senders: dict[int, str | None] = {}
    total = messages.count_messages(store)
    for done, m in enumerate(messages.every_with_headers(store), 1):
        senders[m.id] = normalise_address(m.from_addr) if m.from_addr else None
        for index, (reason, q) in enumerate(queries):
            header = q.hit(m.from_addr) or q.hit(m.to_addrs) or q.hit(m.cc_addrs)
            sender_name = q.hit(m.from_name)
            text = q.hit(m.subject) or q.hit(m.body)
            if reason == "query":
                for hit, why in ((header, "header"), (sender_name, "sender_name"), (text, "text")):
                    if hit:
                        found[why].add(m.id)
            elif header or sender_name or text:
                found[reason].add(m.id)
            if header or sender_name or text:
                by_query[index].add(m.id)
        if done % 2000 == 0:
            control.progress(done, total, f"{what}: {done} of {total} messages")
            control.check_cancelled()
    return found, by_query, senders


def _span_matches(store: Store, q: SubjectQuery) -> set[int]:
    """Messages with a span (any status) whose text is the subject; spans are offsets into the field."""
    lengths = [len(f) for f in q.equal_forms]
    # titles, spacing, "mailto:" and <> may pad a span
    rows = span_rows.span_texts_between(store, min(lengths) // 2, max(lengths) * 3 + 16)
    return {mid for mid, text in rows if text and q.equals(text)}


def _own_names(store: Store, q: SubjectQuery, own: Iterable[int]) -> list[SubjectQuery]:
    """The display names an address sent its own messages under (each at least a given name and a
    surname): the same person, written another way."""
    names: dict[str, SubjectQuery] = {}
    for m in messages.headers_of(store, list(own)):
        if m.from_name and m.from_addr and normalise_address(m.from_addr) == q.value:
            try:
                name = SubjectQuery.name(m.from_name.strip("\"' "))
            except InputError:
                continue
            names.setdefault(name.value.casefold(), name)
    return list(names.values())


def _own_identifiers(store: Store, q: SubjectQuery, own: Sequence[int]) -> list[SubjectQuery]:
    found: dict[str, SubjectQuery] = {}
    for _mid, label, text in span_rows.span_values(store, own, IDENTIFIER_TYPES):
        value = _collapse(text)
        if len(value) < MIN_VALUE_CHARS:
            continue
        if label == "EMAIL_ADDRESS" and q.kind == "address" and normalise_address(value) == q.value:
            continue  # the query itself
        candidate = SubjectQuery.identifier(value)
        found.setdefault(candidate.pattern.pattern.casefold(), candidate)
    return list(found.values())


def find_subject_messages(
    store: Store, q: SubjectQuery, ids: KeyedIds, control: JobControl
) -> tuple[SubjectMatch, SubjectProfile]:
    """Every message about the subject of ``q`` (see the module docstring), and every form searched."""
    key = q.subject_key(ids)
    first, _by_query, senders = _scan(store, [("query", q)], control, "searching")
    found: dict[str, set[int]] = {reason: set(first.get(reason, set())) for reason in REASONS}
    if key is not None:
        found["subject_key"].update(messages.subject_message_ids(store, key))
    found["pii_span"] = _span_matches(store, q)
    # The subject's own messages: sent from the address, or under the name.
    if q.kind == "address":
        own = sorted(i for i in set().union(*found.values()) if senders.get(i) == q.value)
        names = _own_names(store, q, own)
    else:
        own = sorted(found["sender_name"])
        names = [q] if q.kind == "name" else []
    identifiers = _own_identifiers(store, q, own) if own else []
    wider: list[tuple[str, SubjectQuery]] = [
        *(("name_variant", n) for n in names if n is not q),
        *(("name_variant", v) for n in names for v in n.variants()),
        *(("identifier", i) for i in identifiers),
    ]
    used_identifiers: list[SubjectQuery] = []
    shared = 0
    if wider:
        second, by_query, _senders = _scan(store, wider, control, "widening the search")
        found["name_variant"] |= second.get("name_variant", set())
        subject_senders = {senders.get(i) for i in own}
        for index, (reason, query) in enumerate(wider):
            if reason != "identifier":
                continue
            others = {senders.get(i) for i in by_query.get(index, set())} - subject_senders - {None}
            if len(others) > MAX_OTHER_SENDERS:
                shared += 1
                continue
            used_identifiers.append(query)
            found["identifier"] |= by_query.get(index, set())
    message_ids = tuple(sorted(set().union(*found.values())))
    total = messages.count_messages(store)
    control.progress(total, total, f"{len(message_ids)} messages found")
    kinds: dict[str, int] = defaultdict(int)
    for _mid, label, text in span_rows.span_values(store, own, IDENTIFIER_TYPES):
        if any(i.value == _collapse(text) for i in used_identifiers):
            kinds[label] += 1
    match = SubjectMatch(
        kind=q.kind,
        message_ids=message_ids,
        msg_keys=tuple(messages.keys_of(store, message_ids)),
        reasons={reason: len(found[reason]) for reason in REASONS},
        n_spans=span_rows.count_for_messages(store, message_ids),
        models=tuple(sorted(models_trained_on(store, message_ids))),
        exports=tuple(sorted(export_rows.exports_holding(store, message_ids))),
        identifiers=dict(sorted(kinds.items())),
        identifiers_shared=shared,
        names=len(names) if q.kind == "address" else 0,
    )
    queries = (
        q,
        *(n for n in names if n is not q),
        *(v for n in names for v in n.variants()),
        *used_identifiers,
    )
    return match, SubjectProfile(tuple(queries))
