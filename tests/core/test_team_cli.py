"""The team commands in-process (one account; tests/test_team_flow.py runs them as three): each prints a
one-line JSON summary last, and bad input gets a clear error and exit code 2 with nothing changed."""

from __future__ import annotations

import json

import pytest

from scrubdesk.core.clock import utc_now
from scrubdesk.core.db import assignments as assignment_rows
from scrubdesk.core.db.messages import keys_and_ids
from scrubdesk.core.db.reviews import approve_every_analysed
from scrubdesk.core.db.spans import record_analysis
from scrubdesk.core.db.trained_models import Prediction, store_predictions
from scrubdesk.core.labels import add_labels
from scrubdesk.core.roles import grant
from scrubdesk.gui.cli import main
from tests.builders import add_message, add_model, add_span


@pytest.fixture
def team(project):
    with project.store() as store:
        add_labels(project, store, ["billing", "refund"])
        with store.transaction() as conn:
            grant(conn, "bob", "annotator", granted_by="test", at=utc_now())
            for i in range(20):
                body = f"Bill {i} for Jane Okafor"
                mid = add_message(conn, f"{i:032x}", body, subject="Bill", source_location="t")
                record_analysis(conn, mid, f"fp{i}", "now")
                add_span(conn, mid, "body", body.index("Jane"), len(body), "PERSON", status="accepted")
            approve_every_analysed(conn, reviewer="test", role="admin", comment=None, at="now")
    return project


def _run(capsys, *args) -> tuple[int, dict]:
    code = main([*map(str, args), "--json"])
    out, _err = capsys.readouterr()
    return code, json.loads(out.strip().splitlines()[-1])


def test_browse_assign_and_split_commands(team, capsys):
    code, listed = _run(capsys, "messages", "list", team.path, "--limit", "5")
    assert code == 0 and (listed["total"], listed["shown"]) == (20, 5)
    assert "Jane" not in json.dumps(listed)
    key = listed["messages"][0]["msg_key"]
    code, shown = _run(capsys, "messages", "show", team.path, key)
    assert code == 0 and shown["body"] == "Bill 0 for <PERSON>" and shown["raw"] is False

    code, error = _run(capsys, "assign", team.path, "bob", "ghost")
    assert code == 2 and "'ghost' hold(s) no role" in error["error"]
    code, error = _run(capsys, "assign", team.path, "bob", "--count", "50")
    assert code == 2 and "only 20 unlabelled, unassigned messages" in error["error"]
    with team.store() as store:
        assert assignment_rows.assigned_ids(store) == set()
    code, done = _run(capsys, "assign", team.path, "bob", "--count", "8")
    assert code == 0 and done["per_annotator"] == {"bob": 8}
    code, moved = _run(capsys, "reassign", team.path, "--from", "bob")
    assert code == 0 and (moved["moved"], moved["released"]) == (0, 8)

    code, split = _run(capsys, "split", team.path)
    assert code == 0 and split["test_share"] is None and split["undrawn"] == 20
    code, split = _run(capsys, "split", team.path, "--test-share", "0.3")
    assert code == 0 and split["test"] + split["train"] == 20 and split["placed"] == 20
    code, error = _run(capsys, "split", team.path, "--test-share", "0.9")
    assert code == 2 and "at most 0.5" in error["error"]
    code, mode = _run(capsys, "training-labels", team.path, "adjudicated")
    assert code == 0 and mode["training_labels"] == "adjudicated"
    code, progress = _run(capsys, "progress", team.path)
    assert code == 0 and progress["annotators"] == []


def test_review_commands(team, capsys, tmp_path):
    with team.store() as store:
        ids = [mid for mid, _key in keys_and_ids(store)]
        with store.transaction() as conn:
            model = add_model(conn, labels=["billing", "refund"])
            store_predictions(conn, model, [Prediction(m, "billing", 0.97, 0.05) for m in ids], "now")
    code, accepted = _run(
        capsys, "accept-suggestions", team.path, "--min-confidence", "0.9", "--spot-check", "0.1"
    )
    assert code == 0 and (accepted["accepted"], accepted["spot_check"]) == (20, 2)
    code, queue = _run(capsys, "label-review", "list", team.path)
    assert code == 0 and queue["by_reason"] == {"spot_check": 2}
    code, sampled = _run(capsys, "label-review", "sample", team.path, "--count", "3")
    assert code == 0 and sampled["queued"] == 3
    code, error = _run(capsys, "label-review", "decide", team.path)
    assert code == 2 and "give a message KEY and its LABEL" in error["error"]
    first = queue["items"][0]["msg_key"]
    code, decided = _run(
        capsys, "label-review", "decide", team.path, first, "refund", "--comment", "not a bill"
    )
    assert code == 0 and (decided["decided"], decided["corrected"], decided["open"]) == (1, 1, 4)
    bad = tmp_path / "d.csv"
    bad.write_text("key,decision\nx,y\n")
    code, error = _run(capsys, "label-review", "decide", team.path, "--from", bad)
    assert code == 2 and "has no column 'msg_key'" in error["error"]
