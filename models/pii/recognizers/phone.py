"""Phone numbers: validated with phonenumbers (GB for numbers with a trunk 0 or a country code, US/CA for
grouped ten-digit numbers), and phone-shaped strings that do not validate.

Ofcom's drama ranges (07700 900xxx, 020 7946 0xxx) are "invalid" for phonenumbers, yet a privacy tool must
hide them like any number: a UK-shaped string (0 or +44 and the right number of digits) is kept with a
lower score even when it fails validation.

Numbers in other countries' layouts ('99 668472', '0049 30 1234567' aside, which the international
pattern takes) are found by shape: two to four digit groups, seven to twelve digits, that are not a date,
a time range, a year range, an amount ('12 500', '£1 250 000'), an IP address or a number right after a
reference word ('order 1234 5678'). In customer mail such a group is a phone or an account number, both
personal data, so it is kept at a score just above the default threshold. A bare digit run still needs a
context word such as 'call' or 'tel'.
"""

from __future__ import annotations

import re

import phonenumbers
from presidio_analyzer import PatternRecognizer, RecognizerResult
from presidio_analyzer.nlp_engine import NlpArtifacts

from scrubdesk.models.pii.entities import PHONE_NUMBER
from scrubdesk.models.pii.recognizers.declarative import DeclarativeRecognizer

_SEP = r"[ \t.\-]?"
_EXT = r"(?:[ \t]*(?:x|ext\.?|extension)[ \t]*\d{1,6})?"  # '345-899-3560x4587', '... ext. 12'
_END = rf"{_EXT}(?![\w/]|[.:-]\d)"  # not followed by more of a number, a date or a time
_UK_NATIONAL = rf"(?<![\w+/.-])\(?0\d{{2,4}}\)?{_SEP}(?:\d{_SEP}){{5,7}}\d{_END}"
_UK_INTL = (
    rf"(?<![\w/.-])(?:\+|00){_SEP}44{_SEP}(?:\(0\){_SEP})?\(?\d{{2,4}}\)?{_SEP}"
    rf"(?:\d{_SEP}){{5,7}}\d{_END}"
)
_INTL = rf"(?<![\w/.-])(?:\+|00)[1-9]\d{{0,2}}{_SEP}(?:\(?\d{{1,5}}\)?{_SEP}){{1,4}}\d{{2,5}}{_END}"
# North American numbers: '541-714-1388', '(898)666-3621', '259.735.7502', '+1-903-140-4508'.
_NANP = rf"(?<![\w+/.-])(?:\+?1[ \t.-]?)?(?:\(\d{{3}}\)[ \t]?|\d{{3}}[ \t.-])\d{{3}}[ \t.-]\d{{4}}{_END}"
# Digit groups with real separators: a bare run of digits is an account or a reference, not a phone.
_GENERIC = (
    rf"(?<![\w+/.-])(?:\(\d{{2,5}}\)[ \t.-]?|\d{{2,5}}[ \t.-])(?:\d{{2,6}}[ \t.-]){{0,3}}\d{{2,8}}{_END}"
)
# A bare run of 10-11 digits is a phone only after a word such as 'Fax:' or 'mobile'.
_BARE = rf"(?<![\w+/.-])\d{{10,11}}{_END}"
# Area code and number split by a slash, as in German-speaking countries: '0423/972429', '089 / 1234 567'.
_SLASHED = rf"(?<![\w+/.-])\(?0\d{{2,5}}\)?[ \t]?/[ \t]?\d{{3,8}}(?:[ \t.-]\d{{2,6}})?{_END}"
# Country-code top-level domains that say where a sender is (vanity ones like .io or .me do not).
_CCTLD = re.compile(r"(?:@|https?://|www\.)[\w.-]+\.([a-z]{2})\b", re.IGNORECASE)
_VANITY_TLDS = frozenset(
    {"io", "me", "tv", "ai", "ly", "fm", "am", "co", "cc", "ws", "to", "gg", "im", "is", "it"}
)
_SSN = re.compile(r"\d{3}-\d{2}-\d{4}")  # US social security number layout, never a phone
# Digit groups that are something else: dates, year or time ranges, amounts, IP addresses.
_NOT_A_PHONE = re.compile(
    r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}[./-]\d{1,2}[./-]\d{1,2}"
    r"|(?:19|20)\d\d[ \t]*[-–][ \t]*(?:19|20)\d\d|\d{1,2}[.:]\d{2}[ \t]*[-–][ \t]*\d{1,2}[.:]\d{2}"
    r"|\d{1,3}(?:[ \t.,]\d{3})+|\d{1,3}(?:\.\d{1,3}){3}"
)
_AMOUNT_BEFORE = re.compile(r"[£$€¥]\s*$|\b(?:GBP|EUR|USD)\s*$", re.IGNORECASE)
_UNIT_AFTER = re.compile(r"^\s*(?:%|per\s?cent|k[wW]h|kg|km|miles|mph|pence|p\b|GBP|EUR|USD|units?\b)")
_REFERENCE_BEFORE = re.compile(
    r"\b(?:ref(?:erence)?|order|invoice|account|acct|a/c|policy|case|ticket|claim|serial|tracking|"
    r"membership|customer|meter|contract|booking|transaction|id|licen[cs]e|passport|permit|tax|zip|postal|"
    r"post ?code|plz)\b[^\n\d]{0,20}$",
    re.IGNORECASE,
)
_NANP_REGIONS = ("US", "CA")


