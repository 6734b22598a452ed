"""The form *Registrering av IKT-tilgang/-avgang*: one row per person and event.

``kind`` is ``ny`` (ny tilsetting), ``endring``, ``permisjon`` or ``avgang``. ``state`` is
``utkast`` (the leader fills it in), ``lonn``, ``ikt``, ``arkiv`` (waiting at that step, a core
task to the role), ``retur`` (returned to the leader with a question) or ``fullfort``.
``returned_from`` is the step that returned it (the route continues there). No national
identity number or bank account is stored (data minimisation).
"""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from core.tables import Person, Unit


class OnboardingForm(Table, tablename="onboarding_form"):
    """Skjema: who it is about, what is asked for, where on the route it is."""

    id: Serial
    kind = Varchar(length=12)
    state = Varchar(length=12, default="utkast", index=True)
    returned_from = Varchar(length=12, default="")
    leader = ForeignKey(Person, on_delete=OnDelete.restrict, index=True)
    """Who filled it in (the unit's acting leader)."""
    unit = ForeignKey(Unit, on_delete=OnDelete.restrict)
    person = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)
    """The person it is about, once they exist in the organisation."""
    person_name = Varchar(length=200, default="")
    email = Varchar(length=254, default="")
    employee_number = Varchar(length=20, default="")
    job_title = Varchar(length=200, default="")
    archive_role = Varchar(length=20, default="")
    access_codes = Varchar(length=100, default="")
    deputy_for = Varchar(length=200, default="")
    change_text = Text(default="")
    new_unit = ForeignKey(Unit, null=True, default=None, on_delete=OnDelete.restrict)
    starts = Date(null=True, default=None)
    """Start date (ny), from date (endring, permisjon)."""
    ends = Date(null=True, default=None)
    """Last day of the leave (permisjon), last working day (avgang)."""
    user_name = Varchar(length=40, default="")
    """Set by IKT: the user name created (ny)."""
    created = Timestamptz()
    updated = Timestamptz()
    version = Integer(default=1)


FORM_TABLES: list[type[Table]] = [OnboardingForm]
