"""A MIME entity tree over one message's bytes, split with ``bytes.find`` instead of ``email.feedparser``.

Parts are views (start/end offsets) into the message bytes, so an attachment is never copied or decoded
unless it is chosen as the body. Broken structure never raises: a multipart without a usable boundary is
read as a plain-text leaf, a missing close delimiter ends the last part at the end of its parent, and
nesting deeper than ``MAX_DEPTH`` is treated as an opaque leaf.
"""

from __future__ import annotations

import binascii
import re

from scrubdesk.core.ingest.headers import HeaderBlock, parse_params, split_header_block

MAX_DEPTH = 32
_B64_JUNK_RE = re.compile(rb"[^A-Za-z0-9+/]")


class Part:
    """One MIME entity: its headers and the byte range of its body inside the message."""

    __slots__ = ("_params", "body_end", "body_start", "content_type", "headers", "raw")

    def __init__(
        self, raw: bytes, headers: HeaderBlock, body_start: int, body_end: int, default_type: str
    ) -> None:
        self.raw = raw
        self.headers = headers
        self.body_start = body_start
        self.body_end = body_end
        ctype, params = parse_params(headers.first("content-type"))
        if "/" not in ctype or " " in ctype:
            ctype = default_type if not ctype else "text/plain"  # RFC 2045 §5.2: invalid → text/plain
            params = {k: v for k, v in params.items() if k == "charset"}
        self.content_type = ctype
        self._params = params

    @property
    def maintype(self) -> str:
        return self.content_type.partition("/")[0]

    def param(self, name: str) -> str | None:
        return self._params.get(name)

    def disposition(self) -> str:
        return parse_params(self.headers.first("content-disposition"))[0]

    def body_bytes(self) -> bytes:
        return self.raw[self.body_start : self.body_end]

    def transfer_encoding(self) -> str:
        """The declared Content-Transfer-Encoding, lower-cased ("" when none)."""
        cte_raw = self.headers.first("content-transfer-encoding")
        return cte_raw.strip().lower().decode("ascii", "replace") if cte_raw else ""

    def decoded(self) -> tuple[bytes, bool]:
        """The body with its Content-Transfer-Encoding undone; (bytes, repaired) — repaired means the
        base64 was broken and junk had to be dropped."""
        data = self.body_bytes()
        cte = self.transfer_encoding()
        if cte == "base64":
            try:
                return binascii.a2b_base64(data), False
            except (binascii.Error, ValueError):
                cleaned = _B64_JUNK_RE.sub(b"", data)
                cut = len(cleaned) % 4
                cleaned = cleaned[: len(cleaned) - 1] if cut == 1 else cleaned + b"=" * ((4 - cut) % 4)
                try:
                    return binascii.a2b_base64(cleaned), True
                except (binascii.Error, ValueError):
                    return b"", True
        if cte == "quoted-printable":
            return binascii.a2b_qp(data), False
        return data, False


def parse_part(
    raw: bytes, start: int, end: int, default_type: str = "text/plain", headers: HeaderBlock | None = None
) -> Part:
    """The entity in ``raw[start:end]``; pass ``headers`` when the caller has already split them."""
    if headers is None:
        headers, body_start = split_header_block(raw, start, end)
    else:
        body_start = start
    return Part(raw, headers, body_start, end, default_type)


def children(part: Part, boundary: str | None = None) -> list[Part] | None:
    """The sub-parts of a multipart entity, split on its declared boundary (or on ``boundary``), or None
    when the boundary is missing or never appears."""
    boundary = boundary or part.param("boundary")
    if not boundary:
        return None
    raw = part.raw
    delimiter = b"--" + boundary.encode("utf-8", "surrogateescape")
    start, end = part.body_start, part.body_end
    default_type = "message/rfc822" if part.content_type == "multipart/digest" else "text/plain"
    result: list[Part] = []
    content_start: int | None = None  # where the current sub-part's content begins
    found = False
    pos = start
    while True:
        hit = raw.find(delimiter, pos, end)
        if hit < 0:
            break
        pos = hit + 1
        if hit != start and raw[hit - 1] != 0x0A:  # a delimiter must begin a line
            continue
        after = hit + len(delimiter)
        closing = raw.startswith(b"--", after, end)
        if closing:
            after += 2
        line_end = raw.find(b"\n", after, end)
        rest = raw[after : end if line_end < 0 else line_end]
        if rest.strip(b" \t\r"):  # the boundary is only a prefix of something longer on this line
            continue
        found = True
        if content_start is not None:
            content_end = hit - 1 if hit > start else hit
            if content_end > content_start and raw[content_end - 1] == 0x0D:
                content_end -= 1
            result.append(parse_part(raw, content_start, max(content_start, content_end), default_type))
        if closing:
            content_start = None
            break
        content_start = end if line_end < 0 else line_end + 1
        pos = content_start
    if not found:
        return None
    if content_start is not None:  # no close delimiter: the last part runs to the end
        result.append(parse_part(raw, content_start, end, default_type))
    return result
