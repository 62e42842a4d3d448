"""How PII spans look in the message view: one colour per entity type and a style per status, applied to
the text and marks of :mod:`scrubdesk.core.span_marks` (what is shown, raw or scrubbed, without Qt).

Colours: pale backgrounds, Paul Tol's "light" scheme first (made to stay apart under the common colour
vision deficiencies, with black text on top); a dark palette gets the same hues darkened under light
text. The underline carries a stronger shade of the hue. Colour is never the only cue: the legend and
the tooltip name the type, and the status has its own style that never relies on colour:

- suggested (to decide): the type's tint with a wavy underline, in italics;
- accepted or added (will be redacted): the type's tint with a solid underline;
- rejected (kept in clear: the text stays in what a model sees): no tint, the text in its normal colour
  inside an outlined box (drawn by :class:`~scrubdesk.gui.span_text_view.SpanTextView`). Never struck
  through: struck-through text reads as "removed", which is the opposite.

Offsets: spans are Python string offsets (code points); Qt counts UTF-16 code units, and a
``QTextDocument`` turns ``\\r\\n`` into one block break. :class:`TextMap` prepares the text so that the two
agree again.
"""

from __future__ import annotations

import html
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
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

from scrubdesk.core.span_marks import (
    DISPLAY_NAMES,
    FieldText,
    Mark,
    display_name,
    label_counts,
    raw_field,
    scrubbed_field,
    type_mnemonics,
)
from scrubdesk.gui.appearance import DARK_TEXT, contrast_ratio

# One colour per entity type. The most frequent types get Paul Tol's "light" scheme (made for backgrounds
# under black text and for colour-blind readers); its olive was too close to pear, so location moved on.
ENTITY_COLOURS: dict[str, str] = {
    "PERSON": "#EE8866",  # orange
    "CUSTOMER_REF": "#FFAABB",  # pink
    "PHONE_NUMBER": "#44BB99",  # mint
    "STREET_ADDRESS": "#EEDD88",  # light yellow
    "UK_POSTCODE": "#77AADD",  # light blue
    "DATE_OF_BIRTH": "#BBCC33",  # pear
    "EMAIL_ADDRESS": "#99DDFF",  # light cyan
    # The rest were picked (farthest first) to keep every two tints >= 7 apart in CIEDE2000, in both themes,
    # and from the page: see tests/gui/test_accessibility.py.
    "LOCATION": "#C219FF",  # violet
    "UK_SORT_CODE": "#8F7856",  # brown
    "UK_BANK_ACCOUNT": "#5AF26E",  # green
    "CREDIT_CARD": "#7070A9",  # slate
    "IBAN_CODE": "#758F56",  # moss
    "UK_NINO": "#568C8F",  # teal
    "UK_NHS": "#FFAC4D",  # amber
    "IP_ADDRESS": "#E6007A",  # magenta
}
UNKNOWN_COLOUR = "#8899AA"  # a label outside the vocabulary (e.g. from an older analyser)


def entity_colour(label: str) -> QColor:
    return QColor(ENTITY_COLOURS.get(label, UNKNOWN_COLOUR))


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightnessF() < 0.5


def _with_lightness(colour: QColor, lightness: float, max_saturation: float = 1.0) -> QColor:
    h, s, _, _ = colour.getHslF()
    return QColor.fromHslF(max(h, 0.0), min(s, max_saturation), lightness)


TEXT_CONTRAST = 4.5  # WCAG 2.1 AA for text: the span's text on its tint
BORDER_CONTRAST = 3.0  # WCAG 2.1 AA for UI components: the underline against the tint it marks


@lru_cache(maxsize=256)
def tint(label: str, dark: bool) -> QColor:
    """The background of a span of this type: the colour lightened under dark text, or in a dark
    palette the same hue darkened (keeping the colours' relative lightness) under light text — darkened
    further where needed, so that the text on it stays at >= 4.5:1."""
    colour = entity_colour(label)
    if dark:
        lightness = 0.14 + 0.24 * colour.lightnessF()
        shade = _with_lightness(colour, lightness, max_saturation=0.55)
        while contrast_ratio(DARK_TEXT, shade) < TEXT_CONTRAST + 0.1 and lightness > 0.02:
            lightness -= 0.01
            shade = _with_lightness(colour, lightness, max_saturation=0.55)
        return shade
    white = 0.45
    return QColor.fromRgbF(*(c + (1 - c) * white for c in (colour.redF(), colour.greenF(), colour.blueF())))


@lru_cache(maxsize=256)
def strong(label: str, dark: bool) -> QColor:
    """The underline and legend border: the hue at a lightness that stands out from the tint (>= 3:1,
    darker in a light palette, lighter in a dark one)."""
    background = tint(label, dark)
    lightness, step = (0.62, 0.02) if dark else (0.40, -0.02)
    shade = _with_lightness(entity_colour(label), lightness)
    while contrast_ratio(shade, background) < BORDER_CONTRAST + 0.1 and 0.0 < lightness + step < 1.0:
        lightness += step
        shade = _with_lightness(entity_colour(label), lightness)
    return shade


def kept_outline(dark: bool) -> QColor:
    """The box around text kept in clear: a neutral grey at >= 3:1 against the text background."""
    return QColor("#B4B4B4") if dark else QColor("#595959")


KEPT_FOCUS = QColor("#D9D9D9")  # the current span's background when it is kept in clear (under black text)


def focus_background(label: str) -> QColor:
    """The current span's background: the full colour, under black text in either palette."""
    return entity_colour(label)


@lru_cache(maxsize=128)
def swatch(label: str, dark: bool, size: int = 12) -> QIcon:
    """A small square of the type's colour, for menus."""
    pixmap = QPixmap(size, size)
    pixmap.fill(tint(label, dark))
    painter = QPainter(pixmap)
    painter.setPen(strong(label, dark))
    painter.drawRect(0, 0, size - 1, size - 1)
    painter.end()
    return QIcon(pixmap)


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


STATUS_LEGEND = "Wavy underline: to decide · solid underline: PII · [boxed]: kept in clear"


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
        self.kept = kept_outline(self.dark)
        self._cache: dict[tuple[str, str], QTextCharFormat] = {}

    def format(self, label: str, status: str) -> QTextCharFormat:
        key = (label, status)
        fmt = self._cache.get(key)
        if fmt is None:
            fmt = QTextCharFormat()
            if status != "rejected":  # kept in clear: plain text in a box the view draws
                fmt.setBackground(tint(label, self.dark))
                fmt.setUnderlineColor(strong(label, self.dark))
                suggested = status == "suggested"
                fmt.setUnderlineStyle(
                    QTextCharFormat.UnderlineStyle.WaveUnderline
                    if suggested
                    else QTextCharFormat.UnderlineStyle.SingleUnderline
                )
                fmt.setFontItalic(suggested)
            self._cache[key] = fmt
        return fmt

    def focus(self, mark: Mark) -> QTextCharFormat:
        """The current span: the full-strength hue behind dark text, in either palette."""
        fmt = QTextCharFormat()
        fmt.setBackground(focus_background(mark.label) if mark.redacted else KEPT_FOCUS)
        fmt.setForeground(QColor("#000000"))
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
