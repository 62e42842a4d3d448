"""Triage release 2 (issue 16): no personal strings in any model, sealed files, the membership gate,
clear findings, no crash on small sets, the embedding cache, export + classify, erasure reaching models."""

from __future__ import annotations

import io
import json
import random
import string
import zipfile
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from scrubdesk.core.db.embeddings import count_embeddings, delete_embeddings, delete_purged_embeddings
from scrubdesk.core.db.trained_models import latest_model
from scrubdesk.core.errors import InputError
from scrubdesk.core.model_files import SealedModelError, is_sealed, open_sealed
from scrubdesk.core.review import approve_all
from scrubdesk.core.scrubbing import training_messages
from scrubdesk.models.privacy.vocabulary_scan import PII_STRING, SUBJECT_IDENTIFIER, scan_object
from scrubdesk.models.triage.classify import classify_file
from scrubdesk.models.triage.embeddings import cpu_supports_embedder
from scrubdesk.models.triage.erasure_models import models_after_erasure
from scrubdesk.models.triage.features import EmptyVocabularyError
from scrubdesk.models.triage.model_export import export_model
from scrubdesk.models.triage.package import PackageError, load_package
from scrubdesk.models.triage.persistence import load_sealed
from scrubdesk.models.triage.settings import TriageSettings
from scrubdesk.models.triage.training_job import run_training
from tests.builders import audit_rows, delete_message_row, mark_purged, overwrite_message
from tests.helpers import scrubdesk
from tests.models.training_project import add_body_span, fill_senders, insert_from

pytestmark = pytest.mark.slow
needs_e5 = pytest.mark.skipif(not cpu_supports_embedder(), reason="the e5 engine needs AVX2/FMA")

SUBJECT_NAME, SUBJECT_ADDRESS = "Tamsin Okonkwo", "tamsin.k84@vellumsoft.example"
# What the analyser missed in the person's own messages: lower-case first name, username, spelled-out domain
PLANTED_BODY = "tamsin here again, user tamsin.k84 at vellumsoft dot example: please refund the payment"
NEEDLES = [b"tamsin", b"tamsi", b"amsin", b"k84", b"vellum", b"vellu", b"llumso", b"okonkwo"]
PLANTED_MESSAGES = 12


def _plant_subject(project) -> list[int]:
    with project.store() as store, store.transaction() as conn:
        return [
            insert_from(
                conn, project.ids, f"tamsin{i}", PLANTED_BODY, "refund", SUBJECT_NAME, SUBJECT_ADDRESS
            )
            for i in range(PLANTED_MESSAGES)
        ]


def _model_entries(project, rel_path: str) -> list[bytes]:
    """Every zip entry of a sealed model file, decrypted and decompressed, lower-cased."""
    path = project.path / rel_path
    assert is_sealed(path) and not zipfile.is_zipfile(path)
    with zipfile.ZipFile(io.BytesIO(open_sealed(path, project.keys.db_key))) as archive:
        return [archive.read(n).lower() for n in archive.namelist()]


@pytest.mark.parametrize("features", ["tfidf", pytest.param("e5", marks=needs_e5)])
def test_planted_identifiers_of_one_subject_never_reach_the_model(project, tmp_path, features):
    fill_senders(project, per_label=12)
    _plant_subject(project)
    approve_all(project)
    with project.store() as store:
        texts = [m.text for m in training_messages(project, store)]
    # the release-1 rule (k distinct MESSAGES) would have kept all three: one person wrote 12 messages
    old_rule = CountVectorizer(min_df=5).fit(texts).vocabulary_
    assert {"tamsin", "k84", "vellumsoft"} <= set(old_rule)

    summary = run_training(
        project, TriageSettings(cv_folds=3, features=features), accept_membership_risk=True
    )
    assert summary.saved, summary.explanation
    raw = (project.path / summary.model_path).read_bytes()
    # ciphertext is random bytes: a 3-byte needle turns up by chance, so only long ones are checked raw
    assert not any(n in raw.lower() for n in NEEDLES if len(n) >= 6)
    for entry in _model_entries(project, summary.model_path):
        assert not any(n in entry for n in NEEDLES)
    package = tmp_path / "model.zip"
    export_model(project, package)
    with zipfile.ZipFile(package) as archive:
        for name in archive.namelist():
            data = archive.read(name).lower()
            assert not any(n in data for n in NEEDLES), name


