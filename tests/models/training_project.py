"""Build a small approved project from synthetic emails, for the triage and privacy tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from scrubdesk.core.keys import KeyVault
from scrubdesk.core.project import Project
from scrubdesk.core.review import approve_all
from scrubdesk.core.synthetic import generate
from tests.conftest import MemoryKeyring

PLANTED = "zorblax.quintavelle@example.org"
PLANTED_COUNT = 10


@dataclass(frozen=True)
class Built:
    project: Project
    summary: object | None
    emails: int


def _insert(conn, key: str, subject: str, body: str, label: str) -> int:
    cur = conn.execute(
        "INSERT INTO messages (msg_key, source_location, subject, body, body_kind, label, label_source, "
        "size_bytes, imported_at) VALUES (?, 'test', ?, ?, 'plain', ?, 'import', ?, 'now')",
        (key, subject, body, label, len(body)),
    )
    mid = int(cur.lastrowid)
    conn.execute(
        "INSERT INTO analysis_state (message_id, fingerprint, analyzed_at) VALUES (?, ?, 'now')",
        (mid, f"fp{mid}"),
    )
    return mid


def _span(conn, mid: int, field: str, start: int, end: int, label: str, status: str = "accepted") -> None:
    conn.execute(
        'INSERT INTO spans (message_id, field, start, "end", label, score, recognizer, status, '
        "analyzer_version) VALUES (?, ?, ?, ?, ?, 1.0, 'gold', ?, 'test')",
        (mid, field, start, end, label, status),
    )


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
        return json.loads(store.scalar("SELECT settings FROM models ORDER BY id DESC LIMIT 1"))


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
    """A message with a known sender: its headers and its keyed subject (role from)."""
    cur = conn.execute(
        "INSERT INTO messages (msg_key, source_location, from_name, from_addr, subject, body, body_kind, "
        "label, label_source, size_bytes, imported_at) VALUES (?, 'test', ?, ?, '', ?, 'plain', ?, 'import', "
        "?, 'now')",
        (key, name, address, body, label, len(body)),
    )
    mid = int(cur.lastrowid)
    conn.execute(
        "INSERT INTO analysis_state (message_id, fingerprint, analyzed_at) VALUES (?, ?, 'now')",
        (mid, f"fp{mid}"),
    )
    conn.execute(
        "INSERT INTO message_subjects (message_id, subject_key, role) VALUES (?, ?, 'from')",
        (mid, ids.subject_id(address)),
    )
    return mid


def fill_senders(project: Project, per_label: int = 12, seed: int = 5) -> list[int]:
    """``per_label`` short messages per intent, each from a different sender. Returns the message IDs."""
    import random

    rng = random.Random(seed)
    made = []
    with project.store() as store, store.transaction() as conn:
        for label, lines in INTENT_LINES.items():
            for i in range(per_label):
                body = f"Hello, {rng.choice(lines)}. {rng.choice(FILLER)}"
                made.append(
                    insert_from(
                        conn, project.ids, f"{label}{i}", body, label, "", f"c{label}{i}@mail.example"
                    )
                )
    return made


def add_span(project: Project, message_id: int, start: int, end: int, label: str, status: str) -> None:
    with project.store() as store, store.transaction() as conn:
        _span(conn, message_id, "body", start, end, label, status)
