"""Presidio's lemma context enhancer, same decisions, without its per-message costs.

Presidio's ``LemmaContextAwareEnhancer`` deep-copies every result of every message, finds each result's
token by walking the document from its start, and tests each lemma against the keyword *list*. On a
typical email that was about a sixth of the analyser's time. :class:`IndexedContextEnhancer` changes only
how, not what:

- results are raised in place: the analyser creates them for this one call and never reuses them;
- the token holding a match is found by bisecting the token end offsets;
- keywords are looked up in a set built once per document.

``tests/models/test_context_enhancer.py`` checks that it returns the same scores as Presidio's own on
real analyser output.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerResult
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer, LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NlpArtifacts

_ID_KEY = RecognizerResult.RECOGNIZER_IDENTIFIER_KEY
_BOOSTED_KEY = RecognizerResult.IS_SCORE_ENHANCED_BY_CONTEXT_KEY


class IndexedContextEnhancer(LemmaContextAwareEnhancer):
    """Drop-in for Presidio's default enhancer (same parameters, same results)."""

    def enhance_using_context(
        self,
        text: str,
        raw_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        recognizers: list[EntityRecognizer],
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        if nlp_artifacts is None or not raw_results:
            return raw_results
        by_id = {recognizer.id: recognizer for recognizer in recognizers}
        extra = [word.lower() for word in context] if context else []
        index: _TokenIndex | None = None
        for result in raw_results:
            metadata = result.recognition_metadata
            recognizer = by_id.get(metadata.get(_ID_KEY)) if metadata else None
            if recognizer is None or not recognizer.context or metadata.get(_BOOSTED_KEY):
                continue
            if index is None:
                index = _TokenIndex.of(nlp_artifacts)
            surrounding = index.surrounding(
                result.start, self.context_prefix_count, self.context_suffix_count
            )
            surrounding.extend(extra)
            word = self._find_supportive_word_in_context(
                surrounding, recognizer.context, self.context_matching_mode
            )
            if word:
                score = max(
                    result.score + self.context_similarity_factor, self.min_score_with_context_similarity
                )
                result.score = min(score, ContextAwareEnhancer.MAX_SCORE)
                result.analysis_explanation.set_supportive_context_word(word)
                result.analysis_explanation.set_improved_score(result.score)
        return raw_results


class _TokenIndex:
    """Token end offsets, lower-cased lemmas and the keyword set of one document, built once."""

    __slots__ = ("ends", "keywords", "lemmas")

    def __init__(self, ends: list[int], lemmas: list[str], keywords: frozenset[str]) -> None:
        self.ends = ends
        self.lemmas = lemmas
        self.keywords = keywords

    @classmethod
    def of(cls, artifacts: NlpArtifacts) -> _TokenIndex:
        cached: _TokenIndex | None = getattr(artifacts, "_scrubdesk_token_index", None)
        if cached is None:
            ends = getattr(artifacts, "token_ends", None)
            if ends is None:
                ends = [
                    start + len(token)
                    for start, token in zip(artifacts.tokens_indices, artifacts.tokens, strict=True)
                ]
            lemmas = [lemma.lower() for lemma in artifacts.lemmas]
            cached = cls(ends, lemmas, frozenset(artifacts.keywords))
            artifacts._scrubdesk_token_index = cached
        return cached

    def surrounding(self, start: int, before: int, after: int) -> list[str]:
        """The keyword lemmas around the token holding ``start``: as Presidio's enhancer, up to ``before``
        keywords back and ``after`` forward, counting the token itself on both sides."""
        i = bisect_right(self.ends, start)
        if i >= len(self.ends):
            raise ValueError("a match lies beyond the last token of its text")
        words = self._collect(i, before, -1) + self._collect(i, after, 1)
        return list(set(words))

    def _collect(self, i: int, n_words: int, step: int) -> list[str]:
        words: list[str] = []
        remaining = n_words + 1
        lemmas, keywords = self.lemmas, self.keywords
        while 0 <= i < len(lemmas) and remaining > 0:
            if lemmas[i] in keywords:
                words.append(lemmas[i])
                remaining -= 1
            i += step
        return words


def keyword_parts(lemma: str, is_stop: Any, is_punct: Any) -> tuple[str, ...]:
    """What Presidio's ``NlpArtifacts.set_keywords`` keeps of one lemma: nothing for stop words,
    punctuation, '-PRON-' and 'be'; otherwise the lower-cased lemma split on ':'."""
    if is_stop(lemma) or is_punct(lemma) or lemma in ("-PRON-", "be"):
        return ()
    return tuple(lemma.lower().split(":"))


class GroupedContextEngine(AnalyzerEngine):
    """Presidio's AnalyzerEngine with its context step done in one pass: Presidio splits the results
    into 'this recogniser's' and 'the others'' once per recogniser (quadratic in a long message) only to
    hand them to ``enhance_using_context``, which no recogniser here overrides. Same results, same order.
    """

    def _enhance_using_context(
        self,
        text: str,
        raw_results: list[RecognizerResult],
        nlp_artifacts: NlpArtifacts,
        recognizers: list[EntityRecognizer],
        context: list[str] | None = None,
    ) -> list[RecognizerResult]:
        by_id: dict[str, list[RecognizerResult]] = {}
        for result in raw_results:
            by_id.setdefault(result.recognition_metadata[_ID_KEY], []).append(result)
        results: list[RecognizerResult] = []
        for recognizer in recognizers:
            own = by_id.get(recognizer.id, [])
            if type(recognizer).enhance_using_context is not EntityRecognizer.enhance_using_context:
                others = [r for r in raw_results if r.recognition_metadata[_ID_KEY] != recognizer.id]
                own = recognizer.enhance_using_context(
                    text=text,
                    raw_recognizer_results=own,
                    other_raw_recognizer_results=others,
                    nlp_artifacts=nlp_artifacts,
                    context=context,
                )
            results.extend(own)
        enhanced: list[RecognizerResult] = self.context_aware_enhancer.enhance_using_context(
            text=text,
            raw_results=results,
            nlp_artifacts=nlp_artifacts,
            recognizers=recognizers,
            context=context,
        )
        return enhanced
