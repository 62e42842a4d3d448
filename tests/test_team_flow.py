"""The whole team flow through the real CLI with three OS accounts: the test's own (the admin, who also
reviews) and two annotators, each a separate user ID run through a user namespace (``unshare
--map-user``, as tests/core/test_identity.py does).

300 messages go to two annotators with 20 % overlap; both label from their own queue (`messages list
--mine`, then `label --from`); agreement is reported; the disagreements are decided in the label-review
queue; training on adjudicated labels uses exactly the agreed and decided messages, outside the
held-out split, and scores the model on the held-out ones.
"""

from __future__ import annotations

import csv
import json
import os
import pwd
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from scrubdesk.core.db import messages as message_rows
from scrubdesk.core.db.trained_models import latest_model, member_ids
from scrubdesk.core.project import Project
from scrubdesk.core.synthetic import generate, write_mbox
from tests.builders import audit_rows
from tests.helpers import scrubdesk
from tests.team_labels import COARSE, FLIP

ANNOTATOR_UIDS = (4243, 4244)


def _can_map_users() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = ["unshare", f"--map-user={ANNOTATOR_UIDS[0]}", f"--map-group={ANNOTATOR_UIDS[0]}", "true"]
    return subprocess.run(probe, capture_output=True).returncode == 0


pytestmark = [
    pytest.mark.slow,
    pytest.mark.real_keyring,
    pytest.mark.skipif(
        not _can_map_users(), reason="needs unshare --map-user (user namespaces) to play 3 accounts"
    ),
]


