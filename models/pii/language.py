"""The language of a message, detected offline with CLD2 (pycld2: Google's Compact Language Detector 2,
Apache 2.0, compiled in, no model file to load; about 0.2 ms for a long e-mail).

The name and place recognisers are English (word lists, cues, an English NER model): on other languages
they flood a text with false findings (every German noun is capitalised). A message is *not supported*
when it holds enough letters to judge (``MIN_LETTERS``), CLD2 calls its guess reliable, the guess is not
the analyser's language, it covers most of the text and the analyser's language has little of it. An
English reply quoting a German mail is supported; a one-line 'lol' is always supported (too short to
tell). What is done with an unsupported message is :class:`~scrubdesk.models.pii.analyzer.PiiAnalyzer`'s
business: it keeps the language-independent findings (addresses, numbers, header names) and flags it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pycld2

MIN_LETTERS = 80
MIN_SHARE = 60  # per cent of the text in the detected language
MAX_SUPPORTED_SHARE = 25  # ... while the supported language has at most this share


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    code: str  # ISO 639-1 where CLD2 has one ('de', 'fr'), else CLD2's code; 'un' when unknown
    share: int  # per cent of the text
    reliable: bool


def guess_language(text: str) -> tuple[LanguageGuess, ...]:
    """CLD2's guesses for ``text``, most of the text first (empty when too short or undecidable)."""
    if sum(ch.isalpha() for ch in text[:4000]) < MIN_LETTERS:
        return ()
    safe = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates would make CLD2 raise
    try:
        reliable, _, details = pycld2.detect(safe)
    except pycld2.error:
        return ()
    return tuple(
        LanguageGuess(str(code), int(percent), bool(reliable))
        for _, code, percent, _ in details
        if code != "un"
    )


def language_of(text: str, supported: str = "en") -> tuple[str | None, bool]:
    """(detected language or None when too short to tell, whether the analyser supports the text)."""
    guesses = guess_language(text)
    if not guesses:
        return None, True
    top = guesses[0]
    share_supported = sum(g.share for g in guesses if g.code == supported)
    unsupported = (
        top.reliable
        and top.code != supported
        and top.share >= MIN_SHARE
        and share_supported <= MAX_SUPPORTED_SHARE
    )
    return top.code, not unsupported
