"""What our own rule-based recognizers share: nothing to load, and no work unless asked for their entity."""

from __future__ import annotations

from presidio_analyzer import EntityRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from scrubdesk.models.pii.gazetteer import Gazetteer, load_gazetteer
from scrubdesk.models.pii.name_lexicon import NameLexicon


class RuleRecognizer(EntityRecognizer):
    """A recognizer named after its class. Subclasses implement `find`, which runs only when the
    analyser asks for at least one of `supported_entities`."""

    def __init__(self, entities: list[str], language: str = "en") -> None:
        super().__init__(supported_entities=entities, name=type(self).__name__, supported_language=language)

    def load(self) -> None:
        return None

    def analyze(
        self, text: str, entities: list[str], nlp_artifacts: NlpArtifacts | None = None
    ) -> list[RecognizerResult]:
        if not any(entity in entities for entity in self.supported_entities):
            return []
        return self.find(text, entities)

    def find(self, text: str, entities: list[str]) -> list[RecognizerResult]:
        raise NotImplementedError

    def result(self, label: str, start: int, end: int, score: float) -> RecognizerResult:
        """A finding of this recognizer, named in its metadata as Presidio's own recognizers name theirs."""
        return RecognizerResult(
            label,
            start,
            end,
            score,
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )


class LexiconRecognizer(RuleRecognizer):
    """A rule recognizer that consults the frozen name lexicon and the place gazetteer."""

    def __init__(
        self,
        entities: list[str],
        lexicon: NameLexicon,
        language: str = "en",
        gazetteer: Gazetteer | None = None,
    ) -> None:
        self.lexicon = lexicon
        self.gazetteer = gazetteer or load_gazetteer()
        super().__init__(entities, language)
