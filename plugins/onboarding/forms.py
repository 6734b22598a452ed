"""Parsing and validation of the form *Registrering av IKT-tilgang/-avgang* (routes, services
and demo data alike). What was typed is kept as text in :class:`Entered`, so a form with errors
comes back as the leader left it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from core.archive import kodelister
from core.dates import date_into, show_date
from core.i18n import N_, _
from core.validation import parse_id

NY = "ny"
ENDRING = "endring"
PERMISJON = "permisjon"
AVGANG = "avgang"
KINDS: tuple[str, ...] = (NY, ENDRING, PERMISJON, AVGANG)
KIND_LABELS = {
    NY: N_("Ny tilsetting"),
    ENDRING: N_("Endring"),
    PERMISJON: N_("Permisjon"),
    AVGANG: N_("Avgang"),
}
ARCHIVE_ROLES = {
    "saksbehandler": N_("Saksbehandler"),
    "leder-fordeler": N_("Leder/fordeler"),
    "arkiv": N_("Arkiv"),
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
FIELDS = (
    "kind",
    "unit",
    "person",
    "person_name",
    "email",
    "employee_number",
    "job_title",
    "archive_role",
    "access_codes",
    "deputy_for",
    "change_text",
    "new_unit",
    "starts",
    "ends",
)


@dataclass(frozen=True)
class Entered:
    """The form as typed (all text)."""

    kind: str = ""
    unit: str = ""
    person: str = ""
    person_name: str = ""
    email: str = ""
    employee_number: str = ""
    job_title: str = ""
    archive_role: str = ""
    access_codes: str = ""
    deputy_for: str = ""
    change_text: str = ""
    new_unit: str = ""
    starts: str = ""
    ends: str = ""

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Entered:
        values = {}
        for name in FIELDS:
            raw = data.get(name, "")
            values[name] = (
                " ".join(str(raw if raw is not None else "").split())
                if name != "change_text"
                else str(raw or "").strip()
            )
        return cls(**values)

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class Cleaned:
    """The form's values, parsed."""

    kind: str
    unit: int | None
    person: int | None
    person_name: str
    email: str
    employee_number: str
    job_title: str
    archive_role: str
    access_codes: tuple[str, ...]
    deputy_for: str
    change_text: str
    new_unit: int | None
    starts: date | None
    ends: date | None


def is_email(text: str) -> bool:
    return bool(_EMAIL.match(text))


def codes(text: str) -> tuple[str, ...]:
    """Tilgangskoder as typed ("p, u" or "P U") → ("P", "U"), spelled as in the kodeliste
    (an unknown code is kept as typed, for the error)."""
    known = {c.lower(): c for c in kodelister.codes(kodelister.TILGANGSRESTRIKSJON)}
    return tuple(dict.fromkeys(known.get(c.lower(), c) for c in re.split(r"[\s,;]+", text) if c))


def date_labels(kind: str) -> tuple[str, str]:
    """The labels of the two date fields of a form of ``kind`` (as the form shows them), for
    the date messages."""
    if kind == NY:
        return _("Startdato"), _("Til dato")
    if kind == PERMISJON:
        return _("Første dag av permisjonen"), _("Siste dag av permisjonen")
    if kind == AVGANG:
        return _("Fra dato"), _("Siste arbeidsdag")
    return _("Fra dato"), _("Til dato")


def clean(entered: Entered, *, complete: bool) -> tuple[Cleaned, dict[str, str]]:
    """Parse what was typed. ``complete``: the form is to be sent, so every required field of
    its kind must be there (a draft needs only its kind and whom it is about)."""
    errors: dict[str, str] = {}
    kind = entered.kind
    if kind not in KINDS:
        errors["kind"] = _("Velg hva skjemaet gjelder.")
    unit = parse_id(entered.unit)
    if unit is None:
        errors["unit"] = _("Velg enheten personen hører til.")
    person = parse_id(entered.person)
    if entered.person and person is None:
        errors["person"] = _("Velg personen fra listen.")
    if kind == NY:
        if not entered.person_name:
            errors["person_name"] = _("Skriv navnet på den nytilsatte.")
    elif kind in KINDS and person is None and "person" not in errors:
        errors["person"] = _("Velg hvem skjemaet gjelder.")
    if entered.email and not _EMAIL.match(entered.email):
        errors["email"] = _("Skriv e-postadressen som navn@domene.no, eller la feltet stå tomt.")
    if entered.employee_number and not entered.employee_number.isdigit():
        errors["employee_number"] = _("Ansattnummeret skal bare inneholde sifre.")
    if entered.archive_role and entered.archive_role not in ARCHIVE_ROLES:
        errors["archive_role"] = _("Velg en arkivrolle fra listen.")
    access = codes(entered.access_codes)
    unknown = [c for c in access if c not in kodelister.codes(kodelister.TILGANGSRESTRIKSJON)]
    if unknown:
        errors["access_codes"] = _(
            "Ukjent tilgangskode: %(codes)s. Skriv kodene skilt med komma, for eksempel P, U."
        ) % {"codes": ", ".join(unknown)}
    new_unit = parse_id(entered.new_unit)
    if entered.new_unit and new_unit is None:
        errors["new_unit"] = _("Velg enheten fra listen.")
    start_label, end_label = date_labels(kind)
    starts = date_into(errors, "starts", entered.starts, start_label)
    ends = date_into(errors, "ends", entered.ends, end_label)
    if starts and ends and ends < starts:
        errors["ends"] = _("Sluttdatoen kan ikke være før startdatoen.")
    if complete and kind in KINDS:
        _require(kind, entered, errors)
    cleaned = Cleaned(
        kind=kind,
        unit=unit,
        person=person,
        person_name=entered.person_name,
        email=entered.email.lower(),
        employee_number=entered.employee_number,
        job_title=entered.job_title,
        archive_role=entered.archive_role,
        access_codes=access,
        deputy_for=entered.deputy_for,
        change_text=entered.change_text,
        new_unit=new_unit,
        starts=starts,
        ends=ends,
    )
    return cleaned, errors


def _require(kind: str, entered: Entered, errors: dict[str, str]) -> None:
    def need(name: str, text: str) -> None:
        if not getattr(entered, name) and name not in errors:
            errors[name] = text

    if kind == NY:
        need("job_title", _("Skriv stillingstittelen."))
        need("starts", _("Skriv startdatoen."))
        need("archive_role", _("Velg arkivrolle."))
    elif kind == ENDRING:
        need("starts", _("Skriv fra hvilken dato endringen gjelder."))
        if not entered.new_unit and not entered.change_text:
            errors["change_text"] = _("Velg ny enhet eller beskriv endringen.")
    elif kind == PERMISJON:
        need("starts", _("Skriv første dag av permisjonen."))
        need("ends", _("Skriv siste dag av permisjonen."))
    elif kind == AVGANG:
        need("ends", _("Skriv siste arbeidsdag."))


def entered_from_row(row: Mapping[str, Any]) -> Entered:
    """A saved form as it is shown for editing."""

    def text(value: Any) -> str:
        if isinstance(value, date):
            return show_date(value)
        return "" if value is None else str(value)

    return Entered(
        kind=row["kind"],
        unit=text(row["unit"]),
        person=text(row["person"]),
        person_name=row["person_name"],
        email=row["email"],
        employee_number=row["employee_number"],
        job_title=row["job_title"],
        archive_role=row["archive_role"],
        access_codes=row["access_codes"],
        deputy_for=row["deputy_for"],
        change_text=row["change_text"],
        new_unit=text(row["new_unit"]),
        starts=text(row["starts"]),
        ends=text(row["ends"]),
    )
