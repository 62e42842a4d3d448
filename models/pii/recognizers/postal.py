"""Postal addresses beyond the UK street line of :mod:`address`:

- international street lines: a street-type word before or after the name ('Rue de la Paix 3',
  'ul. Chrzanowska 61', 'Kálmán Imre u. 12.', 'Laukaantie 80'), and a name between two numbers, the usual
  shape of a building number, street and house number ('20789 Allika 46');
- post boxes and US military addresses ('P.O. Box 242', 'PSC 1437, Box 3833' / 'APO AA 66791');
- address blocks, line by line: after a street line, the flat or suite line, the town line and the line
  with a postal code ('Suite 501' / 'Riisa' / 'Estonia 62488'), in any script and in lower case;
- an address after a cue that says one follows: 'my address is ...', 'lives on ...', 'send it to ...',
  'meet me at ...', 'the corner of X and Y'. What follows must look like an address (a number or a
  street-type word in it), so 'send it to my wife' is not one.

Street lines get STREET_ADDRESS; town lines LOCATION; a non-UK postal code STREET_ADDRESS (it is part of
the address; UK postcodes have their own recogniser). Works on the raw text, no NER needed.
"""

from __future__ import annotations

import regex
from presidio_analyzer import RecognizerResult
from spacy.lang.en.stop_words import STOP_WORDS

from scrubdesk.models.pii.entities import LOCATION, STREET_ADDRESS
from scrubdesk.models.pii.recognizers.base import RuleRecognizer

# Street types written after the name (USPS Publication 28 suffixes, UK and continental ones).
SUFFIX_TYPES = (
    "Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Av|Close|Drive|Dr|Way|Crescent|Cres|Grove|Gardens|Gdns|Terrace|"
    "Tce|Place|Pl|Court|Ct|Walk|Mews|Rise|View|Views|Hill|Hills|Row|Square|Sq|Squares|Parade|Park|Parks|"
    "Green|Greens|Vale|Wharf|Yard|Boulevard|Blvd|Broadway|Parkway|Pkwy|Circus|Croft|Gate|Hollow|Heights|"
    "Meadow|Meadows|Mount|Passage|Approach|Chase|Dale|End|Field|Fields|Glade|Grange|Quay|Reach|Ride|"
    "Villas|Wynd|Brae|Highway|Hwy|Plaza|Trail|Trl|Pike|Circle|Cir|Alley|Aly|Terr|Ter|Point|Points|Pt|"
    "Bend|Bluff|Bluffs|Branch|Bridge|Bridges|Brook|Brooks|Burg|Bypass|Byp|Canyon|Cape|Causeway|Cliff|"
    "Cliffs|Corner|Corners|Cove|Coves|Creek|Crest|Crossing|Xing|Crossroad|Crossroads|Dam|Divide|Estate|"
    "Estates|Expressway|Expy|Extension|Ext|Ferry|Flat|Flats|Ford|Fords|Forest|Forge|Forges|Fork|Forks|"
    "Fort|Ft|Freeway|Fwy|Garden|Gateway|Glen|Glens|Harbor|Harbour|Harbors|Haven|Inlet|Island|Islands|"
    "Isle|Junction|Jct|Junctions|Knoll|Knolls|Lake|Lakes|Landing|Lodge|Loop|Mall|Manor|Manors|Mill|Mills|"
    "Motorway|Mountain|Mountains|Neck|Orchard|Oval|Overpass|Pass|Path|Pine|Pines|Plain|Plains|Port|Ports|"
    "Prairie|Ranch|Rapid|Rapids|Ridge|Ridges|River|Route|Rte|Shoal|Shoals|Shore|Shores|Skyway|Spring|"
    "Springs|Spur|Spurs|Stravenue|Stream|Streets|Summit|Throughway|Trafficway|Tunnel|Turnpike|Underpass|"
    "Valley|Valleys|Viaduct|Village|Villages|Ville|Vista|Walks|Well|Wells"
)
# Street types written before the name ('Rue ...', 'ul. ...'), any case.
_PREFIX_TYPES = (
    r"ul\.|ulica|al\.|aleja|pl\.|plac|os\.|rue|rua|rúa|r\.|avenida|avda\.|avd\.|av\.|avenue|calle|c/|"
    r"carrer|camino|paseo|plaza|praça|travessa|largo|via|viale|vicolo|corso|piazza|piazzetta|strada|"
    r"chemin|allée|impasse|quai|boulevard|bd\.|trg|náměstí|nám\.|třída|tř\.|λεωφόρος|οδός|πλατεία|"
    r"leof\.|odos|caddesi|sokak|sokağı"
)
# Street-type words written after the name as a word of their own ('Kálmán Imre u. 12.', 'Luite tee 87').
_POSTFIX_WORDS = (
    r"u\.|út|útja|utca|tér|tee|tie|gata|gatan|gade|vej|vei|veien|vegen|weg|laan|straat|gasse|str\."
)
# ... or as the end of the name's last word ('Laukaantie', 'Søndergade', 'Hammarvägen').
_NAME_ENDINGS = (
    r"katu|tie|tee|gata|gatan|vägen|väg|gränd|gade|vej|veien|vegen|vei|stræti|straße|strasse|str\.|weg|"
    r"laan|straat|steeg|gracht|plein|platz|allee|gasse|ring|utca|útja|ulica|cesta|ovo|ská|ová"
)
_PARTICLE = r"(?:de|da|do|dos|das|del|della|di|du|des|la|le|les|e|y|i|van|von|der|den|het|am|an|im|zum|zur)"
_CAP = r"(?-i:\p{Lu})[\p{L}'’.-]*"
_ANY_WORD = r"\p{L}[\p{L}'’.-]*"
_NUM = r"\d{1,6}[A-Za-z]?(?:[-/]\d{1,5}[A-Za-z]?)?"
_HOUSE_NUM = r"\d{1,5}[A-Za-z]?\.?"

