"""The spaCy pipeline costs seconds to load: one analyser per test session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def analyzer():
    from scrubdesk.models.pii.engine import get_analyzer

    return get_analyzer()


@pytest.fixture(scope="session")
def find(analyzer):
    """find(text, headers=None) -> [(label, matched text)]"""

    def _find(text, headers=None):
        return [(s.label, text[s.start : s.end]) for s in analyzer.analyze(text, headers)]

    return _find
