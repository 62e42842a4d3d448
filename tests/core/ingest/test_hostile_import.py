"""Issue 15's done-when for import: over 2,000 hostile sources per run, no crash, no hang, and every item fed
is accounted for (imported + replaced + duplicates by reason + erased + quarantined = fed).

The sources are built here: the messy-mail corpus mutated at random (flipped and inserted bytes, cut-off
files, injected header lines, CRLF), copies with the same Message-ID and other content, cut-off copies,
hostile headers, malformed MIME, files whose names are not UTF-8, hidden files, FIFOs, links to
/dev/zero, maildir tmp/ and folders inside cur/, and CSV/JSON tables in UTF-8 and UTF-16 with broken rows
and elements. The whole folder goes through the real import job, and once through the real CLI.
"""

from __future__ import annotations

import base64
import json
import os
import random
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrubdesk.core.importer import ImportSummary, run_import
from scrubdesk.core.ingest.records import ImportOptions
from tests.core.ingest import corpus
from tests.core.ingest.test_fuzz import BASES, expected_mbox_offsets, mutate, mutation
from tests.helpers import scrubdesk

HANG_S = 120  # far above the few seconds the whole folder takes: reaching it means something hangs
MUTATED_FILES = 1800


@dataclass
class Fed:
    """Items put into a source tree, counted the way the readers' accounting rules say."""

    count: int = 0
    notes: list[str] = field(default_factory=list)

    def mail_file(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.count += len(expected_mbox_offsets(data)) if data.startswith(b"From ") else 1


def _mail(message_id: str, body: str, subject: str = "Order") -> bytes:
    return f"From: a@example.org\nSubject: {subject}\nMessage-ID: <{message_id}>\n\n{body}\n".encode()


def build_hostile_tree(root: Path, rng: random.Random) -> Fed:
    fed = Fed()
    for n in range(MUTATED_FILES):
        base = rng.choice(BASES)
        steps = _random_mutations(rng)
        fed.mail_file(root / f"m{n // 200:02d}" / f"{n:04d}.eml", mutate(base, steps))
    for n in range(60):  # same Message-ID, other content; cut-off copies; true copies
        body = f"Complaint number {n}: the parcel never came and nobody answered."
        fed.mail_file(root / "ids" / f"{n}-a.eml", _mail(f"dup{n}@x", body))
        variant = [body + " Second copy, edited.", body[: 20 + n % 20], body][n % 3]
        fed.mail_file(root / "ids" / f"{n}-b.eml", _mail(f"dup{n}@x", variant))
    hostile_headers = [
        b'From: "Jane' + b" " * 300_000 + b'Doe" <j@example.org>\n\nbody\n',
        b"To: " + b"a@" * 100_000 + b"x\n\nbody\n",
        b"Subject: " + b"=?utf-8?q?x?= " * 20_000 + b"\n\nbody\n",
        b"Cc: " + b'"q\\"' * 50_000 + b"\n\nbody\n",
    ]
    for n, data in enumerate(hostile_headers):
        fed.mail_file(root / "headers" / f"{n}.eml", data)
    letter = "Write to tamsin@example.org about it.\n" * 400
    encoded = base64.encodebytes(letter.encode())
    fed.mail_file(root / "mime" / "b64.eml", b"From: a@example.org\nSubject: s\n\n" + encoded)
    fed.mail_file(
        root / "mime" / "boundary.eml",
        b'From: a@example.org\nContent-Type: multipart/mixed; boundary="x"\n\n'
        b"--y\nContent-Type: text/plain\n\n"
        b"hello\n--y--\n",
    )
    bad = Path(os.fsdecode(os.fsencode(root) + b"/names/caf\xe9\xff.eml"))
    fed.mail_file(bad, _mail("badname@x", "a file name that is not UTF-8"))
    fed.mail_file(root / ".hidden.eml", _mail("hidden@x", "hidden"))  # reported, not read
    fed.mail_file(root / ".git" / "HEAD", b"ref")  # the hidden folder is one reported item
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "pipe.eml")
        fed.count += 1
    if Path("/dev/zero").exists():
        (root / "zero.mbox").symlink_to("/dev/zero")
        fed.count += 1
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "gone.eml").symlink_to(root / "nowhere")
    fed.count += 2
    box = root / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (box / sub).mkdir(parents=True)
    fed.mail_file(box / "cur" / "1.host:2,S", _mail("md1@x", "in cur"))
    fed.mail_file(box / "tmp" / "2.host", _mail("md2@x", "in delivery"))  # reported
    fed.mail_file(box / "cur" / "folder" / "3.host", _mail("md3@x", "folder in cur"))  # one reported item
    fed.notes.append(f"{MUTATED_FILES} mutated files")
    return fed