_UNIT = (
    r"(?:apt\.?|apartment|suite|ste\.?|unit|flat|room|floor|fl\.|bldg\.?|building)[ \t]*#?[ \t]*"
    r"\d{1,5}[A-Za-z]?"
)
_POBOX = (
    r"(?:p\.?[ \t]?o\.?[ \t]?box|post(?:[ \t]+office)?[ \t]?box|postbox|postfach|apartado|caixa[ \t]+postal|"
    r"bo[iî]te[ \t]+postale|b\.?p\.?|postboks|box)[ \t]*\d{1,6}"
)
_MILITARY_FIRST = (
    r"(?:(?:psc|cmr|unit)[ \t]+\d{3,5},?[ \t]+box[ \t]+\d{3,5}|"
    r"(?:usns|uss|usnv|uscgc|usat|usav)[ \t]+\p{L}[\p{L}'’.-]*(?:[ \t]+\p{L}[\p{L}'’.-]*)?)"
)
_MILITARY_SECOND = r"(?:apo|fpo|dpo)[ \t]+(?:aa|ae|ap)[ \t]+\d{5}"

_RX_FLAGS = regex.IGNORECASE | regex.MULTILINE

# One street line, anchored where it starts. Case is ignored except where the name's words must be
# capitalised to be told from prose (the number-name-number and suffix forms).
_STREET_FORMS = [
    # '138 Consul Place', '3911 Fourth Avenue', '1668 Glyn St' (a number, capitalised words, a type)
    rf"(?<![\d,.$£€¥]){_NUM},?[ \t]+(?:{_NUM}[ \t]+)?(?:(?:{_CAP}|{_PARTICLE})[ \t]+){{0,3}}{_CAP}[ \t]+"
    rf"(?-i:{SUFFIX_TYPES})\b\.?",
    # 'ul. Chrzanowska 61', 'Rue de la Paix 3', 'Avda. Rio Nalon 58', 'C/ Señores Curas 88'
    rf"(?:{_NUM}[ \t]+)?(?:{_PREFIX_TYPES})[ \t]*(?:(?:{_ANY_WORD})[ \t]+){{0,5}}?{_HOUSE_NUM}(?![\d])",
    # '31 Rue tachkent', '69 Av Sidi Lakhmi', '33 avenue de Provence'
    rf"{_NUM},?[ \t]+(?:{_PREFIX_TYPES})[ \t]*(?:{_ANY_WORD})(?:[ \t]+{_ANY_WORD}){{0,3}}",
    # 'Kálmán Imre u. 12.', 'Luite tee 87', 'hegyalja út 98.'
    rf"(?:{_NUM}[ \t]+)?(?:{_ANY_WORD}[ \t]+){{1,3}}(?:{_POSTFIX_WORDS})[ \t]+{_HOUSE_NUM}(?![\d])",
    # 'Laukaantie 80', 'Hammarvägen 15', 'Pivovarská 276'
    rf"(?:{_NUM}[ \t]+)?(?:{_CAP}[ \t]+){{0,2}}\p{{L}}+(?:{_NAME_ENDINGS})[ \t]+{_HOUSE_NUM}(?![\d])",
    # '20789 Allika 46', '641 Dašická 688', '10963 Rua Vinte e Cinco de Setembro 1257': only where a
    # line starts (an address block) or after a cue, as '3 Apples 5' could be anything in prose
    rf"^[ \t>?*]*\K{_NUM}[ \t]+(?:{_CAP}[ \t]+(?:{_PARTICLE}[ \t]+)*){{1,4}}{_HOUSE_NUM}(?![\d:])",
]
# Each form with a cheap test of the line first (a keyword it cannot match without): one big
# alternation tried at every position of every line costs more than all the analysers' other patterns.
_GATES = [
    rf"(?-i:\b(?:{SUFFIX_TYPES})\b)",
    rf"(?<!\w)(?:{_PREFIX_TYPES})",
    rf"(?<!\w)(?:{_PREFIX_TYPES})",
    rf"(?:{_POSTFIX_WORDS})[ \t]+\d",
    rf"\p{{L}}(?:{_NAME_ENDINGS})[ \t]+\d",
    r"^[ \t>?*]*\d",
]
_STREET_PATTERNS = [
    (regex.compile(gate, _RX_FLAGS), regex.compile(form, _RX_FLAGS))
    for gate, form in zip(_GATES, _STREET_FORMS, strict=True)
]
_STREET_START = regex.compile(rf"(?:{_POBOX}|{_MILITARY_FIRST}|{'|'.join(_STREET_FORMS)})", _RX_FLAGS)
_UNIT_RX = regex.compile(_UNIT, _RX_FLAGS)
_LINE_WITH_DIGIT = regex.compile(r"^[^\n\d]*\d[^\n]*", regex.MULTILINE)
_POBOX_RX = regex.compile(rf"(?<![\w])(?:{_POBOX})\b", _RX_FLAGS)
_MILITARY_RX = regex.compile(
    rf"(?<![\w]){_MILITARY_FIRST}(?:,?[ \t]*\n?[ \t]*{_MILITARY_SECOND})?\b", _RX_FLAGS
)
_MILITARY_LINE2 = regex.compile(rf"(?<![\w]){_MILITARY_SECOND}\b", _RX_FLAGS)

