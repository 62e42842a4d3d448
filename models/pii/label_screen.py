"""The PII analyser's opinion on a label name: core screens every new label with it (through
:data:`scrubdesk.core.labels.LabelScreen`), because labels leave the project in exports and a label that
names a person (``Jane Smith``) would carry personal data out with every row."""

from __future__ import annotations

from scrubdesk.models.pii.analyzer import AnalysisInput
from scrubdesk.models.pii.engine import get_analyzer

MIN_SCORE = 0.5
_SEPARATORS = str.maketrans({"_": " ", "-": " ", ".": " ", "/": " "})


def variants(name: str) -> list[str]:
    """How the analyser reads a label: as written, and with separators as spaces (``jane_smith``)."""
    spaced = " ".join(name.translate(_SEPARATORS).split())
    return list(dict.fromkeys([name, spaced]))


def screen_label(name: str) -> list[str]:
    """Entity types the analyser finds in ``name`` (any variant) with at least :data:`MIN_SCORE`."""
    found: dict[str, None] = {}
    for spans in get_analyzer().analyze_many([AnalysisInput(v) for v in variants(name)]):
        found.update((s.label, None) for s in spans if s.score >= MIN_SCORE)
    return list(found)
