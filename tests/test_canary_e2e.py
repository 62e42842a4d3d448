"""End-to-end canary test (GDPR issue): unique values planted in synthetic mail must never appear in clear
in anything Scrubdesk writes, and after erasure must be gone from everything, the decrypted store included.

The whole workflow runs through the real CLI in subprocesses with their own temp directory, so the test
also sees what the app writes to TMPDIR and to its output streams (our only log sink).
"""

from __future__ import annotations

import base64
import dataclasses
import io
import os
import subprocess
import sys
import urllib.parse
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pytest

from scrubdesk.core.synthetic import generate, write_mbox
from tests.builders import store_dump

pytestmark = [pytest.mark.slow, pytest.mark.real_keyring]


@dataclasses.dataclass(frozen=True)
class Canary:
    name: str
    address: str
    phone: str
    street: str

    def values(self) -> tuple[str, ...]:
        return (self.name, self.address, self.phone, self.street)


CANARIES = (
    Canary(
        "Quillon Vasterbrook", "quillon.vasterbrook@canary-mail.example", "07700 900461", "41 Periwinkle Mews"
    ),
    Canary(
        "Ysolde Marrowgate",
        "ysolde.marrowgate@canary-mail.example",
        "020 7946 0372",
        "7 Thistlewood Crescent",
    ),
    Canary("Bartholomew Quenby", "b.quenby@canary-post.example", "0161 496 0825", "118 Gorsemoor Lane"),
)
MESSAGES_PER_CANARY = 3


def encoded_forms(value: str) -> set[bytes]:
    """The value in clear and in common encodings: UTF-8/16, lower/upper case, URL-encoded, base64 at every
    byte alignment (the part of the base64 text that depends only on the value)."""
    forms: set[bytes] = set()
    for text in {value, value.lower(), value.upper()}:
        raw = text.encode()
        forms |= {raw, text.encode("utf-16-le"), text.encode("utf-16-be")}
        forms |= {urllib.parse.quote(text).encode(), urllib.parse.quote_plus(text).encode()}
        for pad, skip in ((0, 0), (1, 2), (2, 3)):
            encoded = base64.b64encode(b"\0" * pad + raw)
            forms.add(encoded[skip : len(encoded) - 4])
    return {f for f in forms if len(f) >= 6}


def scan(paths: Iterable[Path], canaries: Iterable[Canary]) -> list[tuple[str, str]]:
    """(file, canary field) for every hit; the value itself is not reported."""
    needles = [
        (field.name, form)
        for canary in canaries
        for field in dataclasses.fields(canary)
        for form in encoded_forms(getattr(canary, field.name))
    ]
    hits = []
    for path in paths:
        data = path.read_bytes()
        hits += [(str(path), field) for field, form in needles if form in data]
    return sorted(set(hits))


def files_under(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in sorted(root.rglob("*")) if p.is_file()]


class Cli:
    """Runs `scrubdesk ... --json` with a private TMPDIR and keeps every byte it printed."""

    def __init__(self, tmpdir: Path, transcript: Path) -> None:
        self.env = {**os.environ, "TMPDIR": str(tmpdir), "TMP": str(tmpdir), "TEMP": str(tmpdir)}
        self.transcript = transcript

    def __call__(self, *args: str | Path, expect: int = 0) -> dict:
        import json

        cmd = [sys.executable, "-m", "scrubdesk.gui", *map(str, args), "--json"]
        result = subprocess.run(cmd, capture_output=True, env=self.env, timeout=900)
        with self.transcript.open("ab") as fh:
            fh.write(result.stdout + result.stderr)
        assert result.returncode == expect, (args, result.returncode, result.stderr[-3000:])
        return json.loads(result.stdout.decode().strip().splitlines()[-1])


def planted_emails(n: int, seed: int = 2026) -> tuple[list, list]:
    """``n`` synthetic emails; the first messages are rewritten to come from, and be signed by, the
    canaries. Returns (all emails, the planted ones)."""
    emails = list(generate(n, seed=seed))
    planted = []
    for c_index, canary in enumerate(CANARIES):
        for j in range(MESSAGES_PER_CANARY):
            i = c_index * MESSAGES_PER_CANARY + j
            e = emails[i]
            body = (
                f"{e.body}\n\nMy number is {canary.phone} and I live at {canary.street}, Little Snoring, "
                f"NR21 0AB.\n\nKind regards,\n{canary.name}\n"
            )
            emails[i] = dataclasses.replace(
                e, from_name=canary.name, from_addr=canary.address, body=body, spans=(), subject_spans=()
            )
            planted.append(emails[i])
    return emails, planted


