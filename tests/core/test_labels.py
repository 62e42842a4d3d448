"""The label set and labelling: validation, roles, audit entries, undo, rename/merge, bulk CSV, CLI."""

from __future__ import annotations

import json

import pytest

from scrubdesk.core import labels
from scrubdesk.core.audit_log import AuditLog, current_os_user
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db.labels import message_label
from scrubdesk.core.db.messages import all_ids, keys_and_ids, labels_and_sources
from scrubdesk.core.db.trained_models import Prediction, store_predictions
from scrubdesk.core.errors import InputError, PermissionDeniedError
from scrubdesk.core.project import Project
from scrubdesk.core.roles import grant
from tests.builders import (
    add_message,
    add_model,
    audit_rows,
    drop_from_label_set,
    overwrite_message,
    remove_every_role,
    table_rows,
)
from tests.helpers import scrubdesk


def _messages(store, n: int, label_of=lambda i: None) -> list[int]:
    ids = []
    with store.transaction() as conn:
        for i in range(n):
            label = label_of(i)
            source = "import" if label else None
            ids.append(
                add_message(
                    conn, f"{i:032x}", "b", subject="s", label=label, label_source=source, source_location="t"
                )
            )
    return ids


def _label_of(store, mid):
    return message_label(store, mid)[1:]


def _labels(store) -> dict[int, str | None]:
    return {mid: label for mid, label, _source in labels_and_sources(store, all_ids(store))}


def _audit(store, action):
    return [(json.loads(r.objects), json.loads(r.details), r.role) for r in audit_rows(store, action)]


def _as(store, role: str) -> None:
    with store.transaction() as conn:
        grant(conn, current_os_user(), role, granted_by="test", at=utc_now())


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("billing", "billing"),
        ("  refund request ", "refund request"),
        ("x" * 64, "x" * 64),
        ("x" * 65, None),
        ("", None),
        ("   ", None),
        ("two\nlines", None),
        ("tab\there", None),
        ("nul\x00", None),
        ("line\u2028sep", None),
    ],
)
def test_validate_label(name, ok):
    if ok is None:
        with pytest.raises(InputError) as info:
            labels.validate_label(name)
        assert name.strip() == "" or name.strip() not in str(info.value)  # never quotes the value
    else:
        assert labels.validate_label(name) == ok


def test_add_list_and_reorder(project):
    with project.store() as store:
        assert labels.add_labels(project, store, ["billing", " complaint "]) == ["billing", "complaint"]
        labels.add_label(project, store, "cancel")
        assert labels.list_labels(store) == ["billing", "complaint", "cancel"]
        with pytest.raises(InputError, match="already in the label set"):
            labels.add_label(project, store, "billing")
        with pytest.raises(InputError, match="twice"):
            labels.add_labels(project, store, ["a", "a"])
        assert labels.list_labels(store) == ["billing", "complaint", "cancel"]  # nothing half-added
        labels.reorder_labels(project, store, ["cancel", "billing", "complaint"])
        assert labels.list_labels(store) == ["cancel", "billing", "complaint"]
        with pytest.raises(InputError, match="exactly once"):
            labels.reorder_labels(project, store, ["cancel", "billing"])
        ids = {name: labels.label_id(project, name) for name in ("billing", "complaint", "cancel")}
        assert [d["labels"] for _o, d, _r in _audit(store, "labels.add")] == [  # keyed IDs, never names
            [ids["billing"], ids["complaint"]],
            [ids["cancel"]],
        ]
        assert _audit(store, "labels.reorder")[0][1]["labels"] == [
            ids["cancel"],
            ids["billing"],
            ids["complaint"],
        ]


