"""The indexed context enhancer must decide exactly as Presidio's LemmaContextAwareEnhancer does."""

from __future__ import annotations

import pytest
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer

from scrubdesk.core.synthetic import generate
from scrubdesk.models.pii.analyzer import AnalysisInput
from scrubdesk.models.pii.context import IndexedContextEnhancer, _TokenIndex


@pytest.fixture(scope="module")
def emails():
    return list(generate(80, seed=23, hard=True))


def test_the_analyser_uses_the_indexed_enhancer(analyzer):
    assert isinstance(analyzer.engine.context_aware_enhancer, IndexedContextEnhancer)


def test_same_spans_and_scores_as_presidios_enhancer(analyzer, emails):
    inputs = [AnalysisInput(e.body, e.headers()) for e in emails]
    ours = list(analyzer.analyze_many(inputs))
    engine = analyzer.engine
    original = engine.context_aware_enhancer
    engine.context_aware_enhancer = LemmaContextAwareEnhancer()
    try:
        presidios = list(analyzer.analyze_many(inputs))
    finally:
        engine.context_aware_enhancer = original
    assert sum(len(s) for s in ours) > 500
    assert ours == presidios
    # the comparison is only meaningful if context raised some scores
    boosted = [s for spans in ours for s in spans if s.recognizer == "UkPhoneRecognizer" and s.score > 0.45]
    assert boosted


def test_surrounding_words_match_presidios_token_walk(analyzer, emails):
    presidio = LemmaContextAwareEnhancer()
    nlp = analyzer.nlp_engine
    checked = 0
    for email in emails[:20]:
        artifacts = nlp.process_text(email.body, "en")
        index = _TokenIndex.of(artifacts)
        for start in range(0, len(email.body), 7):
            if start >= index.ends[-1]:
                break
            expected = presidio._extract_surrounding_words(artifacts, email.body[start : start + 5], start)
            assert sorted(index.surrounding(start, 5, 0)) == sorted(expected)
            checked += 1
    assert checked > 500


def test_a_match_past_the_last_token_is_an_error(analyzer):
    artifacts = analyzer.nlp_engine.process_text("call me", "en")
    with pytest.raises(ValueError, match="beyond the last token"):
        _TokenIndex.of(artifacts).surrounding(50, 5, 0)
