"""The one rule "is this internal recipient still open on day D" (core/archive/queries/
open_recipients.py), and that every user of it agrees: the restanse count, closing a case,
fordeling's queue and the case lists."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.archive import services
from core.archive.queries import cases, restanser
from core.archive.queries.common import QueryString, run
from core.archive.queries.distribution_counts import summaries
from core.archive.queries.open_recipients import RECIPIENT, RECIPIENT_OR_COPY, open_on
from core.archive.queries.restanser import Scope
from core.archive.tables import Saksmappe
from core.errors import Conflict
from core.timeutil import today
from tests.support.factories import as_user
from tests.support.restanse_builders import Org, make_case, make_org, make_restanse, write_off

pytestmark = pytest.mark.anyio


@pytest.fixture
async def org(db: None) -> Org:
    return await make_org()


async def open_ids(day: date, part_types: tuple[str, ...] = RECIPIENT) -> set[int]:
    rows = await run(
        QueryString(
            "SELECT k.id FROM core_korrespondansepart k JOIN core_journalpost j ON j.id = k.journalpost WHERE {}",
            open_on(day, part_types),
        )
    )
    return {int(r["id"]) for r in rows}


async def test_the_rule(org: Org) -> None:
    day = date(2026, 4, 15)
    letter = await make_restanse(
        org.unit, org.handler, journaldato=date(2026, 4, 1), copy_recipients=[(org.unit, None)]
    )
    later = await make_restanse(org.unit, org.handler, journaldato=date(2026, 4, 16))
    sent_note = await make_restanse(org.unit, org.handler, type="N", journaldato=date(2026, 4, 2))
    draft_note = await make_restanse(
        org.unit, org.handler, type="N", status="R", journaldato=date(2026, 4, 2)
    )
    gone = await make_restanse(org.unit, org.handler, status="U", journaldato=date(2026, 4, 2))
    own = await make_restanse(org.unit, org.handler, journaldato=date(2026, 4, 3))
    whole = await make_restanse(org.unit, org.handler, journaldato=date(2026, 4, 3))
    await write_off(own.korrespondansepart_id, date(2026, 4, 10))
    await write_off(whole.korrespondansepart_id, date(2026, 4, 20), korrespondansepart=False)
    assert await open_ids(day) == {
        letter.korrespondansepart_id,
        sent_note.korrespondansepart_id,
        whole.korrespondansepart_id,
    }
    assert await open_ids(date(2026, 4, 20)) == {
        letter.korrespondansepart_id,
        later.korrespondansepart_id,
        sent_note.korrespondansepart_id,
    }  # the write-off of the whole post counts from its date
    with_copies = await open_ids(day, RECIPIENT_OR_COPY)
    assert letter.copies[0] in with_copies and letter.copies[0] not in await open_ids(day)
    assert (
        draft_note.korrespondansepart_id not in with_copies and gone.korrespondansepart_id not in with_copies
    )


async def test_closing_a_case_agrees_with_the_restanse_count(org: Org, settings: object) -> None:
    """A write-off that names no recipient (as imported extractions have) ends the restanse:
    the restanse count says 0, and the case may be closed. Before the rule was shared, case
    close ignored such write-offs and refused."""
    case = await make_case(unit=org.unit, saksansvarlig=org.handler)
    post = await make_restanse(org.unit, org.handler, case=case, journaldato=today() - timedelta(days=10))
    scope = Scope(unit_ids=(org.unit,))
    assert await restanser.count(today(), scope) == 1
    assert await cases.open_restanser_in_case_count(case) == 1
    handler = await as_user(org.handler)
    with pytest.raises(Conflict):
        await services.close_case(settings, handler, case, version=1)  # type: ignore[arg-type]
    await write_off(post.korrespondansepart_id, today() - timedelta(days=1), korrespondansepart=False)
    assert await restanser.count(today(), scope) == 0
    assert await cases.open_restanser_in_case_count(case) == 0
    version = (await Saksmappe.select(Saksmappe.version).where(Saksmappe.id == case).first())["version"]
    await services.close_case(settings, handler, case, version=version)  # type: ignore[arg-type]
    row = await Saksmappe.select(Saksmappe.saksstatus).where(Saksmappe.id == case).first()
    assert row["saksstatus"] == "A"


async def test_fordeling_queue_uses_the_same_rule(org: Org) -> None:
    waiting = await make_restanse(org.unit, None, journaldato=today())
    ended = await make_restanse(org.unit, None, journaldato=today())
    await write_off(ended.korrespondansepart_id, today(), korrespondansepart=False)
    await make_restanse(org.unit, None, type="N", status="R", journaldato=today())  # a draft: not yet
    queue = {s.unit_id: s.count for s in await summaries([org.unit])}
    assert queue[org.unit] == 1
    assert waiting.korrespondansepart_id in await open_ids(today(), RECIPIENT_OR_COPY)
