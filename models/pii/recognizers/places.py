"""Place names in prose, after a cue such as 'we live in', 'moving to', 'away in' or a bare 'in'."""

from __future__ import annotations

import regex

from scrubdesk.models.pii.entities import LOCATION
from scrubdesk.models.pii.recognizers.declarative import DeclarativeRecognizer
from scrubdesk.models.pii.recognizers.names import NOT_NAME_WORDS

_PLACE = r"[A-Z][a-z'’]+(?:[ \t-](?:upon|on|under|in|by|le|en)[ \t-][A-Z][a-z'’]+|[ \t][A-Z][a-z'’]+)?"
_STRONG = (
    r"(?i:live|lives|living|lived|based|staying|stay|moving|moved|move|relocating|relocate|away|holiday|"
    r"visiting|visit|trip|we're|we are|i'm|i am|were|was|be|born|grew up|from here)[ \t]+(?:in|to|near|at)"
)
_NOT_PLACES = NOT_NAME_WORDS | {"easter", "christmas", "english", "welsh", "scottish", "british", "euros"}


class PlaceCueRecognizer(DeclarativeRecognizer):
    ENTITY = LOCATION
    PATTERNS = (
        ("place after a strong cue", rf"(?<=\b{_STRONG}[ \t]+){_PLACE}", 0.75),
        ("place after 'in'", rf"(?<=\b(?:in|near|around|outside)[ \t]+){_PLACE}", 0.5),
    )
    FLAGS = regex.MULTILINE

    def check(self, text: str) -> bool:
        return all(w.lower() not in _NOT_PLACES for w in text.split())
