"""Internal recipients of I and N posts (korrespondansepart IM/IK): fordeling to a handler,
sending to a unit, avskrivning of the restanse (with an optional merknad), and registering a
foreløpig svar (the restanse stays) or undoing it (only its registrant, the same day).

A restanse belongs to one internal recipient (IM) of an I or N post (Noark 5 krav 3.4.6: an N
note is written off per recipient); copies (IK) are distributed but carry no restanse. Every
change bumps the recipient's ``version``: the caller passes the version it showed, and of two
concurrent changes exactly one wins (:class:`~core.errors.Conflict` for the other).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from core import audit
from core.archive import kodelister, ledger, permissions, rules, sender_handlers
from core.archive.numbering import mappe_id
from core.archive.permissions import Acting
from core.archive.records import (
    Row,
    active_people,
    active_units,
    bump,
    load_case,
    load_part,
    load_post,
    post_changed,
    post_label,
    post_number,
    touch,
    unit_label,
)
from core.archive.tables import Avskrivning, Journalpost, Korrespondansepart, Merknad, Saksmappe
from core.auth.user import User
from core.dates import show_date
from core.db import writing
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.i18n import _
from core.settings import Settings
from core.timeutil import now, oslo_date, today

OBJECT = "korrespondansepart"


async def _load(korrespondansepart_id: int) -> tuple[Row, Row, Row]:
    """Recipient, post and case; case and post locked in that order (PostgreSQL)."""
    part = await load_part(korrespondansepart_id)
    post_id = part["journalpost"]
    case_id = (await load_post(post_id))["saksmappe"]
    case = await load_case(case_id, lock=True)
    post = await load_post(post_id, lock=True)
    return part, post, case


def _check_internal(part: Row, post: Row) -> None:
    if not part["intern"] or part["korrespondanseparttype"] not in rules.INTERNAL_PART_TYPES:
        raise Conflict(_("Dette er ikke en intern mottaker."))
    if post["journalposttype"] not in rules.RESTANSE_TYPES:
        raise Conflict(
            _("Bare inngående dokumenter (I) og notater for oppfølging (N) fordeles og avskrives.")
        )
    if post["journalstatus"] == "U":
        raise Conflict(_("Journalposten utgår og har ingen restanse."))


def is_incoming(post: Row) -> bool:
    """Incoming post (I, or an N registered by the archive): the post's own saksbehandler and
    unit follow its main recipient. An own N note keeps its author."""
    return bool(post["journalposttype"] == "I" or post["journalstatus"] == "J")


def _check_version(part: Row, version: int) -> None:
    if part["version"] != version:
        raise Conflict(post_changed())


async def is_written_off(korrespondansepart_id: int) -> bool:
    """Whether the recipient is written off: by its own avskrivning, or by one of its whole
    journalpost (no korrespondansepart), as :mod:`core.archive.queries.open_recipients` counts."""
    rows = await Avskrivning.raw(
        "SELECT 1 AS x FROM core_korrespondansepart k JOIN core_avskrivning a ON a.journalpost = k.journalpost "
        "AND (a.korrespondansepart = k.id OR a.korrespondansepart IS NULL) WHERE k.id = {} LIMIT 1",
        korrespondansepart_id,
    )
    return bool(rows)


# --- fordeling -----------------------------------------------------------------------------


async def fordel(
    settings: Settings,
    user: User,
    korrespondansepart_id: int,
    saksbehandler_id: int,
    *,
    version: int,
    saksansvarlig_id: int | None = None,
) -> int | None:
    """See :func:`core.archive.services.fordel`. ``saksansvarlig_id`` (optional) is the case's
    saksansvarlig when the case has none yet; default the handler. Returns the saksansvarlig
    this distribution gave the case, or None when the case kept the one it had."""
    del settings
    async with writing(Korrespondansepart):
        part, post, case = await _load(korrespondansepart_id)
        _check_internal(part, post)
        unit_id = part["administrativ_enhet"]
        if unit_id is None:
            raise Conflict(
                _(
                    "Journalposten har ikke fått en enhet ennå. Fellestjenesten/Arkiv må sende den til en enhet først."
                )
            )
        acting = permissions.as_leader(user, unit_id)
        if acting is None:
            raise permissions.leader_refused()
        _check_version(part, version)
        if await is_written_off(korrespondansepart_id):
            raise Conflict(_("Restansen er allerede avskrevet, og journalposten kan ikke fordeles."))
        errors: dict[str, str] = {}
        people = await active_people([saksbehandler_id, *([saksansvarlig_id] if saksansvarlig_id else [])])
        handler = people.get(saksbehandler_id)
        if handler is None or handler["unit"] != unit_id:
            rules.add(errors, "saksbehandler_id", _("Velg en aktiv saksbehandler i enheten."))
        elif part["saksbehandler"] == saksbehandler_id:
            rules.add(
                errors, "saksbehandler_id", _("Journalposten er allerede fordelt til denne saksbehandleren.")
            )
        if saksansvarlig_id is not None:
            owner = people.get(saksansvarlig_id)
            if owner is None or owner["unit"] != unit_id:
                rules.add(errors, "saksansvarlig_id", _("Velg en aktiv saksansvarlig i enheten."))
        if errors or handler is None:
            raise ValidationFailed(errors)
        at = now()
        await bump(
            Korrespondansepart,
            korrespondansepart_id,
            version,
            {
                Korrespondansepart.saksbehandler: saksbehandler_id,
                Korrespondansepart.fordelt_dato: at,
                Korrespondansepart.navn: handler["name"][:300],
            },
            post_changed(),
        )
        # The sender suggestion's table: the new handler got this sender's post now; a
        # previous handler no longer has it (their latest may be an older post, or none).
        await sender_handlers.record([korrespondansepart_id])
        if part["saksbehandler"] is not None:
            await sender_handlers.rebuild_for_post(part["saksbehandler"], post["id"])
        await ledger.refresh_parts([korrespondansepart_id])
        main_recipient = part["korrespondanseparttype"] == "IM"
        if main_recipient and is_incoming(post):
            await touch(
                Journalpost,
                post["id"],
                {Journalpost.saksbehandler: saksbehandler_id, Journalpost.administrativ_enhet: unit_id},
            )
        new_owner = None
        if main_recipient and case["saksansvarlig"] is None:
            new_owner = saksansvarlig_id or saksbehandler_id
            values: dict[Any, Any] = {Saksmappe.saksansvarlig: new_owner}
            if case["administrativ_enhet"] is None:
                values[Saksmappe.administrativ_enhet] = unit_id
            await touch(Saksmappe, case["id"], values)
        previous = part["saksbehandler"]
        names = await active_people([p for p in (previous,) if p is not None])
        previous_name = names[previous]["name"] if previous in names else previous
        await audit.record_many(
            [
                distributed(
                    user,
                    acting,
                    case,
                    post,
                    korrespondansepart_id,
                    unit_id,
                    (previous, previous_name),
                    handler,
                    new_owner,
                )
            ]
        )
        if new_owner is not None:
            # The case's own hendelseslogg row: who set its saksansvarlig, for whom, to whom.
            owner = handler if new_owner == saksbehandler_id else people[new_owner]
            await audit.record_many(
                [case_owner_set(user, acting, case, post, owner, korrespondansepart_id, unit_id)]
            )
        return new_owner


def distributed(
    user: User,
    acting: Acting,
    case: Row,
    post: Row,
    korrespondansepart_id: int,
    unit_id: int,
    previous: tuple[int | None, object],
    handler: Row,
    new_owner: int | None,
) -> audit.Event:
    """The recipient's hendelseslogg row of a distribution to ``handler`` (a person row):
    ``archive.distributed``, or ``archive.redistributed`` from ``previous`` (the handler's id
    and name; id None: none before)."""
    previous_id, previous_name = previous
    values = {"post": post_label(case, post), "from": previous_name, "to": handler["name"]}
    return audit.Event(
        actor_id=user.person_id,
        on_behalf_of=acting.on_behalf_of,
        action="archive.redistributed" if previous_id is not None else "archive.distributed",
        object_type=OBJECT,
        object_id=korrespondansepart_id,
        summary=(
            _("%(post)s omfordelt fra %(from)s til %(to)s")
            if previous_id is not None
            else _("%(post)s fordelt til %(to)s")
        )
        % values,
        details={
            "journalpost_id": post["id"],
            "saksmappe_id": case["id"],
            "enhet": unit_id,
            "fra": previous_id,
            "til": handler["id"],
            "saksansvarlig": new_owner,
        },
    )


def case_owner_set(
    user: User, acting: Acting, case: Row, post: Row, owner: Row, korrespondansepart_id: int, unit_id: int
) -> audit.Event:
    """The case's own hendelseslogg row when a distribution gives a new case its saksansvarlig
    ``owner`` (a person row): who set it, for whom, to whom, by which post."""
    return audit.Event(
        actor_id=user.person_id,
        on_behalf_of=acting.on_behalf_of,
        action="archive.case_owner_set",
        object_type="saksmappe",
        object_id=case["id"],
        summary=_("Saksansvarlig for %(case)s satt til %(name)s ved fordeling av %(post)s")
        % {
            "case": mappe_id(case["saksaar"], case["sakssekvensnummer"]),
            "name": owner["name"],
            "post": post_number(case, post),
        },
        details={
            "saksansvarlig": owner["id"],
            "journalpost_id": post["id"],
            "korrespondansepart_id": korrespondansepart_id,
            "enhet": unit_id,
        },
    )


async def set_recipient_unit(
    settings: Settings, user: User, korrespondansepart_id: int, unit_id: int, *, version: int
) -> None:
    """Send an undistributed internal recipient to a unit's queue *Til fordeling*.

    Fellestjenesten/Arkiv gives a post without a unit (its central queue) a unit, or moves one;
    the leader (or active deputy) of the unit it lies with may send it on to another unit.
    The post and a new case without saksansvarlig follow the main recipient (IM) to the unit.
    ``til_fordeling_dato`` says when it came into the new queue (the mark «Ny» there).
    """
    del settings
    async with writing(Korrespondansepart):
        part, post, case = await _load(korrespondansepart_id)
        _check_internal(part, post)
        old_unit = part["administrativ_enhet"]
        acting: Acting | None = permissions.AS_ARCHIVE if user.is_archive else None
        if acting is None and old_unit is not None:
            acting = permissions.as_leader(user, old_unit)
        if acting is None:
            raise Forbidden(
                _(
                    "Bare Fellestjenesten/Arkiv og lederen for enheten journalposten ligger hos kan "
                    "sende den til en annen enhet."
                )
            )
        _check_version(part, version)
        if part["saksbehandler"] is not None:
            raise Conflict(
                _(
                    "Journalposten er allerede fordelt til en saksbehandler. Lederen for enheten kan omfordele den."
                )
            )
        if await is_written_off(korrespondansepart_id):
            raise Conflict(_("Restansen er allerede avskrevet."))
        unit = (await active_units([unit_id])).get(unit_id)
        if unit is None:
            raise ValidationFailed({"unit_id": _("Velg en aktiv enhet.")})
        if unit_id == old_unit:
            raise ValidationFailed({"unit_id": _("Journalposten ligger allerede hos denne enheten.")})
        await bump(
            Korrespondansepart,
            korrespondansepart_id,
            version,
            {
                Korrespondansepart.administrativ_enhet: unit_id,
                Korrespondansepart.navn: unit_label(unit)[:300],
                Korrespondansepart.til_fordeling_dato: now(),
            },
            post_changed(),
        )
        await ledger.refresh_parts([korrespondansepart_id])
        main_recipient = part["korrespondanseparttype"] == "IM"
        if main_recipient and is_incoming(post) and post["saksbehandler"] is None:
            await touch(Journalpost, post["id"], {Journalpost.administrativ_enhet: unit_id})
        if (
            main_recipient
            and case["saksansvarlig"] is None
            and case["administrativ_enhet"] in (None, old_unit)
        ):
            await touch(Saksmappe, case["id"], {Saksmappe.administrativ_enhet: unit_id})
        await audit.record(
            actor_id=user.person_id,
            on_behalf_of=acting.on_behalf_of,
            action="archive.sent_to_unit",
            object_type=OBJECT,
            object_id=korrespondansepart_id,
            summary=_("%(post)s sendt til %(unit)s")
            % {"post": post_label(case, post), "unit": unit_label(unit)},
            details={
                "journalpost_id": post["id"],
                "saksmappe_id": case["id"],
                "fra": old_unit,
                "til": unit_id,
            },
        )


# --- avskrivning ---------------------------------------------------------------------------


async def _answer_errors(case: Row, post: Row, avskrivningsmaate: str, answer: Row | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not rules.is_code(kodelister.AVSKRIVNINGSMAATE, avskrivningsmaate):
        rules.add(errors, "avskrivningsmaate", _("Velg en avskrivningsmåte fra listen."))
    if answer is None:
        return errors
    field = "avskrives_av_journalpost_id"
    if answer["saksmappe"] != case["id"]:
        rules.add(errors, field, _("Journalposten som avskriver, må høre til samme sak."))
    elif answer["id"] == post["id"] or answer["journalposttype"] not in rules.OWN_TYPES:
        rules.add(
            errors, field, _("Journalposten som avskriver, må være en egen journalpost (U, N eller X).")
        )
    elif answer["journalstatus"] == "U":
        rules.add(errors, field, _("Journalposten som avskriver, utgår."))
    wanted = rules.ANSWER_TYPES.get(avskrivningsmaate)
    if wanted and answer["journalposttype"] not in wanted and field not in errors:
        rules.add(
            errors,
            "avskrivningsmaate",
            _("Avskrivningsmåten «%(maate)s» passer ikke til journalposttypen %(type)s.")
            % {
                "maate": kodelister.name(kodelister.AVSKRIVNINGSMAATE, avskrivningsmaate),
                "type": answer["journalposttype"],
            },
        )
    return errors


async def write_off(
    user: User,
    acting: Acting,
    part: Row,
    post: Row,
    case: Row,
    avskrivningsmaate: str,
    *,
    answer: Row | None,
    version: int,
    merknad: str | None = None,
) -> int:
    """Write off one recipient's restanse inside the caller's write transaction.

    ``merknad`` (optional): a remark saved on the journal post in the same transaction, with the
    merknadstype of the capacity the user acts in; the write-off's hendelseslogg event names it.
    """
    if not part["intern"] or part["korrespondanseparttype"] != "IM":
        raise Conflict(
            _("Bare interne mottakere (IM) av inngående dokumenter og notater for oppfølging har restanse.")
        )
    _check_internal(part, post)
    _check_version(part, version)
    if await is_written_off(part["id"]):
        raise Conflict(_("Restansen er allerede avskrevet."))
    errors = await _answer_errors(case, post, avskrivningsmaate, answer)
    remark = (merknad or "").strip()
    if remark:
        remark_errors: dict[str, str] = {}
        remark = rules.check_merknad(remark, remark_errors)
        if remark_errors:
            rules.add(errors, "merknad", remark_errors["text"])
    if errors:
        raise ValidationFailed(errors)
    await bump(Korrespondansepart, part["id"], version, {}, post_changed())
    row = Avskrivning(
        journalpost=post["id"],
        korrespondansepart=part["id"],
        avskrivningsdato=today(),
        avskrevet_av=user.person_id,
        avskrevet_av_navn=user.name[:200],
        avskrivningsmaate=avskrivningsmaate,
        avskrives_av_journalpost=answer["id"] if answer else None,
        registrert=now(),
    )
    await row.save()
    await ledger.refresh_parts([int(part["id"])])
    remark_id = None
    if remark:
        saved = Merknad(
            journalpost=post["id"],
            merknadstekst=remark,
            merknadstype=acting.merknadstype,
            merknadsdato=now(),
            registrert_av=user.person_id,
        )
        await saved.save()
        remark_id = int(saved.id)
    maate = kodelister.name(kodelister.AVSKRIVNINGSMAATE, avskrivningsmaate)
    summary = _("%(post)s avskrevet: %(maate)s") % {"post": post_label(case, post), "maate": maate}
    if answer is not None:
        summary = _("%(post)s avskrevet: %(maate)s (%(answer)s)") % {
            "post": post_label(case, post),
            "maate": maate,
            "answer": post_number(case, answer),
        }
    await audit.record(
        actor_id=user.person_id,
        on_behalf_of=acting.on_behalf_of,
        action="archive.written_off",
        object_type=OBJECT,
        object_id=part["id"],
        summary=summary,
        details={
            "journalpost_id": post["id"],
            "saksmappe_id": case["id"],
            "avskrivning_id": int(row.id),
            "avskrivningsmaate": avskrivningsmaate,
            "avskrives_av_journalpost_id": answer["id"] if answer else None,
            "merknad_id": remark_id,
            "merknadstype": acting.merknadstype if remark_id else None,
        },
    )
    return int(row.id)


async def avskriv(
    settings: Settings,
    user: User,
    korrespondansepart_id: int,
    avskrivningsmaate: str,
    *,
    avskrives_av_journalpost_id: int | None = None,
    version: int,
    merknad: str | None = None,
) -> int:
    """See :func:`core.archive.services.avskriv`."""
    del settings
    async with writing(Avskrivning):
        part, post, case = await _load(korrespondansepart_id)
        acting = permissions.recipient_handler(user, part)
        answer = None
        if avskrives_av_journalpost_id is not None:
            answer = (
                await Journalpost.select(
                    Journalpost.id,
                    Journalpost.saksmappe,
                    Journalpost.journalpostnummer,
                    Journalpost.journalposttype,
                    Journalpost.journalstatus,
                )
                .where(Journalpost.id == avskrives_av_journalpost_id)
                .first()
            )
            if answer is None:
                raise ValidationFailed(
                    {"avskrives_av_journalpost_id": _("Fant ikke journalposten som avskriver.")}
                )
        return await write_off(
            user,
            acting,
            part,
            post,
            case,
            avskrivningsmaate.strip(),
            answer=answer,
            version=version,
            merknad=merknad,
        )


# --- foreløpig svar ------------------------------------------------------------------------


def _check_restanse(part: Row, post: Row) -> None:
    if not part["intern"] or part["korrespondanseparttype"] != "IM":
        raise Conflict(
            _("Bare interne mottakere (IM) av inngående dokumenter og notater for oppfølging har restanse.")
        )
    _check_internal(part, post)


async def _foreloepig(korrespondansepart_id: int) -> Row:
    """The recipient's foreløpig svar: date, the answering post, who registered it and when."""
    row: Row | None = (
        await Korrespondansepart.select(
            Korrespondansepart.foreloepig_svar_dato,
            Korrespondansepart.foreloepig_svar_journalpost,
            Korrespondansepart.foreloepig_svar_av,
            Korrespondansepart.foreloepig_svar_av.name.as_alias("foreloepig_svar_av_navn"),
            Korrespondansepart.foreloepig_svar_registrert,
        )
        .where(Korrespondansepart.id == korrespondansepart_id)
        .first()
    )
    if row is None:
        raise NotFound(_("Fant ikke mottakeren."))
    return row


