"""Reading fordeling's forms and query strings: which queue, the filters, the suggestion
button, and what the user typed (to show the form again after an error)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from core.archive.queries.distribution import CENTRAL, QueueFilter
from core.auth.user import User
from core.errors import NotFound, ValidationFailed
from core.i18n import _
from core.validation import parse_id
from core.web.actions import Selected
from core.web.forms import form_value, form_values
from plugins.fordeling.services import OWNER_FIELD, default_queue


def invalid_selection() -> str:
    """The error when a ticked row's value does not parse (the page is out of date)."""
    return _("Valget av journalposter er ugyldig. Last siden på nytt.")


def parse_queue(value: str | None, user: User) -> int | None:
    """``?enhet=``: a unit id, ``sentral`` (None: the central queue), or empty for the user's
    default queue. Anything else is 404."""
    if value is None or value.strip() == "":
        return default_queue(user)
    if value == CENTRAL:
        return None
    unit_id = parse_id(value)
    if unit_id is None:
        raise NotFound(_("Fant ingen kurv med dette navnet."))
    return unit_id


def filters_of(form: Mapping[str, Any]) -> QueueFilter:
    return QueueFilter.from_query(
        form_value(form, "sok"), form_value(form, "jptype"), form_value(form, "sorter")
    )


def parse_suggestion(value: str) -> tuple[Selected, str]:
    """The suggestion button's value ``<korrespondansepart>:<version>:<person>``."""
    row, _sep, person = value.rpartition(":")
    choice = Selected.parse(row)
    if choice is None or parse_id(person) is None:
        raise ValidationFailed({"valgt": _("Forslaget er ugyldig. Last siden på nytt.")})
    return choice, person


def case_owners(form: Mapping[str, Any]) -> dict[int, str]:
    """The saksansvarlig step's choices: ``saksansvarlig-<saksmappe id>`` → the select's value
    (fields with anything else after the dash are left out)."""
    owners: dict[int, str] = {}
    for key in form:
        if isinstance(key, str) and key.startswith(OWNER_FIELD):
            case_id = parse_id(key.removeprefix(OWNER_FIELD))
            if case_id is not None:
                owners[case_id] = form_value(form, key)
    return owners


def distribute_entered(form: Mapping[str, Any]) -> dict[str, Any]:
    """What the user chose in the queue's forms, to show them again next to the errors."""
    return {
        "valgt": form_values(form, "valgt"),
        "saksbehandler": form_value(form, "saksbehandler"),
        "saksansvarlig": form_value(form, "saksansvarlig"),
        "enhet_til": form_value(form, "enhet_til"),
        "varsle": form_value(form, "varsle") == "1",
        "saker": case_owners(form),
    }


def parse_shown_at(value: str | None) -> datetime:
    """``vist`` of the redistribution form: when the page was shown (ISO 8601 with its offset);
    anything else refuses *Omfordel alle* (the page is to be shown again)."""
    try:
        shown = datetime.fromisoformat(value or "")
    except ValueError:
        shown = None
    if shown is None or shown.tzinfo is None:
        raise ValidationFailed(
            {
                "valgt": _(
                    "Vis journalpostene på nytt før du omfordeler alle: siden mangler tidspunktet den ble vist."
                )
            }
        )
    return shown


def redistribute_entered(form: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "valgt": form_values(form, "valgt"),
        "saksbehandler": form_value(form, "saksbehandler"),
        "merknad": form_value(form, "merknad"),
    }
