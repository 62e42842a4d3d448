"""The CLI end to end, in subprocesses, with the real encrypted file keyring."""

from __future__ import annotations

import email.message

import pytest

from tests.helpers import scrubdesk

pytestmark = pytest.mark.real_keyring


def _eml(n: int, text: str) -> bytes:
    msg = email.message.EmailMessage()
    msg["From"] = f"Person {n} <person{n}@example.org>"
    msg["To"] = "support@northwind.example"
    msg["Subject"] = f"Query {n}"
    msg["Message-ID"] = f"<msg{n}@example.org>"
    msg["Date"] = "Mon, 02 Nov 2026 10:00:00 +0000"
    msg.set_content(text)
    return bytes(msg)


def test_init_import_stats_audit(tmp_path):
    mail = tmp_path / "mail"
    (mail / "sub").mkdir(parents=True)
    (mail / "a.eml").write_bytes(_eml(1, "Please update my address to 1 Canary Row."))
    (mail / "sub" / "b.eml").write_bytes(_eml(2, "I want a refund."))
    (mail / "junk.eml").write_bytes(b"\x00\x01\x02 not an email \xff")
    proj = tmp_path / "proj"

    summary, stdout, _ = scrubdesk("init", proj, "--name", "CLI test")
    assert summary["ok"] is True and summary["project_id"]
    assert len(stdout.strip().splitlines()) == 1  # --json: notes go to stderr, stdout is the summary

    summary, _, _ = scrubdesk("import", proj, mail)
    assert summary["imported"] == 2
    assert summary["quarantined"] == 1
    assert summary["items"] == 3

    again, _, _ = scrubdesk("import", proj, mail)  # resumable: nothing new, nothing doubled
    assert again["imported"] == 0 and again["duplicates"] == 2

    stats, _, _ = scrubdesk("stats", proj)
    # created; the first import's one batch and its summary; the re-run's summary (it stored nothing)
    assert stats["messages"] == 2 and stats["quarantined"] == 1 and stats["audit_entries"] == 4

    audit, _, _ = scrubdesk("audit", "verify", proj)
    assert (audit["ok"], audit["entries"], audit["problems"], audit["_exit"]) == (True, 4, 0, 0)
    assert audit["anchor_seq"] == audit["last_seq"] == 4  # project_created, import.batch, import, import

    raw = b"".join(f.read_bytes() for f in proj.iterdir())
    assert b"Canary Row" not in raw and b"person1@example.org" not in raw


def test_csv_import_with_labels(tmp_path):
    csv = tmp_path / "t.csv"
    csv.write_text('text,category\n"I lost my card",card_lost\n"Refund please",refund\n', encoding="utf-8")
    proj = tmp_path / "p"
    scrubdesk("init", proj)
    summary, _, _ = scrubdesk("import", proj, csv, "--text-column", "text", "--label-column", "category")
    assert summary["imported"] == 2
    stats, _, _ = scrubdesk("stats", proj)
    assert stats["labels"] == {"card_lost": 1, "refund": 1}


def test_errors_are_clear_and_json_last_line(tmp_path):
    summary, _, stderr = scrubdesk("stats", tmp_path, check=False)
    assert summary["_exit"] == 2
    assert summary["ok"] is False and summary["error_type"] == "ProjectNotFoundError"
    assert "not a Scrubdesk project" in stderr

    proj = tmp_path / "p"
    scrubdesk("init", proj)
    summary, _, _ = scrubdesk("import", proj, tmp_path / "missing.mbox", check=False)
    assert summary["_exit"] == 2 and "source not found" in summary["error"]

    csv = tmp_path / "x.csv"
    csv.write_text("a,b\n1,2\n")
    summary, _, _ = scrubdesk("import", proj, csv, check=False)
    assert summary["_exit"] == 2 and "--text-column" in summary["error"]


def test_wrong_passphrase_is_refused_without_damage(tmp_path, monkeypatch):
    proj = tmp_path / "p"
    scrubdesk("init", proj)
    before = (proj / "store.sdb").read_bytes()
    monkeypatch.setenv("SCRUBDESK_PASSPHRASE", "wrong")
    summary, _, _ = scrubdesk("stats", proj, check=False)
    assert summary["_exit"] == 2 and summary["error_type"] == "WrongKeyError"
    assert (proj / "store.sdb").read_bytes() == before


def test_no_keyring_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("SCRUBDESK_KEYRING")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    summary, _, _ = scrubdesk("init", tmp_path / "p", check=False)
    assert summary["_exit"] == 2 and summary["error_type"] == "KeyringUnavailableError"
    assert not (tmp_path / "p").exists()


def test_every_command_takes_json(tmp_path):
    from scrubdesk.gui.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    missing = []
    for name, p in sub.choices.items():
        nested = [a for a in p._actions if getattr(a, "choices", None) and a.dest.endswith("command")]
        parsers = nested[0].choices.items() if nested else [(name, p)]
        missing += [n for n, q in parsers if "--json" not in q._option_string_actions]
    assert missing == []
