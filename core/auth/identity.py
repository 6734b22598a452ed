"""Linking a signed-in account to a person, and syncing app roles from the token."""

from __future__ import annotations

from typing import Any

from core import audit
from core.auth.oidc import Claims, SignInError
from core.auth.user import may_sign_in
from core.db import writing
from core.i18n import N_
from core.settings import Settings
from core.tables import Identity, Person, PersonRole
from core.timeutil import now


async def person_for_claims(settings: Settings, claims: Claims) -> int:
    """The person id for a verified sign-in. Raises :class:`SignInError` for unknown users.

    Known ``oid``+``tid`` wins; otherwise the active person with the same e-mail (or UPN) is
    linked on first sign-in. App roles from the token replace the person's global roles.
    """
    async with writing(Identity):
        identity = (
            await Identity.select(Identity.id, Identity.person)
            .where((Identity.oid == claims.oid) & (Identity.tid == claims.tid))
            .first()
        )
        if identity:
            person_id: int = identity["person"]
            await Identity.update({Identity.last_login: now()}).where(Identity.id == identity["id"])
        else:
            person = await _active_person_by_email(claims.email)
            if person is None:
                raise SignInError(
                    N_(
                        "Brukeren din er ikke registrert i arkivrutiner. Be Fellestjenesten om å "
                        "registrere deg med e-postadressen du logger inn med."
                    )
                )
            person_id = person["id"]
            await Identity.insert(
                Identity(
                    oid=claims.oid,
                    tid=claims.tid,
                    person=person_id,
                    username=claims.email,
                    first_login=now(),
                    last_login=now(),
                )
            )
            await audit.record(
                actor_id=person_id,
                action="auth.identity_linked",
                object_type="person",
                object_id=person_id,
                summary=f"Konto {claims.email} koblet ved første innlogging",
            )
        active = await Person.exists().where((Person.id == person_id) & (Person.active.eq(True)))
        if not active:
            raise SignInError(N_("Brukeren din er deaktivert i arkivrutiner."))
        if not await Person.exists().where((Person.id == person_id) & may_sign_in()):
            raise SignInError(N_("Innloggingen din er stanset i permisjonen."))
        await _sync_roles(settings, person_id, claims.roles)
    return person_id


async def _active_person_by_email(email: str) -> dict[str, Any] | None:
    """The active person whose e-mail equals ``email``, ignoring case.

    ``ilike`` narrows the search in the database, but ``%`` and ``_`` in a claim are LIKE
    wildcards, so the match itself is an exact comparison here.
    """
    if not email:
        return None
    rows = await Person.select(Person.id, Person.email).where(
        (Person.email.ilike(email)) & (Person.active.eq(True))
    )
    wanted = email.casefold()
    matches = [row for row in rows if str(row["email"]).casefold() == wanted]
    return matches[0] if len(matches) == 1 else None


async def _sync_roles(settings: Settings, person_id: int, claimed: tuple[str, ...]) -> None:
    wanted = {settings.role_map[r] for r in claimed if r in settings.role_map}
    current = {
        r["role"] for r in await PersonRole.select(PersonRole.role).where(PersonRole.person == person_id)
    }
    if wanted == current:
        return
    await PersonRole.delete().where(PersonRole.person == person_id)
    if wanted:
        await PersonRole.insert(*[PersonRole(person=person_id, role=r) for r in sorted(wanted)])
    await audit.record(
        actor_id=person_id,
        action="auth.roles_synced",
        object_type="person",
        object_id=person_id,
        summary="Roller oppdatert fra Entra ID",
        details={"before": sorted(current), "after": sorted(wanted)},
    )
