"""The restanse ledger (:mod:`core.archive.ledger`) equals the rule
(:mod:`core.archive.queries.restanser`) on every date, after random histories of case work
through the services: registration with back-dated journaldato, sending to a unit, fordeling
and omfordeling, notes sent later, write-offs with back-dated dates, foreløpig svar registered
and undone, transfer of
a leaver's work, deleting a reserved note, and whole-post write-offs as an import writes them.
The histories span four months, so the counts read month totals kept by the writes
(``core_restanse_month``) and ledger rows on both sides of month boundaries; the counts with a
period of journaldato (read from the spans) are checked for random periods, and a handler's
summary (the card) against the rule's list; the open restanser counted by date for the cards
(``core_restanse_open``: a unit's forfalt, the handlers' old restanser, a handler's forfalt, § 11
a and foreløpig svar) against the rule's list and the spans, and against a rebuild. Runs on both databases; the seed of a failing
history is in the test id."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import itertools
import os
import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from core.archive import creation, ledger, open_counts, recipients, services
from core.archive.inputs import PostChanges
from core.archive.queries import distribution_counts, restanse_lists, restanser, signals
from core.archive.queries.common import QueryString, as_date, run, run_page
from core.archive.queries.open_recipients import RECIPIENT, open_on
from core.archive.queries.restanser import Scope
from core.archive.queries.visibility import Viewer
from core.archive.services import InternalRecipient
from core.archive.tables import Avskrivning, Journalpost, Korrespondansepart, Person
from core.archive.transfer import counts_of, preview
from core.db import writing
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.timeutil import months_back, now, today
from tests.core.archive.service_org import Org, incoming, make_org, note, own_case
from tests.support.factories import as_user
from tests.support.plans import plan_of

pytestmark = pytest.mark.anyio

START = date(2026, 8, 20)
DAYS = 90
DATES = [START + timedelta(days=offset) for offset in range(-1, DAYS + 2)]
CARD_DATES = [START + timedelta(days=offset) for offset in range(-1, DAYS + 130, 3)]
"""The cards' counts are read on these days: the history and the months after it (the training
signal's bound, three months back, crosses the history)."""
NEW_SINCE = datetime.combine(START + timedelta(days=DAYS // 2), time(12), tzinfo=UTC)
"""A handler's previous visit for «Nye først»: noon of a day in the middle of the history (the
write side stamps a distribution at noon of the day: ``Clock.now``)."""


class Clock:
    """``today()`` of the write side, moved by the history (back-dated registrations and
    write-offs)."""

    def __init__(self) -> None:
        self.day = START

    def __call__(self) -> date:
        return self.day

    def now(self) -> datetime:
        """Noon of the day, for the timestamps the write side stores (a foreløpig svar's
        registration, which may be undone on that day only)."""
        return datetime.combine(self.day, time(12), tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    for module in (creation, recipients):
        monkeypatch.setattr(module, "today", clock)
    monkeypatch.setattr(recipients, "now", clock.now)
    return clock


async def internal_parts() -> list[dict[str, Any]]:
    return list(
        await Korrespondansepart.select(
            Korrespondansepart.id,
            Korrespondansepart.journalpost,
            Korrespondansepart.administrativ_enhet,
            Korrespondansepart.saksbehandler,
            Korrespondansepart.version,
            Korrespondansepart.foreloepig_svar_dato,
            Korrespondansepart.foreloepig_svar_av,
        )
        .where(Korrespondansepart.intern.eq(True) & (Korrespondansepart.korrespondanseparttype == "IM"))
        .order_by(Korrespondansepart.id)
    )


async def post_version(journalpost_id: int) -> int:
    row = await Journalpost.select(Journalpost.version).where(Journalpost.id == journalpost_id).first()
    return int(row["version"]) if row else 0


class History:
    def __init__(self, settings: Any, org: Org, clock: Clock, rng: random.Random) -> None:
        self.settings, self.org, self.clock, self.rng = settings, org, clock, rng
        self.handlers = {org.lma: [org.handler, org.colleague], org.oko: [org.oko_handler]}
        self.leaders = {org.lma: org.leader, org.oko: org.oko_leader}
        self.notes: list[int] = []

    def some_day(self) -> date:
        self.clock.day = START + timedelta(days=self.rng.randrange(DAYS))
        return self.clock.day

    async def register(self) -> None:
        self.some_day()
        unit = self.rng.choice([self.org.lma, self.org.oko, None])
        # Half with a forfallsdato, often before the journaldato (forfalt the day after it).
        forfall = self.rng.choice(DATES) if self.rng.random() < 0.5 else None
        await incoming(
            self.settings, self.org, unit=unit, tittel=f"Brev {self.rng.random():.6f}", forfallsdato=forfall
        )

    async def write_note(self) -> None:
        self.some_day()
        case = await own_case(self.settings, self.org)
        unit = self.rng.choice([self.org.lma, self.org.oko])
        handler = self.rng.choice([None, *self.handlers[unit]])
        post = await note(self.settings, self.org, case, [InternalRecipient(unit, handler)])
        self.notes.append(post)

    async def send_note(self) -> None:
        if not self.notes:
            return
        post = self.rng.choice(self.notes)
        user = await as_user(self.org.handler)
        if self.rng.random() < 0.5:
            await services.ferdigstill(self.settings, user, post, await post_version(post))
        await services.ekspeder(self.settings, user, post, await post_version(post))

    async def delete_note(self) -> None:
        if self.notes:
            post = self.notes.pop(self.rng.randrange(len(self.notes)))
            user = await as_user(self.org.handler)
            await services.delete_post(self.settings, user, post, version=await post_version(post))

    async def distribute(self) -> None:
        parts = [p for p in await internal_parts() if p["administrativ_enhet"] in self.handlers]
        if parts:
            part = self.rng.choice(parts)
            unit = part["administrativ_enhet"]
            handler = self.rng.choice(self.handlers[unit])
            user = await as_user(self.leaders[unit])
            await services.fordel(self.settings, user, part["id"], handler, version=part["version"])

    async def send_to_unit(self) -> None:
        parts = [p for p in await internal_parts() if p["saksbehandler"] is None]
        if parts:
            part = self.rng.choice(parts)
            unit = self.rng.choice([self.org.lma, self.org.oko])
            user = await as_user(self.org.archivist)
            await services.set_recipient_unit(self.settings, user, part["id"], unit, version=part["version"])

    async def write_off(self) -> None:
        parts = await internal_parts()
        if parts:
            part = self.rng.choice(parts)
            self.some_day()  # often before the journaldato or other write-offs: back-dated
            user = await as_user(self.org.archivist)
            maate = self.rng.choice(["TE", "TO", "TLF"])
            await services.avskriv(self.settings, user, part["id"], maate, version=part["version"])

    async def foreloepig_svar(self) -> None:
        """Mostly on a handler's restanse (the handler's card counts them)."""
        parts = await internal_parts()
        handled = [p for p in parts if p["saksbehandler"] is not None]
        if handled and self.rng.random() < 0.8:
            parts = handled
        if parts:
            part = self.rng.choice(parts)
            self.clock.day = START + timedelta(days=DAYS)
            user = await as_user(self.org.archivist)
            await services.mark_foreloepig_svar(self.settings, user, part["id"], version=part["version"])

    async def undo_foreloepig_svar(self) -> None:
        """The archivist undoes a foreløpig svar they registered (on the same day)."""
        marked = [
            p
            for p in await internal_parts()
            if p["foreloepig_svar_av"] == self.org.archivist and p["foreloepig_svar_dato"] is not None
        ]
        if marked:
            part = self.rng.choice(marked)
            self.clock.day = START + timedelta(days=DAYS)
            user = await as_user(self.org.archivist)
            await services.undo_foreloepig_svar(self.settings, user, part["id"], version=part["version"])

    async def change_forfallsdato(self) -> None:
        """A post's forfallsdato edited (the card's *forfalt* reads it from the spans)."""
        parts = await internal_parts()
        if parts:
            part = self.rng.choice(parts)
            post = (
                await Journalpost.select(Journalpost.tittel)
                .where(Journalpost.id == part["journalpost"])
                .first()
            )
            user = await as_user(self.org.archivist)
            changes = PostChanges(tittel=post["tittel"], forfallsdato=self.rng.choice([None, *DATES]))
            await services.update_post(
                self.settings,
                user,
                part["journalpost"],
                changes,
                version=await post_version(part["journalpost"]),
            )

    async def transfer(self) -> None:
        user = await as_user(self.org.leader)
        expected = counts_of(await preview(user, self.org.handler))
        await services.transfer_work(
            self.settings, user, self.org.handler, self.org.colleague, expected=expected
        )

    async def write_off_whole_post(self) -> None:
        """As an import writes them: a write-off without recipient ends every recipient of the
        post (the importer rebuilds; here the post is refreshed)."""
        parts = await internal_parts()
        if parts:
            part = self.rng.choice(parts)
            async with writing(Avskrivning):
                await Avskrivning.insert(
                    Avskrivning(
                        journalpost=part["journalpost"],
                        korrespondansepart=None,
                        avskrivningsdato=self.some_day(),
                        avskrivningsmaate="TO",
                        registrert=now(),
                    )
                )
                await ledger.refresh_posts([part["journalpost"]])

    async def step(self) -> None:
        operations = [
            (self.register, 6),
            (self.write_note, 3),
            (self.send_note, 3),
            (self.delete_note, 1),
            (self.distribute, 5),
            (self.send_to_unit, 2),
            (self.write_off, 5),
            (self.foreloepig_svar, 3),
            (self.undo_foreloepig_svar, 2),
            (self.change_forfallsdato, 2),
            (self.transfer, 1),
            (self.write_off_whole_post, 1),
        ]
        operation = self.rng.choices([op for op, _ in operations], [w for _, w in operations])[0]
        with contextlib.suppress(Conflict, Forbidden, NotFound, ValidationFailed):
            await operation()  # a refusal rolls back, the ledger with it


def random_periods(rng: random.Random) -> list[tuple[date | None, date | None]]:
    """Periods of journaldato: open at either end, inside the history, and a ``til`` after
    every date (which restricts nothing: the ledger answers)."""
    periods: list[tuple[date | None, date | None]] = [(None, DATES[-1] + timedelta(days=3))]
    for _ in range(3):
        fra, til = sorted(rng.sample(DATES, 2))
        periods.extend([(fra, til), (fra, None), (None, til)])
    return periods


async def assert_ledger_equals_rule(org: Org, rng: random.Random) -> None:
    per_handler = await restanser.counts_per_handler(DATES)
    assert await ledger.counts_per_handler(DATES) == per_handler
    assert await ledger.counts_per_key(DATES) == {(c.unit_id, c.person_id): c.counts for c in per_handler}
    assert await ledger.counts_per_unit(DATES) == await restanser.counts_per_unit(DATES)
    scopes = [
        Scope(),
        Scope(unit_ids=(org.lma,)),
        Scope(saksbehandler_id=org.colleague),
        Scope(unit_ids=(org.oko,), journalposttyper=("N",)),
        Scope(journalposttyper=("I",)),
        Scope(unit_ids=(org.lma, org.oko), without_handler=True),
    ]
    for scope in scopes:
        assert await ledger.counts_per_unit(DATES, scope) == await restanser.counts_per_unit(DATES, scope), (
            scope
        )
    for scope in (
        scopes[:3:2] + scopes[-1:]
    ):  # one day at a time; all units includes recipients without a unit
        for day in DATES:
            assert await ledger.count(day, scope) == await restanser.count(day, scope), (scope, day)
    # A period of journaldato (Restanser i egen enhet): from the spans.
    for fra, til in random_periods(rng):
        unit = Scope(unit_ids=(org.lma, org.oko), journaldato_fra=fra, journaldato_til=til)
        dates = sorted(rng.sample(DATES, 2))
        assert await ledger.counts_per_handler(dates, unit) == await restanser.counts_per_handler(
            dates, unit
        ), (
            unit,
            dates,
        )
        assert await ledger.counts_per_unit(DATES, unit) == await restanser.counts_per_unit(DATES, unit), unit
        everyone = Scope(journaldato_fra=fra, journaldato_til=til)
        for day in dates:
            assert await ledger.count(day, everyone) == await restanser.count(day, everyone), (everyone, day)


async def assert_summaries_equal_the_list(org: Org) -> None:
    """The card's figures (from the spans) are the rule's list counted by hand."""
    for person in (org.handler, org.colleague, org.oko_handler):
        for day in (DATES[len(DATES) // 2], DATES[-1]):
            page = await restanse_lists.open_restanser(
                Viewer(person_id=person, codes=frozenset()),
                Scope(saksbehandler_id=person),
                day=day,
                size=10_000,
            )
            items = page.items
            assert page.total == len(items)
            expected = restanse_lists.Summary(
                total=len(items),
                forfalt=sum(1 for item in items if item["forfalt"]),
                paragraf_11a=sum(1 for item in items if item["paragraf_11a"]),
                foreloepig=sum(1 for item in items if item["foreloepig_svar_dato"] is not None),
            )
            assert await restanse_lists.own_summary(person, day) == expected, (person, day)
            assert await own_summary_from_spans(person, day) == expected, (person, day)


async def own_summary_from_spans(person_id: int, day: date) -> restanse_lists.Summary:
    """The reference for the handler's card: the statement ``own_summary`` ran before the counts
    were kept by date, every open span of the handler on ``day`` read and counted (the total
    from the ledger, which the other checks hold to the rule)."""
    spans = (
        "SELECT x.fra_dato, x.journalposttype, x.forfallsdato, x.foreloepig_svar_dato FROM core_restanse_span x "
        "WHERE x.saksbehandler = {} AND x.fra_dato <= {} AND "
    )
    [row] = await Korrespondansepart.raw(
        "SELECT SUM(CASE WHEN s.forfallsdato IS NOT NULL AND s.forfallsdato < {} THEN 1 ELSE 0 END) AS forfalt, "
        "SUM(CASE WHEN s.journalposttype = 'I' AND s.fra_dato < {} AND s.foreloepig_svar_dato IS NULL "
        "THEN 1 ELSE 0 END) AS p11a, "
        "SUM(CASE WHEN s.foreloepig_svar_dato IS NOT NULL THEN 1 ELSE 0 END) AS foreloepig "
        f"FROM ({spans}x.til_dato IS NULL UNION ALL {spans}x.til_dato > {{}}) s",
        day,
        months_back(day, 1),
        person_id,
        day,
        person_id,
        day,
        day,
    )
    return restanse_lists.Summary(
        total=await ledger.count(day, Scope(saksbehandler_id=person_id)),
        forfalt=int(row["forfalt"] or 0),
        paragraf_11a=int(row["p11a"] or 0),
        foreloepig=int(row["foreloepig"] or 0),
    )


async def assert_own_summaries_equal_the_spans(org: Org) -> None:
    """Every day of the history and after it (spans closed after the day, those registered after
    it, both halves of a month, the § 11 a bound a month back crossing the history): each
    handler's forfalt, § 11 a and foreløpig svar from the open counts equal the spans counted
    one by one (:func:`own_summary_from_spans`)."""
    for person in (org.handler, org.colleague, org.oko_handler, org.leader):
        for day in CARD_DATES:
            assert await restanse_lists.own_summary(person, day) == await own_summary_from_spans(
                person, day
            ), (
                person,
                day,
            )


async def assert_open_items_per_handler_equal_the_rule(org: Org) -> None:
    """The omfordeling page's open items per handler (from the ledger) are the unit's open
    recipients by their current handler, counted over the records with the rule."""
    for unit in (org.lma, org.oko):
        rows = await run(
            QueryString(
                "SELECT k.saksbehandler AS person, COUNT(*) AS n FROM core_korrespondansepart k "
                "JOIN core_journalpost j ON j.id = k.journalpost "
                "WHERE k.administrativ_enhet = {} AND k.saksbehandler IS NOT NULL AND {} "
                "GROUP BY k.saksbehandler",
                unit,
                open_on(today(), RECIPIENT),
            )
        )
        expected = {int(r["person"]): int(r["n"]) for r in rows}
        assert await distribution_counts.open_counts_by_handler(unit) == expected, unit


async def assert_unit_overdue_equals_the_list(org: Org, rng: random.Random) -> None:
    """A unit's forfalt per handler (the leader's card and report, from the spans' index) is
    the rule's list of each (unit, handler) counted by hand, with and without a period."""
    fra, til = rng.choice([(None, None), *random_periods(rng)])
    for day in (DATES[len(DATES) // 2], DATES[-1]):
        scope = Scope(unit_ids=(org.lma, org.oko), journaldato_fra=fra, journaldato_til=til)
        page = await restanse_lists.open_restanser(
            Viewer(person_id=org.handler, codes=frozenset()), scope, day=day, size=10_000
        )
        expected: dict[tuple[int, int | None], int] = {}
        for item in page.items:
            if item["forfalt"]:
                key = (int(item["enhet_id"]), item["saksbehandler_id"])
                expected[key] = expected.get(key, 0) + 1
        assert await ledger.overdue_per_handler(day, scope) == expected, (day, fra, til)
        if fra is None and til is None:  # the leader's card: per unit, from the open counts
            per_unit: dict[int, int] = {}
            for (unit, _), n in expected.items():
                per_unit[unit] = per_unit.get(unit, 0) + n
            assert await open_counts.overdue_per_unit(day, (org.lma, org.oko)) == per_unit, day
    # Every day of the history and after it (the spans closed after the day, those registered
    # after it, both halves of a month): the open counts equal the spans' count above.
    for day in CARD_DATES:
        by_handler = await ledger.overdue_per_handler(day, Scope(unit_ids=(org.lma, org.oko)))
        per_unit = {}
        for (unit, _), n in by_handler.items():
            per_unit[unit] = per_unit.get(unit, 0) + n
        assert await open_counts.overdue_per_unit(day, (org.lma, org.oko)) == per_unit, day
        assert await open_counts.overdue_per_unit(day, (org.oko,)) == {
            u: n for u, n in per_unit.items() if u == org.oko
        }, day


async def assert_old_restanser_equal_the_list(org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    """The training signal *old restanser* (from the spans' index) is the rule's list counted by
    hand: per handler, the restanser on the day whose journaldato is over three months back."""
    monkeypatch.setattr(signals, "OLD_RESTANSER_MIN", 1)
    for day in (DATES[-1], DATES[-1] + timedelta(days=40)):
        page = await restanse_lists.open_restanser(
            Viewer(person_id=org.handler, codes=frozenset()), Scope(), day=day, size=10_000
        )
        bound = signals.months_back(day, 3)
        expected: dict[int, int] = {}
        for item in page.items:
            if item["saksbehandler_id"] is not None and item["journaldato"] < bound:
                expected[int(item["saksbehandler_id"])] = expected.get(int(item["saksbehandler_id"]), 0) + 1
        found = {
            s.person_id: s.old_restanser for s in await signals.handler_signals(day=day) if s.old_restanser
        }
        assert found == expected, day
        assert await signals.old_restanse_handlers(day=day) == len(expected)
    # Every day of the history and after it: the open counts (both halves of the bound's month,
    # spans closed after the day) equal the spans' count, for everyone and by the handler's unit.
    monkeypatch.setattr(signals, "OLD_RESTANSER_MIN", 2)
    units = {int(p["id"]): p["unit"] for p in await Person.select(Person.id, Person.unit)}
    for day in CARD_DATES:
        old = await old_from_the_spans(day, signals.months_back(day, 3), 2)
        assert {
            int(r["person_id"]): int(r["n"]) for r in await run(signals.old_restanser_query(day, None))
        } == old
        assert await signals.old_restanse_handlers(day=day) == len(old), day
        in_lma = {p: n for p, n in old.items() if units.get(p) == org.lma}
        assert await signals.old_restanse_handlers([org.lma], day=day) == len(in_lma), day


async def old_from_the_spans(day: date, bound: date, minimum: int) -> dict[int, int]:
    """The handlers with ``minimum`` or more restanser on ``day`` with a journaldato before
    ``bound``, counted over the spans (which the ledger's checks hold to the rule)."""
    rows = await Korrespondansepart.raw(
        "SELECT saksbehandler, COUNT(*) AS n FROM core_restanse_span WHERE saksbehandler <> 0 "
        "AND fra_dato < {} AND fra_dato <= {} AND (til_dato IS NULL OR til_dato > {}) "
        "GROUP BY saksbehandler HAVING COUNT(*) >= {}",
        bound,
        day,
        day,
        minimum,
    )
    return {int(r["saksbehandler"]): int(r["n"]) for r in rows}


async def assert_pages_are_the_whole_list(org: Org) -> None:
    """A list reads its page's ids through the spans by the sort keys alone («Nye først»: the
    new ones, then the others; by handler or unit: the scope's restanser), then the rows;
    every page of every sort equals the page of the whole list by the rule (the full statement
    over the records, paged in SQL)."""
    viewer = Viewer(person_id=org.handler, codes=frozenset())
    scopes = [
        Scope(saksbehandler_id=org.handler),
        Scope(saksbehandler_id=org.colleague),
        Scope(unit_ids=(org.lma,)),
        Scope(unit_ids=(org.lma, org.oko), without_handler=True),
        Scope(),
    ]
    for scope in scopes:
        for day in (DATES[len(DATES) // 2], DATES[-1]):
            for sort, order in restanse_lists.SORTS.items():
                # «Nye først» also with a previous visit in the middle of the history (a
                # recipient distributed at noon of a later day is new).
                moments = (None, NEW_SINCE) if sort == restanse_lists.NEW_FIRST else (None,)
                for new_since, page in itertools.product(moments, (1, 2, 3)):
                    fast = await restanse_lists.open_restanser(
                        viewer, scope, day=day, sort=sort, page=page, size=3, new_since=new_since
                    )
                    whole = await run_page(
                        QueryString(
                            f"{{}} WHERE {{}} ORDER BY {order}",
                            restanse_lists.restanse_select(viewer, new_since),
                            restanse_lists.restanse_where(scope, day),
                        ),
                        fast.total,
                        page,
                        3,
                    )
                    assert [item["korrespondansepart_id"] for item in fast.items] == [
                        row["korrespondansepart_id"] for row in whole.items
                    ] and fast.number == whole.number, (scope, day, sort, new_since, page)


async def ledger_rows() -> tuple[
    list[dict[str, Any]], list[dict[str, Any]], list[tuple[Any, ...]], list[dict[str, Any]]
]:
    spans = await Korrespondansepart.raw(
        "SELECT korrespondansepart, journalpost, enhet, saksbehandler, journalposttype, fra_dato, til_dato, "
        "saksaar, sakssekvensnummer, journalpostnummer FROM core_restanse_span ORDER BY korrespondansepart"
    )
    deltas = await Korrespondansepart.raw(
        "SELECT enhet, saksbehandler, journalposttype, dato, delta FROM core_restanse_ledger "
        "WHERE delta <> 0 ORDER BY enhet, saksbehandler, journalposttype, dato"
    )
    opened = await Korrespondansepart.raw(
        "SELECT akse, noekkel, periode, dato, antall FROM core_restanse_open ORDER BY akse, noekkel, periode, dato"
    )
    return spans, deltas, await month_steps(), opened


async def month_steps() -> list[tuple[Any, ...]]:
    """The month totals as steps: per key the months where its total changes, with the total,
    and checks that ``neste`` links each row to the key's next one. (A refresh keeps the row of
    a month whose deltas came to nothing; a rebuild makes rows only for months with ledger
    rows: the steps are the same.)"""
    rows = await Korrespondansepart.raw(
        "SELECT enhet, saksbehandler, journalposttype, maaned, total, neste FROM core_restanse_month "
        "ORDER BY enhet, saksbehandler, journalposttype, maaned"
    )
    steps: list[tuple[Any, ...]] = []
    for index, row in enumerate(rows):
        key = (row["enhet"], row["saksbehandler"], row["journalposttype"])
        following = rows[index + 1] if index + 1 < len(rows) else None
        same_key = following is not None and key == (
            following["enhet"],
            following["saksbehandler"],
            following["journalposttype"],
        )
        expected_next = as_date(following["maaned"]) if following is not None and same_key else ledger.NEVER
        assert as_date(row["neste"]) == expected_next, row
        previous = rows[index - 1] if index else None
        before = (
            int(previous["total"])
            if previous is not None
            and key == (previous["enhet"], previous["saksbehandler"], previous["journalposttype"])
            else 0
        )
        if int(row["total"]) != before:
            steps.append((*key, as_date(row["maaned"]), int(row["total"])))
    return steps


HISTORIES = int(os.environ.get("ARKIV_LEDGER_HISTORIES", "20"))
"""Random histories per run (``ARKIV_LEDGER_HISTORIES=200`` for a longer search)."""


@pytest.mark.parametrize("seed", range(HISTORIES))
async def test_ledger_equals_rule_on_random_histories(
    settings, db, clock: Clock, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    org = await make_org()
    history = History(settings, org, clock, rng)
    for _ in range(rng.randint(20, 30)):
        await history.step()
    assert await restanser.count(DATES[-1]) + await Avskrivning.count() > 0  # the history did something
    async with Journalpost._meta.db.transaction():  # one connection for the many reads (PostgreSQL)
        await assert_ledger_equals_rule(org, rng)
        await assert_summaries_equal_the_list(org)
        await assert_own_summaries_equal_the_spans(org)
        await assert_open_items_per_handler_equal_the_rule(org)
        await assert_unit_overdue_equals_the_list(org, rng)
        await assert_old_restanser_equal_the_list(org, monkeypatch)
        await assert_pages_are_the_whole_list(org)
    # What the writes kept current is what a rebuild computes from the records.
    kept = await ledger_rows()
    async with writing(Journalpost):
        await ledger.rebuild()
    assert await ledger_rows() == kept


async def test_rebuild_fills_the_ledger_from_the_records(settings, db, clock: Clock) -> None:
    org = await make_org()
    for unit in (org.lma, org.oko, None):
        await incoming(settings, org, unit=unit)
    await Korrespondansepart.raw("DELETE FROM core_restanse_ledger")
    await Korrespondansepart.raw("DELETE FROM core_restanse_month")
    assert await ledger.count(START) == 0
    async with writing(Journalpost):
        assert await ledger.rebuild() == 3
    assert await ledger.count(START) == 3 == await restanser.count(START)
    assert await ledger.count(START - timedelta(days=1)) == 0


async def a_history(settings: Any, clock: Clock, *, seed: int) -> tuple[Any, random.Random]:
    """The organisation after 20-30 random steps of history ``seed``, and its generator."""
    rng = random.Random(seed)
    org = await make_org()
    history = History(settings, org, clock, rng)
    for _ in range(rng.randint(20, 30)):
        await history.step()
    return org, rng


async def test_the_histories_fail_without_the_month_totals(
    settings, db, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The random histories notice month totals that the writes do not keep: with the month
    maintenance removed the first history's counts differ from the rule."""

    async def nothing(*_: Any) -> None:
        return None

    monkeypatch.setattr(ledger, "_add_to_month", nothing)
    org, rng = await a_history(settings, clock, seed=0)
    async with Journalpost._meta.db.transaction():
        with pytest.raises(AssertionError):
            await assert_ledger_equals_rule(org, rng)


async def test_the_histories_fail_without_the_open_counts(
    settings, db, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The random histories notice open counts that the writes do not keep: with their
    maintenance removed, the cards of history 1 (one in which all three kinds of count have
    something to miss) differ from the rule's list and from the spans."""

    async def nothing(*_: Any) -> None:
        return None

    monkeypatch.setattr(open_counts, "write", nothing)
    org, rng = await a_history(settings, clock, seed=1)
    async with Journalpost._meta.db.transaction():
        with pytest.raises(AssertionError):
            await assert_unit_overdue_equals_the_list(org, rng)
        with pytest.raises(AssertionError):
            await assert_old_restanser_equal_the_list(org, monkeypatch)
        with pytest.raises(AssertionError):
            await assert_own_summaries_equal_the_spans(org)


async def test_a_count_reads_a_month_total_and_at_most_half_a_month_of_ledger_rows(
    settings, db, clock
) -> None:
    org = await make_org()
    for day in (date(2026, 8, 3), date(2026, 9, 14), date(2026, 9, 29)):
        clock.day = day
        await incoming(settings, org, unit=org.lma)
    counted = []
    for day in (date(2026, 9, 10), date(2026, 9, 20), date(2026, 9, 30), date(2026, 10, 1)):
        query = ledger.counts_query([day], Scope(), ())
        rows = await Korrespondansepart.raw("{}", query)
        counted.append(int(rows[0]["c0"]))
        assert counted[-1] == await restanser.count(day)
        text = query.__str__()
        assert "core_restanse_month" in text
        if day == date(2026, 9, 30):  # a month's end: the next month's total alone
            assert "core_restanse_ledger" not in text
    assert counted == [1, 2, 3, 3]


async def test_a_journaldato_period_is_counted_from_the_spans(settings, db, clock: Clock) -> None:
    org = await make_org()
    for day in (START, START + timedelta(days=10)):
        clock.day = day
        await incoming(settings, org, unit=org.lma)
    period = Scope(journaldato_fra=START + timedelta(days=5))
    assert "core_restanse_span" in str(ledger.counts_query([START + timedelta(days=20)], period, ()))
    assert (
        await ledger.count(START + timedelta(days=20), period)
        == 1
        == await restanser.count(START + timedelta(days=20), period)
    )
    assert await ledger.count(START + timedelta(days=20)) == 2


async def test_concurrent_writers_of_one_key_keep_the_month_totals(settings, db, clock: Clock) -> None:
    """PostgreSQL: two write transactions refresh the same key at once, each making a new month
    row (September under October). The advisory lock per key makes the second wait for the
    first, so it builds on the first's rows; without it each would miss the other's
    uncommitted row, and October's total would lack September's restanse."""
    if not settings.is_postgres:
        pytest.skip("SQLite's write transactions (IMMEDIATE) never overlap")
    org = await make_org()
    clock.day = date(2026, 10, 5)
    october = await incoming(settings, org, unit=org.lma)
    clock.day = date(2026, 9, 5)
    september = await incoming(settings, org, unit=org.lma)
    for table in ("core_restanse_month", "core_restanse_ledger", "core_restanse_span"):
        await Korrespondansepart.raw(f"DELETE FROM {table}")
    first_refreshed = asyncio.Event()

    async def first() -> None:
        async with writing(Journalpost):
            await ledger.refresh_posts([october])
            first_refreshed.set()
            await asyncio.wait_for(waiting_or_done(second_task), timeout=30)

    async def second() -> None:
        await first_refreshed.wait()
        async with writing(Journalpost):
            await ledger.refresh_posts([september])

    async def waiting_or_done(task: asyncio.Task[None]) -> None:
        """Until the second writer waits for a lock (or has finished: then it did not wait)."""
        while not task.done():
            rows = await Korrespondansepart.raw(
                "SELECT COUNT(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
            if rows[0]["n"]:
                return
            await asyncio.sleep(0.01)

    second_task = asyncio.ensure_future(second())
    await asyncio.gather(first(), second_task)
    assert await ledger.count(date(2026, 10, 31)) == 2 == await restanser.count(date(2026, 10, 31))
    kept = await ledger_rows()
    async with writing(Journalpost):
        await ledger.rebuild()
    assert await ledger_rows() == kept


async def test_the_card_follows_forfallsdato_and_foreloepig_svar(settings, db, clock: Clock) -> None:
    """The card's forfalt and § 11 a come from the spans, so the edits that change a post's
    forfallsdato or a recipient's foreløpig svar (registered or undone) must refresh them."""
    org = await make_org()
    clock.day = START
    post = await incoming(settings, org, tittel="Søknad om skjenkebevilling")
    part = (await internal_parts())[-1]
    await services.fordel(
        settings, await as_user(org.leader), part["id"], org.handler, version=part["version"]
    )
    clock.day = START + timedelta(days=DAYS)  # more than a month later: past § 11 a
    before = await restanse_lists.own_summary(org.handler)
    assert (before.total, before.forfalt, before.paragraf_11a, before.foreloepig) == (1, 0, 1, 0)

    tittel = (await Journalpost.select(Journalpost.tittel).where(Journalpost.id == post).first())["tittel"]
    changes = PostChanges(tittel=tittel, forfallsdato=START + timedelta(days=5))
    await services.update_post(
        settings, await as_user(org.archivist), post, changes, version=await post_version(post)
    )
    assert (await restanse_lists.own_summary(org.handler)).forfalt == 1

    part = next(p for p in await internal_parts() if p["id"] == part["id"])
    await services.mark_foreloepig_svar(
        settings, await as_user(org.handler), part["id"], version=part["version"]
    )
    after = await restanse_lists.own_summary(org.handler)
    assert (after.total, after.forfalt, after.paragraf_11a, after.foreloepig) == (1, 1, 0, 1)

    # Undone the same day: § 11 a again, no foreløpig svar.
    await services.undo_foreloepig_svar(
        settings, await as_user(org.handler), part["id"], version=part["version"] + 1
    )
    undone = await restanse_lists.own_summary(org.handler)
    assert (undone.total, undone.forfalt, undone.paragraf_11a, undone.foreloepig) == (1, 1, 1, 0)


async def spans_at_scale() -> None:
    """20 000 restanse spans of forty units and seven handlers (5-11), one in ten still open,
    some closed after :data:`START`, and the planner's statistics of them: on the tests' nearly
    empty tables the choice of index followed whatever earlier tests left. Call
    :func:`no_spans` after."""
    await Journalpost.raw(
        "INSERT INTO core_restanse_span (korrespondansepart, journalpost, enhet, saksbehandler, "
        "journalposttype, fra_dato, til_dato, forfallsdato) "
        "SELECT i, i, 1 + i % 40, 5 + i % 7, 'I', CAST({} AS DATE), "
        "CASE WHEN i % 10 = 0 THEN NULL WHEN i % 97 = 0 THEN CAST({} AS DATE) ELSE CAST({} AS DATE) END, "
        "CAST({} AS DATE) "
        "FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
        "SELECT i FROM n) serie",
        START - timedelta(days=400),
        START + timedelta(days=100),
        START - timedelta(days=300),
        START - timedelta(days=350),
    )
    await Journalpost.raw("ANALYZE core_restanse_span")


async def no_spans() -> None:
    """Remove :func:`spans_at_scale`'s spans and their statistics (which outlive the rows: the
    next tests must not plan for them)."""
    await Journalpost.raw("DELETE FROM core_restanse_span")
    await Journalpost.raw("ANALYZE core_restanse_span")


async def test_a_units_forfalt_reads_its_open_spans_from_the_index(db) -> None:
    """The leader's card and report count a unit's forfalt restanser from the index
    ``core_restanse_span_enhet_open`` (unit, til_dato) alone, which carries the counted
    columns: no table rows, nothing of the unit's closed spans. (With a short period of
    journaldato the planner may rather take the spans by unit and journaldato.)

    Forty units get 20 000 spans, one in ten still open, and the planner its statistics: on the
    test's nearly empty tables the choice of index followed whatever earlier tests left."""
    await spans_at_scale()
    try:
        for units in ((3,), (3, 4)):
            plan = await plan_of(ledger.overdue_query(START, Scope(unit_ids=units)))
            assert "core_restanse_span_enhet_open" in plan, plan
            assert "Seq Scan" not in plan and "SCAN x" not in plan, plan
            if Journalpost._meta.db.engine_type != "postgres":
                assert "COVERING INDEX core_restanse_span_enhet_open" in plan, plan
            # PostgreSQL reads it as an Index Only Scan once the pages are all-visible
            # (autovacuum; the 1M database, docs/benchmarks.md); rows inserted here are not yet.
    finally:
        await no_spans()


async def test_a_units_forfalt_for_the_card_reads_its_open_counts(db) -> None:
    """The leader's card counts the forfalt restanser of all its units in one statement over
    their rows of ``core_restanse_open``, from an index alone: the month rows and at most half a
    month of day rows, whatever the day (by the units' ranges of the key, or, in a small table,
    the ranges by date)."""
    for day in (date(2026, 9, 10), date(2026, 9, 20)):
        plan = await plan_of(open_counts.overdue_query(day, (3, 4)))
        if Journalpost._meta.db.engine_type == "postgres":
            assert "Index Only Scan using core_restanse_open" in plan, plan
        else:
            assert "SEARCH o USING COVERING INDEX core_restanse_open" in plan, plan
        assert "SCAN o" not in plan and "Seq Scan" not in plan, plan


async def test_a_handlers_card_reads_its_open_counts(db) -> None:
    """The handler's card (forfalt, § 11 a, foreløpig svar) counts from the handler's rows of
    ``core_restanse_open`` and the spans closed after the day, each from an index: the month
    rows and at most half a month of day rows per count, whatever the day, and no open span of
    the handler. (On the test's empty ``core_restanse_open`` the planners may take the rows'
    range by date instead of the handler's range of the key; on the 1M database PostgreSQL
    reads the key, docs/benchmarks.md.) The spans are many (:func:`spans_at_scale`)."""
    await spans_at_scale()
    try:
        for day in (date(2026, 9, 10), date(2026, 9, 20), date(2026, 3, 30)):
            plan = await plan_of(open_counts.own_query(7, day))
            if Journalpost._meta.db.engine_type == "postgres":
                assert plan.count("Index Only Scan using core_restanse_open") == 6, plan
                # The spans closed after the day, by the handler's range or by the range of all
                # spans closed after it (core_restanse_span_gammel): no open span either way.
                assert "Index Cond: ((saksbehandler = 7) AND (til_dato >" in plan or (
                    "core_restanse_span_gammel on core_restanse_span x" in plan
                    and "Index Cond: ((til_dato >" in plan
                ), plan
                assert "Seq Scan" not in plan, plan
            else:
                assert plan.count("SEARCH o USING COVERING INDEX core_restanse_open") == 6, plan
                assert (
                    "SEARCH x USING COVERING INDEX core_restanse_span_behandler (saksbehandler=? AND til_dato>?)"
                    in plan
                )
                assert "SCAN o" not in plan and "SCAN x" not in plan, plan
    finally:
        await no_spans()


async def test_the_migration_fills_a_handlers_open_counts(settings, db, clock: Clock) -> None:
    """Databases made before the handler's axes get them from the spans (migration
    core_2026_12_07t01_35_00, run here again on both databases): the same rows the writes keep,
    the other axes untouched; backwards removes them."""
    rng = random.Random(3)
    history = History(settings, await make_org(), clock, rng)
    for _ in range(25):
        await history.step()
    # And one restanse of each of the three: forfalt with a foreløpig svar, past § 11 a.
    clock.day = START
    posts = [await incoming(settings, history.org, unit=history.org.lma) for _ in range(2)]
    parts = [p for p in await internal_parts() if p["journalpost"] in posts]
    for part in parts:
        await services.fordel(
            settings,
            await as_user(history.org.leader),
            part["id"],
            history.org.handler,
            version=part["version"],
        )
    clock.day = START + timedelta(days=DAYS)
    changes = PostChanges(tittel="Søknad", forfallsdato=START + timedelta(days=5))
    await services.update_post(
        settings,
        await as_user(history.org.archivist),
        posts[0],
        changes,
        version=await post_version(posts[0]),
    )
    part = next(p for p in await internal_parts() if p["journalpost"] == posts[0])
    await services.mark_foreloepig_svar(
        settings, await as_user(history.org.handler), part["id"], version=part["version"]
    )
    kept = await ledger_rows()
    own = [row for row in kept[3] if row["akse"] in open_counts.OWN_AXES]
    assert {row["akse"] for row in own} == set(open_counts.OWN_AXES), own  # the history made all three
    await Korrespondansepart.raw("DELETE FROM core_restanse_open WHERE akse IN ('H', 'P', 'S')")
    await Korrespondansepart.raw(
        "INSERT INTO core_restanse_open (akse, noekkel, periode, dato, antall) VALUES ('H', 1, 'D', {}, 5)",
        START,
    )
    migration = importlib.import_module("core.piccolo_migrations.core_2026_12_07t01_35_00_000000")
    manager = await migration.forwards()
    async with writing(Journalpost):
        for step in manager.raw:
            await step()
    assert await ledger_rows() == kept
    async with writing(Journalpost):
        for step in manager.raw_backwards:
            await step()
    assert (await ledger_rows())[3] == [row for row in kept[3] if row["akse"] not in open_counts.OWN_AXES]


async def test_the_migration_fills_the_spans_post_numbers(settings, db, clock: Clock) -> None:
    """Databases made before the spans carried the post's number get it from the posts and
    cases (migration core_2026_12_07t18_50_01, run here again on both databases): the numbers
    the writes keep, which are the posts' own."""
    history = History(settings, await make_org(), clock, random.Random(4))
    for _ in range(25):
        await history.step()
    kept = await ledger_rows()
    numbers = {
        (
            int(r["korrespondansepart"]),
            int(r["saksaar"]),
            int(r["sakssekvensnummer"]),
            int(r["journalpostnummer"]),
        )
        for r in kept[0]
    }
    posts = await run(
        QueryString(
            "SELECT k.id, s.saksaar, s.sakssekvensnummer, j.journalpostnummer FROM core_korrespondansepart k "
            "JOIN core_journalpost j ON j.id = k.journalpost JOIN core_saksmappe s ON s.id = j.saksmappe"
        )
    )
    own = {
        (int(r["id"]), int(r["saksaar"]), int(r["sakssekvensnummer"]), int(r["journalpostnummer"]))
        for r in posts
    }
    assert kept[0] and numbers <= own  # the writes keep each span's post number
    await Korrespondansepart.raw(
        "UPDATE core_restanse_span SET saksaar = 0, sakssekvensnummer = 0, journalpostnummer = 0"
    )
    migration = importlib.import_module("core.piccolo_migrations.core_2026_12_07t18_50_01_000000")
    manager = await migration.forwards()
    async with writing(Journalpost):
        for step in manager.raw:
            await step()
    assert await ledger_rows() == kept


async def test_a_handlers_card_counts_each_mark_by_its_own_date(settings, db, clock: Clock) -> None:
    """Each of the card's counts on every day around a handful of restanser that tell the dates
    apart: forfalt before its journaldato (forfalt from the day after the journaldato, not from
    the forfallsdato), an I post with a foreløpig svar (never past § 11 a), one without (past § 11
    a a month after), a note (never § 11 a), one written off later (open before its write-off),
    equal to the spans counted one by one and to a few figures by hand."""
    org = await make_org()
    archivist, leader = await as_user(org.archivist), await as_user(org.leader)
    clock.day = START
    await incoming(settings, org, forfallsdato=START - timedelta(days=10))  # forfalt from START
    answered = await incoming(settings, org)
    await incoming(settings, org, forfallsdato=START + timedelta(days=20))
    later = await incoming(settings, org)
    case = await own_case(settings, org)
    sent = await note(settings, org, case, [InternalRecipient(org.lma, org.handler)])
    await services.ekspeder(settings, await as_user(org.handler), sent, await post_version(sent))
    for part in await internal_parts():
        if part["saksbehandler"] is None:
            await services.fordel(settings, leader, part["id"], org.handler, version=part["version"])
    parts = {p["journalpost"]: p for p in await internal_parts()}
    clock.day = START + timedelta(days=3)
    await services.mark_foreloepig_svar(
        settings, archivist, parts[answered]["id"], version=parts[answered]["version"]
    )
    clock.day = START + timedelta(days=40)
    await services.avskriv(settings, archivist, parts[later]["id"], "TO", version=parts[later]["version"])
    for offset in range(-12, 80):
        day = START + timedelta(days=offset)
        assert await restanse_lists.own_summary(org.handler, day) == await own_summary_from_spans(
            org.handler, day
        ), day
    assert (
        await restanse_lists.own_summary(org.handler, START - timedelta(days=5)) == restanse_lists.Summary()
    )
    on_start = await restanse_lists.own_summary(org.handler, START)
    assert (on_start.total, on_start.forfalt, on_start.paragraf_11a, on_start.foreloepig) == (5, 1, 0, 1)
    month_later = await restanse_lists.own_summary(org.handler, START + timedelta(days=35))
    assert (month_later.total, month_later.forfalt, month_later.paragraf_11a, month_later.foreloepig) == (
        5,
        2,
        3,
        1,
    )
    assert (await restanse_lists.own_summary(org.handler, START + timedelta(days=45))).paragraf_11a == 2