class UkPhoneRecognizer(DeclarativeRecognizer):
    ENTITY = PHONE_NUMBER
    PATTERNS = (
        ("uk national", _UK_NATIONAL, 0.7),
        ("uk international", _UK_INTL, 0.7),
        ("international", _INTL, 0.5),
        ("north american", _NANP, 0.3),
        ("digits", _GENERIC, 0.2),
        ("bare digits", _BARE, 0.1),
        ("slashed", _SLASHED, 0.4),
    )
    CONTEXT = (
        "phone", "call", "tel", "telephone", "mobile", "mob", "landline", "number", "ring", "contact",
        "whatsapp", "text", "sms", "fax", "reach", "desk", "cell", "direct", "switchboard", "messages",
    )  # fmt: skip
    VALID_SCORE = 0.95
    GROUPED_SCORE = 0.45  # a phone by shape alone: above the default threshold, below any validated one

    def check(self, text: str) -> bool:
        digits = sum(ch.isdigit() for ch in _without_extension(text))
        return 7 <= digits <= 15 and "\n" not in text and not _SSN.fullmatch(text.strip())

    def validate_result(self, pattern_text: str) -> bool | None:
        if not self.check(pattern_text):
            return False
        number_text = _without_extension(pattern_text)
        stripped = number_text.lstrip("( ")
        if stripped.startswith(("+", "0")):
            regions: tuple[str, ...] = ("GB",)
        elif sum(ch.isdigit() for ch in number_text) in (10, 11) and any(
            not c.isdigit() for c in number_text
        ):
            regions = _NANP_REGIONS  # a grouped North American number; never a bare digit run
        else:
            return None  # a digit group without trunk 0 or country code: context decides
        for region in regions:
            try:
                number = phonenumbers.parse(number_text, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                return True
        return None

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        results = PatternRecognizer.analyze(self, text, entities, nlp_artifacts, regex_flags)
        hints = region_hints(text) if results else ()
        for r in results:
            if r.score == self.MAX_SCORE:
                r.score = self.VALID_SCORE
            elif hints and _valid_in(text[r.start : r.end], hints):
                r.score = self.VALID_SCORE  # valid where the sender's addresses say they are
        return self.with_context_chance(text, results)

    def with_context_chance(self, text: str, results: list[RecognizerResult]) -> list[RecognizerResult]:
        # A grouped number needs no context word: its shape decides, at GROUPED_SCORE or above.
        grouped, others = [], []
        for result in results:
            if _grouped_phone(text, result.start, result.end):
                result.score = max(result.score, self.GROUPED_SCORE)
                grouped.append(result)
            else:
                others.append(result)
        return [*grouped, *super().with_context_chance(text, others)]


def _grouped_phone(text: str, start: int, end: int) -> bool:
    """Two to four digit groups, 7-12 digits, that are no date, range, amount, address or reference."""
    number = _without_extension(text[start:end]).strip()
    groups = re.findall(r"\d+", number)
    digits = sum(len(g) for g in groups)
    if not (2 <= len(groups) <= 4 and 7 <= digits <= 12) or _SSN.fullmatch(number):
        return False
    if _NOT_A_PHONE.fullmatch(number):
        return False
    before, after = text[max(0, start - 40) : start], text[end : end + 12]
    return not (_AMOUNT_BEFORE.search(before) or _UNIT_AFTER.match(after) or _REFERENCE_BEFORE.search(before))


def region_hints(text: str) -> tuple[str, ...]:
    """Phone regions suggested by the country-code domains of the addresses in ``text`` ('.de' -> DE,
    '.uk' -> GB), most frequent first."""
    counts: dict[str, int] = {}
    for m in _CCTLD.finditer(text):
        tld = m.group(1).lower()
        if tld in _VANITY_TLDS:
            continue
        region = "GB" if tld == "uk" else tld.upper()
        if region in phonenumbers.SUPPORTED_REGIONS:
            counts[region] = counts.get(region, 0) + 1
    return tuple(sorted(counts, key=lambda r: -counts[r]))


def _valid_in(number_text: str, regions: tuple[str, ...]) -> bool:
    number_text = _without_extension(number_text)
    for region in regions:
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(number_text, region)):
                return True
        except phonenumbers.NumberParseException:
            continue
    return False


def _without_extension(text: str) -> str:
    return re.split(r"[ \t]*(?:x|ext\.?|extension)[ \t]*(?=\d)", text, maxsplit=1)[0]
