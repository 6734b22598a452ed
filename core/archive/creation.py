"""Creating records: cases, incoming post (Fellestjenesten/Arkiv) and own posts (handlers).

Numbers come from :mod:`core.archive.numbering` inside the write transaction: the case number
``saksaar/sakssekvensnummer`` (series ``sak`` per year), the journalpostnummer per case (series
``jp:<case>``) and the journal's ``journalaar/journalsekvensnummer`` (series ``journal`` per
year). A rolled-back transaction rolls its numbers back too, so the series have no gaps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from core import audit
from core.archive import kodelister, ledger, numbering, permissions, rules, sender_handlers
from core.archive.documents import Staged, insert_documents
from core.archive.permissions import Acting
from core.archive.recipients import write_off
from core.archive.records import (
    PART_COLUMNS,
    POST_COLUMNS,
    Row,
    active_people,
    active_units,
    case_label,
    load_case,
    load_post,
    new_system_id,
    post_label,
    unit_label,
)
from core.archive.tables import Journalpost, Korrespondansepart, Saksmappe
from core.auth.user import User
from core.db import writing
from core.errors import Conflict, Forbidden, ValidationFailed
from core.i18n import _
from core.settings import Settings
from core.timeutil import now, today

if TYPE_CHECKING:
    from core.archive.inputs import IncomingPost, InternalRecipient, NewCase, NewPost, Part


# --- cases ---------------------------------------------------------------------------------


async def _case_values(
    user: User,
    data: NewCase,
    errors: dict[str, str],
    *,
    title_field: str = "tittel",
    default_unit: int | None,
) -> tuple[dict[str, Any], Acting]:
    """Validated column values of a new case, and the capacity the user creates it in."""
    tittel = rules.check_title(data.tittel, errors, title_field)
    kode, hjemmel = rules.check_skjerming(data.tilgangsrestriksjon, data.skjermingshjemmel, errors)
    unit_id = data.administrativ_enhet_id if data.administrativ_enhet_id is not None else default_unit
    owner_id = data.saksansvarlig_id
    acting: Acting | None = permissions.AS_ARCHIVE if user.is_archive else None
    if acting is None:
        if unit_id is None:
            raise Forbidden(_("Du må høre til en enhet for å opprette en sak."))
        acting = permissions.AS_HANDLER if unit_id == user.unit_id else permissions.as_leader(user, unit_id)
        if acting is None:
            raise Forbidden(_("Du kan bare opprette saker i din egen enhet eller i enheter du leder."))
        if owner_id is None:
            owner_id = user.person_id
    units = await active_units([unit_id] if unit_id is not None else [])
    if unit_id is not None and unit_id not in units:
        rules.add(errors, "administrativ_enhet_id", _("Velg en aktiv enhet."))
    if owner_id is not None:
        owner = (await active_people([owner_id])).get(owner_id)
        if owner is None:
            rules.add(errors, "saksansvarlig_id", _("Saksansvarlig må være en aktiv person."))
        elif unit_id is not None and owner["unit"] != unit_id and owner_id != user.person_id:
            rules.add(errors, "saksansvarlig_id", _("Saksansvarlig må høre til enheten saken hører til."))
    values = {
        "tittel": tittel,
        "offentlig_tittel": data.offentlig_tittel.strip(),
        "administrativ_enhet": unit_id,
        "saksansvarlig": owner_id,
        "tilgangsrestriksjon": kode,
        "skjermingshjemmel": hjemmel,
    }
    return values, acting


async def _insert_case(user: User, acting: Acting, values: dict[str, Any]) -> Row:
    """Number and insert a case (saksstatus B) and log it; returns the case row."""
    year = today().year
    sekvens = await numbering.next_number("sak", year)
    case = Saksmappe(
        system_id=new_system_id(),
        saksaar=year,
        sakssekvensnummer=sekvens,
        saksstatus="B",
        saksdato=today(),
        opprettet_dato=now(),
        opprettet_av=user.person_id,
        **values,
    )
    await case.save()
    row = await load_case(int(case.id))
    await audit.record(
        actor_id=user.person_id,
        on_behalf_of=acting.on_behalf_of,
        action="archive.case_created",
        object_type="saksmappe",
        object_id=row["id"],
        summary=case_label(row),
        details={
            "mappe_id": numbering.mappe_id(year, sekvens),
            "administrativ_enhet": values["administrativ_enhet"],
            "saksansvarlig": values["saksansvarlig"],
            "tilgangsrestriksjon": values["tilgangsrestriksjon"],
        },
    )
    return row


async def create_case(settings: Settings, user: User, data: NewCase) -> int:
    del settings
    errors: dict[str, str] = {}
    values, acting = await _case_values(user, data, errors, default_unit=user.unit_id)
    if errors:
        raise ValidationFailed(errors)
    async with writing(Saksmappe):
        case = await _insert_case(user, acting, values)
    return int(case["id"])


# --- journal posts -------------------------------------------------------------------------


async def _insert_post(case: Row, user: User, values: dict[str, Any]) -> Row:
    """Number and insert a journal post in ``case``; returns the post row."""
    journalpostnummer = await numbering.next_number(numbering.journalpost_serie(case["id"]), 0)
    year = today().year
    journalsekvensnummer = await numbering.next_number("journal", year)
    post = Journalpost(
        system_id=new_system_id(),
        saksmappe=case["id"],
        journalaar=year,
        journalsekvensnummer=journalsekvensnummer,
        journalpostnummer=journalpostnummer,
        journaldato=today(),
        opprettet_dato=now(),
        opprettet_av=user.person_id,
        **values,
    )
    await post.save()
    return await load_post(int(post.id))


async def _insert_parts(post: Row, parts: Sequence[dict[str, Any]]) -> None:
    """Insert the post's korrespondanseparter in one statement (each with the post's
    journaldato, for the search)."""
    journalpost_id = int(post["id"])
    if parts:
        await Korrespondansepart.insert(
            *(
                Korrespondansepart(journalpost=journalpost_id, journaldato=post["journaldato"], **values)
                for values in parts
            )
        )
        if any(values.get("saksbehandler") is not None for values in parts):
            await sender_handlers.record_post(journalpost_id)
        await ledger.refresh_posts([journalpost_id])


def _external(part: Part) -> dict[str, Any]:
    return {
        "korrespondanseparttype": part.korrespondanseparttype,
        "navn": part.navn.strip(),
        "postadresse": part.postadresse.strip(),
        "postnummer": part.postnummer.strip(),
        "poststed": part.poststed.strip(),
        "epostadresse": part.epostadresse.strip(),
        "intern": False,
    }


async def _internal(recipients: Sequence[InternalRecipient], errors: dict[str, str]) -> list[dict[str, Any]]:
    """Validated internal recipients (active unit; a handler active in that unit) as rows."""
    field = "interne_mottakere"
    units = await active_units([r.administrativ_enhet_id for r in recipients])
    people = await active_people([r.saksbehandler_id for r in recipients if r.saksbehandler_id is not None])
    rows: list[dict[str, Any]] = []
    seen: set[tuple[int, int | None, str]] = set()
    for recipient in recipients:
        unit = units.get(recipient.administrativ_enhet_id)
        person = people.get(recipient.saksbehandler_id) if recipient.saksbehandler_id is not None else None
        if recipient.korrespondanseparttype not in rules.INTERNAL_PART_TYPES:
            rules.add(
                errors, field, _("En intern mottaker er intern mottaker (IM) eller intern kopimottaker (IK).")
            )
        if unit is None:
            rules.add(errors, field, _("Velg en aktiv enhet for hver interne mottaker."))
            continue
        if recipient.saksbehandler_id is not None and (person is None or person["unit"] != unit["id"]):
            rules.add(errors, field, _("Saksbehandleren må være en aktiv person i mottakerenheten."))
            continue
        key = (recipient.administrativ_enhet_id, recipient.saksbehandler_id, recipient.korrespondanseparttype)
        if key in seen:
            rules.add(errors, field, _("Den samme interne mottakeren er med flere ganger."))
            continue
        seen.add(key)
        rows.append(
            {
                "korrespondanseparttype": recipient.korrespondanseparttype,
                "navn": (person["name"] if person else unit_label(unit))[:300],
                "intern": True,
                "administrativ_enhet": unit["id"],
                "saksbehandler": person["id"] if person else None,
                "fordelt_dato": now() if person else None,
            }
        )
    return rows


def _post_basics(
    errors: dict[str, str],
    *,
    tittel: str,
    tilgangsrestriksjon: str,
    skjermingshjemmel: str,
    dokumentets_dato: date | None,
    forfallsdato: date | None,
    mottatt_dato: datetime | None = None,
) -> dict[str, Any]:
    values = {"tittel": rules.check_title(tittel, errors)}
    kode, hjemmel = rules.check_skjerming(tilgangsrestriksjon, skjermingshjemmel, errors)
    rules.check_dates(
        errors, dokumentets_dato=dokumentets_dato, forfallsdato=forfallsdato, mottatt_dato=mottatt_dato
    )
    return {**values, "tilgangsrestriksjon": kode, "skjermingshjemmel": hjemmel}


def _check_type(journalposttype: str, allowed: tuple[str, ...], errors: dict[str, str]) -> None:
    if journalposttype in allowed:
        return
    names = ", ".join(f"{kodelister.name(kodelister.JOURNALPOSTTYPE, t).lower()} ({t})" for t in allowed)
    rules.add(
        errors, "journalposttype", _("Velg en av disse journalposttypene: %(types)s.") % {"types": names}
    )


def _case_open(case: Row) -> None:
    reason = rules.case_closed_reason(case["saksstatus"])
    if reason:
        raise Conflict(_("%(reason)s Nye journalposter kan ikke opprettes i den.") % {"reason": reason})


async def register_incoming(settings: Settings, user: User, data: IncomingPost) -> int:
    acting = permissions.require_archive(user)
    errors: dict[str, str] = {}
    _check_type(data.journalposttype, rules.INCOMING_TYPES, errors)
    received = data.mottatt_dato or now()
    values = _post_basics(
        errors,
        tittel=data.tittel,
        tilgangsrestriksjon=data.tilgangsrestriksjon,
        skjermingshjemmel=data.skjermingshjemmel,
        dokumentets_dato=data.dokumentets_dato,
        forfallsdato=data.forfallsdato,
        mottatt_dato=received,
    )
    if (data.saksmappe_id is None) == (data.new_case is None):
        rules.add(errors, "saksmappe_id", _("Velg en eksisterende sak, eller opprett en ny."))
    case_values: dict[str, Any] | None = None
    if data.new_case is not None:
        new_case, title_field = data.new_case, "new_case"
        if not new_case.tittel.strip():
            # A new case without its own title takes the post's; an empty post title is then
            # reported once, on the post's title (rules.add keeps a message once per field).
            new_case, title_field = replace(new_case, tittel=data.tittel), "tittel"
        if not new_case.offentlig_tittel.strip():
            new_case = replace(new_case, offentlig_tittel=data.offentlig_tittel)
        case_values, _acting = await _case_values(
            user, new_case, errors, title_field=title_field, default_unit=data.mottaker_enhet_id
        )
    if data.avsender is not None:
        rules.check_part(data.avsender, rules.SENDER_PART_TYPES, errors, "avsender")
    elif data.journalposttype == "I":
        rules.add(errors, "avsender", _("Skriv hvem den inngående posten er fra."))
    unit = None
    if data.mottaker_enhet_id is not None:
        unit = (await active_units([data.mottaker_enhet_id])).get(data.mottaker_enhet_id)
        if unit is None:
            rules.add(errors, "mottaker_enhet_id", _("Velg en aktiv enhet."))
    elif data.journalposttype == "N":
        rules.add(
            errors,
            "mottaker_enhet_id",
            _("Et organinternt dokument for oppfølging (N) må ha en mottakerenhet."),
        )
    rules.check_documents(data.documents, errors, require_main=True)
    if errors:
        raise ValidationFailed(errors)
    with Staged(settings, [d.file for d in data.documents]) as staging:
        stored = staging.stored
        async with writing(Journalpost):
            if case_values is not None:
                case = await _insert_case(user, acting, case_values)
            else:
                assert data.saksmappe_id is not None
                case = await load_case(data.saksmappe_id, lock=True)
                reason = rules.case_closed_reason(case["saksstatus"])
                if reason:
                    raise ValidationFailed(
                        {
                            "saksmappe_id": _("%(reason)s Velg en åpen sak, eller opprett en ny.")
                            % {"reason": reason}
                        }
                    )
            post = await _insert_post(
                case,
                user,
                {
                    **values,
                    "journalposttype": data.journalposttype,
                    "journalstatus": "J",
                    "offentlig_tittel": data.offentlig_tittel.strip(),
                    "dokumentets_dato": data.dokumentets_dato,
                    "mottatt_dato": received,
                    "forfallsdato": data.forfallsdato,
                    "administrativ_enhet": data.mottaker_enhet_id,
                    "saksbehandler": None,
                },
            )
            parts = [_external(data.avsender)] if data.avsender is not None else []
            parts.append(
                {
                    "korrespondanseparttype": "IM",
                    "navn": unit_label(unit)[:300] if unit else "",
                    "intern": True,
                    "administrativ_enhet": data.mottaker_enhet_id,
                }
            )
            await _insert_parts(post, parts)
            document_ids = await insert_documents(
                post["id"],
                data.documents,
                stored,
                user,
                dokumentstatus="F",
                tilgangsrestriksjon=values["tilgangsrestriksjon"],
            )
            await audit.record(
                actor_id=user.person_id,
                action="archive.incoming_registered",
                object_type="journalpost",
                object_id=post["id"],
                summary=post_label(case, post),
                details={
                    "saksmappe_id": case["id"],
                    "journalposttype": data.journalposttype,
                    "mottaker_enhet": data.mottaker_enhet_id,
                    "dokumenter": document_ids,
                    "tilgangsrestriksjon": values["tilgangsrestriksjon"],
                },
            )
            staging.commit()  # last: a refusal above leaves no file behind
    return int(post["id"])


async def case_writer(user: User, saksmappe_id: int) -> None:
    """Raise NotFound/Forbidden unless ``user`` may create a post in the case (the check made
    again under the lock; an upload route makes it before it reads the body)."""
    await permissions.case_worker(user, await load_case(saksmappe_id))


async def create_post(settings: Settings, user: User, saksmappe_id: int, data: NewPost) -> int:
    await case_writer(user, saksmappe_id)
    errors: dict[str, str] = {}
    _check_type(data.journalposttype, rules.OWN_TYPES, errors)
    values = _post_basics(
        errors,
        tittel=data.tittel,
        tilgangsrestriksjon=data.tilgangsrestriksjon,
        skjermingshjemmel=data.skjermingshjemmel,
        dokumentets_dato=data.dokumentets_dato,
        forfallsdato=data.forfallsdato,
    )
    kind = data.journalposttype
    if kind == "U":
        if not data.mottakere:
            rules.add(errors, "mottakere", _("Et utgående dokument (U) må ha minst én mottaker."))
        if data.interne_mottakere:
            rules.add(
                errors,
                "interne_mottakere",
                _("Et utgående dokument (U) har ikke interne mottakere. Bruk et notat (N eller X)."),
            )
    elif data.mottakere:
        rules.add(errors, "mottakere", _("Bare utgående dokumenter (U) har eksterne mottakere."))
    for part in data.mottakere:
        rules.check_part(part, rules.RECIPIENT_PART_TYPES, errors, "mottakere")
    internal = await _internal(data.interne_mottakere, errors) if kind != "U" else []
    if kind == "N" and not any(r.korrespondanseparttype == "IM" for r in data.interne_mottakere):
        rules.add(
            errors,
            "interne_mottakere",
            _("Et organinternt dokument for oppfølging (N) må ha minst én intern mottaker (IM)."),
        )
    rules.check_documents(data.documents, errors)
    if len(set(data.avskriver_korrespondansepart_ids)) != len(data.avskriver_korrespondansepart_ids):
        rules.add(errors, "avskriver_korrespondansepart_ids", _("Den samme restansen er valgt flere ganger."))
    if errors:
        raise ValidationFailed(errors)
    with Staged(settings, [d.file for d in data.documents]) as staging:
        stored = staging.stored
        async with writing(Journalpost):
            case = await load_case(saksmappe_id, lock=True)
            acting = await permissions.case_worker(user, case)
            _case_open(case)
            answered = await _answered(user, case, data.avskriver_korrespondansepart_ids)
            post = await _insert_post(
                case,
                user,
                {
                    **values,
                    "journalposttype": kind,
                    "journalstatus": "R",
                    "offentlig_tittel": data.offentlig_tittel.strip(),
                    "dokumentets_dato": data.dokumentets_dato,
                    "forfallsdato": data.forfallsdato,
                    "administrativ_enhet": user.unit_id or case["administrativ_enhet"],
                    "saksbehandler": user.person_id,
                },
            )
            await _insert_parts(post, [_external(p) for p in data.mottakere] + internal)
            document_ids = await insert_documents(
                post["id"],
                data.documents,
                stored,
                user,
                dokumentstatus="B",
                tilgangsrestriksjon=values["tilgangsrestriksjon"],
            )
            await audit.record(
                actor_id=user.person_id,
                on_behalf_of=acting.on_behalf_of,
                action="archive.post_created",
                object_type="journalpost",
                object_id=post["id"],
                summary=post_label(case, post),
                details={
                    "saksmappe_id": case["id"],
                    "journalposttype": kind,
                    "dokumenter": document_ids,
                    "avskriver": data.avskriver_korrespondansepart_ids,
                    "tilgangsrestriksjon": values["tilgangsrestriksjon"],
                },
            )
            maate = "BU" if kind == "U" else "BN"
            for restanse, answered_post, answering in answered:
                await write_off(
                    user,
                    answering,
                    restanse,
                    answered_post,
                    case,
                    maate,
                    answer=post,
                    version=restanse["version"],
                )
            staging.commit()  # last: a refusal above leaves no file behind
    return int(post["id"])


async def _answered(
    user: User, case: Row, korrespondansepart_ids: list[int]
) -> list[tuple[Row, Row, Acting]]:
    """The restanser a new post answers (recipient and its post), each in ``case``; two queries."""
    if not korrespondansepart_ids:
        return []
    field = "avskriver_korrespondansepart_ids"
    parts = {
        int(r["id"]): r
        for r in await Korrespondansepart.select(*PART_COLUMNS).where(
            Korrespondansepart.id.is_in(korrespondansepart_ids)
        )
    }
    posts = {
        int(r["id"]): r
        for r in await Journalpost.select(*POST_COLUMNS).where(
            Journalpost.id.is_in(sorted({p["journalpost"] for p in parts.values()}) or [-1])
        )
    }
    result = []
    for part_id in korrespondansepart_ids:
        part = parts.get(part_id)
        if part is None:
            raise ValidationFailed({field: _("Fant ikke restansen som besvares.")})
        post = posts[part["journalpost"]]
        if post["saksmappe"] != case["id"]:
            raise ValidationFailed({field: _("Restansen som besvares, må høre til samme sak.")})
        try:
            acting = permissions.recipient_handler(user, part)
        except Forbidden:
            raise ValidationFailed(
                {
                    field: _(
                        "Du kan bare besvare restanser som er fordelt til deg, eller restanser i enheter du leder."
                    )
                }
            ) from None
        result.append((part, post, acting))
    return result
