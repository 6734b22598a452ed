"""The restanse rule (core/archive/queries/open_recipients.py, counted by
core/archive/queries/restanser.py): who counts, on which date, in which scope."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from core.archive.queries import restanse_lists, restanser
from core.archive.queries import units as unit_queries
from core.archive.queries.common import QueryString, run_page
from core.archive.queries.restanser import Scope
from core.archive.queries.visibility import Viewer
from core.settings import ConfigError
from core.timeutil import months_back
from plugins.restanse import config
from tests.support.factories import grant_code
from tests.support.restanse_builders import Org, make_org, make_restanse, write_off

pytestmark = pytest.mark.anyio

D = date(2026, 4, 15)
BEFORE = date(2026, 4, 14)
MONTH_AGO = date(2026, 3, 15)


@pytest.fixture
async def org(db: None) -> Org:
    return await make_org()


def per_unit(counts: list[restanser.UnitCount]) -> dict[str, tuple[int, ...]]:
    return {c.code: c.counts for c in counts}


async def test_incoming_counts_until_written_off(org: Org) -> None:
    r = await make_restanse(org.unit, org.handler, journaldato=date(2026, 3, 2))
    await make_restanse(org.unit, org.handler, journaldato=date(2026, 4, 16))  # after D: not yet
    assert await restanser.count(D, Scope()) == 1
    await write_off(r.korrespondansepart_id, date(2026, 4, 20))
    assert await restanser.count(D, Scope()) == 1  # written off after D
    assert await restanser.count(date(2026, 4, 20), Scope()) == 1  # the post of 16.04 is open then
    assert await restanser.count(date(2026, 4, 19), Scope()) == 2


async def test_write_off_on_the_report_date_itself(org: Org) -> None:
    r = await make_restanse(org.unit, org.handler, journaldato=date(2026, 3, 2))
    await write_off(r.korrespondansepart_id, D)
    counts = per_unit(await restanser.counts_per_unit([D, BEFORE]))
    assert counts["LMA"] == (0, 1)  # not a restanse on D, a restanse the day before
    assert await restanser.count(D, Scope()) == 0
    assert await restanser.count(BEFORE, Scope()) == 1
    assert (await restanse_lists.open_restanser(await _viewer(org.archive), Scope(), day=D)).total == 0
    assert (await restanse_lists.open_restanser(await _viewer(org.archive), Scope(), day=BEFORE)).total == 1


async def test_journaldato_on_the_report_date_counts(org: Org) -> None:
    await make_restanse(org.unit, org.handler, journaldato=D)
    assert per_unit(await restanser.counts_per_unit([D, BEFORE]))["LMA"] == (1, 0)


async def test_note_counts_once_per_internal_recipient_and_copies_never(org: Org) -> None:
    note = await make_restanse(
        org.unit,
        org.handler,
        type="N",
        journaldato=date(2026, 3, 2),
        recipients=[(org.unit, org.handler2), (org.other_unit, None)],
        copy_recipients=[(org.unit, org.leader), (org.other_unit, org.other_handler)],
        author=org.sub_handler,
        author_unit=org.sub_unit,
    )
    counts = per_unit(await restanser.counts_per_unit([D]))
    assert counts["LMA"] == (2,)
    assert counts["TDR"] == (1,)
    assert counts["LMA-BYG"] == (0,)  # the author's unit has no restanse
    # one recipient writes off: the others still have theirs
    await write_off(note.parts[1], date(2026, 4, 1))
    counts = per_unit(await restanser.counts_per_unit([D, date(2026, 3, 31)]))
    assert counts["LMA"] == (1, 2)
    assert counts["TDR"] == (1, 1)
    handlers = {(h.unit_code, h.name): h.counts for h in await restanser.counts_per_handler([D])}
    assert handlers == {("LMA", "Hanne Handler"): (1,), ("TDR", ""): (1,)}
    # the copy recipients are never restanser, even unwritten
    assert await restanser.count(D, Scope(saksbehandler_id=org.leader)) == 0
    assert await restanser.count(D, Scope(saksbehandler_id=org.other_handler)) == 0


async def test_incoming_copy_recipient_never_counts(org: Org) -> None:
    await make_restanse(
        org.unit, org.handler, journaldato=date(2026, 3, 2), copy_recipients=[(org.other_unit, None)]
    )
    counts = per_unit(await restanser.counts_per_unit([D]))
    assert counts == {"LMA": (1,), "LMA-BYG": (0,), "SUV": (0,), "TDR": (0,)}


async def test_status_u_and_draft_notes_do_not_count(org: Org) -> None:
    await make_restanse(org.unit, org.handler, status="U")
    await make_restanse(org.unit, org.handler, type="N", status="U")
    for draft in ("R", "F", "G"):
        await make_restanse(org.unit, org.handler, type="N", status=draft)
    assert await restanser.count(D, Scope()) == 0
    for sent in ("E", "J", "A"):
        await make_restanse(org.unit, org.handler, type="N", status=sent)
    await make_restanse(org.unit, org.handler, type="I", status="M")
    assert await restanser.count(D, Scope()) == 4


async def test_other_types_never_count(org: Org) -> None:
    for kind in ("U", "X", "S"):
        await make_restanse(org.unit, org.handler, type=kind, status="J")
    assert await restanser.count(D, Scope()) == 0
    assert per_unit(await restanser.counts_per_unit([D]))["LMA"] == (0,)


async def test_foreloepig_svar_does_not_end_a_restanse(org: Org) -> None:
    r = await make_restanse(
        org.unit, org.handler, journaldato=date(2026, 1, 5), foreloepig_svar=date(2026, 1, 20)
    )
    assert await restanser.count(D, Scope()) == 1
    page = await restanse_lists.open_restanser(
        await _viewer(org.handler), Scope(saksbehandler_id=org.handler), day=D
    )
    [item] = page.items
    assert item["korrespondansepart_id"] == r.korrespondansepart_id
    assert item["foreloepig_svar_dato"] == date(2026, 1, 20)
    assert item["paragraf_11a"] is False  # a foreløpig svar was given


async def test_write_off_without_recipient_writes_off_every_recipient(org: Org) -> None:
    note = await make_restanse(
        org.unit,
        org.handler,
        type="N",
        journaldato=date(2026, 2, 2),
        recipients=[(org.other_unit, org.other_handler)],
    )
    await write_off(note.korrespondansepart_id, date(2026, 4, 1), korrespondansepart=False)
    counts = per_unit(await restanser.counts_per_unit([D, MONTH_AGO]))
    assert counts["LMA"] == (0, 1)
    assert counts["TDR"] == (0, 1)
    assert await restanser.count(D, Scope()) == 0
    assert await restanser.count(MONTH_AGO, Scope()) == 2


async def test_earliest_write_off_wins(org: Org) -> None:
    r = await make_restanse(org.unit, org.handler, journaldato=date(2026, 2, 2))
    other = await make_restanse(org.unit, org.handler, journaldato=date(2026, 2, 2))
    await write_off(r.korrespondansepart_id, date(2026, 4, 10))
    await write_off(r.korrespondansepart_id, date(2026, 3, 10), korrespondansepart=False)
    await write_off(other.korrespondansepart_id, date(2026, 3, 20), korrespondansepart=False)
    await write_off(other.korrespondansepart_id, date(2026, 3, 1))
    dates = [date(2026, 2, 28), date(2026, 3, 5), date(2026, 3, 15), date(2026, 3, 25), D]
    assert per_unit(await restanser.counts_per_unit(dates))["LMA"] == (2, 1, 0, 0, 0)
    for day, expected in zip(dates, (2, 1, 0, 0, 0), strict=True):
        assert await restanser.count(day, Scope()) == expected


async def test_write_off_of_another_recipient_does_not_count(org: Org) -> None:
    note = await make_restanse(
        org.unit, org.handler, type="N", recipients=[(org.unit, org.handler2)], journaldato=date(2026, 2, 2)
    )
    await write_off(note.parts[0], date(2026, 3, 1))
    assert await restanser.count(D, Scope(saksbehandler_id=org.handler2)) == 1
    assert await restanser.count(D, Scope(saksbehandler_id=org.handler)) == 0


async def test_counts_for_two_dates_in_one_call(org: Org) -> None:
    # open since February; written off between the dates; new after the comparison date
    await make_restanse(org.unit, org.handler, journaldato=date(2026, 2, 1))
    gone = await make_restanse(org.unit, org.handler2, journaldato=date(2026, 2, 1))
    await write_off(gone.korrespondansepart_id, date(2026, 4, 1))
    await make_restanse(org.unit, None, journaldato=date(2026, 4, 2))
    await make_restanse(org.other_unit, org.other_handler, journaldato=date(2026, 4, 2))
    await make_restanse(org.other_unit, org.other_handler, journaldato=date(2026, 3, 1))
    units = await restanser.counts_per_unit([MONTH_AGO, D])
    assert [(u.code, u.counts) for u in units] == [
        ("LMA", (2, 2)),
        ("LMA-BYG", (0, 0)),
        ("SUV", (0, 0)),
        ("TDR", (1, 2)),
    ]
    assert [u.counts for u in await restanser.counts_per_unit([D, MONTH_AGO])] == [
        (2, 2),
        (0, 0),
        (0, 0),
        (2, 1),
    ]
    only_open = await restanser.counts_per_unit([MONTH_AGO, D], include_empty=False)
    assert [u.code for u in only_open] == ["LMA", "TDR"]
    assert await restanser.counts_per_unit([]) == []


async def test_per_handler_with_a_row_for_no_handler(org: Org) -> None:
    for _ in range(3):
        await make_restanse(org.unit, org.handler, journaldato=date(2026, 3, 1))
    await make_restanse(org.unit, org.handler2, journaldato=date(2026, 4, 10))
    await make_restanse(org.unit, None, journaldato=date(2026, 3, 1))
    await make_restanse(org.unit, None, journaldato=date(2026, 3, 1))
    gone = await make_restanse(org.other_unit, org.other_handler, journaldato=date(2026, 1, 1))
    await write_off(gone.korrespondansepart_id, date(2026, 1, 5))  # zero on both dates: no row
    handlers = await restanser.counts_per_handler([MONTH_AGO, D])
    assert [(h.unit_code, h.person_id, h.name, h.counts) for h in handlers] == [
        ("LMA", None, "", (2, 2)),
        ("LMA", org.handler, "Hanne Handler", (3, 3)),
        ("LMA", org.handler2, "Harald Handler", (0, 1)),
    ]
    assert handlers[1].email == "hanne@kommune.example"
    assert handlers[1].unit_name == "Landbruk, miljø og arealforvaltning"
    mine = await restanser.counts_per_handler([D], Scope(saksbehandler_id=org.handler))
    assert [(h.name, h.counts) for h in mine] == [("Hanne Handler", (3,))]


async def test_a_handler_in_two_units_counts_per_unit(org: Org) -> None:
    await make_restanse(org.unit, org.handler)
    await make_restanse(org.other_unit, org.handler)
    handlers = await restanser.counts_per_handler([D])
    assert [(h.unit_code, h.name, h.counts) for h in handlers] == [
        ("LMA", "Hanne Handler", (1,)),
        ("TDR", "Hanne Handler", (1,)),
    ]
    assert await restanser.count(D, Scope(saksbehandler_id=org.handler)) == 2


async def test_sub_units(org: Org) -> None:
    grandchild = await _unit("LMA-BYG-1", parent=org.sub_unit)
    assert await unit_queries.with_sub_units([org.unit]) == tuple(
        sorted((org.unit, org.sub_unit, grandchild))
    )
    assert await unit_queries.with_sub_units([org.sub_unit]) == tuple(sorted((org.sub_unit, grandchild)))
    assert await unit_queries.with_sub_units([org.other_unit]) == (org.other_unit,)
    assert await unit_queries.with_sub_units([]) == ()
    await make_restanse(org.unit, org.handler)
    await make_restanse(org.sub_unit, org.sub_handler)
    await make_restanse(grandchild, None)
    await make_restanse(org.other_unit, org.other_handler)
    scope = Scope(unit_ids=await unit_queries.with_sub_units([org.unit]))
    assert await restanser.count(D, scope) == 3
    assert await restanser.count(D, Scope(unit_ids=(org.unit,))) == 1
    units = await restanser.counts_per_unit([D], scope)
    assert [(u.code, u.counts) for u in units] == [("LMA", (1,)), ("LMA-BYG", (1,)), ("LMA-BYG-1", (1,))]
    handlers = await restanser.counts_per_handler([D], scope)
    assert [(h.unit_code, h.name) for h in handlers] == [
        ("LMA", "Hanne Handler"),
        ("LMA-BYG", "Bjørn Bygg"),
        ("LMA-BYG-1", ""),
    ]


async def test_period_and_type_filters(org: Org) -> None:
    await make_restanse(org.unit, org.handler, journaldato=date(2026, 1, 10))
    await make_restanse(org.unit, org.handler, journaldato=date(2026, 2, 10))
    await make_restanse(org.unit, org.handler, type="N", journaldato=date(2026, 2, 11))
    await make_restanse(org.unit, org.handler, journaldato=date(2026, 3, 10))
    feb = Scope(journaldato_fra=date(2026, 2, 1), journaldato_til=date(2026, 2, 28))
    assert await restanser.count(D, feb) == 2
    assert await restanser.count(D, Scope(journaldato_fra=date(2026, 2, 11))) == 2
    assert await restanser.count(D, Scope(journaldato_til=date(2026, 2, 10))) == 2
    assert await restanser.count(D, Scope(journalposttyper=("N",))) == 1
    assert await restanser.count(D, Scope(journalposttyper=("I",))) == 3
    assert await restanser.count(D, Scope(journalposttyper=("U",))) == 0  # never a restanse type
    assert await restanser.count(D, Scope(journalposttyper=())) == 0
    only_i = Scope(journalposttyper=("I",), journaldato_fra=date(2026, 2, 1))
    assert per_unit(await restanser.counts_per_unit([D], only_i))["LMA"] == (2,)
    assert [h.counts for h in await restanser.counts_per_handler([D], only_i)] == [(2,)]
    page = await restanse_lists.open_restanser(await _viewer(org.handler), feb, day=D)
    assert sorted(i["journalposttype"] for i in page.items) == ["I", "N"]


async def test_recipient_without_unit_is_counted_but_not_per_unit(org: Org) -> None:
    await make_restanse(None, None)
    assert await restanser.count(D, Scope()) == 1
    assert sum(u.counts[0] for u in await restanser.counts_per_unit([D])) == 0
    assert await restanser.counts_per_handler([D]) == []


async def test_open_restanser_masks_restricted_titles(org: Org) -> None:
    secret = await make_restanse(
        org.unit,
        org.handler,
        journaldato=date(2026, 3, 2),
        tittel="Barnevernssak Kari Nordmann",
        offentlig_tittel="Barnevernssak",
        tilgangsrestriksjon="Ugradert/13",
        avsender="Kari Nordmann",
        forfallsdato=date(2026, 4, 1),
    )
    await make_restanse(org.unit, org.handler2, journaldato=date(2026, 4, 10), tittel="Åpen søknad")
    unit_scope = Scope(unit_ids=(org.unit,))

    # the archive person holds no code and is not involved: masked title and sender
    archive = await restanse_lists.open_restanser(await _viewer(org.archive), unit_scope, day=D)
    assert archive.total == 2
    item = archive.items[0]  # the oldest first
    assert item["korrespondansepart_id"] == secret.korrespondansepart_id
    assert item["skjermet"] is True
    assert item["tittel"] == "Barnevernssak"
    assert "Kari" not in item["tittel"] and "Kari" not in item["avsender"]
    assert item["avsender"] == "Skjermet navn"
    assert archive.items[1]["tittel"] == "Åpen søknad"
    assert archive.items[1]["avsender"] == "Ola Nordmann"
    assert archive.items[1]["skjermet"] is False

    # the handler is involved: sees the real title and sender
    own = await restanse_lists.open_restanser(
        await _viewer(org.handler), Scope(saksbehandler_id=org.handler), day=D
    )
    [mine] = own.items
    assert mine["tittel"] == "Barnevernssak Kari Nordmann"
    assert mine["avsender"] == "Kari Nordmann"
    assert mine["skjermet"] is False

    # the code gives access too
    await grant_code(org.archive, "Ugradert/13")
    granted = await restanse_lists.open_restanser(await _viewer(org.archive), unit_scope, day=D)
    assert granted.items[0]["tittel"] == "Barnevernssak Kari Nordmann"

    # the other fields of the contract
    assert mine["nummer"].startswith("2026/") and mine["nummer"].endswith("-1")
    assert mine["saksnummer"] == mine["nummer"].rsplit("-", 1)[0]
    assert mine["journaldato"] == date(2026, 3, 2)
    assert mine["alder_dager"] == 44
    assert mine["forfallsdato"] == date(2026, 4, 1)
    assert mine["forfalt"] is True
    assert mine["paragraf_11a"] is True  # I, more than a month old, no foreløpig svar
    assert mine["enhet_id"] == org.unit and mine["enhet_kode"] == "LMA"
    assert mine["saksbehandler_id"] == org.handler and mine["saksbehandler_navn"] == "Hanne Handler"
    assert mine["version"] == 1 and mine["journalpost_id"] == secret.post
    assert mine["saksmappe_id"] == secret.case


async def test_open_restanser_masks_restricted_case_title(org: Org) -> None:
    from tests.support.restanse_builders import make_case

    case = await make_case(
        unit=org.other_unit,
        tittel="Personalsak Per Hansen",
        offentlig_tittel="Personalsak",
        tilgangsrestriksjon="Ugradert/13",
    )
    await make_restanse(org.unit, org.handler, case=case)
    [outsider] = (await restanse_lists.open_restanser(await _viewer(org.archive), Scope(), day=D)).items
    assert outsider["sakstittel"] == "Personalsak"
    [insider] = (await restanse_lists.open_restanser(await _viewer(org.handler), Scope(), day=D)).items
    assert insider["sakstittel"] == "Personalsak Per Hansen"


async def test_note_sender_is_the_author(org: Org) -> None:
    await make_restanse(org.unit, org.handler, type="N", author=org.sub_handler, author_unit=org.sub_unit)
    [item] = (await restanse_lists.open_restanser(await _viewer(org.handler), Scope(), day=D)).items
    assert item["avsender"] == "Bjørn Bygg (LMA-BYG)"
    assert item["paragraf_11a"] is False  # only I posts


async def test_open_restanser_sorts_pages_and_iterates(org: Org) -> None:
    days = [date(2026, 3, d) for d in (5, 1, 20, 10)]
    for day in days:
        await make_restanse(org.unit, org.handler, journaldato=day, forfallsdato=day.replace(month=5))
    viewer = await _viewer(org.handler)
    oldest = await restanse_lists.open_restanser(viewer, Scope(), day=D, size=3)
    assert oldest.total == 4 and oldest.pages == 2
    assert [i["journaldato"].day for i in oldest.items] == [1, 5, 10]
    second = await restanse_lists.open_restanser(viewer, Scope(), day=D, size=3, page=2)
    assert [i["journaldato"].day for i in second.items] == [20]
    newest = await restanse_lists.open_restanser(viewer, Scope(), day=D, sort="nyest")
    assert [i["journaldato"].day for i in newest.items] == [20, 10, 5, 1]
    due = await restanse_lists.open_restanser(viewer, Scope(), day=D, sort="forfall")
    assert [i["forfallsdato"].day for i in due.items] == [1, 5, 10, 20]
    unknown = await restanse_lists.open_restanser(viewer, Scope(), day=D, sort="tull")
    assert [i["journaldato"].day for i in unknown.items] == [1, 5, 10, 20]
    for key in restanse_lists.SORTS:
        assert (await restanse_lists.open_restanser(viewer, Scope(), day=D, sort=key)).total == 4
    assert set(restanse_lists.sort_labels()) == set(restanse_lists.SORTS)
    batches = [batch async for batch in restanse_lists.iter_restanser(viewer, Scope(), day=D, batch=3)]
    assert [len(b) for b in batches] == [3, 1]
    assert [i["journaldato"].day for b in batches for i in b] == [1, 5, 10, 20]
    for key, order in restanse_lists.SORTS.items():  # each page as the whole statement pages it
        for number in (1, 2):
            fast = await restanse_lists.open_restanser(viewer, Scope(), day=D, sort=key, page=number, size=3)
            whole = await run_page(
                QueryString(
                    f"{{}} WHERE {{}} ORDER BY {order}",
                    restanse_lists.restanse_select(viewer),
                    restanse_lists.restanse_where(Scope(), D),
                ),
                fast.total,
                number,
                3,
            )
            assert [i["korrespondansepart_id"] for i in fast.items] == [
                r["korrespondansepart_id"] for r in whole.items
            ], (key, number)
    for key in restanse_lists.SORTS:  # the export's ids-first batches keep each sort of the list
        listed = await restanse_lists.open_restanser(viewer, Scope(), day=D, sort=key, size=100)
        exported = [
            item
            async for chunk in restanse_lists.iter_restanser(viewer, Scope(), day=D, sort=key, batch=3)
            for item in chunk
        ]
        assert exported == listed.items, key


async def test_an_export_is_one_snapshot_even_when_a_restanse_is_written_off_meanwhile(org: Org) -> None:
    made = [await make_restanse(org.unit, org.handler, journaldato=date(2026, 3, d)) for d in (1, 2, 3, 4)]
    viewer = await _viewer(org.handler)
    go = asyncio.Event()

    async def someone_writes_off_the_first() -> None:
        await go.wait()
        await write_off(made[0].korrespondansepart_id, D)

    # Created before the export's read transaction starts: it writes on its own connection.
    writer = asyncio.create_task(someone_writes_off_the_first())
    seen = []
    async for batch in restanse_lists.iter_restanser(viewer, Scope(), day=D, batch=2):
        seen += [i["korrespondansepart_id"] for i in batch]
        if not go.is_set():
            go.set()
            await writer
    assert seen == [
        r.korrespondansepart_id for r in made
    ]  # with OFFSET paging outside a snapshot: one skipped
    assert (await restanse_lists.open_restanser(viewer, Scope(), day=D)).total == 3


async def test_open_restanser_default_day_is_today(org: Org) -> None:
    await make_restanse(org.unit, org.handler, journaldato=date(2026, 1, 5))
    page = await restanse_lists.open_restanser(await _viewer(org.handler), Scope())
    assert page.total == 1


def test_months_back_clamps_to_month_end() -> None:
    assert months_back(date(2026, 4, 15)) == date(2026, 3, 15)
    assert months_back(date(2026, 3, 31)) == date(2026, 2, 28)
    assert months_back(date(2028, 3, 30)) == date(2028, 2, 29)
    assert months_back(date(2026, 1, 31)) == date(2025, 12, 31)
    assert months_back(date(2026, 5, 31), 12) == date(2025, 5, 31)
    assert months_back(date(2026, 7, 31), 1) == date(2026, 6, 30)


def test_threshold_setting() -> None:
    assert config.threshold({}) == 30
    assert config.threshold({"ARKIV_RESTANSE_TERSKEL": " 25 "}) == 25
    with pytest.raises(ConfigError, match="ARKIV_RESTANSE_TERSKEL må være et heltall"):
        config.threshold({"ARKIV_RESTANSE_TERSKEL": "tretti"})
    with pytest.raises(ConfigError, match="ARKIV_RESTANSE_TERSKEL må være mellom"):
        config.validate({"ARKIV_RESTANSE_TERSKEL": "0"})


async def _viewer(person_id: int) -> Viewer:
    from core.archive.access import access_codes

    return Viewer(person_id=person_id, codes=await access_codes(person_id))


async def _unit(code: str, parent: int) -> int:
    from tests.support.factories import make_unit

    return await make_unit(code=code, name=f"Enhet {code}", parent=parent)