def _answer_problem(case: Row, post: Row, answer: Row | None) -> str | None:
    """Why ``answer`` cannot be named as the foreløpig svar of ``post`` (None: it can)."""
    if answer is None:
        return _("Fant ikke journalposten med det foreløpige svaret.")
    if answer["saksmappe"] != case["id"]:
        return _("Journalposten med det foreløpige svaret må høre til samme sak.")
    if answer["id"] == post["id"]:
        return _("Velg journalposten med det foreløpige svaret, ikke journalposten som skal besvares.")
    wanted = rules.FORELOEPIG_SVAR_TYPES.get(post["journalposttype"], ())
    if answer["journalposttype"] not in wanted:
        values = {"answer": post_number(case, answer), "type": answer["journalposttype"]}
        if post["journalposttype"] == "I":
            return (
                _(
                    "Et foreløpig svar på et inngående brev er et utgående brev (U). %(answer)s er type %(type)s."
                )
                % values
            )
        return (
            _("Et foreløpig svar på et notat er et notat (N eller X). %(answer)s er type %(type)s.") % values
        )
    if answer["journalstatus"] == "U":
        return _("Journalposten med det foreløpige svaret utgår.")
    if answer["journaldato"] and post["journaldato"] and answer["journaldato"] < post["journaldato"]:
        return _(
            "Journalposten med det foreløpige svaret er journalført før journalposten som skal besvares."
        )
    return None


