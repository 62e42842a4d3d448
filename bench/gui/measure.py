"""One GUI measurement in this process: the real MainWindow, offscreen, on a copy of the bench project.

    .venv/bin/python bench/gui/measure.py {open,switch,label} PROJECT_DIR [--count N] [--mode raw|scrubbed]
        [--how random|click|next] [--keys KEYS_JSON | --file-keyring KEYRING_CFG] [--profile OUT.pstats]

Run by ``bench/gui/run.py`` in a fresh process per measurement; prints one JSON line.

What counts as done ("shown and rendered"): the change is made the way a user makes it, then the event
loop runs until a zero-delay timer posted after the change has fired (so deferred work - the message
view's late span formatting, layout requests, queued signals - has run) and the posted events after it
are sent, which includes the repaint of what changed. A paint counter on the message body's and the
list's viewports checks that painting really happened inside the timed interval.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from bench.gui.build_project import install_bench_keyring, keys_file  # noqa: E402
from scrubdesk.core.db.labels import message_label  # noqa: E402
from scrubdesk.gui.message_table_model import COLUMN_INDEX  # noqa: E402

WINDOW_SIZE = (1280, 800)  # the window's default size on a large enough screen


class PaintCounter(QObject):
    """Counts Paint events delivered to the widgets it filters."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: dict[str, int] = {}
        self._names: dict[int, str] = {}

    def watch(self, name: str, widget: Any) -> None:
        self._names[id(widget)] = name
        self.counts[name] = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            name = self._names.get(id(watched))
            if name is not None:
                self.counts[name] += 1
        return False

    def snapshot(self) -> dict[str, int]:
        return dict(self.counts)


def settle(app: QApplication) -> None:
    """Run the event loop until a zero-delay timer posted now has fired, then send what it posted."""
    fired = [False]
    QTimer.singleShot(0, lambda: fired.__setitem__(0, True))
    while not fired[0]:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)
    app.sendPostedEvents()
    app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents)


def wait_until(app: QApplication, condition: Any, timeout: float = 120.0) -> None:
    """Block in the event loop (woken by events, and every 20 ms by a heartbeat) until ``condition()``."""
    heartbeat = QTimer()
    heartbeat.start(20)
    deadline = time.monotonic() + timeout
    try:
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("the GUI did not reach the expected state in time")
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    finally:
        heartbeat.stop()


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)

    def pct(p: float) -> float:  # nearest rank
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]

    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(pct(95), 2),
        "max_ms": round(ordered[-1], 2),
        "mean_ms": round(statistics.fmean(ordered), 2),
    }