def test_small_set_is_refused_with_a_clear_message_not_a_crash(project):
    """Regression (issue 16): 2 labels x 5 messages passed train's own check and then crashed with
    ValueError in features.py when a CV fold had an empty vocabulary under k = 5."""
    rng = random.Random(3)
    with project.store() as store, store.transaction() as conn:
        for i in range(10):  # nothing shared between messages: every fold's vocabulary is empty
            body = " ".join("".join(rng.choices(string.ascii_lowercase, k=9)) for _ in range(4))
            insert_from(conn, project.ids, f"m{i}", body, "ab"[i % 2], "", f"s{i}@mail.example")
    approve_all(project)
    with pytest.raises(EmptyVocabularyError, match="distinct senders") as raised:
        run_training(project, TriageSettings(features="tfidf"))
    assert isinstance(raised.value, InputError)  # the CLI's exit 2 with the message, not exit 3


@pytest.mark.real_keyring
def test_small_set_cli_exit_code_is_an_input_error(tmp_path):
    from scrubdesk.core.project import Project

    project = Project.create(tmp_path / "proj", name="cli")
    rng = random.Random(4)
    with project.store() as store, store.transaction() as conn:
        for i in range(10):
            body = " ".join("".join(rng.choices(string.ascii_lowercase, k=9)) for _ in range(4))
            insert_from(conn, project.ids, f"m{i}", body, "ab"[i % 2], "", f"s{i}@mail.example")
    approve_all(project)
    summary, _, stderr = scrubdesk("train", project.path, "--features", "tfidf", check=False)
    assert summary["ok"] is False and summary["error_type"] == "EmptyVocabularyError"
    assert "distinct senders" in stderr and "internal error" not in stderr


def test_class_label_equal_to_a_pii_string_is_named_with_how_to_resolve(project):
    """Regression (issue 16): a label ("uber") equal to a word once tagged PERSON refused the model with
    "vocabulary scan found 1 problem" and no detail."""
    ids = fill_senders(project, per_label=12)
    with project.store() as store, store.transaction() as conn:
        for mid in ids[24:]:  # fill_senders: refund, address, then the 12 cancel messages
            overwrite_message(conn, mid, label="uber")
        mid = insert_from(conn, project.ids, "x", "Uber drivers are late", "refund", "", "x@mail.example")
    add_body_span(project, mid, 0, 4, "PERSON", "accepted")
    approve_all(project)
    summary = run_training(project, TriageSettings(cv_folds=3, features="tfidf"), accept_membership_risk=True)
    assert not summary.saved and summary.refused == "vocabulary-scan"
    assert "class label 'uber'" in summary.explanation
    assert "rename the label" in summary.explanation and "not personal" in summary.explanation
    details = summary.as_dict()["scan_details"]
    assert details == [
        {
            "location": "class label",
            "kind": PII_STRING,
            "where": details[0]["where"],
            "label": "uber",
            "explanation": details[0]["explanation"],
        }
    ]
    assert len(ids) == 36


def test_scan_finding_for_a_vocabulary_term_never_quotes_it():
    vec = CountVectorizer().fit(["tamsin wants a refund", "a refund please"])
    report = scan_object(vec, set(), {"tamsin"})
    assert [(f.location, f.kind) for f in report.findings] == [("vocabulary", SUBJECT_IDENTIFIER)]
    text = report.explain() + json.dumps(report.as_dict())
    assert "tamsin" not in text and "vocabulary_" in text