# Lines that continue an address block.
_POSTAL_CODE = r"(?:\d{4,6}(?:-\d{3,4})?|\d{3}[ \t]?\d{2}|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d)"
_LOCALITY_WORDS = r"\p{L}[\p{L}'’.()-]*(?:[ \t]+\p{L}[\p{L}'’.()-]*){0,4}"
_LINE_PREFIX = r"^[ \t>?*•·-]*"
# A postal code ends its line, or the sentence goes on in lower case ('Hungary 18695? I am in ...').
_CODE_END = r"(?:[ \t,.]*$|(?=[?!;:][ \t]|[ \t]+(?-i:\p{Ll})))"
_CONTINUATIONS: list[tuple[regex.Pattern[str], str]] = [
    # 'Apt. 297', 'Suite 501'
    (regex.compile(rf"{_LINE_PREFIX}(?P<street>{_UNIT})[ \t,.]*$", _RX_FLAGS), "unit"),
    # 'APO AA 42323'
    (regex.compile(rf"{_LINE_PREFIX}(?P<street>{_MILITARY_SECOND})[ \t,.]*$", _RX_FLAGS), "postal"),
    # 'Colorado Springs, CO 70079', 'KNIVSTA, nan 12345', 'Estonia 62488', 'Cyprus (Greek) 78891'
    (
        regex.compile(
            rf"{_LINE_PREFIX}(?P<town>{_LOCALITY_WORDS})(?:,[ \t]*(?P<region>\p{{L}}{{2,3}}))?,?[ \t]+"
            rf"(?P<code>{_POSTAL_CODE}){_CODE_END}",
            _RX_FLAGS,
        ),
        "postal",
    ),
    # '12345 Town'
    (
        regex.compile(
            rf"{_LINE_PREFIX}(?P<code>{_POSTAL_CODE})[ \t]+(?P<town>{_LOCALITY_WORDS})[ \t,.]*$", _RX_FLAGS
        ),
        "postal",
    ),
    # ', CO' and ' 70079' on lines of their own
    (regex.compile(rf"{_LINE_PREFIX},[ \t]*(?P<region>\p{{L}}{{2,3}})[ \t]*$", _RX_FLAGS), "region"),
    (regex.compile(rf"{_LINE_PREFIX}(?P<code>{_POSTAL_CODE}){_CODE_END}", _RX_FLAGS), "postal"),
    # 'Riisa', 'TYSTBERGA', 'Ostrov nad Ohrí', 'AΓΛΑΝΤΖΙΑ (ΑΓΛΑΓΓΙΑ)'
    (regex.compile(rf"{_LINE_PREFIX}(?P<town>{_LOCALITY_WORDS})[ \t,.]*$", _RX_FLAGS), "town"),
]

