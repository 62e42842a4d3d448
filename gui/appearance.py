"""Light / dark / system appearance. Fusion with explicit palettes looks the same on every platform and
in offscreen screenshots; "system" follows the platform's colour scheme where Qt can read it.

Both palettes meet WCAG 2.1 AA (checked by tests/gui/test_accessibility.py): text >= 4.5:1 on its
background, including secondary text (PlaceholderText, used for captions and dimmed cells) and selected
text; frames and check-box/radio outlines >= 3:1 (Fusion draws those in a shade of the window colour that
fails, so :class:`AccessibleStyle` outlines them again in the palette's Dark colour).

HiDPI needs nothing here: Qt 6 scales by the screen's device pixel ratio, and every icon we draw is
either a standard icon or painted at run time.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleFactory, QStyleOption, QWidget

THEMES = ("system", "light", "dark")

_DARK = {
    QPalette.ColorRole.Window: "#2b2d30",
    QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#1e1f22",
    QPalette.ColorRole.AlternateBase: "#26282b",
    QPalette.ColorRole.ToolTipBase: "#3c3f41",
    QPalette.ColorRole.ToolTipText: "#f0f0f0",
    QPalette.ColorRole.PlaceholderText: "#a3a3a3",  # secondary text: >= 4.5:1 on Base and Window
    QPalette.ColorRole.Text: "#e6e6e6",
    QPalette.ColorRole.Button: "#3c3f41",
    QPalette.ColorRole.ButtonText: "#e6e6e6",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Highlight: "#2f65ca",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#6ea8fe",
    QPalette.ColorRole.Mid: "#4a4d50",
    QPalette.ColorRole.Dark: "#8a8d91",  # Fusion frames check boxes and inputs with it: keep it visible
    QPalette.ColorRole.Shadow: "#101112",
    QPalette.ColorRole.Light: "#505356",
}
DARK_TEXT = QColor(_DARK[QPalette.ColorRole.Text])

_DARK_DISABLED = {
    QPalette.ColorRole.Text: "#6f7276",
    QPalette.ColorRole.WindowText: "#6f7276",
    QPalette.ColorRole.ButtonText: "#6f7276",
}


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    for role, colour in _DARK_DISABLED.items():
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour))
    return palette


_LIGHT = {
    QPalette.ColorRole.PlaceholderText: "#5c5c5c",  # secondary text (Fusion's default is unreadable)
    QPalette.ColorRole.Highlight: "#2366a8",  # selected rows: white text on it at >= 4.5:1
    QPalette.ColorRole.Dark: "#767676",  # frames and outlines: >= 3:1 on Base and Window
}


def light_palette() -> QPalette:
    palette = QStyleFactory.create("Fusion").standardPalette()
    for role, colour in _LIGHT.items():
        palette.setColor(QPalette.ColorGroup.Active, role, QColor(colour))
        palette.setColor(QPalette.ColorGroup.Inactive, role, QColor(colour))
    return palette


class AccessibleStyle(QProxyStyle):
    """Fusion, with check boxes and radio buttons outlined at >= 3:1 (an unchecked one was close to
    invisible in the dark theme, the erasure confirmation among them)."""

    def __init__(self) -> None:
        super().__init__(QStyleFactory.create("Fusion"))

    def name(self) -> str:  # what it is underneath: Fusion
        return self.baseStyle().name()

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawPrimitive(element, option, painter, widget)
        round_ = element == QStyle.PrimitiveElement.PE_IndicatorRadioButton
        if element != QStyle.PrimitiveElement.PE_IndicatorCheckBox and not round_:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(option.palette.color(QPalette.ColorRole.Dark), 1.2))  # type: ignore[attr-defined]
        painter.setBrush(Qt.BrushStyle.NoBrush)
        rect = option.rect.adjusted(1, 1, -1, -1)  # type: ignore[attr-defined]
        if round_:
            painter.drawEllipse(rect)
        else:
            painter.drawRoundedRect(rect, 1.5, 1.5)
        painter.restore()


def system_prefers_dark() -> bool:
    hints = QGuiApplication.styleHints()
    return hints.colorScheme() == Qt.ColorScheme.Dark


def resolve_theme(theme: str) -> str:
    """``light`` or ``dark`` for a stored preference (unknown values fall back to ``system``)."""
    if theme not in THEMES or theme == "system":
        return "dark" if system_prefers_dark() else "light"
    return theme


def apply_theme(app: QApplication, theme: str) -> str:
    """Apply ``theme`` to the whole application; return what was applied (``light`` or ``dark``)."""
    effective = resolve_theme(theme)
    app.setStyle(AccessibleStyle())
    app.setPalette(dark_palette() if effective == "dark" else light_palette())
    return effective


def verdict_colour(widget: QWidget, *, ok: bool) -> str:
    """A readable green (ok) or red (problem) for text on the widget's background, light or dark."""
    if is_dark(widget.palette()):
        return "#81c784" if ok else "#ef9a9a"
    return "#2e7d32" if ok else "#c62828"


def is_dark(palette: QPalette) -> bool:
    """True when the palette's window background is dark (widgets pick readable colours from this)."""
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def relative_luminance(colour: QColor) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour (0 black .. 1 white)."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(colour.redF()) + 0.7152 * linear(colour.greenF()) + 0.0722 * linear(colour.blueF())


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG 2.1 contrast ratio of two colours (1 .. 21): text needs 4.5, UI components and borders 3."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _lab(colour: QColor) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB colour."""

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = linear(colour.redF()), linear(colour.greenF()), linear(colour.blueF())
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def colour_distance(c1: QColor, c2: QColor) -> float:
    """CIEDE2000 colour difference (about 1: just noticeable; 5 and more: clearly different colours)."""
    l1, a1, b1 = _lab(c1)
    l2, a2, b2 = _lab(c2)
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p, h2p = math.degrees(math.atan2(b1, a1p)) % 360, math.degrees(math.atan2(b2, a2p)) % 360
    dh = h2p - h1p
    if c1p * c2p == 0:
        dh = 0.0
    elif dh > 180:
        dh -= 360
    elif dh < -180:
        dh += 360
    d_l, d_c = l2 - l1, c2p - c1p
    d_h = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_bar, cp_bar = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    else:
        h_bar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_bar - 30))
        + 0.24 * math.cos(math.radians(2 * h_bar))
        + 0.32 * math.cos(math.radians(3 * h_bar + 6))
        - 0.20 * math.cos(math.radians(4 * h_bar - 63))
    )
    d_theta = 30 * math.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(cp_bar**7 / (cp_bar**7 + 25**7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    s_c, s_h = 1 + 0.045 * cp_bar, 1 + 0.015 * cp_bar * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    return math.sqrt((d_l / s_l) ** 2 + (d_c / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (d_c / s_c) * (d_h / s_h))
