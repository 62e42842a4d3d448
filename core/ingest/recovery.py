"""Malformed MIME, decoded best effort so that the analyser sees the text.

Mailers and broken gateways produce mail whose structure lies: a multipart whose declared boundary never
appears (the parts use another one), a body in base64 or quoted-printable with no
Content-Transfer-Encoding saying so, base64 blocks left inside a text body. Read literally, the analyser
sees part headers ("Content-Type" tagged PERSON) and encoded blobs that hide the addresses and names it
must find. Each repair is flagged on the message:

- ``boundary_guessed``: the parts were split on a delimiter line found in the body;
- ``transfer_encoding_guessed``: base64 or quoted-printable decoded without a header saying so;
- ``undecoded_body``: encoded data that is not text (or not decodable) is still in the body. Such a
  message needs a reviewer's look: keep it out of training and out of approve-all until one has.

The rules are strict on purpose, so ordinary text is never "decoded": base64 means whole lines of the
base64 alphabet, at least ``MIN_B64_LINES`` of them, of one width (the last may be shorter); decoded bytes
count as text only when they decode in the part's charset (or UTF-8/cp1252) with almost no control
characters. Base64 inside ASCII armour (an inline PGP signature, a pasted certificate) is left alone.
"""

from __future__ import annotations

import binascii
import re
from collections import Counter

from scrubdesk.core.ingest.charset import decode_bytes

BOUNDARY_GUESSED = "boundary_guessed"
TRANSFER_ENCODING_GUESSED = "transfer_encoding_guessed"
UNDECODED_BODY = "undecoded_body"

MIN_B64_LINES = 3  # a run of base64 lines shorter than this is left alone (it could be a key or a hash)
MIN_B64_WIDTH = 40
_B64_LINE_RE = re.compile(rb"[A-Za-z0-9+/]{4,}={0,2}")
_B64_TEXT_LINE_RE = re.compile(r"[A-Za-z0-9+/]{4,}={0,2}")
_QP_ESCAPE_RE = re.compile(rb"=[0-9A-F]{2}")
_QP_SOFT_BREAK_RE = re.compile(rb"=\r?\n")
_EQUALS_RE = re.compile(rb"=")
_DELIMITER_RE = re.compile(rb"^--([\x21-\x7e]{1,70}?)(--)?[ \t]*\r?$", re.M)
_PART_HEADER_RE = re.compile(rb"[ \t]*\r?\n?content-(?:type|transfer-encoding|disposition)[ \t]*:", re.I)
# A cheap gate before the line-by-line scan: MIN_B64_LINES lines in a row that could be base64, the first
# ones at least MIN_B64_WIDTH wide. Text without one is returned untouched, at C speed.
_B64_BLOCK_RE = re.compile(r"^(?:[A-Za-z0-9+/]{40,}\r?\n){2}[A-Za-z0-9+/]{4,}={0,2}\r?$", re.M)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def guess_boundary(raw: bytes, start: int, end: int) -> str | None:
    """The boundary a multipart body really uses when its declared one never appears: the delimiter line
    ("--something") that opens the most parts, each followed by a part header. None when there is none."""
    openers: Counter[bytes] = Counter()
    for m in _DELIMITER_RE.finditer(raw, start, end):
        if m.group(2) is None and _PART_HEADER_RE.match(raw, m.end(), min(end, m.end() + 200)):
            openers[m.group(1)] += 1
    if not openers:
        return None
    boundary = openers.most_common(1)[0][0]
    return boundary.decode("ascii")


def looks_like_text(text: str) -> bool:
    """Decoded bytes that are text, not an image or an archive: almost no control characters."""
    if not text.strip():
        return False
    return len(_CONTROL_RE.findall(text)) <= len(text) // 100


def _b64_lines(lines: list[bytes]) -> bool:
    """Lines that are base64 as a mailer writes it: one width (the last may be shorter), whole lines."""
    if len(lines) < MIN_B64_LINES or not all(_B64_LINE_RE.fullmatch(line) for line in lines):
        return False
    width = len(lines[0])
    return width >= MIN_B64_WIDTH and all(len(line) == width for line in lines[:-1])


