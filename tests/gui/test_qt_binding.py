"""Guards against a known-bad Qt binding: PySide6 6.12.0 on Python 3.11 drops a reference to True on
every signal emit (and to None on Python slots returning None), and the interpreter aborts after enough
emits. The pin in pyproject.toml excludes it; this test fails if a bump lets a broken build back in."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.gui

REPRODUCER = """
from PySide6.QtCore import QObject, Signal
class Emitter(QObject):
    fired = Signal()
emitter = Emitter()
for _ in range(100_000):
    emitter.fired.emit()
print("ok")
"""


def test_signal_emits_do_not_corrupt_refcounts():
    result = subprocess.run([sys.executable, "-c", REPRODUCER], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-1500:]
    assert result.stdout.strip() == "ok"
