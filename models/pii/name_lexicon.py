"""Word lists for recognising names: given names and surnames of many countries, and the words that must
not be taken for a name on their own (ordinary English words, place names).

Sources, all installed with Scrubdesk and read locally (no network, nothing written):

- given names and surnames: the person providers of Faker (a dependency, used for surrogates), every
  locale, about 31,000 given names and 28,000 surnames;
- ordinary words: spaCy's stop words, Faker's English lorem word list, the verbs, adjectives and adverbs of
  the installed spaCy pipeline's lemmatizer tables (WordNet-derived; its noun table holds proper names
  too, so it only vetoes names with an unknown given name), and the configuration's ``ambiguous_names``;
- place names: the countries, states and cities (one-word ones) of Faker's address providers.

A given name that is also an ordinary word or a place ('Will', 'Grace', 'Florence') is *ambiguous*: the
recogniser needs more evidence for it (a surname or middle initial beside it). Built once per process
(about 0.5 s); holds no personal data.
"""

from __future__ import annotations

import functools
import importlib
import logging
import pkgutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import regex

log = logging.getLogger(__name__)

_WORD = regex.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


@dataclass(frozen=True)
class NameLexicon:
    given: frozenset[str]  # lower case
    surnames: frozenset[str]  # lower case
    common: frozenset[str]  # lower case: ordinary words and place names
    nouns: frozenset[str] = frozenset()  # lower case: the lemmatizer's nouns (common and proper)

    def __repr__(self) -> str:
        sizes = f"given={len(self.given)}, surnames={len(self.surnames)}, common={len(self.common)}"
        return f"NameLexicon({sizes})"

    def is_given(self, word: str) -> bool:
        return word.lower() in self.given

    def is_ambiguous(self, word: str) -> bool:
        return word.lower() in self.common

    def is_surname(self, word: str) -> bool:
        return word.lower() in self.surnames

    def is_noun(self, word: str) -> bool:
        """An English noun ('Vitamin', 'Tablets'), or a proper name the dictionary knows."""
        lowered = word.lower()
        return lowered in self.nouns or (lowered.endswith("s") and lowered[:-1] in self.nouns)


def _faker_modules(package: str) -> Iterable[object]:
    parent = importlib.import_module(package)
    for info in pkgutil.iter_modules(parent.__path__):
        try:
            module = importlib.import_module(f"{package}.{info.name}")
        except ImportError:  # pragma: no cover - a broken locale is skipped, not fatal
            continue
        provider = getattr(module, "Provider", None)
        if provider is not None:
            yield provider


def _class_words(provider: object, names: Iterable[str]) -> Iterable[str]:
    for name in names:
        value = vars(provider).get(name)
        if isinstance(value, dict | list | tuple | set | frozenset):
            yield from (str(v) for v in value)


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


@functools.cache
def _faker_lists() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    given: set[str] = set()
    surnames: set[str] = set()
    for provider in _faker_modules("faker.providers.person"):
        given.update(
            _class_words(
                provider, ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary")
            )
        )
        surnames.update(_class_words(provider, ("last_names",)))
    places: set[str] = set()
    for provider in _faker_modules("faker.providers.address"):
        places.update(
            entry.lower()
            for entry in _class_words(provider, ("countries", "states", "cities", "city_names", "regions"))
            if _WORD.fullmatch(entry)
        )

    def single_words(values: set[str]) -> frozenset[str]:
        return frozenset(v.lower() for v in values if _WORD.fullmatch(v) and len(v) >= 2)

    return single_words(given), single_words(surnames), frozenset(places)


@functools.cache
def load_lexicon(model: str, ambiguous: frozenset[str] = frozenset()) -> NameLexicon:
    from faker.providers.lorem.en_US import Provider as Lorem  # noqa: PLC0415 - lazy: Faker loads only while the lexicon is built
    from spacy.lang.en.stop_words import STOP_WORDS  # noqa: PLC0415 - lazy: as above

    from scrubdesk.models.pii.recognizers.names import NOT_NAME_WORDS  # noqa: PLC0415 - lazy: the recognisers import this module (cycle)

    given, surnames, places = _faker_lists()
    other_words, nouns = _lemmatizer_words(model)
    common = (
        set(STOP_WORDS)
        | set(NOT_NAME_WORDS)
        | {w.lower() for w in Lorem.word_list}
        | other_words
        | set(ambiguous)
        | places
        | _EXTRA_COMMON
    )
    lexicon = NameLexicon(frozenset(given), frozenset(surnames), frozenset(common), nouns)
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
