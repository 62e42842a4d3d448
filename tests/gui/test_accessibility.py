"""Issue 17, part 5 — space and access, computed rather than eyeballed: WCAG 2.1 AA contrast from both
palettes (text >= 4.5:1; UI components, outlines and highlight borders >= 3:1), entity colours pairwise
distinguishable (CIEDE2000), an accessible name on every main widget, and a window that fits 1366x768
at 100 % and at 150 %."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from scrubdesk.core import labels as core_labels
from scrubdesk.core.entities import LABELS
from scrubdesk.gui.appearance import apply_theme, colour_distance, contrast_ratio, dark_palette, light_palette
from scrubdesk.gui.span_highlighter import KEPT_FOCUS, focus_background, kept_outline, strong, tint
from tests.gui.conftest import open_project
from tests.review_fixtures import add_message

pytestmark = pytest.mark.gui
R, G = QPalette.ColorRole, QPalette.ColorGroup
TEXT_PAIRS = [
    (R.Text, R.Base),
    (R.WindowText, R.Window),
    (R.ButtonText, R.Button),
    (R.HighlightedText, R.Highlight),
    (R.PlaceholderText, R.Base),  # secondary text: captions, dimmed cells
    (R.PlaceholderText, R.Window),
    (R.ToolTipText, R.ToolTipBase),
    (R.Link, R.Base),
]
OUTLINE_PAIRS = [(R.Dark, R.Base), (R.Dark, R.Window)]  # frames, check-box and radio outlines
MIN_DISTANCE = 7.0  # CIEDE2000 between any two span tints, and between a tint and the page


@pytest.fixture(params=["light", "dark"])
def palette(request, qapp):
    return light_palette() if request.param == "light" else dark_palette()


def test_palette_text_and_outlines_meet_wcag_aa(palette):
    for fg, bg in TEXT_PAIRS:
        for group in (G.Active, G.Inactive):
            ratio = contrast_ratio(palette.color(group, fg), palette.color(group, bg))
            assert ratio >= 4.5, (fg.name, bg.name, group.name, round(ratio, 2))
    for fg, bg in OUTLINE_PAIRS:
        assert contrast_ratio(palette.color(fg), palette.color(bg)) >= 3.0, (fg.name, bg.name)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_span_highlights_meet_wcag_aa(qapp, dark):
    palette = dark_palette() if dark else light_palette()
    text, page = palette.color(R.Text), palette.color(R.Base)
    for label in LABELS:
        assert contrast_ratio(text, tint(label, dark)) >= 4.5, label  # the span's text on its tint
        assert contrast_ratio(strong(label, dark), tint(label, dark)) >= 3.0, label  # its underline
        assert contrast_ratio(QColor("#000000"), focus_background(label)) >= 4.5, label  # current span
    assert contrast_ratio(kept_outline(dark), page) >= 3.0  # the box around text kept in clear
    assert contrast_ratio(QColor("#000000"), KEPT_FOCUS) >= 4.5


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_entity_colours_are_pairwise_distinguishable(qapp, dark):
    page = (dark_palette() if dark else light_palette()).color(R.Base)
    tints = {label: tint(label, dark) for label in LABELS}
    closest = min(itertools.combinations(LABELS, 2), key=lambda p: colour_distance(tints[p[0]], tints[p[1]]))
    assert colour_distance(tints[closest[0]], tints[closest[1]]) >= MIN_DISTANCE, closest
    assert colour_distance(tints["UK_POSTCODE"], tints["UK_NHS"]) >= MIN_DISTANCE  # once nearly the same
    assert min(colour_distance(t, page) for t in tints.values()) >= MIN_DISTANCE  # and apart from the page


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_an_unchecked_check_box_is_visible(qapp, qtbot, theme):
    """Its outline, measured in the rendered pixels, stands >= 3:1 from the window (it was ~2.1-2.4)."""
    apply_theme(qapp, theme)
    try:
        window = QWidget()
        QVBoxLayout(window).addWidget(box := QCheckBox("I understand: this erases the messages", window))
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        image = box.grab().toImage()
        background = window.palette().color(window.backgroundRole())
        height = min(image.height(), 24)
        best = max(
            contrast_ratio(QColor(image.pixel(x, y)), background)
            for x in range(min(20, image.width()))
            for y in range(height)
        )
        assert best >= 3.0, round(best, 2)
    finally:
        apply_theme(qapp, "light")


def test_every_main_widget_has_an_accessible_name(main_window, project, qtbot):
    with project.store() as store:
        add_message(store, "m1")
    assert open_project(qtbot, main_window, project.path)
    main_window.project_actions.show_training(True)
    main_window.project_actions.show_guide(True)
    main_window.review_queue_action.trigger()
    with qtbot.waitExposed(main_window):
        main_window.show()
    unnamed = []
    for widget in main_window.findChildren(QWidget):
        if not widget.isVisibleTo(main_window) or widget.window() is not main_window:
            continue
        if isinstance(widget, QHeaderView) or widget.objectName().startswith("qt_"):
            continue  # a table's header, a spin box's own line edit: parts of a named widget
        if isinstance(widget, QAbstractItemView | QLineEdit | QComboBox | QPlainTextEdit):
            if not widget.accessibleName():
                unnamed.append(f"{type(widget).__name__} {widget.objectName()}")
        elif isinstance(widget, QAbstractButton) and not (widget.accessibleName() or widget.text()):
            unnamed.append(f"{type(widget).__name__} {widget.objectName()} (no text either)")
    assert unnamed == []


@pytest.mark.parametrize("scale", [1.0, 1.5])
def test_the_window_fits_1366x768_without_overlap(main_window, project, qtbot, scale):
    """At 150 % a 1366x768 screen is 910x512 logical pixels; a task bar takes ~40 more. With every dock
    open, the window's minimum fits, and the header's rows do not overlap (they did at 150 %)."""
    with project.store() as store:
        add_message(store, "m1")
        core_labels.add_labels(project, store, [f"a_rather_long_intent_name_{i}" for i in range(10)])
    width, height = int(1366 / scale), int(768 / scale) - 40
    main_window.fit_screen(int(768 / scale))
    assert open_project(qtbot, main_window, project.path)
    main_window.resize(width, height)
    with qtbot.waitExposed(main_window):
        main_window.show()
    main_window.review_queue_action.trigger()  # the review dock open too
    QApplication.processEvents()
    bar = main_window.label_bar  # ten long label names: elided so that the bar keeps to two rows
    assert bar.height() <= 2 * bar.buttons[0].sizeHint().height() + 24
    main_window.project_actions.show_training(True)  # and the training and guide docks
    main_window.project_actions.show_guide(True)
    QApplication.processEvents()
    minimum = main_window.minimumSizeHint().expandedTo(main_window.minimumSize())
    assert minimum.width() <= width and minimum.height() <= height, (minimum, (width, height))
    assert (main_window.width(), main_window.height()) == (width, height)  # it did not have to grow
    view = main_window.message_view
    assert view.height() >= view.minimumSizeHint().height()
    header = view.header
    rows = [w.geometry() for w in header.fields.values() if w.isVisibleTo(header)]
    assert rows and all(not a.intersects(b) for a, b in itertools.combinations(rows, 2))


def test_chinese_japanese_and_korean_text_renders(qapp):
    """With no font for them, CJK text was drawn as boxes (glyph 0). The font is a system dependency
    (packaging/qt-system-libraries.txt: fonts-wqy-microhei | fonts-noto-cjk)."""
    from PySide6.QtGui import QFontDatabase, QTextLayout

    for system in ("SimplifiedChinese", "Japanese", "Korean"):
        assert QFontDatabase.families(getattr(QFontDatabase.WritingSystem, system)), system
    text = "退款申请 返金してください 환불 요청"
    for font in (QApplication.font(), QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)):
        layout = QTextLayout(text, font)
        layout.beginLayout()
        layout.createLine()
        layout.endLayout()
        glyphs = [g for run in layout.glyphRuns() for g in run.glyphIndexes()]
        assert glyphs and 0 not in glyphs, font.family()  # no "missing glyph" box
