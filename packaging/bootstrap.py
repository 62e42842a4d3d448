#!/usr/bin/env python3
"""Set up a development environment and run Scrubdesk or its tests: the README's two commands.

    python3 packaging/bootstrap.py demo    # set up, then open the GUI on the bundled demo project
    python3 packaging/bootstrap.py test    # set up, then run the whole test suite

Creates .venv beside pyproject.toml and installs the project (editable) when pyproject.toml changed.
On Linux it also checks the system libraries Qt needs and installs them with apt when it may.
Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import ctypes.util
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("SCRUBDESK_VENV", ROOT / ".venv"))
# The libraries QtGui/QtWidgets load on Linux (offscreen and xcb), and the Debian packages that hold them:
# one list for this script, .ci/run and the .deb.
QT_LIBRARY_LIST = ROOT / "packaging" / "qt-system-libraries.txt"


def qt_libraries() -> list[tuple[str, list[str]]]:
    """(library, [package, alternatives...]) per line of the list; library '-' is a package only."""
    found = []
    for line in QT_LIBRARY_LIST.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            library, packages = line.split()
            found.append((library, packages.split("|")))
    return found


def _available(package: str) -> bool:
    found = subprocess.run(["apt-cache", "show", package], check=False, capture_output=True)
    return found.returncode == 0


def _pick(alternatives: list[str]) -> str:
    """The first of the alternatives this distribution has (Ubuntu 24.04 renamed some: ...t64)."""
    return next((p for p in alternatives if _available(p)), alternatives[0])


EXIT_NO_TESTS = 5


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def run(cmd: list[str], **kwargs: object) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run(cmd, check=True, **kwargs)  # type: ignore[call-overload]


def ensure_qt_system_libraries() -> None:
    if not sys.platform.startswith("linux"):
        return
    listed = qt_libraries()
    missing = [pkgs for lib, pkgs in listed if lib != "-" and ctypes.util.find_library(lib) is None]
    if not missing:
        return
    extras = [pkgs for lib, pkgs in listed if lib == "-"]
    if shutil.which("apt-get") is None:
        names = ", ".join(" or ".join(p) for p in missing)
        sys.exit(
            f"Qt needs system libraries that are missing: {names}. Install them with "
            "your distribution's package manager and run this again."
        )
    prefix: list[str] = []
    if os.geteuid() != 0:
        if shutil.which("sudo") is None:
            sys.exit(
                "Qt needs system libraries; run as root:\n  apt-get install -y --no-install-recommends "
                + " ".join(p[0] for p in [*missing, *extras])
            )
        prefix = ["sudo"]
    run([*prefix, "apt-get", "update", "-q"])
    packages = [_pick(p) for p in [*missing, *extras]]
    run(
        [*prefix, "apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )


def ensure_venv(extras: str) -> Path:
    if sys.version_info < (3, 11):  # noqa: UP036 - runs under any python3 before the venv exists
        sys.exit(f"Scrubdesk needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not venv_python().exists():
        run([sys.executable, "-m", "venv", str(VENV)])
    stamp_file = VENV / ".scrubdesk-install-stamp"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    if not stamp_file.exists() or stamp_file.read_text().strip() != wanted:
        py = str(venv_python())
        run([py, "-m", "pip", "install", "-q", "--upgrade", "pip"])
        run([py, "-m", "pip", "install", "-q", "-e", f"{ROOT}{extras}"])
        stamp_file.write_text(wanted)
    return venv_python()


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("demo", "test"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    ensure_qt_system_libraries()
    if command == "demo":
        python = ensure_venv("")
        return subprocess.call([str(python), "-m", "scrubdesk.gui", "demo", *rest])
    python = ensure_venv("[test]")
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    code = subprocess.call([str(python), "-m", "pytest", *rest], cwd=ROOT, env=env)
    if code == EXIT_NO_TESTS:
        print("error: pytest collected no tests; that is a failure here, not a pass", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
