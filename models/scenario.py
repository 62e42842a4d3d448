"""Synthetic scenarios: a project taken through the whole workflow, Qt-free, for screenshots, demos and
benchmarks. Synthetic mail only (Faker, en_GB): no real person is in any of it.

:func:`build_showcase` builds the project every main view of the GUI has something to show in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scrubdesk.core import review
from scrubdesk.core.db import messages
from scrubdesk.core.db import spans as span_rows
from scrubdesk.core.demo import DEMO_SOURCE, create_demo_project
from scrubdesk.core.erasure import erase_subject
from scrubdesk.core.importer import run_import
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.label_guide import label_guide, set_label_guide
from scrubdesk.core.labels import Labeller, add_labels, list_labels
from scrubdesk.core.project import Project
from scrubdesk.core.synthetic import INTENTS, generate
from scrubdesk.core.synthetic.writers import write_eml_dir
from scrubdesk.models.pii.analysis_job import run_analysis
from scrubdesk.models.pii.engine import get_analyzer
from scrubdesk.models.triage.predict import run_prediction
from scrubdesk.models.triage.settings import TriageSettings
from scrubdesk.models.triage.training_job import run_training

SHOWCASE_COUNT = 400
SHOWCASE_SEED = 7
SENT_BACK_COMMENT = "The street name in the signature is not redacted."


@dataclass(frozen=True)
class Showcase:
    project_path: Path
    import_sources: tuple[Path, ...]  # what the import dialog previews: a folder with a bad file, the mbox
    erasure_query: str | None  # a sender address of the demo, for the erasure preview


def label_and_approve(
    project: Project, rows: list[tuple[int, str]], intents: dict[str, str], positions: set[int]
) -> int:
    """Label (with its synthetic intent) and approve every message of ``rows`` (id, msg_key) whose
    position modulo 10 is in ``positions`` and that still exists (some may have been erased since);
    returns how many."""
    done = 0
    with project.store() as store:
        labeller = Labeller(project, store)
        present = set(messages.all_ids(store))
        for n, (mid, key) in enumerate(rows):
            if n % 10 in positions and key in intents and mid in present:
                labeller.set_label(mid, intents[key])
                review.approve(project, store, mid, accept_remaining=True)  # the demo decides nothing
                done += 1
    return done


DEMO_GUIDELINES = (
    "Label each message with what the customer wants from us (its intent), not with its tone.\n"
    "Decide every highlighted span: Y if it is personal data, N to keep it in clear (it is not).\n"
    "When a message is done, submit it for review (Ctrl+Shift+Return)."
)


def prepare_demo(project: Project, control: JobControl | None = None) -> int:
    """A new demo project opens ready to work in: its messages analysed (PII suggested) and the demo's
    intents seeded as the label set, with short guidelines. Returns how many messages were analysed."""
    control = control or JobControl()
    with project.store() as store:
        missing = [intent for intent in INTENTS if intent not in list_labels(store)]
        if missing:
            add_labels(project, store, missing)
        if not label_guide(store).guidelines:
            set_label_guide(project, store, DEMO_GUIDELINES, {})
    return run_analysis(project, get_analyzer(), control, batch_size=32).analysed


def build_showcase(workdir: Path, count: int = SHOWCASE_COUNT, control: JobControl | None = None) -> Showcase:
    """The demo project (synthetic emails only) in ``workdir``, taken through the workflow:

    two files that are not email quarantined; analysed; half the messages labelled by an annotator with
    their synthetic intents, approved, trained; one data subject erased (so that model is marked stale);
    a fifth more labelled, approved and trained again; suggestions for the rest; a dozen unlabelled
    messages submitted for review, one of them sent back.
    The caller provides the keyring (e.g. :func:`scrubdesk.core.selftest.isolated_keyring`)."""
    control = control or JobControl()
    steps = 7

    def step(n: int, note: str) -> None:
        control.check_cancelled()
        control.progress(n, steps, note)

    step(0, "creating the demo project")
    project, _ = create_demo_project(workdir / "demo-project", count=count, seed=SHOWCASE_SEED)
    scans = workdir / "scanned-letters"  # files that are not email: the quarantine list has something
    scans.mkdir()
    (scans / "letter-0001.tif").write_bytes(b"II*\x00 not an email")
    (scans / "letter-0002.pdf").write_bytes(b"%PDF-1.4 \x00\x01 not an email either")
    run_import(project, [scans])
    step(1, "analysing")
    run_analysis(project, get_analyzer(), batch_size=32)
    intents = {project.ids.message_id(e.message_id): e.intent for e in generate(count, seed=SHOWCASE_SEED)}
    with project.store() as store:
        rows = messages.keys_and_ids(store)
        add_labels(project, store, list(INTENTS))
    # by message position modulo 10: 50 %, then 20 % more
    settings = TriageSettings(cv_folds=3)
    step(2, "labelling and approving")
    label_and_approve(project, rows, intents, {0, 1, 2, 3, 4})
    step(3, "training")
    run_training(project, settings, accept_membership_risk=True)  # a small demo set: above the MIA gate
    step(4, "erasing one data subject")
    with project.store() as store:
        erased = messages.first_labelled_sender(store)
    if erased:
        erase_subject(project, erased)
    step(5, "labelling more and training again")
    label_and_approve(project, rows, intents, {5, 6})
    run_training(project, settings, accept_membership_risk=True)  # a small demo set: above the MIA gate
    step(6, "suggesting labels and filling the review queue")
    run_prediction(project)
    with project.store() as store:
        waiting = span_rows.analysed_unlabelled_ids(store)[:12]
        for mid in waiting:
            review.submit_for_review(project, store, mid)
        if waiting:
            review.send_back(project, store, waiting[-1], SENT_BACK_COMMENT)
        query = messages.most_frequent_sender(store)
    more = workdir / "more-mail"
    write_eml_dir(more, generate(3, seed=SHOWCASE_SEED + 1))
    (more / "scan-0001.pdf.eml").write_bytes(b"%PDF-1.4 \x00\x01 not an email")
    step(7, "done")
    return Showcase(project.path, (more, project.path / DEMO_SOURCE), query)
