"""The base class of Scrubdesk's pattern recognisers: subclasses hold data and one validation rule.

A subclass sets ``ENTITY``, ``PATTERNS`` (name, regex, score), optionally ``CONTEXT`` and ``FLAGS``, and
overrides :meth:`check` when a match must pass a checksum or structural rule. Presidio semantics apply:
a match whose ``check`` passes gets ``VALID_SCORE`` when that is set (else keeps its pattern score),
a match that fails ``check`` is dropped.
"""

from __future__ import annotations

from typing import ClassVar

import regex
from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts


class DeclarativeRecognizer(PatternRecognizer):
    ENTITY: ClassVar[str]
    PATTERNS: ClassVar[tuple[tuple[str, str, float], ...]]
    CONTEXT: ClassVar[tuple[str, ...]] = ()
    FLAGS: ClassVar[int] = regex.IGNORECASE | regex.MULTILINE
    VALID_SCORE: ClassVar[float | None] = None  # None: a passing check keeps the pattern's score
    # A match scoring below this is useful only when Presidio's context enhancer raises it: without any
    # context word in the text just before it, it is dropped here, which spares the enhancer its costly
    # token search (a superset test: a context word anywhere in the window keeps the match).
    NEEDS_CONTEXT_BELOW: ClassVar[float] = 0.3
    CONTEXT_WINDOW: ClassVar[int] = 100

    def __init__(self, language: str = "en") -> None:
        super().__init__(
            supported_entity=self.ENTITY,
            name=type(self).__name__,
            supported_language=language,
            patterns=[Pattern(name, rx, score) for name, rx, score in self.PATTERNS],
            context=list(self.CONTEXT),
            global_regex_flags=self.FLAGS,
        )

    def check(self, text: str) -> bool:
        """The validation rule for a matched text. The default accepts every match."""
        return True

    def validate_result(self, pattern_text: str) -> bool | None:
        if not self.check(pattern_text):
            return False
        return True if self.VALID_SCORE is not None else None

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        results: list[RecognizerResult] = super().analyze(text, entities, nlp_artifacts, regex_flags)
        if self.VALID_SCORE is not None:
            for r in results:
                if r.score == self.MAX_SCORE:
                    r.score = self.VALID_SCORE
        return self.with_context_chance(text, results)

    def with_context_chance(self, text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
        if not self.CONTEXT:
            return results
        kept = []
        for r in results:
            if r.score >= self.NEEDS_CONTEXT_BELOW:
                kept.append(r)
                continue
            window = text[max(0, r.start - self.CONTEXT_WINDOW) : r.start].lower()
            if any(word in window for word in self._context_lower):
                kept.append(r)
        return kept

    @property
    def _context_lower(self) -> tuple[str, ...]:
        return tuple(w.lower() for w in self.CONTEXT)