@pytest.mark.real_keyring
def test_membership_gate_refuses_unless_the_risk_is_accepted(tmp_path):
    from scrubdesk.core.project import Project

    project = Project.create(tmp_path / "proj", name="gate")
    fill_senders(project, per_label=12)
    approve_all(project)
    args = ("train", project.path, "--features", "tfidf", "--folds", "3", "--membership-gate", "0.5")
    summary, _, stderr = scrubdesk(*args, check=False)
    assert summary["ok"] is False and summary["saved"] is False and summary["refused"] == "membership-gate"
    assert summary["membership_auc"] > 0.5 and "--accept-membership-risk" in stderr
    with project.store() as store:
        assert latest_model(store, include_stale=True) is None
        refused = json.loads(audit_rows(store, "train.refused")[0].details)
    assert refused["reason"] == "membership-gate"

    summary, _, _ = scrubdesk(*args, "--accept-membership-risk")
    assert summary["ok"] is True and summary["saved"] and summary["membership_risk_accepted"] is True
    card = json.loads((project.path / summary["model_path"]).with_suffix(".card.json").read_text())
    assert card["audit"]["membership_risk_accepted"] is True
    md = (project.path / summary["model_path"]).with_suffix(".card.md").read_text()
    assert "membership risk accepted" in md
    with project.store() as store:
        trained = json.loads(audit_rows(store, "train")[0].details)
    assert trained["membership_risk_accepted"] is True and trained["membership_gate"] == 0.5


def test_sealed_model_opens_only_with_its_project_key_and_name(project, tmp_path):
    fill_senders(project, per_label=8)
    approve_all(project)
    summary = run_training(project, TriageSettings(cv_folds=2, features="tfidf"), accept_membership_risk=True)
    path = project.path / summary.model_path
    model = load_sealed(path, project.keys.db_key)
    assert set(model.classes_) == {"refund", "address", "cancel"}
    with pytest.raises(SealedModelError, match="does not decrypt"):
        open_sealed(path, bytes(32))
    renamed = path.with_name("other.sealed")
    renamed.write_bytes(path.read_bytes())
    with pytest.raises(SealedModelError):
        open_sealed(renamed, project.keys.db_key)


@needs_e5
def test_embedding_cache_is_reused_and_removed_with_the_message(project):
    ids = fill_senders(project, per_label=6)
    approve_all(project)
    settings = TriageSettings(cv_folds=2, features="e5")
    first = run_training(project, settings, accept_membership_risk=True)
    assert first.embedding["embedded"] == len(ids) and first.embedding["from_cache"] == 0
    second = run_training(project, settings, accept_membership_risk=True)
    assert second.embedding["embedded"] == 0 and second.embedding["from_cache"] == len(ids)
    assert second.model["features"] == "e5" and second.metrics["accuracy"] == first.metrics["accuracy"]
    with project.store() as store, store.transaction() as conn:
        delete_message_row(conn, ids[0])  # erasure deletes rows: the cache goes by cascade
        assert count_embeddings(store) == len(ids) - 1
        mark_purged(conn, [ids[1]])
        assert delete_purged_embeddings(conn) == 1
        assert delete_embeddings(conn, ids[2:4]) == 2
        assert count_embeddings(store) == len(ids) - 4


class _FakeAnalyzer:
    """Stands in for the spaCy analyser: finds nothing, reports the version the test project used."""

    def __init__(self, version: str) -> None:
        self.version = version

    def analyze_many(self, inputs, batch_size=32):
        for _ in inputs:
            yield []


