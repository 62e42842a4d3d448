"""Word lists for recognising names: given names and surnames of many countries, and the words that must
not be taken for a name on their own (ordinary English words, place names).

Sources, all shipped with Scrubdesk and read locally (no network, nothing written):

- given names, surnames, one-word place names and an English lorem word list: the frozen resource
  ``resources/pii_names.tsv`` (built from Faker's providers by :mod:`~scrubdesk.models.pii.lexicon_build`,
  about 31,000 given names and 28,000 surnames). Its digest is part of the analyser version, so a new
  list re-analyses; upgrading Faker changes nothing;
- ordinary words: spaCy's stop words, the lorem list, the verbs, adjectives and adverbs of the installed
  spaCy pipeline's lemmatizer tables (WordNet-derived; its noun table holds proper names too, so it only
  vetoes names with an unknown given name), and the configuration's ``ambiguous_names``.

A given name that is also an ordinary word or a place ('Will', 'Grace', 'Florence') is *ambiguous*: the
recogniser needs more evidence for it (a surname or middle initial beside it). Built once per process
(about 0.5 s); holds no personal data.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NameLexicon:
    given: frozenset[str]  # lower case
    surnames: frozenset[str]  # lower case
    common: frozenset[str]  # lower case: ordinary words and place names
    nouns: frozenset[str] = frozenset()  # lower case: the lemmatizer's nouns (common and proper)
    words: frozenset[str] = frozenset()  # lower case: ordinary words other than nouns (no place names)
    english: frozenset[str] = frozenset()  # lower case: names of the English-speaking locales
    widespread: frozenset[str] = frozenset()  # lower case: given names of two locales or more

    def __repr__(self) -> str:
        sizes = f"given={len(self.given)}, surnames={len(self.surnames)}, common={len(self.common)}"
        return f"NameLexicon({sizes})"

    def is_given(self, word: str) -> bool:
        return word.lower() in self.given

    def is_ambiguous(self, word: str) -> bool:
        return word.lower() in self.common

    def is_surname(self, word: str) -> bool:
        return word.lower() in self.surnames

    def is_word(self, word: str) -> bool:
        """An ordinary English word other than a noun: a stop word, verb, adjective or adverb, also
        inflected ('reading', 'hoped', 'hopes'). Not '-er' (agent nouns are names: 'Baker')."""
        lowered = word.lower()
        if lowered in self.words:
            return True
        for suffix in ("ing", "ed", "s"):
            if lowered.endswith(suffix) and len(lowered) > len(suffix) + 2:
                stem = lowered[: -len(suffix)]
                if (
                    stem in self.words
                    or stem + "e" in self.words
                    or (stem[-1] == stem[-2:-1] and stem[:-1] in self.words)
                ):
                    return True
        return False

    def is_widespread_given(self, word: str) -> bool:
        """A given name in two Faker locales or more: a name, not a one-list oddity ('almond')."""
        return word.lower() in self.widespread

    def is_english_name(self, word: str) -> bool:
        """A given name or surname common in English-speaking countries ('Georgia', 'Houston')."""
        return word.lower() in self.english

    def is_noun(self, word: str) -> bool:
        """An English noun ('Vitamin', 'Tablets'), or a proper name the dictionary knows."""
        lowered = word.lower()
        return lowered in self.nouns or (lowered.endswith("s") and lowered[:-1] in self.nouns)


@functools.cache
def _lemmatizer_words(model: str) -> tuple[frozenset[str], frozenset[str]]:
    """(verbs, adjectives and adverbs; nouns) of the pipeline's lemmatizer tables (empty if it has none)."""
    try:
        import spacy.util  # noqa: PLC0415 - lazy: spaCy loads only when the analyser is built
        from spacy.lookups import Lookups  # noqa: PLC0415 - lazy: as above

        root = Path(model) if Path(model).is_dir() else Path(spacy.util.get_package_path(model))
        path = next(root.glob("*/lemmatizer/lookups"), None) or next(root.glob("lemmatizer/lookups"), None)
        if path is None:
            return frozenset(), frozenset()
        index = Lookups().from_disk(path).get_table("lemma_index")
    except (OSError, ValueError, KeyError, ImportError, AttributeError) as exc:
        log.warning("no lemmatizer word list in the pipeline (%s): lexicon without it", type(exc).__name__)
        return frozenset(), frozenset()
    words: set[str] = set()
    for pos in ("verb", "adj", "adv"):
        words.update(str(w).lower() for w in index.get(pos, ()))
    return frozenset(words), frozenset(str(w).lower() for w in index.get("noun", ()))