# Cues after which an address follows.
_CUE = regex.compile(
    r"(?:\baddress(?:es)?\b(?:[ \t]+(?:is|was|will be|as|with|to|here|below))?[ \t]*[:,]?"
    r"(?:[ \t]*(?:it is|it's|they are|here they are|is)[:,]?)?"
    r"|\b(?:live|lives|living|lived|reside|resides|residing|located|situated|based|staying|stay)[ \t]+"
    r"(?:on|at|in)(?:[ \t]+the[ \t]+\w+[ \t]+side[ \t]+of)?"
    r"|\b(?:send|sent|deliver|delivered|ship|shipped|post|posted|mail|mailed|forward|forwarded|return|"
    r"returned|taxi|drive|come|go|bring|move|moved|moving)\b[^.\n?!]{0,30}?[ \t]+to"
    r"|\b(?:meet|meeting|pick(?:[ \t]+\w+)?[ \t]+up|drops?(?:[ \t]+\w+)?[ \t]+off|is|are|am|was|were)[ \t]+"
    r"(?:\w+[ \t]+)?at"
    r"|\benter[ \t]+(?:on|at|from)|\bcorner[ \t]+of|\bit'?s[ \t]+in)[ \t]*\n?[ \t]*",
    regex.IGNORECASE,
)
_RUN_TOKEN = (
    rf"(?:\d{{1,6}}[A-Za-z]?\.?|(?-i:\p{{Lu}})[\p{{L}}'’.-]*|{_PARTICLE}\b|(?:{_PREFIX_TYPES})|"
    rf"(?:{_POSTFIX_WORDS})|(?:apt|suite|unit|box)\.?)"
)
_RUN = regex.compile(
    rf"(?:the[ \t]+corner[ \t]+of[ \t]+)?{_RUN_TOKEN}"
    rf"(?:(?:[ \t]+|,[ \t]*|[ \t]+(?:and|&)[ \t]+){_RUN_TOKEN}){{0,14}}",
    regex.IGNORECASE,
)
_LOWER_RUN = regex.compile(r"\d[\w'’.-]*(?:(?:[ \t]+|,[ \t]*)[\w'’.-]+){0,14}")
_TYPE_WORD = regex.compile(
    rf"\b(?:(?-i:{SUFFIX_TYPES})|{_PREFIX_TYPES}|{_POSTFIX_WORDS}|box)(?:\b|(?<=\.))|\p{{L}}(?:{_NAME_ENDINGS})\b",
    regex.IGNORECASE,
)
_NOT_ADDRESS_START = regex.compile(
    r"(?i:\d{1,2}[:.]\d\d|\d{1,2}[ \t]*(?:am|pm|a\.m\.|p\.m\.|o'clock)\b|\d+[ \t]*(?:%|percent|per cent|"
    r"minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|times?|items?|pounds?|euros?|dollars?|gbp|usd|"
    r"eur|kg|km|miles?|people)\b|\d+(?:st|nd|rd|th)\b)"
    r"|\d{1,2}[ \t]+(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b"
    r"|(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*[ \t]+\d"
    r"|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|"
    r"July|August|September|October|November|December)\b"
)
_RUN_STOP_WORDS = frozenset(
    {"in", "after", "before", "for", "from", "if", "when", "but", "so", "or", "the", "a", "an", "this",
     "that", "is", "was", "please", "thanks", "thank", "i", "we", "you", "my", "our", "your", "his", "her",
     "their", "it", "on", "at", "by", "with", "as", "and", "st", "street"}
)  # fmt: skip

