"""Dates of birth: a date written in any common UK style, after words like 'date of birth' or 'DOB'.

Other dates are not personal data on their own, so a date without such a word nearby is not reported.
"""

from __future__ import annotations

import regex
from presidio_analyzer import RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from scrubdesk.models.pii.entities import DATE_OF_BIRTH
from scrubdesk.models.pii.recognizers.declarative import DeclarativeRecognizer

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
DATE = (
    rf"(?:{_DAY}[/.\-]{{1}}(?:1[0-2]|0?[1-9])[/.\-](?:19|20)?\d\d"
    rf"|(?:19|20)\d\d-(?:1[0-2]|0[1-9])-(?:[12]\d|3[01]|0[1-9])"
    rf"|{_DAY}[ \t]+(?:of[ \t]+)?{_MONTH},?[ \t]+(?:19|20)\d\d"
    rf"|{_MONTH}[ \t]+{_DAY},?[ \t]+(?:19|20)\d\d)"
)
_CUE = r"(?:date[ \t]+of[ \t]+birth|d\.?o\.?b\.?|birth[ \t]*date|born(?:[ \t]+on)?|birthday(?:[ \t]+is)?)"


class DateOfBirthRecognizer(DeclarativeRecognizer):
    ENTITY = DATE_OF_BIRTH
    PATTERNS = (("date after a birth cue", rf"(?<={_CUE}\b[^\n\d]{{0,30}}){DATE}(?!\d)", 0.85),)

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        """What the pattern finds, found from the cues forward: the look-behind costs a search at every
        position of the text, this a search after each cue (the first date within 30 characters that
        hold no digit or line break, as the look-behind allows)."""
        pattern = self.patterns[0]
        results = []
        for m in _FORWARD.finditer(text):
            start, end = m.span("date")
            explanation = self.build_regex_explanation(
                self.name, pattern.name, pattern.regex, pattern.score, None, self.global_regex_flags
            )
            results.append(
                RecognizerResult(
                    entity_type=self.ENTITY,
                    start=start,
                    end=end,
                    score=pattern.score,
                    analysis_explanation=explanation,
                    recognition_metadata={
                        RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                        RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
                    },
                )
            )
        return results


_FORWARD = regex.compile(
    rf"{_CUE}\b[^\n\d]{{0,30}}?(?P<date>{DATE})(?!\d)", regex.IGNORECASE | regex.MULTILINE
)
