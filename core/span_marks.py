"""What a person reviewing spans is shown, without Qt: a field's text (raw or scrubbed) with a mark per
span, the names of the entity types and of the span statuses.

Offsets in a :class:`Mark` are Python string offsets into the *displayed* text. In the raw text that is
the stored span; in the scrubbed preview a mark covers the replacement (overlapping spans are redacted as
one, as :meth:`~scrubdesk.core.redaction.Redactor.redact` does) and :class:`FieldText` keeps where each
unredacted stretch came from, so that a selection can be mapped back to raw offsets.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scrubdesk.core.db.spans import SpanRecord
from scrubdesk.core.entities import LABELS
from scrubdesk.core.redaction import Redactor
from scrubdesk.core.spans import merge_for_redaction

DISPLAY_NAMES: dict[str, str] = {
    "PERSON": "Person",
    "EMAIL_ADDRESS": "Email address",
    "PHONE_NUMBER": "Phone number",
    "UK_POSTCODE": "Postcode",
    "STREET_ADDRESS": "Street address",
    "LOCATION": "Location",
    "UK_NINO": "National Insurance no.",
    "UK_NHS": "NHS number",
    "UK_SORT_CODE": "Sort code",
    "UK_BANK_ACCOUNT": "Bank account",
    "CREDIT_CARD": "Card number",
    "IBAN_CODE": "IBAN",
    "DATE_OF_BIRTH": "Date of birth",
    "CUSTOMER_REF": "Customer reference",
    "IP_ADDRESS": "IP address",
}

STATUS_WORDS = {
    "suggested": "suggested by the analyser, not decided yet",
    "accepted": "accepted",
    "rejected": "kept in clear (rejected as not PII: the text stays in what a model sees)",
    "added": "added by a person",
}


def display_name(label: str) -> str:
    return DISPLAY_NAMES.get(label, label.replace("_", " ").capitalize())


def type_mnemonics(labels: Sequence[str] = LABELS) -> dict[str, str]:
    """Menu text with a unique ``&`` mnemonic per type (first free letter of its display name)."""
    used: set[str] = set()
    texts: dict[str, str] = {}
    for label in labels:
        name = display_name(label)
        for i, ch in enumerate(name):
            if ch.isalpha() and ch.lower() not in used:
                used.add(ch.lower())
                texts[label] = f"{name[:i]}&{name[i:]}"
                break
        else:
            texts[label] = name
    return texts


@dataclass(frozen=True, slots=True)
class Mark:
    """One highlighted range of the displayed text, and the stored span(s) behind it."""

    field: str
    start: int  # offsets into the displayed text (Python string offsets)
    end: int
    label: str
    status: str
    score: float
    recognizer: str
    span_ids: tuple[int, ...]

    @property
    def redacted(self) -> bool:
        return self.status != "rejected"

    def tooltip(self) -> str:
        lines = [f"{display_name(self.label)}  ({self.label})"]
        if self.status != "added":
            lines.append(f"score {self.score:.2f} · recogniser {self.recognizer or '—'}")
        lines.append(STATUS_WORDS.get(self.status, self.status))
        if len(self.span_ids) > 1:
            lines.append(f"{len(self.span_ids)} overlapping spans, redacted as one")
        return "\n".join(lines)


@dataclass
class FieldText:
    """A field as displayed: its text (raw or scrubbed), the marks on it, and where the unredacted
    stretches come from in the raw field (to map a selection back to raw offsets)."""

    field: str
    text: str
    marks: list[Mark]
    copies: list[tuple[int, int, int]] = dataclasses.field(
        default_factory=list
    )  # (shown start, shown end, raw start)

    def raw_range(self, start: int, end: int) -> tuple[int, int] | None:
        """Raw offsets of the shown ``start..end``, or None when it is not one unredacted stretch."""
        for a, b, raw in self.copies:
            if a <= start and end <= b:
                return raw + start - a, raw + end - a
        return None

    def mark_at(self, pos: int) -> Mark | None:
        for mark in self.marks:
            if mark.start <= pos < mark.end:
                return mark
        return None


def _mark(field_name: str, start: int, end: int, records: Sequence[SpanRecord]) -> Mark:
    if len(records) == 1:
        r = records[0]
        return Mark(field_name, start, end, r.label, r.status, r.span.score, r.span.recognizer, (r.id,))
    best = max(records, key=lambda r: r.span.score)
    statuses = {r.status for r in records}
    # merged overlapping spans: undecided while any part is
    status = (
        "suggested" if "suggested" in statuses else records[0].status if len(statuses) == 1 else "accepted"
    )
    return Mark(
        field_name, start, end, best.label, status, best.span.score, best.span.recognizer,
        tuple(r.id for r in records),
    )  # fmt: skip


def raw_field(field_name: str, text: str, records: Iterable[SpanRecord]) -> FieldText:
    n = len(text)
    marks = [
        Mark(field_name, r.start, r.end, r.label, r.status, r.span.score, r.span.recognizer, (r.id,))
        for r in records
        if r.end <= n
    ]
    marks.sort(key=lambda m: (m.start, m.end))
    return FieldText(field_name, text, marks, [(0, n, 0)])


def scrubbed_field(
    field_name: str, text: str, records: Sequence[SpanRecord], redactor: Redactor
) -> FieldText:
    """The field as the model will see it (as :meth:`Redactor.redact` builds it), with a mark per
    replacement and one per rejected span that stayed in the text. One pass over the sorted spans."""
    redacted = sorted((r for r in records if r.redacted), key=lambda r: (r.start, r.end))
    pieces: list[str] = []
    marks: list[Mark] = []
    copies: list[tuple[int, int, int]] = []
    pos = shown = j = 0
    for merged in merge_for_redaction(r.span for r in redacted):
        covered = []
        while j < len(redacted) and redacted[j].start < merged.end:  # the records this union is made of
            if redacted[j].span.overlaps(merged):
                covered.append(redacted[j])
            j += 1
        if merged.start < pos or merged.end > len(text) or not covered:
            continue
        pieces.append(text[pos : merged.start])
        copies.append((shown, shown + merged.start - pos, pos))
        shown += merged.start - pos
        replacement = redactor.replacement(merged.label, text[merged.start : merged.end])
        marks.append(_mark(field_name, shown, shown + len(replacement), covered))
        pieces.append(replacement)
        shown += len(replacement)
        pos = merged.end
    pieces.append(text[pos:])
    copies.append((shown, shown + len(text) - pos, pos))
    raw_starts = [raw for _, _, raw in copies]
    for r in records:
        if r.redacted:
            continue
        a, b, raw = copies[bisect_right(raw_starts, r.start) - 1]
        if r.end <= raw + b - a:  # a rejected span shows where its text was left in place
            marks.append(_mark(field_name, a + r.start - raw, a + r.end - raw, [r]))
    marks.sort(key=lambda m: (m.start, m.end))
    return FieldText(field_name, "".join(pieces), marks, copies)


def label_counts(marks: Iterable[Mark]) -> Counter[str]:
    """Marks per entity type, not counting rejected ones (they stay in clear)."""
    return Counter(m.label for m in marks if m.status != "rejected")
