"""Reading restanse's forms and query strings, for the pages and the command line alike: the
report dates (core's one date rule, :mod:`core.dates`: ``dd.mm.åååå``, or ``åååå-mm-dd`` from links
and the command line; never after today), the criteria of
*Restanser i egen enhet* and *Restanseoppfølging*, the dates of the monthly mails, and what the
user typed (shown again next to the errors).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from core.archive.queries.restanse_lists import DEFAULT_SORT, NEW_FIRST
from core.archive.queries.restanser import RESTANSE_TYPES
from core.dates import date_into, read_date, show_date
from core.errors import ValidationFailed
from core.i18n import _
from core.timeutil import months_back, today
from core.validation import parse_date, parse_id
from core.web.forms import form_value, form_values

LIST_SORTS = ("eldst", "nyest", "forfall", "sak")
"""The sorts of a list of restanser (core.archive.queries.restanse_lists.SORTS)."""
OWN_SORTS = ("eldst", "nyest", NEW_FIRST, "forfall", "sak")
"""*Egne restanser* also has «Nye først»: those distributed to the handler since the last visit."""
DEFAULT_MAATE = "TE"
"""Chosen in a fresh form: most restanser that need no letter are *tatt til etterretning*."""
DEFAULT_DEADLINE_DAYS = 14
VIEWS = ("enhet", "saksbehandler")
UNIT_SORTS = ("kode", "navn", "sammenligning", "rapport", "endring")
HANDLER_SORTS = (*UNIT_SORTS, "saksbehandler")
DIRECTIONS = ("stigende", "synkende")


def dmy(day: date) -> str:
    """A date as the forms show it (``30.04.2026``): :func:`core.dates.show_date`."""
    return show_date(day)


def invalid_selection() -> str:
    """The error when a ticked row's value does not parse (the page is out of date)."""
    return _("Valget av restanser er ugyldig. Last siden på nytt.")


# --- the report date rule (pages and CLI) ---------------------------------------------------


def report_date_problem(day: date, on: date | None = None) -> str:
    """Why ``day`` cannot be a report date on ``on`` (today) ("" when it can): counts for a
    date not yet reached would be today's counts under a false date."""
    if day > (on or today()):
        return _("Rapportdatoen kan ikke være etter i dag.")
    return ""


# --- Egne restanser ---------------------------------------------------------------------------


def own_sort(value: str | None) -> str:
    return value if value in OWN_SORTS else DEFAULT_SORT


def write_off_entered(form: Mapping[str, Any]) -> dict[str, Any]:
    """What the user typed and chose in *Avskriv JP*, to show the form again after an error."""
    return {
        "valgt": form_values(form, "valgt"),
        "avskrivningsmaate": form_value(form, "avskrivningsmaate"),
        "merknad": form_value(form, "merknad"),
        "svar": {key.removeprefix("svar-"): form_value(form, key) for key in form if key.startswith("svar-")},
    }


# --- Restanser i egen enhet -------------------------------------------------------------------


@dataclass(frozen=True)
class EnhetCriteria:
    """The report's criteria: unit, period on journaldato, journalposttyper, with sub-units or
    not, and the report date (not saved: it is today unless chosen)."""

    enhet: int | None = None
    fra: date | None = None
    til: date | None = None
    typer: tuple[str, ...] = RESTANSE_TYPES
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
            return parse_date(value) if isinstance(value, str) else None

        typer = tuple(t for t in RESTANSE_TYPES if t in (data.get("typer") or []))
        enhet = data.get("enhet")
        return cls(
            enhet=enhet if isinstance(enhet, int) else None,
            fra=day(data.get("fra")),
            til=day(data.get("til")),
            typer=typer or RESTANSE_TYPES,
            underenheter=bool(data.get("underenheter", True)),
        )


ENHET_FIELDS = ("enhet", "fra", "til", "underenheter", "dato")


def enhet_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """The criteria fields from a query string or a form (``typer`` as a list)."""
    values: dict[str, Any] = {name: form_value(data, name) for name in ENHET_FIELDS}
    values["typer"] = form_values(data, "typer")
    return values


def enhet_typed(values: Mapping[str, Any]) -> dict[str, Any]:
    """The form as typed, to show again next to its errors."""
    return {
        "enhet": str(values.get("enhet") or ""),
        "fra": str(values.get("fra") or ""),
        "til": str(values.get("til") or ""),
        "typer": [t for t in values.get("typer") or [] if isinstance(t, str)],
        "underenheter": str(values.get("underenheter") or "") == "1",
        "dato": str(values.get("dato") or ""),
    }


