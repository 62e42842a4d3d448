"""Person names found by what they look like, where spaCy's small NER model misses many (foreign names,
names in short lines, names opening a sentence):

- a known given name, capitalised, with what follows it when that is name-shaped: a middle initial and up
  to two capitalised words that are not ordinary words ('Magnus Poulsen', 'Faina D. Yefremova');
- a name with a middle initial even when the given name is unknown: 'Szabina J Gelencsér';
- two or three capitalised words that are neither ordinary words, nouns nor places: 'Ingmar Becker'
  (a known surname), 'Bekbolat Musliyevich' (shape alone, scored lower);
- in a text written all in lower case (capitalisation tells nothing there), a known given name that is
  not an ordinary word, with the same extension ('patricia desrosiers').

A given name that is also an ordinary word or a place ('Will', 'Grace', 'Georgia') needs a surname or an
initial beside it. Unknown names are taken where their position says 'person' and the words are no
ordinary words:

- the subject of a verb that only people do: 'Asya spent a year ...', 'Trivo lives on ...';
- a name addressed at the start of a line: 'Warrane, can I please speak to your boss?';
- the speakers of a dialogue ('Ubul: What a wife.' / 'Nicole: Remember me, ...'), two lines or more;
- the name line heading a contact block (the next lines hold a job title, a company, a phone, an
  e-mail address or a street): 'Einojuhani Pyysalo' / 'Local transit bus driver' / 'Phone: ...'.

See :mod:`scrubdesk.models.pii.name_lexicon` for the word lists.
"""

from __future__ import annotations

import regex
from presidio_analyzer import RecognizerResult

from scrubdesk.models.pii.entities import PERSON
from scrubdesk.models.pii.gazetteer import Gazetteer
from scrubdesk.models.pii.name_lexicon import NameLexicon
from scrubdesk.models.pii.recognizers.base import LexiconRecognizer
from scrubdesk.models.pii.recognizers.header_grammar import FIELD_NAMES

# A word, with an apostrophe or hyphen inside ("O'Neill", 'Smith-Jones') but not a possessive "'s".
_TOKEN = regex.compile(r"[^\W\d_]+(?:['’-](?![sS]\b)[^\W\d_]+)*\.?")
# Words that end a name run: street words ('Jacob Street' is a street), abbreviations.
_NOT_SURNAME = frozenset(
    {
        "street", "road", "lane", "avenue", "drive", "close", "way", "place", "court", "square", "park",
        "station", "house", "hall", "centre", "center", "school", "college", "university", "hospital",
        "bridge", "hill", "hills", "point", "island", "isle", "lodge", "fort", "flats", "coves", "parks",
        "club", "dale", "st", "rd", "ave", "dr", "ln", "blvd", "apt", "mr", "mrs", "ms", "miss", "prof",
        "jr", "sr",
    }
)  # fmt: skip
# A name run followed by one of these names an organisation or a street: 'Johnson Inc.', 'Isaac Lodge
# Street', 'Russell Investments'. The whole run is left alone.
_ORGANISATION_OR_STREET = _NOT_SURNAME | frozenset(
    {
        "inc", "ltd", "plc", "llc", "gmbh", "corp", "corporation", "company", "co", "group", "orchestra",
        "band", "investments", "holdings", "partners", "associates", "solutions", "services", "systems",
        "technologies", "consulting", "foundation", "trust", "bank", "insurance", "media", "labs",
        "international", "limited", "incorporated", "brothers", "sons", "institute", "society",
    }
)  # fmt: skip

# Above spaCy NER's 0.7 (the lexicon knows 'Magnus' is no place), below the place cues' and address
# recognisers' 0.75-0.8 ('I live in Milton Keynes', '27 Jacob Street').
SCORE_FULL = 0.74  # given name (or initial) plus surname
SCORE_POSITION = 0.72  # an unknown name in a position that says 'person'
SCORE_SHAPE = 0.6  # two unknown capitalised words that are no English words: below NER and every cue

