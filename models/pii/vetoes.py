"""Stretches of a message that are never a person's or a place's name, whatever a recogniser says:

- header field names at the start of a line ('Importance:', 'Bcc:', 'Return-Path:');
- the organisation units of Lotus Notes addresses ('Doug Leach / HOU / ECT@ECT', 'Forwarded by Kendra
  Terhune / HOU / EES on ...'): the name before the first '/' is a person, the units are not;
- addresses in angle brackets or after 'mailto:' and Exchange's encoded 'IMCEANOTES-...' addresses: the
  address recogniser owns them, and a name-shaped piece of one is not a separate name;
- the separators of quoted and forwarded messages ('Original Message', 'Forwarded by');
- a month abbreviation next to a day or a year ('26 Sep 2001', 'Jan 15'), though 'Jan' is a name.

PERSON and LOCATION findings are cut where they cross one of these; what is left of them stays.
"""

from __future__ import annotations

from collections.abc import Iterable

import regex

from scrubdesk.core.spans import Span
from scrubdesk.models.pii.entities import LOCATION, PERSON
from scrubdesk.models.pii.recognizers.header_grammar import field_labels

VETOED_LABELS = frozenset({PERSON, LOCATION})

_LOTUS_UNITS = regex.compile(
    r"(?<=[\p{L}.'’])[ \t]*/[ \t]*[\w&.-]+(?:[ \t]*/[ \t]*[\w&.-]+)*@[\w.-]+"
    r"|(?<=[\p{L}.'’])[ \t]*/[ \t]*\p{Lu}[\p{Lu}\d_&-]+(?:[ \t]*/[ \t]*\p{Lu}[\p{Lu}\d_&-]*)+"
)
_ADDRESSES = regex.compile(r"<[^<>\s]*@[^<>\s]*>?|\[mailto:[^\]\n]*\]?|\bIMCEA\w*-\S+", regex.IGNORECASE)
_SEPARATORS = regex.compile(
    r"^[ \t>*_-]*(?:original[ \t]+message|forwarded[ \t]+message|begin[ \t]+forwarded[ \t]+message|"
    r"forwarded[ \t]+by|reply[ \t]+separator)\b",
    regex.IGNORECASE | regex.MULTILINE,
)
_MONTH = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
_DATE_MONTH = regex.compile(
    rf"(?<=\b\d{{1,2}}(?:st|nd|rd|th)?[ \t]+){_MONTH}\b|\b{_MONTH}(?=[ \t]+\d{{1,4}}\b)"
)


def not_name_regions(text: str) -> list[tuple[int, int]]:
    """Sorted (start, end) stretches of ``text`` that hold no person or place name."""
    regions = list(field_labels(text))
    if "/" in text:
        regions += [m.span() for m in _LOTUS_UNITS.finditer(text)]
    if "@" in text or "IMCEA" in text:
        regions += [m.span() for m in _ADDRESSES.finditer(text)]
    regions += [m.span() for m in _SEPARATORS.finditer(text)]
    regions += [m.span() for m in _DATE_MONTH.finditer(text)]
    return sorted(regions)


def cut(spans: Iterable[Span], regions: list[tuple[int, int]]) -> list[Span]:
    """PERSON and LOCATION spans with the vetoed stretches cut out (the longest remaining piece stays)."""
    if not regions:
        return list(spans)
    kept = []
    for span in spans:
        if span.label not in VETOED_LABELS:
            kept.append(span)
            continue
        pieces = [(span.start, span.end)]
        for a, b in regions:
            if a >= span.end:
                break
            if b <= span.start:
                continue
            pieces = [p for s, e in pieces for p in ((s, min(e, a)), (max(s, b), e)) if p[1] > p[0]]
        if not pieces:
            continue
        start, end = max(pieces, key=lambda p: p[1] - p[0])
        kept.append(Span(start, end, span.label, span.score, span.recognizer))
    return kept
