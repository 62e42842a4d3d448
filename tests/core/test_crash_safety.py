"""kill -9 during an import: nothing committed is lost, and re-running completes without duplicates."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from scrubdesk.core.audit_log import AuditLog
from scrubdesk.core.db.messages import count_messages, ids_by_key
from scrubdesk.core.project import Project
from scrubdesk.core.synthetic import generate
from scrubdesk.core.synthetic.writers import write_mbox
from tests.helpers import scrubdesk

pytestmark = [pytest.mark.real_keyring, pytest.mark.slow]

N = 3000


def _count(project: Project) -> int:
    with project.store() as store:
        return count_messages(store)


def test_kill_9_mid_import_then_resume(tmp_path):
    source = tmp_path / "inbox.mbox"
    write_mbox(source, generate(N, seed=11))
    proj = tmp_path / "proj"
    scrubdesk("init", proj)
    project = Project.open(proj)

    cmd = [sys.executable, "-m", "scrubdesk.gui", "import", str(proj), str(source), "--batch-size", "50"]
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        seen = _count(project)
        if seen >= 300:
            break
        time.sleep(0.02)
    assert child.poll() is None, "import finished before it could be killed; raise N"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()

    after_kill = _count(Project.open(proj))  # reopening works
    assert seen <= after_kill < N  # everything seen committed is still there

    summary, _, _ = scrubdesk("import", proj, source)
    assert summary["imported"] == N - after_kill
    assert summary["duplicates"] == after_kill
    final = Project.open(proj)
    assert _count(final) == N
    with final.store() as store:
        assert len(ids_by_key(store)) == N  # distinct keys
        assert AuditLog(store, final.keys.id_key).verify() == []
