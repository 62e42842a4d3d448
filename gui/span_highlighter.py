"""How PII spans look in the message view: one colour per entity type, a style per status, and the
mapping between stored spans (offsets into the raw field) and what the view shows (raw or scrubbed).

Colours: pale backgrounds, Paul Tol's "light" scheme first (made to stay apart under the common colour
vision deficiencies, with black text on top); a dark palette gets the same hues darkened under light
text. The underline carries a stronger shade of the hue. Colour is never the only cue: the legend and
the tooltip name the type, and the status has its own style (dashed underline: suggested; solid:
decided; struck-through grey: rejected).

Offsets: spans are Python string offsets (code points); Qt counts UTF-16 code units, and a
``QTextDocument`` turns ``\\r\\n`` into one block break. :class:`TextMap` prepares the text so that the two
agree again.
"""

from __future__ import annotations

import html
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from PySide6.QtGui import (
    QColor,
    QFont,
    QIcon,
    QPainter,
    QPalette,
    QPixmap,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)

from scrubdesk.core.db.spans import SpanRecord
from scrubdesk.core.entities import LABELS
from scrubdesk.core.redaction import Redactor
from scrubdesk.core.spans import merge_for_redaction

# One colour per entity type. The eight most frequent types get Paul Tol's "light" scheme (made for
# backgrounds under black text and for colour-blind readers); the rarer types get further pale hues.
ENTITY_COLOURS: dict[str, str] = {
    "PERSON": "#EE8866",  # orange
    "CUSTOMER_REF": "#FFAABB",  # pink
    "PHONE_NUMBER": "#44BB99",  # mint
    "STREET_ADDRESS": "#EEDD88",  # light yellow
    "UK_POSTCODE": "#77AADD",  # light blue
    "DATE_OF_BIRTH": "#BBCC33",  # pear
    "LOCATION": "#AAAA00",  # olive
    "EMAIL_ADDRESS": "#99DDFF",  # light cyan
    "UK_SORT_CODE": "#CCBBEE",  # lavender
    "UK_BANK_ACCOUNT": "#D4A6C8",  # mauve
    "CREDIT_CARD": "#E8A0A0",  # salmon
    "IBAN_CODE": "#A0C8B4",  # sage
    "UK_NINO": "#C8B496",  # tan
    "UK_NHS": "#88BBCC",  # steel cyan
    "IP_ADDRESS": "#B0B0E0",  # periwinkle
}
UNKNOWN_COLOUR = "#8899AA"  # a label outside the vocabulary (e.g. from an older analyser)

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
    "rejected": "rejected (not PII: stays in the scrubbed text)",
    "added": "added by a person",
}


def display_name(label: str) -> str:
    return DISPLAY_NAMES.get(label, label.replace("_", " ").capitalize())


def entity_colour(label: str) -> QColor:
    return QColor(ENTITY_COLOURS.get(label, UNKNOWN_COLOUR))


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightnessF() < 0.5


def _with_lightness(colour: QColor, lightness: float, max_saturation: float = 1.0) -> QColor:
    h, s, _, _ = colour.getHslF()
    return QColor.fromHslF(max(h, 0.0), min(s, max_saturation), lightness)


def tint(label: str, dark: bool) -> QColor:
    """The background of a span of this type: the colour lightened under dark text, or in a dark
    palette the same hue darkened (keeping the colours' relative lightness) under light text."""
    colour = entity_colour(label)
    if dark:
        return _with_lightness(colour, 0.14 + 0.24 * colour.lightnessF(), max_saturation=0.55)
    white = 0.45
    return QColor.fromRgbF(*(c + (1 - c) * white for c in (colour.redF(), colour.greenF(), colour.blueF())))


def strong(label: str, dark: bool) -> QColor:
    """The underline and legend border: the hue at a lightness that stands out from the tint."""
    return _with_lightness(entity_colour(label), 0.62 if dark else 0.40)


def focus_background(label: str) -> QColor:
    """The current span's background: the full colour, under black text in either palette."""
    return entity_colour(label)


def swatch(label: str, dark: bool, size: int = 12) -> QIcon:
    """A small square of the type's colour, for menus."""
    pixmap = QPixmap(size, size)
    pixmap.fill(tint(label, dark))
    painter = QPainter(pixmap)
    painter.setPen(strong(label, dark))
    painter.drawRect(0, 0, size - 1, size - 1)
    painter.end()
    return QIcon(pixmap)


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


# --- what the view shows -------------------------------------------------------------------------------


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
    copies: list[tuple[int, int, int]] = field(default_factory=list)  # (shown start, shown end, raw start)

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
    return Counter(m.label for m in marks if m.status != "rejected")


