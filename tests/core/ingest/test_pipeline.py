"""The parser process: same items as in-process reading, and it dies with its parent (kill -9)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from scrubdesk.core.ingest.pipeline import die_with_parent, read_source_in_process
from scrubdesk.core.ingest.readers import read_source
from scrubdesk.core.ingest.records import ImportOptions, SourceProgress
from scrubdesk.core.synthetic import generate
from scrubdesk.core.synthetic.writers import write_mbox

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def mbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pipeline") / "inbox.mbox"
    write_mbox(path, generate(2000, seed=15))
    return path


def test_the_parser_process_yields_what_in_process_reading_does(mbox: Path) -> None:
    local = list(read_source(mbox, ImportOptions(), SourceProgress()))
    progress = SourceProgress()
    remote = list(read_source_in_process(mbox, ImportOptions(), progress))
    assert [(i.location, getattr(i, "body", None)) for i in remote] == [
        (i.location, getattr(i, "body", None)) for i in local
    ]
    assert progress.done_bytes == mbox.stat().st_size


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's wait is missing


# The importer's side, stuck on purpose: it reads one item and then sleeps, so the parser process is alive
# (parsing, or blocked on the full pipe) when the importer is killed.
STUCK_IMPORTER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from scrubdesk.core.ingest.pipeline import die_with_parent, read_source_in_process
    from scrubdesk.core.ingest.records import ImportOptions, SourceProgress
    items = read_source_in_process(Path(sys.argv[1]), ImportOptions(), SourceProgress())
    next(items)
    print("reading", flush=True)
    time.sleep(600)
    """
)


def sleep_in_a_child(parent_pid: int) -> None:
    """A parser stand-in that is busy (not writing to its pipe) when its parent is killed."""
    die_with_parent(parent_pid)
    time.sleep(600)


BUSY_PARENT = textwrap.dedent(
    """
    import multiprocessing, os, time
    from tests.core.ingest.test_pipeline import sleep_in_a_child
    if __name__ == "__main__":
        child = multiprocessing.get_context("spawn").Process(target=sleep_in_a_child, args=(os.getpid(),))
        child.start()
        time.sleep(1)  # let the child arm its death signal and watchdog
        print(child.pid, flush=True)
        time.sleep(600)
    """
)


def _kill_and_expect_gone(parent: subprocess.Popen[str], children: list[int]) -> None:
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(10)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [pid for pid in children if _alive(pid)] == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_busy_child_dies_with_its_parent(tmp_path: Path) -> None:
    script = tmp_path / "busy_parent.py"
    script.write_text(BUSY_PARENT)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, cwd=ROOT, text=True, env=env
    )
    try:
        assert parent.stdout is not None
        child_pid = int(parent.stdout.readline())
        assert _alive(child_pid)
        _kill_and_expect_gone(parent, _children(parent.pid))
    finally:
        if parent.poll() is None:
            parent.kill()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_9_of_the_importer_leaves_no_parser_or_resource_tracker_behind(mbox: Path) -> None:
    importer = subprocess.Popen(
        [sys.executable, "-c", STUCK_IMPORTER, str(mbox)], stdout=subprocess.PIPE, cwd=ROOT, text=True
    )
    try:
        assert importer.stdout is not None
        assert importer.stdout.readline().strip() == "reading"
        children = _children(importer.pid)
        assert len(children) >= 2  # the parser process and multiprocessing's resource tracker
        _kill_and_expect_gone(importer, children)
    finally:
        if importer.poll() is None:
            importer.kill()
