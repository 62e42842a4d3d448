"""Deterministic generator of synthetic UK customer emails with gold PII spans and intent labels.

Text is built by appending segments — plain text, or a (label, value) PII value — and every span is
recorded from the running offset as it is appended. Nothing is ever found by searching the final string,
so a span is exactly the value that was inserted.

Span rules (what the gold set means)
------------------------------------
- ``PERSON``: a person's name as written ("Jane Smith", "jane smith", "Tom"). Titles (Mr, Ms, Dr) are
  outside the span. The customer, a partner or relative, and staff members named in the text are all
  PERSON. The company name is not.
- ``STREET_ADDRESS`` is *one span per line*, covering the street-level part of an address on that line:
  flat or house name, house number and street ("Flat 3, 27 Mill Lane"). When the town follows the street
  on the *same* line (after ", ") it is inside that span ("27 Mill Lane, Leeds"). A line break always ends
  a span, so a flat on its own line and the street on the next are two spans.
- ``LOCATION``: a town or city standing alone — in prose ("we're in Leeds") or on its own address line,
  including a line that holds only the town and the postcode ("Leeds LS6 2QT" = LOCATION + UK_POSTCODE).
- ``UK_POSTCODE``: always its own span, never inside STREET_ADDRESS; in hard mode it may be written
  without the space or in lower case.
- Separators between parts (", ", " ", trailing commas at line ends) are never inside a span.
- ``EMAIL_ADDRESS``: the address only, never surrounding angle brackets.
- ``DATE_OF_BIRTH``: only dates stated as a date of birth. Other dates, amounts (£), times, meter readings
  and the last four digits of a card ("card ending 4242") are not PII and carry no span.
- ``CUSTOMER_REF``: account, order, case and invoice references ("NE-123456", "ORD-1234567").
- Every value comes from a synthetic source (see ``identifiers``, ``names`` and ``places``).

Determinism: the output depends only on ``seed``, ``hard``, ``company`` and ``html_ratio`` (and the
Faker version whose en_GB name tables are used). ``generate(n, seed)`` yields a prefix of
``generate(m, seed)`` for n < m.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

from . import identifiers as ids
from .labels import (
    CREDIT_CARD,
    CUSTOMER_REF,
    DATE_OF_BIRTH,
    EMAIL_ADDRESS,
    IBAN_CODE,
    INTENTS,
    IP_ADDRESS,
    LOCATION,
    PERSON,
    PHONE_NUMBER,
    STREET_ADDRESS,
    UK_BANK_ACCOUNT,
    UK_NHS,
    UK_NINO,
    UK_POSTCODE,
    UK_SORT_CODE,
)
from .message import GoldSpan, SyntheticEmail
from .names import Person, company_domain, company_ref_prefix, make_email, make_person
from .places import Address, make_address, make_town
from .templates import (
    ALSO,
    BACKSTORY,
    CLOSINGS,
    CONTACT,
    CONTEXT,
    DEVICE_FOOTERS,
    GREETINGS,
    HARD_CONTACT,
    HARD_FILLERS,
    HARD_GREETINGS,
    INTENT_TEMPLATES,
    INTROS,
    OVERSHARE,
    QUOTE,
    REF_LINES,
    SIGNOFFS,
    SUBJECT_PREFIXES,
    VERIFY,
    Template,
)

__all__ = ["generate"]

Segment = str | tuple[str, str]  # plain text, or (label, value)
Segments = tuple[Segment, ...]

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_MONTHS_SHORT = tuple(m[:3] for m in _MONTHS)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_YEARS = (
    "two years",
    "over five years",
    "nearly 10 years",
    "about 15 years",
    "more than 20 years",
    "18 months",
)
_DAYS = ("two weeks", "10 days", "three weeks", "over a month", "a fortnight", "nearly three weeks")
_PRODUCTS = (
    "smart thermostat", "home energy display", "welcome pack", "replacement meter display",
    "smart energy monitor", "car charging cable", "smart plug bundle",
)  # fmt: skip
_PLANS = (
    "HomeCare",
    "Boiler Cover",
    "Energy Insights",
    "Appliance Cover",
    "SmartSaver Plus",
    "Premium Support",
)
_TARIFFS = (
    "Fixed Saver 12M",
    "Green Fixed",
    "Standard Variable",
    "Economy 7",
    "EV Overnight",
    "Flex Tracker",
)
_BANKS = ("Barclays", "Lloyds", "NatWest", "HSBC", "Santander", "Nationwide", "Monzo", "Starling", "Halifax")
_SORT_STYLES = ("-", "-", " ", "")
_DAYS_OF_MONTH = ("1st", "5th", "10th", "15th", "20th", "28th")
_FEMALE_REL = ("wife", "partner", "girlfriend", "mum", "daughter", "sister")
_MALE_REL = ("husband", "partner", "boyfriend", "dad", "son", "brother")
_FEMALE_KIN = ("mother", "mum", "wife", "aunt", "grandmother")
_MALE_KIN = ("father", "dad", "husband", "uncle", "grandfather")
_BASE_TIME = datetime(2024, 1, 1, tzinfo=UTC)
_SPAN_DAYS = 730


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


class _Body:
    """Text under construction; records a GoldSpan for every PII segment as it is appended."""

    __slots__ = ("parts", "pos", "spans")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.spans: list[GoldSpan] = []

    def add(self, seg: Segment) -> None:
        if isinstance(seg, str):
            self.parts.append(seg)
            self.pos += len(seg)
        else:
            label, value = seg
            end = self.pos + len(value)
            self.spans.append(GoldSpan(self.pos, end, label))
            self.parts.append(value)
            self.pos = end

    def extend(self, segs: Segments) -> None:
        for seg in segs:
            self.add(seg)

    def text(self) -> str:
        return "".join(self.parts)


class _Draft:
    """One email being written: its people, places and identifiers, created on first use and reused."""

    def __init__(self, gen: _Generator, rng: random.Random) -> None:
        self.gen = gen
        self.rng = rng
        self.hard: bool = gen.hard
        self.lower: bool = gen.hard and rng.random() < 0.3
        self.person: Person = make_person(rng, hard=self.hard)
        self.cache: dict[str, Segments] = {}
        self._partner: tuple[Person, str] | None = None
        self._kin: tuple[Person, str] | None = None
        self._agent: Person | None = None
        self._home: Address | None = None
        self._previous: Address | None = None
        self._email: str | None = None
        self._phone_mobile: bool = rng.random() < 0.75
        styles = ids.PHONE_STYLES_HARD if self.hard else ids.PHONE_STYLES_EASY
        self._phone_style = styles[rng.randrange(len(styles))]

    # -- slots --------------------------------------------------------------------------------------------

    def slot(self, name: str) -> Segments:
        """The slot's segments; a person, place or identifier is made once and reused within the email."""
        if name in _FRESH:
            return _SLOTS[name](self)
        segs = self.cache.get(name)
        if segs is None:
            segs = self.cache[name] = _SLOTS[name](self)
        return segs

    def render(self, body: _Body, tpl: Template) -> None:
        for literal, slot in tpl.parts:
            if literal:
                body.add(literal)
            if slot is not None:
                body.extend(self.slot(slot))

    # -- people --------------------------------------------------------------------------------------------

    def pname(self, name: str) -> tuple[str, str]:
        return (PERSON, name.lower() if self.lower else name)

    def partner(self) -> tuple[Person, str]:
        if self._partner is None:
            rng = self.rng
            last = self.person.last if rng.random() < 0.6 else None
            p = make_person(rng, hard=self.hard, last=last)
            rel = rng.choice(_FEMALE_REL if p.female else _MALE_REL)
            self._partner = (p, rel)
        return self._partner

    def kin(self) -> tuple[Person, str]:
        if self._kin is None:
            rng = self.rng
            p = make_person(rng, hard=self.hard, last=self.person.last if rng.random() < 0.7 else None)
            self._kin = (p, rng.choice(_FEMALE_KIN if p.female else _MALE_KIN))
        return self._kin

    def agent(self) -> Person:
        if self._agent is None:
            self._agent = make_person(self.rng, hard=self.hard)
        return self._agent

    def email(self) -> str:
        if self._email is None:
            self._email = make_email(self.rng, self.person)
        return self._email

    # -- places --------------------------------------------------------------------------------------------

    def home(self) -> Address:
        if self._home is None:
            self._home = make_address(self.rng, hard=self.hard)
        return self._home

    def previous(self) -> Address:
        if self._previous is None:
            self._previous = make_address(self.rng, hard=self.hard)
        return self._previous

    def postcode(self, pc: str) -> tuple[str, str]:
        if self.hard:
            r = self.rng.random()
            if r < 0.3:
                pc = pc.replace(" ", "")
            elif r < 0.45:
                pc = pc.lower()
            elif r < 0.55:
                pc = pc.replace(" ", "").lower()
        return (UK_POSTCODE, pc)

    def street_part(self, a: Address) -> str:
        return f"{a.flat}, {a.street_line}" if a.flat else a.street_line

    def inline_address(self, a: Address) -> Segments:
        rng = self.rng
        line = self.street_part(a)
        r = rng.random()
        if r < 0.75:
            line += ", " + a.town
        segs: list[Segment] = [(STREET_ADDRESS, line)]
        if r < 0.9:
            segs.append(", " if rng.random() < 0.5 else " ")
            segs.append(self.postcode(a.postcode))
        return tuple(segs)

    def address_block(self, a: Address, *, lead: str = "\n") -> Segments:
        """A multi-line address: one STREET_ADDRESS span per street line; see the module docstring."""
        rng = self.rng
        comma = "," if rng.random() < 0.25 else ""
        lines: list[Segments] = []
        if a.flat and rng.random() < 0.6:
            lines.append(((STREET_ADDRESS, a.flat),))
            street = a.street_line
        else:
            street = self.street_part(a)
        style = rng.randrange(3)
        if style == 0:  # street / town / postcode
            lines += [((STREET_ADDRESS, street),), ((LOCATION, a.town),), (self.postcode(a.postcode),)]
        elif style == 1:  # street / town postcode
            lines += [((STREET_ADDRESS, street),), ((LOCATION, a.town), " ", self.postcode(a.postcode))]
        else:  # street, town / postcode
            lines += [((STREET_ADDRESS, f"{street}, {a.town}"),), (self.postcode(a.postcode),)]
        segs: list[Segment] = [lead]
        for i, line in enumerate(lines):
            if i:
                segs.append(comma + "\n")
            segs.extend(line)
        return tuple(segs)

    # -- identifiers ---------------------------------------------------------------------------------------

    def phone(self, *, mobile: bool, style: str | None = None) -> tuple[str, str]:
        return (PHONE_NUMBER, ids.make_phone(self.rng, mobile=mobile, style=style or self._phone_style))

    def date_text(self) -> str:
        rng = self.rng
        y, m, d = rng.choice((2024, 2025)), rng.randrange(12), rng.randrange(1, 29)
        r = rng.randrange(6)
        if r == 0:
            return f"{d} {_MONTHS[m]}"
        if r == 1:
            return f"{_ordinal(d)} {_MONTHS[m]}"
        if r == 2:
            return f"{d:02d}/{m + 1:02d}/{y}"
        if r == 3:
            return f"{_WEEKDAYS[date(y, m + 1, d).weekday()]} {d} {_MONTHS[m]}"
        if r == 4:
            return f"{d} {_MONTHS[m]} {y}"
        return f"the {_ordinal(d)}"

    def date_time_text(self) -> str:
        rng = self.rng
        day, month = rng.randrange(1, 29), _MONTHS[rng.randrange(12)]
        return f"{day} {month} 2024, at {rng.randrange(8, 18)}:{rng.randrange(60):02d}"

    def dob_text(self) -> str:
        rng = self.rng
        y, m, d = rng.randrange(1940, 2006), rng.randrange(1, 13), rng.randrange(1, 29)
        r = rng.randrange(7 if self.hard else 4)
        if r == 0:
            return f"{d:02d}/{m:02d}/{y}"
        if r == 1:
            return f"{d} {_MONTHS[m - 1]} {y}"
        if r == 2:
            return f"{_ordinal(d)} {_MONTHS[m - 1]} {y}"
        if r == 3:
            return f"{d}/{m}/{y}"
        if r == 4:
            return f"{y}-{m:02d}-{d:02d}"
        if r == 5:
            return f"{d:02d}.{m:02d}.{y % 100:02d}"
        return f"{d} {_MONTHS_SHORT[m - 1]} {y}"

    def amount_text(self) -> str:
        rng = self.rng
        if rng.random() < 0.2:
            return f"£{rng.randrange(5, 300)}"
        value = rng.randrange(500, 150_000) / 100
        return f"£{value:,.2f}"

    def ref(self, kind: str) -> str:
        rng = self.rng
        if kind == "account":
            sep = "" if self.hard and rng.random() < 0.3 else "-"
            return f"{self.gen.ref_prefix}{sep}{rng.randrange(100_000, 1_000_000)}"
        if kind == "order":
            return f"ORD-{rng.randrange(1_000_000, 10_000_000)}"
        if kind == "case":
            return f"CAS-{rng.randrange(100_000, 1_000_000)}"
        return f"INV-{rng.randrange(10_000_000, 100_000_000)}"