def legend_html(counts: Counter[str], dark: bool) -> str:
    """The legend of the types present, as rich text (labels are escaped; no message text in it)."""
    chips = []
    for label in sorted(counts, key=lambda lab: (-counts[lab], lab)):
        bg, border = tint(label, dark).name(), strong(label, dark).name()
        name = html.escape(display_name(label)).replace(" ", "&nbsp;")  # a chip never wraps inside
        chips.append(
            f'<span style="background-color:{bg}; border-bottom: 2px solid {border};">'
            f"&nbsp;{name}&nbsp;</span>&nbsp;{counts[label]}"
        )
    return "&nbsp;&nbsp; ".join(chips)


# --- Qt text ---------------------------------------------------------------------------------------------


class TextMap:
    """Python string offsets <-> Qt document positions for one displayed text.

    ``text`` is what goes into the document: CR characters are replaced one for one (``\\r\\n`` -> ``
    \\n``, lone ``\\r`` -> ``\\n``) so that Qt keeps one position per character; astral characters take two
    UTF-16 units, so offsets are mapped through a prefix sum (only built when there is one).
    """

    def __init__(self, raw: str) -> None:
        self.text = raw.replace("\r\n", " \n").replace("\r", "\n") if "\r" in raw else raw
        self._units: list[int] | None = None
        if len(self.text.encode("utf-16-le")) != 2 * len(self.text):
            self._units = [0, *accumulate(2 if ord(ch) > 0xFFFF else 1 for ch in self.text)]
            self.to_qt = self._units.__getitem__  # type: ignore[method-assign]

    def to_qt(self, offset: int) -> int:
        return offset

    def to_py(self, position: int) -> int:
        if self._units is None:
            return position
        return bisect_right(self._units, position) - 1


class SpanFormats:
    """The character formats for one palette, cached per (label, status)."""

    def __init__(self, palette: QPalette) -> None:
        self.dark = is_dark(palette)
        self._muted = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        self._text = palette.color(QPalette.ColorRole.Text)
        self._cache: dict[tuple[str, str], QTextCharFormat] = {}

    def format(self, label: str, status: str) -> QTextCharFormat:
        key = (label, status)
        fmt = self._cache.get(key)
        if fmt is None:
            fmt = QTextCharFormat()
            if status == "rejected":
                fmt.setForeground(self._muted)
                fmt.setFontStrikeOut(True)
            else:
                fmt.setBackground(tint(label, self.dark))
                fmt.setUnderlineColor(strong(label, self.dark))
                fmt.setUnderlineStyle(
                    QTextCharFormat.UnderlineStyle.DashUnderline
                    if status == "suggested"
                    else QTextCharFormat.UnderlineStyle.SingleUnderline
                )
            self._cache[key] = fmt
        return fmt

    def focus(self, mark: Mark) -> QTextCharFormat:
        """The current span: the full-strength hue behind dark text, in either palette."""
        fmt = QTextCharFormat()
        fmt.setBackground(focus_background(mark.label) if mark.redacted else self._muted)
        fmt.setForeground(QColor("#000000") if mark.redacted else self._text)
        fmt.setFontUnderline(True)
        fmt.setFontWeight(QFont.Weight.Bold)
        return fmt


def clear_formats(document: QTextDocument) -> None:
    cursor = QTextCursor(document)
    cursor.select(QTextCursor.SelectionType.Document)
    cursor.setCharFormat(QTextCharFormat())


def format_marks(
    document: QTextDocument, text_map: TextMap, marks: Iterable[Mark], formats: SpanFormats
) -> None:
    """Format each mark, in one edit block (one relayout)."""
    cursor = QTextCursor(document)
    set_position, set_format, keep = cursor.setPosition, cursor.setCharFormat, QTextCursor.MoveMode.KeepAnchor
    to_qt = text_map.to_qt
    cache: dict[tuple[str, str], QTextCharFormat] = {}
    cursor.beginEditBlock()
    for mark in marks:
        key = (mark.label, mark.status)
        fmt = cache.get(key)
        if fmt is None:
            fmt = cache[key] = formats.format(*key)
        set_position(to_qt(mark.start))
        set_position(to_qt(mark.end), keep)
        set_format(fmt)
    cursor.endEditBlock()


def apply_marks(
    document: QTextDocument, text_map: TextMap, marks: Iterable[Mark], formats: SpanFormats
) -> None:
    """Clear every character format, then format each mark."""
    clear_formats(document)
    format_marks(document, text_map, marks, formats)


__all__ = [
    "DISPLAY_NAMES",
    "ENTITY_COLOURS",
    "FieldText",
    "Mark",
    "SpanFormats",
    "TextMap",
    "apply_marks",
    "clear_formats",
    "display_name",
    "entity_colour",
    "format_marks",
    "label_counts",
    "legend_html",
    "raw_field",
    "scrubbed_field",
    "strong",
    "swatch",
    "tint",
    "type_mnemonics",
]
