"""CLI commands that open windows: gui, demo, screenshots, selftest. Qt is imported only when they run."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from scrubdesk.core.cli.support import Output, Subparsers, add_json_flag
from scrubdesk.core.errors import InputError

MIN_SHOWCASE_COUNT = 100


def register(sub: Subparsers) -> None:
    p = sub.add_parser("gui", help="open the desktop app")
    p.add_argument("dir", type=Path, nargs="?", help="project to open")
    p.add_argument("--exit-after-ms", type=int, help=argparse.SUPPRESS)  # smoke tests
    p.add_argument("--report-startup", action="store_true", help=argparse.SUPPRESS)  # benchmarks
    add_json_flag(p)
    p.set_defaults(handler=cmd_gui)

    p = sub.add_parser("demo", help="create (once) and open the demo project of synthetic UK emails")
    p.add_argument("--dir", type=Path, help="where the demo project lives (default: user data dir)")
    p.add_argument("--count", type=int, default=400, help="synthetic emails in a new demo project")
    p.add_argument("--no-gui", action="store_true", help="create the project and stop")
    p.add_argument("--exit-after-ms", type=int, help=argparse.SUPPRESS)
    add_json_flag(p)
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser(
        "screenshots",
        help="render every main view to PNG files, light and dark (offscreen)",
        description="Render every main view to PNG files in OUTDIR, offscreen. By default the views show a "
        "synthetic showcase project built in a temporary folder (analysed, labelled, reviewed, trained, "
        "with suggestions) with a temporary key file; nothing of yours is read or changed. --project shows "
        "an existing project as it is: its real data will be in the pictures.",
    )
    p.add_argument("outdir", type=Path)
    p.add_argument("--project", type=Path, help="render this project as it is (default: the showcase)")
    p.add_argument(
        "--allow-raw",
        action="store_true",
        help="with --project: accept that the PNG files show the project's raw message text, in clear",
    )
    p.add_argument(
        "--count",
        type=int,
        default=400,
        help=f"synthetic emails in the showcase (default 400, at least {MIN_SHOWCASE_COUNT})",
    )
    p.add_argument("--theme", choices=("light", "dark", "both"), default="both", help="default: both")
    p.add_argument(
        "--size",
        action="append",
        type=_window_size,
        help="window size WxH in logical pixels (repeatable; default 1280x800). For 150 %% scaling set "
        "QT_SCALE_FACTOR=1.5 and give the screen's size divided by 1.5, e.g. 910x512 for 1366x768",
    )
    add_json_flag(p)
    p.set_defaults(handler=cmd_screenshots)


def _window_size(text: str) -> tuple[int, int]:
    width, sep, height = text.lower().partition("x")
    if not sep or not width.isdigit() or not height.isdigit() or int(width) < 320 or int(height) < 240:
        raise argparse.ArgumentTypeError(f"not a window size WxH (at least 320x240): {text!r}")
    return int(width), int(height)


def cmd_gui(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.gui.app import create_application, run_gui

    recorder = None
    if args.report_startup:
        from scrubdesk.gui.startup_timing import FirstPaintRecorder

        recorder = FirstPaintRecorder()
        create_application().installEventFilter(recorder)  # run_gui reuses this application
    code = run_gui(args.dir, exit_after_ms=args.exit_after_ms)
    timing = {"first_window_ms": recorder.first_window_ms} if recorder is not None else {}
    return {"ok": code == 0, "exit_code": code, **timing}


def cmd_demo(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.core.demo import create_demo_project, default_demo_dir, use_demo_keyring_if_needed

    demo_dir = (args.dir or default_demo_dir()).absolute()
    notice = use_demo_keyring_if_needed(demo_dir)
    if notice:
        out.info(notice)
    project, summary = create_demo_project(demo_dir, count=args.count, control=out.job_control())
    result: dict[str, Any] = {"ok": True, "project": str(project.path), "created": summary is not None}
    if summary is not None:
        out.end_progress()
        out.info(f"demo project created at {project.path}: {summary.imported} synthetic emails")
        result["imported"] = summary.imported
        from scrubdesk.models.scenario import prepare_demo

        out.info("analysing the demo's mail and seeding its intents, so that it opens ready to label…")
        result["analysed"] = prepare_demo(project, out.job_control())
        out.end_progress()
    if not args.no_gui:
        from scrubdesk.gui.app import run_gui

        result["exit_code"] = run_gui(project.path, exit_after_ms=args.exit_after_ms)
        result["ok"] = result["exit_code"] == 0
    return result


def cmd_screenshots(args: argparse.Namespace, out: Output) -> dict[str, Any]:
    from scrubdesk.core.project import is_project

    themes = ("light", "dark") if args.theme == "both" else (args.theme,)
    if args.project is None and args.count < MIN_SHOWCASE_COUNT:
        raise InputError(f"--count: the showcase needs at least {MIN_SHOWCASE_COUNT} emails to train a model")
    if args.project is not None and not is_project(args.project):
        raise InputError(f"not a Scrubdesk project: {args.project}")
    if args.project is not None and not args.allow_raw:
        raise InputError(
            "screenshots of a real project show its raw message text (names, addresses) in unencrypted PNG "
            "files. Without --project they show a synthetic showcase; to render this project anyway, add "
            "--allow-raw and keep the files as safe as the project."
        )

    from scrubdesk.gui.screenshots import WINDOW_SIZE, render_screenshots, render_showcase

    sizes = tuple(args.size or (WINDOW_SIZE,))

    if args.project is None:
        out.info("building the synthetic showcase project (temporary folder and key file)…")
        run = render_showcase(
            args.outdir, count=args.count, themes=themes, control=out.job_control(), sizes=sizes
        )
        out.end_progress()
    else:
        run = render_screenshots(args.project, args.outdir, themes=themes, sizes=sizes)
    for file in run.files:
        out.info(str(file))
    for problem in run.problems:
        out.info(f"problem: {problem}")
    return {
        "ok": bool(run.files) and not run.problems,
        "files": [str(f) for f in run.files],
        "problems": run.problems,
    }
