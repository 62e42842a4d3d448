"""Person names found by their cues in the sentence: a title ('Ms Jane Smith') or a phrase such as
'my name is', 'my wife, Jane', 'spoke to Tom'. Capitalisation is required: cues are common phrases.
"""

from __future__ import annotations

from collections.abc import Callable

import regex
from presidio_analyzer import RecognizerResult
from spacy.lang.en.stop_words import STOP_WORDS

from scrubdesk.models.pii.entities import PERSON
from scrubdesk.models.pii.recognizers.base import RuleRecognizer
from scrubdesk.models.pii.recognizers.declarative import DeclarativeRecognizer

# Words that start a capitalised run after a cue but are never a name.
NOT_NAME_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "i",
        "i'm",
        "i've",
        "i'd",
        "i'll",
        "we",
        "you",
        "he",
        "she",
        "it",
        "they",
        "this",
        "that",
        "these",
        "those",
        "my",
        "our",
        "your",
        "his",
        "her",
        "their",
        "not",
        "no",
        "yes",
        "very",
        "so",
        "too",
        "also",
        "just",
        "still",
        "already",
        "really",
        "sorry",
        "writing",
        "going",
        "moving",
        "trying",
        "hoping",
        "afraid",
        "unable",
        "able",
        "happy",
        "glad",
        "pleased",
        "here",
        "there",
        "now",
        "then",
        "today",
        "tomorrow",
        "yesterday",
        "please",
        "thanks",
        "thank",
        "dear",
        "hi",
        "hello",
        "hey",
        "sir",
        "madam",
        "team",
        "customer",
        "customers",
        "services",
        "service",
        "support",
        "department",
        "account",
        "accounts",
        "billing",
        "complaints",
        "complaint",
        "manager",
        "management",
        "office",
        "desk",
        "all",
        "everyone",
        "folks",
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "july",
        "september",
        "october",
        "november",
        "december",
        "regards",
        "best",
        "kind",
        "many",
        "cheers",
        "sent",
        "from",
        "iphone",
        "android",
        "outlook",
        "galaxy",
        "mobile",
        "phone",
        "email",
        "mail",
        "tel",
        "fax",
        "web",
        "www",
        "and",
        "or",
        "but",
        "with",
        "for",
        "of",
        "on",
        "in",
        "at",
        "to",
        "by",
        "as",
        "if",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "would",
        "can",
        "could",
        "should",
        "might",
        "must",
        "on",
        "behalf",
        "re",
        "fwd",
        "fw",
    ]
)

# Any script's capitals ('Åsa', 'Živković'), inner capitals ('McDonald', 'LeBatelier'), double names.
_NAME_WORD = r"\p{Lu}[\p{Ll}'’]+(?:\p{Lu}[\p{Ll}'’]+)?(?:-\p{Lu}[\p{Ll}'’]+)?"
_NAME = (
    rf"{_NAME_WORD}(?:[ \t]+(?:\p{{Lu}}\.?[ \t]+)?(?:(?:van|von|de|der|da|di|le|la|du|del|O'|Mac|Mc)"
    rf"[ \t]*)?{_NAME_WORD}){{0,2}}"
)
_TITLE = r"(?i:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Professor|Sir|Dame|Lady|Lord|Rev|Revd)\.?"
_RELATION = (
    r"(?:wife|husband|partner|mum|mother|dad|father|son|daughter|brother|sister|friend|neighbour|neighbor|"
    r"landlord|landlady|tenant|flatmate|housemate|colleague|carer|aunt|uncle|grandmother|grandfather|gran|"
    r"nan|grandad|grandma|grandpa|grandson|granddaughter|niece|nephew|fianc[ée]e?|cousin|boyfriend|"
    r"girlfriend|spouse|mother-in-law|father-in-law|son-in-law|daughter-in-law|stepson|stepdaughter|"
    r"stepmother|stepfather|late\s+\w+)"
)
_CUE = (
    rf"(?:[Mm]y name is|[Mm]y name's|[Nn]ame:|[Tt]his is|I'm|I am|[Ii]n the names? of|[Ii]n my name,|"
    rf"[Ss]poke (?:to|with)|[Ss]peaking (?:to|with)|[Tt]alked to|[Cc]olleague,?|[Aa]gent,?|[Aa]dvisor,?|"
    rf"[Aa]dviser,?|[Oo]n behalf of|[Cc]all(?:ed)? me|[Aa]sk for|[Aa]ccount holder,?|[Ee]xecutor,?|"
    rf"(?:[Mm]y|[Oo]ur|[Hh]is|[Hh]er|[Tt]heir|[Tt]he)[ \t]+{_RELATION},?|[Rr]eply to|"
    rf"[Aa]ttn:?|FAO:?|[Ff]or the attention of|(?:[Ee]veryone|[Tt]hey|[Pp]eople|[Ff]riends) calls? me|"
    rf"(?:[Mm]aiden|[Ff]irst|[Ll]ast|[Ff]amily|[Mm]iddle|[Ff]ull) name(?: is|:)|[Ss]urname(?: is|:)|"
    rf"[Ff]ollow(?:ing)? up with|(?:[Ss]peak|[Tt]alk|[Mm]eet|[Mm]et|[Mm]eeting|[Cc]hat) (?:to|with)|"
    rf"(?:[Aa]ssistant|[Ss]ecretary|[Dd]eputy|PA) to|(?:[Dd]irected|[Ww]ritten|[Ss]igned|[Aa]pproved|"
    rf"[Aa]uthori[sz]ed|[Pp]roduced|[Cc]omposed|[Pp]erformed|[Rr]eferred|[Ii]nterviewed) by|[Ss]tarring|"
    rf"[Ff]eaturing|[Ss]aid|[Aa]sked|[Tt]old|[Hh]eard|[Mm]arried to|[Ww]idow of|[Ss]on of|[Dd]aughter of)"
)


