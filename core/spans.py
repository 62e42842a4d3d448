"""PII spans: the value that crosses layers (analyser -> store -> review -> redaction), and its storage.

A span is ``text[start:end]`` (end exclusive, Python string offsets) of one field of a message, with the
entity label, the recogniser's score and name. Spans never hold the matched text itself: the text stays in
the message, so a list of spans can be logged, counted and compared without personal data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

FIELDS = ("body", "subject")
STATUSES = ("suggested", "accepted", "rejected", "added")
REDACTED_STATUSES = ("suggested", "accepted", "added")  # every status but rejected is replaced


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """One PII finding in a text. Ordered by position."""

    start: int
    end: int
    label: str
    score: float = 1.0
    recognizer: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span offsets {self.start}..{self.end}")

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def shifted(self, offset: int) -> Span:
        return Span(self.start + offset, self.end + offset, self.label, self.score, self.recognizer)

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "score": round(self.score, 4),
            "recognizer": self.recognizer,
        }


@dataclass(frozen=True, slots=True)
class StoredSpan:
    """A span as kept in the project: which message and field, and its review status."""

    message_id: int
    field: str
    span: Span
    status: str
    analyzer_version: str


# When two findings overlap with equal scores, the more specific (checksummed, structured) label wins.
LABEL_PRIORITY: dict[str, int] = {
    label: rank
    for rank, label in enumerate(
        reversed(
            (
                "IBAN_CODE", "CREDIT_CARD", "UK_NHS", "UK_NINO", "EMAIL_ADDRESS", "IP_ADDRESS", "URL",
                "UK_POSTCODE", "DATE_OF_BIRTH", "UK_SORT_CODE", "UK_BANK_ACCOUNT", "PHONE_NUMBER",
                "CUSTOMER_REF", "STREET_ADDRESS", "PERSON", "LOCATION",
            )
        )
    )
}  # fmt: skip


def resolve_overlaps(spans: Iterable[Span], text: str | None = None) -> list[Span]:
    """Non-overlapping spans that cover everything the input covered.

    Spans are taken strongest first (score, then label priority, then length). A weaker span keeps the
    parts not already covered by stronger ones, so nothing that was found becomes uncovered, yet each
    stronger finding keeps its own label and extent. With ``text``, leftover pieces that hold no letter
    or digit are dropped.
    """
    kept: list[Span] = []
    order = sorted(
        spans, key=lambda s: (-s.score, -LABEL_PRIORITY.get(s.label, -1), -(s.end - s.start), s.start)
    )
    for span in order:
        pieces = [(span.start, span.end)]
        for k in kept:
            next_pieces = []
            for a, b in pieces:
                if k.end <= a or b <= k.start:
                    next_pieces.append((a, b))
                    continue
                if a < k.start:
                    next_pieces.append((a, k.start))
                if k.end < b:
                    next_pieces.append((k.end, b))
            pieces = next_pieces
        for a, b in pieces:
            if b <= a or (text is not None and not any(ch.isalnum() for ch in text[a:b])):
                continue
            kept.append(Span(a, b, span.label, span.score, span.recognizer))
    return sorted(kept)


def merge_for_redaction(spans: Iterable[Span]) -> list[Span]:
    """Union of overlapping spans, so that redaction never leaves a fragment of any finding behind.

    The merged span keeps the label of its highest-scoring part.
    """
    merged: list[Span] = []
    for span in sorted(spans):
        if span.end <= span.start:
            continue
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            best = last if last.score >= span.score else span
            merged[-1] = Span(last.start, max(last.end, span.end), best.label, best.score, best.recognizer)
        else:
            merged.append(span)
    return merged
