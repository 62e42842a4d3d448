"""A cheap, large project for the GUI benchmark: generated rows, no import and no analysis.

    .venv/bin/python bench/gui/generated_project.py [-n 1000000] [--rebuild]

A pool of synthetic emails (``generate(POOL, seed=2026)``: Faker en_GB, no real person) is written again
and again under new keyed IDs until the project holds ``n`` messages, through the store's own gateways
(``core.db.imports.insert_message``, ``core.db.spans.insert_suggestions``, labels and predictions as in
:mod:`bench.gui.build_project`). Each copy gets the pool email's gold spans as suggestions, 30 % a label
and the rest a model suggestion, so every list column and the message view have something to show.
A million messages take a few minutes to write and ~1 GB of store: the GUI only ever reads pages of it.
Keys as in build_project: in clear beside the project (synthetic data only), and in a file keyring.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.gui.build_project import (  # noqa: E402
    ANALYZER_VERSION,
    LABELLED_SHARE,
    MARKER,
    PLACEHOLDER_MODEL,
    SEED,
    BenchKeyring,
    file_keyring,
    file_keyring_env,
    is_built,
    keys_file,
)
from bench.run import OUT  # noqa: E402

POOL = 2000  # distinct emails, repeated under new IDs
BATCH = 20_000


def project_dir(n: int) -> Path:
    return OUT / f"gui-{n // 1000}k-generated"


def build(path: Path, n: int, *, rebuild: bool = False) -> dict:
    from scrubdesk.core import labels as core_labels
    from scrubdesk.core.clock import utc_now
    from scrubdesk.core.db import imports
    from scrubdesk.core.db import labels as label_rows
    from scrubdesk.core.db import spans as span_rows
    from scrubdesk.core.db.trained_models import Prediction, record_model, store_predictions
    from scrubdesk.core.keys import KeyVault, resolve_backend
    from scrubdesk.core.project import Project
    from scrubdesk.core.spans import Span
    from scrubdesk.core.synthetic import INTENTS, generate

    if is_built(path) and not rebuild:
        Project.open(path, vault=KeyVault(BenchKeyring(keys_file(path))))  # migrates to the current schema
        return json.loads((path / MARKER).read_text())
    if path.exists():
        shutil.rmtree(path)
    for stale in (keys_file(path), file_keyring(path)):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    project = Project.create(
        path, name=f"GUI benchmark ({n:,} generated emails)", vault=KeyVault(BenchKeyring(keys_file(path)))
    )
    pool = list(generate(POOL, seed=SEED))
    rng = random.Random(SEED)
    now = utc_now()
    labelled: list[tuple[int, str]] = []
    predictions: list[Prediction] = []
    n_spans = 0
    with project.store() as store:
        with store.transaction() as conn:
            source = imports.register_source(conn, "generated://bench", "generated", now)
        for first in range(0, n, BATCH):
            spans: list[tuple[int, str, Span]] = []
            states: list[tuple[int, str]] = []
            with store.transaction() as conn:
                for i in range(first, min(first + BATCH, n)):
                    email = pool[i % POOL]
                    key = project.ids.message_id(f"<bench-{i}@generated.example>")
                    mid = imports.insert_message(
                        conn,
                        imports.NewMessage(
                            msg_key=key, source_id=source, source_location=f"generated://bench#{i}",
                            sent_at=email.sent_at.isoformat(), from_name=email.from_name,
                            from_addr=email.from_addr, to_addrs=json.dumps([email.to_addr]), cc_addrs="[]",
                            subject=email.subject, body=email.body, body_kind="plain", attachment_count=0,
                            attachment_types="[]", flags="[]", label=None, label_source=None,
                            size_bytes=len(email.body), imported_at=now,
                        ),
                    )  # fmt: skip
                    assert mid is not None
                    for field, gold in (("body", email.spans), ("subject", email.subject_spans)):
                        spans.extend(
                            (
                                mid,
                                field,
                                Span(s.start, s.end, s.label, round(rng.uniform(0.6, 1.0), 2), "bench"),
                            )
                            for s in gold
                        )
                    states.append(
                        (mid, project.ids.digest("analysis", f"{ANALYZER_VERSION}\x00{mid}".encode()))
                    )
                    if rng.random() < LABELLED_SHARE:
                        labelled.append((mid, email.intent))
                    else:
                        confidence = round(rng.uniform(0.25, 0.99), 3)
                        label = email.intent if rng.random() < 0.85 else rng.choice(INTENTS)
                        predictions.append(
                            Prediction(mid, label, confidence, round(1 - rng.uniform(0, confidence), 3))
                        )
                span_rows.insert_suggestions(conn, spans, ANALYZER_VERSION)
                span_rows.record_analyses(conn, states, now)
            n_spans += len(spans)
            print(f"gui bench: generated {min(first + BATCH, n):,} of {n:,}", flush=True)
        core_labels.add_labels(project, store, list(INTENTS))
        with store.transaction() as conn:
            label_rows.set_message_labels(conn, labelled, "annotator")
            model_id = record_model(
                conn, created_at=now, path=PLACEHOLDER_MODEL, msg_list_digest="generated",
                member_ids=[mid for mid, _ in labelled[:1000]], labels=list(INTENTS),
                metrics={"note": "benchmark placeholder, not a trained model"}, audit={}, settings={},
            )  # fmt: skip
            store_predictions(conn, model_id, predictions, now)
    card = (project.path / PLACEHOLDER_MODEL).with_suffix(".card.json")
    card.parent.mkdir(parents=True, exist_ok=True)
    card.write_text(json.dumps({"metrics": {}, "note": "benchmark placeholder"}))
    KeyVault(resolve_backend(file_keyring_env(file_keyring(path)))).store(project.project_id, project.keys)
    info = {
        "messages": n,
        "generated_from_pool": POOL,
        "spans": n_spans,
        "labelled": len(labelled),
        "predictions": len(predictions),
        "build_seconds": round(time.perf_counter() - started, 1),
        "store_mb": round((path / "store.sdb").stat().st_size / 1e6, 1),
    }
    (path / MARKER).write_text(json.dumps(info, indent=2) + "\n")
    print(f"gui bench: {n:,} messages ready in {info['build_seconds']} s ({info['store_mb']} MB)", flush=True)
    return info


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    print(json.dumps(build(project_dir(args.n), args.n, rebuild=args.rebuild), sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
