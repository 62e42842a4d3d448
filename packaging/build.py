#!/usr/bin/env python3
"""Build the Scrubdesk installer for Linux in one command:

    .venv/bin/python packaging/build.py [--json] [--skip-deb] [--version V]

1. installs the `packaging` extra (PyInstaller + hooks) into the running environment if missing;
2. runs PyInstaller with packaging/scrubdesk.spec into dist/scrubdesk/ (one folder, no Python needed);
3. makes dist/scrubdesk_<version>_<arch>.deb with dpkg-deb: the bundle in /opt/scrubdesk, a
   /usr/bin/scrubdesk symlink, a .desktop entry and the icon, Depends on the system libraries the
   bundle still loads from the host.

Prints the bundle and .deb sizes; with --json the last line is a JSON summary.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "scrubdesk.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
BUNDLE = DIST / "scrubdesk"
INSTALL_DIR = "/opt/scrubdesk"

# Host libraries the bundle does not carry (PyInstaller leaves out libGL/libEGL and the basics on purpose;
# Qt's xcb platform and fontconfig come from the system so they match the user's X server and fonts).
QT_LIBRARY_LIST = ROOT / "packaging" / "qt-system-libraries.txt"


def deb_depends() -> list[str]:
    """The .deb's Depends, from the one list of Qt's system libraries (alternatives as 'a | b')."""
    lines = QT_LIBRARY_LIST.read_text(encoding="utf-8").splitlines()
    rows = [line.split() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    return [" | ".join(packages.split("|")) for _library, packages in rows]


DESKTOP_ENTRY = """[Desktop Entry]
Type=Application
Name=Scrubdesk
Comment=Build email-triage models without the raw text leaving this machine
Exec=/usr/bin/scrubdesk gui %f
Icon=scrubdesk
Terminal=false
Categories=Office;Utility;
"""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(cmd: list[str], **kwargs: object) -> None:
    log("+ " + " ".join(cmd))
    subprocess.run(cmd, check=True, **kwargs)  # type: ignore[call-overload]


def ensure_pyinstaller() -> None:
    if importlib.util.find_spec("PyInstaller") and importlib.util.find_spec("_pyinstaller_hooks_contrib"):
        return
    log("installing the packaging extra (PyInstaller)")
    run([sys.executable, "-m", "pip", "install", "-q", "-e", f"{ROOT}[packaging]"])


def project_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def tree_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def build_bundle() -> float:
    started = time.perf_counter()
    run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(DIST),
            "--workpath",
            str(WORK),
            str(SPEC),
        ],
        cwd=ROOT,
    )
    return time.perf_counter() - started


# Run by the build's Python: dlopen every bundled shared library and report ELF corruption (e.g. from
# strip on patchelf'd libraries). A missing dependency found only by search path is not an error here.
_LOAD_CHECK = """
import ctypes, pathlib, re, sys
bad = []
for f in sorted(pathlib.Path(sys.argv[1]).rglob("*.so*")):
    # libfoo.so or libfoo.so.1.2, not a data file whose name merely contains ".so" (e.g. "x.some-name")
    if f.is_file() and not f.is_symlink() and re.search(r"\\.so(\\.\\d+)*$", f.name):
        try:
            ctypes.CDLL(str(f))
        except OSError as exc:
            if "ELF" in str(exc) or "page-aligned" in str(exc) or "invalid" in str(exc):
                bad.append(f"{f}: {exc}")
print("\\n".join(bad))
sys.exit(1 if bad else 0)
"""


def check_libraries_load() -> None:
    """Every shared library of the bundle must still be a loadable ELF file after strip."""
    if not sys.platform.startswith("linux"):
        return
    result = subprocess.run(
        [sys.executable, "-c", _LOAD_CHECK, str(BUNDLE / "_internal")],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"corrupt shared libraries in the bundle:\n{result.stdout[-4000:]}")


def glibc_floor() -> str:
    """The newest GLIBC symbol version any bundled binary needs (libpython and libstdc++ come from the
    build host): the .deb's libc6 dependency. Build on the oldest distribution you support."""
    newest = (2, 34)  # PySide6 6.8+ wheels need 2.34 (manylinux_2_34) in any case
    for f in BUNDLE.rglob("*"):
        if not f.is_file() or f.is_symlink() or not (f.name == "scrubdesk" or ".so" in f.name):
            continue
        out = subprocess.run(["objdump", "-T", str(f)], capture_output=True, text=True, check=False).stdout
        for match in re.finditer(r"GLIBC_2\.(\d+)", out):
            newest = max(newest, (2, int(match.group(1))))
    return f"{newest[0]}.{newest[1]}"