# Street lines and post boxes match the UK street recogniser's score. Lines of a block and an address
# after a cue have structure on their side, above spaCy NER's 0.7 and the name lexicon's 0.72-0.74 (street
# names are often people's names: 'Joaquin Suarez 2906'); a town in a block with a postal code stays
# below the UK town-line recogniser's 0.8.
SCORE_STREET = 0.75
SCORE_BLOCK = 0.76
SCORE_CUE = 0.76
SCORE_TOWN = 0.78


class PostalAddressRecognizer(RuleRecognizer):
    def __init__(self, language: str = "en") -> None:
        super().__init__([STREET_ADDRESS, LOCATION], language)

    def find(self, text: str, entities: list[str]) -> list[RecognizerResult]:
        found: list[tuple[int, int, str, float]] = []
        lower_text = not any(ch.isupper() for ch in text)
        found += self._street_lines(text)
        found += [(m.start(), m.end(), STREET_ADDRESS, SCORE_STREET) for m in _POBOX_RX.finditer(text)]
        found += [(m.start(), m.end(), STREET_ADDRESS, SCORE_STREET) for m in _MILITARY_RX.finditer(text)]
        found += [(m.start(), m.end(), STREET_ADDRESS, SCORE_BLOCK) for m in _MILITARY_LINE2.finditer(text)]
        found += [(m.start(), m.end(), STREET_ADDRESS, SCORE_BLOCK) for m in _UNIT_RX.finditer(text)]
        found += self._blocks(text, found)
        found += self._after_cues(text, lower_text)
        return [
            self.result(label, start, end, score)
            for start, end, label, score in found
            if label in entities and end > start
        ]

    # --- street lines anywhere ---------------------------------------------------------------------------

    def _street_lines(self, text: str) -> list[tuple[int, int, str, float]]:
        results = []
        for line in _LINE_WITH_DIGIT.finditer(text):  # every street form has a number, within one line
            a, b = line.span()
            for gate, form in _STREET_PATTERNS:
                if gate.search(text, a, b) is None:
                    continue
                for m in form.finditer(text, a, b):
                    start, end = m.span()
                    if not _word_boundary(text, start, end) or _NOT_ADDRESS_START.match(text, start):
                        continue
                    results.append((start, _trim_end(text, start, end), STREET_ADDRESS, SCORE_STREET))
        return results

    # --- address blocks ------------------------------------------------------------------------------------

    def _blocks(
        self, text: str, street_spans: list[tuple[int, int, str, float]]
    ) -> list[tuple[int, int, str, float]]:
        """Lines after a line that holds a street (or post box) and ends with it: flat, town, code."""
        results: list[tuple[int, int, str, float]] = []
        line_ends = [s[1] for s in street_spans if s[2] == STREET_ADDRESS]
        for end in sorted(set(line_ends)):
            newline = text.find("\n", end)
            if newline == -1 or text[end:newline].strip(" \t,.") != "":
                continue
            results.extend(self._continuation(text, newline + 1))
        return results

    def _continuation(self, text: str, pos: int) -> list[tuple[int, int, str, float]]:
        results: list[tuple[int, int, str, float]] = []
        blanks, lines, saw_code = 0, 0, False
        pending_towns: list[tuple[int, int, str, float]] = []
        while pos < len(text) and lines < 5:
            end = text.find("\n", pos)
            end = len(text) if end == -1 else end
            line = text[pos:end]
            if not line.strip(" \t>?*"):
                blanks += 1
                if blanks > 1:
                    break
                pos = end + 1
                continue
            kind, pieces = _classify(line, pos)
            if kind is None or len(line.split()) > 8:
                break
            if kind == "town":
                pending_towns.extend(pieces)
            else:
                results.extend(pending_towns)
                pending_towns = []
                results.extend(pieces)
                saw_code = saw_code or kind == "postal"
            lines += 1
            pos = end + 1
        # A town line counts only when the block goes on to a postal code, or it directly follows the
        # street (UK style '27 Mill Lane' / 'Leeds' is the address module's own; here it needs a code).
        if saw_code:
            return results
        return [r for r in results if r[2] == STREET_ADDRESS]

    # --- after a cue -------------------------------------------------------------------------------------

    def _after_cues(self, text: str, lower_text: bool) -> list[tuple[int, int, str, float]]:
        results = []
        for cue in _CUE.finditer(text):
            start = cue.end()
            if start >= len(text):
                continue
            corner = cue.group().lower().startswith("corner")
            rx = _LOWER_RUN if lower_text and text[start : start + 1].isdigit() else _RUN
            m = rx.match(text, start)
            if m is None or _NOT_ADDRESS_START.match(text, start):
                continue
            end = _sentence_end(text, start, m.end())
            end = _trim_run(text, start, end)
            value = text[start:end]
            if end <= start or not (any(ch.isdigit() for ch in value) or _TYPE_WORD.search(value)):
                continue
            if not corner and not (value[:1].isdigit() or _TYPE_WORD.search(value) or _has_two_parts(value)):
                continue
            if corner:
                start = _corner_start(text, start)
            results.append((start, end, STREET_ADDRESS, SCORE_CUE))
        return results


