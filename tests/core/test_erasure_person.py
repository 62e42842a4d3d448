"""Erasure finds the person, not a string: name variants, the identifiers in their own mail (but not a
switchboard number everybody quotes), encoded bodies; an unknown subject erases nothing; files that hold
erased messages' IDs are rewritten or reported, never certified clean."""

from __future__ import annotations

import base64
import dataclasses
import json

import pandas as pd

from scrubdesk.core.db import messages
from scrubdesk.core.erasure import erase_subject, find_subject, verify_erasure
from scrubdesk.core.export import run_export
from scrubdesk.core.importer import run_import
from scrubdesk.core.labels import Labeller, add_labels
from scrubdesk.core.span_edits import add_span
from scrubdesk.core.synthetic import generate, write_mbox
from tests.helpers import scrubdesk

NAME = "Quentin Varnabee"
ADDRESS = "q.varnabee@example.net"
PHONE = "07700 900461"
SWITCHBOARD = "0161 496 0000"


def _emails() -> list:
    emails = list(generate(30, seed=21))

    def plant(i: int, *, body: str, **changes) -> None:
        emails[i] = dataclasses.replace(
            emails[i], body=emails[i].body + body, message_id=f"<{i}@p>", **changes
        )

    signature = f"\nRegards,\n{NAME}\nMobile {PHONE} | Office {SWITCHBOARD}"
    plant(1, body=signature, from_addr=ADDRESS, from_name=NAME)  # their own message
    plant(4, body="\nI spoke to Mr Varnabee yesterday.")  # title + surname
    plant(7, body="\nForwarded on behalf of Q. Varnabee.")  # initial + surname
    plant(10, body="\nPlease call back on 07700-900-461 after five.")  # only their number, grouped otherwise
    plant(13, body=f"\nOur office is on {SWITCHBOARD}.")  # the company's number, quoted by others too
    plant(16, body=f"\nRing the office: {SWITCHBOARD}.")
    plant(19, body="\nThe Varnabee account is closed.")  # a bare surname: not the person
    encoded = base64.b64encode(f"Contact: {ADDRESS}\n".encode()).decode()
    plant(22, body=f"\n{encoded}")  # a body left as raw base64
    return emails


def _ids(project) -> dict[int, int]:
    with project.store() as store:
        by_key = messages.ids_by_key(store)
    return {i: by_key[project.ids.message_id(f"<{i}@p>")] for i in (1, 4, 7, 10, 13, 16, 19, 22)}


def _project(project, tmp_path):
    write_mbox(tmp_path / "m.mbox", _emails())
    run_import(project, [tmp_path / "m.mbox"])
    ids = _ids(project)
    with project.store() as store:  # the analyser's findings in their own message, as a reviewer left them
        body = messages.get_message(store, ids[1]).body
        for value, label in ((PHONE, "PHONE_NUMBER"), (SWITCHBOARD, "PHONE_NUMBER")):
            start = body.index(value)
            add_span(project, store, ids[1], "body", start=start, end=start + len(value), label=label)
    return ids


def test_the_preview_follows_variants_and_own_identifiers_but_not_a_shared_number(project, tmp_path):
    ids = _project(project, tmp_path)
    with project.store() as store:
        match = find_subject(project, store, ADDRESS)
    found = set(match.message_ids)
    assert {ids[1], ids[4], ids[7], ids[10], ids[22]} <= found
    assert not {ids[13], ids[16], ids[19]} & found  # switchboard quotes, a bare surname
    assert match.reasons["name_variant"] >= 2 and match.reasons["identifier"] >= 1
    assert match.identifiers == {"PHONE_NUMBER": 1} and match.identifiers_shared == 1
    shown = json.dumps(match.as_dict())
    assert "Varnabee" not in shown and "900" not in shown


def test_erasing_by_address_leaves_no_mention_and_verifies(project, tmp_path):
    ids = _project(project, tmp_path)
    result = erase_subject(project, ADDRESS)
    assert result.ok, result.verification.as_dict()
    with project.store() as store:
        left = set(messages.all_ids(store))
    assert not {ids[1], ids[4], ids[7], ids[10], ids[22]} & left
    assert {ids[13], ids[16], ids[19]} <= left
    assert verify_erasure(project, ADDRESS).ok
    assert verify_erasure(project, PHONE).ok  # the phone number is gone too
    assert not verify_erasure(project, SWITCHBOARD).ok  # the company's number was never theirs


def test_an_unknown_subject_erases_nothing_and_writes_no_certificate(project, tmp_path):
    _project(project, tmp_path)
    result = erase_subject(project, "nobody.here@example.org")
    assert result.nothing_found and not result.ok and result.path is None
    assert not (project.path / "certificates").exists()
    forced = erase_subject(project, "nobody.here@example.org", force=True)
    assert forced.path is not None and forced.path.is_file() and forced.match.n_messages == 0


def test_cli_says_nothing_matched_with_exit_1(tmp_path):
    proj = tmp_path / "p"
    scrubdesk("init", proj)
    write_mbox(tmp_path / "m.mbox", generate(5, seed=2))
    scrubdesk("import", proj, tmp_path / "m.mbox")
    summary, _out, err = scrubdesk(
        "erase", proj, "--subject", "nobody.here@example.org", "--yes", check=False
    )
    assert summary["_exit"] == 1 and summary["nothing_found"] is True
    assert "nothing was erased and no certificate" in err
    assert not (proj / "certificates").exists()


def test_an_export_that_changed_is_reported_as_a_remaining_trace(project, tmp_path):
    ids = _project(project, tmp_path)
    with project.store() as store:
        add_labels(project, store, ["refund"])
        labeller = Labeller(project, store)
        for mid in (ids[1], ids[13]):
            labeller.set_label(mid, "refund")
    out = tmp_path / "labels.csv"
    run_export(project, out)
    out.write_text(out.read_text() + "\n")  # someone edited the file after it was written
    result = erase_subject(project, ADDRESS)
    assert result.exports_rewritten == () and [r["id"] for r in result.exports_remaining] == [1]
    assert not result.ok and result.verification.erased_ids_in_files  # never certified clean
    frame = pd.read_csv(out)
    assert len(frame) == 2  # left as it was: the admin must deal with it
