"""The handler's and the leader's side of the restanse routine: who may see which list, writing
off one or many restanser (*Avskriv JP*), registering a foreløpig svar, and the saved criteria
of *Restanser i egen enhet*.

The records change only through :mod:`core.archive.services` (``avskriv`` with an optional
merknad, ``mark_foreloepig_svar``), which check authority again (the recipient's handler, the
unit's leader or active deputy, Fellestjenesten/Arkiv), lock optimistically on the recipient's
``version`` and write the hendelseslogg. Here: form validation (every problem at once, the form
keeps what was typed), one transaction per restanse (so one that someone else wrote off first
does not undo the others) and a message per restanse that failed, naming who got there first.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from piccolo.query.mixins import OnConflictAction

from core import audit
from core.admin.common import parse_date
from core.archive import kodelister
from core.archive import rules as archive_rules
from core.archive import services as archive
from core.archive.queries.visibility import Viewer
from core.auth.user import User
from core.db import writing
from core.errors import Conflict, Forbidden, UserFacingError, ValidationFailed
from core.i18n import _
from core.settings import Settings
from core.timeutil import now, today
from plugins.restanse import queries_enhet as queries
from plugins.restanse import rule
from plugins.restanse.tables import SavedCriteria

MAX_ID = 2**31 - 1
MERKNAD_MAX = archive_rules.MAX_MERKNAD
MAATER = ("TE", "TO", "TLF", "BE", "BU", "BN")
"""The avskrivningsmåter a handler chooses from (SA, *saken ble avsluttet*, is set by closing a
case)."""
ANSWER_TYPES: dict[str, tuple[str, ...]] = dict(archive_rules.ANSWER_TYPES)
"""BU: answered by an outgoing letter (U); BN: by a note (N or X) in the same case."""
ENHET_REPORT = "enhet"


def is_number(value: str) -> bool:
    """A database id from a form or query string: ASCII digits that fit an integer column."""
    return value.isascii() and value.isdigit() and 0 < int(value) <= MAX_ID


# --- avskrivningsmåter -------------------------------------------------------------------------


def maate_hints() -> dict[str, str]:
    return {
        "TE": _("Brevet er lest og tas til følge. Det trengs ikke noe svar."),
        "TO": _("Brevet er til informasjon. Det trengs ikke noe svar."),
        "TLF": _("Du har svart på telefon eller muntlig. Skriv gjerne i merknaden hva som ble sagt."),
        "BE": _("Du har svart på e-post. Skriv gjerne i merknaden når og til hvem."),
        "BU": _("Du har svart med et utgående brev (U) som er journalført i samme sak. Velg brevet."),
        "BN": _("Du har svart med et notat (N eller X) i samme sak. Velg notatet."),
    }


def maate_choices() -> list[dict[str, Any]]:
    """The avskrivningsmåter of the form: code, name (from the Noark 5 code list), a hint, and
    whether an answering post must be chosen."""
    hints = maate_hints()
    return [
        {
            "code": code,
            "name": kodelister.name(kodelister.AVSKRIVNINGSMAATE, code),
            "hint": hints[code],
            "needs_answer": code in ANSWER_TYPES,
        }
        for code in MAATER
    ]


# --- who may see what --------------------------------------------------------------------------


def may_view_unit(user: User, unit_id: int) -> bool:
    """*Restanser i egen enhet*: the unit's leader, the deputy during the leader's registered
    absence, and Fellestjenesten/Arkiv (every unit)."""
    return user.is_archive or user.authority_for(unit_id) is not None


def uses_unit_report(user: User) -> bool:
    return user.is_archive or user.is_leader


def require_unit_viewer(user: User, unit_id: int | None = None) -> None:
    allowed = uses_unit_report(user) if unit_id is None else may_view_unit(user, unit_id)
    if not allowed:
        raise Forbidden(
            _(
                "Restanser i egen enhet er for lederen av enheten, stedfortrederen mens lederen har "
                "registrert fravær, og Fellestjenesten/Arkiv."
            )
        )


# --- form input ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selected:
    """A ticked restanse: the internal recipient and the version the user saw."""

    kid: int
    version: int

    @property
    def value(self) -> str:
        return f"{self.kid}:{self.version}"

    @classmethod
    def parse(cls, value: str) -> Selected | None:
        kid, sep, version = value.partition(":")
        if not sep or not is_number(kid) or not is_number(version):
            return None
        return cls(int(kid), int(version))

    @classmethod
    def parse_all(cls, values: list[str]) -> list[Selected]:
        seen: dict[int, Selected] = {}
        for value in values:
            selected = cls.parse(value)
            if selected is None:
                raise ValidationFailed({"valgt": _("Valget av restanser er ugyldig. Last siden på nytt.")})
            seen.setdefault(selected.kid, selected)
        return list(seen.values())


@dataclass
class Outcome:
    """What happened to each selected restanse: done ones, and a message for each that failed."""

    done: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    conflicts: int = 0
    refused: int = 0

    @property
    def all_failed(self) -> bool:
        return not self.done and bool(self.problems)

    @property
    def status_code(self) -> int:
        """200, or when nothing was done: 409 (someone else was first) or 403 (not allowed)."""
        if not self.all_failed:
            return 200
        if self.conflicts:
            return 409
        if self.refused == len(self.problems):
            return 403
        return 200


def _label(item: dict[str, Any] | None, kid: int) -> str:
    return str(item["nummer"]) if item else _("Restansen (%(id)s)") % {"id": kid}


def _may_act(user: User, item: dict[str, Any]) -> bool:
    """Whether ``user`` may write off (or mark) this restanse: its handler, a leader or active
    deputy of its unit, or Fellestjenesten/Arkiv. Core checks again; this only keeps the
    registration numbers of other people's restanser out of the messages."""
    if user.is_archive or item["saksbehandler"] == user.person_id:
        return True
    return item["enhet"] is not None and user.authority_for(int(item["enhet"])) is not None


