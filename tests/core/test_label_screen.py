"""Label names never carry personal data out: they are screened when created (shapes by the leak guard,
names by the PII analyser, which an admin may overrule with a recorded reason), the audit log records keyed
label IDs instead of names, and the export leak guard refuses the same shapes."""

from __future__ import annotations

import base64
import json

import pandas as pd
import pytest

from scrubdesk.core.audit_log import audit_entries
from scrubdesk.core.db import messages
from scrubdesk.core.errors import InputError
from scrubdesk.core.importer import run_import
from scrubdesk.core.ingest.records import ImportOptions
from scrubdesk.core.labels import (
    Labeller,
    LabelLooksPersonalError,
    add_labels,
    label_from_csv,
    label_id,
    merge_labels,
    rename_label,
    screen_label_names,
)
from scrubdesk.core.leak_guard import LABEL, MSG_KEY, LeakGuardError, check_export_frame
from tests.helpers import scrubdesk

NAME = "Jane Smith"


def fake_analyser(name: str) -> list[str]:
    """Stands in for the PII analyser: it finds a PERSON in exactly one name."""
    return ["PERSON"] if name == NAME else []


@pytest.mark.parametrize(
    "label",
    [
        "Mr Varnabee",
        "42 High Street",
        "7a Mill Lane",
        base64.b64encode(NAME.encode()).decode(),
        "jane@example.org",
    ],
)
def test_shapes_of_personal_data_are_refused_even_with_a_reason(project, label):
    with project.store() as store:
        with pytest.raises(InputError, match="look like personal data") as refused:
            add_labels(project, store, ["refund", label], screen=fake_analyser, override_reason="it is fine")
        assert label not in str(refused.value)  # named by position, never quoted
        assert list_names(store) == []


def test_an_analyser_finding_needs_an_admin_and_a_reason_which_is_recorded(project):
    with project.store() as store:
        with pytest.raises(InputError, match=r"label 2 of 2: the PII analyser finds PERSON") as refused:
            add_labels(project, store, ["refund", NAME], screen=fake_analyser)
        assert NAME not in str(refused.value)
        add_labels(project, store, ["refund", NAME], screen=fake_analyser, override_reason="a product's name")
        entry = audit_entries(store, action="labels.add")[0]
    assert entry.details["labels"] == [label_id(project, "refund"), label_id(project, NAME)]
    assert entry.details["screen_override"]["override_reason"] == "a product's name"
    assert NAME not in json.dumps(entry.as_dict())


def test_a_rename_is_screened_like_a_new_label(project):
    """Renaming is another way to name a label: 'refund' renamed to a person's name must not slip past."""
    with project.store() as store:
        add_labels(project, store, ["refund", "card_lost"])
        with pytest.raises(LabelLooksPersonalError, match="look like personal data") as shaped:
            rename_label(project, store, "card_lost", "Mr Varnabee", override_reason="it is fine")
        assert not shaped.value.overridable
        with pytest.raises(LabelLooksPersonalError, match="the PII analyser finds PERSON") as flagged:
            rename_label(project, store, "card_lost", NAME, screen=fake_analyser)
        assert flagged.value.overridable and NAME not in str(flagged.value)
        assert list_names(store) == ["refund", "card_lost"]
        rename_label(project, store, "card_lost", NAME, screen=fake_analyser, override_reason="a product")
        entry = audit_entries(store, action="labels.rename")[0]
    assert entry.details["screen_override"]["override_reason"] == "a product"
    assert NAME not in json.dumps(entry.as_dict())


def test_the_screen_passes_ordinary_intents():
    intents = ["refund", "change_of_address", "card delivery", "Billing / Payments", "lost card", "2fa reset"]
    assert screen_label_names(intents) == []


def test_the_audit_log_names_no_label(project):
    names = ["refund", "change_of_address", "card_lost"]
    with project.store() as store:
        add_labels(project, store, names)
        rename_label(project, store, "card_lost", "card_stolen")
        merge_labels(project, store, "card_stolen", "refund")
        dump = json.dumps([e.as_dict() for e in audit_entries(store, limit=100)])
    for name in [*names, "card_stolen"]:
        assert name not in dump
    assert label_id(project, "card_stolen") in dump


def test_labelling_a_message_logs_label_ids(project, tmp_path):
    csv = tmp_path / "t.csv"
    pd.DataFrame({"text": ["please refund me"]}).to_csv(csv, index=False)
    run_import(project, [csv], ImportOptions(text_column="text"))
    with project.store() as store:
        add_labels(project, store, ["refund"])
        (mid,) = messages.all_ids(store)
        Labeller(project, store).set_label(mid, "refund")
        entry = audit_entries(store, action="label")[0]
    assert entry.details["to"] == label_id(project, "refund") and entry.details["from"] is None


def test_bulk_labels_are_screened_too(project, tmp_path):
    csv = tmp_path / "t.csv"
    pd.DataFrame({"text": ["hello"]}).to_csv(csv, index=False)
    run_import(project, [csv], ImportOptions(text_column="text"))
    with project.store() as store:
        (key,) = [k for _i, k in messages.keys_and_ids(store)]
        labels_csv = tmp_path / "labels.csv"
        pd.DataFrame({"msg_key": [key], "label": ["42 High Street"]}).to_csv(labels_csv, index=False)
        with pytest.raises(InputError, match="street address"):
            label_from_csv(project, store, labels_csv, add_missing=True)
        assert list_names(store) == []


def test_a_label_column_that_looks_personal_is_not_imported(project, tmp_path):
    csv = tmp_path / "t.csv"
    pd.DataFrame({"text": ["a", "b", "c"], "category": ["refund", NAME, "Mr Varnabee"]}).to_csv(
        csv, index=False
    )
    summary = run_import(
        project, [csv], ImportOptions(text_column="text", label_column="category"), label_screen=fake_analyser
    )
    assert summary.imported == 3 and summary.labels_refused == 2
    with project.store() as store:
        assert messages.label_counts_with_empty(store) == {"refund": 1, "": 2}


@pytest.mark.parametrize("label", ["Mr Varnabee", "42 High Street", base64.b64encode(NAME.encode()).decode()])
def test_the_export_guard_refuses_personal_labels_even_in_the_label_set(label):
    frame = pd.DataFrame({MSG_KEY: ["0" * 31 + "a"], LABEL: [label]})
    with pytest.raises(LeakGuardError) as refused:
        check_export_frame(frame, [label])
    assert label not in str(refused.value)


def test_label_from_a_non_csv_file_does_not_echo_its_first_line(tmp_path):
    proj = tmp_path / "p"
    scrubdesk("init", proj)
    mail = tmp_path / "some.eml"
    mail.write_text("From: Jane Canary <jane.canary@example.org>\nSubject: hello\n\nbody\n")
    summary, stdout, stderr = scrubdesk("label", proj, "--from", mail, check=False)
    assert summary["_exit"] == 2 and "does not look like a CSV header" in summary["error"]
    assert "Canary" not in stdout + stderr


@pytest.mark.slow
def test_the_cli_screens_with_the_real_analyser(tmp_path):
    proj = tmp_path / "p"
    scrubdesk("init", proj)
    summary, _, _ = scrubdesk("labels", "add", proj, "refund", NAME, check=False)
    assert summary["_exit"] == 2 and "the PII analyser finds PERSON" in summary["error"]
    added, _, _ = scrubdesk(
        "labels", "add", proj, "refund", NAME, "--allow-personal-data", "our product's name"
    )
    assert added["added"] == ["refund", NAME]


def list_names(store) -> list[str]:
    from scrubdesk.core.labels import list_labels

    return list_labels(store)
