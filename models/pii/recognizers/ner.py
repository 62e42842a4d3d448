"""spaCy NER as a recogniser (PERSON, LOCATION), minus its typical false alarms in customer email:
salutation words ('Madam'), holidays, and an ordinary word that merely opens a sentence ('Bill me
monthly', 'Frank answers would...').

The small model often calls a foreign surname a place ('early Yefremova', 'founders: Kónya, ...'). With
the name lexicon, a LOCATION made only of known given names or surnames, none of them a place name or an
ordinary word, is reported as PERSON. A LOCATION of two words or more ending in a thoroughfare word
('Berg Hills Street') is a street: STREET_ADDRESS."""

from __future__ import annotations

from typing import Any

import regex
from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import SpacyRecognizer

from scrubdesk.models.pii.entities import LOCATION, PERSON, STREET_ADDRESS
from scrubdesk.models.pii.gazetteer import load_gazetteer
from scrubdesk.models.pii.name_lexicon import NameLexicon
from scrubdesk.models.pii.recognizers.header_grammar import ORGANISATION_WORDS
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

ORGANIZATION = "ORGANIZATION"
ORG_IN_PERSON_CONTEXT_SCORE = 0.65
_CAPITALISED_WORD = regex.compile(r"\p{Lu}[\p{Ll}'’-]+(?:\p{Lu}[\p{Ll}'’-]+)?")
_PERSON_BEFORE = regex.compile(
    r"(?i:\b(?:hi|hello|hey|dear|thanks|thank you|cheers|morning|afternoon|spoke to|spoke with|"
    r"talked to|met with|according to|asked|told|ask|cc|attn|fao)[ \t,]*"
    r"|(?-i:\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?[ \t]+))$"
)
_PERSON_AFTER = regex.compile(
    r"[ \t]+(?:said|says|told|asked|wrote|replied|called|emailed|phoned|explained|confirmed|mentioned|"
    r"thinks|believes|agreed|added|noted|argued)\b"
)


def _given_after_comma(after: str, lexicon: NameLexicon) -> bool:
    """'Kowalczyk, Anna': a known given name right after a comma."""
    m = regex.match(r",[ \t]*(\p{Lu}\p{Ll}+)\b", after)
    return m is not None and lexicon.is_given(m.group(1)) and not lexicon.is_ambiguous(m.group(1))


_WORD = regex.compile(r"\S+")
_NAME_PART = regex.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_POSSESSIVE = regex.compile(r"['’][sS]$")