async def _own_items(user: User, kids: list[int]) -> tuple[dict[int, dict[str, Any]], set[int]]:
    """The selected restanser the user may act on, and the ids of the others."""
    items = await queries.recipients(kids)
    refused = {kid for kid, item in items.items() if not _may_act(user, item)}
    return {kid: item for kid, item in items.items() if kid not in refused}, refused


def _refused_message(kid: int) -> str:
    return _("%(post)s: Du kan ikke avskrive eller endre denne restansen.") % {"post": _label(None, kid)}


def _who(state: dict[str, Any]) -> str:
    who = str(state["last_actor"] or "")
    if who and state["last_on_behalf_of"]:
        who = _("%(actor)s på vegne av %(leader)s") % {"actor": who, "leader": state["last_on_behalf_of"]}
    return who


async def conflict_message(kid: int, item: dict[str, Any] | None) -> str:
    """Say what happened first: written off by whom, a foreløpig svar, or another handler."""
    label = _label(item, kid)
    state = await queries.recipient_state(kid)
    if state is None:
        return _("%(post)s finnes ikke lenger.") % {"post": label}
    if state["avskrevet"]:
        who = state["avskrevet_av_navn"] or _("systemet")
        return _("%(post)s var allerede avskrevet av %(who)s (%(maate)s).") % {
            "post": label,
            "who": who,
            "maate": kodelister.name(kodelister.AVSKRIVNINGSMAATE, state["avskrivningsmaate"]),
        }
    if item is not None and state["saksbehandler"] != item["saksbehandler"]:
        if state["saksbehandler"] is None:
            return _("%(post)s har ikke lenger saksbehandler. Last siden på nytt.") % {"post": label}
        return _("%(post)s er fordelt til %(handler)s i mellomtiden.") % {
            "post": label,
            "handler": state["saksbehandler_navn"],
        }
    who = _who(state)
    if state["last_action"] == "archive.foreloepig_svar" and who:
        return _(
            "%(who)s registrerte foreløpig svar på %(post)s i mellomtiden. Last siden på nytt og prøv igjen."
        ) % {"post": label, "who": who}
    return _("%(post)s er endret av noen andre i mellomtiden. Last siden på nytt og prøv igjen.") % {
        "post": label
    }


async def _attempt(
    outcome: Outcome, choice: Selected, item: dict[str, Any] | None, action: Callable[[], Awaitable[Any]]
) -> bool:
    """Run one restanse's change; record a user-facing message instead of failing the batch."""
    try:
        await action()
    except Conflict:
        outcome.conflicts += 1
        outcome.problems.append(await conflict_message(choice.kid, item))
        return False
    except UserFacingError as exc:
        if isinstance(exc, Forbidden):
            outcome.refused += 1
        outcome.problems.append(f"{_label(item, choice.kid)}: {exc.detail}")
        return False
    return True


# --- Avskriv JP ----------------------------------------------------------------------------


def answer_field(kid: int) -> str:
    """The form field with the answering post of one restanse (BU/BN)."""
    return f"svar-{kid}"