def deb_arch() -> str:
    result = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True)
    return result.stdout.strip()


def build_deb(version: str) -> Path:
    if shutil.which("dpkg-deb") is None:
        raise SystemExit("dpkg-deb not found: install dpkg, or pass --skip-deb")
    arch = deb_arch()
    staging = ROOT / "build" / "deb-root"
    if staging.exists():
        shutil.rmtree(staging)
    opt = staging / INSTALL_DIR.lstrip("/")
    shutil.copytree(BUNDLE, opt, symlinks=True)
    (staging / "usr/bin").mkdir(parents=True)
    (staging / "usr/bin/scrubdesk").symlink_to(f"{INSTALL_DIR}/scrubdesk")
    apps = staging / "usr/share/applications"
    apps.mkdir(parents=True)
    (apps / "scrubdesk.desktop").write_text(DESKTOP_ENTRY, encoding="utf-8")
    icons = staging / "usr/share/icons/hicolor/scalable/apps"
    icons.mkdir(parents=True)
    shutil.copy2(ROOT / "resources/icons/scrubdesk.svg", icons / "scrubdesk.svg")
    installed_kib = tree_bytes(staging) // 1024
    debian = staging / "DEBIAN"
    debian.mkdir()
    control = (
        f"Package: scrubdesk\n"
        f"Version: {version}\n"
        f"Architecture: {arch}\n"
        f"Maintainer: Scrubdesk maintainers <scrubdesk@localhost>\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: libc6 (>= {glibc_floor()}), {', '.join(deb_depends())}\n"
        f"Section: utils\n"
        f"Priority: optional\n"
        f"Description: Secure desktop workstation for building email-triage models\n"
        f" Import customer email, find and redact personal data, label and train a local\n"
        f" classifier; the raw text never leaves the machine. Self-contained: bundles Python,\n"
        f" Qt, the spaCy pipeline and Presidio; never uses the network.\n"
    )
    (debian / "control").write_text(control, encoding="utf-8")
    for dirpath, dirnames, _ in os.walk(staging):
        for d in dirnames:
            Path(dirpath, d).chmod(0o755)
    out = DIST / f"scrubdesk_{version}_{arch}.deb"
    run(["dpkg-deb", "--root-owner-group", "-Zxz", "-z6", "--build", str(staging), str(out)])
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true", help="print a JSON summary as the last line")
    parser.add_argument("--skip-deb", action="store_true", help="build the bundle only")
    parser.add_argument("--version", help="package version (default: pyproject.toml)")
    args = parser.parse_args(argv)

    ensure_pyinstaller()
    seconds = build_bundle()
    executable = BUNDLE / "scrubdesk"
    if not executable.is_file():
        raise SystemExit(f"PyInstaller did not produce {executable}")
    check_libraries_load()
    bundle_bytes = tree_bytes(BUNDLE)
    summary: dict[str, object] = {
        "ok": True,
        "bundle": str(BUNDLE),
        "executable": str(executable),
        "bundle_mb": round(bundle_bytes / 1e6, 1),
        "build_seconds": round(seconds, 1),
    }
    print(f"bundle: {BUNDLE} ({bundle_bytes / 1e6:.1f} MB unpacked), built in {seconds:.0f} s")
    if not args.skip_deb and sys.platform.startswith("linux"):
        deb = build_deb(args.version or project_version())
        summary.update({"deb": str(deb), "deb_mb": round(deb.stat().st_size / 1e6, 1)})
        print(f"deb: {deb} ({deb.stat().st_size / 1e6:.1f} MB)")
    if args.json:
        print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
