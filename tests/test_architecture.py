"""The layering and packaging rules, enforced: gui -> models -> core, no Qt below gui, one namespace."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYER_DIRS = {
    "core": "scrubdesk.core",
    "models": "scrubdesk.models",
    "gui": "scrubdesk.gui",
    "resources": "scrubdesk.resources",
}
QT_MODULES = ("PySide6", "shiboken6", "PyQt5", "PyQt6")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("layer", ["core", "models"])
def test_core_and_models_never_import_qt_even_lazily(layer):
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / layer).rglob("*.py")
        for name in _imports(path)
        if name.split(".")[0] in QT_MODULES
    ]
    assert offenders == []


def test_core_never_imports_upward():
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / "core").rglob("*.py")
        for name in _imports(path)
        if name.startswith(("scrubdesk.models", "scrubdesk.gui"))
    ]
    assert offenders == []


def test_import_linter_contracts_hold(tmp_path):
    """import-linter (grimp) walks package directories on disk, which the editable install's mapped
    namespace does not have; lint a copy laid out as installed, with the editable hook (a .pth file,
    skipped by -S) out of the way."""
    import site

    for folder, package in LAYER_DIRS.items():
        shutil.copytree(
            ROOT / folder, tmp_path / package.replace(".", "/"), ignore=shutil.ignore_patterns("__pycache__")
        )
    code = (
        "import sys\n"
        f"sys.path[:0] = [{str(tmp_path)!r}, *{site.getsitepackages()!r}]\n"
        "from importlinter.cli import lint_imports_command\n"
        "lint_imports_command()\n"
    )
    result = subprocess.run([sys.executable, "-S", "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Contracts: 2 kept, 0 broken" in result.stdout


def test_core_imports_with_qt_unavailable():
    code = (
        "import sys\n"
        "for m in ('PySide6', 'shiboken6'): sys.modules[m] = None\n"
        "import pkgutil, importlib, scrubdesk.core as c\n"
        "mods = [m.name for m in pkgutil.walk_packages(c.__path__, 'scrubdesk.core.')]\n"
        "[importlib.import_module(m) for m in mods]\n"
        "print(len(mods))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert int(result.stdout.strip()) >= 10


def test_every_package_directory_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = set()
    for folder, package in LAYER_DIRS.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT / folder)
            on_disk.add(".".join([package, *rel.parts]))
    assert on_disk == listed


def test_ruff_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-4000:]


@pytest.mark.slow
def test_built_wheel_imports_as_one_namespace(tmp_path):
    """Import from the built wheel, not the editable tree: proves the package-dir mapping ships."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (wheel,) = tmp_path.glob("scrubdesk-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "scrubdesk/core/store.py" in names
    assert not any(n.startswith(("core/", "models/", "gui/", "tests/")) for n in names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import sys\n"
        "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]\n"
        "sys.path[:] = [p for p in sys.path if '__editable__' not in p]\n"
        f"sys.path.insert(0, {str(site)!r})\n"
        "import scrubdesk.core.project, scrubdesk.gui.cli, scrubdesk.models\n"
        "assert scrubdesk.core.project.__file__.startswith(sys.path[0]), scrubdesk.core.project.__file__\n"
        "sys.exit(scrubdesk.gui.cli.main(['--version']))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.startswith("scrubdesk ")
