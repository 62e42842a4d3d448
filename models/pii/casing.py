"""ALL-CAPS lines, re-cased before analysis so that NER and the capitalisation-driven recognisers can read
them ('MY NAME IS JOHN SMITH AND I LIVE IN LEEDS' -> 'My name is John Smith and I live in Leeds').

Ordinary English words go to lower case, other words to title case, the first word of the line is
capitalised, and tokens with digits (postcodes, references) or of up to three letters that are no
English word (acronyms: 'NHS', 'UK') stay as they are. Only the case changes and the result has exactly
the same length, so every offset found in the re-cased text is an offset of the original: spans map back
one to one. A line whose re-casing would change its length (a few Unicode letters do) is left alone.
"""

from __future__ import annotations

from collections.abc import Callable

import regex

_WORD = regex.compile(r"[\p{L}\p{M}'’]+|\S")
_LOWER = regex.compile(r"\p{Ll}")
MIN_LETTERS = 6  # 'OK', 'FYI', 'RE: X' are not shouting


def is_shouting(line: str) -> bool:
    """A line with letters, no lower-case letter and at least two words of letters."""
    if _LOWER.search(line) or sum(ch.isalpha() for ch in line) < MIN_LETTERS:
        return False
    return sum(1 for w in line.split() if any(ch.isalpha() for ch in w)) >= 2


def recase(text: str, is_word: Callable[[str], bool]) -> str:
    """``text`` with its ALL-CAPS lines re-cased (same length); other lines unchanged."""
    lines = text.split("\n")
    changed = False
    for i, line in enumerate(lines):
        if is_shouting(line):
            lines[i] = _recase_line(line, is_word)
            changed = True
    return "\n".join(lines) if changed else text


def _recase_line(line: str, is_word: Callable[[str], bool]) -> str:
    pieces: list[str] = []
    pos = 0
    first = True
    for m in _WORD.finditer(line):
        pieces.append(line[pos : m.start()])
        word = m.group()
        if not word[0].isalpha():
            pieces.append(word)
        else:
            lowered = word.lower()
            if is_word(lowered) and lowered != "i":
                new = lowered.capitalize() if first else lowered
            elif len(word) <= 3 and lowered != "i":
                new = word  # an acronym: 'NHS', 'UK', 'ID'
            else:
                new = word[0] + word[1:].lower()
            pieces.append(new if len(new) == len(word) else word)
            first = False
        pos = m.end()
    pieces.append(line[pos:])
    result = "".join(pieces)
    return result if len(result) == len(line) else line
