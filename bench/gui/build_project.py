"""The 100k-message project the GUI benchmark opens, built once and cached in ``bench/out/gui-100k/``.

    .venv/bin/python bench/gui/build_project.py [--rebuild]

1. ``bench/out/synthetic-100000.mbox`` (made by ``bench/run.py``: ``generate(100000, seed=2026)``) goes
   through the real import job.
2. PII spans without running the analyser on 100k messages: the generator's gold spans are exact, so the
   same emails are generated again and matched to their stored rows by keyed Message-ID (as the importer
   keys mbox items); each gold span becomes a ``suggested`` span, each message gets an
   ``analysis_state`` row.
3. The generator's ten intents become the label set; 30 % of the messages are labelled (their intent), and
   the rest get a model suggestion (a ``models`` row with lineage and a ``predictions`` row each), so
   the list shows its suggestion and confidence columns.

Keys: the project's keys are kept in ``bench/out/gui-100k-keys.json`` IN CLEAR (:class:`BenchKeyring`), so
that opening the project costs no Argon2 derivation - synthetic data only, never for a real project. The
same keys also go into an encrypted file keyring (``bench/out/gui-100k-keyring.cfg``, passphrase
:data:`FILE_PASSPHRASE`) for measuring what a real unlock costs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import OUT, mbox_for  # noqa: E402

if TYPE_CHECKING:
    from scrubdesk.core.project import Project

N_MESSAGES = 100_000
SEED = 2026
PROJECT_DIR = OUT / "gui-100k"
FILE_PASSPHRASE = "bench"
MARKER = "bench-built.json"  # written last: a project without it is an interrupted build
LABELLED_SHARE = 0.30
ANALYZER_VERSION = "bench-gold"
PLACEHOLDER_MODEL = "models/bench-placeholder"
BATCH = 5000


def keys_file(project_dir: Path) -> Path:
    return project_dir.parent / f"{project_dir.name}-keys.json"


def file_keyring(project_dir: Path) -> Path:
    return project_dir.parent / f"{project_dir.name}-keyring.cfg"


class BenchKeyring:
    """A keyring backend kept in a JSON file in clear: no key derivation on unlock. Benchmark only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}

    @staticmethod
    def _name(service: str, user: str) -> str:
        return f"{service}\x00{user}"

    def set_password(self, service: str, user: str, secret: str) -> None:
        self.entries[self._name(service, user)] = secret
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.entries))
        self.path.chmod(0o600)

    def get_password(self, service: str, user: str) -> str | None:
        return self.entries.get(self._name(service, user))

    def delete_password(self, service: str, user: str) -> None:
        self.entries.pop(self._name(service, user), None)


def install_bench_keyring(path: Path) -> BenchKeyring:
    """Make every KeyVault() in this process (the window's project loader too) use the bench keyring."""
    import scrubdesk.core.keys

    keyring = BenchKeyring(path)
    scrubdesk.core.keys.resolve_backend = lambda env=None: keyring  # type: ignore[assignment]
    return keyring


def file_keyring_env(path: Path) -> dict[str, str]:
    """Environment that selects the encrypted file keyring holding the bench project's keys."""
    return {
        "SCRUBDESK_KEYRING": "file",
        "SCRUBDESK_PASSPHRASE": FILE_PASSPHRASE,
        "SCRUBDESK_KEYRING_FILE": str(path),
    }


def is_built(path: Path = PROJECT_DIR) -> bool:
    return (path / MARKER).is_file() and keys_file(path).is_file() and file_keyring(path).is_file()


def build(path: Path = PROJECT_DIR, n: int = N_MESSAGES, *, rebuild: bool = False) -> dict:
    """Build the project unless a complete one is cached; return its build summary."""
    from scrubdesk.core.importer import run_import
    from scrubdesk.core.keys import KeyVault, resolve_backend
    from scrubdesk.core.project import Project

    if is_built(path) and not rebuild:
        # Opening migrates the store to the current schema: each measured copy then opens as in daily use.
        Project.open(path, vault=KeyVault(BenchKeyring(keys_file(path))))
        return json.loads((path / MARKER).read_text())

    if path.exists():
        shutil.rmtree(path)
    for stale in (keys_file(path), file_keyring(path)):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    source = mbox_for(n)
    project = Project.create(
        path, name=f"GUI benchmark ({n:,} synthetic emails)", vault=KeyVault(BenchKeyring(keys_file(path)))
    )
    print(f"gui bench: importing {source.name}…", flush=True)
    summary = run_import(project, [source])
    assert summary.imported == n, summary.as_dict()
    print(
        f"gui bench: imported {n:,} in {summary.seconds:.1f} s; adding spans, labels, predictions…",
        flush=True,
    )
    counts = _fill(project, n)
    # The same keys in an encrypted file keyring, for the real-unlock measurement.
    KeyVault(resolve_backend(file_keyring_env(file_keyring(path)))).store(project.project_id, project.keys)
    info = {
        "messages": n,
        "seed": SEED,
        **counts,
        "build_seconds": round(time.perf_counter() - started, 1),
        "store_mb": round((path / "store.sdb").stat().st_size / 1e6, 1),
    }
    (path / MARKER).write_text(json.dumps(info, indent=2) + "\n")
    print(f"gui bench: project ready in {info['build_seconds']} s ({info['store_mb']} MB store)", flush=True)
    return info


