"""detect and eval-pii through the real `scrubdesk` command (subprocess)."""

from __future__ import annotations

import json

import pytest

from tests.helpers import scrubdesk

pytestmark = pytest.mark.slow


def test_detect_streams_jsonl(tmp_path):
    src = tmp_path / "in.jsonl"
    records = [
        {
            "id": "a",
            "text": "Hi, jane here. Call 07700 900123.",
            "headers": {"From": "Jane Roe <jr@example.com>"},
        },
        {"id": "b", "text": ""},
        {"id": "c", "text": "Postcode W9 3JP, NI AB123456C."},
        {
            "id": "d",
            "text": "Please update my details.",
            "headers": {"From": "Jane Roe <jr@example.com>", "Subject": "Jane Roe moved to LS6 2QT"},
        },
    ]
    src.write_text("\n".join(json.dumps(r) for r in records) + "\nnot json\n")
    dst = tmp_path / "out.jsonl"
    summary, stdout, _ = scrubdesk("detect", src, dst, "--operator", "coarsen", check=False)
    assert summary["records"] == 4 and summary["errors"] == 1 and summary["_exit"] == 1
    assert len(stdout.strip().splitlines()) == 1
    lines = [json.loads(line) for line in dst.read_text().splitlines()]
    assert [line.get("id") for line in lines] == ["a", "b", "c", "d", None]
    assert lines[0]["scrubbed"] == "Hi, <PERSON> here. Call <PHONE_NUMBER>."
    assert {s["label"] for s in lines[0]["spans"]} == {"PERSON", "PHONE_NUMBER"}
    assert set(lines[0]["spans"][0]) == {"start", "end", "label", "score", "recognizer"}
    assert lines[2]["scrubbed"] == "Postcode W9, NI <UK_NINO>."
    assert "scrubbed_subject" not in lines[0] and "scrubbed_subject" not in lines[2]
    # the Subject header is analysed and scrubbed too; its spans say so, body spans keep their schema
    assert lines[3]["scrubbed"] == "Please update my details."
    assert lines[3]["scrubbed_subject"] == "<PERSON> moved to LS6"
    subject_spans = [s for s in lines[3]["spans"] if s.get("field") == "subject"]
    assert {s["label"] for s in subject_spans} == {"PERSON", "UK_POSTCODE"}
    assert all(set(s) == {"start", "end", "label", "score", "recognizer", "field"} for s in subject_spans)
    assert all("field" not in s for line in lines[:3] for s in line["spans"])


def test_eval_pii_summary_shape(tmp_path):
    gold = tmp_path / "gold.jsonl"
    text = "Dear Ms Jane Smith, call 07700 900123."
    gold.write_text(
        json.dumps(
            {
                "text": text,
                "spans": [
                    {"start": 11, "end": 21, "label": "PERSON"},
                    {"start": 25, "end": 37, "label": "PHONE_NUMBER"},
                ],
            }
        )
        + "\n"
    )
    summary, _, stderr = scrubdesk("eval-pii", "--gold", gold)
    summary.pop("_exit")
    assert set(summary) == {"ours", "presidio_default"}
    for side in summary.values():
        assert set(side) == {"precision", "recall", "f2", "per_entity"}
        for scores in side["per_entity"].values():
            assert set(scores) == {"precision", "recall", "f2", "support"}
    assert summary["ours"]["recall"] == 1.0
    assert "leak rate" in stderr


def test_analyze_command(tmp_path):
    import email.message

    mail = tmp_path / "a.eml"
    msg = email.message.EmailMessage()
    msg["From"] = "Ada Quist <ada@example.org>"
    msg["To"] = "help@northwind.example"
    msg["Subject"] = "Moving"
    msg["Message-ID"] = "<m1@example.org>"
    msg.set_content("Hi,\n\nmy new address is 27 Mill Lane, Leeds LS6 2QT.\n\nThanks,\nAda")
    mail.write_bytes(bytes(msg))
    proj = tmp_path / "proj"
    scrubdesk("init", proj)
    scrubdesk("import", proj, mail)
    summary, _, _ = scrubdesk("analyze", proj)
    assert summary["analysed"] == 1 and summary["spans_by_label"]["UK_POSTCODE"] == 1
    summary, _, _ = scrubdesk("analyze", proj)
    assert summary["analysed"] == 0 and summary["skipped"] == 1
