"""Place names: in prose after a cue such as 'we live in', 'moving to', 'away in' or a bare 'in'; and
the names of the GeoNames gazetteer wherever they stand."""

from __future__ import annotations

import regex
from presidio_analyzer import RecognizerResult

from scrubdesk.models.pii.entities import LOCATION
from scrubdesk.models.pii.gazetteer import Gazetteer, Place
from scrubdesk.models.pii.name_lexicon import NameLexicon
from scrubdesk.models.pii.recognizers.base import LexiconRecognizer
from scrubdesk.models.pii.recognizers.declarative import DeclarativeRecognizer
from scrubdesk.models.pii.recognizers.header_grammar import ORGANISATION_WORDS
from scrubdesk.models.pii.recognizers.names import NOT_NAME_WORDS
from scrubdesk.models.pii.recognizers.ner import THOROUGHFARES as _THOROUGHFARES

_PLACE = r"[A-Z][a-z'’]+(?:[ \t-](?:upon|on|under|in|by|le|en)[ \t-][A-Z][a-z'’]+|[ \t][A-Z][a-z'’]+)?"
_STRONG = (
    r"(?i:live|lives|living|lived|based|staying|stay|moving|moved|move|relocating|relocate|away|holiday|"
    r"visiting|visit|trip|we're|we are|i'm|i am|were|was|be|born|grew up|from here)[ \t]+(?:in|to|near|at)"
)
_NOT_PLACES = NOT_NAME_WORDS | {"easter", "christmas", "english", "welsh", "scottish", "british", "euros"}
_MONTHS = frozenset(
    {
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    }
)


class PlaceCueRecognizer(DeclarativeRecognizer):
    ENTITY = LOCATION
    PATTERNS = (
        ("place after a strong cue", rf"(?<=\b{_STRONG}[ \t]+){_PLACE}", 0.75),
        ("place after 'in'", rf"(?<=\b(?:in|near|around|outside)[ \t]+){_PLACE}", 0.5),
    )
    FLAGS = regex.MULTILINE

    def check(self, text: str) -> bool:
        return all(w.lower() not in _NOT_PLACES and w.lower() not in _MONTHS for w in text.split())


# Words before a place name that say it is one ('in Leeds', 'flew to Oslo', 'near Bath').
PLACE_PREPOSITIONS = frozenset(
    {
        "in", "at", "from", "to", "near", "around", "outside", "via", "into", "across", "throughout",
        "towards", "toward", "visit", "visiting", "visited", "of", "between", "and", "through", "leaving",
    }
)  # fmt: skip
_TOKEN = regex.compile(r"[\p{L}\p{M}][\p{L}\p{M}'’.-]*")
_CAPITALISED = regex.compile(r"\p{Lu}[\p{Ll}\p{M}'’.-]")
# A place name followed by one of these names an organisation, a building or a street: 'Texas
# Instruments', 'Houston Street', 'Leeds University'.
_NOT_AFTER = ORGANISATION_WORDS | _THOROUGHFARES | frozenset(
    {
        "instruments", "airlines", "university", "hospital", "council", "county", "city", "times", "post",
        "street", "road", "avenue", "bridge", "airport", "station", "hall", "house", "stadium", "united",
        "rovers", "fc", "rangers", "wanderers", "athletic", "gazette", "herald", "tribune",
    }
)  # fmt: skip


