"""The demo archive in memory: cases, posts, write-offs, remarks and documents.

:class:`Planner` builds a year of records for the demo organisation (:func:`load_org`) from the
templates in :mod:`core.demo.catalog`; :mod:`core.demo.bulk` numbers and writes them. See
:mod:`core.demo.records` for what the demo contains.
"""

from __future__ import annotations

import random
import re
from bisect import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from itertools import accumulate
from typing import Generic, TypeVar

from core import roles
from core.archive import numbering
from core.demo import catalog as cat
from core.demo import documents as demo_documents
from core.tables import Leadership, Person, PersonRole, Unit
from core.timeutil import OSLO

T = TypeVar("T")

BASE_POSTS = 4500
"""Journal posts in the base demo data."""
OPEN_SHARE = 0.2
"""Share of the internal recipients of I/N posts that stay open (restanser)."""
FRESH_DAYS = 10
"""Restanser younger than this are still being handled: they stay open in every unit."""
UNIQUE_DOC_DAYS = 14
"""Base data: posts this recent (and all open restanser, R and F posts) get their own PDF with
their title and number; older posts share one PDF per kind of document."""
KOMMUNE = "Verdal kommune"

HANDLER_CASE_SKEW = (1.8, 1.4, 1.2)
"""Case assignment weight of a unit's first handlers (others 1)."""
HANDLER_RESTANSE_SKEW = (4.0, 2.5, 1.8)
"""How much likelier the first handlers keep a restanse open (others 1): someone to mail."""
FORDELING_UNITS = (
    ("LMA", 6),
    ("TDR", 4),
    ("RAD-V", 3),
    ("HJTJ VK", 3),
    ("KTJ VK", 2),
    ("GDO", 2),
    ("SUV", 2),
    ("BODA", 2),
    ("GARNES", 2),
    ("INST VK", 2),
)
"""Base data: units with incoming post *Til fordeling*, and how many posts each."""
FORDELING_AGES = (0, 0, 1, 2, 4, 7)
"""Days since registration of the posts *Til fordeling* of one unit (some from today)."""

# --- The organisation -----------------------------------------------------------------------


@dataclass
class OrgUnit:
    id: int
    code: str
    name: str
    leader: int | None
    handlers: list[int]
    profile: cat.UnitProfile


@dataclass
class Org:
    units: list[OrgUnit]
    by_code: dict[str, OrgUnit]
    by_id: dict[int, OrgUnit]
    archive: list[int]
    names: dict[int, str]


async def load_org() -> Org:
    """The units with their leader and handlers (in creation order), and the archive staff."""
    units = await Unit.select(Unit.id, Unit.code, Unit.name).where(Unit.active.eq(True)).order_by(Unit.id)
    people = (
        await Person.select(Person.id, Person.name, Person.unit)
        .where(Person.active.eq(True))
        .order_by(Person.id)
    )
    leaders = {r["unit"]: r["person"] for r in await Leadership.select(Leadership.unit, Leadership.person)}
    archive = [
        r["person"]
        for r in await PersonRole.select(PersonRole.person)
        .where(PersonRole.role == roles.ARKIV)
        .order_by(PersonRole.person)
    ]
    special = set(archive)
    special |= {
        r["person"]
        for r in await PersonRole.select(PersonRole.person).where(
            PersonRole.role.is_in([roles.LONN, roles.IKT])
        )
    }
    members: dict[int, list[int]] = defaultdict(list)
    for p in people:
        if p["unit"] is not None and p["id"] not in special:
            members[p["unit"]].append(p["id"])
    org_units = []
    for u in units:
        leader = leaders.get(u["id"])
        handlers = [pid for pid in members[u["id"]] if pid != leader]
        if not handlers:
            if leader is None:
                continue
            handlers = [leader]
        org_units.append(
            OrgUnit(
                id=u["id"],
                code=u["code"],
                name=u["name"],
                leader=leader,
                handlers=handlers,
                profile=cat.UNIT_PROFILES.get(u["code"], cat.DEFAULT_PROFILE),
            )
        )
    if not archive:
        archive = [org_units[0].leader or org_units[0].handlers[0]] if org_units else []
    return Org(
        units=org_units,
        by_code={u.code: u for u in org_units},
        by_id={u.id: u for u in org_units},
        archive=archive,
        names={p["id"]: p["name"] for p in people},
    )


