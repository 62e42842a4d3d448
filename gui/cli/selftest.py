"""`scrubdesk selftest [--json]`: the whole pipeline on synthetic emails in a temporary project.

The runner and the core steps live in :mod:`scrubdesk.core.selftest`; this top-layer module adds the
steps that need the ML layer (PII analysis, training) and Qt (the main window, offscreen), because only
the top layer may import both.
"""

from __future__ import annotations

import argparse
import os
import sys
from functools import partial
from pathlib import Path
from typing import Any

from scrubdesk.core.cli.support import Output, Subparsers, add_json_flag
from scrubdesk.core.selftest import (
    DEFAULT_COUNT,
    SelftestContext,
    Step,
    StepFailed,
    StepResult,
    default_steps,
    format_result,
    optional_step,
    run_selftest,
)

GUI_TIMEOUT_MS = 60_000
# Entity labels the analysis must find in the synthetic corpus (each template carries them).
EXPECTED_LABELS = ("EMAIL_ADDRESS", "PERSON")


def register(sub: Subparsers) -> None:
    p = sub.add_parser(
        "selftest",
        help="run the whole pipeline on synthetic emails in a temporary project (offline, offscreen)",
    )
    p.add_argument("--count", type=int, default=DEFAULT_COUNT, help="synthetic emails per source")
    p.add_argument("--keep", type=Path, metavar="DIR", help="run in DIR and keep it (default: a temp dir)")
    p.add_argument("--no-gui", action="store_true", help="skip the main-window step")
    p.add_argument(
        "--forbid-network",
        action="store_true",
        help="fail any Internet socket or name lookup in this process (an audit hook), and report them",
    )
    add_json_flag(p)
    p.set_defaults(handler=cmd_selftest)


# --- steps that need models or Qt ---------------------------------------------------------------------------


MIN_LEXICON_NAMES = 10_000  # ~30k given names and ~25k surnames (resources/pii_names.tsv)


def _name_lexicon_sizes() -> tuple[int, int]:
    from scrubdesk.models.pii.name_lexicon import word_list_sizes

    return word_list_sizes()


def step_analyze(ctx: SelftestContext) -> dict[str, Any]:
    from scrubdesk.models.pii.analysis_job import run_analysis
    from scrubdesk.models.pii.engine import get_analyzer
    from scrubdesk.models.pii.offline import is_offline

    if not is_offline():
        raise StepFailed("tldextract is not limited to its bundled suffix list")
    lexicon_sizes = _name_lexicon_sizes()
    if min(lexicon_sizes) < MIN_LEXICON_NAMES:  # e.g. Faker's locale modules missing from a frozen build
        raise StepFailed(f"the name lexicon is nearly empty (given, surnames: {lexicon_sizes})")
    summary = run_analysis(ctx.require_project(), get_analyzer(), batch_size=32)
    expected = ctx.facts.get("imported", 0)
    if summary.cancelled or summary.analysed != expected:
        raise StepFailed(f"analysed {summary.analysed} of {expected} messages")
    missing = [label for label in EXPECTED_LABELS if not summary.by_label.get(label)]
    if missing:
        raise StepFailed(f"no {', '.join(missing)} found in {summary.analysed} synthetic emails")
    ctx.facts["analysed"] = summary.analysed
    return {
        "analysed": summary.analysed,
        "spans": summary.spans,
        "per_s": summary.as_dict()["messages_per_s"],
    }


def step_train(ctx: SelftestContext) -> dict[str, Any]:
    from scrubdesk.models.triage.settings import TriageSettings
    from scrubdesk.models.triage.training_job import run_training

    project = ctx.require_project()
    summary = run_training(project, TriageSettings())
    data = summary.as_dict()
    gate = "passed"
    if summary.refused == "membership-gate":
        # The self-test's few synthetic messages are above the gate (small sets leak membership): the gate
        # must have refused the model; saving it then needs the explicit, recorded acceptance.
        if summary.audit.get("membership_passed") is not False:
            raise StepFailed("the membership gate refused a model that met it")
        summary = run_training(project, TriageSettings(), accept_membership_risk=True)
        data = summary.as_dict()
        if not (summary.saved and data.get("membership_risk_accepted")):
            raise StepFailed("a model above the membership gate was saved without the acceptance recorded")
        gate = f"refused at AUC {data.get('membership_auc')}, saved with the risk accepted"
    if not summary.saved:  # the vocabulary scan refused it
        raise StepFailed(f"model not saved ({summary.refused}): {summary.explanation}")
    if not summary.audit.get("membership_passed") and not data.get("membership_risk_accepted"):
        raise StepFailed(f"membership-inference AUC {data.get('membership_auc')} is above the gate")
    if not (ctx.project_dir / str(summary.model_path)).exists():
        raise StepFailed("the saved model file is missing")
    return {
        "n_train": summary.n_train,
        "labels": summary.labels,
        "accuracy": data.get("accuracy"),
        "membership_auc": data.get("membership_auc"),
        "membership_gate": data.get("membership_gate"),
        "gate": gate,
        "features": data.get("features"),
    }