class FilteredSpacyRecognizer(SpacyRecognizer):
    def __init__(
        self,
        language: str = "en",
        ambiguous: frozenset[str] = frozenset(),
        lexicon: NameLexicon | None = None,
    ) -> None:
        super().__init__(
            supported_language=language,
            supported_entities=[PERSON, LOCATION, STREET_ADDRESS],
            name="SpacyRecognizer",
        )
        self.ambiguous = ambiguous
        self.lexicon = lexicon
        self.gazetteer = load_gazetteer()

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        kept = []
        for result in super().analyze(text, entities, nlp_artifacts):
            result.start, result.end = _strip_never(text, result.start, result.end)
            if result.end > result.start and self._keep(text, result.start, result.end):
                value = text[result.start : result.end]
                if self._ordinary(value, result.entity_type, _opens_sentence(text, result.start)):
                    continue
                if result.entity_type == LOCATION and self._person_name(value):
                    result.entity_type = PERSON
                elif result.entity_type == LOCATION and _is_street(value):
                    result.entity_type = STREET_ADDRESS
                kept.append(result)
        if nlp_artifacts is not None and PERSON in entities:
            kept += self._organisations_in_person_context(text, nlp_artifacts)
        return kept

    def _organisations_in_person_context(self, text: str, nlp_artifacts: Any) -> list[RecognizerResult]:
        """The small model calls many surnames ORG. An ORG of one or two capitalised words is a person
        where the context says so: after a greeting ('Hi Kowalczyk'), before a comma and a known given
        name ('Kowalczyk, Anna'), before a verb that people do ('Kowalczyk said'), after a cue such as
        'spoke to' or 'according to', or starting with a known given name ('Anna Kowalczyk')."""
        found = []
        for entity in nlp_artifacts.entities:
            if entity.label_ != ORGANIZATION:
                continue
            start, end = entity.start_char, entity.end_char
            value = text[start:end]
            words = value.split()
            if not 1 <= len(words) <= 2 or not all(_CAPITALISED_WORD.fullmatch(w) for w in words):
                continue
            lowered = [w.lower() for w in words]
            if any(w in ORGANISATION_WORDS or w in _NEVER for w in lowered) or self._ordinary(
                value, PERSON, False
            ):
                continue
            if self.lexicon is not None and any(self.lexicon.is_word(w) for w in words):
                continue
            before = text[max(0, start - 30) : start]
            after = text[end : end + 30]
            given_first = (
                self.lexicon is not None
                and len(words) == 2
                and self.lexicon.is_given(words[0])
                and self.gazetteer.get(words[0]) is None  # 'Texas Tech'
            )
            if (
                given_first
                or _PERSON_BEFORE.search(before)
                or _PERSON_AFTER.match(after)
                or (self.lexicon is not None and _given_after_comma(after, self.lexicon))
            ):
                found.append(
                    RecognizerResult(
                        PERSON,
                        start,
                        end,
                        ORG_IN_PERSON_CONTEXT_SCORE,
                        analysis_explanation=None,
                        recognition_metadata={
                            RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                            RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                        },
                    )
                )
        return found

    def _ordinary(self, value: str, label: str, opening: bool) -> bool:
        """A PERSON of two words or more, all ordinary words or nouns and none a known name ('Map
        Request'), or of one ordinary word that is no noun opening a sentence ('Schedule GT-F': acronyms
        are left out); a one-word LOCATION likewise, if no gazetteer place. The noun list holds proper
        names too ('Superman'), and a verb can be a name mid-sentence ('if you support Trump'), so those
        are kept."""
        if self.lexicon is None or label not in (PERSON, LOCATION):
            return False
        words = [_POSSESSIVE.sub("", w) for w in _NAME_PART.findall(value) if not w.isupper()]
        if not words or (label == LOCATION and len(words) > 1):
            return False
        lexicon = self.lexicon
        if any(lexicon.is_given(w) or lexicon.is_surname(w) for w in words):
            return False
        if label == LOCATION and self.gazetteer.get(words[0]) is not None:
            return False
        if len(words) == 1:
            return opening and lexicon.is_word(words[0])
        return all(lexicon.is_word(w) or lexicon.is_noun(w) for w in words)

    def _person_name(self, value: str) -> bool:
        if self.lexicon is None:
            return False
        words = [_POSSESSIVE.sub("", w) for w in _NAME_PART.findall(value)]  # "Ström's" -> 'Ström'
        return bool(words) and all(
            w[:1].isupper()
            and (self.lexicon.is_given(w) or self.lexicon.is_surname(w))
            and not self.lexicon.is_ambiguous(w)
            and not self.lexicon.is_noun(w)
            for w in words
        )

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


THOROUGHFARES = frozenset(
    {
        "street", "st", "road", "rd", "lane", "ln", "avenue", "ave", "drive", "boulevard", "blvd",
        "crescent", "terrace", "close", "gardens", "mews", "parkway", "highway", "strasse", "straße",
    }
)  # fmt: skip


def _opens_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 40) : start].rstrip(" \t\"'(>*-")
    return not before or before[-1] in ".!?:\n"


def _is_street(value: str) -> bool:
    words = value.split()
    return len(words) >= 2 and words[-1].lower().rstrip(".") in THOROUGHFARES


def _strip_never(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop leading and trailing words that are never names ('Postcode W9' -> 'W9')."""
    words = [(m.start() + start, m.end() + start) for m in _WORD.finditer(text[start:end])]
    while words and text[words[0][0] : words[0][1]].lower().strip(".,:") in _NEVER:
        words.pop(0)
    while words and text[words[-1][0] : words[-1][1]].lower().strip(".,:") in _NEVER:
        words.pop()
    return (words[0][0], words[-1][1]) if words else (start, start)
