"""The people named in a message's From/To/Cc headers, and in the header blocks of the replies and
forwards quoted in its body, found again in its body.

A sender called 'Jane Smith' ('Smith, Jane' in Outlook's order) is found in the body as 'Jane Smith',
'jane smith', 'Smith' or 'jane'. Name parts that are also ordinary words ('Rose', 'Bill', 'Green') must be
capitalised and not open a sentence, unless they stand on a short line of their own (a signature) or next
to another part. The display names on quoted header lines ('To: Dunton, Heather; Belden, Tim') are
themselves found. Organisations ('Discover Card') are no people and are never spread into the body
(:mod:`header_grammar` decides). Built per message and passed to Presidio as an ad-hoc recogniser; it
never stores the names anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import regex
from presidio_analyzer import RecognizerResult

from scrubdesk.models.pii.entities import EMAIL_ADDRESS, PERSON
from scrubdesk.models.pii.recognizers.base import RuleRecognizer
from scrubdesk.models.pii.recognizers.header_grammar import (
    PERSON_FIELDS,
    NameWords,
    display_names,
    header_lines,
)
from scrubdesk.models.pii.recognizers.names import NOT_NAME_WORDS

_PART = regex.compile(r"[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*")
_LOCAL_PART = regex.compile(r"[a-z]{3,}")
_ADDRESS = regex.compile(r"[\w.'+-]+@[\w-]+(?:\.[\w-]+)+")
LINE_SCORE = 0.9  # a display name on a quoted header line: above NER's 0.7 (which calls many surnames places)


@dataclass(frozen=True)
class HeaderPeople:
    """Names and addresses from the headers. Holds personal data: never log it."""

    full_names: tuple[str, ...] = ()
    parts: frozenset[str] = frozenset()  # lower case, from display names
    weak_parts: frozenset[str] = frozenset()  # lower case, guessed from address local parts
    addresses: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"HeaderPeople(names={len(self.full_names)}, addresses={len(self.addresses)})"

    @property
    def empty(self) -> bool:
        return not (self.full_names or self.parts or self.weak_parts or self.addresses)


def people_from_headers(
    headers: Mapping[str, object] | None,
    not_people: Iterable[str] = (),
    words: NameWords | None = None,
    text: str = "",
) -> HeaderPeople:
    """Parse display names and addresses of the headers and of the header lines quoted in ``text``.
    ``not_people`` (the allow-list) removes e.g. the client's own company name and support address;
    ``words`` (the name lexicon) tells people from organisations."""
    words = words or NameWords.unknown()
    excluded = {w.lower() for entry in not_people for w in _PART.findall(entry)}
    excluded_addresses = {entry.strip().lower() for entry in not_people if "@" in entry}
    values: list[str] = []
    for key, value in (headers or {}).items():
        if str(key).lower() not in PERSON_FIELDS or value is None:
            continue
        values.extend(str(v) for v in value) if isinstance(value, list | tuple) else values.append(str(value))
    values.extend(text[line.value_start : line.value_end] for line in header_lines(text))
    if not values:
        return HeaderPeople()
    full_names: dict[str, None] = {}
    parts: set[str] = set()
    weak: set[str] = set()
    addresses: dict[str, None] = {}
    for value in values:
        found = display_names(value, words)
        for mailbox in found:
            lowered = [w.lower() for w in mailbox.words]
            if any(w in excluded for w in lowered):
                continue
            if len(mailbox.words) >= 2:
                ordered = mailbox.words[1:] + mailbox.words[:1] if mailbox.surname_first else mailbox.words
                full_names[" ".join(ordered)] = None
            parts.update(w for w in lowered if len(w) >= 2)
        for address in (a.strip(".") for a in _ADDRESS.findall(value)):
            if address.lower() in excluded_addresses:
                continue
            addresses[address] = None
            if not found:
                local = address.split("@", 1)[0].lower()
                weak.update(
                    p for p in _LOCAL_PART.findall(local) if p not in NOT_NAME_WORDS and p not in excluded
                )
    return HeaderPeople(tuple(full_names), frozenset(parts), frozenset(weak - parts), tuple(addresses))


class HeaderNameRecognizer(RuleRecognizer):
    def __init__(
        self,
        people: HeaderPeople,
        ambiguous: frozenset[str] = frozenset(),
        language: str = "en",
        words: NameWords | None = None,
    ) -> None:
        self.people = people
        self.words = words or NameWords.unknown()
        self.ambiguous = ambiguous | NOT_NAME_WORDS
        super().__init__([PERSON, EMAIL_ADDRESS], language)
        # Compiled per message with the standard library's re: it compiles about twice as fast as regex.
        self._full = [
            re.compile(
                r"(?<!\w)" + r"[ \t]+".join(re.escape(w) for w in name.split()) + r"(?!\w)", re.IGNORECASE
            )
            for name in people.full_names
        ]
        self._addresses = [
            re.compile(r"(?<![\w.+-])" + re.escape(a) + r"(?![\w-])", re.IGNORECASE) for a in people.addresses
        ]
        strong = sorted(p for p in people.parts if p not in self.ambiguous and len(p) >= 3)
        careful = sorted(p for p in people.parts if p in self.ambiguous or len(p) < 3)
        weak = sorted(people.weak_parts)
        self._strong = _alternation(strong, re.IGNORECASE)
        self._careful = _alternation([p.capitalize() for p in careful + weak], 0)

    def find(self, text: str, entities: list[str]) -> list[RecognizerResult]:
        results: list[RecognizerResult] = []
        if PERSON in entities:
            for line in header_lines(text):
                value = text[line.value_start : line.value_end]
                results += [
                    self.result(PERSON, line.value_start + m.start, line.value_start + m.end, LINE_SCORE)
                    for m in display_names(value, self.words)
                ]
            for rx in self._full:
                results += [self.result(PERSON, m.start(), m.end(), 0.95) for m in rx.finditer(text)]
            if self._strong is not None:
                results += [
                    self.result(PERSON, m.start(), m.end(), 0.85) for m in self._strong.finditer(text)
                ]
            if self._careful is not None:
                results += [
                    self.result(PERSON, m.start(), m.end(), 0.75)
                    for m in self._careful.finditer(text)
                    if _name_position(text, m.start(), m.end())
                ]
        if EMAIL_ADDRESS in entities:
            for rx in self._addresses:
                results += [self.result(EMAIL_ADDRESS, m.start(), m.end(), 1.0) for m in rx.finditer(text)]
        return results


def _alternation(words: list[str], flags: int) -> re.Pattern[str] | None:
    if not words:
        return None
    body = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![\w'’-])(?:{body})(?![\w-]|['’]\w\w)", flags)


def _name_position(text: str, start: int, end: int) -> bool:
    """A capitalised ordinary word counts as a name unless it merely opens a sentence of prose."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start : len(text) if line_end == -1 else line_end]
    if len(line.split()) <= 3:  # a signature line, 'Hi Rose,' or 'Thanks, Rose'
        return True
    before = text[line_start:start].rstrip(" \t>\"'(")
    sentence_start = not before or before[-1] in ".!?:"
    if not sentence_start:
        return True
    after = text[end : end + 2]
    return after[:1] == "," or (after[:1] == " " and after[1:2].isupper())
