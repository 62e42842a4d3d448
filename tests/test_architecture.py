"""The layering and packaging rules, enforced: gui -> models -> core, no Qt below gui, one namespace."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator, Sequence
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
    formatted = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert formatted.returncode == 0, formatted.stdout[-4000:]


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


# SQL statements as string literals: the start of a statement, or a clause that only SQL has.
SQL_LITERAL = re.compile(
    r"\bSELECT\b.+\bFROM\b|\bSELECT (count|DISTINCT|1|coalesce|max|min|sum)\b"
    r"|(?i:\binsert\s+(or\s+\w+\s+)?into\s+\w+)|(?i:\bdelete\s+from\s+\w+\s*(where|$|;))"
    r"|(?i:\bupdate\s+\w+\s+set\s+\w+\s*=)|\bPRAGMA\s+\w+|\b(CREATE|ALTER|DROP)\s+(TABLE|INDEX)\b"
    r"|^\s*VACUUM\b|\bsqlite_master\b|\b(LEFT\s+)?JOIN\s+\w+\s+\w+\s+ON\b|\bWHERE\s+[\w.]+\s*(=|IN|IS|>|<|!=)"
)
# The persistence boundary: the connection, the migrations and the gateways; and, on the test side, the one
# module that builds and tampers with rows the way an attacker or an old version would.
SQL_HOMES = ("core/store.py", "core/schema.py", "core/db/", "tests/builders.py")


# The detector's own test holds SQL on purpose: the statements it must catch.
DETECTOR_SAMPLES = frozenset({"test_the_sql_detector_catches_what_it_must"})
# Calls that run SQL on a connection or a store: in tests, only builders.py makes them (a statement built
# at run time from pieces would slip past the literal check).
QUERY_CALLS = frozenset({"execute", "executemany", "executescript", "scalar"})


def _string_literals(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}  # prose may name SQL
    samples = {
        id(node)
        for f in ast.walk(tree)
        if isinstance(f, ast.FunctionDef) and f.name in DETECTOR_SAMPLES
        for node in ast.walk(f)
    }
    for node in ast.walk(tree):
        if id(node) in docstrings or id(node) in samples:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value
        elif isinstance(node, ast.JoinedStr):
            text = "".join(
                v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
            )
            yield node.lineno, text


def _sql_outside_gateways(folders: Sequence[str]) -> list[str]:
    found = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith(SQL_HOMES):
                continue
            for line, text in _string_literals(path):
                if SQL_LITERAL.search(text):
                    found.append(f"{rel}:{line}: {text.strip()[:60]!r}")
    return found


def _query_calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{node.lineno}: .{node.func.attr}(...)"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in QUERY_CALLS
    ]


def _queries_outside_builders() -> list[str]:
    found = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if not rel.startswith(SQL_HOMES):
            found += [f"{rel}:{call}" for call in _query_calls(path)]
    return found


def test_sql_lives_only_behind_the_gateways():
    assert _sql_outside_gateways(["core", "models", "gui", "bench", "packaging"]) == []


def test_tests_build_and_tamper_only_through_the_builders():
    """Test fixtures build and tamper with rows through tests/builders.py; assertions read through the
    gateways (or the builders' reads): no SQL literal and no query call anywhere else in tests/."""
    assert _sql_outside_gateways(["tests"]) == []
    assert _queries_outside_builders() == []


def test_the_sql_detector_catches_what_it_must():
    statements = [
        "SELECT id FROM messages",
        "  insert into spans (a) values (?)",
        'UPDATE reviews SET status = "x" WHERE id = 1',
        "DELETE FROM consent",
        "PRAGMA secure_delete = OFF",
        "SELECT name FROM sqlite_master",
        "m.id FROM messages m LEFT JOIN predictions p ON p.message_id = m.id",
    ]
    prose = ["Select a message from the list", "Delete the selected span", "update available", "from where"]
    assert all(SQL_LITERAL.search(s) for s in statements)
    assert not any(SQL_LITERAL.search(s) for s in prose)


def test_the_query_call_detector_catches_sql_built_at_run_time(tmp_path):
    sneaky = tmp_path / "test_sneaky.py"
    sneaky.write_text(
        "def test_x(store, conn, project):\n"
        '    verb, table = "DEL" + "ETE", "roles"\n'
        '    store.execute(f"{verb} FROM {table}")\n'
        "    conn.executemany(statement, rows)\n"
        "    assert project.store().scalar(query) == 1\n"
        "    dialog.exec()\n"
    )
    assert _query_calls(sneaky) == ["3: .execute(...)", "4: .executemany(...)", "5: .scalar(...)"]


HEAVY_LIBRARIES = ("pandas", "numpy", "spacy", "presidio_analyzer", "sklearn", "scipy", "skops", "PySide6")


def test_help_loads_no_heavy_library():
    """`scrubdesk --help` (and so every command's start) registers every command without loading pandas,
    spaCy, Presidio, scikit-learn or Qt: heavy libraries load at their own boundary, when used."""
    code = (
        "import contextlib, io, sys\n"
        "from scrubdesk.gui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    try:\n"
        "        main(['--help'])\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0, exc.code\n"
        "assert 'selftest' in out.getvalue() and 'analyze' in out.getvalue()\n"
        f"print(','.join(m for m in {HEAVY_LIBRARIES!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == ""


GUI_MAX_LINES = 600  # issue 18: a view past this has taken on a second job; split it by responsibility


def test_no_gui_module_outgrows_one_responsibility():
    sizes = {
        p.relative_to(ROOT).as_posix(): len(p.read_text().splitlines()) for p in (ROOT / "gui").rglob("*.py")
    }
    assert len(sizes) > 20  # the walk found the views
    assert {path: n for path, n in sizes.items() if n > GUI_MAX_LINES} == {}
