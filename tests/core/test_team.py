"""Team annotation in core: assignments, independent labels and their resolution, the label-review queue,
bulk accept, progress, the held-out split and browsing. Other annotators are written through the core's
own functions (a test process has one OS account); the CLI flow with real accounts is tests/test_team_flow.py.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from scrubdesk.core import adjudication, assignments, audit_log, bulk_accept, label_review, splits
from scrubdesk.core.annotator_progress import annotator_progress
from scrubdesk.core.audit_log import current_os_user
from scrubdesk.core.browse import find_message, list_messages, show_message
from scrubdesk.core.clock import utc_now
from scrubdesk.core.db import annotations as annotation_rows
from scrubdesk.core.db import assignments as assignment_rows
from scrubdesk.core.db import label_reviews as review_rows
from scrubdesk.core.db import maintenance
from scrubdesk.core.db.erasures import delete_messages
from scrubdesk.core.db.labels import message_label, set_message_label
from scrubdesk.core.db.messages import keys_and_ids
from scrubdesk.core.db.reviews import approve_every_analysed
from scrubdesk.core.db.roles import revoke
from scrubdesk.core.db.spans import record_analysis
from scrubdesk.core.db.trained_models import Prediction, store_predictions
from scrubdesk.core.errors import InputError, PermissionDeniedError
from scrubdesk.core.identity import OsAccount
from scrubdesk.core.labels import Labeller, add_labels, label_from_csv
from scrubdesk.core.project import Project
from scrubdesk.core.review import set_raw_view_roles
from scrubdesk.core.roles import grant
from scrubdesk.core.scrubbing import held_out_messages, training_messages
from scrubdesk.core.store import Store
from tests.builders import add_message, add_model, add_span, audit_rows, mark_purged, table_rows

ME = current_os_user()
LABELS = ("billing", "refund", "complaint")


def _setup(project, n: int, *, people=("bob", "carol"), analysed: bool = False) -> tuple[Store, list[int]]:
    store = project.store()
    add_labels(project, store, list(LABELS))
    ids = []
    with store.transaction() as conn:
        for who in people:
            grant(conn, who, "annotator", granted_by="test", at=utc_now())
        for i in range(n):
            body = f"Message {i} about my bill, from Jane Okafor"
            mid = add_message(conn, f"{i:032x}", body, subject=f"Subject {i}", source_location="t")
            if analysed:
                record_analysis(conn, mid, f"fp{i}", "now")
                add_span(conn, mid, "body", body.index("Jane"), len(body), "PERSON", status="accepted")
            ids.append(mid)
        if analysed:
            approve_every_analysed(conn, reviewer=ME, role="admin", comment=None, at="now")
    return store, ids


def _label_as(store: Store, who: str, mid: int, label: str | None) -> str | None:
    """What another annotator's labelling does (the Labeller's writes, for an account the test is not)."""
    with store.transaction() as conn:
        adjudication.set_own(conn, mid, who, label, source="annotator", seconds=None, at=utc_now())
        if adjudication.is_independent(conn, mid):
            return adjudication.resolve(conn, mid, by=who, at=utc_now())
        set_message_label(conn, mid, label, "annotator")
    return None


def _decide_as(project, store, monkeypatch, decisions, who: str = "dora"):
    """A reviewer who labelled none of these messages decides them: nobody adjudicates their own label."""
    with store.transaction() as conn:
        grant(conn, who, "reviewer", granted_by="test", at=utc_now())
    with monkeypatch.context() as as_reviewer:
        as_reviewer.setattr(audit_log, "current_account", lambda: OsAccount(who, "4299"))
        return label_review.decide(project, store, decisions)


def _audit(store, action):
    return [(json.loads(r.objects), json.loads(r.details)) for r in audit_rows(store, action)]


# --- assignments --------------------------------------------------------------------------------------------


def test_share_split_with_overlap_gives_each_annotator_the_same_work(project):
    store, ids = _setup(project, 300)
    with store:
        summary = assignments.assign(project, store, ["bob", "carol"], overlap=0.2, seed=7)
        assert summary.as_dict() == {
            "assigned": 300, "overlap": 60, "single": 240, "per_annotator": {"bob": 180, "carol": 180},
            "candidates": 300, "left_unassigned": 0, "unknown_keys": 0,
        }  # fmt: skip
        assert len(assignment_rows.overlap_ids(store)) == 60
        assert len(assignments.my_queue(store, "bob")) == 180
        assert assignments.my_queue(store, ME) == []
        # the audit entry names every message by keyed ID, and no label
        [(objects, details)] = _audit(store, "assign")
        assert sorted(objects) == sorted(k for _, k in keys_and_ids(store))
        assert details["overlap"] == 60 and details["seed"] == 7
        # nothing is left to assign twice
        again = assignments.assign(project, store, ["bob"], overlap=0.0)
        assert again.assigned == 0 and again.candidates == 0


def test_the_seed_decides_the_order_and_shares_weigh(project, tmp_path):
    queues = []
    for seed, where in (
        (0, project),
        (0, Project.create(tmp_path / "again")),
        (1, Project.create(tmp_path / "b")),
    ):
        store, _ids = _setup(where, 40)
        with store:
            summary = assignments.assign(where, store, ["bob", "carol"], shares=[3, 1], limit=20, seed=seed)
            assert summary.per_annotator == {"bob": 15, "carol": 5} and summary.candidates == 40
            queues.append(assignments.my_queue(store, "bob"))
    assert queues[0] == queues[1] != queues[2]  # the same seed draws the same messages (the IDs match)


def test_split_by_count_with_overlap_and_refusals(project):
    store, _ids = _setup(project, 30)
    with store:
        with pytest.raises(InputError, match="asked for 40 messages"):
            assignments.assign(project, store, ["bob", "carol"], counts=[20], overlap=0.0)
        assert assignment_rows.assigned_ids(store) == set()  # refused: nothing assigned
        summary = assignments.assign(project, store, ["bob", "carol"], counts=[10, 6], overlap=0.2)
        assert (summary.single, summary.overlap) == (16, 4)  # 20 % of the 20 messages handed out
        assert summary.per_annotator == {"bob": 14, "carol": 10}
        with pytest.raises(InputError, match=r"hold.* no role"):
            assignments.assign(project, store, ["mallory"])
        with pytest.raises(InputError, match="at least two annotators"):
            assignments.assign(project, store, ["bob"], overlap=0.1)
        with store.transaction() as conn:
            grant(conn, ME, "reviewer", granted_by="test", at=utc_now())
        with pytest.raises(PermissionDeniedError, match="assigning messages needs one of the roles admin"):
            assignments.assign(project, store, ["bob"])


def test_assign_by_filter(project):
    store, ids = _setup(project, 10)
    with store:
        with store.transaction() as conn:
            add_span(conn, ids[0], "body", 0, 3, "UK_POSTCODE", status="suggested")
            add_span(conn, ids[1], "body", 0, 3, "UK_POSTCODE", status="rejected")
            mid = add_model(conn, labels=list(LABELS))
            store_predictions(conn, mid, [Prediction(ids[2], "refund", 0.9, 0.1)], "now")
        by_type = assignments.assign(
            project, store, ["bob"], where=assignments.AssignFilter(pii_type="UK_POSTCODE")
        )
        assert by_type.assigned == 1 and assignments.my_queue(store, "bob") == [ids[0]]
        by_guess = assignments.assign(
            project, store, ["carol"], where=assignments.AssignFilter(suggested="refund")
        )
        assert by_guess.assigned == 1 and assignments.my_queue(store, "carol") == [ids[2]]
        keys = (f"{5:032x}", f"{6:032x}", "f" * 32)
        by_key = assignments.assign(project, store, ["bob"], where=assignments.AssignFilter(msg_keys=keys))
        assert by_key.assigned == 2 and by_key.unknown_keys == 1


def test_reassign_stale_or_orphaned_work(project):
    store, ids = _setup(project, 12, people=("bob", "carol", "dave"))
    with store:
        assignments.assign(project, store, ["bob", "carol"], overlap=0.5)  # 6 overlap, 3 each alone
        overlap = sorted(assignment_rows.overlap_ids(store))
        _label_as(store, "bob", overlap[0], "billing")
        with pytest.raises(InputError, match="say whose work"):
            assignments.reassign(project, store, ["dave"])
        # nothing is older than a day yet
        assert assignments.reassign(project, store, ["dave"], older_than_days=1).as_dict()["moved"] == 0
        later = "2099-01-01T00:00:00+00:00"
        moved = assignments.reassign(
            project, store, ["dave"], from_annotators=["bob"], older_than_days=1, now=later
        )
        assert moved.moved == {"dave": 8} and moved.taken_from == {"bob": 8}  # bob's labelled one stays his
        assert len(assignments.my_queue(store, "dave")) == 8
        # carol leaves: her open work goes back to the pool
        with store.transaction() as conn:
            revoke(conn, "carol")
        released = assignments.reassign(project, store, [], without_role=True)
        assert released.released == 9 and assignments.my_queue(store, "carol") == []
        # the overlap message bob labelled keeps only bob: it takes his label
        assert message_label(store, overlap[0])[1:] == ("billing", "annotator")
        [(objects, details)] = _audit(store, "reassign")[-1:]
        assert details["released"] == 9 and len(objects) == 9


def test_reassign_never_gives_an_overlap_message_twice_to_one_person(project):
    store, _ids = _setup(project, 4)
    with store:
        assignments.assign(project, store, ["bob", "carol"], overlap=0.5)
        summary = assignments.reassign(project, store, ["carol"], from_annotators=["bob"])
        assert summary.kept == 2 and summary.moved == {"carol": 1}


# --- independent labels, agreement and the label-review queue -----------------------------------------------


def test_independent_labels_stay_hidden_until_they_agree_or_a_reviewer_decides(project, monkeypatch):
    store, ids = _setup(project, 4)
    with store:
        assignments.assign(project, store, [ME, "bob"], overlap=0.5, seed=1)
        a, b = sorted(assignment_rows.overlap_ids(store))
        labeller = Labeller(project, store)
        change = labeller.set_label(a, "billing")
        assert change.independent and change.outcome == adjudication.WAITING
        assert message_label(store, a)[1] is None  # bob must not see it
        assert annotation_rows.own_label(store, a, ME) == "billing"
        assert _label_as(store, "bob", a, "billing") == adjudication.AGREEMENT
        assert message_label(store, a)[1:] == ("billing", "agreed")
        # a disagreement goes to the queue, and the label stays empty
        labeller.set_label(b, "refund")
        assert _label_as(store, "bob", b, "complaint") == adjudication.DISAGREEMENT
        assert message_label(store, b)[1] is None
        [item] = label_review.label_review_queue(store)
        assert (item.reason, item.labels) == ("disagreement", {ME: "refund", "bob": "complaint"})
        # undoing my label makes it incomplete again: no longer a disagreement
        undone = labeller.undo(labeller.set_label(b, "complaint"))
        assert undone.outcome == adjudication.DISAGREEMENT
        assert [i.msg_key for i in label_review.label_review_queue(store)] == [item.msg_key]
        decision = label_review.Decision(item.msg_key, "billing", "both wrong")
        with pytest.raises(PermissionDeniedError, match=r"you labelled message .* yourself"):
            label_review.decide(project, store, [decision])  # I am one side of this disagreement
        assert message_label(store, b)[1] is None and label_review.label_review_queue(store) == [item]
        summary = _decide_as(project, store, monkeypatch, [decision])
        assert summary.as_dict() == {
            "decided": 1,
            "corrected": 1,
            "with_comment": 1,
            "by_reason": {"disagreement": 1},
        }
        assert message_label(store, b)[1:] == ("billing", "review")
        assert label_review.label_review_queue(store) == []
        # a reviewer's decision stands when an annotator changes their label later
        assert _label_as(store, "bob", b, "refund") == adjudication.DECIDED
        assert message_label(store, b)[1] == "billing"
        # the comment stays in the table, never in the audit log
        [(objects, details)] = _audit(store, "label_review.decide")
        assert objects == [item.msg_key] and details["with_comment"] and details["corrected"]
        assert "both wrong" not in json.dumps([r.details for r in audit_rows(store)])
        assert "billing" not in json.dumps([r.details for r in audit_rows(store)])  # keyed label IDs only


def test_bulk_csv_labels_are_independent_on_overlap_messages(project, tmp_path):
    store, ids = _setup(project, 6)
    with store:
        assignments.assign(project, store, [ME, "bob"], overlap=0.5, seed=3)
        overlap = sorted(assignment_rows.overlap_ids(store))
        keys = dict(keys_and_ids(store))
        for mid in overlap:
            _label_as(store, "bob", mid, "billing")
        path = tmp_path / "mine.csv"
        rows = ["msg_key,label"] + [
            f"{keys[m]},{'billing' if n else 'refund'}" for n, m in enumerate(overlap)
        ]
        path.write_text("\n".join(rows) + "\n")
        summary = label_from_csv(project, store, path)
        assert summary.as_dict()["independent"] == 3
        assert (summary.independent.agreed, summary.independent.disagreements) == (2, 1)
        assert review_rows.open_counts(store) == {"disagreement": 1}


def test_decide_refuses_what_it_cannot_do_and_changes_nothing(project):
    store, ids = _setup(project, 4)
    with store:
        assignments.assign(project, store, ["carol", "bob"], overlap=0.5, seed=1)
        a, b = sorted(assignment_rows.overlap_ids(store))
        _label_as(store, "carol", a, "refund")
        _label_as(store, "bob", a, "billing")
        key_a, key_b = (dict(keys_and_ids(store))[m] for m in (a, b))
        good = label_review.Decision(key_a, "refund")
        for bad, message in [
            (label_review.Decision(key_b, "refund"), "decision 2 of 2: message .* has no open label review"),
            (label_review.Decision(key_a, "ghost"), "decision 2 of 2: label 'ghost' is not in"),
            (label_review.Decision("0" * 31 + "x", "refund"), "has no open label review"),
        ]:
            with pytest.raises(InputError, match=message):
                label_review.decide(project, store, [good, bad])
        assert message_label(store, a)[1] is None  # all or nothing
        with store.transaction() as conn:
            grant(conn, "bob", "annotator", granted_by="test", at=utc_now())
            grant(conn, ME, "annotator", granted_by="test", at=utc_now())
        with pytest.raises(PermissionDeniedError):
            label_review.label_review_queue(store)
        with pytest.raises(PermissionDeniedError):
            label_review.decide(project, store, [good])


def test_a_reviewer_samples_labels_and_purge_removes_comments(project):
    store, ids = _setup(project, 20)
    with store:
        with store.transaction() as conn:
            for mid in ids[:10]:
                set_message_label(conn, mid, "billing", "annotator")
        assert label_review.sample_for_review(project, store, share=0.3, seed=2) == 3
        assert label_review.sample_for_review(project, store, count=100) == 7  # never twice the same
        items = label_review.label_review_queue(store)
        assert {i.reason for i in items} == {"sample"} and len(items) == 10
        decided = label_review.decide(
            project, store, [label_review.Decision(items[0].msg_key, "billing", "ok")]
        )
        assert decided.corrected == 0
        assert review_rows.count_comments(store) == 1
        with store.transaction() as conn:
            assert maintenance.purge_counts(conn)["label_review_comments"] == 1
            maintenance.purge_content(conn, utc_now())
        assert review_rows.count_comments(store) == 0


# --- which labels train, and the held-out split -------------------------------------------------------------


def test_training_uses_adjudicated_labels_per_setting_and_never_the_test_split(project, monkeypatch):
    store, ids = _setup(project, 40, analysed=True)
    with store:
        assignments.assign(project, store, [ME, "bob"], counts=[10, 10], overlap=0.5, seed=4)
        overlap = sorted(assignment_rows.overlap_ids(store))
        labeller = Labeller(project, store)
        for n, mid in enumerate(overlap):
            labeller.set_label(mid, "billing")
            _label_as(store, "bob", mid, "billing" if n % 4 else "refund")  # every 4th disagrees
        for mid in assignments.my_queue(store, ME):
            labeller.set_label(mid, "complaint")
        trained = {m.message_id for m in training_messages(project, store)}
        agreed = {m for n, m in enumerate(overlap) if n % 4}
        assert agreed < trained and not trained & (set(overlap) - agreed)  # disagreements never train
        adjudication.set_training_labels(project, store, "adjudicated")
        assert {m.message_id for m in training_messages(project, store)} == agreed
        [item, *_] = label_review.label_review_queue(store)
        _decide_as(project, store, monkeypatch, [label_review.Decision(item.msg_key, "refund")])
        assert len({m.message_id for m in training_messages(project, store)}) == len(agreed) + 1
        # the held-out split: those messages never train, and are scored instead
        summary = splits.draw_split(project, store, 0.25)
        assert summary.test + summary.train == 40 and summary.placed == 40
        held = splits.held_out_ids(store)
        assert 2 <= len(held) <= 20
        trained = {m.message_id for m in training_messages(project, store)}
        assert not trained & held
        scored = {m.message_id for m in held_out_messages(project, store)}
        assert scored <= held and scored | trained == (agreed | {find_message(store, item.msg_key)[0]})


def test_the_split_is_stable_and_places_new_messages(project):
    store, ids = _setup(project, 400)
    with store:
        first = splits.draw_split(project, store, 0.2)
        assert 50 <= first.test <= 110  # binomial(400, 0.2): 80 +- 3.8 sd
        held = splits.held_out_ids(store)
        with store.transaction() as conn:
            new = add_message(conn, "n" * 32, "new", source_location="t")
        assert splits.split_summary(store).undrawn == 1
        again = splits.draw_split(project, store)
        assert again.placed == 1 and splits.held_out_ids(store) - {new} == held
        with pytest.raises(InputError, match="needs --redraw"):
            splits.draw_split(project, store, 0.3)
        redrawn = splits.draw_split(project, store, 0.3, redraw=True)
        assert redrawn.placed == 401 and held <= splits.held_out_ids(store)  # keyed: 0.2 draws stay below 0.3
        [(_, details)] = _audit(store, "split.draw")[-1:]
        assert details["redraw"] and details["previous_share"] == 0.2


# --- bulk accept --------------------------------------------------------------------------------------------


def test_bulk_accept_takes_confident_suggestions_and_queues_a_spot_check(project):
    store, ids = _setup(project, 30)
    with store:
        with store.transaction() as conn:
            model = add_model(conn, labels=list(LABELS))
            stale = add_model(conn, labels=list(LABELS), stale=True)
            store_predictions(conn, model, [Prediction(m, "refund", 0.95, 0.1) for m in ids[:20]], "now")
            store_predictions(conn, model, [Prediction(m, "billing", 0.5, 0.9) for m in ids[20:25]], "now")
            store_predictions(conn, stale, [Prediction(m, "billing", 0.99, 0.0) for m in ids[25:]], "now")
        assignments.assign(project, store, ["bob"], where=assignments.AssignFilter(msg_keys=(f"{0:032x}",)))
        splits.draw_split(project, store, 0.2)
        held = splits.held_out_ids(store)
        summary = bulk_accept.accept_suggestions(project, store, 0.9, spot_check=0.25, seed=1)
        expected = [m for m in ids[1:20] if m not in held]
        assert summary.accepted == len(expected) and summary.per_label == {"refund": len(expected)}
        assert summary.skipped_assigned == (0 if ids[0] in held else 1)
        assert summary.skipped_held_out == len([m for m in ids[:20] if m in held])
        assert summary.spot_check == round(0.25 * len(expected))
        assert {message_label(store, m)[1:] for m in expected} == {("refund", "model")}
        assert message_label(store, ids[0])[1] is None and message_label(store, ids[25])[1] is None
        assert review_rows.open_counts(store) == {"spot_check": summary.spot_check}
        [(objects, details)] = _audit(store, "label.accept_suggestions")
        assert len(objects) == len(expected) and "per_label" not in details
        with store.transaction() as conn:
            grant(conn, ME, "annotator", granted_by="test", at=utc_now())
        with pytest.raises(PermissionDeniedError):
            bulk_accept.accept_suggestions(project, store, 0.5)


# --- progress -----------------------------------------------------------------------------------------------


def test_progress_counts_times_and_who_sees_whom(project):
    store, ids = _setup(project, 10)
    with store:
        assignments.assign(project, store, [ME, "bob"], counts=[3, 3], overlap=0.25, seed=5)
        clock = iter([0.0, 4.0, 10.0, 16.0, 30.0, 31.0])
        labeller = Labeller(project, store, clock=lambda: next(clock))
        queue = assignments.my_queue(store, ME)
        for mid, label in zip(queue[:3], ("billing", "refund", "billing"), strict=True):
            labeller.opened(mid)
            labeller.set_label(mid, label)  # 4 s, 6 s, 1 s
        by_name = {p.annotator: p for p in annotator_progress(store)}
        mine = by_name[ME].as_dict()
        assert (mine["labelled_today"], mine["labelled_total"], mine["done"]) == (3, 3, 3)
        assert mine["open"] == mine["assigned"] - 3 and mine["median_seconds_per_message"] == 4.0
        assert by_name["bob"].labelled_total == 0 and by_name["bob"].open == by_name["bob"].assigned
        assert annotator_progress(store, now="2099-01-01T00:00:00+00:00")[1].labelled_today == 0
        with store.transaction() as conn:
            grant(conn, ME, "annotator", granted_by="test", at=utc_now())
        assert [p.annotator for p in annotator_progress(store)] == [ME]


# --- browsing -----------------------------------------------------------------------------------------------


def test_list_shows_my_queue_first_and_never_text(project):
    store, ids = _setup(project, 8, analysed=True)
    with store:
        assignments.assign(project, store, [ME, "bob"], counts=[2, 2], overlap=0.5, seed=6)
        queue = assignments.my_queue(store, ME)
        page = list_messages(store)
        assert [find_message(store, r.msg_key)[0] for r in page.rows[: len(queue)]] == queue
        assert page.my_queue == len(queue) and page.total == 8
        row = page.rows[0].as_dict()
        assert set(row) == {
            "msg_key", "date", "label", "my_label", "suggestion", "confidence", "review", "pii_count",
            "in_my_queue", "label_review", "held_out",
        }  # fmt: skip
        assert "Jane" not in json.dumps([r.as_dict() for r in page.rows])
        assert row["pii_count"] == 1 and row["review"] == "approved"
        independent = sorted(assignment_rows.overlap_ids(store) & set(queue))[0]
        Labeller(project, store).set_label(independent, "refund")
        mine = list_messages(store, mine=True)
        assert mine.total == len(queue) - 1
        listed = {r.msg_key: r for r in list_messages(store, limit=0).rows}
        key = dict(keys_and_ids(store))[independent]
        assert (listed[key].label, listed[key].my_label) == (None, "refund")


def test_show_is_scrubbed_by_default_and_raw_only_for_allowed_roles(project):
    store, ids = _setup(project, 2, analysed=True)
    with store:
        key = dict(keys_and_ids(store))[ids[0]]
        shown = show_message(project, store, key)
        assert shown.body == "Message 0 about my bill, from <PERSON>" and not shown.raw
        assert "Jane" not in repr(shown) and audit_rows(store, "view_raw") == []
        raw = show_message(project, store, key, raw=True)
        assert "Jane Okafor" in raw.body and [
            json.loads(r.objects) for r in audit_rows(store, "view_raw")
        ] == [[key]]
        set_raw_view_roles(project, store, ["reviewer"])
        with pytest.raises(PermissionDeniedError, match="reading raw message text"):
            show_message(project, store, key, raw=True)
        assert len(audit_rows(store, "view_raw")) == 1
        with pytest.raises(InputError, match="more than one message key starts"):
            show_message(project, store, "0" * 10)
        with store.transaction() as conn:
            record_analysis(conn, add_message(conn, "beef" * 8, "Hello", source_location="t"), "fp", "now")
        assert show_message(project, store, "beefbeefb").body == "Hello"
        with pytest.raises(InputError, match="8\\+ characters"):
            show_message(project, store, "0000")
        with store.transaction() as conn:
            mark_purged(conn, [ids[1]])
        with pytest.raises(InputError, match="was purged"):
            show_message(project, store, dict(keys_and_ids(store))[ids[1]])


def test_an_erased_message_takes_its_team_rows_with_it(project):
    store, ids = _setup(project, 4)
    with store:
        assignments.assign(project, store, [ME, "bob"], overlap=0.5)
        overlap = sorted(assignment_rows.overlap_ids(store))
        Labeller(project, store).set_label(overlap[0], "refund")
        _label_as(store, "bob", overlap[0], "billing")
        splits.draw_split(project, store, 0.5)
        with store.transaction() as conn:
            counts = delete_messages(conn, [overlap[0]])
        assert counts["annotations"] == 2 and counts["label_reviews"] == 1 and counts["splits"] == 1
        for table in ("assignments", "annotations", "label_reviews", "splits"):
            assert all(row[0] != overlap[0] for row in table_rows(store, table, ["message_id"]))
        assert Counter(a.annotator for a in assignment_rows.open_assignments(store)) == {ME: 2, "bob": 2}
