"""mypy (strict, configured in pyproject.toml) passes on core and models. The folders are laid out as the
installed ``scrubdesk`` namespace first (symbolic links), because the editable install's mapping of
``core/`` to ``scrubdesk.core`` is invisible to a type checker reading the tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_mypy_strict_passes_on_core_and_models(tmp_path):
    pytest.importorskip("mypy")
    package = tmp_path / "scrubdesk"
    package.mkdir()
    for folder in ("core", "models", "gui", "resources"):
        (package / folder).symlink_to(ROOT / folder, target_is_directory=True)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), "--cache-dir",
         str(tmp_path / "cache"), "-p", "scrubdesk.core", "-p", "scrubdesk.models"],
        cwd=tmp_path, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "Success: no issues found" in result.stdout


def test_no_type_ignore_without_a_code_and_a_reason():
    """Every ``# type: ignore`` in core and models names its error code and says why after it."""
    bare = []
    for folder in ("core", "models"):
        for path in (ROOT / folder).rglob("*.py"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if "# type: ignore" not in line:
                    continue
                tail = line.split("# type: ignore", 1)[1]
                if not tail.startswith("[") or "#" not in tail.split("]", 1)[1]:
                    bare.append(f"{path.relative_to(ROOT)}:{number}")
    assert bare == []