def test_export_then_classify_without_a_project(project, tmp_path):
    fill_senders(project, per_label=12)
    with project.store() as store, store.transaction() as conn:
        mid = insert_from(conn, project.ids, "n", "Jo asked", "refund", "", "n@mail.example")
    add_body_span(project, mid, 0, 2, "PERSON", "accepted")  # analyser version 'test' on record
    approve_all(project)
    trained = run_training(project, TriageSettings(cv_folds=3, features="tfidf"), accept_membership_risk=True)
    package = tmp_path / "model.zip"
    exported = export_model(project, package)
    assert exported.analyser_version == "test"
    with project.store() as store:
        assert audit_rows(store, "model.export")
    incoming = tmp_path / "in.jsonl"
    lines = [
        {"id": "a", "text": "please refund the payment for my purchase"},
        {"id": "b", "text": "I moved house, please update my postal address"},
        "not json",
    ]
    incoming.write_text("\n".join(json.dumps(x) if isinstance(x, dict) else x for x in lines) + "\n")
    routes = tmp_path / "routes.csv"
    routes.write_text("label,destination\nrefund,https://forms.example/refund\n")
    out = io.StringIO()
    summary = classify_file(package, incoming, out, routing=routes, analyzer=_FakeAnalyzer("test"))
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [r.get("label") for r in rows] == ["refund", "address", None]
    assert rows[0]["destination"] == "https://forms.example/refund" and rows[1]["destination"] is None
    assert rows[2] == {"id": None, "error": "line 3: not JSON"}
    assert all(0 < r["confidence"] <= 1 and r["needs_human"] == (r["confidence"] < 0.5) for r in rows[:2])
    assert summary.records == 2 and summary.errors == 1 and summary.unrouted == 1
    assert trained.saved

    with pytest.raises(InputError, match="trained on text scrubbed by analyser test"):
        classify_file(package, incoming, io.StringIO(), analyzer=_FakeAnalyzer("scrubdesk-pii/9.9"))
    bad_routes = tmp_path / "bad.csv"
    bad_routes.write_text("refnud,https://x.example\n")
    with pytest.raises(InputError, match="not a label of this model"):
        classify_file(package, incoming, io.StringIO(), routing=bad_routes, analyzer=_FakeAnalyzer("test"))
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(tampered, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, data.replace(b'"refund"', b'"refunx"') if name == "card.json" else data)
    with pytest.raises(PackageError, match=r"card\.json does not match its digest"):
        load_package(tampered)


def test_models_after_erasure_delete_removes_the_stale_files(project):
    fill_senders(project, per_label=8)
    approve_all(project)
    summary = run_training(project, TriageSettings(cv_folds=2, features="tfidf"), accept_membership_risk=True)
    model_file = project.path / summary.model_path
    assert model_file.is_file() and model_file.with_suffix(".card.json").is_file()
    result = models_after_erasure(project, [summary.model_id], "delete")
    assert result.models_deleted == (summary.model_id,) and result.files_removed == 3
    assert not model_file.exists() and not model_file.with_suffix(".card.json").exists()


def test_models_after_erasure_retrain_replaces_the_model(project):
    fill_senders(project, per_label=8)
    approve_all(project)
    settings = TriageSettings(cv_folds=2, features="tfidf")
    first = run_training(project, settings, accept_membership_risk=True)
    result = models_after_erasure(project, [first.model_id], "retrain")
    assert result.retrained_model_id is not None and result.retrained_model_id != first.model_id
    with project.store() as store:
        assert latest_model(store).id == result.retrained_model_id
    assert not (project.path / first.model_path).exists()
    assert np.isfinite(result.files_removed)


def test_verify_erasure_file_scan_reads_inside_sealed_models(tmp_path):
    from scrubdesk.core.model_files import seal
    from scrubdesk.core.trace_scan import Needles, scan_file

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("schema.json", json.dumps({"vocabulary": [SUBJECT_ADDRESS] * 3}))
    key = bytes(range(32))
    path = tmp_path / "models" / "triage-x.sealed"
    seal(buffer.getvalue(), path, key)
    needles = Needles([SUBJECT_ADDRESS])
    assert SUBJECT_ADDRESS.encode() not in path.read_bytes()
    assert scan_file(path, needles, key).hits >= 3
    assert scan_file(path, needles).unreadable  # without the key nothing is claimed clean


OFFLINE_RUN = """
import sys
attempts = []

def hook(event, args):
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request"):
        attempts.append(event)
        raise OSError("network blocked by test: " + event)

sys.addaudithook(hook)
from pathlib import Path
from scrubdesk.core.keys import KeyVault
from scrubdesk.core.project import Project
from scrubdesk.core.review import approve_all
from scrubdesk.models.triage.settings import TriageSettings
from scrubdesk.models.triage.training_job import run_training
from tests.conftest import MemoryKeyring
from tests.models.training_project import fill_senders

project = Project.create(Path(sys.argv[1]) / "proj", vault=KeyVault(MemoryKeyring()))
fill_senders(project, per_label=6)
approve_all(project)
s = run_training(project, TriageSettings(cv_folds=2, features="e5"), accept_membership_risk=True)
assert s.saved and s.model["features"] == "e5", s.as_dict()
assert not attempts, attempts
print("offline-ok", s.embedding["embedded"])
"""


