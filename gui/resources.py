"""Access to files in ``scrubdesk.resources`` (icons, styles) from the GUI."""

from __future__ import annotations

from functools import cache
from importlib import resources

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

RESOURCES = "scrubdesk.resources"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def resource_bytes(name: str) -> bytes | None:
    try:
        return resources.files(RESOURCES).joinpath(name).read_bytes()
    except (FileNotFoundError, ModuleNotFoundError):
        return None


@cache
def app_icon() -> QIcon:
    """The application icon, rendered from the SVG at every size (empty if the file is missing)."""
    icon = QIcon()
    data = resource_bytes("icons/scrubdesk.svg")
    if data is None:
        return icon
    renderer = QSvgRenderer(QByteArray(data))
    if not renderer.isValid():
        return icon
    for size in ICON_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        icon.addPixmap(QPixmap.fromImage(image))
    return icon
