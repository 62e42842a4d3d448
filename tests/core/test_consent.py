"""Consent lists: keyed IDs only, invalid lines by number, flagged messages, admin role, CLI."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from scrubdesk.core.audit_log import audit_entries
from scrubdesk.core.consent import clear_consent, consent_status, consenting_message_ids, import_consent
from scrubdesk.core.errors import InputError, PermissionDeniedError
from scrubdesk.core.importer import run_import
from scrubdesk.core.ingest.records import ImportOptions
from scrubdesk.core.jobs import JobControl
from scrubdesk.core.roles import grant
from tests.builders import table_rows
from tests.helpers import scrubdesk

SENDERS = ["ada.lovelace@example.org", "Grace.Hopper@Example.org", "alan.turing@example.org"]


def _eml(n: int, sender: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "support@bank.example"
    msg["Subject"] = f"Question {n}"
    msg["Message-ID"] = f"<consent-{n}@example.org>"
    msg.set_content(f"Hello, this is message number {n}.")
    return bytes(msg)


@pytest.fixture
def mail(tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir()
    for n, sender in enumerate([*SENDERS, SENDERS[0]]):  # Ada sent two
        (folder / f"{n}.eml").write_bytes(_eml(n, sender))
    return folder


@pytest.fixture
def imported(project, mail):
    run_import(project, [mail], ImportOptions(), JobControl())
    return project


def test_import_stores_keyed_ids_only_and_flags_messages(imported, tmp_path):
    consent = tmp_path / "consent.txt"
    consent.write_text(
        "# newsletter consent, exported 2026-10\n"
        "ADA.LOVELACE@example.org\n"  # case differs from the sender
        "\n"
        "Grace Hopper <grace.hopper@example.org>\n"
        "secret-not-an-address\n"
        "ada.lovelace@example.org\n"  # duplicate
        "someone.else@example.net\n"
        "a,b@example.org\n",
        encoding="utf-8",
    )
    summary = import_consent(imported, consent, list_name="newsletter 2026")
    assert (summary.lines, summary.valid, summary.added, summary.already) == (8, 4, 3, 0)
    assert summary.invalid == 2 and summary.invalid_lines == (5, 8)
    assert summary.consenting_subjects == 3 and summary.consenting_messages == 3
    assert "secret-not-an-address" not in repr(summary.as_dict())

    with imported.store() as store:
        keys = {key for (key,) in table_rows(store, "consent", ["subject_key"])}
        assert imported.ids.subject_id("ada.lovelace@example.org") in keys
        assert imported.ids.subject_id("grace.hopper@example.org") in keys
        assert len(consenting_message_ids(store)) == 3  # Ada's two and Grace's one, not Alan's
        status = consent_status(store)
        (entry,) = audit_entries(store, action="consent_import")
    assert status.subjects == 3 and status.senders_with_consent == 2
    assert status.messages == 3 and status.messages_total == 4
    assert status.lists == {"newsletter 2026": 3}
    assert entry.details == {"added": 3, "distinct": 3, "invalid": 2, "valid": 4}
    assert "newsletter" not in repr(entry) and "@" not in repr(entry)

    again = import_consent(imported, consent, list_name="newsletter 2026")
    assert (again.added, again.already) == (0, 3)


def test_addresses_never_reach_the_store_tables(imported, tmp_path):
    consent = tmp_path / "c.txt"
    consent.write_text("unique.canary.consent@example.com\n", encoding="utf-8")
    import_consent(imported, consent)
    with imported.store() as store:
        dump = "\n".join(map(repr, table_rows(store, "consent")))
        audit = "\n".join(map(repr, table_rows(store, "audit_log")))
    assert "canary" not in dump and "canary" not in audit


def test_csv_with_a_named_or_recognised_column(imported, tmp_path):
    named = tmp_path / "named.csv"
    named.write_text(
        'name,Contact Address,opted_in\n"Ada, Countess",ada.lovelace@example.org,yes\n'
        "Alan,not-an-address,yes\n,,\nGrace,grace.hopper@example.org,yes\n",
        encoding="utf-8",
    )
    summary = import_consent(imported, named, column="contact address")  # case-insensitive
    assert (summary.valid, summary.invalid, summary.invalid_lines) == (2, 1, (3,))
    assert summary.list_name == "named.csv"

    recognised = tmp_path / "recognised.csv"
    recognised.write_text("Email\nalan.turing@example.org\n", encoding="utf-8")
    assert import_consent(imported, recognised).added == 1


def test_csv_errors_never_echo_cells(imported, tmp_path):
    headerless = tmp_path / "headerless.csv"
    headerless.write_text("jane.private@example.org,yes\n", encoding="utf-8")
    with pytest.raises(InputError, match="--column") as no_column:
        import_consent(imported, headerless)
    with pytest.raises(InputError, match="not found in the first row") as wrong_column:
        import_consent(imported, headerless, column="email")
    for caught in (no_column, wrong_column):
        assert "jane" not in str(caught.value)
    with pytest.raises(InputError, match="not found"):
        import_consent(imported, tmp_path / "missing.txt")


def test_import_and_clear_need_the_admin_role(imported, tmp_path):
    from scrubdesk.core.audit_log import current_os_user

    consent = tmp_path / "c.txt"
    consent.write_text("ada.lovelace@example.org\n", encoding="utf-8")
    import_consent(imported, consent)
    with imported.store() as store, store.transaction() as conn:
        grant(conn, current_os_user(), "reviewer", granted_by="test", at="now")
    with pytest.raises(PermissionDeniedError, match="admin"):
        import_consent(imported, consent)
    with pytest.raises(PermissionDeniedError):
        clear_consent(imported)
    with imported.store() as store:
        assert consent_status(store).subjects == 1


def test_clear_removes_all_or_one_list(imported, tmp_path):
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("ada.lovelace@example.org\n", encoding="utf-8")
    second.write_text("alan.turing@example.org\ngrace.hopper@example.org\n", encoding="utf-8")
    import_consent(imported, first)
    import_consent(imported, second)
    assert clear_consent(imported, list_name="b.txt") == 2
    with imported.store() as store:
        assert consent_status(store).lists == {"a.txt": 1}
    assert clear_consent(imported) == 1
    with imported.store() as store:
        assert consent_status(store).subjects == 0 and not consenting_message_ids(store)
        assert [e.details for e in audit_entries(store, action="consent_clear")] == [
            {"all_lists": True, "removed": 1},
            {"all_lists": False, "removed": 2},
        ]


def test_cli_consent_import_status_clear(tmp_path, mail):
    proj = tmp_path / "proj"
    scrubdesk("init", proj)
    scrubdesk("import", proj, mail)
    consent = tmp_path / "consent.csv"
    consent.write_text("who,mail\nx,ada.lovelace@example.org\ny,bad-value\n", encoding="utf-8")
    summary, _, stderr = scrubdesk(
        "consent", "import", proj, consent, "--column", "mail", "--list-name", "q4"
    )
    assert summary["added"] == 1 and summary["invalid_lines"] == [3] and summary["consenting_messages"] == 2
    assert "bad-value" not in stderr and "line 3" in stderr
    status, _, _ = scrubdesk("consent", "status", proj)
    assert status["subjects"] == 1 and status["messages"] == 2 and status["lists"] == {"q4": 1}
    cleared, _, _ = scrubdesk("consent", "clear", proj)
    assert cleared == {"ok": True, "removed": 1, "_exit": 0}
