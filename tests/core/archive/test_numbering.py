"""Numbers the services give: case numbers per year, journalpostnummer per case, the journal's
sequence per year; imported numbers are respected, and a rolled-back transaction uses none."""

from __future__ import annotations

import pytest

from core.archive import numbering, services
from core.archive.tables import Journalpost, Nummerserie, Saksmappe
from core.db import writing
from core.errors import Conflict
from core.timeutil import today
from tests.core.archive.service_org import incoming, make_org, outgoing, own_case, post_row, recipient
from tests.support.factories import as_user

pytestmark = pytest.mark.anyio

YEAR = today().year


async def test_case_numbers_count_up_per_year(settings, db) -> None:
    org = await make_org()
    ids = [await own_case(settings, org, tittel=f"Sak {n}") for n in range(3)]
    rows = await Saksmappe.select(Saksmappe.id, Saksmappe.saksaar, Saksmappe.sakssekvensnummer).order_by(
        Saksmappe.id
    )
    assert [(r["id"], r["saksaar"], r["sakssekvensnummer"]) for r in rows] == [
        (ids[0], YEAR, 1),
        (ids[1], YEAR, 2),
        (ids[2], YEAR, 3),
    ]
    assert numbering.mappe_id(YEAR, 3) == f"{YEAR}/00003"


async def test_journalpostnummer_per_case_and_journal_sequence_per_year(settings, db) -> None:
    org = await make_org()
    first, second = await own_case(settings, org), await own_case(settings, org)
    made = [
        await outgoing(settings, org, first),
        await outgoing(settings, org, second),
        await incoming(settings, org, saksmappe_id=first),
        await outgoing(settings, org, first),
    ]
    rows = {r["id"]: r for r in await Journalpost.select()}
    assert [(rows[i]["saksmappe"], rows[i]["journalpostnummer"]) for i in made] == [
        (first, 1),
        (second, 1),
        (first, 2),
        (first, 3),
    ]
    assert [(rows[i]["journalaar"], rows[i]["journalsekvensnummer"]) for i in made] == [
        (YEAR, 1),
        (YEAR, 2),
        (YEAR, 3),
        (YEAR, 4),
    ]
    case = await Saksmappe.select().where(Saksmappe.id == first).first()
    assert numbering.registrerings_id(case["saksaar"], case["sakssekvensnummer"], 3) == f"{YEAR}/00001-3"


async def test_numbers_continue_above_imported_ones(settings, db) -> None:
    org = await make_org()
    async with writing(Nummerserie):
        await numbering.raise_to("sak", YEAR, 120)
        await numbering.raise_to("journal", YEAR, 4000)
    case_id = await own_case(settings, org)
    assert (await Saksmappe.select().where(Saksmappe.id == case_id).first())["sakssekvensnummer"] == 121
    async with writing(Nummerserie):
        await numbering.raise_to(numbering.journalpost_serie(case_id), 0, 7)
        await numbering.raise_to("sak", YEAR, 5)  # never lowers a series
    post = await post_row(await outgoing(settings, org, case_id))
    assert (post["journalpostnummer"], post["journalsekvensnummer"]) == (8, 4001)
    assert (await Saksmappe.select().where(Saksmappe.id == await own_case(settings, org)).first())[
        "sakssekvensnummer"
    ] == 122


async def test_a_refused_post_uses_no_number(settings, db) -> None:
    """The post is numbered and inserted, then writing off fails: everything rolls back, the
    next post gets the same numbers (no gaps)."""
    org = await make_org()
    incoming_id = await incoming(settings, org)
    case_id = (await post_row(incoming_id))["saksmappe"]
    part = await recipient(incoming_id)
    await services.avskriv(settings, await as_user(org.leader), part["id"], "TO", version=1)
    with pytest.raises(Conflict):
        await outgoing(
            settings, org, case_id, person=org.leader, avskriver_korrespondansepart_ids=[part["id"]]
        )
    post = await post_row(await outgoing(settings, org, case_id))
    assert (post["journalpostnummer"], post["journalsekvensnummer"]) == (2, 2)
