"""What every CLI command shares: the --json last-line contract, errors, progress on stderr.

A command handler takes (args, out) and returns a dict: the summary. With --json, that dict is printed
as one line of JSON, last, on stdout; without it, as readable "key: value" lines. Handlers print
progress and notes through ``out`` so that --json output stays machine-readable.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from scrubdesk.core.jobs import JobControl

Handler = Callable[[argparse.Namespace, "Output"], dict[str, Any]]
if TYPE_CHECKING:  # what each layer registers its commands on (subscriptable for type checkers only)
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    Subparsers = argparse._SubParsersAction


class Output:
    def __init__(self, *, json_mode: bool, stream: TextIO | None = None, err: TextIO | None = None) -> None:
        self.json_mode = json_mode
        self.stream = stream or sys.stdout
        self.err = err or sys.stderr
        self._last_progress = 0.0
        self._progress_shown = False

    def info(self, text: str) -> None:
        """A line for people. In --json mode it goes to stderr so stdout stays one JSON line."""
        print(text, file=self.err if self.json_mode else self.stream, flush=True)

    def progress(self, done: int, total: int | None, message: str) -> None:
        if not self.err.isatty():
            return
        now = time.monotonic()
        if now - self._last_progress < 0.2 and (total is None or done < total):
            return
        self._last_progress = now
        share = f"{100 * done / total:5.1f}% " if total else ""
        self.err.write(f"\r{share}{message}"[:200].ljust(80))
        self.err.flush()
        self._progress_shown = True

    def end_progress(self) -> None:
        if self._progress_shown:
            self.err.write("\n")
            self._progress_shown = False

    def job_control(self) -> JobControl:
        return JobControl(on_progress=self.progress)

    def summary(self, data: dict[str, Any]) -> None:
        self.end_progress()
        if self.json_mode:
            print(json.dumps(data, sort_keys=True, default=str), file=self.stream, flush=True)
            return
        for key, value in data.items():
            shown = (
                (", ".join(f"{k}={v}" for k, v in value.items()) or "-") if isinstance(value, dict) else value
            )
            print(f"{key}: {shown}", file=self.stream)


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help="print a one-line JSON summary as the last line of output"
    )