def _fill(project: Project, n: int) -> dict:
    from scrubdesk.core import labels as core_labels
    from scrubdesk.core.clock import utc_now
    from scrubdesk.core.db import labels as label_rows
    from scrubdesk.core.db import messages as message_rows
    from scrubdesk.core.db import spans as span_rows
    from scrubdesk.core.db.trained_models import Prediction, record_model, store_predictions
    from scrubdesk.core.model_lineage import msg_list_digest
    from scrubdesk.core.spans import Span
    from scrubdesk.core.synthetic import INTENTS, generate

    ids = project.ids
    rng = random.Random(SEED)
    now = utc_now()
    n_spans = n_labelled = 0
    to_predict: list[tuple[int, str]] = []
    labelled: list[tuple[int, str]] = []
    with project.store() as store:
        key_to_id = message_rows.ids_by_key(store)
        batch: list = []

        def write(batch: list) -> int:
            spans, states = [], []
            for mid, email in batch:
                for field, gold in (("body", email.spans), ("subject", email.subject_spans)):
                    spans.extend(
                        (
                            mid,
                            field,
                            Span(s.start, s.end, s.label, round(rng.uniform(0.6, 1.0), 2), "bench-gold"),
                        )
                        for s in gold
                    )
                states.append((mid, ids.digest("analysis", f"{ANALYZER_VERSION}\x00{mid}".encode())))
            with store.transaction() as conn:
                span_rows.insert_suggestions(conn, spans, ANALYZER_VERSION)
                span_rows.record_analyses(conn, states, now)
            return len(spans)

        for email in generate(n, seed=SEED):
            mid = key_to_id[ids.message_id(email.message_id)]
            batch.append((mid, email))
            if rng.random() < LABELLED_SHARE:
                labelled.append((mid, email.intent))
            else:
                to_predict.append((mid, email.intent))
            if len(batch) >= BATCH:
                n_spans += write(batch)
                batch = []
        if batch:
            n_spans += write(batch)

        core_labels.add_labels(project, store, list(INTENTS))
        with store.transaction() as conn:
            label_rows.set_message_labels(conn, labelled, "annotator")
            n_labelled = len(labelled)
            id_to_key = {v: k for k, v in key_to_id.items()}
            members = [mid for mid, _ in labelled]
            model_id = record_model(
                conn,
                created_at=now,
                path=PLACEHOLDER_MODEL,  # no model file: the list only reads the predictions
                msg_list_digest=msg_list_digest(ids, (id_to_key[m] for m in members)),
                member_ids=members,
                labels=list(INTENTS),
                metrics={"note": "benchmark placeholder, not a trained model"},
                audit={},
                settings={},
            )
            predictions = []
            for mid, intent in to_predict:
                label = intent if rng.random() < 0.85 else rng.choice(INTENTS)
                confidence = round(rng.uniform(0.25, 0.99), 3)
                margin = rng.uniform(0.0, confidence)
                predictions.append(Prediction(mid, label, confidence, round(1.0 - margin, 3)))
            store_predictions(conn, model_id, predictions, now)
    card = (project.path / PLACEHOLDER_MODEL).with_suffix(".card.json")  # the training view reads it
    card.parent.mkdir(parents=True, exist_ok=True)
    card.write_text(json.dumps({"metrics": {}, "note": "benchmark placeholder"}))
    return {"spans": n_spans, "labelled": n_labelled, "predictions": len(to_predict)}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rebuild", action="store_true", help="build again even if a complete one is cached")
    parser.add_argument("-n", type=int, default=N_MESSAGES, help=argparse.SUPPRESS)  # smaller, for trying
    parser.add_argument("--path", type=Path, default=PROJECT_DIR, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
    print(json.dumps(build(args.path, args.n, rebuild=args.rebuild), sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
