"""HTML body → readable plain text with the standard library's ``html.parser`` (html2text is GPL).

Block elements and ``<br>`` become line breaks, paragraphs-like blocks a blank line, list items get "- ",
table cells are separated by a space, ``script``/``style``/``head``/``title``/``template`` are dropped,
entities are decoded, and runs of whitespace collapse to one space except inside ``<pre>``.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_WS_RE = re.compile(r"\s+")
_TAG_RE = re.compile(r"<[^>]*>")
_MANY_NEWLINES_RE = re.compile(r"\n{3,}")

_DROPPED = frozenset({"script", "style", "head", "title", "template", "noframes", "object"})
# A line break before and after.
_LINE_BLOCKS = frozenset(
    {
        "div", "tr", "li", "dt", "dd", "ul", "ol", "dl", "section", "article", "header", "footer", "nav",
        "aside", "main", "address", "form", "fieldset", "figure", "figcaption", "center", "caption",
        "option", "details", "summary", "body", "html",
    }
)  # fmt: skip
# A blank line before and after.
_PARAGRAPH_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "pre", "hr"})
_CELLS = frozenset({"td", "th"})
_VOID = frozenset(
    {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "wbr"}
)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skip: list[str] = []  # open dropped elements
        self._pre = 0
        self._lists = 0
        self._newlines = 0  # pending line breaks, written before the next text
        self._prefix = ""  # pending list bullet
        self._line_start = True

    # --- output helpers
    def _break(self, count: int) -> None:
        self._newlines = max(self._newlines, count)

    def _emit(self, text: str) -> None:
        if self._newlines:
            if self.out:
                if self.out[-1].endswith(" "):
                    self.out[-1] = self.out[-1].rstrip(" ")
                self.out.append("\n" * self._newlines)
                self._line_start = True
            self._newlines = 0
        if self._prefix:
            self.out.append(self._prefix)
            self._prefix = ""
            self._line_start = False
        self.out.append(text)
        self._line_start = text.endswith("\n")

    # --- parser callbacks
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip:
            if tag == self._skip[-1] and tag not in _VOID:
                self._skip.append(tag)
            return
        if tag in _DROPPED:
            self._skip.append(tag)
            return
        if tag == "br":
            if self.out:  # consecutive <br>s give at most one blank line
                self._newlines = min(self._newlines + 1, 2)
            return
        if tag in _PARAGRAPH_BLOCKS:
            self._break(2)
            if tag == "pre":
                self._pre += 1
        elif tag in _LINE_BLOCKS:
            self._break(1)
            if tag in ("ul", "ol"):
                self._lists += 1
            elif tag == "li":
                self._prefix = "  " * max(self._lists - 1, 0) + "- "
        elif tag in _CELLS and not self._line_start and self.out:
            self.out.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if tag == self._skip[-1]:
                self._skip.pop()
            return
        if tag in _PARAGRAPH_BLOCKS:
            self._break(2)
            if tag == "pre" and self._pre:
                self._pre -= 1
        elif tag in _LINE_BLOCKS:
            self._break(1)
            if tag in ("ul", "ol") and self._lists:
                self._lists -= 1

    def handle_data(self, data: str) -> None:
        if self._skip or not data:
            return
        if self._pre:
            self._emit(data)
            return
        text = _WS_RE.sub(" ", data)
        if self._line_start or self._newlines or (self.out and self.out[-1].endswith(" ")):
            text = text.lstrip(" ")
        if text:
            self._emit(text)


def html_to_text(markup: str) -> str:
    """Readable text from an HTML document or fragment. Never raises for bad markup."""
    parser = _TextExtractor()
    try:
        parser.feed(markup)
        parser.close()
        text = "".join(parser.out)
    except (AssertionError, ValueError, IndexError, TypeError, RecursionError):
        # html.parser is very tolerant; if it ever gives up, strip tags crudely instead.
        text = html.unescape(_TAG_RE.sub(" ", markup))
        text = _WS_RE.sub(" ", text)
    lines = [line.rstrip() for line in text.split("\n")]
    return _MANY_NEWLINES_RE.sub("\n\n", "\n".join(lines)).strip("\n")