# --- The plan: plain objects, numbered and written later ----------------------------------------


@dataclass(slots=True)
class Party:
    navn: str
    postadresse: str = ""
    postnummer: str = ""
    poststed: str = ""
    epost: str = ""


@dataclass(slots=True)
class WriteOff:
    dato: date
    by: int | None
    how: str
    answer: Post | None = None


@dataclass(slots=True)
class Part:
    type: str
    intern: bool
    party: Party | None = None
    unit: int | None = None
    handler: int | None = None
    fordelt: datetime | None = None
    forelopig: date | None = None
    forelopig_post: Post | None = None
    """The outgoing letter (U) that was the foreløpig svar, when the demo wrote one."""
    writeoff: WriteOff | None = None
    id: int = 0


@dataclass(slots=True)
class Doc:
    tittel: str
    role: str
    """``H`` or ``V``."""
    versions: list[tuple[str, bytes]]
    """(format, content) per version, oldest first."""
    filnavn: str


@dataclass(slots=True)
class Post:
    case: Case
    seq: int
    type: str
    tittel: str
    offentlig: str
    dato: date
    minute: int
    unit: int | None
    handler: int | None
    created_by: int | None
    restricted: str
    hjemmel: str
    status: str = "J"
    forfall: date | None = None
    dokdato: date | None = None
    parts: list[Part] = field(default_factory=list)
    docs: list[Doc] = field(default_factory=list)
    generic: str = ""
    """The step's title without specifics (names the shared document)."""
    attach: tuple[str, ...] = ()
    sent_minutes: int = 0
    id: int = 0
    jpnr: int = 0
    journal_nr: int = 0


@dataclass(slots=True)
class Case:
    seq: int
    unit: OrgUnit
    handler: int | None
    template: cat.CaseTemplate
    values: Values
    masked: Masked
    tittel: str
    offentlig: str
    restricted: str
    hjemmel: str
    saksdato: date
    minute: int
    created_by: int | None
    party: Party
    party_kind: str = ""
    posts: list[Post] = field(default_factory=list)
    status: str = "B"
    closed: date | None = None
    last_n: tuple[Post, list[Part]] | None = None
    id: int = 0
    nr: int = 0


@dataclass(slots=True)
class Remark:
    text: str
    type: str
    dato: date
    by: int | None
    case: Case | None = None
    post: Post | None = None


_BRACES = re.compile(r"\s*[–-]?\s*\{[^}]+\}")


@cache
def _generic(title: str) -> str:
    """A template title without its placeholders: ``Søknad om rammetillatelse – {eiendom}`` →
    ``Søknad om rammetillatelse``."""
    text = _BRACES.sub("", title).strip(" –-")
    return (text[:1].upper() + text[1:]) or "Dokument"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _public_title(template: str, values: dict[str, str], masked: dict[str, str]) -> str:
    """The offentlig tittel of a restricted record: names replaced by ``*****``; in a title
    without a name every specific part is hidden (``Juridisk notat – *****``)."""
    public = _capital(template.format_map(masked))
    if cat.MASK in public or "{" not in template:
        return public
    return _capital(template.format_map(_ALL_MASKED))


class _AllMasked(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return cat.MASK


_ALL_MASKED = _AllMasked()


def _ascii(text: str) -> str:
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "aa", "é": "e", " ": ".", "-": "."})
    return re.sub(r"[^a-z0-9.]", "", text.lower().translate(table)).strip(".")


class Weighted(Generic[T]):
    """A weighted choice with the cumulative weights computed once."""

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cumulative = list(accumulate(weights))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect(self.cumulative, rng.random() * self.total)]


class Values(dict[str, str]):
    """A case's placeholder values, made when a title first asks for them (most templates
    use two or three of the dozen placeholders)."""

    def __init__(
        self,
        planner: Planner,
        unit: OrgUnit,
        template: cat.CaseTemplate,
        day: date,
        parent: Values | None = None,
    ) -> None:
        super().__init__()
        self.planner, self.unit, self.template, self.day, self.parent = planner, unit, template, day, parent

    def __missing__(self, key: str) -> str:
        if self.parent is not None:
            value = self.parent[key]
        elif key in self.template.choices:
            value = self.planner.rng.choice(self.template.choices[key]).format_map(self)
        else:
            value = self.planner.value(key, self.unit, self.day)
        self[key] = value
        return value


