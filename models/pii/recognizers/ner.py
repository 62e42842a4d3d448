"""spaCy NER as a recogniser (PERSON, LOCATION), minus its typical false alarms in customer email:
salutation words ('Madam'), holidays, and an ordinary word that merely opens a sentence ('Bill me
monthly', 'Frank answers would...')."""

from __future__ import annotations

import regex
from presidio_analyzer.predefined_recognizers import SpacyRecognizer

from scrubdesk.models.pii.entities import LOCATION, PERSON
from scrubdesk.models.pii.recognizers.names import NOT_NAME_WORDS

_NEVER = NOT_NAME_WORDS | {
    "easter",
    "christmas",
    "xmas",
    "boxing",
    "halloween",
    "bank",
    "holiday",
    "dob",
    "nhs",
    "postcode",
    "address",
    "reference",
    "ref",
    "card",
    "iban",
    "sort",
    "code",
    "nino",
    "ni",
    "tariff",
}

_WORD = regex.compile(r"\S+")


class FilteredSpacyRecognizer(SpacyRecognizer):
    def __init__(self, language: str = "en", ambiguous: frozenset[str] = frozenset()) -> None:
        super().__init__(
            supported_language=language, supported_entities=[PERSON, LOCATION], name="SpacyRecognizer"
        )
        self.ambiguous = ambiguous

    def analyze(self, text, entities, nlp_artifacts=None):  # type: ignore[no-untyped-def]
        kept = []
        for result in super().analyze(text, entities, nlp_artifacts):
            result.start, result.end = _strip_never(text, result.start, result.end)
            if result.end > result.start and self._keep(text, result.start, result.end):
                kept.append(result)
        return kept

    def _keep(self, text: str, start: int, end: int) -> bool:
        words = text[start:end].split()
        if not words or all(w.lower().strip(".,") in _NEVER for w in words):
            return False
        if len(words) == 1 and words[0].lower() in self.ambiguous:
            before = text[max(0, start - 3) : start].rstrip(" \t")
            sentence_start = not before or before[-1] in ".!?\n"
            following = text[end : end + 2]
            if sentence_start and following[:1] == " " and following[1:2].islower():
                return False
        return True


def _strip_never(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop leading and trailing words that are never names ('Postcode W9' -> 'W9')."""
    words = [(m.start() + start, m.end() + start) for m in _WORD.finditer(text[start:end])]
    while words and text[words[0][0] : words[0][1]].lower().strip(".,:") in _NEVER:
        words.pop(0)
    while words and text[words[-1][0] : words[-1][1]].lower().strip(".,:") in _NEVER:
        words.pop()
    return (words[0][0], words[-1][1]) if words else (start, start)
