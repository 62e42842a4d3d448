"""Second pass over a text's findings: a name found once is a name everywhere in the same text.

- every other occurrence of a word of a found person name ('My name is Aantje Mourik but everyone calls
  me Aantje', 'Magnus spent a year ... assistant to Magnus Poulsen');
- the other members of a list of capitalised words one of which is a found name ('Eklund, Michael and
  Hodge'), or, in a list of three or more, two of which are known names ('Kónya, Becker and Vasquez'; a
  pair like 'Marks and Spencer' is too often a company).

Only words that are not ordinary words (the name lexicon decides) are propagated, capitalised as they
were found (case-insensitively in an all-lower-case text), and never over another finding.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence

import regex

from scrubdesk.core.spans import Span
from scrubdesk.models.pii.entities import PERSON
from scrubdesk.models.pii.recognizers.salutations import ABBREVIATIONS

RECOGNIZER = "NamePropagation"
SCORE = 0.65  # below every recogniser: it only fills gaps
MIN_SCORE = 0.6  # names found at least this confidently are propagated

_NAME_WORD = regex.compile(r"[^\W\d_]{3,}(?:['’-][^\W\d_]+)*")
# Members are capitalised words or initials ('me, Lorraine, TK, Paul, Mark, and Kim').
_MEMBER = r"(?:\p{Lu}\p{Ll}+|\p{Lu}{2,3})"
_LIST = regex.compile(
    rf"(?<![\w'’-]){_MEMBER}(?:,[ \t]+{_MEMBER})*,?[ \t]+(?:and|&)[ \t]+{_MEMBER}(?![\w'’-])"
)
_LIST_MEMBER = regex.compile(_MEMBER)


def propagate_names(
    text: str,
    spans: Sequence[Span],
    is_ordinary: Callable[[str], bool],
    is_name: Callable[[str], bool] = lambda word: False,
) -> list[Span]:
    """New PERSON spans (not overlapping ``spans``) for the text; ``is_ordinary(word)`` vetoes words,
    ``is_name(word)`` says a word is a known given name or surname."""
    names = [s for s in spans if s.label == PERSON and s.score >= MIN_SCORE]
    if not names and not _LIST.search(text):
        return []
    lower_text = not any(ch.isupper() for ch in text)
    taken = _Intervals((s.start, s.end) for s in spans)
    added: list[Span] = []

    def free(start: int, end: int) -> bool:
        if taken.overlaps(start, end):
            return False
        taken.add(start, end)
        return True

    words = {
        w
        for s in names
        for w in _NAME_WORD.findall(text[s.start : s.end])
        if (w[:1].isupper() or lower_text) and not is_ordinary(w)
    }
    if words:
        # Compiled per text: stdlib re compiles this alternation several times faster than regex.
        alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        flags = re.IGNORECASE if lower_text else 0
        for m in re.finditer(rf"(?<![\w'’-])(?:{alternation})(?![\w-]|['’]\w\w)", text, flags):
            if free(m.start(), m.end()):
                added.append(Span(m.start(), m.end(), PERSON, SCORE, RECOGNIZER))
    for listed in _LIST.finditer(text):
        members = [
            (m.start() + listed.start(), m.end() + listed.start())
            for m in _LIST_MEMBER.finditer(listed.group())
        ]
        has_found = any(s.start < b and a < s.end for a, b in members for s in names)
        if not has_found and (len(members) < 3 or sum(is_name(text[a:b]) for a, b in members) < 2):
            continue
        for a, b in members:
            word = text[a:b]
            if word.isupper() and (not has_found or word in ABBREVIATIONS):
                continue  # initials only beside a name already found
            if free(a, b) and not is_ordinary(word):
                added.append(Span(a, b, PERSON, SCORE, RECOGNIZER))
    return added


class _Intervals:
    """Half-open intervals, kept sorted by start, for fast overlap tests on long texts."""

    def __init__(self, items: Iterable[tuple[int, int]]) -> None:
        self._items = sorted(items)
        self._max_len = max((b - a for a, b in self._items), default=0)

    def overlaps(self, start: int, end: int) -> bool:
        # any interval with a < end and start < b: only those starting in (start - max_len, end) can
        i = bisect.bisect_left(self._items, (start - self._max_len, 0))
        while i < len(self._items) and self._items[i][0] < end:
            if start < self._items[i][1]:
                return True
            i += 1
        return False

    def add(self, start: int, end: int) -> None:
        bisect.insort(self._items, (start, end))
        self._max_len = max(self._max_len, end - start)
