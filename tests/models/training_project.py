"""Build a small approved project from synthetic emails, for the triage and privacy tests."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from scrubdesk.core.db.imports import link_subjects
from scrubdesk.core.db.spans import record_analysis
from scrubdesk.core.db.trained_models import list_models
from scrubdesk.core.keys import KeyVault
from scrubdesk.core.project import Project
from scrubdesk.core.review import approve_all
from scrubdesk.core.synthetic import generate
from tests.builders import add_message, add_span
from tests.conftest import MemoryKeyring

PLANTED = "zorblax.quintavelle@example.org"
PLANTED_COUNT = 10


@dataclass(frozen=True)
class Built:
    project: Project
    summary: object | None
    emails: int


def _insert(conn, key: str, subject: str, body: str, label: str) -> int:
    mid = add_message(
        conn, key, body, subject=subject, label=label, label_source="import", size_bytes=len(body)
    )
    record_analysis(conn, mid, f"fp{mid}", "now")
    return mid


def _span(conn, mid: int, field: str, start: int, end: int, label: str, status: str = "accepted") -> None:
    add_span(conn, mid, field, start, end, label, status=status, recognizer="gold", analyzer_version="test")


def fill(project: Project, n: int = 300, seed: int = 11, planted: bool = True) -> int:
    emails = list(generate(n, seed=seed))
    with project.store() as store, store.transaction() as conn:
        for i, e in enumerate(emails):
            mid = _insert(conn, f"k{i}", e.subject, e.body, e.intent)
            for s in e.spans:
                _span(conn, mid, "body", s.start, s.end, s.label)
            for s in e.subject_spans:
                _span(conn, mid, "subject", s.start, s.end, s.label)
        if planted:
            # The same unique address in 10 messages: the analyser's span was rejected, so it is NOT
            # scrubbed and reaches training as text.
            for j, e in enumerate(emails[:PLANTED_COUNT]):
                body = f"Please reply to {PLANTED} about this.\n" + e.body
                mid = _insert(conn, f"planted{j}", e.subject, body, e.intent)
                start = body.index(PLANTED)
                _span(conn, mid, "body", start, start + len(PLANTED), "EMAIL_ADDRESS", "rejected")
    return len(emails)


def build_project(path: Path, *, train: bool) -> Built:
    project = Project.create(path / "proj", vault=KeyVault(MemoryKeyring()))
    count = fill(project)
    approve_all(project)
    summary = None
    if train:
        from scrubdesk.models.triage.settings import TriageSettings
        from scrubdesk.models.triage.training_job import run_training

        summary = run_training(
            project,
            TriageSettings(cv_folds=3, features="tfidf"),
            cost_report=True,
            epsilons=(1.0, 100.0),
            accept_membership_risk=True,
        )
    return Built(project, summary, count)


def settings_json(project: Project) -> dict:
    with project.store() as store:
        return list_models(store)[-1].settings  # the newest, current or stale


# --- release 2: short messages with known senders ---------------------------------------------------------

INTENT_LINES = {
    "refund": ["I would like my money back for the order", "please refund the payment for my purchase"],
    "address": [
        "I moved house, please update my postal address",
        "change the delivery address on my account",
    ],
    "cancel": ["please cancel my subscription today", "I want to close my account and stop the plan"],
}
FILLER = ["Thanks a lot.", "Kind regards.", "It is urgent.", "Many thanks in advance.", "Cheers.", ""]


def insert_from(conn, ids, key: str, body: str, label: str, name: str, address: str) -> int:
    """An analysed message with a known sender: its headers and its keyed subject (role from)."""
    mid = add_message(
        conn, key, body, subject="", label=label, label_source="import", from_name=name, from_addr=address,
        size_bytes=len(body),
    )  # fmt: skip
    record_analysis(conn, mid, f"fp{mid}", "now")
    link_subjects(conn, [(mid, ids.subject_id(address), "from")])
    return mid


def fill_senders(project: Project, per_label: int = 12, seed: int = 5) -> list[int]:
    """``per_label`` short messages per intent, each from a different sender. Returns the message IDs."""
    rng = random.Random(seed)
    made = []
    with project.store() as store, store.transaction() as conn:
        for label, lines in INTENT_LINES.items():
            for i in range(per_label):
                body = f"Hello, {rng.choice(lines)}. {rng.choice(FILLER)}"
                address = f"c{label}{i}@mail.example"
                made.append(insert_from(conn, project.ids, f"{label}{i}", body, label, "", address))
    return made


def add_body_span(project: Project, message_id: int, start: int, end: int, label: str, status: str) -> None:
    with project.store() as store, store.transaction() as conn:
        _span(conn, message_id, "body", start, end, label, status)
