"""The monthly restanse mails: prepared by Fellestjenesten/Arkiv, previewed, then sent.

States of a month's :class:`~plugins.restanse.tables.MailRun` (``maaned`` ``YYYY-MM`` of the
report date)::

    (none) --prepare--> utkast --prepare--> utkast (texts and recipients made again)
                          |
                          +--send--> sendt --send--> sendt (only items not sent yet; usually none)

* :func:`prepare` counts the restanser on the report date and the comparison date (default one
  month earlier) with :mod:`core.archive.queries.restanser`, and writes one :class:`MailItem` per mail:
  ``saksbehandler`` for each active handler with at least the threshold (summed over units),
  ``leder`` for each active unit leader (one mail covering all the leader's units). The texts
  (:mod:`plugins.restanse.services.mail_texts`) are in the recipient's language. Preparing again
  replaces the draft; after sending it is refused.
* :func:`send` puts every item not yet sent in core's outbox (``core.mail.enqueue``) with the key
  ``restanse.monthly:<maaned>:<kind>:<person id>``, so no mail is ever queued twice, and marks
  the items and the run sent. The run's ``version`` decides between two people pressing *Send*
  at once: one wins, the other gets a clear message and nothing is sent twice.
* Only Fellestjenesten/Arkiv (``user.is_archive``) may prepare, preview and send. Preparing and
  sending are audited (``restanse.mails_prepared``, ``restanse.mails_sent``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from piccolo.query.mixins import OnConflictAction

from core import audit, roles
from core.archive.ledger import counts_per_handler, counts_per_unit
from core.archive.queries.people import people_by_id, people_with_role
from core.auth.user import User
from core.db import writing
from core.errors import Conflict, Forbidden, ValidationFailed
from core.i18n import _, current_language, format_dato, format_tidspunkt, ngettext, set_language
from core.organisation import units_by_acting_leader
from core.settings import Settings
from core.timeutil import months_back, now
from plugins.restanse import config
from plugins.restanse.forms import MailDates, check_mail_dates
from plugins.restanse.services import mail_texts
from plugins.restanse.tables import MailItem, MailRun

KIND_HANDLER = "saksbehandler"
KIND_LEADER = "leder"
KINDS = (KIND_HANDLER, KIND_LEADER)
DRAFT = "utkast"
SENT = "sendt"
SOURCE = "restanse"


def mail_key(maaned: str, kind: str, person_id: int) -> str:
    """The outbox key of one mail: the same month, kind and person never give a second mail."""
    return f"restanse.monthly:{maaned}:{kind}:{person_id}"


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_label(maaned: str) -> str:
    """``2026-12`` as ``desember 2026`` (in the current language)."""
    year, month = (int(part) for part in maaned.split("-"))
    return format_dato(date(year, month, 1), "LLLL y")


def kind_label(kind: str) -> str:
    return _("Saksbehandler") if kind == KIND_HANDLER else _("Leder")


def status_label(status: str) -> str:
    return _("Sendt") if status == SENT else _("Utkast")


def require_archive(user: User) -> None:
    if not user.is_archive:
        raise Forbidden(
            _("Bare Fellestjenesten/Arkiv kan forberede og sende de månedlige restanse-e-postene.")
        )


# --- preparing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    run_id: int
    maaned: str
    handlers: int
    leaders: int
    without_email: int

    def message(self) -> str:
        total = self.handlers + self.leaders
        text = ngettext(
            "Utkastet for %(month)s er klart, med %(num)s e-post (saksbehandlere: %(handlers)s, "
            "ledere: %(leaders)s). Se over før du sender.",
            "Utkastet for %(month)s er klart, med %(num)s e-poster (saksbehandlere: %(handlers)s, "
            "ledere: %(leaders)s). Se over før du sender.",
            total,
        ) % {
            "month": month_label(self.maaned),
            "num": total,
            "handlers": self.handlers,
            "leaders": self.leaders,
        }
        if self.without_email:
            text += " " + ngettext(
                "%(num)s mottaker mangler e-postadresse.",
                "%(num)s mottakere mangler e-postadresse.",
                self.without_email,
            ) % {"num": self.without_email}
        return text


@dataclass
class _Draft:
    person_id: int
    kind: str
    antall: int
    emne: str = ""
    tekst: str = ""
    email: str = ""


async def archive_contacts() -> tuple[str, ...]:
    """The names of the active people in Fellestjenesten/Arkiv, for "contact ... at Arkiv"."""
    return tuple(dict.fromkeys(str(r["name"]) for r in await people_with_role(roles.ARKIV)))


async def _drafts(settings: Settings, dates: MailDates, terskel: int) -> list[_Draft]:
    """Every mail of the month, with its text in the recipient's language (a handful of
    set-based queries, whatever the number of units and people)."""
    asked = [dates.sammenligningsdato, dates.rapportdato]
    units = await counts_per_unit(asked)
    handlers = await counts_per_handler(asked)
    leaders = await units_by_acting_leader(dates.rapportdato)
    contacts = await archive_contacts()

    totals: dict[int, int] = defaultdict(int)
    for h in handlers:
        if h.person_id is not None:
            totals[h.person_id] += h.counts[1]
    people = await people_by_id(sorted({pid for pid, n in totals.items() if n >= terskel} | set(leaders)))
    over = {pid for pid, n in totals.items() if n >= terskel and people.get(pid, {}).get("active")}

    common = mail_texts.Common(
        rapportdato=dates.rapportdato,
        sammenligningsdato=dates.sammenligningsdato,
        frist=dates.frist,
        terskel=terskel,
        base_url=settings.public_base_url,
        contacts=contacts,
    )
    unit_rows = [mail_texts.UnitRow(u.unit_id, u.code, u.name, u.counts[0], u.counts[1]) for u in units]
    per_unit: dict[int, list[mail_texts.HandlerRow]] = defaultdict(list)
    for h in handlers:
        per_unit[h.unit_id].append(
            mail_texts.HandlerRow(h.person_id, h.name, h.counts[0], h.counts[1], h.person_id in over)
        )
    unit_now = {u.unit_id: u.counts[1] for u in units}

    drafts = [_Draft(pid, KIND_HANDLER, totals[pid]) for pid in over]
    drafts += [
        _Draft(pid, KIND_LEADER, sum(unit_now.get(unit_id, 0) for unit_id, _label in led))
        for pid, led in leaders.items()
        if people.get(pid, {}).get("active")
    ]
    language = current_language()
    try:
        for draft in drafts:
            person = people[draft.person_id]
            set_language(person["language"] or settings.default_language)
            if draft.kind == KIND_HANDLER:
                text = mail_texts.handler_mail(common, person["name"], draft.antall)
            else:
                text = mail_texts.leader_mail(
                    common, person["name"], unit_rows, leaders[draft.person_id], per_unit
                )
            draft.emne, draft.tekst, draft.email = text.subject, text.text, person["email"] or ""
    finally:
        set_language(language)
    return drafts


async def prepare(
    settings: Settings,
    user: User,
    *,
    rapportdato: date,
    sammenligningsdato: date | None = None,
    frist: date,
    terskel: int | None = None,
) -> Prepared:
    """Create or refresh the draft of the month of ``rapportdato`` (refused once it is sent)."""
    require_archive(user)
    dates = MailDates(rapportdato, sammenligningsdato or months_back(rapportdato, 1), frist)
    check_mail_dates(dates)
    prepared = await prepare_draft(settings, dates, terskel=terskel, actor_id=user.person_id)
    assert prepared is not None
    return prepared


async def prepare_draft(
    settings: Settings,
    dates: MailDates,
    *,
    terskel: int | None = None,
    actor_id: int | None,
    only_new: bool = False,
) -> Prepared | None:
    """:func:`prepare` without the permission check (the monthly job: ``actor_id`` None and
    ``only_new``, which leaves an existing run of the month alone and returns None)."""
    terskel = config.threshold() if terskel is None else terskel
    if terskel < 1:
        raise ValidationFailed({"terskel": _("Terskelen må være minst 1.")})
    maaned = month_of(dates.rapportdato)
    drafts = await _drafts(settings, dates, terskel)
    stamp = now()
    async with writing(MailRun):
        inserted = await (
            MailRun.insert(
                MailRun(
                    maaned=maaned,
                    rapportdato=dates.rapportdato,
                    sammenligningsdato=dates.sammenligningsdato,
                    terskel=terskel,
                    frist=dates.frist,
                    status=DRAFT,
                    forberedt_av=actor_id,
                    forberedt=stamp,
                    version=0,
                )
            )
            .on_conflict(target=MailRun.maaned, action=OnConflictAction.do_nothing)
            .returning(MailRun.id)
        )
        if only_new and not inserted:
            return None
        updated = (
            await MailRun.update(
                {
                    MailRun.rapportdato: dates.rapportdato,
                    MailRun.sammenligningsdato: dates.sammenligningsdato,
                    MailRun.terskel: terskel,
                    MailRun.frist: dates.frist,
                    MailRun.forberedt_av: actor_id,
                    MailRun.forberedt: stamp,
                    MailRun.version: MailRun.version + 1,
                }
            )
            .where((MailRun.maaned == maaned) & (MailRun.status == DRAFT))
            .returning(MailRun.id)
        )
        if not updated:
            raise Conflict(await _sent_message(maaned))
        run_id = int(updated[0]["id"])
        await MailItem.delete().where(MailItem.run == run_id)
        if drafts:
            await MailItem.insert(
                *[
                    MailItem(
                        run=run_id,
                        person=d.person_id,
                        kind=d.kind,
                        antall=d.antall,
                        emne=d.emne,
                        tekst=d.tekst,
                    )
                    for d in drafts
                ]
            )
        result = Prepared(
            run_id=run_id,
            maaned=maaned,
            handlers=sum(d.kind == KIND_HANDLER for d in drafts),
            leaders=sum(d.kind == KIND_LEADER for d in drafts),
            without_email=sum(not d.email for d in drafts),
        )
        await audit.record(
            actor_id=actor_id,
            action="restanse.mails_prepared",
            object_type="restanse_mail_run",
            object_id=run_id,
            summary=f"Restanse-e-poster for {maaned} forberedt: {result.handlers} til saksbehandlere, "
            f"{result.leaders} til ledere",
            details={
                "maaned": maaned,
                "rapportdato": dates.rapportdato.isoformat(),
                "sammenligningsdato": dates.sammenligningsdato.isoformat(),
                "frist": dates.frist.isoformat(),
                "terskel": terskel,
                "saksbehandlere": result.handlers,
                "ledere": result.leaders,
                "uten_epost": result.without_email,
            },
        )
    return result


async def _sent_message(maaned: str) -> str:
    run = (
        await MailRun.select(MailRun.sendt, MailRun.sendt_av.name.as_alias("who"))
        .where(MailRun.maaned == maaned)
        .first()
    )
    who = (run or {}).get("who") or _("systemet")
    return _(
        "E-postene for %(month)s ble sendt %(when)s av %(who)s, og kan ikke forberedes på nytt. "
        "Ingen e-post sendes to ganger."
    ) % {"month": month_label(maaned), "when": format_tidspunkt((run or {}).get("sendt")), "who": who}
