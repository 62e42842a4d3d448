"""Names in the places mail and reports put them, judged with the name lexicon:

- a name alone on a salutation line, or opening a line before a dash: 'Heather,', 'Tana:', 'Teb-',
  'Karon-please order another card'. A word that is also an ordinary word or noun ('Price: $17',
  'Agenda:') counts only when it is a known name standing alone ('Will,');
- initials as a signature or a salutation: a line holding only two or three capitals ('TK', 'W.K.'),
  unless they spell a word or a common abbreviation ('OK', 'FYI'), and the same initials elsewhere in the
  text ('TK-Please verify', 'me, Lorraine, TK, Paul');
- a rank or office before a name or an initial: 'Sergeant H', 'Inspector Morse', 'Lord Justice Smith',
  'DC Jones' (the rank is not part of the name).
"""

from __future__ import annotations

import regex
from presidio_analyzer import RecognizerResult

from scrubdesk.models.pii.entities import PERSON
from scrubdesk.models.pii.gazetteer import Gazetteer
from scrubdesk.models.pii.name_lexicon import NameLexicon
from scrubdesk.models.pii.recognizers.base import LexiconRecognizer
from scrubdesk.models.pii.recognizers.header_grammar import FIELD_NAMES
from scrubdesk.models.pii.recognizers.names import NOT_NAME_WORDS

SCORE = 0.75  # above NER's 0.7, which calls many surnames places

_NAME_WORD = r"\p{Lu}[\p{Ll}'’]+(?:-\p{Lu}[\p{Ll}'’]+)?"
_SALUTATION = regex.compile(
    rf"^[ \t>]*(?P<name>{_NAME_WORD}(?:[ \t]+{_NAME_WORD})?)[ \t]*(?P<punct>,|:|-{{1,2}}|!|–|—)[ \t]*"
    r"(?P<rest>[^\n]*)$",
    regex.MULTILINE,
)
_INITIALS_LINE = regex.compile(
    r"^[ \t>]*(?P<init>\p{Lu}{2,3}|(?:\p{Lu}\.){2,3})[ \t]*[-,:.!]?[ \t]*$", regex.MULTILINE
)
# Sign-off words that are also given names ('Love,').
_SIGNOFF_WORDS = frozenset({"love", "best", "cheers", "thanks", "regards", "ta", "sincerely", "yours"})
# Capitals that are abbreviations, not initials, when they stand alone on a line.
ABBREVIATIONS = frozenset(
    {
        "OK", "FYI", "PS", "PPS", "NB", "RE", "FW", "FWD", "CC", "BCC", "LOL", "THX", "TIA", "BTW", "IMO",
        "AM", "PM", "TBD", "TBA", "ETA", "NA", "USA", "UK", "US", "EU", "CEO", "CFO", "CTO", "COO", "VP",
        "HR", "IT", "PR", "QA", "ID", "TV", "PC", "DVD", "CD", "FAQ", "PDF", "URL", "XO", "XX", "XXX",
        "AKA", "EOD", "EOM", "OOO", "WFH", "OMG", "WTF", "ROI", "KPI", "NDA", "SLA", "GDP", "VAT", "NHS",
        "BBC", "GMT", "UTC", "EST", "PST", "CST", "MST", "EDT", "PDT", "ASAP", "RSVP", "MR", "MRS", "MS",
        "DR", "SIR", "END", "YES", "NO", "HI", "BYE", "TTYL", "ETC", "VS", "QED", "RIP", "DIY", "SOS",
    }
)  # fmt: skip
_RANK = (
    r"(?:Sergeant|Sgt|Serjeant|Constable|PC|DC|DS|DI|DCI|Inspector|Detective|Officer|Superintendent|"
    r"Supt|Captain|Capt|Lieutenant|Lt|Major|Maj|Colonel|Col|General|Gen|Corporal|Cpl|Private|Pte|"
    r"Admiral|Commander|Cdr|Judge|Justice|Lord[ \t]+Justice|Lady[ \t]+Justice|Mr[ \t]+Justice|"
    r"Mrs[ \t]+Justice|Recorder|Magistrate|Councillor|Cllr|Senator|Sen|Governor|Gov|Mayor|Father|Fr|"
    r"Sister|Brother|Nurse|Doctor|Pastor|Rabbi|Imam|Reverend|Rev|Bishop|Agent)"
)
_RANKED = regex.compile(
    rf"(?<![\p{{L}}])(?:(?:{_RANK})\.?[ \t]+)+(?P<name>{_NAME_WORD}(?:[ \t]+{_NAME_WORD})?"
    r"|\p{Lu}\.?(?![\p{L}\d]))"
)


class SalutationNameRecognizer(LexiconRecognizer):
    def __init__(
        self, lexicon: NameLexicon, language: str = "en", gazetteer: Gazetteer | None = None
    ) -> None:
        super().__init__([PERSON], lexicon, language, gazetteer)

    def find(self, text: str, entities: list[str]) -> list[RecognizerResult]:
        spans = [m.span("name") for m in _SALUTATION.finditer(text) if self._salutation(m)]
        spans += self._initials(text)
        spans += [m.span("name") for m in _RANKED.finditer(text) if self._ranked(m.group("name"))]
        return [self.result(PERSON, start, end, SCORE) for start, end in spans]

    def _salutation(self, m: regex.Match[str]) -> bool:
        words = m.group("name").split()
        rest = m.group("rest")
        colon = m.group("punct") == ":"
        if colon and (
            len(words) > 1 or not (self.lexicon.is_given(words[0]) or self.lexicon.is_surname(words[0]))
        ):
            return False  # 'Sent Items:', 'Agenda:': a heading unless a known name ('Tana:')
        for word in words:
            lowered = word.lower()
            if lowered in NOT_NAME_WORDS or lowered in FIELD_NAMES or lowered in _SIGNOFF_WORDS:
                return False
            place = self.gazetteer.get(word)
            if place is not None and place.major:
                return False
            known = self.lexicon.is_given(word) or self.lexicon.is_surname(word)
            ordinary = (
                self.lexicon.is_word(word) or self.lexicon.is_noun(word) or self.lexicon.is_ambiguous(word)
            )
            if ordinary and not known:
                return False
            # a name that is also a word must stand alone, or open a lower-case sentence after a dash
            if ordinary and rest and not (m.group("punct") != ":" and rest[:1].islower()):
                return False
        return True

    def _initials(self, text: str) -> list[tuple[int, int]]:
        found: list[tuple[int, int]] = []
        seen: set[str] = set()
        for m in _INITIALS_LINE.finditer(text):
            initials = m.group("init")
            letters = initials.replace(".", "")
            if letters in ABBREVIATIONS or self.lexicon.is_word(letters):
                continue
            found.append(m.span("init"))
            seen.add(initials)
        for initials in seen:
            pattern = rf"(?<![\w@.&/]){regex.escape(initials)}(?![\w@&]|\.\w)"
            found += [m.span() for m in regex.finditer(pattern, text)]
        return found

    def _ranked(self, name: str) -> bool:
        """'Inspector Morse' yes; 'General Motors', 'PC World' no (an ordinary word or noun, no name)."""
        first = name.split(maxsplit=1)[0].rstrip(".")
        if len(first) == 1:
            return True
        if first.lower() in NOT_NAME_WORDS:
            return False
        known = self.lexicon.is_given(first) or self.lexicon.is_surname(first)
        return known or not (self.lexicon.is_word(first) or self.lexicon.is_noun(first))