def _classify(line: str, offset: int) -> tuple[str | None, list[tuple[int, int, str, float]]]:
    for rx, kind in _CONTINUATIONS:
        m = rx.match(line)
        if m is None:
            continue
        groups = m.groupdict()
        pieces: list[tuple[int, int, str, float]] = []
        if groups.get("street"):
            pieces.append((offset + m.start("street"), offset + m.end("street"), STREET_ADDRESS, SCORE_BLOCK))
        if groups.get("town"):
            town = m.group("town")
            if _prose(town):
                return None, []
            pieces.append((offset + m.start("town"), offset + m.end("town"), LOCATION, SCORE_TOWN))
        if groups.get("region"):
            pieces.append((offset + m.start("region"), offset + m.end("region"), LOCATION, SCORE_TOWN))
        if groups.get("code"):
            pieces.append((offset + m.start("code"), offset + m.end("code"), STREET_ADDRESS, SCORE_BLOCK))
        return kind, pieces
    street = _STREET_START.match(line.lstrip(" \t>?*"))
    if street is not None:
        lead = len(line) - len(line.lstrip(" \t>?*"))
        return "unit", [(offset + lead, offset + lead + street.end(), STREET_ADDRESS, SCORE_BLOCK)]
    return None, []


def _prose(words: str) -> bool:
    """A 'town' made of ordinary lower-case words is a line of prose ('thanks a lot')."""
    parts = words.split()
    return any(p.lower() in STOP_WORDS for p in parts) and not all(p[:1].isupper() for p in parts)


def _word_boundary(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    return not (before.isalnum() or before in "£$€#/-.,")


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " \t,":
        end -= 1
    return end


def _trim_run(text: str, start: int, end: int) -> int:
    """Drop trailing words that end the address rather than belong to it ('... 12 in case', '... St.')."""
    words = list(regex.finditer(r"[^\s,]+", text[start:end]))
    while words and words[-1].group().lower().rstrip(".,?!") in _RUN_STOP_WORDS | {""}:
        words.pop()
    if not words:
        return start
    end = start + words[-1].end()
    while end > start and text[end - 1] in ".,?!":
        if text[end - 1] == "." and regex.search(r"(?:\b\w{1,4}|\d)\.$", text[start:end]):
            break  # 'u. 12.' keeps its dot; a sentence's full stop goes
        end -= 1
    return end


_ABBREVIATIONS = (
    r"st|rd|ave|av|avda|avd|ul|al|pl|os|apt|ste|no|nr|dr|ln|blvd|str|bd|fl|bldg|nám|tř|leof|mr|mrs|ms"
)
_FULL_STOP = regex.compile(rf"(?<!\b(?i:{_ABBREVIATIONS})|\b\p{{L}})[.!?](?=[ \t]+\S)")


def _sentence_end(text: str, start: int, end: int) -> int:
    """A run stops at a full stop ('... 14 Green Place. I've been ...'), except one that ends an
    abbreviation inside it ('Avda.', 'u.', 'St.')."""
    m = _FULL_STOP.search(text, start, end)
    return m.start() if m else end


def _has_two_parts(value: str) -> bool:
    """A run of capitalised words with a number somewhere: 'Joaquin Suarez 2906', 'Hoge Wei 32'."""
    return any(ch.isdigit() for ch in value) and len(value.split()) >= 2


def _corner_start(text: str, start: int) -> int:
    m = regex.search(
        r"(?:the[ \t]+)?corner[ \t]+of[ \t]+$", text[max(0, start - 20) : start], regex.IGNORECASE
    )
    return start - (len(m.group()) if m else 0)