async def write_off(
    settings: Settings,
    user: User,
    selected: list[Selected],
    maate: str,
    merknad: str,
    answers: dict[int, str],
) -> Outcome:
    """Write off the selected restanser with ``maate`` (and the optional ``merknad`` on each
    journal post). For BU and BN, ``answers`` holds the answering post per recipient (form
    values), which must be an own post of the right type in the restanse's case.

    Raises :class:`ValidationFailed` with every problem of the form at once; otherwise each
    restanse is written off in its own transaction and the :class:`Outcome` says which were
    done and why the others were not.
    """
    errors: dict[str, str] = {}
    if not selected:
        errors["valgt"] = _("Velg minst én restanse.")
    if maate not in MAATER:
        errors["avskrivningsmaate"] = _("Velg en avskrivningsmåte.")
    merknad = merknad.strip()
    if len(merknad) > MERKNAD_MAX:
        errors["merknad"] = _("Merknaden kan ha høyst %(max)s tegn.") % {"max": MERKNAD_MAX}
    items, refused = await _own_items(user, [s.kid for s in selected])
    chosen: dict[int, int | None] = {s.kid: None for s in selected}
    if maate in ANSWER_TYPES:
        viewer = await Viewer.of(user)
        options = await queries.answer_options(viewer, [int(item["saksmappe_id"]) for item in items.values()])
        wanted = ANSWER_TYPES[maate]
        for choice in selected:
            item = items.get(choice.kid)
            if item is None:
                continue
            raw = answers.get(choice.kid, "").strip()
            key = answer_field(choice.kid)
            valid = {
                o["id"]: o
                for o in options.get(int(item["saksmappe_id"]), [])
                if o["id"] != item["journalpost_id"]
            }
            if not raw:
                errors[key] = _("Velg journalposten som besvarte %(post)s.") % {"post": item["nummer"]}
            elif not is_number(raw) or int(raw) not in valid:
                errors[key] = _("Velg en av sakens egne journalposter for %(post)s.") % {
                    "post": item["nummer"]
                }
            elif valid[int(raw)]["journalposttype"] not in wanted:
                errors[key] = (
                    _("%(maate)s passer ikke til %(answer)s (type %(type)s). Velg et utgående brev (U).")
                    if maate == "BU"
                    else _("%(maate)s passer ikke til %(answer)s (type %(type)s). Velg et notat (N eller X).")
                ) % {
                    "maate": kodelister.name(kodelister.AVSKRIVNINGSMAATE, maate),
                    "answer": valid[int(raw)]["nummer"],
                    "type": valid[int(raw)]["journalposttype"],
                }
            else:
                chosen[choice.kid] = int(raw)
    if errors:
        raise ValidationFailed(errors)
    outcome = Outcome()
    for choice in selected:
        item = items.get(choice.kid)
        if choice.kid in refused:
            outcome.refused += 1
            outcome.problems.append(_refused_message(choice.kid))
            continue
        if item is None:
            outcome.problems.append(_("%(post)s finnes ikke.") % {"post": _label(None, choice.kid)})
            continue

        async def act(choice: Selected = choice) -> None:
            await archive.avskriv(
                settings,
                user,
                choice.kid,
                maate,
                avskrives_av_journalpost_id=chosen[choice.kid],
                version=choice.version,
                merknad=merknad or None,
            )

        if await _attempt(outcome, choice, item, act):
            outcome.done.append({"kid": choice.kid, "item": item})
    return outcome


# --- foreløpig svar --------------------------------------------------------------------------


async def mark_foreloepig_svar(
    settings: Settings, user: User, choice: Selected, dato: date | None = None
) -> Outcome:
    """Register a foreløpig svar (today unless ``dato``) for one restanse; it stays a restanse."""
    items, refused = await _own_items(user, [choice.kid])
    item = items.get(choice.kid)
    outcome = Outcome()

    async def act() -> None:
        await archive.mark_foreloepig_svar(settings, user, choice.kid, version=choice.version, dato=dato)

    if choice.kid in refused:
        outcome.refused += 1
        outcome.problems.append(_refused_message(choice.kid))
    elif item is None:
        outcome.problems.append(_("%(post)s finnes ikke.") % {"post": _label(None, choice.kid)})
    elif await _attempt(outcome, choice, item, act):
        outcome.done.append({"kid": choice.kid, "item": item, "dato": dato or today()})
    return outcome


# --- Restanser i egen enhet: criteria --------------------------------------------------------


