"""Cut over-long texts into overlapping chunks at line or word boundaries, keeping exact offsets."""

from __future__ import annotations

from collections.abc import Iterator


def chunks(text: str, size: int, overlap: int) -> Iterator[tuple[int, str]]:
    """(offset, chunk) pairs covering ``text``. Consecutive chunks share about ``overlap`` characters,
    so an entity cut by one boundary is whole in the next chunk."""
    if size <= overlap:
        raise ValueError("chunk size must be larger than the overlap")
    if len(text) <= size:
        yield 0, text
        return
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            cut = text.rfind("\n", start + size // 2, end)
            if cut == -1:
                cut = text.rfind(" ", start + size // 2, end)
            end = cut + 1 if cut != -1 else end
        yield start, text[start:end]
        if end >= len(text):
            return
        next_start = max(end - overlap, start + 1)
        space = text.find(" ", next_start, end)  # begin the next chunk on a word boundary
        start = space + 1 if space != -1 else next_start
