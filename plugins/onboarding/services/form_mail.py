"""The leader's receipt: a mail at each step of the form's route and when it is done
(idempotent: one mail per form, state and version)."""

from __future__ import annotations

from typing import Any

from core import mail
from core.i18n import _
from core.settings import Settings
from core.tables import Person
from plugins.onboarding.services import form_kinds


async def receipt(settings: Settings, form: dict[str, Any]) -> bool:
    leader = await Person.select(Person.name, Person.email).where(Person.id == form["leader"]).first()
    if leader is None or not leader["email"]:
        return False
    label = form_kinds.STEP_LABELS[str(form["state"])]
    state = _(label)
    name = form["person_name"] or ""
    return await mail.enqueue(
        key=f"onboarding.kvittering:{form['id']}:{form['state']}:{form['version']}",
        to_address=leader["email"],
        to_name=leader["name"],
        subject=_("IKT-tilgang/-avgang for %(name)s: %(state)s") % {"name": name, "state": state},
        body_text=_("Skjemaet for %(name)s er nå: %(state)s.\n\nSe skjemaet: %(url)s")
        % {"name": name, "state": state, "url": f"{settings.public_base_url}/onboarding/skjema/{form['id']}"},
        source="onboarding",
    )