class Bench:
    def __init__(self, project_dir: Path, keys: Path, file_keyring: Path | None) -> None:
        from scrubdesk.gui.app import create_application
        from scrubdesk.gui.appearance import apply_theme
        from scrubdesk.gui.main_window import MainWindow
        from scrubdesk.gui.settings import AppSettings
        from scrubdesk.gui.tasks import TaskRunner

        self.project_dir = project_dir
        if file_keyring is None:
            install_bench_keyring(keys)
        else:
            from bench.gui.build_project import FILE_PASSPHRASE

            os.environ.update(
                SCRUBDESK_KEYRING="file",
                SCRUBDESK_PASSPHRASE=FILE_PASSPHRASE,
                SCRUBDESK_KEYRING_FILE=str(file_keyring),
            )
        self.tmp = tempfile.TemporaryDirectory(prefix="scrubdesk-guibench-")
        for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
            QSettings.setPath(fmt, QSettings.Scope.UserScope, self.tmp.name)
            QSettings.setPath(fmt, QSettings.Scope.SystemScope, self.tmp.name)
        self.app = create_application()
        ini = str(Path(self.tmp.name) / "settings.ini")
        settings = AppSettings(QSettings(ini, QSettings.Format.IniFormat))
        apply_theme(self.app, settings.theme())
        self.runner = TaskRunner()
        self.window = MainWindow(settings, self.runner)
        self.window.resize(*WINDOW_SIZE)
        self.window.show()
        QTest.qWaitForWindowExposed(self.window)
        self.window.activateWindow()
        wait_until(self.app, self.window.isActiveWindow, 10)
        settle(self.app)
        self.paints = PaintCounter()
        self.paints.watch("body", self.window.message_view.body.viewport())
        self.paints.watch("list", self.window.list_view.viewport())

    def open(self) -> dict[str, Any]:
        """Time from open_project() to a populated, selected, painted and idle list."""
        from scrubdesk.core.project import Project

        window, app = self.window, self.app
        marks: dict[str, float] = {}
        window.project_changed.connect(lambda _p: marks.setdefault("ui_built", time.perf_counter()))
        real_open = Project.open.__func__  # type: ignore[attr-defined]

        def timed_open(cls: type[Project], *args: Any, **kwargs: Any) -> Project:
            try:
                return real_open(cls, *args, **kwargs)
            finally:
                marks.setdefault("unlocked", time.perf_counter())  # in the worker thread

        Project.open = classmethod(timed_open)  # type: ignore[method-assign, assignment]
        before = self.paints.snapshot()
        cpu = time.thread_time()
        started = time.perf_counter()
        task = window.open_project(self.project_dir)
        assert task is not None

        def ready() -> bool:
            message = window.message_view.message
            return (
                not task.running
                and window.project is not None
                and window.list_view.current_row() == 0
                and message is not None
                and message.id == window.model.message_id_at(0)
            )

        wait_until(app, ready)
        settle(app)
        painted = self.paints.snapshot()
        if painted["body"] == before["body"] or painted["list"] == before["list"]:
            window.repaint()  # not painted yet: paint now, inside the timed interval
        done = time.perf_counter()
        cpu = time.thread_time() - cpu
        unlocked = marks.get("unlocked", done)
        ui_built = marks.get("ui_built", done)
        return {
            "open_s": round(done - started, 4),
            "ui_cpu_s": round(cpu, 4),  # UI-thread CPU time within open_s
            "unlock_s": round(unlocked - started, 4),  # worker: keyring and Project.open
            "build_ui_s": round(ui_built - unlocked, 4),  # signal back; UI: store, model IDs, panels, message
            "paint_s": round(done - ui_built, 4),  # settle and first paint
            "painted_in_settle": painted["body"] > before["body"] and painted["list"] > before["list"],
            "rows": window.model.rowCount(),
            "rss_mb": round(rss_mb(), 1),
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }

    def open_and_wait(self) -> None:
        task = self.window.open_project(self.project_dir)
        assert task is not None
        wait_until(self.app, lambda: not task.running and self.window.message_view.message is not None)
        settle(self.app)

    def _timed(self, action: Any, check: Any) -> tuple[float, float, bool]:
        """(wall ms, UI-thread CPU ms, painted) of one user action until it is shown."""
        before = self.paints.snapshot()["body"]
        cpu = time.thread_time()
        started = time.perf_counter()
        action()
        settle(self.app)
        painted = self.paints.snapshot()["body"] > before
        if not painted:
            self.window.message_view.repaint()
        elapsed = (time.perf_counter() - started) * 1000
        cpu = (time.thread_time() - cpu) * 1000
        check()
        return elapsed, cpu, painted

    def switch(self, count: int, mode: str, how: str, seed: int = 7) -> dict[str, Any]:
        """Select rows as a user does; time until the message is shown with its spans and painted."""
        window = self.window
        view, model = window.list_view, window.model
        window.message_view.set_mode(mode)
        assert window.message_view.mode == mode, f"mode {mode} refused"
        view.setFocus()
        settle(self.app)
        rng = random.Random(seed)
        samples: list[float] = []
        cpu_samples: list[float] = []  # UI-thread CPU: less inflated by other load
        unpainted = 0
        for _ in range(count + 5):  # the first 5 warm up (first use of code paths, caches) and are dropped
            if how == "random":  # a jump anywhere (as from the review queue or a search): scroll, then select
                row = rng.randrange(model.rowCount())
                action = lambda row=row: view.select_row(row)  # noqa: E731
            elif how == "click":  # a mouse click on another row on screen
                row = self._visible_row(rng)
                centre = view.visualRect(model.index(row, COLUMN_INDEX["subject"])).center()
                action = lambda centre=centre: QTest.mouseClick(  # noqa: E731
                    view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre
                )
            else:  # the next row, by the Down key
                row = min(view.current_row() + 1, model.rowCount() - 1)
                action = lambda: QTest.keyClick(view, Qt.Key.Key_Down)  # noqa: E731
            expected = model.message_id_at(row)
            if mode == "raw":  # raw text shows once its view is in the audit log: wait for it, timed
                action = self._until_raw_shown(action)

            def check(expected: int | None = expected) -> None:
                shown = window.message_view.message
                assert shown is not None and shown.id == expected, "the wrong message is shown"

            elapsed, cpu, painted = self._timed(action, check)
            samples.append(elapsed)
            cpu_samples.append(cpu)
            unpainted += not painted
        result = percentiles(samples[5:])
        cpu_stats = percentiles(cpu_samples[5:])
        result.update(cpu_p50_ms=cpu_stats["p50_ms"], cpu_p95_ms=cpu_stats["p95_ms"])
        result.update(mode=window.message_view.mode, how=how, unpainted=unpainted)
        return result

    def _until_raw_shown(self, action: Any) -> Any:
        view = self.window.message_view

        def run() -> None:
            action()
            wait_until(self.app, lambda: not view.raw_waiting, 10)

        return run

    def _visible_row(self, rng: random.Random) -> int:
        """A row fully on screen other than the current one."""
        view = self.window.list_view
        height = view.viewport().height()
        first = view.rowAt(0) + 1  # the first and last may be cut off
        last = view.rowAt(height - 1) - 1
        choices = [r for r in range(first, last + 1) if r != view.current_row()]
        return rng.choice(choices)

    def label(self, count: int) -> dict[str, Any]:
        """Number key 1 in the unlabelled list: label, advance, show the next message."""
        from scrubdesk.core.db.messages import MessageFilter

        window = self.window
        view, model = window.list_view, window.model
        window.list_panel.set_filter(MessageFilter(state="unlabelled"))
        view.setFocus()
        settle(self.app)
        assert model.rowCount() > count + 10, "not enough unlabelled messages"
        first_label = window.label_bar.labels[0]
        samples: list[float] = []
        cpu_samples: list[float] = []  # UI-thread CPU: less inflated by other load
        unpainted = 0
        for _ in range(count + 5):
            row = view.current_row()
            assert row is not None
            labelled, expected = model.message_id_at(row), model.message_id_at(row + 1)

            def check(labelled: int | None = labelled, expected: int | None = expected) -> None:
                shown = window.message_view.message
                assert shown is not None and shown.id == expected, "the next message is not shown"
                found = message_label(window.store, labelled)
                stored = found[1] if found else None
                assert stored == first_label, "the label was not stored"

            elapsed, cpu, painted = self._timed(lambda: QTest.keyClick(window, Qt.Key.Key_1), check)
            samples.append(elapsed)
            cpu_samples.append(cpu)
            unpainted += not painted
        result = percentiles(samples[5:])
        cpu_stats = percentiles(cpu_samples[5:])
        result.update(cpu_p50_ms=cpu_stats["p50_ms"], cpu_p95_ms=cpu_stats["p95_ms"])
        result.update(mode=window.message_view.mode, unpainted=unpainted)
        return result

    def _sampled(self, count: int, step: Any) -> dict[str, Any]:
        """Run ``step()`` (which returns (action, check)) count + 5 times; the first 5 warm up."""
        samples: list[float] = []
        cpu_samples: list[float] = []
        unpainted = 0
        for _ in range(count + 5):
            action, check = step()
            elapsed, cpu, painted = self._timed(action, check)
            samples.append(elapsed)
            cpu_samples.append(cpu)
            unpainted += not painted
        result = percentiles(samples[5:])
        cpu_stats = percentiles(cpu_samples[5:])
        result.update(cpu_p50_ms=cpu_stats["p50_ms"], cpu_p95_ms=cpu_stats["p95_ms"], unpainted=unpainted)
        result.update(mode=self.window.message_view.mode)
        return result

    def span_key(self, count: int, seed: int = 11) -> dict[str, Any]:
        """Y on the current span (scrubbed view, keyboard in the list): accepted, the next span current,
        text, caption and spans panel repainted."""
        window, rng = self.window, random.Random(seed)
        view, model, message_view = window.list_view, window.model, window.message_view
        message_view.set_mode("scrubbed")
        view.setFocus()
        settle(self.app)

        def step() -> tuple[Any, Any]:
            while True:  # a message with an undecided span, its first one current
                view.select_row(rng.randrange(model.rowCount()))
                settle(self.app)
                undecided = [m for m in message_view.marks() if m.status == "suggested"]
                if undecided:
                    break
            message_view.set_current(undecided[0])
            view.setFocus()
            settle(self.app)
            span_ids = undecided[0].span_ids

            def check() -> None:
                mark = message_view.controller.find_mark(span_ids)
                assert mark is not None and mark.status == "accepted", "the span was not accepted"

            return (lambda: QTest.keyClick(view, Qt.Key.Key_Y)), check

        return self._sampled(count, step)

    def filter_change(self, count: int) -> dict[str, Any]:
        """The Show filter switched between all messages and the unlabelled ones (arrow key in the focused
        combo box): the list reloads, keeps or picks its current message, and shows it."""
        window = self.window
        combo, model = window.list_panel.show_combo, window.model
        combo.setFocus()
        settle(self.app)
        all_index, unlabelled = combo.findData("state:all"), combo.findData("state:unlabelled")

        def step() -> tuple[Any, Any]:
            combo.setFocus()
            target = unlabelled if combo.currentIndex() == all_index else all_index
            key = Qt.Key.Key_Down if target > combo.currentIndex() else Qt.Key.Key_Up
            steps = abs(target - combo.currentIndex())

            def action() -> None:
                for _ in range(steps):
                    QTest.keyClick(combo, key)

            def check() -> None:
                shown, row = window.message_view.message, window.list_view.current_row()
                assert row is not None and shown is not None, "nothing is shown"
                assert shown.id == model.message_id_at(row), "the list's current message is not shown"

            return action, check

        return self._sampled(count, step)

    def close(self) -> None:
        self.window.close()
        self.runner.shutdown()
        self.tmp.cleanup()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("metric", choices=["open", "switch", "label", "span_key", "filter"])
    parser.add_argument("project", type=Path)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--mode", choices=["raw", "scrubbed"], default="raw")
    parser.add_argument(
        "--how", choices=["random", "click", "next"], default="random", help="switch: jump, click or Down"
    )
    parser.add_argument("--keys", type=Path, help="the bench keyring file (default: beside PROJECT_DIR)")
    parser.add_argument("--file-keyring", type=Path, help="open with this encrypted file keyring")
    parser.add_argument("--profile", type=Path, help="write cProfile stats of the timed part here")
    args = parser.parse_args()

    load_start = os.getloadavg()[0]
    project = args.project.absolute()
    bench = Bench(project, args.keys or keys_file(project), args.file_keyring)
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    if args.metric != "open":
        bench.open_and_wait()
    if profiler is not None:
        profiler.enable()
    if args.metric == "open":
        result = bench.open()
    elif args.metric == "switch":
        result = bench.switch(args.count, args.mode, args.how)
    elif args.metric == "span_key":
        result = bench.span_key(args.count)
    elif args.metric == "filter":
        result = bench.filter_change(args.count)
    else:
        result = bench.label(args.count)
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(str(args.profile))
    result.update(metric=args.metric, load_start=round(load_start, 2), load_end=round(os.getloadavg()[0], 2))
    bench.close()
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