def test_set_label_validates_audits_and_undoes(project):
    with project.store() as store:
        a, b = _messages(store, 2, lambda i: "billing" if i == 1 else None)
        labels.add_labels(project, store, ["billing", "complaint"])
        labeller = labels.Labeller(project, store)
        before = AuditLog(store, project.keys.id_key).count()

        change = labeller.set_label(a, "complaint")
        assert (change.previous, change.label, change.changed) == (None, "complaint", True)
        assert _label_of(store, a) == ("complaint", "annotator")
        second = labeller.set_label(b, "complaint")
        assert (second.previous, second.previous_source) == ("billing", "import")

        with pytest.raises(InputError, match="not in the project's label set"):
            labeller.set_label(a, "refund")
        with pytest.raises(InputError, match="no message 999"):
            labeller.set_label(999, "billing")
        with pytest.raises(InputError, match="at most 64"):
            labeller.set_label(a, "y" * 80)
        assert _label_of(store, a) == ("complaint", "annotator")

        same = labeller.set_label(a, "complaint")  # no change: nothing written
        assert not same.changed
        assert AuditLog(store, project.keys.id_key).count() == before + 2

        labeller.undo(second)
        assert _label_of(store, b) == ("billing", "import")  # label and its source restored
        labeller.undo(change)
        assert _label_of(store, a) == (None, None)
        entries = _audit(store, "label")
        keys = [key for _id, key in keys_and_ids(store)]
        assert [o for o, _d, _r in entries] == [[keys[0]], [keys[1]], [keys[1]], [keys[0]]]
        complaint, billing = labels.label_id(project, "complaint"), labels.label_id(project, "billing")
        assert entries[0][1] == {"from": None, "to": complaint, "source": "annotator"}
        assert entries[2][1] == {"from": complaint, "to": billing, "source": "import", "undo": True}
        assert all(role == "admin" for _o, _d, role in entries)
        assert AuditLog(store, project.keys.id_key).verify() == []

        labels.set_label(project, store, a, "billing")  # the one-off form
        assert _label_of(store, a)[0] == "billing"
        labeller.set_label(a, None)
        assert _label_of(store, a) == (None, None)


def test_roles(project):
    with project.store() as store:
        (mid,) = _messages(store, 1)
        labels.add_labels(project, store, ["billing", "complaint"])
        _as(store, "annotator")
        labels.Labeller(project, store).set_label(mid, "billing")  # annotators label
        labels.add_label(project, store, "cancel")  # ... and add labels
        for action in (
            lambda: labels.rename_label(project, store, "billing", "bills"),
            lambda: labels.merge_labels(project, store, "cancel", "billing"),
            lambda: labels.reorder_labels(project, store, ["cancel", "billing", "complaint"]),
        ):
            with pytest.raises(PermissionDeniedError, match=r"admin, reviewer"):
                action()
        remove_every_role(store)
        with pytest.raises(PermissionDeniedError, match="no role"):
            labels.Labeller(project, store)
        _as(store, "reviewer")
        labels.rename_label(project, store, "billing", "bills")
        assert _audit(store, "labels.rename")[0][2] == "reviewer"


def test_rename_and_merge_relabel_messages_and_predictions(project):
    with project.store() as store:
        ids = _messages(store, 6, lambda i: ("billing", "complaint", None)[i % 3])
        labels.seed_from_messages(project, store)
        labels.add_label(project, store, "cancel")
        with store.transaction() as conn:
            model_id = add_model(conn)
            suggested = ((ids[2], "billing"), (ids[5], "complaint"))
            store_predictions(
                conn, model_id, [Prediction(m, label, 0.8, 0.3) for m, label in suggested], "now"
            )

        summary = labels.rename_label(project, store, "billing", "payments")
        assert summary.as_dict() == {"from": "billing", "to": "payments", "messages": 2, "predictions": 1}
        assert labels.list_labels(store)[0] == "payments"  # keeps its position
        assert labels.label_counts(store) == {"payments": 2, "complaint": 2}
        with pytest.raises(InputError, match="merge 'complaint' into it"):
            labels.rename_label(project, store, "complaint", "payments")
        with pytest.raises(InputError, match="not in the label set"):
            labels.rename_label(project, store, "billing", "x")

        merged = labels.merge_labels(project, store, "complaint", "payments")
        assert (merged.messages, merged.predictions) == (2, 1)
        assert labels.list_labels(store) == ["payments", "cancel"]
        assert sorted({label for (label,) in table_rows(store, "predictions", ["label"])}) == ["payments"]
        assert labels.label_counts(store) == {"payments": 4}
        positions = sorted(table_rows(store, "label_set", ["name", "position"]), key=lambda r: r[1])
        assert positions == [("payments", 0), ("cancel", 1)]
        with pytest.raises(InputError, match="into itself"):
            labels.merge_labels(project, store, "cancel", "cancel")
        assert _audit(store, "labels.merge")[0][1]["messages"] == 2


