"""The monthly restanse mails: prepared by Fellestjenesten/Arkiv, previewed, then sent.

States of a month's :class:`~plugins.restanse.tables.MailRun` (``maaned`` ``YYYY-MM`` of the
report date)::

    (none) --prepare--> utkast --prepare--> utkast (texts and recipients made again)
                          |
                          +--send--> sendt --send--> sendt (only items not sent yet; usually none)

* :func:`prepare` counts the restanser on the report date and the comparison date (default one
  month earlier) with :mod:`plugins.restanse.rule`, and writes one :class:`MailItem` per mail:
  ``saksbehandler`` for each active handler with at least the threshold (summed over units),
  ``leder`` for each active unit leader (one mail covering all the leader's units). The texts
  (:mod:`plugins.restanse.mail_texts`) are in the recipient's language. Preparing again
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
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from piccolo.query.functions.aggregate import Count
from piccolo.query.mixins import OnConflictAction

from core import audit, mail, roles
from core.admin.common import parse_date
from core.auth.user import User
from core.db import writing
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.i18n import _, current_language, format_dato, format_tidspunkt, ngettext, set_language
from core.settings import Settings
from core.tables import Leadership, Person, PersonRole
from core.timeutil import now, today
from plugins.restanse import config, mail_texts, reminders, rule
from plugins.restanse.tables import MailItem, MailRun

KIND_HANDLER = "saksbehandler"
KIND_LEADER = "leder"
KINDS = (KIND_HANDLER, KIND_LEADER)
DRAFT = "utkast"
SENT = "sendt"
DEFAULT_DEADLINE_DAYS = 14
SOURCE = "restanse"
MAX_ID = 2**31 - 1


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


# --- the form ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dates:
    rapportdato: date
    sammenligningsdato: date
    frist: date


def default_dates(day: date | None = None) -> Dates:
    """Report date today, comparison date a month earlier, deadline 14 days later."""
    day = day or today()
    return Dates(day, rule.months_back(day, 1), day + timedelta(days=DEFAULT_DEADLINE_DAYS))


def form_values(dates: Dates) -> dict[str, str]:
    return {
        "rapportdato": format_dato(dates.rapportdato),
        "sammenligningsdato": format_dato(dates.sammenligningsdato),
        "frist": format_dato(dates.frist),
    }


def parse_form(form: Mapping[str, str]) -> Dates:
    """The dates typed in the form (``17.05.2026`` or ``2026-05-17``); an empty comparison
    date means one month before the report date. Raises :class:`ValidationFailed` with every
    problem at once."""
    errors: dict[str, str] = {}
    example = _("Skriv inn en gyldig dato, for eksempel %(example)s.") % {"example": format_dato(today())}
    values: dict[str, date | None] = {}
    for name in ("rapportdato", "sammenligningsdato", "frist"):
        raw = (form.get(name) or "").strip()
        values[name] = parse_date(raw) if raw else None
        if raw and values[name] is None:
            errors[name] = example
        elif not raw and name != "sammenligningsdato":
            errors[name] = {
                "rapportdato": _("Skriv inn rapportdatoen."),
                "frist": _("Skriv inn fristen for avskriving."),
            }[name]
    report = values["rapportdato"]
    if errors or report is None or values["frist"] is None:
        raise ValidationFailed(errors)
    compare = values["sammenligningsdato"] or rule.months_back(report, 1)
    dates = Dates(report, compare, values["frist"])
    check_dates(dates)
    return dates


def check_dates(dates: Dates) -> None:
    errors: dict[str, str] = {}
    if dates.rapportdato > today():
        errors["rapportdato"] = _("Rapportdatoen kan ikke være fram i tid.")
    if dates.sammenligningsdato >= dates.rapportdato:
        errors["sammenligningsdato"] = _("Sammenligningsdatoen må være før rapportdatoen.")
    if dates.frist <= dates.rapportdato:
        errors["frist"] = _("Fristen må være etter rapportdatoen.")
    elif dates.frist < today():
        errors["frist"] = _("Fristen kan ikke være passert.")
    if errors:
        raise ValidationFailed(errors)


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


async def _people(ids: set[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    rows = await Person.select(Person.id, Person.name, Person.email, Person.language, Person.active).where(
        Person.id.is_in(sorted(ids))
    )
    return {int(r["id"]): r for r in rows}


async def archive_contacts() -> tuple[str, ...]:
    """The names of the active people in Fellestjenesten/Arkiv, for "contact ... at Arkiv"."""
    rows = await (
        PersonRole.select(PersonRole.person.name.as_alias("name"))
        .where((PersonRole.role == roles.ARKIV) & (PersonRole.person._.active.eq(True)))
        .order_by(PersonRole.person.name)
    )
    return tuple(dict.fromkeys(str(r["name"]) for r in rows))


async def _leaderships(day: date) -> dict[int, list[tuple[int, str]]]:
    """The acting leader's person id → the active units they answer for on ``day`` (id,
    ``CODE Name``), sorted by code: the leader, or the deputy registered for the leader's
    absence on that day (the customer's routine: the deputy follows up when the leader is
    away)."""
    rows = await (
        Leadership.select(
            Leadership.person,
            Leadership.unit,
            Leadership.unit.code.as_alias("code"),
            Leadership.unit.name.as_alias("name"),
        )
        .where((Leadership.unit._.active.eq(True)) & (Leadership.person._.active.eq(True)))
        .order_by(Leadership.unit.code)
    )
    acting = await reminders.acting_leaders([int(r["unit"]) for r in rows], day)
    led: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for row in rows:
        unit = int(row["unit"])
        person = acting[unit][0] if unit in acting else int(row["person"])
        led[person].append((unit, f"{row['code']} {row['name']}"))
    return dict(led)


async def _drafts(settings: Settings, dates: Dates, terskel: int) -> list[_Draft]:
    """Every mail of the month, with its text in the recipient's language (a handful of
    set-based queries, whatever the number of units and people)."""
    asked = [dates.sammenligningsdato, dates.rapportdato]
    units = await rule.counts_per_unit(asked)
    handlers = await rule.counts_per_handler(asked)
    leaders = await _leaderships(dates.rapportdato)
    contacts = await archive_contacts()

    totals: dict[int, int] = defaultdict(int)
    for h in handlers:
        if h.person_id is not None:
            totals[h.person_id] += h.counts[1]
    people = await _people({pid for pid, n in totals.items() if n >= terskel} | set(leaders))
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
    dates = Dates(rapportdato, sammenligningsdato or rule.months_back(rapportdato, 1), frist)
    check_dates(dates)
    prepared = await prepare_draft(settings, dates, terskel=terskel, actor_id=user.person_id)
    assert prepared is not None
    return prepared


async def prepare_draft(
    settings: Settings,
    dates: Dates,
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


# --- sending -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendResult:
    maaned: str
    queued: int
    without_email: int
    first: bool
    """True when this call sent the run (its status went from utkast to sendt)."""

    def message(self) -> str:
        if self.queued == 0:
            text = _("Ingen nye e-poster: alle e-postene for %(month)s er allerede sendt.") % {
                "month": month_label(self.maaned)
            }
        else:
            text = ngettext(
                "%(num)s e-post er lagt i utboksen og sendes i løpet av et minutt.",
                "%(num)s e-poster er lagt i utboksen og sendes i løpet av et minutt.",
                self.queued,
            ) % {"num": self.queued}
        if self.without_email:
            text += " " + ngettext(
                "%(num)s mottaker uten e-postadresse fikk ingen e-post.",
                "%(num)s mottakere uten e-postadresse fikk ingen e-post.",
                self.without_email,
            ) % {"num": self.without_email}
        return text


async def _stale(run_id: int) -> Exception:
    """Why a send with an old version was refused: who sent or prepared the run meanwhile."""
    run = (
        await MailRun.select(
            MailRun.maaned,
            MailRun.status,
            MailRun.sendt,
            MailRun.forberedt,
            MailRun.sendt_av.name.as_alias("sent_by"),
            MailRun.forberedt_av.name.as_alias("prepared_by"),
        )
        .where(MailRun.id == run_id)
        .first()
    )
    if run is None:
        return NotFound(_("Fant ingen utsending med dette nummeret."))
    month = month_label(run["maaned"])
    if run["status"] == SENT:
        return Conflict(
            _(
                "E-postene for %(month)s ble nettopp sendt av %(who)s (%(when)s). Ingen e-post er "
                "sendt to ganger."
            )
            % {"month": month, "who": run["sent_by"] or _("systemet"), "when": format_tidspunkt(run["sendt"])}
        )
    return Conflict(
        _(
            "Utkastet for %(month)s er forberedt på nytt av %(who)s (%(when)s) etter at du åpnet det. "
            "Ingenting er sendt. Se over forhåndsvisningen og send på nytt."
        )
        % {
            "month": month,
            "who": run["prepared_by"] or _("den månedlige jobben"),
            "when": format_tidspunkt(run["forberedt"]),
        }
    )


async def send(settings: Settings, user: User, run_id: int, *, version: int) -> SendResult:
    """Queue every mail of the run not yet sent; ``version`` is the run's version the user saw
    in the preview (another send or prepare in between refuses this one)."""
    require_archive(user)
    async with writing(MailRun):
        claimed = (
            await MailRun.update({MailRun.version: MailRun.version + 1})
            .where((MailRun.id == run_id) & (MailRun.version == version))
            .returning(MailRun.maaned, MailRun.status)
        )
        if not claimed:
            raise await _stale(run_id)
        maaned, first = str(claimed[0]["maaned"]), claimed[0]["status"] != SENT
        stamp = now()
        if first:
            await MailRun.update(
                {MailRun.status: SENT, MailRun.sendt_av: user.person_id, MailRun.sendt: stamp}
            ).where(MailRun.id == run_id)
        items = await MailItem.select(
            MailItem.id,
            MailItem.kind,
            MailItem.person,
            MailItem.emne,
            MailItem.tekst,
            MailItem.person.name.as_alias("name"),
            MailItem.person.email.as_alias("email"),
            MailItem.person.language.as_alias("language"),
            MailItem.person.active.as_alias("active"),
        ).where((MailItem.run == run_id) & MailItem.sendt.is_null())
        done: set[int] = set()
        queued = without_email = 0
        for item in items:
            if not item["email"] or not item["active"]:
                without_email += 1
                continue
            language = item["language"] or settings.default_language
            queued += await mail.enqueue(
                key=mail_key(maaned, item["kind"], int(item["person"])),
                to_address=item["email"],
                to_name=item["name"],
                subject=item["emne"],
                body_text=item["tekst"],
                body_html=mail_texts.html_from_text(item["tekst"], subject=item["emne"], language=language),
                source=SOURCE,
            )
            done.add(int(item["id"]))
        if done:
            await MailItem.update({MailItem.sendt: stamp}).where(MailItem.id.is_in(sorted(done)))
            await MailItem.raw(
                "UPDATE restanse_mail_item SET melding = (SELECT m.id FROM core_mail_message m "
                "WHERE m.idempotency_key = CAST({} AS TEXT) || restanse_mail_item.kind "
                "|| ':' || CAST(restanse_mail_item.person AS TEXT)) WHERE run = {} AND melding IS NULL "
                "AND sendt IS NOT NULL",
                f"restanse.monthly:{maaned}:",
                run_id,
            )
        result = SendResult(maaned, queued, without_email, first)
        if first or queued:
            await audit.record(
                actor_id=user.person_id,
                action="restanse.mails_sent",
                object_type="restanse_mail_run",
                object_id=run_id,
                summary=f"Restanse-e-poster for {maaned} sendt: {queued} lagt i utboksen",
                details={
                    "maaned": maaned,
                    "lagt_i_utboksen": queued,
                    "saksbehandlere": sum(1 for i in items if i["kind"] == KIND_HANDLER and i["id"] in done),
                    "ledere": sum(1 for i in items if i["kind"] == KIND_LEADER and i["id"] in done),
                    "uten_epost": without_email,
                },
            )
    return result


# --- reading -------------------------------------------------------------------------------


@dataclass
class Preview:
    run: dict[str, Any]
    items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def sendable(self) -> list[dict[str, Any]]:
        """Items that *Send* would queue now."""
        return [i for i in self.items if i["sendt"] is None and i["email"] and i["active"]]

    @property
    def missing_email(self) -> list[dict[str, Any]]:
        return [i for i in self.items if i["sendt"] is None and not (i["email"] and i["active"])]

    @property
    def handlers(self) -> list[dict[str, Any]]:
        return [i for i in self.items if i["kind"] == KIND_HANDLER]

    @property
    def leaders(self) -> list[dict[str, Any]]:
        return [i for i in self.items if i["kind"] == KIND_LEADER]

    @property
    def is_sent(self) -> bool:
        return bool(self.run["status"] == SENT)


_RUN_COLUMNS = (
    MailRun.id,
    MailRun.maaned,
    MailRun.rapportdato,
    MailRun.sammenligningsdato,
    MailRun.terskel,
    MailRun.frist,
    MailRun.status,
    MailRun.forberedt,
    MailRun.sendt,
    MailRun.version,
    MailRun.forberedt_av.name.as_alias("forberedt_av_navn"),
    MailRun.sendt_av.name.as_alias("sendt_av_navn"),
)


async def _run(run_id: int) -> dict[str, Any]:
    if not 0 < run_id <= MAX_ID:
        raise NotFound(_("Fant ingen utsending med dette nummeret."))
    row = await MailRun.select(*_RUN_COLUMNS).where(MailRun.id == run_id).first()
    if row is None:
        raise NotFound(_("Fant ingen utsending med dette nummeret."))
    row["maaned_navn"] = month_label(row["maaned"])
    return row


async def preview(user: User, run_id: int) -> Preview:
    """The run and its mails (recipient, address, kind, count, subject, text, outbox status)."""
    require_archive(user)
    run = await _run(run_id)
    items = await MailItem.select(
        MailItem.id,
        MailItem.kind,
        MailItem.person,
        MailItem.antall,
        MailItem.emne,
        MailItem.tekst,
        MailItem.sendt,
        MailItem.person.name.as_alias("name"),
        MailItem.person.email.as_alias("email"),
        MailItem.person.active.as_alias("active"),
        MailItem.melding.status.as_alias("outbox_status"),
    ).where(MailItem.run == run_id)
    order = {kind: n for n, kind in enumerate(KINDS)}
    items.sort(key=lambda i: (order.get(i["kind"], 9), str(i["name"]).casefold(), i["id"]))
    for item in items:
        item["kind_label"] = kind_label(item["kind"])
    return Preview(run, items)


async def item(user: User, run_id: int, item_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """One mail of a run (for its own preview page)."""
    view = await preview(user, run_id)
    found = next((i for i in view.items if i["id"] == item_id), None)
    if found is None:
        raise NotFound(_("Fant ingen e-post med dette nummeret i utsendingen."))
    return view.run, found


async def recent_runs(user: User, limit: int = 12) -> list[dict[str, Any]]:
    """The latest months' runs with their number of mails, newest first."""
    require_archive(user)
    runs = await MailRun.select(*_RUN_COLUMNS).order_by(MailRun.maaned, ascending=False).limit(limit)
    counts: dict[int, int] = {}
    if runs:
        rows = await (
            MailItem.select(MailItem.run, Count(MailItem.id, alias="n"))
            .where(MailItem.run.is_in([r["id"] for r in runs]))
            .group_by(MailItem.run)
        )
        counts = {int(r["run"]): int(r["n"]) for r in rows}
    for run in runs:
        run["maaned_navn"] = month_label(run["maaned"])
        run["antall"] = counts.get(int(run["id"]), 0)
    return runs


async def run_of_month(maaned: str) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await MailRun.select(MailRun.id, MailRun.status).where(MailRun.maaned == maaned).first()
    )
    return row
