"""The one list of Qt's system libraries (packaging/qt-system-libraries.txt) is the truth for the bootstrap,
.ci/run and the .deb; on a machine set up from it, the demo opens on a real X server (xvfb-run)."""

from __future__ import annotations

import ctypes.util
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str) -> ModuleType:
    """A script of packaging/ as a module, under a name of its own: 'build' would collide with the
    build/ folder and the 'build' package, and the import order would then depend on what exists."""
    path = ROOT / "packaging" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"scrubdesk_packaging_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bootstrap = _load("bootstrap")
build = _load("build")


def test_the_bootstrap_ci_and_deb_read_the_same_list():
    listed = bootstrap.qt_libraries()
    assert ("xcb-cursor", ["libxcb-cursor0"]) in listed and ("xcb-icccm", ["libxcb-icccm4"]) in listed
    assert build.deb_depends() == [" | ".join(packages) for _lib, packages in listed]
    assert "packaging/qt-system-libraries.txt" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux system libraries")
def test_every_listed_library_is_installed_here():
    """CI installs the list, then runs this: a wrong library or package name fails here, not on a user's
    machine."""
    missing = [
        lib for lib, _pkgs in bootstrap.qt_libraries() if lib != "-" and ctypes.util.find_library(lib) is None
    ]
    assert missing == []


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run (installed by .ci/run)")
def test_the_demo_opens_under_xvfb(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb"}
    result = subprocess.run(
        ["xvfb-run", "-a", sys.executable, "-m", "scrubdesk.gui", "demo", "--dir", str(tmp_path / "demo"),
         "--count", "30", "--exit-after-ms", "1500", "--json"],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["ok"] is True and summary["exit_code"] == 0
