"""Rules of the Qt edge, enforced: only gui/tasks.py starts threads; GUI slots are declared (@Slot) and
connected by name, never through a lambda."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THREAD_MAKERS = {"Thread", "QThread", "ThreadPoolExecutor", "QThreadPool", "Timer"}
# Threads internal to one job call, started and joined inside it (never a long-lived writer or a thread
# that outlives the call): allowed where named, so that a new one is a decision, not an accident.
JOB_INTERNAL = {
    "core/ingest/pipeline.py": "a watchdog inside the spawned parser process, ending with it",
    "models/triage/train.py": "cross-validation folds fitted in parallel within one training call",
}


def _calls(tree: ast.AST) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)]


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def test_only_gui_tasks_starts_threads():
    """core and models stay synchronous: no writer threads, no thread outliving a call (the job-internal
    ones in :data:`JOB_INTERNAL` are named; models/pii/parallel.py's process pool starts no thread)."""
    offenders = []
    for layer in ("core", "models", "gui"):
        for path in (ROOT / layer).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel == "gui/tasks.py" or rel in JOB_INTERNAL:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            offenders += [
                f"{path.relative_to(ROOT)}:{call.lineno} {_name(call.func)}"
                for call in _calls(tree)
                if _name(call.func) in THREAD_MAKERS
            ]
    assert offenders == []


def _connects(tree: ast.AST) -> list[ast.Call]:
    return [
        call
        for call in _calls(tree)
        if isinstance(call.func, ast.Attribute) and call.func.attr == "connect" and call.args
    ]


def test_no_lambda_is_connected_to_a_signal():
    offenders = [
        f"{path.relative_to(ROOT)}:{call.lineno}"
        for path in (ROOT / "gui").rglob("*.py")
        for call in _connects(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(call.args[0], ast.Lambda)
    ]
    assert offenders == []


def _is_slot(method: ast.FunctionDef) -> bool:
    for decorator in method.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if _name(target) == "Slot":
            return True
    return False


def test_every_method_connected_to_a_signal_is_a_declared_slot():
    """``x.connect(self.method)``: ``method``, defined in that class, carries ``@Slot(...)``."""
    offenders = []
    for path in (ROOT / "gui").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in (node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)):
            methods = {m.name: m for m in cls.body if isinstance(m, ast.FunctionDef)}
            for call in _connects(cls):
                target = call.args[0]
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "self"
                    and target.attr in methods
                    and not _is_slot(methods[target.attr])
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{call.lineno} {cls.name}.{target.attr}")
    assert offenders == []