def decrypted_dump(project_dir: Path) -> bytes:
    from scrubdesk.core.project import Project

    project = Project.open(project_dir)
    with project.store() as store:
        return store_dump(store).encode()


def test_canaries_never_leak_and_erasure_removes_every_trace(tmp_path: Path) -> None:
    project_dir, sources, exports = tmp_path / "project", tmp_path / "sources", tmp_path / "exports"
    app_tmp = tmp_path / "app-tmp"
    for d in (sources, exports, app_tmp):
        d.mkdir()
    transcript = tmp_path / "transcript.log"
    cli = Cli(app_tmp, transcript)

    emails, planted = planted_emails(300)
    write_mbox(sources / "inbox.mbox", emails)
    labels_csv = sources / "labels.csv"

    cli("init", project_dir)
    imported = cli("import", project_dir, sources / "inbox.mbox")
    assert imported["imported"] == len(emails)
    cli("analyze", project_dir)
    cli("review", "approve-all", project_dir)

    # Label every message by its keyed ID (the way an annotation round-trip arrives from outside).
    from scrubdesk.core.project import Project

    ids = Project.open(project_dir).ids
    rows = ["msg_key,label", *(f"{ids.message_id(e.message_id)},{e.intent}" for e in emails)]
    labels_csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    labelled = cli("label", project_dir, "--from", labels_csv, "--add-missing")
    assert labelled["changed"] == len(emails) and labelled["unknown_keys"] == 0

    trained = cli("train", project_dir, "--accept-membership-risk")  # a small set: above the MIA gate
    assert trained["saved"] and trained["vocabulary_scan_findings"] == 0
    export_file = exports / "labels.csv"
    exported = cli("export", project_dir, export_file)
    assert exported["rows"] == len(emails)
    assert cli("audit", "verify", project_dir)["ok"]

    written = [*files_under(project_dir, exports, app_tmp), transcript]
    assert any(p.name.endswith(".sdb") for p in written) and export_file in written
    sealed = [p for p in written if p.suffix == ".sealed"]
    assert sealed, "the trained model is among the scanned files"
    assert scan(written, CANARIES) == [], "a canary appeared in clear or encoded outside the encrypted store"
    # The model is sealed under the project key: its decrypted, decompressed content holds no canary either.
    from scrubdesk.core.model_files import open_sealed
    from scrubdesk.core.project import Project

    key = Project.open(project_dir).keys.db_key
    for path in sealed:
        with zipfile.ZipFile(io.BytesIO(open_sealed(path, key))) as archive:
            clear = b"".join(archive.read(name) for name in archive.namelist())
        assert scan_bytes(clear, CANARIES) == [], path.name
    # The store really holds the canaries (encrypted): the scan above is not vacuous.
    assert scan_bytes(decrypted_dump(project_dir), CANARIES)

    for canary in CANARIES:
        erased = cli("erase", project_dir, "--subject", canary.address, "--yes")
        assert erased["messages"] == MESSAGES_PER_CANARY
        verified = cli("verify-erasure", project_dir, "--subject", canary.address)
        assert verified["ok"]
        for value in (canary.name, canary.phone):
            assert cli("verify-erasure", project_dir, "--subject", value)["ok"]

    written = [*files_under(project_dir, exports, app_tmp), transcript]
    assert scan(written, CANARIES) == []
    assert scan_bytes(decrypted_dump(project_dir), CANARIES) == []
    models = {m["id"]: m for m in cli("models", "list", project_dir)["models"]}
    assert models[trained["model_id"]]["stale"], "the model trained on the canaries is stale"
    assert not (project_dir / trained["model_path"]).exists(), "and its sealed file is gone"
    # Each erasure retrained a replacement on what remained: only the newest, trained after the last
    # erasure, is current; every model trained on a canary's messages is stale and its file deleted.
    current = [m for m in models.values() if not m["stale"]]
    assert [m["id"] for m in current] == [max(models)]
    assert all(not (project_dir / m["path"]).exists() for m in models.values() if m["stale"])
    assert cli("audit", "verify", project_dir)["ok"]


def scan_bytes(data: bytes, canaries: Iterable[Canary]) -> list[str]:
    return sorted(
        {
            field.name
            for canary in canaries
            for field in dataclasses.fields(canary)
            for form in encoded_forms(getattr(canary, field.name))
            if form in data
        }
    )
