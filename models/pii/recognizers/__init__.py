"""Scrubdesk's recognisers, assembled from the configuration into a Presidio registry."""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer, RecognizerRegistry

from scrubdesk.models.pii.config import PiiConfig
from scrubdesk.models.pii.name_lexicon import load_lexicon
from scrubdesk.models.pii.recognizers.address import AddressTownRecognizer, StreetAddressRecognizer
from scrubdesk.models.pii.recognizers.birth_date import DateOfBirthRecognizer
from scrubdesk.models.pii.recognizers.finance import (
    BankAccountRecognizer,
    CardNumberRecognizer,
    IbanCodeRecognizer,
    SortCodeRecognizer,
)
from scrubdesk.models.pii.recognizers.internet import (
    EmailAddressRecognizer,
    IpAddressRecognizer,
    WebAddressRecognizer,
)
from scrubdesk.models.pii.recognizers.letter_names import LetterNameRecognizer
from scrubdesk.models.pii.recognizers.lexicon_names import LexiconNameRecognizer
from scrubdesk.models.pii.recognizers.names import (
    LowerCaseNameCueRecognizer,
    NameCueRecognizer,
    TitledNameRecognizer,
)
from scrubdesk.models.pii.recognizers.ner import FilteredSpacyRecognizer
from scrubdesk.models.pii.recognizers.phone import UkPhoneRecognizer
from scrubdesk.models.pii.recognizers.places import GazetteerPlaceRecognizer, PlaceCueRecognizer
from scrubdesk.models.pii.recognizers.postal import PostalAddressRecognizer
from scrubdesk.models.pii.recognizers.salutations import SalutationNameRecognizer
from scrubdesk.models.pii.recognizers.uk_ids import (
    NhsNumberRecognizer,
    NinoRecognizer,
    OutwardCodeRecognizer,
    PostcodeRecognizer,
)

BUILT_IN: tuple[type[EntityRecognizer], ...] = (
    PostcodeRecognizer,
    OutwardCodeRecognizer,
    NinoRecognizer,
    NhsNumberRecognizer,
    SortCodeRecognizer,
    BankAccountRecognizer,
    IbanCodeRecognizer,
    CardNumberRecognizer,
    UkPhoneRecognizer,
    EmailAddressRecognizer,
    WebAddressRecognizer,
    IpAddressRecognizer,
    DateOfBirthRecognizer,
    StreetAddressRecognizer,
    AddressTownRecognizer,
    PostalAddressRecognizer,
    PlaceCueRecognizer,
    TitledNameRecognizer,
    NameCueRecognizer,
    LetterNameRecognizer,
)
NER_RECOGNIZER = "SpacyRecognizer"
LEXICON_RECOGNIZER = "LexiconNameRecognizer"
GAZETTEER_RECOGNIZER = "GazetteerPlaceRecognizer"
SALUTATION_RECOGNIZER = "SalutationNameRecognizer"
ALL_NAMES: tuple[str, ...] = (
    *(r.__name__ for r in BUILT_IN),
    "LowerCaseNameCueRecognizer",
    LEXICON_RECOGNIZER,
    GAZETTEER_RECOGNIZER,
    SALUTATION_RECOGNIZER,
    NER_RECOGNIZER,
    "HeaderNameRecognizer",
    "NamePropagation",
    "LanguageDetection",
)


def build_recognizers(config: PiiConfig) -> list[EntityRecognizer]:
    language = config.language
    recognizers: list[EntityRecognizer] = [
        cls(language=language) for cls in BUILT_IN if config.enabled(cls.__name__)
    ]
    lexicon = load_lexicon(config.model, config.ambiguous_names)
    if config.enabled(LEXICON_RECOGNIZER):
        recognizers.append(LexiconNameRecognizer(lexicon, language))
    if config.enabled(GAZETTEER_RECOGNIZER):
        recognizers.append(GazetteerPlaceRecognizer(lexicon, language))
    if config.enabled("LowerCaseNameCueRecognizer"):
        # a lexicon given name is never vetoed as an ordinary word ('my wife, rose')
        recognizers.append(
            LowerCaseNameCueRecognizer(
                language, is_word=lambda w: lexicon.is_word(w) and not lexicon.is_given(w)
            )
        )
    if config.enabled(SALUTATION_RECOGNIZER):
        recognizers.append(SalutationNameRecognizer(lexicon, language))
    if config.enabled(NER_RECOGNIZER):
        recognizers.append(FilteredSpacyRecognizer(language, config.ambiguous_names, lexicon))
    for spec in config.custom_recognizers:
        if spec.enabled and config.enabled(spec.name):
            recognizers.append(
                PatternRecognizer(
                    supported_entity=spec.supported_entity,
                    name=spec.name,
                    supported_language=language,
                    patterns=[Pattern(p.name, p.regex, p.score) for p in spec.patterns],
                    context=list(spec.context),
                    global_regex_flags=0,
                )
            )
    for label, words in config.deny_list.items():
        if words:
            recognizers.append(
                PatternRecognizer(
                    supported_entity=label,
                    name=f"DenyList_{label}",
                    supported_language=language,
                    deny_list=list(words),
                    deny_list_score=1.0,
                )
            )
    return recognizers


def build_registry(config: PiiConfig) -> RecognizerRegistry:
    registry = RecognizerRegistry(supported_languages=[config.language])
    for recognizer in build_recognizers(config):
        registry.add_recognizer(recognizer)
    return registry