def _random_mutations(rng: random.Random) -> list[tuple]:  # type: ignore[type-arg]
    from tests.core.ingest.test_fuzz import HEADER_LINES, TOKENS

    steps: list[tuple] = []  # type: ignore[type-arg]
    for _ in range(rng.randint(0, 6)):
        kind = rng.choice(["flip", "truncate", "insert", "header", "crlf"])
        where = rng.randint(0, 1 << 16)
        if kind == "flip":
            steps.append((kind, where, rng.randint(0, 255)))
        elif kind == "truncate":
            steps.append((kind, where))
        elif kind == "insert":
            token = rng.choice(TOKENS) if rng.random() < 0.7 else rng.randbytes(rng.randint(0, 24))
            steps.append((kind, where, token))
        elif kind == "header":
            steps.append((kind, where, rng.choice(HEADER_LINES)))
        else:
            steps.append((kind,))
    return steps


def build_tables(root: Path, rng: random.Random) -> list[tuple[Path, int]]:
    """CSV/JSON sources with their expected item count (rows or elements, broken ones included)."""
    root.mkdir(parents=True, exist_ok=True)
    tables: list[tuple[Path, int]] = []
    rows = [{"id": i % 25, "text": f"row {i} about the order"} for i in range(100)]
    for encoding in ("utf-8", "utf-16"):
        lines = [json.dumps(r) for r in rows]
        for i in rng.sample(range(len(lines)), 10):
            lines[i] = lines[i][: rng.randint(1, len(lines[i]) - 1)]  # a cut-off line
        path = root / f"t-{encoding}.jsonl"
        path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
        tables.append((path, len(lines)))
        elements = [json.dumps(r) for r in rows]
        for i in rng.sample(range(len(elements)), 10):
            elements[i] = rng.choice(['{"text": nope}', '{"text": "open}', '{"text": "x", "y": [1, }]}', "}"])
        path = root / f"t-{encoding}.json"
        path.write_bytes(("[\n" + ",\n".join(elements) + "\n]\n").encode(encoding))
        tables.append((path, len(elements)))
        csv_text = "id,text\n" + "".join(f"{r['id']},{r['text']}\n" for r in rows)
        data = csv_text.encode(encoding)
        path = root / f"t-{encoding}.csv"
        cut = data[:-3] if encoding == "utf-16" else data  # a UTF-16 file cut in the middle of a character
        path.write_bytes(cut)
        tables.append((path, len(rows)))
    return tables


def _import_within(project, sources, options=None) -> ImportSummary:  # type: ignore[no-untyped-def]
    result: list[ImportSummary] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            result.append(run_import(project, sources, options))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test thread
            errors.append(exc)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(HANG_S)
    assert not worker.is_alive(), f"the import hung for over {HANG_S} s"
    if errors:
        raise errors[0]
    return result[0]


def _accounted(summary: ImportSummary) -> int:
    return (
        summary.imported
        + summary.replaced_truncated
        + sum(summary.duplicate_reasons.values())
        + summary.erased_skipped
        + sum(summary.quarantined.values())
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Fed, list[tuple[Path, int]]]:
    root = tmp_path_factory.mktemp("hostile")
    rng = random.Random(15)
    fed = build_hostile_tree(root / "tree", rng)
    tables = build_tables(root / "tables", rng)
    return root, fed, tables


def test_over_2000_hostile_sources_import_with_every_item_accounted_for(project, hostile) -> None:
    root, fed, tables = hostile
    assert fed.count + sum(n for _, n in tables) >= 2000
    summary = _import_within(project, [root / "tree"])
    assert summary.items == _accounted(summary) == fed.count
    assert summary.imported > 100 and summary.same_id_different_content >= 20
    assert summary.replaced_truncated + summary.duplicate_reasons["truncated_copy"] >= 20
    assert summary.quarantined["special_file"] == (hasattr(os, "mkfifo") + Path("/dev/zero").exists())
    assert summary.skipped >= 4
    again = _import_within(project, [root / "tree"])
    assert again.items == fed.count and again.imported == 0 and again.replaced_truncated == 0
    for path, expected in tables:
        options = ImportOptions(text_column="text", id_column="id")
        table = _import_within(project, [path], options)
        assert table.items == _accounted(table) == expected, path.name
        assert table.imported > 0, path.name


def test_the_cli_imports_the_hostile_tree_without_an_internal_error(tmp_path, hostile) -> None:
    root, fed, _ = hostile
    scrubdesk("init", tmp_path / "p")
    summary, _, stderr = scrubdesk("import", tmp_path / "p", root / "tree", timeout=HANG_S)
    assert summary["ok"] and summary["items"] == fed.count
    assert "Traceback" not in stderr


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(
    files=st.lists(
        st.tuples(st.sampled_from([*BASES, corpus.simple_message(1)]), st.lists(mutation, max_size=5)),
        min_size=1,
        max_size=6,
    ),
    copies=st.integers(0, 2),
)
def test_small_hostile_folders_account_for_every_item(project, tmp_path_factory, files, copies) -> None:
    root = tmp_path_factory.mktemp("small")
    fed = Fed()
    for n, (base, steps) in enumerate(files):
        data = mutate(base, steps)
        for c in range(copies + 1):
            fed.mail_file(root / f"{n}-{c}.eml", data)
    summary = _import_within(project, [root])
    assert summary.items == _accounted(summary) == fed.count