def _note_failure(failures: list[str], exc: BaseException) -> None:
    failures.append(type(exc).__name__)  # the type only: a message could quote mail


def step_gui(ctx: SelftestContext) -> dict[str, Any]:
    """Construct the main window (offscreen unless a platform is chosen), open the temporary project in
    it through the normal worker path, check the message list, close it."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from scrubdesk.gui.app import create_application
    from scrubdesk.gui.main_window import MainWindow
    from scrubdesk.gui.settings import AppSettings
    from scrubdesk.gui.tasks import TaskRunner

    app = create_application()
    # A private settings file: the user's recent-projects list and window layout stay untouched.
    settings = AppSettings(QSettings(str(ctx.workdir / "gui-settings.ini"), QSettings.Format.IniFormat))
    runner = TaskRunner()
    window = MainWindow(settings, runner)
    failures: list[str] = []
    try:
        window.show()
        task = window.open_project(ctx.project_dir)
        if task is None:
            raise StepFailed("the main window refused to open the project")
        task.failed.connect(partial(_note_failure, failures))
        loop = QEventLoop()
        task.finished.connect(loop.quit)

        def watchdog() -> None:  # an error box would wait for a click forever offscreen
            modal = QApplication.activeModalWidget()
            if modal is not None:
                failures.append("a modal dialog was left open")
                modal.close()
            loop.quit()

        QTimer.singleShot(GUI_TIMEOUT_MS, watchdog)
        if task.running:
            loop.exec()
        app.processEvents()
        modal = QApplication.activeModalWidget()
        if modal is not None:
            failures.append("an error box was shown")
            modal.close()
        if failures:
            raise StepFailed(f"opening the project in the main window failed: {', '.join(failures)}")
        rows = window.model.rowCount()
        expected = ctx.facts.get("imported", 0)
        if window.project is None or rows != expected:
            raise StepFailed(f"the main window lists {rows} of {expected} messages")
        exposed = window.isVisible()
    finally:
        window.close()  # saves the layout to the private settings, waits for jobs
        runner.shutdown()
        window.deleteLater()
        app.processEvents()
    return {"platform": QApplication.platformName(), "rows": rows, "shown": exposed}


def selftest_steps(*, gui: bool = True) -> list[Step]:
    analyze = Step("analyze", step_analyze, ("import",))
    train = optional_step(
        "train", step_train, "scrubdesk.models.triage.training_job", "run_training", ("review",)
    )
    gui_step = Step("gui", step_gui, ("import",)) if gui else Step("gui", None, unavailable="--no-gui")
    return default_steps(analyze=analyze, train=train, gui=gui_step)


_NETWORK_EVENTS = frozenset(
    {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr", "socket.sendto"}
)


def forbid_network(attempts: list[str]) -> None:
    """Install an audit hook (permanent for this process) that records and refuses every attempt to
    reach another host: name lookups and connects of Internet sockets. Unix sockets stay allowed."""
    import socket

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event not in _NETWORK_EVENTS:
            return
        if event in ("socket.connect", "socket.sendto"):
            sock = args[0]
            if getattr(sock, "family", None) not in (socket.AF_INET, socket.AF_INET6):
                return
        attempts.append(event)
        raise OSError(f"network access refused by the self-test ({event})")

    sys.addaudithook(hook)


def cmd_selftest(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    def report(result: StepResult) -> None:
        out.info(format_result(result))

    attempts: list[str] = []
    if args.forbid_network:
        forbid_network(attempts)
    out.info("self-test: temporary project, temporary encrypted key file, synthetic emails only")
    result = run_selftest(
        selftest_steps(gui=not args.no_gui), count=args.count, workdir=args.keep, on_result=report
    )
    summary = result.as_dict()
    if args.forbid_network:
        summary["network_attempts"] = len(attempts)
        if attempts:
            summary["ok"] = False
            out.info(
                f"FAIL  network: {len(attempts)} attempt(s) to reach the network: {sorted(set(attempts))}"
            )
    counts = result.counts()
    out.info(
        f"self-test {'PASSED' if summary['ok'] else 'FAILED'}: {counts['pass']} passed, "
        f"{counts['fail']} failed, {counts['skip']} skipped in {result.seconds:.1f} s"
    )
    return summary