@dataclass(frozen=True)
class EnhetCriteria:
    """The report's criteria: unit, period on journaldato, journalposttyper, with sub-units or
    not, and the report date (not saved: it is today unless chosen)."""

    enhet: int | None = None
    fra: date | None = None
    til: date | None = None
    typer: tuple[str, ...] = rule.RESTANSE_TYPES
    underenheter: bool = True
    dato: date | None = None

    @property
    def report_date(self) -> date:
        return self.dato or today()

    @property
    def week_before(self) -> date:
        return self.report_date - timedelta(days=7)

    def saved(self) -> dict[str, Any]:
        """What is stored per user (the report date is not: next time it is today again)."""
        return {
            "enhet": self.enhet,
            "fra": self.fra.isoformat() if self.fra else None,
            "til": self.til.isoformat() if self.til else None,
            "typer": list(self.typer),
            "underenheter": self.underenheter,
        }

    def params(self) -> list[tuple[str, str]]:
        """As query parameters (for links to the list behind a count, paging and exports)."""
        values: list[tuple[str, str]] = [("enhet", str(self.enhet or ""))]
        if self.fra:
            values.append(("fra", self.fra.isoformat()))
        if self.til:
            values.append(("til", self.til.isoformat()))
        values += [("typer", t) for t in self.typer]
        values.append(("underenheter", "1" if self.underenheter else "0"))
        if self.dato:
            values.append(("dato", self.dato.isoformat()))
        return values

    @classmethod
    def from_saved(cls, data: dict[str, Any]) -> EnhetCriteria:
        def day(value: Any) -> date | None:
            try:
                return date.fromisoformat(value) if isinstance(value, str) and value else None
            except ValueError:
                return None

        typer = tuple(t for t in rule.RESTANSE_TYPES if t in (data.get("typer") or []))
        enhet = data.get("enhet")
        return cls(
            enhet=enhet if isinstance(enhet, int) else None,
            fra=day(data.get("fra")),
            til=day(data.get("til")),
            typer=typer or rule.RESTANSE_TYPES,
            underenheter=bool(data.get("underenheter", True)),
        )


async def load_criteria(person_id: int) -> EnhetCriteria | None:
    row = (
        await SavedCriteria.select(SavedCriteria.kriterier)
        .where((SavedCriteria.person == person_id) & (SavedCriteria.rapport == ENHET_REPORT))
        .first()
    )
    if row is None:
        return None
    data = row["kriterier"]
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            return None
    return EnhetCriteria.from_saved(data) if isinstance(data, dict) else None


async def save_criteria(person_id: int, criteria: EnhetCriteria) -> bool:
    """Store the user's criteria (one row per person and report; the newest wins) and log the
    change (``restanse.criteria_saved``). Unchanged criteria write nothing; returns whether
    anything changed."""
    previous = await load_criteria(person_id)
    if previous is not None and previous.saved() == criteria.saved():
        return False
    async with writing(SavedCriteria):
        await SavedCriteria.insert(
            SavedCriteria(
                person=person_id,
                rapport=ENHET_REPORT,
                kriterier=json.dumps(criteria.saved()),
                endret=now(),
            )
        ).on_conflict(
            target=(SavedCriteria.person, SavedCriteria.rapport),
            action=OnConflictAction.do_update,
            values=[SavedCriteria.kriterier, SavedCriteria.endret],
        )
        await audit.record(
            actor_id=person_id,
            action="restanse.criteria_saved",
            object_type="person",
            object_id=person_id,
            summary=_("Kriterier for Restanser i egen enhet lagret"),
            details={"rapport": ENHET_REPORT, **criteria.saved()},
        )
    return True


def parse_criteria(values: dict[str, Any], allowed_units: set[int]) -> tuple[EnhetCriteria, dict[str, str]]:
    """The criteria from the form (``enhet``, ``fra``, ``til``, ``typer`` (a list),
    ``underenheter``, ``dato``), and every problem at once (keyed by field)."""
    errors: dict[str, str] = {}
    example = _("Skriv inn en gyldig dato, for eksempel 17.05.2026.")
    raw_unit = str(values.get("enhet") or "").strip()
    unit = int(raw_unit) if is_number(raw_unit) else None
    if unit is None or unit not in allowed_units:
        errors["enhet"] = _("Velg en av enhetene i listen.")
        unit = None
    days: dict[str, date | None] = {}
    for name in ("fra", "til", "dato"):
        raw = str(values.get(name) or "").strip()
        days[name] = parse_date(raw) if raw else None
        if raw and days[name] is None:
            errors[name] = example
    if days["fra"] and days["til"] and days["til"] < days["fra"]:
        errors["til"] = _("Til-dato kan ikke være før fra-dato.")
    if days["dato"] and days["dato"] > today():
        errors["dato"] = _("Rapportdatoen kan ikke være fram i tid.")
    typer = tuple(t for t in rule.RESTANSE_TYPES if t in (values.get("typer") or []))
    if not typer:
        errors["typer"] = _("Velg minst én journalposttype.")
    criteria = EnhetCriteria(
        enhet=unit,
        fra=days["fra"],
        til=days["til"],
        typer=typer or rule.RESTANSE_TYPES,
        underenheter=str(values.get("underenheter") or "") == "1",
        dato=days["dato"],
    )
    return criteria, errors
