"""Errors that say what happened: a damaged store, a read-only or full disk, a folder that is not empty,
a mistyped command line. Each is exit 2 with its own message (never exit 3 'internal error'), and
nothing stored is lost."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys

import pytest

from scrubdesk.core.project import STORE_FILE, Project
from scrubdesk.core.synthetic import generate, write_mbox
from tests.helpers import scrubdesk

PAGE = 4096


def _unshare_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    return probe.returncode == 0


needs_unshare = pytest.mark.skipif(not _unshare_works(), reason="needs unprivileged mount namespaces")


def _flip_byte(path, offset):
    with path.open("r+b") as fh:
        fh.seek(offset)
        value = fh.read(1)[0]
        fh.seek(offset)
        fh.write(bytes([value ^ 0xFF]))


@pytest.fixture
def labelled(tmp_path):
    proj = tmp_path / "p"
    scrubdesk("init", proj)
    scrubdesk("labels", "add", proj, "refund", "change_of_address")
    scrubdesk("audit", "verify", proj)  # checkpoints nothing by itself; the store file holds the pages
    return proj


def _page_of_table(project_dir, table):
    """The root page of ``table`` in the checkpointed store file (a subprocess has the file keyring)."""
    code = (
        "import sys\n"
        "from scrubdesk.core.db import maintenance\n"
        "from scrubdesk.core.project import Project\n"
        "p = Project.open(sys.argv[1])\n"
        "with p.store() as s:\n"
        "    maintenance.checkpoint(s)\n"
        "    print(maintenance.root_page(s, sys.argv[2]))\n"
    )
    args = [sys.executable, "-c", code, str(project_dir), table]
    out = subprocess.run(args, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return int(out.stdout)


def test_a_flipped_byte_is_named_by_check_and_audit_verify_and_other_commands_say_damaged(labelled):
    page = _page_of_table(labelled, "label_set")
    _flip_byte(labelled / STORE_FILE, (page - 1) * PAGE + 200)

    check, _, stderr = scrubdesk("check", labelled, check=False)
    assert check["_exit"] == 1 and check["ok"] is False
    assert check["pages_failing"] == [page] and check["damaged_tables"] == ["label_set"]
    assert f"fail their integrity check: {page}" in stderr

    verify, _, _ = scrubdesk("audit", "verify", labelled, check=False)
    assert verify["ok"] is False and verify["pages_failing"] == [page]

    listed, _, _ = scrubdesk("labels", "list", labelled, check=False)
    assert listed["_exit"] == 2 and listed["error_type"] == "StoreDamagedError"
    assert "scrubdesk check" in listed["error"]


def test_an_intact_project_checks_ok(labelled):
    check, _, _ = scrubdesk("check", labelled)
    assert check["ok"] is True and check["pages_failing"] == [] and check["audit_ok"] is True


@needs_unshare
def test_a_read_only_project_is_not_called_a_wrong_key(labelled):
    cmd = (
        f"mount --bind {labelled} {labelled} && mount -o remount,ro,bind {labelled} && "
        f"{sys.executable} -m scrubdesk.gui stats {labelled} --json"
    )
    result = subprocess.run(["unshare", "-rm", "sh", "-c", cmd], capture_output=True, text=True)
    assert result.returncode == 2, result.stderr[-2000:]
    assert '"error_type": "ProjectReadOnlyError"' in result.stdout.splitlines()[-1]
    assert "read-only" in result.stderr and "key" not in result.stderr.split("error:")[-1]


@needs_unshare
def test_a_full_disk_is_exit_2_and_keeps_what_was_committed(tmp_path):
    """The store fills a small file system during an import: the command fails with a clear 'disk is
    full' (exit 2), the batches committed before are kept and audited, and the store stays intact."""
    mbox = tmp_path / "big.mbox"
    write_mbox(mbox, generate(3000, seed=3))
    small = tmp_path / "small"
    small.mkdir()
    gui = f"{sys.executable} -m scrubdesk.gui"
    script = (
        f"mount -t tmpfs -o size=1500k tmpfs {small} && {gui} init {small}/p --json >/dev/null && "
        f"{{ {gui} import {small}/p {mbox} --batch-size 200 --json; echo exit=$?; }} && "
        f"{gui} stats {small}/p --json | tail -n 1 && {gui} check {small}/p --json | tail -n 1 && "
        f"{gui} audit show {small}/p --action import.batch --json | tail -n 1"
    )
    result = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, cwd=tmp_path, timeout=900
    )
    lines = result.stdout.strip().splitlines()
    failed, code, stats, check, audit = (json.loads(lines[-5]), lines[-4], *map(json.loads, lines[-3:]))
    assert code == "exit=2" and failed["error_type"] == "DiskFullError", result.stderr[-2000:]
    assert 0 < stats["messages"] < 3000
    assert check["ok"] is True
    assert sum(e["details"]["imported"] for e in audit["entries"]) == stats["messages"]


def test_init_refuses_a_folder_that_is_not_empty(tmp_path):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "letter.txt").write_text("keep me")
    summary, _, _ = scrubdesk("init", folder, check=False)
    assert summary["_exit"] == 2 and summary["error_type"] == "ProjectExistsError"
    assert "not empty" in summary["error"]
    assert sorted(p.name for p in folder.iterdir()) == ["letter.txt"]


def test_usage_errors_still_end_with_the_json_line(tmp_path):
    summary, _, stderr = scrubdesk("stats", check=False)  # the project folder is missing
    assert summary == {"ok": False, "error_type": "UsageError", "error": summary["error"], "_exit": 2}
    assert "required: dir" in summary["error"] and "usage: scrubdesk stats" in stderr
    summary, _, _ = scrubdesk("no-such-command", check=False)
    assert summary["_exit"] == 2 and "invalid choice" in summary["error"]


def test_project_files_are_owner_only(tmp_path):
    proj = tmp_path / "p"
    scrubdesk("init", proj)
    scrubdesk("audit", "verify", proj)
    assert stat.S_IMODE(proj.stat().st_mode) == 0o700
    for path in proj.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_opening_a_project_narrows_a_wide_store_mode(tmp_path):
    project = Project.create(tmp_path / "p")
    (project.path / STORE_FILE).chmod(0o644)
    project.path.chmod(0o755)
    Project.open(project.path)
    assert stat.S_IMODE((project.path / STORE_FILE).stat().st_mode) == 0o600
    assert stat.S_IMODE(project.path.stat().st_mode) == 0o700