async def mark_foreloepig_svar(
    settings: Settings,
    user: User,
    korrespondansepart_id: int,
    *,
    version: int,
    dato: date | None = None,
    foreloepig_svar_journalpost_id: int | None = None,
) -> None:
    """See :func:`core.archive.services.mark_foreloepig_svar`."""
    del settings
    day = dato or today()
    async with writing(Korrespondansepart):
        part, post, case = await _load(korrespondansepart_id)
        acting = permissions.recipient_handler(user, part)
        _check_restanse(part, post)
        _check_version(part, version)
        if await is_written_off(korrespondansepart_id):
            raise Conflict(_("Restansen er allerede avskrevet."))
        current = await _foreloepig(korrespondansepart_id)
        if current["foreloepig_svar_dato"] is not None:
            raise Conflict(
                _("Det er allerede registrert et foreløpig svar (%(dato)s).")
                % {"dato": show_date(current["foreloepig_svar_dato"])}
            )
        errors: dict[str, str] = {}
        if day > today():
            rules.add(errors, "dato", _("Datoen for foreløpig svar kan ikke være fram i tid."))
        elif post["journaldato"] is not None and day < post["journaldato"]:
            rules.add(errors, "dato", _("Datoen for foreløpig svar kan ikke være før journaldatoen."))
        answer = None
        if foreloepig_svar_journalpost_id is not None:
            answer = (
                await Journalpost.select(
                    Journalpost.id,
                    Journalpost.saksmappe,
                    Journalpost.journalpostnummer,
                    Journalpost.journalposttype,
                    Journalpost.journalstatus,
                    Journalpost.journaldato,
                )
                .where(Journalpost.id == foreloepig_svar_journalpost_id)
                .first()
            )
            problem = _answer_problem(case, post, answer)
            if problem:
                rules.add(errors, "foreloepig_svar_journalpost_id", problem)
        if errors:
            raise ValidationFailed(errors)
        await bump(
            Korrespondansepart,
            korrespondansepart_id,
            version,
            {
                Korrespondansepart.foreloepig_svar_dato: day,
                Korrespondansepart.foreloepig_svar_journalpost: answer["id"] if answer else None,
                Korrespondansepart.foreloepig_svar_av: user.person_id,
                Korrespondansepart.foreloepig_svar_registrert: now(),
            },
            post_changed(),
        )
        await ledger.refresh_parts([korrespondansepart_id])  # the span keeps the card's foreløpig svar
        values = {"post": post_label(case, post), "dato": show_date(day)}
        summary = _("%(post)s: foreløpig svar sendt %(dato)s") % values
        if answer is not None:
            summary = _("%(post)s: foreløpig svar sendt %(dato)s (%(answer)s)") % {
                **values,
                "answer": post_number(case, answer),
            }
        await audit.record(
            actor_id=user.person_id,
            on_behalf_of=acting.on_behalf_of,
            action="archive.foreloepig_svar",
            object_type=OBJECT,
            object_id=korrespondansepart_id,
            summary=summary,
            details={
                "journalpost_id": post["id"],
                "saksmappe_id": case["id"],
                "dato": day.isoformat(),
                "foreloepig_svar_journalpost_id": answer["id"] if answer else None,
            },
        )


