"""What Fellestjenesten/Arkiv's step applies, through core's organisation services and
``grant_access`` (each audited there).

- *ny tilsetting*: the person is registered in the unit (initials: the user name IKT created),
  with the role ``arkiv`` when that archive role was agreed, and the tilgangskoder asked for;
- *endring*: the person moves to the new unit (when one was given);
- *permisjon*: sign-in is paused for the period (core's ``set_sign_in_pause``); when the person
  leads a unit, Fellestjenesten/Arkiv gets a task to register a deputy for the period;
- *avgang*: nothing here (the job ``onboarding.deactivate`` acts after the last day).
"""

from __future__ import annotations

from typing import Any

from core import roles
from core.admin.people import (
    PersonForm,
    create_person,
    get_person,
    set_sign_in_pause,
    units_led_by,
    update_person,
)
from core.archive import services as archive
from core.auth.user import User
from core.errors import ValidationFailed
from core.i18n import _
from core.settings import Settings
from core.tasks import services as tasks
from plugins.onboarding import forms
from plugins.onboarding.services import form_kinds

Row = dict[str, Any]


def planned_roles(form: Row) -> frozenset[str]:
    return frozenset({roles.ARKIV}) if form["archive_role"] == "arkiv" else frozenset()


def preview(form: Row) -> list[str]:
    """The change as sentences, for the arkiv step's page."""
    lines: list[str] = []
    if form["kind"] == forms.NY:
        lines.append(
            _("%(name)s registreres i enheten med brukernavn %(user)s.")
            % {"name": form["person_name"], "user": form["user_name"] or "–"}
        )
        if planned_roles(form):
            lines.append(_("Rollen Fellestjenesten/Arkiv gis."))
    elif form["kind"] == forms.ENDRING and form["new_unit"]:
        lines.append(_("%(name)s flyttes til ny enhet.") % {"name": form["person_name"]})
    if form["kind"] == forms.PERMISJON:
        lines.append(
            _("Innloggingen til %(name)s stanses fra %(starts)s til og med %(ends)s.")
            % {"name": form["person_name"], "starts": form["starts"], "ends": form["ends"]}
        )
    if form["kind"] in (forms.NY, forms.ENDRING) and form["access_codes"]:
        lines.append(_("Tilgangskoder som gis: %(codes)s.") % {"codes": form["access_codes"]})
    if not lines:
        lines.append(_("Ingen endring i organisasjonen på dette steget."))
    return lines


async def apply(settings: Settings, user: User, form: Row) -> int | None:
    """Apply the agreed change; returns the person's id (new for *ny tilsetting*)."""
    person_id: int | None = form["person"]
    if form["kind"] == forms.NY:
        if not form["email"]:
            raise ValidationFailed({"email": _("Skjemaet mangler e-postadressen. Returner det til lederen.")})
        person_id = await create_person(
            user,
            PersonForm(
                name=form["person_name"],
                initials=form["user_name"],
                email=form["email"],
                unit=str(form["unit"]),
                roles=planned_roles(form),
            ),
        )
    elif form["kind"] == forms.ENDRING and form["new_unit"] and person_id is not None:
        current = await get_person(user, person_id)
        await update_person(
            user,
            person_id,
            PersonForm(
                name=current["name"],
                initials=current["initials"],
                email=current["email"],
                unit=str(form["new_unit"]),
                roles=frozenset(current["roles"]),
            ),
        )
    elif form["kind"] == forms.PERMISJON and person_id is not None:
        await set_sign_in_pause(user, person_id, form["starts"], form["ends"])
        led = await units_led_by(person_id)
        if led:
            await tasks.create_task(
                settings,
                kind=form_kinds.STEDFORTREDER,
                receiver_role=roles.ARKIV,
                sender_id=user.person_id,
                object_type=form_kinds.OBJECT,
                object_id=form["id"],
                title=_("Registrer stedfortreder for %(name)s (%(units)s) i permisjonen %(starts)s–%(ends)s")
                % {
                    "name": form["person_name"],
                    "units": ", ".join(f"{u['code']} {u['name']}" for u in led),
                    "starts": form["starts"],
                    "ends": form["ends"],
                },
                due=form["starts"],
            )
    if form["kind"] in (forms.NY, forms.ENDRING) and person_id is not None:
        for code in form["access_codes"].split():
            await archive.grant_access(settings, user, person_id, code)
    return person_id