class TitledNameRecognizer(DeclarativeRecognizer):
    """'Ms Jane Smith', 'Dr. Patel', 'Mr O'Neill': the name after the title (the title is not included)."""

    ENTITY = PERSON
    PATTERNS = (("titled name", rf"(?<=\b{_TITLE}[ \t]{{1,3}}){_NAME}", 0.85),)
    FLAGS = regex.MULTILINE

    def check(self, text: str) -> bool:
        return text.split(maxsplit=1)[0].lower() not in NOT_NAME_WORDS


class NameCueRecognizer(DeclarativeRecognizer):
    """A capitalised name run after a cue: 'my name is Jane Smith', 'my wife, Rose', 'spoke to Tom'."""

    ENTITY = PERSON
    PATTERNS = (("name after cue", rf"(?<=\b{_CUE}[ \t]{{1,3}}){_NAME}", 0.75),)
    FLAGS = regex.MULTILINE

    def check(self, text: str) -> bool:
        return text.split(maxsplit=1)[0].lower() not in NOT_NAME_WORDS


# Cues strong enough to take a lower-case name ('i spoke to marie', 'my wife, jane smith, ...').
_LOWER_CUE = regex.compile(
    rf"\b(?:(?P<speech>my name is|my name's|spoke (?:to|with)|speaking (?:to|with)|talked to|"
    rf"in the names? of|(?:maiden|first|last|family) name is|surname is|calls me)|"
    rf"(?P<role>(?:your|the) (?:agent|colleague|advisor|adviser),?|"
    rf"(?:my|our|his|her|their) {_RELATION},?)|(?P<strict>i'm|i am|this is))[ \t]+"
    r"(?P<name>\p{Ll}[\p{Ll}'’-]+(?:[ \t]+\p{Ll}[\p{Ll}'’-]+)?)(?P<after>,?)",
    regex.IGNORECASE,
)


class LowerCaseNameCueRecognizer(RuleRecognizer):
    """People type names in lower case. After a strong cue, one or two lower-case words that are not
    ordinary function words are taken as a name; after 'I'm'/'this is', only when a comma follows."""

    def __init__(
        self, language: str = "en", score: float = 0.6, is_word: Callable[[str], bool] | None = None
    ) -> None:
        self.score = score
        # ordinary words that are no names ('i'm curious, ...'): the name lexicon's test, when given
        self.is_word = is_word or (lambda word: False)
        super().__init__([PERSON], language)

    def find(self, text: str, entities: list[str]) -> list[RecognizerResult]:
        results = []
        for m in _LOWER_CUE.finditer(text):
            name = m.group("name")
            if not name.islower():
                continue  # capitalised names are the pattern recogniser's
            words = name.split()
            while words and (words[-1] in STOP_WORDS or words[-1] in NOT_NAME_WORDS):
                words.pop()
            if (
                not words
                or any(w in STOP_WORDS or w in NOT_NAME_WORDS for w in words)
                or self.is_word(words[0])
            ):
                continue  # 'i'm curious, ...' (but 'my mother, ivy black, ...')
            whole = len(words) == len(name.split())
            if m.group("strict") and not (whole and m.group("after")):
                continue
            start = m.start("name")
            end = m.end("name") if whole else start + len(name.split()[0])
            comma = whole and m.group("after")
            trimmed_by_stop_word = not whole
            if not comma and not (m.group("speech") and trimmed_by_stop_word) and not _ends_name(text, end):
                continue
            results.append(self.result(PERSON, start, end, self.score))
        return results


_NAME_FOLLOWERS = frozenset(
    {
        "is", "was", "has", "had", "who", "and", "will", "would", "can", "could", "said", "says", "but",
        "or", "so", "because", "from", "here", "speaking", "again", "too", "also", "though",
    }
)  # fmt: skip


def _ends_name(text: str, end: int) -> bool:
    """A lower-case name with no comma after it must end the clause or be followed by a verb like 'is'."""
    rest = text[end : end + 20]
    if not rest or rest[0] in ".,;:!?\n)":
        return True
    following = rest.split(maxsplit=1)
    return bool(following) and following[0].lower().strip(".,") in _NAME_FOLLOWERS
