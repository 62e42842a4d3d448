"""A message in a language the analyser does not read is counted, flagged and left for a reviewer: the
analysis summary counts it, the store remembers it, approve-all skips it."""

from __future__ import annotations

import base64

import pandas as pd

from scrubdesk.core.db import messages
from scrubdesk.core.db import spans as span_rows
from scrubdesk.core.importer import run_import
from scrubdesk.core.ingest.records import ImportOptions
from scrubdesk.core.review import approve_all, review_state
from scrubdesk.models.pii.analysis_job import run_analysis

GERMAN = (
    "Sehr geehrte Damen und Herren, ich möchte meine Adresse ändern. Bitte schicken Sie die Rechnung "
    "ab sofort an meine neue Wohnung in der Hauptstraße. Vielen Dank für Ihre Hilfe und freundliche Grüße."
)
ENGLISH = (
    "Dear team, I would like to change the address on my account. Please send the next statement to my "
    "new flat instead. Many thanks for your help with this, kind regards."
)


def test_a_foreign_message_is_flagged_counted_and_left_out_of_approve_all(project, tmp_path, analyzer):
    csv = tmp_path / "mail.csv"
    pd.DataFrame({"text": [ENGLISH, GERMAN]}).to_csv(csv, index=False)
    run_import(project, [csv], ImportOptions(text_column="text"))
    with project.store() as store:
        ids = messages.all_ids(store)
    summary = run_analysis(project, analyzer)
    assert summary.analysed == 2 and summary.language_unsupported == 1
    with project.store() as store:
        assert span_rows.language_unsupported_ids(store) == {ids[1]}
    approved = approve_all(project)
    assert approved.approved == 1 and approved.needs_review_by_hand == 1
    with project.store() as store:
        assert review_state(store, ids[1]) is None and review_state(store, ids[0]).approved
        assert by_hand(store) == {ids[1]} and messages.count_by_hand(store) == 1  # the list's filter


def test_a_body_the_import_could_not_decode_is_left_out_of_approve_all(project, tmp_path, analyzer):
    """The import's 'undecoded_body' flag (encoded data it could not turn into text) keeps a message out of
    approve-all until a reviewer has looked at it; approving it one by one still works."""
    from scrubdesk.core.review import approve
    from scrubdesk.core.synthetic import generate, write_mbox

    emails = list(generate(3, seed=4))
    mbox = tmp_path / "m.mbox"
    write_mbox(mbox, emails)
    raw = mbox.read_bytes()
    blob = bytes(range(256)) * 40  # binary data, not text, inside a body that claims to be text
    encoded = base64.b64encode(blob)
    lines = b"\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))
    first = raw.index(b"\n\n") + 2  # the first message's body starts after its header block
    mbox.write_bytes(raw[:first] + lines + b"\n" + raw[first:])
    run_import(project, [mbox])
    with project.store() as store:
        flagged = [
            m for m in messages.all_ids(store) if "undecoded_body" in messages.get_message(store, m).flags
        ]
    assert len(flagged) == 1
    run_analysis(project, analyzer)
    summary = approve_all(project)
    assert summary.approved == 2 and summary.needs_review_by_hand == 1
    with project.store() as store:
        assert review_state(store, flagged[0]) is None
        assert by_hand(store) == {flagged[0]}
        # one-by-one approval decides the suggestions still open (issue 17: Accept N & Approve)
        assert approve(project, store, flagged[0], accept_remaining=True).approved
        assert by_hand(store) == set() and messages.count_by_hand(store) == 0  # a person has looked


def by_hand(store) -> set[int]:
    """The 'Review by hand' filter, both ways the list asks it (an ID set, and a WHERE clause)."""
    where = messages.MessageFilter(state="by_hand")
    by_date = set(messages.message_ids(store, "sent_at", where=where))  # the WHERE clause
    assert set(messages.message_ids(store, where=where)) == by_date  # the ID set, read off indexes
    return by_date
