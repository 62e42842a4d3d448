"""The `scrubdesk` command. Assembled at the top layer so each layer contributes its own commands
without importing upward; Qt loads only for commands that open windows."""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from scrubdesk.core import cli as core_cli
from scrubdesk.core.cli.support import Output
from scrubdesk.core.erasure import AfterErasure
from scrubdesk.core.errors import ScrubdeskError
from scrubdesk.core.project import Project
from scrubdesk.core.store import explain
from scrubdesk.gui.cli import app, selftest
from scrubdesk.models import cli as models_cli

EXIT_ERROR = 2
EXIT_CANCELLED = 130
EXIT_INTERNAL = 3


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("scrubdesk")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


class UsageError(Exception):
    """A command line argparse cannot parse (its message names the argument, as argparse words it)."""

    def __init__(self, message: str, usage: str) -> None:
        super().__init__(message)
        self.usage = usage


class _Parser(argparse.ArgumentParser):
    """argparse, except that a usage error is raised, so that --json still ends with its JSON line."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}", self.format_usage())


def _label_screen(name: str) -> Sequence[str]:
    from scrubdesk.models.pii.label_screen import screen_label

    return screen_label(name)


def _models_after_erasure(project: Project, mode: str) -> AfterErasure:
    from scrubdesk.models.triage.erasure_models import after_erasure

    return after_erasure(project, mode)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="scrubdesk",
        description="Build email-triage models from customer email; the raw text never leaves this machine.",
    )
    parser.add_argument("--version", action="version", version=f"scrubdesk {_version()}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details to stderr")
    # Core's label commands screen new label names with the PII analyser, which only this layer may load.
    # ... and an erasure deletes or retrains the models trained on the erased messages, which is ML work.
    parser.set_defaults(label_screen=_label_screen, models_after_erasure=_models_after_erasure)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    core_cli.register(sub)
    models_cli.register(sub)
    app.register(sub)
    selftest.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    multiprocessing.freeze_support()  # the import job's parser process, in a frozen (PyInstaller) build
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        print(exc.usage.rstrip(), file=sys.stderr)
        print(f"error: {exc}", file=sys.stderr)
        if "--json" in argv:
            Output(json_mode=True).summary({"ok": False, "error": str(exc), "error_type": "UsageError"})
        return EXIT_ERROR
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    out = Output(json_mode=getattr(args, "json", False))
    try:
        try:
            summary = args.handler(args, out)
        except Exception as exc:
            known = explain(exc, getattr(args, "dir", None))
            if known is None or known is exc:
                raise
            raise known from exc
    except ScrubdeskError as exc:
        out.end_progress()
        print(f"error: {exc}", file=sys.stderr)
        if out.json_mode:
            out.summary({"ok": False, "error": str(exc), "error_type": type(exc).__name__})
        return EXIT_ERROR
    except KeyboardInterrupt:
        out.end_progress()
        print("interrupted", file=sys.stderr)
        if out.json_mode:
            out.summary({"ok": False, "error": "interrupted", "error_type": "KeyboardInterrupt"})
        return EXIT_CANCELLED
    except Exception as exc:  # noqa: BLE001 - last line of defence: report without the message text
        out.end_progress()
        print(safe_traceback(exc), file=sys.stderr)
        if out.json_mode:
            out.summary({"ok": False, "error": "internal error", "error_type": type(exc).__name__})
        return EXIT_INTERNAL
    out.summary(summary)
    return 0 if summary.get("ok", True) else 1


def safe_traceback(exc: BaseException) -> str:
    """Where it failed and the exception type, but not its message: library messages can quote input."""
    frames = traceback.extract_tb(exc.__traceback__)
    lines = [f"  {f.filename}:{f.lineno} in {f.name}" for f in frames]
    return "internal error (please report; message text withheld for privacy):\n" + "\n".join(
        [*lines, f"{type(exc).__module__}.{type(exc).__qualname__}"]
    )


if __name__ == "__main__":
    sys.exit(main())
