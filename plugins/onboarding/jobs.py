"""``onboarding.deactivate`` (daily, 00:05): a leaver whose *avgang* form is complete and whose
last working day has passed is deactivated, loses their roles and tilgangskoder, and their
sessions end. After that, dev login and OIDC sign-in refuse them (core signs in active people
only).

The changes go through core's audited services, acted by the member of Fellestjenesten/Arkiv who
completed the form's arkiv step (they agreed the change; the job applies it on the date). A
leaver who still leads a unit is not deactivated (core refuses it): the summary says so, and the
job tries again the next night. Safe to run twice: a deactivated person is skipped.
"""

from __future__ import annotations

from core.admin.people import PersonForm, get_person, set_person_active, update_person
from core.archive import services as archive
from core.archive.access import access_codes
from core.auth.user import User, load_user
from core.errors import Conflict
from core.i18n import _
from core.jobs import JobContext
from core.sessions import end_person_sessions_for
from core.settings import Settings
from core.tables import Person
from core.tasks.queries import tasks_about
from core.timeutil import today
from plugins.onboarding import forms
from plugins.onboarding.services import form_kinds
from plugins.onboarding.tables.forms import OnboardingForm

DEACTIVATE_JOB = "onboarding.deactivate"
DEACTIVATE_SCHEDULE = "5 0 * * *"


async def _actor(form_id: int) -> User | None:
    """Who completed the form's arkiv step, if they still may act."""
    steps = [
        t for t in await tasks_about(form_kinds.OBJECT, form_id, (form_kinds.ARKIV,)) if t["state"] == "done"
    ]
    if not steps or not steps[-1]["done_by"]:
        return None
    user = await load_user(int(steps[-1]["done_by"]))
    return user if user is not None and (user.is_archive or user.is_admin) else None


async def deactivate_leaver(settings: Settings, actor: User, person_id: int) -> bool:
    """Remove the person's tilgangskoder and roles, deactivate them, end their sessions. False
    when they were already inactive; :class:`Conflict` when core refuses (they lead a unit)."""
    person = await get_person(actor, person_id)
    if not person["active"]:
        return False
    for code in sorted(await access_codes(person_id)):
        await archive.revoke_access(settings, actor, person_id, code)
    if person["roles"]:
        await update_person(
            actor,
            person_id,
            PersonForm(
                name=person["name"],
                initials=person["initials"],
                email=person["email"],
                unit=str(person["unit"] or ""),
                roles=frozenset(),
            ),
        )
    await set_person_active(actor, person_id, False)
    await end_person_sessions_for(settings, person_id)
    return True


async def deactivate_leavers(ctx: JobContext) -> str:
    settings = ctx.runtime.settings
    rows = await OnboardingForm.select(OnboardingForm.id, OnboardingForm.person).where(
        (OnboardingForm.kind == forms.AVGANG)
        & (OnboardingForm.state == "fullfort")
        & (OnboardingForm.ends < today())
        & OnboardingForm.person.is_not_null()
    )
    done, refused = 0, []
    for row in rows:
        person_id = int(row["person"])
        if not await Person.exists().where((Person.id == person_id) & Person.active.eq(True)):
            continue
        actor = await _actor(int(row["id"]))
        if actor is None:
            refused.append(str(person_id))
            continue
        try:
            if await deactivate_leaver(settings, actor, person_id):
                done += 1
        except Conflict:
            refused.append(str(person_id))
    summary = _("deaktiverte %(count)s som har sluttet") % {"count": done}
    if refused:
        summary += "; " + _("ikke deaktivert (leder for en enhet eller ingen fra arkivet): %(ids)s") % {
            "ids": ", ".join(refused)
        }
    return summary
