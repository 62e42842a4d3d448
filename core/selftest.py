"""`scrubdesk selftest`: run the whole pipeline on synthetic emails in a throw-away project.

Everything happens in a temporary directory: the project, its source files and an encrypted file keyring
with a random passphrase (the user's OS keyring and key file are never touched; the environment is
restored afterwards). Each step reports pass, fail or skip with its wall time.

This module holds the runner and the steps that need only ``core``. Steps that need a higher layer (PII
analysis, training, the GUI) are handed in by the caller as :class:`Step` objects, so the layering
``gui -> models -> core`` holds: see ``scrubdesk.gui.cli.selftest``.

Steps whose feature is not in this build are reported as skipped ("not available in this build"),
detected by import, never faked. A feature that is present but has no self-test step yet is a failure:
the self-test must grow with the product.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from scrubdesk.core.audit_log import AuditLog, count_entries
from scrubdesk.core.db import exports as export_rows
from scrubdesk.core.db import messages, trained_models
from scrubdesk.core.erasure import erase_subject, verify_certificate, verify_erasure
from scrubdesk.core.errors import InputError, ScrubdeskError
from scrubdesk.core.export import read_export, run_export
from scrubdesk.core.importer import run_import
from scrubdesk.core.ingest.records import ImportOptions
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.keys import ENV_BACKEND, ENV_KEYRING_FILE, ENV_PASSPHRASE, KeyVault, resolve_backend
from scrubdesk.core.labels import Labeller, list_labels, seed_from_messages
from scrubdesk.core.leak_guard import LABEL, MODEL_VERSION, MSG_KEY, LeakGuardError, check_export_frame
from scrubdesk.core.project import STORE_FILE, Project
from scrubdesk.core.review import approve_all
from scrubdesk.core.synthetic import INTENTS, generate, write_csv, write_eml_dir, write_mbox

if TYPE_CHECKING:
    pass

Status = Literal["pass", "fail", "skip"]
NOT_AVAILABLE = "not available in this build"
ABSENT = "absent"
SQLITE_PLAIN_HEADER = b"SQLite format 3\x00"
DEFAULT_COUNT = 40  # unlabelled emails in the mbox
MIN_PER_INTENT = 6  # labelled emails per intent in the CSV: 5-fold training needs 5+ per label
ERASURE_CANARY = "erasure-canary@selftest.invalid"  # a sender that exists only in the erase step
ERASURE_CANARY_MESSAGES = 3


class StepFailed(ScrubdeskError):  # noqa: N818 - an outcome, read as "step failed"
    """A check inside a self-test step did not hold. The message names counts only, never content."""


class StepSkipped(Exception):  # noqa: N818 - an outcome, like StopIteration
    """The step cannot run here (e.g. a prerequisite is missing); the reason is reported."""


@dataclass
class SelftestContext:
    """Shared state of one self-test run. ``facts`` carries counts between steps."""

    workdir: Path
    vault: KeyVault
    count: int = DEFAULT_COUNT
    seed: int = 20240501
    project: Project | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def project_dir(self) -> Path:
        return self.workdir / "project"

    def require_project(self) -> Project:
        if self.project is None:
            raise StepSkipped("needs the project from the 'init' step")
        return self.project


StepFn = Callable[[SelftestContext], dict[str, Any] | None]


@dataclass(frozen=True)
class Step:
    """One self-test step. ``run`` is None when the feature is not in this build."""

    name: str
    run: StepFn | None
    needs: tuple[str, ...] = ()
    unavailable: str = NOT_AVAILABLE


@dataclass(frozen=True)
class StepResult:
    name: str
    status: Status
    seconds: float
    detail: str = ""
    facts: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "seconds": round(self.seconds, 3),
            "detail": self.detail,
            **({"facts": self.facts} if self.facts else {}),
        }


@dataclass(frozen=True)
class SelftestReport:
    steps: tuple[StepResult, ...]
    seconds: float

    @property
    def ok(self) -> bool:
        return all(s.status != "fail" for s in self.steps) and any(s.status == "pass" for s in self.steps)

    def counts(self) -> dict[str, int]:
        return {status: sum(s.status == status for s in self.steps) for status in ("pass", "fail", "skip")}

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            **self.counts(),
            "seconds": round(self.seconds, 3),
            "steps": [s.as_dict() for s in self.steps],
        }


# --- the isolated keyring --------------------------------------------------------------------------------


@contextlib.contextmanager
def isolated_keyring(workdir: Path) -> Iterator[KeyVault]:
    """An encrypted file keyring inside ``workdir`` with a random passphrase, selected through the
    documented variables for the duration (code that opens projects itself, like the GUI, finds it too).
    The previous values are restored afterwards."""
    names = (ENV_BACKEND, ENV_PASSPHRASE, ENV_KEYRING_FILE)
    saved = {name: os.environ.get(name) for name in names}
    os.environ[ENV_BACKEND] = "file"
    os.environ[ENV_PASSPHRASE] = secrets.token_urlsafe(24)
    os.environ[ENV_KEYRING_FILE] = str(workdir / "selftest-keyring.cfg")
    try:
        yield KeyVault(resolve_backend())
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


# --- the runner --------------------------------------------------------------------------------------------


def run_steps(
    steps: Sequence[Step],
    ctx: SelftestContext,
    on_result: Callable[[StepResult], None] | None = None,
) -> tuple[StepResult, ...]:
    """Run the steps in order. A step whose prerequisite did not pass is skipped with the reason."""
    results: list[StepResult] = []
    status_of: dict[str, Status] = {}
    for step in steps:
        started = time.perf_counter()
        blocked = [n for n in step.needs if status_of.get(n) != "pass"]
        if step.run is None:
            result = StepResult(step.name, "skip", 0.0, f"skipped: {step.unavailable}")
        elif blocked:
            reasons = ", ".join(f"{n} ({status_of.get(n, 'not run')})" for n in blocked)
            result = StepResult(step.name, "skip", 0.0, f"skipped: needs {reasons}")
        else:
            try:
                facts = step.run(ctx) or {}
                result = StepResult(step.name, "pass", time.perf_counter() - started, "ok", facts)
            except StepSkipped as exc:
                result = StepResult(step.name, "skip", time.perf_counter() - started, f"skipped: {exc}")
            except StepFailed as exc:
                result = StepResult(step.name, "fail", time.perf_counter() - started, str(exc))
            except ImportError as exc:  # a module missing from the bundle: its name is safe to show
                detail = f"{type(exc).__name__}: module {exc.name!r} could not be imported"
                result = StepResult(step.name, "fail", time.perf_counter() - started, detail)
            except ScrubdeskError as exc:  # our own errors carry safe, user-facing messages
                detail = f"{type(exc).__name__}: {exc}"
                result = StepResult(step.name, "fail", time.perf_counter() - started, detail)
            except Exception as exc:  # noqa: BLE001 - reported by type only: library messages can quote input
                detail = f"{type(exc).__module__}.{type(exc).__qualname__} (message withheld)"
                result = StepResult(step.name, "fail", time.perf_counter() - started, detail)
        status_of[step.name] = result.status
        results.append(result)
        if on_result is not None:
            on_result(result)
    return tuple(results)


def run_selftest(
    steps: Sequence[Step],
    *,
    count: int = DEFAULT_COUNT,
    workdir: Path | None = None,
    on_result: Callable[[StepResult], None] | None = None,
) -> SelftestReport:
    """Run ``steps`` in a fresh temporary project with an isolated keyring; delete it all afterwards
    (unless ``workdir`` is given, which is kept for inspection)."""
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        if workdir is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="scrubdesk-selftest-")))
        workdir.mkdir(parents=True, exist_ok=True)
        vault = stack.enter_context(isolated_keyring(workdir))
        ctx = SelftestContext(workdir=workdir, vault=vault, count=count)
        results = run_steps(steps, ctx, on_result)
    return SelftestReport(results, time.perf_counter() - started)


# --- core steps --------------------------------------------------------------------------------------------


def step_init(ctx: SelftestContext) -> dict[str, Any]:
    ctx.project = Project.create(ctx.project_dir, name="Scrubdesk self-test", vault=ctx.vault)
    header = (ctx.project_dir / STORE_FILE).read_bytes()[:16]
    if header == SQLITE_PLAIN_HEADER:
        raise StepFailed("the project store is a plain SQLite file: it is not encrypted")
    reopened = Project.open(ctx.project_dir, vault=ctx.vault)
    if reopened.project_id != ctx.project.project_id:
        raise StepFailed("the project reopened with a different ID")
    return {"encrypted": True}


def step_import(ctx: SelftestContext) -> dict[str, Any]:
    """An mbox parsed in a spawned process (proves multiprocessing works in a frozen build) and a
    labelled CSV (the labels that training needs)."""

    project = ctx.require_project()
    mbox, csv = ctx.workdir / "synthetic.mbox", ctx.workdir / "synthetic-labelled.csv"
    write_mbox(mbox, generate(ctx.count, seed=ctx.seed))
    labelled = max(ctx.count, MIN_PER_INTENT * len(INTENTS))
    write_csv(csv, generate(labelled, seed=ctx.seed + 1))
    first = run_import(project, [mbox], control=JobControl(), parallel=True)
    options = ImportOptions(text_column="text", label_column="category", id_column="id")
    second = run_import(project, [csv], options, JobControl(), parallel=False)
    imported = first.imported + second.imported
    quarantined = first.quarantined_total + second.quarantined_total
    if first.imported != ctx.count or second.imported != labelled or quarantined:
        raise StepFailed(
            f"imported {first.imported}+{second.imported} of {ctx.count}+{labelled}, "
            f"quarantined {quarantined}"
        )
    again = run_import(project, [mbox], control=JobControl(), parallel=False)
    if again.imported or again.duplicates != ctx.count:
        raise StepFailed(f"re-import was not idempotent: {again.imported} new, {again.duplicates} duplicates")
    ctx.facts["imported"] = imported
    return {"imported": imported, "labelled": second.imported, "spawned_parser": True}


def step_review(ctx: SelftestContext) -> dict[str, Any]:

    summary = approve_all(ctx.require_project(), JobControl(), comment="self-test")
    expected = ctx.facts.get("analysed", ctx.facts.get("imported", 0))
    if summary.approved + summary.already_approved != expected:
        raise StepFailed(f"approved {summary.approved} of {expected} analysed messages")
    return {"approved": summary.approved}


def step_label(ctx: SelftestContext) -> dict[str, Any]:
    """Seed the label set from the CSV's labels, relabel three messages and undo each change: every change
    and undo is audit-logged, undo restores label and source, and a label outside the set is refused."""

    project = ctx.require_project()
    with project.store() as store:
        seeded = seed_from_messages(project, store)
        names = list_labels(store)
        if len(names) < 2:
            raise StepFailed(f"the label set has {len(names)} label(s) after seeding it from the import")
        rows = messages.labelled_sample(store, 3)
        if len(rows) < 3:
            raise StepFailed(f"only {len(rows)} labelled message(s) to relabel")

        def logged() -> int:
            return count_entries(store, "label")

        before = logged()
        labeller = Labeller(project, store)
        changes = [labeller.set_label(mid, next(n for n in names if n != label)) for mid, label, _ in rows]
        try:
            labeller.set_label(rows[0][0], "selftest-label-not-in-the-set")
        except InputError:
            pass
        else:
            raise StepFailed("a label outside the label set was accepted")

        def current() -> list[tuple[Any, ...]]:
            return messages.labels_and_sources(store, [r[0] for r in rows])

        if current() != [(c.message_id, c.label, "annotator") for c in changes]:
            raise StepFailed("the new labels were not stored")
        for change in reversed(changes):
            labeller.undo(change)
        if current() != rows:
            raise StepFailed("undo did not restore the previous labels")
        entries = logged() - before
        if entries != 2 * len(rows):
            raise StepFailed(f"{entries} audit entries for {len(rows)} label changes and {len(rows)} undos")
    return {"labels": len(names), "seeded": len(seeded.added), "relabelled": len(rows), "audited": entries}


def step_export(ctx: SelftestContext) -> dict[str, Any]:
    """Export the labels as CSV and parquet, read them back, check columns, rows and registration, and
    that the leak guard refuses a planted address."""
    import pandas as pd  # noqa: PLC0415 - lazy: pandas loads only when a frame is built or read

    project = ctx.require_project()
    out = ctx.workdir / "selftest-export.csv"
    summary = run_export(project, out)
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    with project.store() as store:
        labelled = messages.count_labelled(store)
        has_model = trained_models.count_current(store) > 0
        record = export_rows.get_export(store, summary.export_id)
        registered = None if record is None else (record.n_rows, record.file_sha256, record.members)
    expected = [MSG_KEY, LABEL, *([MODEL_VERSION] if has_model else [])]
    if list(frame.columns) != expected:
        raise StepFailed(f"the export has columns {list(frame.columns)}, expected {expected}")
    if len(frame) != labelled or summary.rows != labelled:
        raise StepFailed(f"the export has {len(frame)} rows for {labelled} labelled messages")
    if registered is None or tuple(registered) != (labelled, summary.file_sha256, labelled):
        raise StepFailed("the export is not registered with its rows, members and checksum")
    # The parquet writer and reader are optional imports of pandas: prove the bundle carries them.
    parquet = read_export(run_export(project, ctx.workdir / "selftest-export.parquet").path)
    if sorted(parquet[MSG_KEY]) != sorted(frame[MSG_KEY]) or sorted(parquet[LABEL]) != sorted(frame[LABEL]):
        raise StepFailed("the parquet export does not read back as the same IDs and labels as the CSV")
    planted = frame.head(1).copy()
    planted[LABEL] = "selftest.canary@example.invalid"
    try:
        check_export_frame(planted, ["selftest.canary@example.invalid"])
    except LeakGuardError:
        pass
    else:
        raise StepFailed("the leak guard let an email address through as a label")
    return {"rows": len(frame), "columns": len(frame.columns)}


def _plant_erasure_canary(ctx: SelftestContext) -> tuple[Path, int]:
    """A few synthetic emails from a sender that exists nowhere else, as a folder of .eml files."""

    emails = [
        dataclasses.replace(
            email,
            message_id=f"<erasure-canary-{i}@selftest.invalid>",
            from_addr=ERASURE_CANARY,
            body=f"{email.body}\n\nReply to {ERASURE_CANARY}",
        )
        for i, email in enumerate(generate(ERASURE_CANARY_MESSAGES, seed=ctx.seed + 7))
    ]
    folder = ctx.workdir / "erasure-canary"
    return folder, write_eml_dir(folder, emails)


def step_erase(ctx: SelftestContext) -> dict[str, Any]:
    """Import a few emails of one synthetic sender, erase that sender, check counts and the certificate."""

    project = ctx.require_project()
    folder, planted = _plant_erasure_canary(ctx)
    imported = run_import(project, [folder], control=JobControl(), parallel=False).imported
    with project.store() as store:
        before = messages.count_messages(store)
    preview = erase_subject(project, ERASURE_CANARY, JobControl(), dry_run=True)
    if imported != planted or preview.match.n_messages != planted:
        raise StepFailed(f"planted {planted}, imported {imported}, found {preview.match.n_messages} to erase")
    result = erase_subject(project, ERASURE_CANARY, JobControl())
    with project.store() as store:
        after = messages.count_messages(store)
    if result.counts.get("messages") != planted or before - after != planted:
        raise StepFailed(f"erased {result.counts.get('messages')} of {planted}; {before - after} rows went")
    if result.path is None or not verify_certificate(project, result.path).ok:
        raise StepFailed("the erasure certificate does not verify")
    if not result.ok:
        hits = result.verification.total_hits if result.verification else "?"
        raise StepFailed(f"the erasure left {hits} trace(s)")
    return {"erased": planted, "spans": result.counts.get("spans", 0), "certificate": True}


def step_verify_erasure(ctx: SelftestContext) -> dict[str, Any]:

    report = verify_erasure(ctx.require_project(), ERASURE_CANARY)
    if not report.ok:
        places = sum(map(len, (report.store_hits, report.file_hits, report.page_hits, report.keyed_id_hits)))
        raise StepFailed(
            f"{report.total_hits} trace(s) of the erased sender in {places} place(s); "
            f"{len(report.problems)} check(s) could not run"
        )
    checked = report.checked
    return {"columns": checked["columns"], "files": checked["files"], "pages": checked["pages"]}


def step_audit(ctx: SelftestContext) -> dict[str, Any]:
    project = ctx.require_project()
    with project.store() as store:
        log = AuditLog(store, project.keys.id_key)
        problems = log.verify()
        entries = log.count()
    if problems:
        raise StepFailed(f"the audit chain has {len(problems)} problem(s) in {entries} entries")
    if entries == 0:
        raise StepFailed("the audit log is empty after a full run")
    return {"entries": entries}


# --- feature detection -------------------------------------------------------------------------------------


def probe(module: str, attribute: str | None = None) -> str | None:
    """None when ``module`` (and ``attribute`` in it) imports; ``ABSENT`` when the module itself is not in
    this build; otherwise why it is broken (a dependency missing from the bundle is a failure, not a
    missing feature)."""
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            return ABSENT
        return f"importing {module} failed: module {exc.name!r} is missing"
    except ImportError as exc:
        return f"importing {module} failed: ImportError from {exc.name or 'unknown module'}"
    if attribute is not None and not hasattr(loaded, attribute):
        return ABSENT
    return None


def available(module: str, attribute: str | None = None) -> bool:
    """True when ``module`` (and ``attribute`` in it) can be imported in this build."""
    return probe(module, attribute) is None


def _fails(detail: str) -> StepFn:
    def run(ctx: SelftestContext) -> None:
        raise StepFailed(detail)

    return run


def optional_step(name: str, run: StepFn, module: str, attribute: str, needs: tuple[str, ...] = ()) -> Step:
    """A step that runs only where its feature exists (detected by import); a feature whose module is
    there but does not import fails."""
    problem = probe(module, attribute)
    if problem == ABSENT:
        return Step(name, None, needs)
    return Step(name, run if problem is None else _fails(problem), needs)


def _not_covered(feature: str) -> StepFn:
    def run(ctx: SelftestContext) -> None:
        raise StepFailed(
            f"{feature} is present in this build but the self-test has no step for it yet "
            "(add one in scrubdesk.core.selftest)"
        )

    return run


# Features that later issues add, and the modules that will hold them. Absent: skipped. Present without
# a step here: a failure, so the self-test is extended when the feature lands.
PLANNED: dict[str, tuple[str, ...]] = {}


def planned_step(name: str, needs: tuple[str, ...] = ("init",)) -> Step:
    present = [m for m in PLANNED[name] if available(m)]
    return Step(name, _not_covered(present[0]) if present else None, needs)


def default_steps(
    *,
    analyze: Step | None = None,
    train: Step | None = None,
    gui: Step | None = None,
) -> list[Step]:
    """The self-test in pipeline order. Callers from higher layers pass the steps only they can run;
    a step not passed is reported as not available in this build."""
    return [
        Step("init", step_init),
        Step("import", step_import, ("init",)),
        analyze or Step("analyze", None),
        optional_step("review", step_review, "scrubdesk.core.review", "approve_all", ("analyze",)),
        Step("label", step_label, ("import",)),
        train or Step("train", None),
        Step("export", step_export, ("import",)),
        Step("erase", step_erase, ("import",)),
        Step("verify-erasure", step_verify_erasure, ("erase",)),
        Step("audit", step_audit, ("init",)),
        gui or Step("gui", None),
    ]


def format_result(result: StepResult) -> str:
    mark = {"pass": "PASS", "fail": "FAIL", "skip": "skip"}[result.status]
    facts = ", ".join(f"{k}={v}" for k, v in result.facts.items())
    detail = result.detail if result.status != "pass" else facts
    return f"{mark}  {result.name:15} {result.seconds:7.2f} s  {detail}"
