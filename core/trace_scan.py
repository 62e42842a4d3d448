"""Search files for traces of a value, to prove an erasure: raw bytes in the common encodings, the members
of zip archives (skops models; sealed model files are decrypted first), the cells of parquet files, and
the *decrypted* pages of the SQLCipher store and its WAL (where a deleted row would survive if
secure_delete or VACUUM had not run).

Only counts leave this module: a hit is reported as a number per place, never as the text around it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import struct
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import quote, quote_plus

from scrubdesk.core.model_files import SealedModelError, is_sealed, open_sealed
from scrubdesk.core.parquet_io import read_parquet

CHUNK_BYTES = 1 << 20
SALT_BYTES = 16
IV_BYTES = 16
HMAC_BYTES = 64  # SQLCipher 4 default: HMAC-SHA512
WAL_HEADER_BYTES = 32
WAL_FRAME_HEADER_BYTES = 24
HMAC_KDF_ITERATIONS = 2  # SQLCipher's "fast" PBKDF2 for the page-HMAC key
HMAC_SALT_MASK = 0x3A


def _base64_cores(data: bytes) -> set[bytes]:
    """The base64 characters that encode ``data`` at each of the three byte alignments inside a longer
    base64 text (characters that also depend on neighbouring bytes are cut off)."""
    cores: set[bytes] = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data)
        start = -(-offset * 8 // 6)  # ceil: the first character made only of data bits
        end = (offset + len(data)) * 8 // 6
        core = encoded[start:end]
        if len(core) >= 4:
            cores.add(core)
            cores.add(core.translate(bytes.maketrans(b"+/", b"-_")))  # the URL-safe alphabet
    return cores


class Needles:
    """The byte forms of one or more values: UTF-8, UTF-16-LE, URL-encoded (matched case-insensitively
    for ASCII, which also covers the lower-case form) and base64 (matched exactly)."""

    def __init__(self, values: Iterable[str]) -> None:
        folded: set[bytes] = set()
        exact: set[bytes] = set()
        for value in {v for v in values if v}:
            for form in {value, value.lower()}:
                utf8 = form.encode("utf-8")
                folded.update(
                    {
                        utf8,
                        form.encode("utf-16-le"),
                        quote(form, safe="").encode("ascii"),
                        quote_plus(form, safe="").encode("ascii"),
                    }
                )
                exact.update(_base64_cores(utf8))
        self.folded = tuple(sorted(n.lower() for n in folded))
        self.exact = tuple(sorted(exact))
        self.max_len = max((len(n) for n in (*self.folded, *self.exact)), default=1)

    def count(self, data: bytes, skip: int = 0) -> int:
        """Occurrences of any needle in ``data``, not counting those lying entirely in ``data[:skip]``."""
        hits = 0
        lowered = data.lower()
        for haystack, needles in ((lowered, self.folded), (data, self.exact)):
            for needle in needles:
                start = haystack.find(needle, max(0, skip - len(needle) + 1))
                while start != -1:
                    hits += 1
                    start = haystack.find(needle, start + 1)
        return hits

    def count_stream(self, chunks: Iterable[bytes]) -> int:
        """Occurrences across a stream of chunks, including those that straddle two chunks."""
        hits = 0
        tail = b""
        for chunk in chunks:
            buffer = tail + chunk
            hits += self.count(buffer, skip=len(tail))
            tail = buffer[-(self.max_len - 1) :] if self.max_len > 1 else b""
        return hits


def _read_chunks(stream: IO[bytes]) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK_BYTES):
        yield chunk


@dataclass(frozen=True)
class FileScan:
    hits: int
    unreadable: bool = False


def scan_file(path: Path, needles: Needles, db_key: bytes | None = None) -> FileScan:
    """Raw bytes, then the decompressed members of a zip archive, then the cells of a parquet file. A
    sealed model file (:mod:`scrubdesk.core.model_files`) is decrypted with ``db_key`` and its clear
    bytes and zip members scanned the same way; without the key it counts as unreadable."""
    try:
        with Path(path).open("rb") as fh:
            hits = needles.count_stream(_read_chunks(fh))
        if is_sealed(Path(path)):
            if db_key is None:
                return FileScan(hits, unreadable=True)
            clear = open_sealed(Path(path), db_key)
            hits += needles.count(clear)
            if zipfile.is_zipfile(io.BytesIO(clear)):
                with zipfile.ZipFile(io.BytesIO(clear)) as archive:
                    for member in archive.infolist():
                        with archive.open(member) as fh:
                            hits += needles.count_stream(_read_chunks(fh))
            return FileScan(hits)
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for member in archive.infolist():
                    with archive.open(member) as fh:
                        hits += needles.count_stream(_read_chunks(fh))
        if Path(path).suffix.lower() == ".parquet":
            hits += _scan_parquet(Path(path), needles)
    except (OSError, zipfile.BadZipFile, ValueError, SealedModelError):
        return FileScan(0, unreadable=True)
    return FileScan(hits)


def _scan_parquet(path: Path, needles: Needles) -> int:
    frame = read_parquet(path)  # ValueError when it is not parquet: the caller reports it unreadable
    cells = ("\n".join(str(v) for v in frame[name].tolist()) for name in frame.columns)
    return needles.count_stream(c.encode("utf-8") for c in cells)


def iter_files(root: Path) -> Iterator[Path]:
    """Every regular file under ``root`` (symbolic links are not followed), in a stable order."""
    for path in sorted(Path(root).rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


# --- the SQLCipher store, decrypted page by page ----------------------------------------------------------


@dataclass(frozen=True)
class PageScan:
    pages: int
    hits: int
    undecryptable: int
    checked: bool = True  # False when no AES implementation is available


Decrypt = Callable[[bytes, int], bytes | None]


def _page_decryptor(db_key: bytes, salt: bytes, page_size: int) -> Decrypt:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: PLC0415 - lazy: only for page scans

    hmac_key = hashlib.pbkdf2_hmac(
        "sha512", db_key, bytes(b ^ HMAC_SALT_MASK for b in salt), HMAC_KDF_ITERATIONS, len(db_key)
    )
    reserve = IV_BYTES + HMAC_BYTES

    def decrypt(page: bytes, pgno: int) -> bytes | None:
        """The plaintext of one page (without SQLCipher's reserved bytes), or None if its HMAC fails."""
        start = SALT_BYTES if pgno == 1 else 0
        data = page[start : page_size - reserve]
        iv = page[page_size - reserve : page_size - HMAC_BYTES]
        mac = page[page_size - HMAC_BYTES : page_size]
        expected = hmac.new(hmac_key, data + iv + struct.pack("<I", pgno), hashlib.sha512).digest()
        if not hmac.compare_digest(expected, mac):
            return None
        decryptor = Cipher(algorithms.AES(db_key), modes.CBC(iv)).decryptor()
        return decryptor.update(data) + decryptor.finalize()

    return decrypt


def _db_pages(path: Path, page_size: int) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as fh:
        pgno = 0
        while len(page := fh.read(page_size)) == page_size:
            pgno += 1
            yield pgno, page


def _wal_frames(path: Path, page_size: int) -> Iterator[tuple[int, bytes]]:
    """Every frame in the WAL file, including frames left over from before the last checkpoint."""
    with path.open("rb") as fh:
        header = fh.read(WAL_HEADER_BYTES)
        if len(header) < WAL_HEADER_BYTES:
            return
        while len(frame := fh.read(WAL_FRAME_HEADER_BYTES + page_size)) == WAL_FRAME_HEADER_BYTES + page_size:
            (pgno,) = struct.unpack(">I", frame[:4])
            yield pgno, frame[WAL_FRAME_HEADER_BYTES:]


def scan_sqlcipher_pages(
    db_path: Path, db_key: bytes, needles: Needles, *, page_size: int
) -> dict[str, PageScan]:
    """Decrypt every page of the store file and every frame of its WAL and count needle occurrences.

    This sees what a reader with the key could recover from the files, including free pages and the
    unused space inside pages, not only the rows SQL returns. Works for SQLCipher 4 defaults with a raw
    256-bit key (AES-256-CBC per page, HMAC-SHA512)."""
    db_path = Path(db_path)
    results: dict[str, PageScan] = {}
    with db_path.open("rb") as fh:
        salt = fh.read(SALT_BYTES)
    try:
        decrypt = _page_decryptor(db_key, salt, page_size)
    except ImportError:  # pragma: no cover - cryptography comes with presidio and SecretStorage
        return {db_path.name: PageScan(0, 0, 0, checked=False)}
    sources: list[tuple[Path, Callable[[Path, int], Iterator[tuple[int, bytes]]]]] = [(db_path, _db_pages)]
    wal = db_path.with_name(db_path.name + "-wal")
    if wal.exists():
        sources.append((wal, _wal_frames))
    for path, reader in sources:
        results[path.name] = _scan_pages(reader(path, page_size), decrypt, needles)
    return results


def _scan_pages(pages: Iterable[tuple[int, bytes]], decrypt: Decrypt, needles: Needles) -> PageScan:
    tally = {"pages": 0, "undecryptable": 0}

    def plaintexts() -> Iterator[bytes]:
        for pgno, page in pages:
            tally["pages"] += 1
            plain = decrypt(page, pgno)
            if plain is None:
                tally["undecryptable"] += 1
            else:
                yield plain

    hits = needles.count_stream(plaintexts())
    return PageScan(tally["pages"], hits, tally["undecryptable"])
