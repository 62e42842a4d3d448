"""Bytes to text under a declared charset that may be missing, unknown or simply wrong.

The rule everywhere in ingest: try the declared charset strictly; if it is missing, unknown or does not fit
the bytes, fall back utf-8 → cp1252 → latin-1 (latin-1 never fails) and tell the caller it fell back, so the
message gets the ``charset_fallback`` flag.
"""

from __future__ import annotations

import codecs
import functools
import re

FALLBACK_FLAG = "charset_fallback"
# Surrogates that surrogateescape did not make (it makes U+DC80..U+DCFF, one per undecodable byte).
_LONE_SURROGATE_RE = re.compile("[\ud800-\udc7f\udd00-\udfff]")

# Codecs that exist in Python but are not charsets a mail could sensibly declare: they would turn text into
# something else (escape processing, IDNA), so a declaration of one of them counts as unknown.
_REFUSED_CODECS = frozenset({"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined"})
# Labels that in practice mean a superset (as browsers treat them): mail software writes windows-1252
# bytes under "iso-8859-1", GBK/GB18030 bytes under "gb2312", and so on. Reading those with the superset
# is the standard reading, not a fallback, so it is not flagged.
_SUPERSETS = {"iso8859-1": "cp1252", "gb2312": "gb18030", "gbk": "gb18030", "euc_kr": "cp949"}


@functools.lru_cache(maxsize=256)
def codec_name(charset: str | None) -> str | None:
    """The Python codec name for a declared charset, or None when missing, unknown or unsuitable."""
    if not charset:
        return None
    label = charset.strip().strip("\"'").lower()
    if not label:
        return None
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _REFUSED_CODECS:
        return None
    return _SUPERSETS.get(info.name, info.name)


def fallback_decode(data: bytes) -> str:
    """Decode undeclared or mis-declared bytes: utf-8, then cp1252, then latin-1."""
    for name in ("utf-8", "cp1252"):
        try:
            return data.decode(name)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def decode_bytes(data: bytes, charset: str | None) -> tuple[str, bool]:
    """Decode ``data`` as declared; returns (text, fell_back). Never raises for any input."""
    if data.isascii():
        # ASCII is a subset of every charset a mail uses in practice (UTF-16/32 bodies are vanishingly rare
        # and are still tried below when declared).
        name = codec_name(charset)
        if name is None or not name.startswith(("utf_16", "utf_32")):
            return data.decode("ascii"), False
    name = codec_name(charset)
    if name is not None:
        try:
            return data.decode(name), False
        except (UnicodeError, ValueError, TypeError, LookupError):
            pass
        if name == "cp1252":  # declared latin-1 / cp1252 with the five bytes cp1252 leaves undefined
            return data.decode("latin-1"), False
    return fallback_decode(data), True


def repair_surrogates(text: str) -> tuple[str, bool]:
    """Text read with errors="surrogateescape" → proper text: re-decode the escaped bytes with fallbacks.

    Returns (text, fell_back); fell_back is True only when something had to be repaired. Surrogates that
    are not escaped bytes (a JSON "\\ud800" escape) become U+FFFD.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _LONE_SURROGATE_RE.sub("\ufffd", text)
        raw = text.encode("utf-8", "surrogateescape")
        return fallback_decode(raw), True
    return text, False


def normalize_newlines(text: str) -> str:
    """CRLF and lone CR → LF."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")