def decode_unlabelled(data: bytes, charset: str | None) -> tuple[bytes, str | None]:
    """A part body that no Content-Transfer-Encoding describes → (bytes, flag). The whole body in base64
    that decodes to text is decoded (``transfer_encoding_guessed``); one that does not is left as it is
    (``undecoded_body``). Quoted-printable (soft line breaks and =XX escapes, and no stray "=") is
    decoded. Anything else comes back unchanged with no flag."""
    stripped = data.strip()
    if not stripped:
        return data, None
    first_end = stripped.find(b"\n")
    first = stripped if first_end < 0 else stripped[:first_end].rstrip(b"\r")
    lines: list[bytes] = []
    if len(first) >= MIN_B64_WIDTH and _B64_LINE_RE.fullmatch(first):
        lines = [line.rstrip(b"\r") for line in stripped.split(b"\n")]
    if lines and _b64_lines(lines):
        try:
            decoded = binascii.a2b_base64(b"".join(lines))
        except (binascii.Error, ValueError):
            return data, UNDECODED_BODY
        text, _ = decode_bytes(decoded, charset)
        return (decoded, TRANSFER_ENCODING_GUESSED) if looks_like_text(text) else (data, UNDECODED_BODY)
    if b"=" not in data:
        return data, None
    escapes = len(_QP_ESCAPE_RE.findall(data))
    soft = len(_QP_SOFT_BREAK_RE.findall(data))
    if escapes and escapes + soft >= 3 and escapes + soft == len(_EQUALS_RE.findall(data)):
        return binascii.a2b_qp(data), TRANSFER_ENCODING_GUESSED
    return data, None


def _block_end(lines: list[str], i: int) -> int:
    """The end of the base64 block starting at ``lines[i]``: lines of one width (at least MIN_B64_WIDTH)
    and the shorter last line; ``i`` when ``lines[i]`` does not start one."""
    width = len(lines[i])
    if width < MIN_B64_WIDTH or not _B64_TEXT_LINE_RE.fullmatch(lines[i]):
        return i
    j = i + 1
    while j < len(lines) and len(lines[j]) == width and _B64_TEXT_LINE_RE.fullmatch(lines[j]):
        j += 1
    if j < len(lines) and 0 < len(lines[j]) < width and _B64_TEXT_LINE_RE.fullmatch(lines[j]):
        j += 1
    return j


def decode_embedded_blocks(text: str, charset: str | None) -> tuple[str, set[str]]:
    """Blocks of base64 lines inside a text body (an attachment pasted in, a part a broken split left
    behind): decoded in place when they are text (``transfer_encoding_guessed``), left and flagged
    ``undecoded_body`` when they are not."""
    if _B64_BLOCK_RE.search(text) is None:
        return text, set()
    lines = text.split("\n")
    flags: set[str] = set()
    out: list[str] = []
    i = 0
    armored = False  # inside -----BEGIN PGP SIGNATURE----- … -----END …: base64 that belongs there
    while i < len(lines):
        if lines[i].startswith(("-----BEGIN ", "-----END ")):
            armored = lines[i].startswith("-----BEGIN ")
        j = i if armored else _block_end(lines, i)
        if j - i < MIN_B64_LINES:
            out.extend(lines[i : max(j, i + 1)])
            i = max(j, i + 1)
            continue
        run = lines[i:j]
        i = j
        try:
            decoded = binascii.a2b_base64("".join(run))
        except (binascii.Error, ValueError):
            decoded = b""
        block, _ = decode_bytes(decoded, charset)
        if decoded and looks_like_text(block):
            out.append(block.replace("\r\n", "\n").replace("\r", "\n").strip("\n"))
            flags.add(TRANSFER_ENCODING_GUESSED)
        else:
            out.extend(run)
            flags.add(UNDECODED_BODY)
    return ("\n".join(out), flags) if flags else (text, flags)