@needs_e5
def test_e5_training_runs_with_the_network_blocked(tmp_path):
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    cmd = [sys.executable, "-c", OFFLINE_RUN, str(tmp_path)]
    probe = (
        subprocess.run(["unshare", "-rn", "true"], capture_output=True, check=False)
        if shutil.which("unshare")
        else None
    )
    if probe is not None and probe.returncode == 0:
        cmd = ["unshare", "-rn", *cmd]  # no network interface at all, as well as the audit hook
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=root, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "offline-ok 18" in result.stdout


def test_retention_purge_removes_every_cached_embedding(project):
    from scrubdesk.core.db.embeddings import store_vectors
    from scrubdesk.core.retention import purge

    ids = fill_senders(project, per_label=2)
    with project.store() as store, store.transaction() as conn:
        store_vectors(conn, "test-embedder", [(m, "d", np.ones(4, dtype=np.float32)) for m in ids])
    summary = purge(project)
    assert summary.counts["embeddings"] == len(ids)
    with project.store() as store:
        assert count_embeddings(store) == 0


def test_classify_reads_eml_and_mbox(tmp_path):
    from scrubdesk.models.triage.classify import read_incoming

    eml = (
        "From: Ann Other <ann@mail.example>\nTo: support@shop.example\nSubject: Refund\n"
        "Message-ID: <m1@mail.example>\n\nPlease refund my order.\n"
    )
    (tmp_path / "one.eml").write_text(eml)
    (tmp_path / "many.mbox").write_text(
        "From ann@mail.example Mon Jan  1 00:00:00 2024\n" + eml + "\n"
        "From bob@mail.example Mon Jan  1 00:00:00 2024\n" + eml.replace("m1@", "m2@") + "\n"
    )
    [one] = list(read_incoming(tmp_path / "one.eml"))
    assert one.error is None and one.subject == "Refund" and "refund my order" in one.body
    assert one.headers == {"From": "Ann Other <ann@mail.example>", "To": ["support@shop.example"], "Cc": []}
    many = list(read_incoming(tmp_path / "many.mbox"))
    assert [m.id for m in many] == ["<m1@mail.example>", "<m2@mail.example>"]  # the Message-ID header
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(InputError, match=r"\.jsonl, \.eml or \.mbox"):
        list(read_incoming(tmp_path / "x.txt"))


@pytest.mark.slow
@pytest.mark.real_keyring  # the erase command runs in a subprocess: the key must be in the file keyring
def test_the_erase_command_deletes_the_models_it_made_stale_and_says_so(tmp_path):
    """Erasure reaches models: `erase --models delete` removes the sealed file and card of every model
    trained on the erased messages, and the certificate says which."""
    from scrubdesk.core.project import Project
    from tests.helpers import scrubdesk

    project = Project.create(tmp_path / "p")
    fill_senders(project, per_label=8)
    approve_all(project)
    trained = run_training(project, TriageSettings(cv_folds=2, features="tfidf"), accept_membership_risk=True)
    model_file = project.path / trained.model_path
    assert model_file.is_file()
    args = ("erase", project.path, "--subject", "crefund0@mail.example", "--yes", "--models", "delete")
    result, _out, _err = scrubdesk(*args)
    assert result["ok"] and result["models"] == [trained.model_id]
    assert result["models_after_erasure"]["models_deleted"] == [trained.model_id]
    assert not model_file.exists() and not model_file.with_suffix(".card.json").exists()
    certificate = json.loads(Path(result["certificate"]).read_text())
    assert certificate["what"]["models_after_erasure"]["mode"] == "delete"