def enhet_shown(criteria: EnhetCriteria) -> dict[str, Any]:
    return {
        "enhet": str(criteria.enhet or ""),
        "fra": show_date(criteria.fra),
        "til": show_date(criteria.til),
        "typer": list(criteria.typer),
        "underenheter": criteria.underenheter,
        "dato": show_date(criteria.dato),
    }


def parse_enhet_criteria(
    values: Mapping[str, Any], allowed_units: set[int]
) -> tuple[EnhetCriteria, dict[str, str]]:
    """The criteria (``enhet``, ``fra``, ``til``, ``typer`` (a list), ``underenheter``,
    ``dato``), and every problem at once (keyed by field)."""
    errors: dict[str, str] = {}
    unit = parse_id(str(values.get("enhet") or ""))
    if unit is None or unit not in allowed_units:
        errors["enhet"] = _("Velg en av enhetene i listen.")
        unit = None
    labels = {
        "fra": _("Journaldato fra og med"),
        "til": _("Journaldato til og med"),
        "dato": _("Rapportdato"),
    }
    days = {
        name: date_into(errors, name, str(values.get(name) or ""), label) for name, label in labels.items()
    }
    if days["fra"] and days["til"] and days["til"] < days["fra"]:
        errors["til"] = _("Til-dato kan ikke være før fra-dato.")
    if days["dato"] and report_date_problem(days["dato"]):
        errors["dato"] = report_date_problem(days["dato"])
    typer = tuple(t for t in RESTANSE_TYPES if t in (values.get("typer") or []))
    if not typer:
        errors["typer"] = _("Velg minst én journalposttype.")
    criteria = EnhetCriteria(
        enhet=unit,
        fra=days["fra"],
        til=days["til"],
        typer=typer or RESTANSE_TYPES,
        underenheter=str(values.get("underenheter") or "") == "1",
        dato=days["dato"],
    )
    return criteria, errors


# --- Restanseoppfølging ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Criteria:
    """What the monthly table shows: dates, view, sort and filter."""

    rapportdato: date
    sammenligningsdato: date
    visning: str = "enhet"
    sorter: str = "kode"
    retning: str = "stigende"
    filter: str = ""

    @classmethod
    def default(cls, day: date | None = None) -> Criteria:
        report = day or today()
        return cls(report, months_back(report))

    @property
    def compares_with_default(self) -> bool:
        """The comparison date is the default (the same day a month before the report date)."""
        return self.sammenligningsdato == months_back(self.rapportdato)

    def params(self, **changes: str) -> dict[str, str]:
        """The query parameters of this table (for links and exports), with ``changes``. The
        comparison date is left out when it is the default, so a link that changes the report
        date compares with the month before the new date."""
        values = {
            "rapportdato": dmy(self.rapportdato),
            "sammenligningsdato": "" if self.compares_with_default else dmy(self.sammenligningsdato),
            "visning": self.visning,
            "sorter": self.sorter,
            "retning": self.retning,
            "filter": self.filter,
        }
        values.update(changes)
        return {k: v for k, v in values.items() if v}

    def sort_params(self, key: str) -> dict[str, str]:
        """The parameters for sorting on ``key`` (a second click reverses)."""
        direction = "synkende" if self.sorter == key and self.retning == "stigende" else "stigende"
        return self.params(sorter=key, retning=direction)

    def aria_sort(self, key: str) -> str:
        if self.sorter != key:
            return "none"
        return "ascending" if self.retning == "stigende" else "descending"


@dataclass(frozen=True)
class Parsed:
    criteria: Criteria
    errors: dict[str, str] = field(default_factory=dict)
    entered: dict[str, str] = field(default_factory=dict)
    """What the user typed, shown back in the form."""


def parse_report_date(text: str) -> date | None:
    """``15.04.2026`` (as typed) or ``2026-04-15`` (links, the CLI); None when invalid."""
    return parse_date(text)


