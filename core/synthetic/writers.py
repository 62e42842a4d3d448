"""Streaming writers for synthetic emails: mbox, a folder of .eml files, gold JSONL and CSV.

Each writer takes any iterable (typically the ``generate`` iterator), writes one message at a time and
returns how many it wrote; nothing is held in memory beyond the current message.
"""

from __future__ import annotations

import csv
import json
import os
import re
import time
from collections.abc import Iterable
from pathlib import Path

from .message import SyntheticEmail

__all__ = ["CSV_COLUMNS", "write_csv", "write_eml_dir", "write_gold_jsonl", "write_mbox"]

CSV_COLUMNS = ("id", "text", "category", "subject", "from")

_FROM_LINE = re.compile(rb"^(>*From )", re.MULTILINE)

StrPath = str | os.PathLike[str]


def mbox_from_line(email: SyntheticEmail) -> bytes:
    """The 'From sender asctime' separator line (UTC), without the line ending."""
    stamp = time.asctime(email.sent_at.utctimetuple())
    return f"From {email.from_addr} {stamp}".encode("ascii")


def mboxrd_escape(message: bytes) -> bytes:
    """mboxrd quoting: every line matching ``>*From `` gets one more leading '>'."""
    return _FROM_LINE.sub(rb">\1", message)


def write_mbox(path: StrPath, emails: Iterable[SyntheticEmail]) -> int:
    """Write an mboxrd mailbox: 'From ' separator, the RFC 822 message with lines that start with
    '>*From ' quoted by one more '>', then a blank line. Returns the number of messages."""
    count = 0
    with Path(path).open("wb") as fh:
        for email in emails:
            data = mboxrd_escape(email.to_bytes())
            if not data.endswith(b"\n"):
                data += b"\n"
            fh.write(mbox_from_line(email) + b"\n" + data + b"\n")
            count += 1
    return count


def write_eml_dir(directory: StrPath, emails: Iterable[SyntheticEmail]) -> int:
    """Write one ``NNNNNN.eml`` file per message into ``directory`` (created if missing)."""
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    count = 0
    for email in emails:
        (root / f"{count:06d}.eml").write_bytes(email.to_bytes())
        count += 1
    return count


def write_gold_jsonl(path: StrPath, emails: Iterable[SyntheticEmail]) -> int:
    """One JSON object per line: ``SyntheticEmail.gold_record()`` (UTF-8, not ASCII-escaped)."""
    count = 0
    with Path(path).open("w", encoding="utf-8", newline="\n") as fh:
        for email in emails:
            fh.write(json.dumps(email.gold_record(), ensure_ascii=False) + "\n")
            count += 1
    return count


def write_csv(path: StrPath, emails: Iterable[SyntheticEmail]) -> int:
    """CSV with header ``id,text,category,subject,from`` (category = intent, from = 'Name <addr>')."""
    count = 0
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for email in emails:
            writer.writerow((email.message_id, email.body, email.intent, email.subject, email.from_header))
            count += 1
    return count
