"""State changes of existing records: ferdigstill, ekspeder, edit and delete a post, close a
case, remarks, and tilgangskoder.

Each runs in one write transaction, checks the caller's ``version`` with an optimistic update
(:func:`core.archive.records.bump`) and records a hendelseslogg row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from piccolo.query.mixins import OnConflictAction

from core import audit
from core.archive import kodelister, ledger, permissions, rules
from core.archive.documents import count_documents, finish_documents, reopen_documents
from core.archive.queries.cases import open_restanser_in_case_count
from core.archive.records import (
    Row,
    bump,
    case_changed,
    case_label,
    load_case,
    load_post,
    post_changed,
    post_label,
)
from core.archive.tables import (
    Avskrivning,
    Dokumentflyt,
    Journalpost,
    Korrespondansepart,
    Merknad,
    Saksmappe,
    Tilgang,
)
from core.auth.user import User
from core.db import writing
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.i18n import _
from core.tables import Person
from core.timeutil import now

if TYPE_CHECKING:
    from core.archive.inputs import PostChanges


async def _post_and_case(journalpost_id: int) -> tuple[Row, Row]:
    """Case and post, locked in that order (PostgreSQL)."""
    case_id = (await load_post(journalpost_id))["saksmappe"]
    case = await load_case(case_id, lock=True)
    return await load_post(journalpost_id, lock=True), case


def _check_version(row: Row, version: int, message: str) -> None:
    if row["version"] != version:
        raise Conflict(message)


async def _require_documents(journalpost_id: int, message: str) -> None:
    if await count_documents(journalpost_id) == 0:
        raise Conflict(message)


async def ferdigstill(user: User, journalpost_id: int, version: int) -> None:
    async with writing(Journalpost):
        post, case = await _post_and_case(journalpost_id)
        acting = await permissions.post_worker(user, post, case)
        _check_version(post, version, post_changed())
        refusal = rules.ferdigstill_refusal(post["journalposttype"], post["journalstatus"])
        if refusal:
            raise Conflict(refusal)
        await _require_documents(
            journalpost_id, _("Legg til hoveddokumentet før du ferdigstiller journalposten.")
        )
        await bump(Journalpost, journalpost_id, version, {Journalpost.journalstatus: "F"}, post_changed())
        await ledger.refresh_posts([journalpost_id])
        await finish_documents(journalpost_id)
        await audit.record(
            actor_id=user.person_id,
            on_behalf_of=acting.on_behalf_of,
            action="archive.post_finished",
            object_type="journalpost",
            object_id=journalpost_id,
            summary=post_label(case, post),
            details={"fra": post["journalstatus"], "til": "F"},
        )


async def _from_ferdigstilt(
    user: User,
    post: Row,
    case: Row,
    acting: permissions.Acting,
    version: int,
    to: str,
    action: str,
    refusal: str,
) -> None:
    """Move a ferdigstilt post (F) to ``to``, audited as ``action`` (inside the caller's write)."""
    _check_version(post, version, post_changed())
    if post["journalstatus"] != "F":
        raise Conflict(refusal)
    await bump(Journalpost, int(post["id"]), version, {Journalpost.journalstatus: to}, post_changed())
    await ledger.refresh_posts([int(post["id"])])
    await audit.record(
        actor_id=user.person_id,
        on_behalf_of=acting.on_behalf_of,
        action=action,
        object_type="journalpost",
        object_id=int(post["id"]),
        summary=post_label(case, post),
        details={"fra": "F", "til": to},
    )


async def reopen_post(user: User, journalpost_id: int, version: int) -> None:
    """F → R: a post under approval goes back to its handler (not approved at the first step,
    or the handler withdrew the round). While the round runs only its approver may; once no
    approval runs, who may work on the post."""
    async with writing(Journalpost):
        post, case = await _post_and_case(journalpost_id)
        acting = await permissions.approval_holder(user, journalpost_id) or await permissions.post_worker(
            user, post, case
        )
        await _from_ferdigstilt(
            user,
            post,
            case,
            acting,
            version,
            "R",
            "archive.post_reopened",
            _("Journalposten er ikke ferdigstilt, og kan ikke tas tilbake til arbeid."),
        )
        await reopen_documents(journalpost_id)


async def approve_post(user: User, journalpost_id: int, version: int) -> None:
    """F → G (godkjent av leder): only the approver of the running round (or their deputy)."""
    async with writing(Journalpost):
        post, case = await _post_and_case(journalpost_id)
        acting = await permissions.approval_status_changer(user, post)
        await _from_ferdigstilt(
            user,
            post,
            case,
            acting,
            version,
            "G",
            "archive.post_approved",
            _("Bare en ferdigstilt journalpost (F) kan godkjennes."),
        )


async def ekspeder(user: User, journalpost_id: int, version: int) -> None:
    async with writing(Journalpost):
        post, case = await _post_and_case(journalpost_id)
        acting = await permissions.post_worker(user, post, case)
        _check_version(post, version, post_changed())
        refusal = rules.ekspeder_refusal(post["journalposttype"], post["journalstatus"])
        if refusal:
            raise Conflict(refusal)
        if await permissions.approvers_of(journalpost_id):
            raise Conflict(_("Journalposten er til godkjenning, og kan ekspederes når den er godkjent."))
        await _require_documents(
            journalpost_id, _("Legg til hoveddokumentet før du ekspederer journalposten.")
        )
        sent = now()
        await bump(
            Journalpost,
            journalpost_id,
            version,
            {Journalpost.journalstatus: "E", Journalpost.sendt_dato: sent},
            post_changed(),
        )
        await ledger.refresh_posts([journalpost_id])
        # Noark 5: E is set only on ferdigstilte documents; dispatching ferdigstiller them.
        await finish_documents(journalpost_id)
        await audit.record(
            actor_id=user.person_id,
            on_behalf_of=acting.on_behalf_of,
            action="archive.dispatched",
            object_type="journalpost",
            object_id=journalpost_id,
            summary=post_label(case, post),
            details={"fra": post["journalstatus"], "til": "E", "sendt_dato": sent.isoformat()},
        )


async def update_post(user: User, journalpost_id: int, changes: PostChanges, version: int) -> None:
    async with writing(Journalpost):
        post, case = await _post_and_case(journalpost_id)
        acting = await permissions.post_worker(user, post, case)
        _check_version(post, version, post_changed())
        refusal = rules.edit_refusal(post["journalstatus"], is_archive=user.is_archive)
        if refusal:
            raise Conflict(refusal)
        errors: dict[str, str] = {}
        tittel = rules.check_title(changes.tittel, errors)
        rules.check_dates(
            errors,
            dokumentets_dato=changes.dokumentets_dato,
            forfallsdato=changes.forfallsdato,
            mottatt_dato=post["mottatt_dato"],
        )
        if errors:
            raise ValidationFailed(errors)
        values: dict[Any, Any] = {
            Journalpost.tittel: tittel,
            Journalpost.offentlig_tittel: changes.offentlig_tittel.strip(),
            Journalpost.dokumentets_dato: changes.dokumentets_dato,
            Journalpost.forfallsdato: changes.forfallsdato,
        }
        changed = sorted(
            column._meta.name for column, value in values.items() if post[column._meta.name] != value
        )
        if not changed:
            return
        await bump(Journalpost, journalpost_id, version, values, post_changed())
        if "forfallsdato" in changed:
            await ledger.refresh_posts([journalpost_id])  # the spans keep the card's forfallsdato
        updated = {**post, "tittel": tittel, "offentlig_tittel": changes.offentlig_tittel.strip()}
        await audit.record(
            actor_id=user.person_id,
            on_behalf_of=acting.on_behalf_of,
            action="archive.post_updated",
            object_type="journalpost",
            object_id=journalpost_id,
            summary=post_label(case, updated),
            details={"felter": changed},
        )


async def delete_post(user: User, journalpost_id: int, version: int) -> None:
    async with writing(Journalpost):
        post, case = await _post_and_case(journalpost_id)
        if post["saksbehandler"] != user.person_id:
            raise Forbidden(_("Bare saksbehandleren som reserverte journalposten, kan slette den."))
        _check_version(post, version, post_changed())
        if post["journalstatus"] != "R" or post["journalposttype"] not in rules.OWN_TYPES:
            raise Conflict(
                _(
                    "Bare reserverte journalposter (status R) kan slettes. En journalpost som er "
                    "ferdigstilt, ekspedert, journalført eller arkivert, skal bevares."
                )
            )
        if await count_documents(journalpost_id):
            raise Conflict(_("Journalposten har dokumenter og kan ikke slettes."))
        linked = await Avskrivning.exists().where(
            (Avskrivning.journalpost == journalpost_id)
            | (Avskrivning.avskrives_av_journalpost == journalpost_id)
        )
        if linked:
            raise Conflict(_("Journalposten er knyttet til avskrivninger og kan ikke slettes."))
        if await Korrespondansepart.exists().where(
            Korrespondansepart.foreloepig_svar_journalpost == journalpost_id
        ):
            raise Conflict(_("Journalposten er registrert som foreløpig svar og kan ikke slettes."))
        if await Dokumentflyt.exists().where(Dokumentflyt.journalpost == journalpost_id):
            raise Conflict(_("Journalposten har vært sendt på dokumentflyt og kan ikke slettes."))
        await bump(Journalpost, journalpost_id, version, {}, post_changed())
        remarks = await Merknad.count().where(Merknad.journalpost == journalpost_id)
        await Merknad.delete().where(Merknad.journalpost == journalpost_id)
        await Korrespondansepart.delete().where(Korrespondansepart.journalpost == journalpost_id)
        await Journalpost.delete().where(Journalpost.id == journalpost_id)
        await ledger.refresh_posts([journalpost_id])
        await audit.record(
            actor_id=user.person_id,
            action="archive.post_deleted",
            object_type="journalpost",
            object_id=journalpost_id,
            summary=post_label(case, post),
            details={
                "saksmappe_id": case["id"],
                "journalpostnummer": post["journalpostnummer"],
                "merknader": remarks,
            },
        )


_OPEN_OWN_POSTS = (
    "SELECT COUNT(*) AS n FROM core_journalpost j WHERE j.saksmappe = {} "
    "AND j.journalposttype IN ('U', 'N', 'X') AND j.journalstatus IN ('R', 'F', 'G')"
)


async def close_case(user: User, saksmappe_id: int, version: int) -> None:
    async with writing(Saksmappe):
        case = await load_case(saksmappe_id, lock=True)
        acting = permissions.case_closer(user, case)
        _check_version(case, version, case_changed())
        if case["saksstatus"] == "A":
            raise Conflict(_("Saken er allerede avsluttet."))
        reason = rules.case_closed_reason(case["saksstatus"])
        if reason:
            raise Conflict(reason)
        restanser = await open_restanser_in_case_count(saksmappe_id)
        open_posts = int((await Saksmappe.raw(_OPEN_OWN_POSTS, saksmappe_id))[0]["n"])
        refusal = rules.close_refusal(restanser, open_posts)
        if refusal:
            raise Conflict(refusal)
        closed = now()
        await bump(
            Saksmappe,
            saksmappe_id,
            version,
            {Saksmappe.saksstatus: "A", Saksmappe.avsluttet_dato: closed},
            case_changed(),
        )
        await audit.record(
            actor_id=user.person_id,
            on_behalf_of=acting.on_behalf_of,
            action="archive.case_closed",
            object_type="saksmappe",
            object_id=saksmappe_id,
            summary=case_label(case),
            details={"fra": case["saksstatus"], "til": "A"},
        )


async def add_merknad(user: User, text: str, saksmappe_id: int | None, journalpost_id: int | None) -> int:
    if (saksmappe_id is None) == (journalpost_id is None):
        raise ValueError("give exactly one of saksmappe_id and journalpost_id")
    errors: dict[str, str] = {}
    text = rules.check_merknad(text, errors)
    async with writing(Merknad):
        if journalpost_id is not None:
            post = await load_post(journalpost_id)
            case = await load_case(post["saksmappe"])
            acting = await permissions.post_worker(user, post, case, as_recipient=True)
            object_type, object_id, label = "journalpost", journalpost_id, post_label(case, post)
        else:
            assert saksmappe_id is not None
            case = await load_case(saksmappe_id)
            acting = await permissions.case_worker(user, case)
            object_type, object_id, label = "saksmappe", saksmappe_id, case_label(case)
        if errors:
            raise ValidationFailed(errors)
        remark = Merknad(
            saksmappe=saksmappe_id,
            journalpost=journalpost_id,
            merknadstekst=text,
            merknadstype=acting.merknadstype,
            merknadsdato=now(),
            registrert_av=user.person_id,
        )
        await remark.save()
        await audit.record(
            actor_id=user.person_id,
            on_behalf_of=acting.on_behalf_of,
            action="archive.remark_added",
            object_type=object_type,
            object_id=object_id,
            summary=label,
            details={"merknad_id": int(remark.id), "merknadstype": acting.merknadstype},
        )
    return int(remark.id)


async def _person_for_access(person_id: int, tilgangsrestriksjon: str) -> str:
    kode = tilgangsrestriksjon.strip()
    if not rules.is_code(kodelister.TILGANGSRESTRIKSJON, kode):
        raise ValidationFailed({"tilgangsrestriksjon": _("Velg en tilgangskode fra listen.")})
    person = await Person.select(Person.id, Person.active).where(Person.id == person_id).first()
    if person is None:
        raise NotFound(_("Fant ikke personen."))
    return kode


async def grant_access(user: User, person_id: int, tilgangsrestriksjon: str) -> bool:
    """Give the code; False (nothing written, nothing logged) when the person already holds it."""
    acting = permissions.access_admin(user)
    kode = await _person_for_access(person_id, tilgangsrestriksjon)
    async with writing(Tilgang):
        inserted = (
            await Tilgang.insert(Tilgang(person=person_id, tilgangsrestriksjon=kode))
            .on_conflict(action=OnConflictAction.do_nothing)
            .returning(Tilgang.id)
        )
        if not inserted:
            return False  # already held: nothing changed, nothing to log
        await audit.record(
            actor_id=user.person_id,
            on_behalf_of=acting.on_behalf_of,
            action="archive.access_granted",
            object_type="person",
            object_id=person_id,
            summary=_("Tilgangskode %(kode)s gitt") % {"kode": kode},
            details={"tilgangsrestriksjon": kode},
        )
    return True


async def revoke_access(user: User, person_id: int, tilgangsrestriksjon: str) -> bool:
    """Take the code; False (nothing written, nothing logged) when the person does not hold it."""
    acting = permissions.access_admin(user)
    kode = await _person_for_access(person_id, tilgangsrestriksjon)
    async with writing(Tilgang):
        removed = (
            await Tilgang.delete()
            .where((Tilgang.person == person_id) & (Tilgang.tilgangsrestriksjon == kode))
            .returning(Tilgang.id)
        )
        if not removed:
            return False
        await audit.record(
            actor_id=user.person_id,
            on_behalf_of=acting.on_behalf_of,
            action="archive.access_revoked",
            object_type="person",
            object_id=person_id,
            summary=_("Tilgangskode %(kode)s tatt bort") % {"kode": kode},
            details={"tilgangsrestriksjon": kode},
        )
    return True
