"""The self-test: the runner's rules (fast, in-process) and the whole command from the source tree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scrubdesk.core import selftest
from scrubdesk.core.selftest import (
    SelftestContext,
    Step,
    StepFailed,
    StepSkipped,
    isolated_keyring,
    run_steps,
)
from tests.helpers import scrubdesk


def _ctx(tmp_path: Path) -> SelftestContext:
    return SelftestContext(workdir=tmp_path, vault=object())  # type: ignore[arg-type]


def test_runner_reports_pass_fail_skip_and_dependencies(tmp_path):
    def boom(ctx):
        raise StepFailed("2 of 3 messages")

    def leaky(ctx):
        raise ValueError("Dear Mrs Example, my card is 4111...")  # a library error quoting input

    def cannot(ctx):
        raise StepSkipped("no display")

    steps = [
        Step("a", lambda ctx: {"n": 1}),
        Step("b", boom, ("a",)),
        Step("c", lambda ctx: None, ("b",)),
        Step("d", None),
        Step("e", leaky),
        Step("f", cannot),
    ]
    results = {r.name: r for r in run_steps(steps, _ctx(tmp_path))}
    assert [results[n].status for n in "abcdef"] == ["pass", "fail", "skip", "skip", "fail", "skip"]
    assert results["a"].facts == {"n": 1}
    assert results["b"].detail == "2 of 3 messages"
    assert results["c"].detail == "skipped: needs b (fail)"
    assert results["d"].detail == "skipped: not available in this build"
    assert "Mrs Example" not in results["e"].detail and "ValueError" in results["e"].detail
    assert results["f"].detail == "skipped: no display"


def test_report_fails_on_any_failure_and_never_on_skips_alone(tmp_path):
    passing = selftest.SelftestReport((selftest.StepResult("a", "pass", 0.1),), 0.1)
    skipped_only = selftest.SelftestReport((selftest.StepResult("a", "skip", 0.0),), 0.0)
    failing = selftest.SelftestReport(
        (selftest.StepResult("a", "pass", 0.1), selftest.StepResult("b", "fail", 0.1)), 0.2
    )
    assert passing.ok and not failing.ok
    assert not skipped_only.ok  # nothing ran: not a pass
    assert failing.as_dict()["fail"] == 1


def test_planned_feature_is_skipped_when_absent_and_fails_when_present_without_a_step(monkeypatch, tmp_path):
    monkeypatch.setitem(selftest.PLANNED, "export", ("scrubdesk.core.no_such_module",))
    assert selftest.planned_step("export").run is None
    monkeypatch.setitem(selftest.PLANNED, "export", ("scrubdesk.core.audit_log",))  # "present"
    (result,) = run_steps([selftest.planned_step("export", needs=())], _ctx(tmp_path))
    assert result.status == "fail" and "no step for it yet" in result.detail


def test_default_steps_cover_the_issue_pipeline():
    names = [s.name for s in selftest.default_steps()]
    for name in ("init", "import", "analyze", "label", "train", "export", "erase", "verify-erasure", "audit"):
        assert name in names
    assert names.index("init") < names.index("import") < names.index("analyze")


@pytest.mark.real_keyring
def test_isolated_keyring_is_temporary_and_restores_the_environment(tmp_path):
    before = {
        k: os.environ.get(k) for k in ("SCRUBDESK_KEYRING", "SCRUBDESK_PASSPHRASE", "SCRUBDESK_KEYRING_FILE")
    }
    with isolated_keyring(tmp_path) as vault:
        assert os.environ["SCRUBDESK_KEYRING_FILE"] == str(tmp_path / "selftest-keyring.cfg")
        assert os.environ["SCRUBDESK_PASSPHRASE"] != before["SCRUBDESK_PASSPHRASE"]
        vault.backend.set_password("scrubdesk", "probe", "x")
    assert (tmp_path / "selftest-keyring.cfg").exists()
    after = {k: os.environ.get(k) for k in before}
    assert after == before
    assert not Path(before["SCRUBDESK_KEYRING_FILE"] or "/nonexistent").exists()  # the user's untouched


@pytest.mark.slow
def test_selftest_command_passes_from_the_source_tree():
    summary, _out, err = scrubdesk("selftest", "--forbid-network", timeout=600)
    steps = {s["name"]: s for s in summary["steps"]}
    assert summary["ok"], err[-3000:]
    assert summary["network_attempts"] == 0
    for name in ("init", "import", "analyze", "audit", "gui"):
        assert steps[name]["status"] == "pass", steps[name]
    assert steps["import"]["facts"]["spawned_parser"] is True
    assert steps["gui"]["facts"]["rows"] == steps["import"]["facts"]["imported"]
    for name in ("export", "erase", "verify-erasure"):
        assert steps[name]["status"] in ("pass", "skip")
    assert all(s["status"] != "fail" for s in summary["steps"])


def test_a_feature_whose_dependency_is_missing_fails_instead_of_skipping(monkeypatch, tmp_path):
    (tmp_path / "sd_feature_probe.py").write_text("import sd_dependency_not_bundled\ndef run(): pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert selftest.probe("sd_feature_absent_entirely") == selftest.ABSENT
    problem = selftest.probe("sd_feature_probe", "run")
    assert problem == "importing sd_feature_probe failed: module 'sd_dependency_not_bundled' is missing"
    step = selftest.optional_step("train", lambda ctx: None, "sd_feature_probe", "run")
    (result,) = run_steps([step], _ctx(tmp_path))
    assert result.status == "fail" and "sd_dependency_not_bundled" in result.detail
