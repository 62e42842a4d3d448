"""Theme preference: stored in QSettings, applied app-wide as a Fusion palette."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QPalette

pytestmark = pytest.mark.gui


@pytest.fixture
def restore_look(qapp):
    palette, style = QPalette(qapp.palette()), qapp.style().name()
    yield qapp
    from PySide6.QtWidgets import QStyleFactory

    qapp.setStyle(QStyleFactory.create(style))
    qapp.setPalette(palette)


def test_theme_setting_round_trips_and_rejects_unknown(app_settings) -> None:
    assert app_settings.theme() == "system"
    app_settings.set_theme("dark")
    assert app_settings.theme() == "dark"
    app_settings.qsettings.setValue("appearance/theme", "neon")  # hand-edited file
    assert app_settings.theme() == "system"
    with pytest.raises(ValueError, match="unknown theme"):
        app_settings.set_theme("neon")


def test_dark_and_light_palettes_apply_app_wide(restore_look) -> None:
    from scrubdesk.gui.appearance import apply_theme, is_dark, resolve_theme

    assert apply_theme(restore_look, "dark") == "dark"
    assert is_dark(restore_look.palette())
    assert restore_look.style().name().lower() == "fusion"
    # Text stays readable: strong contrast between text and base in both themes.
    for theme in ("dark", "light"):
        apply_theme(restore_look, theme)
        p = restore_look.palette()
        contrast = abs(
            p.color(QPalette.ColorRole.Text).lightness() - p.color(QPalette.ColorRole.Base).lightness()
        )
        assert contrast > 150, (theme, contrast)
    assert not is_dark(restore_look.palette())
    assert resolve_theme("system") in ("light", "dark")