class Masked(dict[str, str]):
    """The values for the public title: screened placeholders become ``*****``."""

    def __init__(self, values: Values, extra: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.source, self.hidden = values, cat.MASKED_KEYS | extra

    def __missing__(self, key: str) -> str:
        return cat.MASK if key in self.hidden else self.source[key]


class Planner:
    """Builds cases, posts, write-offs and remarks in memory for a target number of posts."""

    def __init__(self, org: Org, rng: random.Random, *, day: date, at: datetime, unique_docs: bool) -> None:
        self.org = org
        self.rng = rng
        self.today = day
        self.now = at
        self.unique_docs = unique_docs
        self.cases: list[Case] = []
        self.remarks: list[Remark] = []
        self.posts = 0
        self.limit = 0
        self._ts_cache: dict[date, datetime] = {}
        self._units = Weighted(org.units, [u.profile.volume for u in org.units])
        self._templates: dict[int, Weighted[cat.CaseTemplate]] = {}
        self._handlers: dict[int, Weighted[int]] = {}
        for u in org.units:
            templates: list[cat.CaseTemplate] = []
            weights: list[float] = []
            for domain, dw in u.profile.domains.items():
                group = cat.DOMAINS[domain]
                total = sum(t.weight for t in group)
                for t in group:
                    templates.append(t)
                    weights.append(dw * t.weight / total)
            self._templates[u.id] = Weighted(templates, weights)
            skew = [
                HANDLER_CASE_SKEW[i] if i < len(HANDLER_CASE_SKEW) else 1.0 for i in range(len(u.handlers))
            ]
            self._handlers[u.id] = Weighted(u.handlers, skew)

    # -- small helpers

    def ts(self, day: date, minute: int) -> datetime:
        """Local time ``minute`` after midnight on ``day`` as a UTC timestamp, never in the future."""
        base = self._ts_cache.get(day)
        if base is None:
            offset = datetime(day.year, day.month, day.day, 12, tzinfo=OSLO).utcoffset() or timedelta()
            base = datetime(day.year, day.month, day.day, tzinfo=UTC) - offset
            self._ts_cache[day] = base
        stamp = base + timedelta(minutes=minute)
        if stamp > self.now:
            stamp = self.now - timedelta(minutes=1 + minute % 37)
        return stamp

    def workday(self, day: date) -> date:
        """Past dates that fall on a weekend move back to Friday (the post was registered then)."""
        if day < self.today and day.weekday() >= 5:
            return day - timedelta(days=day.weekday() - 4)
        return day

    def handler_in(self, unit: OrgUnit) -> int:
        handlers = unit.handlers
        if len(handlers) == 1:
            if unit.leader is not None and unit.leader != handlers[0] and self.rng.random() < 0.25:
                return unit.leader
            return handlers[0]
        return self._handlers[unit.id].pick(self.rng)

    def archive_person(self) -> int | None:
        return self.rng.choice(self.org.archive) if self.org.archive else None

    def person_name(self, child: bool = False) -> str:
        first = self.rng.choice(cat.CHILD_FIRST if child else cat.FIRST)
        return f"{first} {self.rng.choice(cat.LAST)}"

    def address(self) -> tuple[str, str, str]:
        nummer, sted = self.rng.choice(cat.POSTSTEDER)
        return f"{self.rng.choice(cat.STREETS)} {self.rng.randint(1, 80)}", nummer, sted

    def value(self, key: str, unit: OrgUnit, day: date) -> str:
        """A fresh value for a placeholder (see :mod:`core.demo.catalog`)."""
        rng = self.rng
        if key == "eiendom":
            return f"gnr. {1 + int(rng.random() * 320)} bnr. {1 + int(rng.random() * 140)}"
        if key == "adresse":
            return f"{rng.choice(cat.STREETS)} {1 + int(rng.random() * 80)}"
        simple = {
            "veg": cat.STREETS,
            "sted": cat.PLACES,
            "firma": cat.COMPANIES,
            "lag": cat.ASSOCIATIONS,
        }.get(key)
        if simple is not None:
            return _capital(rng.choice(simple))
        if key in ("aar", "aar2", "aar5"):
            return str(day.year + {"aar": 0, "aar2": 1, "aar5": 4}[key])
        if key == "uke":
            return str(day.isocalendar().week)
        if key == "enhet":
            return unit.name
        if key in ("navn", "barn"):
            return self.person_name(child=key == "barn")
        raise KeyError(key)

    def party(self, kind: str, values: dict[str, str] | None = None) -> Party:
        rng = self.rng
        if kind == "stat":
            navn, adresse, nummer, sted = rng.choice(cat.AGENCIES)
            return Party(navn, adresse, nummer, sted, f"postmottak@{_ascii(navn.split()[0])}.example")
        adresse, nummer, sted = self.address()
        if kind == "firma":
            navn = values["firma"] if values else rng.choice(cat.COMPANIES)
            return Party(navn, adresse, nummer, sted, f"post@{_ascii(navn.removesuffix(' AS'))}.example")
        if kind == "lag":
            navn = _capital(rng.choice(cat.ASSOCIATIONS))
            return Party(
                navn, adresse, nummer, sted, f"styret@{_ascii(navn)}.example" if rng.random() < 0.5 else ""
            )
        if kind == "avis":
            person = self.person_name()
            avis = rng.choice(cat.PRESS)
            return Party(f"{avis} v/ {person}", "", "", "", f"{_ascii(person)}@{_ascii(avis)}.example")
        if values is not None and kind == "person":
            navn = values["navn"]
        elif values is not None and kind == "forelder":
            navn = f"{rng.choice(cat.FIRST)} {values['barn'].split()[-1]}"
        else:
            navn = self.person_name()
        epost = f"{_ascii(navn)}@epost.example" if rng.random() < 0.4 else ""
        return Party(navn, adresse, nummer, sted, epost)

    # -- cases

    def new_case(self, unit: OrgUnit, template: cat.CaseTemplate, saksdato: date) -> Case:
        rng = self.rng
        values = Values(self, unit, template, saksdato)
        masked = Masked(values)
        tittel = _capital(template.title.format_map(values))
        offentlig = _public_title(template.title, values, masked) if template.restricted else ""
        first = template.steps[0]
        handler = self.handler_in(unit)
        case = Case(
            seq=len(self.cases),
            unit=unit,
            handler=handler,
            template=template,
            values=values,
            masked=masked,
            tittel=tittel,
            offentlig=offentlig,
            restricted=template.restricted,
            hjemmel=template.hjemmel,
            saksdato=saksdato,
            minute=rng.randint(480, 690),
            created_by=self.archive_person() if first.type == "I" else handler,
            party=Party(""),
        )
        case.party_kind = next((s.party for s in template.steps if s.party), "person")
        case.party = self.party(case.party_kind, values)
        self.cases.append(case)
        return case

    def random_case(self, *, fordeling: bool = False, age: int | None = None) -> Case:
        rng = self.rng
        unit = self._units.pick(rng)
        return self.case_in(unit, fordeling=fordeling, age=age)

    def case_in(self, unit: OrgUnit, *, fordeling: bool = False, age: int | None = None) -> Case:
        rng = self.rng
        templates = self._templates[unit.id]
        template = templates.pick(rng)
        if fordeling:
            for _ in range(20):
                if template.steps[0].type == "I":
                    break
                template = templates.pick(rng)
            else:
                template = cat.RADMANN[2]  # an inquiry from a citizen always starts with an I
        days = rng.randint(0, 364) if age is None else age
        saksdato = self.workday(self.today - timedelta(days=days))
        case = self.new_case(unit, template, saksdato)
        self.realise(case, fordeling=fordeling)
        return case

    def realise(self, case: Case, *, fordeling: bool = False) -> None:
        """Create the case's posts: a prefix of its template's steps, up to today."""
        rng = self.rng
        day = case.saksdato
        if fordeling or (
            case.template.steps[0].type == "I" and (self.today - day).days <= 12 and rng.random() < 0.15
        ):
            # Registered by the archive to the unit; the leader has not distributed it yet.
            case.handler = None
            post = self.add_post(case, case.template.steps[0], day, undistributed=True)
            if post is not None and rng.random() < 0.5:
                self.remarks.append(
                    Remark(
                        "Ukjent saksbehandler – sendt enheten til fordeling.",
                        "MA",
                        day,
                        post.created_by,
                        post=post,
                    )
                )
            return
        for index, step in enumerate(case.template.steps):
            if self.posts >= self.limit:
                return
            if index > 0:
                if rng.random() > step.p:
                    continue
                if rng.random() < 0.06:
                    return  # the case stopped here (withdrawn, settled by phone …)
                day = day + timedelta(days=rng.randint(*step.gap))
            if day > self.today:
                return
            day = self.workday(day)
            late = step.type == "I" and index > 0 and (self.today - day).days <= 4 and rng.random() < 0.08
            post = self.add_post(case, step, day, undistributed=late)
            if post is None or late:
                return

    def add_post(self, case: Case, step: cat.Step, day: date, *, undistributed: bool = False) -> Post | None:
        rng = self.rng
        unit: OrgUnit | None = case.unit
        handler = case.handler
        if step.by == "recipient":
            if case.last_n is None:
                return None
            _note, recipients = case.last_n
            target = rng.choice(recipients)
            unit = self.org.by_id.get(target.unit or 0)
            handler = target.handler
        if unit is None:
            return None
        restricted = step.restricted or case.restricted
        hjemmel = step.hjemmel or case.hjemmel if restricted else ""
        values, masked = case.values, case.masked
        if step.fresh:
            values = Values(self, unit, case.template, day, parent=case.values)
            values.update(
                navn=self.person_name(), barn=self.person_name(child=True), firma=rng.choice(cat.COMPANIES)
            )
            masked = Masked(values)
        if step.restricted == "5":
            masked = Masked(values, frozenset({"firma"}))
        title = _capital(step.title.format_map(values))
        offentlig = _public_title(step.title, values, masked) if restricted else ""
        previous = case.posts[-1] if case.posts else None
        minute = rng.randint(480, 690) if step.type == "I" else rng.randint(480, 930)
        if previous is not None and previous.dato == day and minute <= previous.minute:
            minute = previous.minute + 1
        post = Post(
            case=case,
            seq=len(case.posts),
            type=step.type,
            tittel=title,
            offentlig=offentlig,
            dato=day,
            minute=minute,
            unit=unit.id,
            handler=None if undistributed else handler,
            created_by=self.archive_person() if step.type == "I" else handler,
            restricted=restricted,
            hjemmel=hjemmel,
            generic=_generic(step.title),
            attach=step.attach,
        )
        at = self.ts(day, minute)
        if step.type == "I":
            post.dokdato = day - timedelta(days=rng.randint(0, 6))
            post.status = "J"
            if step.forfall:
                post.forfall = day + timedelta(days=step.forfall)
            elif rng.random() < 0.15:
                post.forfall = day + timedelta(days=rng.choice((14, 21, 28, 42)))
            post.parts.append(Part("EA", False, party=self.party_for(case, step, values)))
            fordelt = None if undistributed else min(self.now, at + timedelta(minutes=rng.randint(20, 600)))
            post.parts.append(
                Part("IM", True, unit=unit.id, handler=None if undistributed else handler, fordelt=fordelt)
            )
            if not undistributed and unit.leader and unit.leader != handler and rng.random() < 0.05:
                post.parts.append(Part("IK", True, unit=unit.id, handler=unit.leader, fordelt=fordelt))
            if rng.random() < 0.004:
                post.status = "U"  # registered twice; the duplicate is cancelled
                self.remarks.append(
                    Remark("Registrert to ganger ved en feil – utgår.", "MA", day, post.created_by, post=post)
                )
        else:
            post.dokdato = day
            post.status = self.own_status(step.type, (self.today - day).days)
            if step.type == "U":
                post.parts.append(Part("EM", False, party=self.party_for(case, step, values)))
                if rng.random() < 0.05:
                    post.parts.append(Part("EK", False, party=self.party("stat")))
            elif step.type == "N":
                recipients = self.note_recipients(unit, handler, step.to)
                post.parts.extend(recipients)
                case.last_n = (post, [r for r in recipients if r.type == "IM"])
        if step.answers:
            self.answer(case, post)
        case.posts.append(post)
        self.posts += 1
        return post

    def party_for(self, case: Case, step: cat.Step, values: dict[str, str]) -> Party:
        """The sender (I) or recipient (U) of a step: the case's main party unless the step
        names another kind, or a new one for a ``fresh`` step."""
        if step.fresh:
            return self.party(step.party, values)
        if not step.party or step.party == case.party_kind:
            return case.party
        if step.party in ("person", "forelder", "firma"):
            return self.party(step.party, values if step.party != "person" else None)
        return self.party(step.party)

    def own_status(self, kind: str, age: int) -> str:
        r = self.rng.random()
        if age <= 2:
            status = "R" if r < 0.3 else "F" if r < 0.75 else "E"
        elif age <= 14:
            status = "R" if r < 0.04 else "F" if r < 0.25 else "E" if r < 0.55 else "J"
        elif age <= 60:
            status = "F" if r < 0.04 else "E" if r < 0.12 else "J"
        else:
            status = "F" if r < 0.01 else "J"
        if kind == "X" and status == "E":
            status = "J"
        return status

    def note_recipients(self, unit: OrgUnit, author: int | None, to: str) -> list[Part]:
        rng = self.rng
        target = unit
        person: int | None = None
        if to == "LEADER":
            person = unit.leader if unit.leader != author else None
        elif to == "@fag":
            options = [self.org.by_code[c] for c in cat.FAG_UNITS if c in self.org.by_code and c != unit.code]
            target = rng.choice(options) if options else unit
        elif to == "@any":
            target = self._units.pick(rng)
        elif to:
            target = self.org.by_code.get(to, unit)
        if person is None:
            candidates = [h for h in target.handlers if h != author] or [target.leader or target.handlers[0]]
            person = rng.choice(candidates)
        parts = [Part("IM", True, unit=target.id, handler=person)]
        if rng.random() < 0.12:
            others = [h for h in target.handlers if h not in (author, person)]
            if others:
                parts.append(Part("IM", True, unit=target.id, handler=rng.choice(others)))
        if rng.random() < 0.1 and target.leader and target.leader not in (author, person):
            parts.append(Part("IK", True, unit=target.id, handler=target.leader))
        return parts

    def answer(self, case: Case, post: Post) -> None:
        """Write off what ``post`` answers: I posts of its unit (U), or N notes to its author."""
        for earlier in case.posts:
            if earlier.status == "U":
                continue
            if post.type == "U" and earlier.type == "I":
                for part in earlier.parts:
                    if (
                        part.type == "IM"
                        and part.writeoff is None
                        and part.unit == post.unit
                        and part.handler
                    ):
                        how = "BE" if self.rng.random() < 0.2 else "BU"
                        part.writeoff = WriteOff(post.dato, post.handler, how, post)
            elif post.type in ("X", "N") and earlier.type == "N":
                for part in earlier.parts:
                    if part.type == "IM" and part.writeoff is None and part.handler == post.handler:
                        part.writeoff = WriteOff(post.dato, post.handler, "BN", post)

    # -- whole plans

    def plan(self, posts: int, *, base: bool) -> None:
        self.limit = self.posts + posts
        if base:
            for code, count in FORDELING_UNITS:
                unit = self.org.by_code.get(code)
                if unit is None:
                    continue
                for i in range(count):
                    self.case_in(unit, fordeling=True, age=FORDELING_AGES[i % len(FORDELING_AGES)])
        while self.posts < self.limit:
            self.random_case()
        self.resolve(base=base)
        self.close_cases()

    def resolve(self, *, base: bool) -> None:
        """Decide which unanswered internal recipients stay open (restanser) per unit."""
        rng = self.rng
        candidates: dict[int, list[tuple[float, Post, Part]]] = defaultdict(list)
        fresh: dict[int, int] = defaultdict(int)
        recipients = 0
        for case in self.cases:
            for post in case.posts:
                if post.type not in ("I", "N") or post.status == "U":
                    continue
                for part in post.parts:
                    if part.type != "IM":
                        continue
                    recipients += 1
                    if part.writeoff is not None or part.handler is None or part.unit is None:
                        continue
                    if (self.today - post.dato).days <= FRESH_DAYS:
                        fresh[part.unit] += 1
                        continue
                    unit = self.org.by_id[part.unit]
                    index = unit.handlers.index(part.handler) if part.handler in unit.handlers else -1
                    weight = HANDLER_RESTANSE_SKEW[index] if 0 <= index < len(HANDLER_RESTANSE_SKEW) else 1.0
                    if part.handler == unit.leader:
                        weight = 0.5
                    candidates[part.unit].append((rng.random() ** (1 / weight), post, part))
        total = round(recipients * OPEN_SHARE)
        shares = {u.id: u.profile.restanser + 1 for u in self.org.units}
        share_sum = sum(shares.values())
        for unit_id, items in candidates.items():
            target = round(total * shares[unit_id] / share_sum) - fresh[unit_id]
            items.sort(key=lambda item: item[0], reverse=True)
            for rank, (_key, post, part) in enumerate(items):
                if rank < target:
                    self.keep_open(post, part, base=base)
                else:
                    self.write_off(post, part)

    def keep_open(self, post: Post, part: Part, *, base: bool) -> None:
        rng = self.rng
        age = (self.today - post.dato).days
        if post.type == "I" and age > 30 and rng.random() < 0.35:
            part.forelopig = min(self.today, post.dato + timedelta(days=rng.randint(14, 28)))
            if base:
                # The foreløpig svar is a post of its own (not in --scale, which adds exactly N).
                case = post.case
                last = case.posts[-1]
                sent = max(self.workday(part.forelopig), last.dato)
                reply = Post(
                    case=case,
                    seq=len(case.posts),
                    type="U",
                    tittel=f"Foreløpig svar – {post.tittel}",
                    offentlig=f"Foreløpig svar – {post.offentlig}" if post.offentlig else "",
                    dato=sent,
                    minute=last.minute + 1 if sent == last.dato else 900,
                    unit=part.unit,
                    handler=part.handler,
                    created_by=part.handler,
                    restricted=post.restricted,
                    hjemmel=post.hjemmel,
                    status="J",
                    generic="Foreløpig svar",
                )
                reply.dokdato = reply.dato
                reply.parts.append(Part("EM", False, party=post.parts[0].party))
                case.posts.append(reply)
                part.forelopig_post = reply
                self.posts += 1
        if age > 60 and rng.random() < 0.08:
            unit = self.org.by_id.get(part.unit or 0)
            if unit and unit.leader:
                day = self.workday(self.today - timedelta(days=rng.randint(1, 20)))
                self.remarks.append(
                    Remark(
                        f"Purret {day:%d.%m.%Y} – må avskrives snarest.", "ML", day, unit.leader, post=post
                    )
                )

    def write_off(self, post: Post, part: Part) -> None:
        rng = self.rng
        age = (self.today - post.dato).days
        how = rng.choices(("TE", "TO", "TLF"), weights=(0.45, 0.3, 0.25))[0]
        day = self.workday(post.dato + timedelta(days=rng.randint(1, max(1, min(45, age)))))
        day = max(post.dato, min(day, self.today))
        part.writeoff = WriteOff(day, part.handler, how)
        if how == "TLF":
            self.remarks.append(
                Remark(
                    f"Besvart på telefon {day:%d.%m.%Y}. Avklart muntlig.", "MS", day, part.handler, post=post
                )
            )
        elif how == "TE" and rng.random() < 0.25:
            self.remarks.append(
                Remark("Tatt til etterretning – ingen videre oppfølging.", "MS", day, part.handler, post=post)
            )

    def close_cases(self) -> None:
        rng = self.rng
        for case in self.cases:
            if case.handler is None or not case.posts:
                continue
            last = case.saksdato
            open_parts = False
            for post in case.posts:
                last = max(last, post.dato)
                if post.type in ("U", "N", "X") and post.status not in ("E", "J"):
                    open_parts = True
                for part in post.parts:
                    if part.type != "IM" or post.type not in ("I", "N") or post.status == "U":
                        continue
                    if part.writeoff is None:
                        open_parts = True
                    else:
                        last = max(last, part.writeoff.dato)
            age = (self.today - last).days
            if open_parts or age <= 30 or rng.random() > 0.6:
                if rng.random() < 0.04:
                    self.remarks.append(
                        Remark(
                            "Saken er satt på vent i påvente av mer dokumentasjon.",
                            "MS",
                            last,
                            case.handler,
                            case=case,
                        )
                    )
                continue
            case.status = "A"
            case.closed = self.workday(last + timedelta(days=rng.randint(1, min(30, age - 1))))
            for post in case.posts:
                if post.status != "U":
                    post.status = "A"

    # -- documents

    def documents(self, org: Org, shared: dict[tuple[str, str, int], bytes]) -> None:
        """Attach documents to every post (after numbering: the unique ones carry the number)."""
        rng = self.rng
        recent = self.today - timedelta(days=UNIQUE_DOC_DAYS)
        for case in self.cases:
            for post in case.posts:
                open_restanse = any(p.type == "IM" and p.writeoff is None for p in post.parts)
                unique = self.unique_docs and (
                    post.dato >= recent or open_restanse or post.status in ("R", "F")
                )
                kind = "md" if post.type == "X" and rng.random() < 0.5 else "pdf"
                versions = 1
                if post.type != "I":
                    r = rng.random()
                    versions = 3 if r < 0.06 else 2 if r < 0.24 else 1
                elif rng.random() < 0.03:
                    versions = 2
                contents = []
                for v in range(1, versions + 1):
                    draft = v < versions
                    if unique:
                        content = self.unique_content(org, post, kind, draft=draft, version=v)
                    else:
                        key = (post.generic, kind, v if draft else 0)
                        if key not in shared:
                            shared[key] = _shared_content(post.generic, kind, v if draft else 0)
                        content = shared[key]
                    contents.append(("text/markdown" if kind == "md" else "application/pdf", content))
                post.docs.append(Doc(post.tittel, "H", contents, _filename(post.tittel, kind)))
                attachments: list[str] = []
                if post.type == "I":
                    attachments = [a for a in post.attach if rng.random() < 0.6]
                    if not post.attach and rng.random() < 0.08:
                        attachments.append(rng.choice(cat.ATTACHMENT_TITLES))
                elif post.type == "U" and rng.random() < 0.06:
                    attachments.append(rng.choice(cat.ATTACHMENT_TITLES))
                for title in attachments:
                    key = (title, "pdf", -1)
                    if key not in shared:
                        shared[key] = demo_documents.pdf(title, ["Vedlegg (eksempel).", *cat.PARAGRAPHS[:2]])
                    post.docs.append(
                        Doc(title, "V", [("application/pdf", shared[key])], _filename(title, "pdf"))
                    )

    def unique_content(self, org: Org, post: Post, kind: str, *, draft: bool, version: int) -> bytes:
        rng = self.rng
        case = post.case
        number = numbering.registrerings_id(case.saksdato.year, case.nr, post.jpnr)
        author = org.names.get(post.handler or 0, "")
        unit = org.by_id.get(post.unit or 0)
        lines = [f"Saksnr.: {number}", f"Dato: {post.dato:%d.%m.%Y}", ""]
        externals = [p.party.navn for p in post.parts if p.party is not None]
        if post.type == "I" and externals:
            heading = externals[0]
            lines.append(f"Til: {KOMMUNE}" + (f", {unit.name}" if unit else ""))
        else:
            heading = f"{KOMMUNE} – {unit.name}" if unit else KOMMUNE
            if externals:
                lines.append(f"Til: {externals[0]}")
            interns = [org.names.get(p.handler or 0, "") for p in post.parts if p.intern]
            if interns:
                lines.append("Til: " + ", ".join(n for n in interns if n))
        lines.append("")
        lines += rng.sample(cat.PARAGRAPHS, 3)
        lines += ["", "Med hilsen", author or heading]
        if draft:
            lines = [f"UTKAST – versjon {version}", "", *lines]
        if kind == "md":
            return demo_documents.markdown(post.tittel, lines)
        return demo_documents.pdf(post.tittel, lines, heading=heading)


def _shared_content(generic: str, kind: str, draft: int) -> bytes:
    lines = ["Eksempeldokument i demodata: det samme innholdet brukes for flere journalposter.", ""]
    lines += list(cat.PARAGRAPHS[:3])
    if draft:
        lines = [f"UTKAST – versjon {draft}", "", *lines]
    if kind == "md":
        return demo_documents.markdown(generic, lines)
    return demo_documents.pdf(generic, lines, heading=KOMMUNE)


def _filename(title: str, kind: str) -> str:
    name = re.sub(r"[^\w.,()–\- ]+", "", title).strip()[:120] or "dokument"
    return f"{name}.{kind}"