_NAME_WORD = r"\p{Lu}\p{Ll}+(?:['’-]\p{Lu}?\p{Ll}+)*"
_PARTICLES = r"(?:van|von|de|der|den|da|di|du|del|la|le)[ \t]+"
_NAME_RUN = rf"{_NAME_WORD}(?:[ \t]+(?:\p{{Lu}}\.?[ \t]+)?(?:{_PARTICLES})*{_NAME_WORD}){{0,2}}"
_PERSON_VERB = regex.compile(
    rf"(?:^|(?<=[.!?][ \t]+))[ \t>]*(?P<name>{_NAME_RUN})(?=[ \t]+(?:lives|lived|spent|is from|was from|"
    r"was born|said|says|told|asked|wrote|works|worked|studied|married|passed away|died|is a very|"
    r"was a very)\b)",
    regex.MULTILINE,
)
_VOCATIVE = regex.compile(
    rf"^[ \t>]*(?P<name>{_NAME_WORD}),[ \t]+"
    r"(?=(?:can|could|would|will|please|do|did|are|is|have|i|we|you)\b)",
    regex.MULTILINE | regex.IGNORECASE,
)
# A speaker says words: 'Price: $17,000.00' and 'Importance: High' are fields (see _speakers).
_SPEAKER = regex.compile(rf"^[ \t>]*(?P<name>{_NAME_WORD}):[ \t]+[\p{{L}}\"'“]", regex.MULTILINE)
_CONTACT_HINT = regex.compile(
    r"(?i:\b(?:phone|tel|mobile|mob|cell|fax|e-?mail|address|web(?:site)?|personal info)\b[ \t]*:?|@|"
    r"^[ \t>?]*\d{1,6}[ \t]+\S|\+\d)",
    regex.MULTILINE,
)
SCORE_GIVEN = 0.72  # an unambiguous given name alone
_DETERMINERS = frozenset({"the", "a", "an", "our", "your", "their", "its"})  # not "that": "is that Mauro?"
# A lone given name right after one of these is more likely a place ('installations in Bradford').
_PLACE_PREPOSITIONS = frozenset({"in", "near", "at", "outside", "around"})