def _account(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid-{uid}"


def _as(uid: int, *args: str | Path, check: bool = True) -> dict[str, Any]:
    """`scrubdesk ARGS --json` as another OS account (mapped to ours, so the project files stay ours)."""
    cmd = ["unshare", f"--map-user={uid}", f"--map-group={uid}", sys.executable, "-m", "scrubdesk.gui"]
    result = subprocess.run(
        [*cmd, *map(str, args), "--json"], capture_output=True, text=True, env=dict(os.environ), timeout=300
    )
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    summary["_exit"] = result.returncode
    return summary


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_team_flow_through_the_cli(tmp_path):
    proj = tmp_path / "team"
    emails = list(generate(300, seed=19))
    truth_by_body = {e.body.strip(): COARSE[e.intent] for e in emails}
    write_mbox(tmp_path / "in.mbox", emails)
    alice, bob = ANNOTATOR_UIDS
    names = {uid: _account(uid) for uid in ANNOTATOR_UIDS}

    scrubdesk("init", proj)
    assert scrubdesk("import", proj, tmp_path / "in.mbox")[0]["imported"] == 300
    scrubdesk("labels", "add", proj, "billing", "account", "other")
    for uid in ANNOTATOR_UIDS:
        scrubdesk("roles", "grant", proj, names[uid], "annotator")
    scrubdesk("analyze", proj)
    scrubdesk("review", "approve-all", proj)
    split = scrubdesk("split", proj, "--test-share", "0.1")[0]
    assert split["test"] + split["train"] == 300 and split["test"] > 0

    # The admin splits the work: 20 % overlap labelled by both, the rest half each.
    assigned = scrubdesk("assign", proj, names[alice], names[bob], "--overlap", "0.2")[0]
    assert (assigned["assigned"], assigned["overlap"], assigned["single"]) == (300, 60, 240)
    assert assigned["per_annotator"] == {names[alice]: 180, names[bob]: 180}
    denied = _as(alice, "assign", proj, names[alice], check=False)
    assert denied["_exit"] == 2 and denied["error_type"] == "PermissionDeniedError"

    # What the truth is, read the way only the test may (the annotators see scrubbed text in the desk).
    project = Project.open(proj)
    with project.store() as store:
        key_of = dict(message_rows.keys_and_ids(store))  # row ID -> msg_key
        truth = {
            t.msg_key: truth_by_body[t.body.strip()] for t in message_rows.texts(store, sorted(key_of))
        }  # every body maps back to its email
    assert len(truth) == 300

    # Each annotator labels their own queue; bob disagrees on every 4th message he shares with alice.
    queues: dict[int, list[dict[str, Any]]] = {}
    for uid in ANNOTATOR_UIDS:
        listed = _as(uid, "messages", "list", proj, "--mine", "--limit", "0")
        assert listed["my_queue"] == listed["shown"] == 180
        queues[uid] = listed["messages"]
    shared = sorted({r["msg_key"] for r in queues[alice]} & {r["msg_key"] for r in queues[bob]})
    assert len(shared) == 60
    flipped = set(shared[::4])
    rows = [{"msg_key": r["msg_key"], "label": truth[r["msg_key"]]} for r in queues[alice]]
    done = _as(alice, "label", proj, "--from", _write_csv(tmp_path / "alice.csv", rows))
    assert (done["changed"], done["independent"], done["agreed"]) == (180, 60, 0)

    # bob cannot see alice's labels of the messages they share, nor the review queue
    listed = _as(bob, "messages", "list", proj, "--mine", "--limit", "0")
    assert {r["msg_key"] for r in listed["messages"]} == {r["msg_key"] for r in queues[bob]}
    assert all(
        r["label"] is None and r["my_label"] is None for r in listed["messages"] if r["msg_key"] in shared
    )
    assert _as(bob, "label-review", "list", proj, check=False)["error_type"] == "PermissionDeniedError"
    assert _as(bob, "agreement", proj, check=False)["error_type"] == "PermissionDeniedError"

    def bobs(key: str) -> str:
        return FLIP[truth[key]] if key in flipped else truth[key]

    rows = [{"msg_key": r["msg_key"], "label": bobs(r["msg_key"])} for r in queues[bob]]
    done = _as(bob, "label", proj, "--from", _write_csv(tmp_path / "bob.csv", rows))
    assert (done["independent"], done["agreed"], done["disagreements"]) == (60, 45, 15)

    # Agreement on the overlap: Cohen's kappa, computed here by hand from the labels both gave.
    report = scrubdesk("agreement", proj)[0]
    pairs = [(truth[k], bobs(k)) for k in shared]
    observed = sum(a == b for a, b in pairs) / len(pairs)
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    chance = sum(first[label] * second[label] for label in first) / len(pairs) ** 2
    assert (report["measure"], report["messages"], report["disagree"]) == ("cohen_kappa", 60, 15)
    assert report["value"] == pytest.approx((observed - chance) / (1 - chance), abs=1e-4)
    assert set(report["per_label"]) == {"billing", "account", "other"}

    progress = {p["annotator"]: p for p in scrubdesk("progress", proj)[0]["annotators"]}
    assert {n: (p["labelled_total"], p["open"]) for n, p in progress.items()} == {
        names[alice]: (180, 0),
        names[bob]: (180, 0),
    }
    own = _as(alice, "progress", proj)["annotators"]
    assert [p["annotator"] for p in own] == [names[alice]]

    # The reviewer (the admin) decides every disagreement, with a comment, in the label-review queue.
    queue = scrubdesk("label-review", "list", proj)[0]
    assert {i["msg_key"] for i in queue["items"]} == flipped and queue["by_reason"] == {"disagreement": 15}
    assert all(sorted(i["labels"]) == sorted(names.values()) for i in queue["items"])
    comment = "the customer asks about a charge"
    decisions = [{"msg_key": k, "label": truth[k], "comment": comment} for k in sorted(flipped)]
    decided = scrubdesk("label-review", "decide", proj, "--from", _write_csv(tmp_path / "d.csv", decisions))[
        0
    ]
    assert (decided["decided"], decided["open"]) == (15, 0)

    # Training on adjudicated labels uses exactly the overlap messages outside the held-out split.
    everything = scrubdesk("messages", "list", proj, "--limit", "0")[0]["messages"]
    held_out = {r["msg_key"] for r in everything if r["held_out"]}
    assert {r["msg_key"]: r["label"] for r in everything if r["msg_key"] in shared} == {
        k: truth[k] for k in shared
    }
    scrubdesk("training-labels", proj, "adjudicated")
    # 50-odd messages: a membership-inference attack tells them apart, so the small test set accepts the risk
    trained = scrubdesk("train", proj, "--folds", "3", "--accept-membership-risk")[0]
    expected = set(shared) - held_out
    assert trained["saved"] and trained["n_train"] == len(expected)
    assert trained["held_out"]["n"] == len(set(shared) & held_out)
    assert (trained["held_out"]["accuracy"] is None) == (trained["held_out"]["n"] == 0)  # scored beside CV
    with project.store() as store:
        model = latest_model(store)
        assert model is not None
        members = {key_of[mid] for mid in member_ids(store, model.id)}
        entries = audit_rows(store)
    assert members == expected

    # The audit log has keyed IDs and counts: no label names, no comment.
    logged = json.dumps([(e.objects, e.details) for e in entries])
    assert comment not in logged
    assert not any(f'"{label}"' in logged for label in ("billing", "account", "other"))
    assert scrubdesk("audit", "verify", proj)[0]["ok"]
