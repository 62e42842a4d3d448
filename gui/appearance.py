"""Light / dark / system appearance. Fusion with explicit palettes looks the same on every platform and
in offscreen screenshots; "system" follows the platform's colour scheme where Qt can read it.

HiDPI needs nothing here: Qt 6 scales by the screen's device pixel ratio, and every icon we draw is
either a standard icon or painted at run time.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

THEMES = ("system", "light", "dark")

_DARK = {
    QPalette.ColorRole.Window: "#2b2d30",
    QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#1e1f22",
    QPalette.ColorRole.AlternateBase: "#26282b",
    QPalette.ColorRole.ToolTipBase: "#3c3f41",
    QPalette.ColorRole.ToolTipText: "#f0f0f0",
    QPalette.ColorRole.PlaceholderText: "#8c8c8c",
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


def light_palette() -> QPalette:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app.style().standardPalette()


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
    app.setStyle(QStyleFactory.create("Fusion"))
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
