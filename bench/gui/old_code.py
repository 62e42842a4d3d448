"""Run a script with ``scrubdesk`` imported from another checkout (e.g. an exported older commit), so a
benchmark can measure old and new code side by side in one session with the same interpreter.

    .venv/bin/python bench/gui/old_code.py OLD_ROOT SCRIPT [ARGS...]
"""

from __future__ import annotations

import importlib.util
import runpy
import sys
from importlib.machinery import ModuleSpec, PathFinder
from pathlib import Path
from typing import Any

PACKAGES = ("core", "gui", "models", "resources")


def install(root: Path) -> None:
    mapping = {f"scrubdesk.{p}": root / p for p in PACKAGES}

    class OldCode:
        """Finds scrubdesk.core/gui/models/resources (and their modules) under ``root``; first in line,
        before the editable install's finder that points at this checkout."""

        @classmethod
        def find_spec(cls, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
            if fullname in mapping:
                where = mapping[fullname]
                return importlib.util.spec_from_file_location(
                    fullname, where / "__init__.py", submodule_search_locations=[str(where)]
                )
            if any(fullname.startswith(f"{name}.") for name in mapping):
                return PathFinder.find_spec(fullname, path)
            return None

    sys.meta_path.insert(0, OldCode)  # type: ignore[arg-type]


def main() -> None:
    root, script = Path(sys.argv[1]).resolve(), sys.argv[2]
    install(root)
    sys.argv = [script, *sys.argv[3:]]
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
