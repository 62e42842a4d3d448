"""Names in the letter's frame: the greeting line ('Dear Ms Jane Smith,', 'hi tom') and the signature
(the name line after a sign-off such as 'Kind regards,' or after the '-- ' delimiter, or on the sign-off
line itself: 'Thanks, Tom'). Works line by line; quoted lines ('> ') count too.
"""

from __future__ import annotations

import regex
from presidio_analyzer import RecognizerResult

from scrubdesk.models.pii.entities import PERSON
from scrubdesk.models.pii.recognizers.base import RuleRecognizer
from scrubdesk.models.pii.recognizers.names import NOT_NAME_WORDS

_QUOTE = r"^[ \t>]*"
_NAME_PIECE = r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z'’]+)?\.?"
_NAME_RUN = rf"{_NAME_PIECE}(?:[ \t]+{_NAME_PIECE}){{0,3}}"
_TITLE = r"(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Lady|Lord)\.?[ \t]+)"
_GREETING = regex.compile(
    rf"{_QUOTE}(?:dear|hi|hello|hey|hiya|morning|afternoon|evening|good[ \t]+(?:morning|afternoon|evening)|"
    rf"attn:?|fao:?)[ \t,]+{_TITLE}?(?P<name>{_NAME_RUN})[ \t]*(?:[,!.:;]|$)",
    regex.IGNORECASE | regex.MULTILINE,
)
_SIGNOFF = (
    r"(?:(?:kind|best|warm|warmest|many|with|all[ \t]+the)[ \t]+(?:regards|wishes|thanks|best)|regards|"
    r"thanks(?:[ \t]+(?:again|so[ \t]+much|a[ \t]+lot|in[ \t]+advance|very[ \t]+much))?|thank[ \t]+you"
    r"(?:[ \t]+(?:again|so[ \t]+much|very[ \t]+much|in[ \t]+advance))?|cheers|best|yours(?:[ \t]+"
    r"(?:sincerely|faithfully|truly))?|sincerely|take[ \t]+care|love|ta|speak[ \t]+soon|rgds|thx)"
)
_SIGNOFF_LINE = regex.compile(rf"{_QUOTE}{_SIGNOFF}[ \t]*[,.!]*[ \t]*$", regex.IGNORECASE | regex.MULTILINE)
_SIGNOFF_INLINE = regex.compile(
    rf"{_QUOTE}{_SIGNOFF}[ \t]*[,.!\-–—]+[ \t]*(?P<name>{_NAME_RUN})[ \t]*[.!]?[ \t]*$",
    regex.IGNORECASE | regex.MULTILINE,
)
_SIG_DELIMITER = regex.compile(r"^-- ?$", regex.MULTILINE)
_NAME_LINE = regex.compile(rf"^[ \t>]*{_TITLE}?(?P<name>{_NAME_RUN})[ \t]*$")
_NOT_NAME_LINE_START = ("sent ", "get outlook", "from my", "on behalf")


def _is_name(run: str) -> bool:
    words = [w.strip(".").lower() for w in run.split()]
    if not words or any(w in NOT_NAME_WORDS for w in words):
        return False
    # Either every word is capitalised, or the whole run is lower case (people type 'hi tom').
    raw = run.split()
    capitalised = all(w[0].isupper() for w in raw)
    return capitalised or run.islower()


class LetterNameRecognizer(RuleRecognizer):
    def __init__(self, language: str = "en", score: float = 0.85) -> None:
        self.score = score
        super().__init__([PERSON], language)

    def find(self, text: str, entities: list[str]) -> list[RecognizerResult]:
        spans: list[tuple[int, int, float]] = []
        for m in _GREETING.finditer(text):
            if _is_name(m.group("name")):
                spans.append((*m.span("name"), self.score))
        for m in _SIGNOFF_INLINE.finditer(text):
            if _is_name(m.group("name")):
                spans.append((*m.span("name"), self.score))
        for m in [*_SIGNOFF_LINE.finditer(text), *_SIG_DELIMITER.finditer(text)]:
            found = self._name_after(text, m.end())
            if found:
                spans.append((*found, self.score + 0.05))
        return [self.result(PERSON, start, end, score) for start, end, score in spans]

    def _name_after(self, text: str, pos: int) -> tuple[int, int] | None:
        """The first non-blank line after ``pos`` (at most one blank line between), if it is a name."""
        newline = text.find("\n", pos)
        if newline == -1:
            return None
        cursor, blanks = newline + 1, 0
        while cursor < len(text):
            end = text.find("\n", cursor)
            end = len(text) if end == -1 else end
            line = text[cursor:end]
            stripped = line.strip(" \t>")
            if not stripped:
                blanks += 1
                if blanks > 1:
                    return None
                cursor = end + 1
                continue
            if stripped.lower().startswith(_NOT_NAME_LINE_START):
                return None
            m = _NAME_LINE.match(line)
            if m and _is_name(m.group("name")):
                return cursor + m.start("name"), cursor + m.end("name")
            return None
        return None