def _pii(label: str, make: Callable[[_Draft], str]) -> Callable[[_Draft], Segments]:
    return lambda d: ((label, make(d)),)


def _text(make: Callable[[_Draft], str]) -> Callable[[_Draft], Segments]:
    return lambda d: (make(d),)


def _pick(options: tuple[str, ...]) -> Callable[[_Draft], Segments]:
    return lambda d: (options[d.rng.randrange(len(options))],)


def _agent_titled(d: _Draft) -> Segments:
    a = d.agent()
    return (a.title(d.rng) + " ", d.pname(a.full))


def _nino(d: _Draft) -> str:
    spaced = d.hard and d.rng.random() < 0.6
    return ids.make_nino(d.rng, spaced=spaced, lower=d.hard and d.rng.random() < 0.15)


def _card(d: _Draft) -> str:
    return ids.make_card(d.rng, separator=d.rng.choice((" ", " ", "", "-")))


_SLOTS: dict[str, Callable[[_Draft], Segments]] = {
    # people
    "name": lambda d: (d.pname(d.person.full),),
    "first": lambda d: (d.pname(d.person.first),),
    "partner": lambda d: (d.pname(d.partner()[0].full if d.rng.random() < 0.7 else d.partner()[0].first),),
    "rel": lambda d: (d.partner()[1],),
    "kin": lambda d: (d.pname(d.kin()[0].full),),
    "kin_rel": lambda d: (d.kin()[1],),
    "agent": lambda d: (d.pname(d.agent().first),),
    "agent_titled": _agent_titled,
    # references
    "ref": _pii(CUSTOMER_REF, lambda d: d.ref("account")),
    "order": _pii(CUSTOMER_REF, lambda d: d.ref("order")),
    "case": _pii(CUSTOMER_REF, lambda d: d.ref("case")),
    "invoice": _pii(CUSTOMER_REF, lambda d: d.ref("invoice")),
    # contact
    "email": _pii(EMAIL_ADDRESS, lambda d: d.email()),
    "alt_email": _pii(EMAIL_ADDRESS, lambda d: make_email(d.rng, d.person)),
    "phone": lambda d: (d.phone(mobile=d._phone_mobile),),
    "alt_phone": lambda d: (d.phone(mobile=True),),
    "landline": lambda d: (d.phone(mobile=False),),
    # places
    "address": lambda d: d.inline_address(d.home()),
    "new_address": lambda d: d.inline_address(d.home()),
    "old_address": lambda d: d.inline_address(d.previous()),
    "address_block": lambda d: d.address_block(d.home()),
    "new_address_block": lambda d: d.address_block(d.home()),
    "street_line": lambda d: ((STREET_ADDRESS, d.street_part(d.home())),),
    "postcode": lambda d: (d.postcode(d.home().postcode),),
    "town": lambda d: ((LOCATION, d.home().town),),
    "away_town": lambda d: ((LOCATION, make_town(d.rng, hard=d.hard)[0]),),
    # identifiers
    "dob": _pii(DATE_OF_BIRTH, _Draft.dob_text),
    "nino": _pii(UK_NINO, _nino),
    "nhs": _pii(UK_NHS, lambda d: ids.make_nhs(d.rng, spaced=d.rng.random() < 0.7)),
    "sort_code": _pii(
        UK_SORT_CODE, lambda d: ids.make_sort_code(d.rng, style=d.rng.choice(("-", "-", " ", "")))
    ),
    "account_no": _pii(UK_BANK_ACCOUNT, lambda d: ids.make_account_number(d.rng)),
    "iban": _pii(IBAN_CODE, lambda d: ids.make_gb_iban(d.rng, grouped=d.rng.random() < 0.6)),
    "card": _pii(CREDIT_CARD, _card),
    "ip": _pii(IP_ADDRESS, lambda d: ids.make_ip(d.rng, v6=d.rng.random() < 0.1)),
    # not PII
    "last4": _text(lambda d: f"{d.rng.randrange(10_000):04d}"),
    "amount": _text(_Draft.amount_text),
    "amount2": _text(_Draft.amount_text),
    "date": _text(_Draft.date_text),
    "date2": _text(_Draft.date_text),
    "move_date": _text(_Draft.date_text),
    "date_full": _text(
        lambda d: (
            f"{d.rng.randrange(1, 29)} {_MONTHS[d.rng.randrange(12)]} 2024, at {d.rng.randrange(8, 18)}:"
            f"{d.rng.randrange(60):02d}"
        )
    ),
    "weekday": _pick(_WEEKDAYS[:6]),
    "month": _pick(_MONTHS),
    "years": _pick(_YEARS),
    "days": _pick(_DAYS),
    "minutes": _text(lambda d: str(d.rng.randrange(20, 95))),
    "company": lambda d: (d.gen.company,),
    "team": lambda d: (d.gen.team,),
    "product": _pick(_PRODUCTS),
    "plan": _pick(_PLANS),
    "tariff": _pick(_TARIFFS),
    "bank": _pick(_BANKS),
    "day_of_month": _pick(_DAYS_OF_MONTH),
}


