"""Messages left for review by hand (another language, an undecodable body) are found from two partial
indexes: the message list counts them on every refresh, and a pass over a million bodies takes seconds."""

from __future__ import annotations

from scrubdesk.core.db import messages
from scrubdesk.core.db.rows import query_plan
from scrubdesk.core.db.spans import record_analysis
from scrubdesk.core.review import approve
from tests.builders import add_message, overwrite_message


def test_by_hand_reads_indexes_not_the_message_table(project):
    with project.store() as store:
        plan = query_plan(store.conn, messages.BY_HAND_SQL)
    scans = [step for step in plan if step.startswith("SCAN")]
    assert scans and all("USING" in step and "INDEX" in step for step in scans), plan
    assert any("ix_messages_undecoded" in step for step in scans)
    assert any("ix_analysis_unsupported" in step for step in scans)


def test_by_hand_finds_foreign_and_undecoded_messages_until_approved(project):
    with project.store() as store:
        with store.transaction() as conn:
            plain, foreign, undecoded, unanalysed = (add_message(conn, f"k{i}", "text") for i in range(4))
            record_analysis(conn, plain, "fp0", "now")
            record_analysis(conn, foreign, "fp1", "now", language="de", language_supported=False)
            record_analysis(conn, undecoded, "fp2", "now")
            overwrite_message(conn, undecoded, flags='["boundary_guessed", "undecoded_body"]')
            overwrite_message(conn, unanalysed, flags='["undecoded_body"]')  # not analysed: not yet
        assert set(messages.by_hand_among(store, [plain, foreign, undecoded, unanalysed])) == {
            foreign,
            undecoded,
        }
        assert messages.count_by_hand(store) == 2
        assert approve(project, store, foreign, accept_remaining=True).approved
        assert messages.count_by_hand(store) == 1