class GazetteerPlaceRecognizer(LexiconRecognizer):
    """Place names of the GeoNames gazetteer, capitalised as in the gazetteer ('Leeds', 'New York', 'Oman').

    Scores say how sure the name alone makes it: a country, continent or US state, or a city of 100,000
    people or more, scores 0.75; a smaller town 0.55 (above the default threshold, below NER and the
    cues). A name that is also a person's name or an ordinary word ('Victoria', 'Jordan', 'Nice',
    'Reading') scores below the threshold unless a cue says 'place': a preposition before it ('in
    Reading', 'to Houston') or a state or country after it ('Lawrence, Kansas'). A name followed by an
    organisation or street word ('Texas Instruments', 'Houston Street') is left to other recognisers.
    """

    SCORE_MAJOR = 0.75
    SCORE_MINOR = 0.55
    SCORE_AMBIGUOUS = 0.35
    CUE_BONUS = 0.35

    def __init__(
        self, lexicon: NameLexicon, language: str = "en", gazetteer: Gazetteer | None = None
    ) -> None:
        super().__init__([LOCATION], lexicon, language, gazetteer)

    def find(self, text: str, entities: list[str]) -> list[RecognizerResult]:
        tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
        results: list[RecognizerResult] = []
        i = 0
        while i < len(tokens):
            start = tokens[i][0]
            capitalised = bool(_CAPITALISED.match(text, start))
            first = text[start : tokens[i][1]].rstrip(".").lower()
            if (not capitalised and not text[start].islower()) or (
                first not in self.gazetteer.first_words
                and first.split("-")[0] not in self.gazetteer.first_words
                and not (capitalised and first in _PREFIX_WORDS)
            ):
                i += 1
                continue
            found = self._longest(text, tokens, i, capitalised)
            if found is None:
                prefixed = _PREFIXED_PLACE.match(text, start) if capitalised else None
                if prefixed and prefixed.group("name").split()[-1].lower() not in _NOT_AFTER:
                    results.append(self.result(LOCATION, start, prefixed.end(), self.SCORE_MINOR))
                i += 1
                continue
            last, place = found
            end = _strip_dots(text, start, tokens[last][1])
            score = self._score(
                text=text, tokens=tokens, i=i, last=last, end=end, place=place, capitalised=capitalised
            )
            if score is not None:
                results.append(self.result(LOCATION, start, end, score))
            i = last + 1
        return results

    def _longest(
        self, text: str, tokens: list[tuple[int, int]], i: int, capitalised: bool
    ) -> tuple[int, Place] | None:
        start = tokens[i][0]
        best = None
        hyphen = text.find("-", start, tokens[i][1])
        if hyphen != -1 and capitalised:  # 'Hartford-One Financial Plaza'
            place = self.gazetteer.get(text[start:hyphen])
            if place is not None and place.major:
                best = (i, place)
        for j in range(i, min(i + self.gazetteer.max_words, len(tokens))):
            if j > i and text[tokens[j - 1][1] : tokens[j][0]] not in (" ", "-"):
                break
            name = text[start : _strip_dots(text, start, tokens[j][1])]
            place = self.gazetteer.get(name) if capitalised else self.gazetteer.get_lower(name)
            if place is not None and (capitalised or (name.islower() and _lower_case_worthy(place))):
                best = (j, place)
        return best

    def _score(
        self,
        *,
        text: str,
        tokens: list[tuple[int, int]],
        i: int,
        last: int,
        end: int,
        place: Place,
        capitalised: bool,
    ) -> float | None:
        start = tokens[i][0]
        name = text[start:end]
        before = text[tokens[i - 1][0] : tokens[i - 1][1]].rstrip(".").lower() if i > 0 else ""
        after = text[tokens[last + 1][0] : tokens[last + 1][1]].rstrip(".") if last + 1 < len(tokens) else ""
        gap_after = text[tokens[last][1] : tokens[last + 1][0]] if after else ""
        if text[max(0, start - 1) : start] in ("@", ".", "/", "#") or gap_after[:1] in ("@", "."):
            return None  # part of an address, a path or a hashtag
        if after.lower() in _NOT_AFTER and gap_after == " ":
            return None
        if single_calendar(name) or _HOUSE_NUMBER.search(text, max(0, start - 12), start):
            return None  # 'March'; '158 Chapel Hill' is a street
        single = i == last
        # A town called like a person anywhere ('Lawrence'); a country or state only if English speakers
        # are called so ('Georgia', 'Jordan'; not 'Oman').
        name_like = (
            (self.lexicon.is_given(name) or self.lexicon.is_surname(name))
            if place.town
            else self.lexicon.is_english_name(name)
        )
        ordinary = single and (
            self.lexicon.is_word(name) or name_like or (not capitalised and self.lexicon.is_noun(name))
        )
        gap_before = text[tokens[i - 1][1] : start] if i > 0 else ""
        cue = (before in PLACE_PREPOSITIONS and gap_before.strip(" \t") == "") or (
            gap_after.startswith(",") and after[:1].isupper() and self.gazetteer.get(after) is not None
        )
        if not capitalised:
            return None if ordinary and not cue else (0.75 if cue else 0.55)
        line_start = text.rfind("\n", 0, start) + 1
        opening = (
            not text[line_start:start].strip(" \t>*-\"'(") or text[line_start:start].rstrip()[-1:] in ".!?:"
        )
        if ordinary:
            score = self.SCORE_AMBIGUOUS
        elif place.major:
            score = self.SCORE_MAJOR
        elif single and opening and not (after[:1].isupper() and gap_after == " "):
            # 'Goes along ...': a word opening a sentence (a heading, 'Gallup Compressor Station', is fine)
            return None if not cue else self.SCORE_MINOR
        else:
            score = self.SCORE_MINOR
        if cue:
            score += self.CUE_BONUS
        return min(score, 0.85)


# A house number right before the name: '158 Chapel Hill' is a street. Not a year after a date ('March
# 31, 1999 Bloomfield').
# Words that begin place names the gazetteer may not hold: 'Mont Belvieu', 'Fort Stockton', 'Lake Jackson'.
_PREFIXED_PLACE = regex.compile(
    r"(?P<name>(?:Mount|Mont|Mt\.|Fort|Ft\.|Port|Lake|Cape|Isle|Puerto|Porto|Bad|Sankt|São|Cerro|Monte|"
    r"Ciudad|Rio|Rancho)[ \t]+\p{Lu}[\p{Ll}'’]+(?:[ \t]+\p{Lu}[\p{Ll}'’]+)?)(?![\w'’-])"
)
_PREFIX_WORDS = frozenset(
    {"mount", "mont", "mt.", "fort", "ft.", "port", "lake", "cape", "isle", "puerto", "porto", "bad", "sankt",
     "são", "cerro", "monte", "ciudad", "rio", "rancho"}
)  # fmt: skip
_HOUSE_NUMBER = regex.compile(r"(?<![\d.,:/-])(?<!,[ \t])\d{1,5}[A-Za-z]?,?[ \t]+$")
CALENDAR_WORDS = frozenset(
    {
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    }
)  # fmt: skip


def single_calendar(name: str) -> bool:
    return name.lower() in CALENDAR_WORDS


def _strip_dots(text: str, start: int, end: int) -> int:
    while end - start > 2 and text[end - 1] == ".":
        end -= 1
    return end


def _lower_case_worthy(place: Place) -> bool:
    """Places people write in lower case and that are worth finding so: countries, states, big cities."""
    return place.kind in ("country", "region") or (place.kind == "city" and place.population >= 500_000)