def test_seed_adds_labels_from_messages_most_used_first(project):
    with project.store() as store:
        _messages(store, 7, lambda i: ["a", "b", "b", "b", "c", "c", "z" * 70][i])
        labels.add_label(project, store, "c")
        assert labels.unregistered_labels(store) == {"a": 1, "b": 3, "z" * 70: 1}
        summary = labels.seed_from_messages(project, store)
        assert summary.as_dict() == {"added": ["b", "a"], "skipped_invalid": 1}
        assert labels.list_labels(store) == ["c", "b", "a"]
        entries = len(_audit(store, "labels.seed"))
        assert labels.seed_from_messages(project, store).added == []
        assert len(_audit(store, "labels.seed")) == entries  # nothing to add: nothing logged


def _csv(tmp_path, rows, header=("msg_key", "label")):
    path = tmp_path / "labels.csv"
    lines = [",".join(header)] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bulk_labelling_from_csv(project, tmp_path):
    with project.store() as store:
        ids = _messages(store, 4, lambda i: "billing" if i == 0 else None)
        keys = [key for _id, key in keys_and_ids(store)]
        labels.add_labels(project, store, ["billing", "complaint"])
        path = _csv(
            tmp_path,
            [(keys[0], "billing"), (keys[1], "complaint"), ("f" * 32, "billing"), (keys[2], "refund"),
             ("e" * 32, "complaint")],
        )  # fmt: skip
        with pytest.raises(
            InputError, match=r"1 row\(s\) have a label that is not in the label set \(rows 5\)"
        ):
            labels.label_from_csv(project, store, path)
        assert _label_of(store, ids[1]) == (None, None)  # refused: nothing changed

        summary = labels.label_from_csv(project, store, path, add_missing=True)
        assert summary.as_dict() == {
            "rows": 5, "changed": 2, "unchanged": 1, "unknown_keys": 2, "unknown_rows": [4, 6],
            "duplicate_rows": 0, "labels_added": ["refund"],
            "independent": 0, "agreed": 0, "disagreements": 0,
        }  # fmt: skip
        assert _label_of(store, ids[1]) == ("complaint", "bulk")
        assert _label_of(store, ids[2]) == ("refund", "bulk")
        assert labels.list_labels(store) == ["billing", "complaint", "refund"]
        (entry,) = _audit(store, "label")
        assert sorted(entry[0]) == sorted([keys[1], keys[2]])
        assert entry[1]["changed"] == 2 and entry[1]["unknown_keys"] == 2


def test_bulk_csv_errors_name_rows_and_columns_never_cells(project, tmp_path):
    secret = "Dear Mrs Example, card 4111 1111 1111 1111, please refund, thanks, regards"
    with project.store() as store:
        _messages(store, 1)
        key = keys_and_ids(store)[0][1]
        path = _csv(tmp_path, [(key, "billing"), (key, f'"{secret}"'), (key, "")])
        with pytest.raises(InputError) as info:
            labels.label_from_csv(project, store, path, add_missing=True)
        assert "rows 4" in str(info.value) and secret not in str(info.value)
        path = _csv(tmp_path, [(key, "billing"), (key, f'"{secret}"')])
        with pytest.raises(InputError) as info:
            labels.label_from_csv(project, store, path, add_missing=True)
        assert "rows 3" in str(info.value) and "Example" not in str(info.value)
        with pytest.raises(InputError, match="no column 'category'; its columns: msg_key, label"):
            labels.label_from_csv(project, store, path, label_column="category")
        assert labels.label_counts(store) == {}