class LexiconNameRecognizer(LexiconRecognizer):
    def __init__(
        self, lexicon: NameLexicon, language: str = "en", gazetteer: Gazetteer | None = None
    ) -> None:
        super().__init__([PERSON], lexicon, language, gazetteer)

    def find(self, text: str, entities: list[str]) -> list[RecognizerResult]:
        lower_text = not any(ch.isupper() for ch in text)
        tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
        results: list[RecognizerResult] = []
        i = 0
        while i < len(tokens):
            found = self._name_at(text, tokens, i, lower_text)
            if found is None:
                i += 1
                continue
            last, score = found
            results.append(
                self.result(PERSON, tokens[i][0], _strip_dot(text, tokens[i][0], tokens[last][1]), score)
            )
            i = last + 1
        results += [self.result(PERSON, start, end, SCORE_POSITION) for start, end in self._by_position(text)]
        return results

    def _by_position(self, text: str) -> list[tuple[int, int]]:
        spans = [m.span("name") for m in _PERSON_VERB.finditer(text)]
        spans += [m.span("name") for m in _VOCATIVE.finditer(text)]
        speakers = [
            m.span("name")
            for m in _SPEAKER.finditer(text)
            if m.group("name").lower() not in FIELD_NAMES
            and (self.lexicon.is_given(m.group("name")) or not self.lexicon.is_noun(m.group("name")))
        ]
        if len({text[a:b] for a, b in speakers}) >= 2:
            spans += speakers
        spans += self._contact_block_names(text)
        return [(a, b) for a, b in spans if self._plausible(text[a:b])]

    def _plausible(self, run: str) -> bool:
        words = [w.rstrip(".") for w in run.split() if len(w.rstrip(".")) > 1 or not w.endswith(".")]
        names = [w for w in words if w[:1].isupper() or (w.islower() and len(w) > 3)]
        if not names:
            return False
        return not any(
            (self.lexicon.is_ambiguous(w) and not self.lexicon.is_given(w))
            or w.lower() in _ORGANISATION_OR_STREET
            for w in names
        )

    def _contact_block_names(self, text: str) -> list[tuple[int, int]]:
        """A 2-4 word name line at the top of the text or after a blank line, followed within three lines
        by contact details."""
        found = []
        lines = text.split("\n")
        offset = 0
        starts = []
        for line in lines:
            starts.append(offset)
            offset += len(line) + 1
        for n, line in enumerate(lines):
            if n > 0 and lines[n - 1].strip(" \t>?*"):
                continue
            stripped = line.strip(" \t>?*")
            words = stripped.split()
            if not 2 <= len(words) <= 4 or not regex.fullmatch(_NAME_RUN, stripped, regex.IGNORECASE):
                continue
            if not (
                all(w[:1].isupper() or (len(w) <= 3 and w.islower()) for w in words) or stripped.islower()
            ):
                continue
            following = "\n".join(lines[n + 1 : n + 5])
            if not _CONTACT_HINT.search(following):
                continue
            start = starts[n] + line.index(stripped)
            found.append((start, start + len(stripped)))
        return found

    def _name_at(
        self, text: str, tokens: list[tuple[int, int, str]], i: int, lower_text: bool
    ) -> tuple[int, float] | None:
        word = tokens[i][2].rstrip(".")
        if not self._word_shape(word, lower_text) or len(word) < 2:
            return None
        given = self.lexicon.is_given(word)
        ambiguous = self.lexicon.is_ambiguous(word) or word.lower() in _NOT_SURNAME
        last, initial, surnames = i, False, 0
        j = i + 1
        while j < len(tokens) and j - i <= 3 and _adjacent(text, tokens[j - 1], tokens[j]):
            piece = tokens[j][2]
            bare = piece.rstrip(".")
            if len(bare) == 1 and (bare.isupper() or lower_text) and not initial and surnames == 0:
                initial = True  # 'J' or 'J.' after the given name
            elif (
                len(bare) >= 2
                and self._word_shape(bare, lower_text)
                and not self.lexicon.is_ambiguous(bare)
                and bare.lower() not in _NOT_SURNAME
            ):
                surnames += 1
                last = j
            else:
                break
            j += 1
            if surnames == 2 or (surnames and piece.endswith(".")):
                break
        following = tokens[last + 1][2].rstrip(".").lower() if last + 1 < len(tokens) else ""
        if following in _ORGANISATION_OR_STREET and _adjacent(text, tokens[last], tokens[last + 1]):
            return None
        if surnames == 0:
            before = tokens[i - 1][2].lower() if i > 0 else ""
            if not given or ambiguous or before in _PLACE_PREPOSITIONS or before in _DETERMINERS:
                return None  # 'in Bradford'; 'the Council': people are not 'the X'
            if self._place(text, tokens, i):
                return None  # 'Houston', 'York', 'Lawrence, Kansas': the gazetteer's
            if lower_text and self.lexicon.is_noun(word) and not self.lexicon.is_widespread_given(word):
                return None  # 'add almond': in lower case a lone noun must be a name in more than one list
            return i, SCORE_GIVEN
        if initial and not ambiguous:
            surname = tokens[last][2].rstrip(".")
            if given or self.lexicon.is_surname(surname):
                return last, SCORE_FULL
            # 'Szabina J Gelencsér' yes, 'Vitamin D Tablets' no: neither word may be an English noun
            if not (self.lexicon.is_noun(word) or self.lexicon.is_noun(surname)):
                return last, SCORE_FULL
            return None
        surname = tokens[last][2].rstrip(".")
        if given and (not ambiguous or self.lexicon.is_surname(surname)):
            return last, SCORE_FULL
        if given or ambiguous or lower_text or initial:
            return None
        # Two or three capitalised words, none of them an English word or noun, a place or a street word:
        # a known surname makes it a name ('Ingmar Becker'), otherwise only the shape says so ('Bekbolat
        # Musliyevich'), which scores lower than anything else that claims the words.
        run = [tokens[k][2].rstrip(".") for k in range(i, last + 1)]
        if any(self.lexicon.is_noun(w) for w in run):
            return None
        return last, SCORE_FULL if self.lexicon.is_surname(surname) else SCORE_SHAPE

    def _place(self, text: str, tokens: list[tuple[int, int, str]], i: int) -> bool:
        """A lone given name that is a large place, or any place with a state or country after it."""
        word = tokens[i][2].rstrip(".")
        place = self.gazetteer.get(word)
        if place is None:
            return False
        if place.major:
            return True
        nxt = i + 1
        return (
            nxt < len(tokens)
            and text[tokens[i][1] : tokens[nxt][0]].startswith(",")
            and self.gazetteer.get(tokens[nxt][2].rstrip(".")) is not None
        )

    @staticmethod
    def _word_shape(word: str, lower_text: bool) -> bool:
        if lower_text:
            return word.isalpha() or "-" in word or "'" in word
        return word[:1].isupper() and not word.isupper() and any(ch.islower() for ch in word)


def _adjacent(text: str, a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    """Two tokens separated by spaces or tabs only (a name never runs across a line or a comma)."""
    gap = text[a[1] : b[0]]
    return 0 < len(gap) <= 2 and gap.strip(" \t") == ""


def _strip_dot(text: str, start: int, end: int) -> int:
    return end - 1 if text[end - 1] == "." and end - start > 2 else end