def parse_oppfolging(raw: Mapping[str, str | None], *, on: date | None = None) -> Parsed:
    """The table's criteria from the query string (``on``: today), with Norwegian field errors.
    With errors the page shows the form as typed and no table (and no export links).

    The comparison date follows the report date: empty, it is the same day a month before; and
    when the form showed that default (``avledet_fra``: the report date it was derived from) and
    only the report date was changed, it is derived again from the new report date."""
    entered = {key: (value or "").strip() for key, value in raw.items()}
    errors: dict[str, str] = {}
    fallback = Criteria.default(on)
    report = fallback.rapportdato
    if entered.get("rapportdato"):
        parsed, message = read_date(entered["rapportdato"], _("Rapportdato"))
        if parsed is None:
            errors["rapportdato"] = message
        elif report_date_problem(parsed, on):
            errors["rapportdato"] = report_date_problem(parsed, on)
        else:
            report = parsed
    comparison = months_back(report)
    derived_from = parse_report_date(entered.pop("avledet_fra", "") or "")
    if entered.get("sammenligningsdato"):
        parsed, message = read_date(entered["sammenligningsdato"], _("Sammenligningsdato"))
        if parsed is None:
            errors["sammenligningsdato"] = message
        elif derived_from is not None and parsed == months_back(derived_from) and "rapportdato" not in errors:
            comparison = months_back(report)  # the shown default, untouched: follow the new report date
        elif parsed >= report and "rapportdato" not in errors:
            errors["sammenligningsdato"] = _("Sammenligningsdatoen må være før rapportdatoen.")
        else:
            comparison = parsed
    view = entered.get("visning") or "enhet"
    view = view if view in VIEWS else "enhet"
    sorts = HANDLER_SORTS if view == "saksbehandler" else UNIT_SORTS
    sort = entered.get("sorter") or "kode"
    direction = entered.get("retning") or "stigende"
    criteria = Criteria(
        rapportdato=report,
        sammenligningsdato=comparison,
        visning=view,
        sorter=sort if sort in sorts else "kode",
        retning=direction if direction in DIRECTIONS else "stigende",
        filter=(entered.get("filter") or "")[:100],
    )
    if not errors:
        entered = {
            **entered,
            "rapportdato": dmy(criteria.rapportdato),
            "sammenligningsdato": dmy(criteria.sammenligningsdato),
        }
    return Parsed(criteria, errors, entered)


# --- the monthly mails ------------------------------------------------------------------------


@dataclass(frozen=True)
class MailDates:
    rapportdato: date
    sammenligningsdato: date
    frist: date


def default_mail_dates(day: date | None = None) -> MailDates:
    """Report date today, comparison date a month earlier, deadline 14 days later."""
    day = day or today()
    return MailDates(day, months_back(day, 1), day + timedelta(days=DEFAULT_DEADLINE_DAYS))


def mail_form_values(dates: MailDates) -> dict[str, str]:
    return {
        "rapportdato": show_date(dates.rapportdato),
        "sammenligningsdato": show_date(dates.sammenligningsdato),
        "frist": show_date(dates.frist),
    }


def parse_mail_dates(form: Mapping[str, str]) -> MailDates:
    """The dates typed in the form (``17.05.2026`` or ``2026-05-17``); an empty comparison
    date means one month before the report date. Raises :class:`ValidationFailed` with every
    problem at once."""
    errors: dict[str, str] = {}
    values = {
        "rapportdato": date_into(
            errors,
            "rapportdato",
            form.get("rapportdato"),
            _("Rapportdato"),
            missing=_("Skriv inn rapportdatoen."),
        ),
        "sammenligningsdato": date_into(
            errors, "sammenligningsdato", form.get("sammenligningsdato"), _("Sammenligningsdato")
        ),
        "frist": date_into(
            errors,
            "frist",
            form.get("frist"),
            _("Frist for avskriving"),
            missing=_("Skriv inn fristen for avskriving."),
        ),
    }
    report = values["rapportdato"]
    if errors or report is None or values["frist"] is None:
        raise ValidationFailed(errors)
    dates = MailDates(report, values["sammenligningsdato"] or months_back(report, 1), values["frist"])
    check_mail_dates(dates)
    return dates


def check_mail_dates(dates: MailDates) -> None:
    errors: dict[str, str] = {}
    if report_date_problem(dates.rapportdato):
        errors["rapportdato"] = report_date_problem(dates.rapportdato)
    if dates.sammenligningsdato >= dates.rapportdato:
        errors["sammenligningsdato"] = _("Sammenligningsdatoen må være før rapportdatoen.")
    if dates.frist <= dates.rapportdato:
        errors["frist"] = _("Fristen må være etter rapportdatoen.")
    elif dates.frist < today():
        errors["frist"] = _("Fristen kan ikke være passert.")
    if errors:
        raise ValidationFailed(errors)