@pytest.mark.real_keyring
def test_cli_labels_and_bulk_label(tmp_path):
    project = Project.create(tmp_path / "proj")  # in the file keyring the subprocesses use
    project_dir = project.path
    with project.store() as store:
        _messages(store, 4, lambda i: ("billing", "complaint", "billing", None)[i])
        keys = [key for _id, key in keys_and_ids(store)]
    listed, _out, _err = scrubdesk("labels", "list", project_dir)
    assert listed["labels"] == [] and listed["unregistered"] == {"billing": 2, "complaint": 1}
    seeded, _out, _err = scrubdesk("labels", "seed", project_dir)
    assert seeded["added"] == ["billing", "complaint"]
    added, _out, _err = scrubdesk("labels", "add", project_dir, "cancel", "refund")
    assert added["labels"] == ["billing", "complaint", "cancel", "refund"]
    renamed, _out, _err = scrubdesk("labels", "rename", project_dir, "billing", "payments")
    assert (renamed["messages"], renamed["labels"][0]) == (2, "payments")
    merged, _out, _err = scrubdesk("labels", "merge", project_dir, "complaint", "payments")
    assert merged["messages"] == 1 and merged["labels"] == ["payments", "cancel", "refund"]
    refused, _out, err = scrubdesk("labels", "merge", project_dir, "nope", "payments", check=False)
    assert refused["_exit"] == 2 and refused["ok"] is False and "not in the label set" in err

    csv_file = tmp_path / "labels.csv"
    csv_file.write_text(f"key,intent\n{keys[3]},cancel\n{'f' * 32},refund\n{keys[0]},complaints\n")
    args = ("label", project_dir, "--from", csv_file, "--key-column", "key", "--label-column", "intent")
    refused, _out, err = scrubdesk(*args, check=False)
    assert refused["_exit"] == 2 and "rows 4" in err and "--add-missing" in err
    done, _out, err = scrubdesk(*args, "--add-missing")
    assert (done["changed"], done["unknown_keys"], done["unknown_rows"]) == (2, 1, [3])
    assert done["labels_added"] == ["complaints"]
    assert "rows 3" in err
    listed, _out, _err = scrubdesk("labels", "list", project_dir)
    assert [(r["name"], r["messages"]) for r in listed["labels"]] == [
        ("payments", 2), ("cancel", 1), ("refund", 0), ("complaints", 1),
    ]  # fmt: skip
    with project.store() as store:
        assert AuditLog(store, project.keys.id_key).verify() == []


def test_selftest_label_step(project, tmp_path):
    from scrubdesk.core.selftest import SelftestContext, Step, run_steps, step_label

    ctx = SelftestContext(workdir=tmp_path, vault=None)  # type: ignore[arg-type]
    ctx.project = project
    with project.store() as store:
        ids = _messages(store, 5, lambda i: ("billing", None, "complaint", "billing", "complaint")[i])
        before = _labels(store)
    (result,) = run_steps([Step("label", step_label)], ctx)
    assert result.status == "pass", result.detail
    assert result.facts == {"labels": 2, "seeded": 2, "relabelled": 3, "audited": 6}
    with project.store() as store:
        assert _labels(store) == before  # all undone
        assert AuditLog(store, project.keys.id_key).verify() == []
        for mid in all_ids(store):
            if mid != ids[1]:
                overwrite_message(store, mid, label="billing")
        drop_from_label_set(store, "complaint")
    (result,) = run_steps([Step("label", step_label)], ctx)
    assert result.status == "fail" and "1 label(s)" in result.detail