NAMES_RESOURCE = "pii_names.tsv"


def resource_text(name: str) -> str:
    return resources.files("scrubdesk.resources").joinpath(name).read_text(encoding="utf-8")


@functools.cache
def resource_digest(name: str) -> str:
    """The first 12 hex digits of the SHA-256 of a packaged word list: part of the analyser version."""
    return hashlib.sha256(resource_text(name).encode("utf-8")).hexdigest()[:12]


@functools.cache
def frozen_lists() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """(given names, surnames, places, ordinary words) of ``pii_names.tsv``, lower case."""
    classes = _frozen_classes()
    given, surnames, places, words = (frozenset(classes[k]) for k in "gspw")
    return given, surnames, places, words


@functools.cache
def widespread_given_names() -> frozenset[str]:
    """Given names of two locales or more, lower case ('nina', 'basil'; not 'almond')."""
    return frozenset(_frozen_classes()["m"])


@functools.cache
def english_names() -> frozenset[str]:
    """Given names and surnames of the English-speaking locales, lower case."""
    return frozenset(_frozen_classes()["e"])


@functools.cache
def _frozen_classes() -> dict[str, set[str]]:
    classes: dict[str, set[str]] = {"g": set(), "m": set(), "s": set(), "e": set(), "p": set(), "w": set()}
    for line in resource_text(NAMES_RESOURCE).splitlines():
        if not line or line.startswith("#"):
            continue
        word, _, kinds = line.partition("\t")
        for kind in kinds:
            classes[kind].add(word)
    return classes


def word_list_sizes() -> tuple[int, int]:
    """(given names, surnames) in the packaged lexicon: the self-test checks it is not empty."""
    given, surnames, _places, _words = frozen_lists()
    return len(given), len(surnames)


@functools.cache
def load_lexicon(model: str, ambiguous: frozenset[str] = frozenset()) -> NameLexicon:
    from spacy.lang.en.stop_words import STOP_WORDS  # noqa: PLC0415 - lazy: spaCy loads only when the analyser is built

    from scrubdesk.models.pii.recognizers.names import NOT_NAME_WORDS  # noqa: PLC0415 - lazy: the recognisers import this module (cycle)

    given, surnames, places, lorem = frozen_lists()
    other_words, nouns = _lemmatizer_words(model)
    words = set(STOP_WORDS) | set(NOT_NAME_WORDS) | lorem | other_words | set(ambiguous) | _EXTRA_COMMON
    common = words | places
    lexicon = NameLexicon(
        frozenset(given),
        frozenset(surnames),
        frozenset(common),
        nouns,
        frozenset(words),
        english_names(),
        widespread_given_names(),
    )
    log.debug("name lexicon: %r", lexicon)
    return lexicon


# Words of customer email that are given names somewhere but rarely people here.
_EXTRA_COMMON = frozenset(
    {
        "april", "june", "july", "august", "may", "monday", "sunday", "christmas", "easter", "euro", "euros",
        "dear", "hello", "thanks", "regards", "sir", "madam", "team", "support", "customer", "service",
        "services", "energy", "gas", "bank", "card", "account", "meter", "tariff", "bill", "invoice", "order",
        "street", "road", "lane", "avenue", "house", "flat", "apartment", "suite", "unit", "box", "post",
        "office", "station", "airport", "hotel", "hospital", "school", "university", "college", "church",
        "park", "city", "town", "county", "north", "south", "east", "west", "central", "royal", "national",
        "international", "limited", "ltd", "inc", "plc", "llc", "group", "company", "corporation", "mobile",
        "phone", "email", "online", "internet", "web", "app", "iphone", "android", "google", "apple",
        "amazon", "microsoft", "windows", "paypal", "visa", "mastercard", "english", "british", "american",
        # UK banks, shops and brands that are given names or surnames somewhere
        "starling", "santander", "halifax", "barclays", "lloyds", "nationwide", "natwest", "monzo",
        "revolut", "tesco", "sainsbury", "sainsburys", "asda", "morrisons", "boots", "argos", "currys",
        "ocado", "octopus",
        # titles and ranks that are given names somewhere
        "princess", "prince", "king", "queen", "duke", "duchess", "earl", "baron", "major", "general",
        "captain", "colonel", "judge", "bishop", "saint", "aunt", "uncle", "auntie", "nana", "granny",
    }
)  # fmt: skip
