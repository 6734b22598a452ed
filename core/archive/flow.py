"""Dokumentflyt on the write side: one step of a journal post's flow (Noark 5 M660–M665).

A step says that ``flyt_til`` received the post for approval from ``flyt_fra`` at ``mottatt``
and sent it on at ``sendt`` with ``status`` (``G`` godkjent, ``I`` ikke godkjent, ``S`` sendt
tilbake med kommentarer) and a remark. Steps are log metadata: inserted here (and by the Noark 5
import), never updated or deleted. Routines such as godkjenning record each step when the
receiver answers, from their own authorised service, inside their own transaction.

Who may record a step (core's floor; a routine checks its own task on top):

- the receiver ``flyt_til`` themselves, or their deputy today (``on_behalf_of`` = the receiver);
- anyone who may work on the post (:func:`core.archive.permissions.post_worker`: its handler,
  the case's saksansvarlig, the unit's people who see it, the unit's leader or active deputy,
  Fellestjenesten/Arkiv).

``on_behalf_of`` names the leader a deputy acts for; it is accepted only when ``user`` is that
person's deputy today, and it is recorded in the hendelseslogg.
"""

from __future__ import annotations

from datetime import datetime

from core import audit
from core.archive import kodelister, permissions, rules
from core.archive.permissions import Acting
from core.archive.records import Row, load_case, load_post, new_system_id, post_label
from core.archive.tables import Dokumentflyt
from core.auth.user import User
from core.db import writing
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.i18n import _
from core.tables import Person
from core.timeutil import now

FLYTSTATUS = kodelister.FLYTSTATUS
APPROVER = "godkjenner"
"""The capacity of a receiver who records their own answer (hendelseslogg details)."""
MAX_NAME = 200


def _deputy_for(user: User, person_id: int) -> bool:
    """Whether ``user`` acts as deputy for ``person_id`` today (in any unit)."""
    return any(a.as_deputy and a.on_behalf_of == person_id for a in user.authorities)


async def acting_for_step(
    user: User, post: Row, case: Row, *, flyt_til_id: int, on_behalf_of: int | None
) -> Acting:
    """The capacity ``user`` records a step in, or :class:`Forbidden` (see the module docstring)."""
    if on_behalf_of is not None and not _deputy_for(user, on_behalf_of):
        raise Forbidden(_("Du er ikke stedfortreder for denne personen i dag."))
    if flyt_til_id in (user.person_id, on_behalf_of):
        return Acting(APPROVER, on_behalf_of=on_behalf_of)
    acting = await permissions.post_worker(user, post, case)
    if on_behalf_of is not None:
        return Acting(acting.role, on_behalf_of=on_behalf_of)
    return acting


def check_step(
    *, mottatt: datetime, sendt: datetime, status: str, merknad: str, errors: dict[str, str]
) -> str:
    """The remark without surrounding blanks; errors for the status, the times and the length."""
    for name, value in (("mottatt", mottatt), ("sendt", sendt)):
        if value.tzinfo is None:
            raise ValueError(f"{name} must be timezone-aware")
    if not rules.is_code(FLYTSTATUS, status):
        rules.add(
            errors,
            "status",
            _("Flytstatus må være G (godkjent), I (ikke godkjent) eller S (sendt tilbake med kommentarer)."),
        )
    if sendt < mottatt:
        rules.add(errors, "sendt", _("Sendt videre kan ikke være før mottatt."))
    if max(mottatt, sendt) > now():
        rules.add(errors, "sendt", _("Tidspunktene i dokumentflyten kan ikke være fram i tid."))
    merknad = (merknad or "").strip()
    if len(merknad) > rules.MAX_MERKNAD:
        rules.add(errors, "merknad", _("Merknaden kan ha høyst %(max)s tegn.") % {"max": rules.MAX_MERKNAD})
    return merknad


async def _names(*person_ids: int) -> dict[int, str]:
    rows = await Person.select(Person.id, Person.name).where(Person.id.is_in(sorted(set(person_ids))))
    found = {int(r["id"]): str(r["name"]) for r in rows}
    if any(person_id not in found for person_id in person_ids):
        raise NotFound(_("Fant ikke personen."))
    return found


async def add_dokumentflyt(
    user: User,
    journalpost_id: int,
    *,
    flyt_fra_id: int,
    flyt_til_id: int,
    mottatt: datetime,
    sendt: datetime,
    status: str,
    merknad: str = "",
    on_behalf_of: int | None = None,
) -> int:
    """See :func:`core.archive.services.add_dokumentflyt`."""
    errors: dict[str, str] = {}
    merknad = check_step(mottatt=mottatt, sendt=sendt, status=status, merknad=merknad, errors=errors)
    async with writing(Dokumentflyt):
        post = await load_post(journalpost_id, lock=True)
        case = await load_case(post["saksmappe"])
        acting = await acting_for_step(user, post, case, flyt_til_id=flyt_til_id, on_behalf_of=on_behalf_of)
        reason = rules.frozen_reason(post["journalstatus"])
        if reason is not None:
            raise Conflict(reason)
        if errors:
            raise ValidationFailed(errors)
        names = await _names(flyt_fra_id, flyt_til_id)
        row = Dokumentflyt(
            system_id=new_system_id(),
            journalpost=journalpost_id,
            flyt_til=flyt_til_id,
            flyt_til_navn=names[flyt_til_id][:MAX_NAME],
            flyt_fra=flyt_fra_id,
            flyt_fra_navn=names[flyt_fra_id][:MAX_NAME],
            flyt_mottatt_dato=mottatt,
            flyt_sendt_dato=sendt,
            flyt_status=status,
            flyt_merknad=merknad,
            registrert=now(),
        )
        await row.save()
        await audit.record(
            actor_id=user.person_id,
            on_behalf_of=acting.on_behalf_of,
            action="archive.flow_recorded",
            object_type="journalpost",
            object_id=journalpost_id,
            summary=_("%(post)s: %(status)s (fra %(fra)s til %(til)s)")
            % {
                "post": post_label(case, post),
                "status": kodelister.name(FLYTSTATUS, status),
                "fra": names[flyt_fra_id],
                "til": names[flyt_til_id],
            },
            details={
                "dokumentflyt_id": int(row.id),
                "flyt_status": status,
                "flyt_fra": flyt_fra_id,
                "flyt_til": flyt_til_id,
                "rolle": acting.role,
            },
        )
    return int(row.id)