# Plain-text slots drawn afresh at every use (two dates in one email differ); all others are reused.
_FRESH = frozenset({"date", "date2", "date_full", "amount", "amount2", "minutes", "days", "away_town"})


# Slots a subject may introduce on its own; any other slot must already be in the body.
_SUBJECT_FREE_SLOTS = frozenset({"ref", "name", "order", "case", "invoice", "month", "plan", "product"})


class _Generator:
    def __init__(self, seed: int, *, hard: bool, company: str, html_ratio: float) -> None:
        # A string seed is hashed with SHA-512 (stable across runs and platforms); mixing in the mode and
        # company keeps the streams - and so the Message-IDs - of different corpora apart.
        self.rng = random.Random(f"scrubdesk-synthetic:{seed}:{int(hard)}:{company}")
        self.hard: bool = hard
        self.company: str = company
        self.team: str = (company.split() or [company])[0]
        self.domain = company_domain(company)
        self.support_addr = f"support@{self.domain}"
        self.ref_prefix = company_ref_prefix(company)
        self.html_ratio = html_ratio
        self._bag: list[str] = []

    def next_intent(self) -> str:
        # Shuffled blocks of all intents: exact balance in every block of len(INTENTS) messages.
        if not self._bag:
            self._bag = list(INTENTS)
            self.rng.shuffle(self._bag)
        return self._bag.pop()

    def make(self, index: int) -> SyntheticEmail:
        rng = self.rng
        intent = self.next_intent()
        d = _Draft(self, rng)
        hard = self.hard
        tpls = INTENT_TEMPLATES[intent]

        # ---- paragraphs of sentences
        p1: list[Template] = []
        intro_p = 0.1 if hard else 0.3
        if rng.random() < intro_p:
            p1.append(_choice(rng, INTROS))
        p1.append(_choice(rng, tpls.openers))
        if rng.random() < 0.35:
            p1.append(_choice(rng, CONTEXT))
        p2: list[Template] = list(rng.sample(tpls.details, rng.choice((0, 1, 1, 2, 2, 3))))
        used = {slot for tpl in (*p1, *p2) for slot in tpl.slots}
        if "ref" not in used and rng.random() < 0.3:
            p2.append(_choice(rng, REF_LINES))
        if "dob" not in used and rng.random() < 0.2:
            p2.append(_choice(rng, VERIFY))
        if rng.random() < 0.3:
            p2.append(_choice(rng, HARD_CONTACT if hard and rng.random() < 0.5 else CONTACT))
        if rng.random() < (0.25 if hard else 0.06):
            extra = _choice(rng, OVERSHARE)
            if not extra.slots & {slot for tpl in (*p1, *p2) for slot in tpl.slots}:
                p2.append(extra)
        if hard and rng.random() < 0.5:
            p2.append(_choice(rng, HARD_FILLERS))
        p_story: list[Template] = []
        if rng.random() < 0.3:
            p_story = rng.sample(BACKSTORY, rng.choice((1, 2, 2, 3)))
        p3: list[Template] = [_choice(rng, tpls.asks)]
        if rng.random() < 0.12:
            p3.append(_choice(rng, ALSO))
        if rng.random() < 0.45 and not p3[0].parts[0][0].startswith("Thank"):
            p3.append(_choice(rng, CLOSINGS))
        # blocks end their paragraph: put them last
        p2.sort(key=lambda t: t.block)

        body = _Body()
        if rng.random() < 0.9:
            greeting = (
                _choice(rng, HARD_GREETINGS) if hard and rng.random() < 0.35 else _choice(rng, GREETINGS)
            )
            d.render(body, greeting)
            body.add("\n\n")
        first_para = True
        for para in (p1, p2, p_story, p3) if rng.random() < 0.5 else (p1, p_story, p2, p3):
            if not para:
                continue
            if not first_para:
                body.add("\n\n")
            first_para = False
            for i, tpl in enumerate(para):
                if i:
                    body.add("\n\n" if para[i - 1].block else " ")
                d.render(body, tpl)

        # ---- sign-off and signature
        signoff = SIGNOFFS[rng.randrange(len(SIGNOFFS))]
        body.add("\n\n" + signoff + "\n")
        person = d.person
        sig_name = person.full if rng.random() < 0.75 else person.first
        sig = d.pname(sig_name)
        body.add(sig)
        from_name = sig[1]
        r = rng.random()
        if r < 0.3:
            body.add("\n" + rng.choice(("", "", "Tel: ", "Mob: ", "M: ")))
            body.extend(d.slot("phone"))
        if rng.random() < (0.3 if hard else 0.15):
            body.extend(d.address_block(d.home()))
        if rng.random() < 0.08:
            body.add("\nAccount: ")
            body.extend(d.slot("ref"))
        if hard and rng.random() < 0.15:
            body.add("\n<")
            body.extend(d.slot("email"))
            body.add(">")
        if rng.random() < 0.1:
            body.add("\n\n" + DEVICE_FOOTERS[rng.randrange(len(DEVICE_FOOTERS))])
        if rng.random() < 0.08:
            body.add("\n\n")
            d.render(body, QUOTE[0])

        # ---- subject (rendered after the body so it reuses the body's values)
        subj = _Body()
        # a subject may only name what the body is about (no "late father" unless the body says so)
        subjects = [t for t in tpls.subjects if t.slots <= _SUBJECT_FREE_SLOTS or t.slots <= d.cache.keys()]
        subject_tpl = _choice(rng, tuple(subjects))
        if rng.random() < 0.1 and not subject_tpl.parts[0][0].lower().startswith("re:"):
            subj.add(SUBJECT_PREFIXES[rng.randrange(len(SUBJECT_PREFIXES))])
        d.render(subj, subject_tpl)
        subject = subj.text()
        subject_spans = tuple(subj.spans)
        if hard and rng.random() < 0.1:
            subject = subject.lower()  # lower-casing keeps every offset

        sent_at = _BASE_TIME + timedelta(
            days=rng.randrange(_SPAN_DAYS), seconds=rng.randrange(6 * 3600, 23 * 3600 + 3599)
        )
        from_addr = d.email()
        domain = from_addr.rsplit("@", 1)[1]
        message_id = f"<{index:x}.{rng.getrandbits(60):015x}@{domain}>"
        return SyntheticEmail(
            message_id=message_id,
            sent_at=sent_at,
            from_name=from_name,
            from_addr=from_addr,
            to_addr=self.support_addr,
            subject=subject,
            body=body.text(),
            intent=intent,
            spans=tuple(body.spans),
            subject_spans=subject_spans,
            html_alternative=rng.random() < self.html_ratio,
        )


def _choice(rng: random.Random, seq: tuple[Template, ...]) -> Template:
    return seq[rng.randrange(len(seq))]


def generate(
    n: int,
    seed: int = 0,
    *,
    hard: bool = False,
    company: str = "Northwind Energy",
    html_ratio: float = 0.2,
) -> Iterator[SyntheticEmail]:
    """Yield ``n`` synthetic customer emails, deterministically from ``seed``.

    ``hard`` makes a harder gold set for the PII engine (word-like surnames, lower-case names, first
    names alone, multi-line addresses, unusual postcode/phone/NINO formats, emails in angle brackets).
    ``html_ratio`` is the share of messages whose ``to_bytes()`` adds an HTML alternative part.
    Intents come in shuffled blocks, so every run of ``len(INTENTS)`` messages holds each intent once.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    if not 0.0 <= html_ratio <= 1.0:
        raise ValueError("html_ratio must be between 0 and 1")
    gen = _Generator(seed, hard=hard, company=company, html_ratio=html_ratio)
    for index in range(n):
        yield gen.make(index)