async def undo_foreloepig_svar(
    settings: Settings, user: User, korrespondansepart_id: int, *, version: int
) -> None:
    """See :func:`core.archive.services.undo_foreloepig_svar`."""
    del settings
    async with writing(Korrespondansepart):
        part, post, case = await _load(korrespondansepart_id)
        acting = permissions.recipient_handler(user, part)
        _check_restanse(part, post)
        _check_version(part, version)
        current = await _foreloepig(korrespondansepart_id)
        if current["foreloepig_svar_dato"] is None:
            raise Conflict(_("Det er ikke registrert noe foreløpig svar."))
        if await is_written_off(korrespondansepart_id):
            raise Conflict(_("Restansen er allerede avskrevet, og det foreløpige svaret kan ikke angres."))
        registered_by = current["foreloepig_svar_av"]
        if registered_by is None:
            raise Forbidden(_("Det foreløpige svaret er importert og kan ikke angres."))
        if registered_by != user.person_id:
            raise Forbidden(
                _("Bare %(who)s, som registrerte det foreløpige svaret, kan angre det.")
                % {"who": current["foreloepig_svar_av_navn"]}
            )
        registered_at = current["foreloepig_svar_registrert"]
        if not rules.may_undo_foreloepig_svar(registered_by, registered_at, user.person_id, today()):
            raise Conflict(
                _(
                    "Et foreløpig svar kan bare angres samme dag som det ble registrert. Dette ble "
                    "registrert %(when)s."
                )
                % {"when": show_date(oslo_date(registered_at)) if registered_at else "–"}
            )
        await bump(
            Korrespondansepart,
            korrespondansepart_id,
            version,
            {
                Korrespondansepart.foreloepig_svar_dato: None,
                Korrespondansepart.foreloepig_svar_journalpost: None,
                Korrespondansepart.foreloepig_svar_av: None,
                Korrespondansepart.foreloepig_svar_registrert: None,
            },
            post_changed(),
        )
        await ledger.refresh_parts([korrespondansepart_id])  # the card's § 11 a and foreløpig svar move back
        previous = current["foreloepig_svar_dato"]
        await audit.record(
            actor_id=user.person_id,
            on_behalf_of=acting.on_behalf_of,
            action="archive.foreloepig_svar_angret",
            object_type=OBJECT,
            object_id=korrespondansepart_id,
            summary=_("%(post)s: foreløpig svar %(dato)s angret")
            % {"post": post_label(case, post), "dato": show_date(previous)},
            details={
                "journalpost_id": post["id"],
                "saksmappe_id": case["id"],
                "dato": previous.isoformat(),
                "foreloepig_svar_journalpost_id": current["foreloepig_svar_journalpost"],
                "registrert": registered_at.isoformat() if registered_at else None,
            },
        )
