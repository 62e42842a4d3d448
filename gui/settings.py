"""User preferences kept in QSettings: recent projects, window layout, last folders, theme.

Nothing personal or secret goes here: only project folder paths and widget geometry.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 8


class AppSettings:
    """A thin typed wrapper, passed to the widgets that need it (tests hand in a private QSettings)."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self.qsettings = qsettings if qsettings is not None else QSettings()

    # recent projects -------------------------------------------------------------------------------
    def recent_projects(self) -> list[Path]:
        value = self.qsettings.value("recent_projects", [])
        if isinstance(value, str):  # QSettings returns a one-item list as a plain string
            value = [value]
        return [Path(v) for v in (value or []) if v]

    def add_recent_project(self, path: Path) -> None:
        path = Path(path).absolute()
        recent = [p for p in self.recent_projects() if p != path]
        self._set_recent([path, *recent][:MAX_RECENT])

    def remove_recent_project(self, path: Path) -> None:
        path = Path(path).absolute()
        self._set_recent([p for p in self.recent_projects() if p != path])

    def clear_recent_projects(self) -> None:
        self._set_recent([])

    def _set_recent(self, paths: list[Path]) -> None:
        self.qsettings.setValue("recent_projects", [str(p) for p in paths])

    # window layout ---------------------------------------------------------------------------------
    def state(self, key: str) -> QByteArray | None:
        value = self.qsettings.value(f"layout/{key}")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_state(self, key: str, value: QByteArray) -> None:
        self.qsettings.setValue(f"layout/{key}", value)

    # folders last used in file dialogs -------------------------------------------------------------
    def last_dir(self, purpose: str) -> str:
        value = self.qsettings.value(f"dirs/{purpose}", "")
        if isinstance(value, str) and value and Path(value).is_dir():
            return value
        return str(Path.home())

    def set_last_dir(self, purpose: str, path: Path) -> None:
        self.qsettings.setValue(f"dirs/{purpose}", str(path))

    # appearance ------------------------------------------------------------------------------------
    def theme(self) -> str:
        value = self.qsettings.value("appearance/theme", "system")
        return value if value in ("system", "light", "dark") else "system"

    def set_theme(self, theme: str) -> None:
        if theme not in ("system", "light", "dark"):
            raise ValueError(f"unknown theme {theme!r}")
        self.qsettings.setValue("appearance/theme", theme)

    def sync(self) -> None:
        self.qsettings.sync()
