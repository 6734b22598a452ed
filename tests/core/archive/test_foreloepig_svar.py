"""Foreløpig svar on a restanse (``mark_foreloepig_svar``) and the optional merknad of a
write-off (``avskriv(..., merknad=...)``): who may, what is stored, what is logged, and one
winner when two people act on the same restanse at the same moment (run on both databases)."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta
from typing import Any

import pytest

from core.archive import services
from core.archive.services import InternalRecipient
from core.archive.tables import Avskrivning, Korrespondansepart, Merknad
from core.errors import Conflict, Forbidden, ValidationFailed
from core.tables import AuditEvent
from core.timeutil import today
from tests.core.archive.service_org import incoming, make_org, note, own_case, recipient
from tests.support.factories import as_user

pytestmark = pytest.mark.anyio


async def events(action: str) -> list[dict[str, Any]]:
    rows = await AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id)
    for row in rows:
        if isinstance(row["details"], str):
            row["details"] = json.loads(row["details"])
    return rows


async def distributed(settings, org) -> dict[str, Any]:
    """An incoming post to LMA, distributed to the handler (recipient version 2)."""
    part = await recipient(await incoming(settings, org))
    await services.fordel(settings, await as_user(org.leader), part["id"], org.handler, version=1)
    return await recipient(part["journalpost"])


# --- foreløpig svar ------------------------------------------------------------------------


async def test_handler_marks_foreloepig_svar_and_the_restanse_stays(settings, db) -> None:
    org = await make_org()
    part = await distributed(settings, org)
    handler = await as_user(org.handler)
    await services.mark_foreloepig_svar(settings, handler, part["id"], version=2)
    row = await recipient(part["journalpost"])
    assert row["foreloepig_svar_dato"] == today()
    assert row["version"] == 3
    assert await Avskrivning.count() == 0  # still a restanse
    [event] = await events("archive.foreloepig_svar")
    assert event["actor"] == org.handler and event["on_behalf_of"] is None
    assert event["object_type"] == "korrespondansepart" and event["object_id"] == str(part["id"])
    assert event["details"]["journalpost_id"] == part["journalpost"]
    assert event["details"]["dato"] == today().isoformat() and event["details"]["fra"] is None
    assert "foreløpig svar sendt" in event["summary"]

    # Marked again with another date: the date moves, the log keeps both.
    await services.mark_foreloepig_svar(settings, handler, part["id"], version=3, dato=today())
    assert (await recipient(part["journalpost"]))["version"] == 4
    second = (await events("archive.foreloepig_svar"))[1]
    assert second["details"]["fra"] == today().isoformat()

    # It can still be written off afterwards.
    await services.avskriv(settings, handler, part["id"], "TE", version=4)
    assert await Avskrivning.count() == 1


async def test_who_may_mark_foreloepig_svar(settings, db) -> None:
    org = await make_org()
    parts = [await distributed(settings, org) for _ in range(4)]
    # The leader, the deputy during the absence (on behalf of the leader) and the archive.
    await services.mark_foreloepig_svar(settings, await as_user(org.leader), parts[0]["id"], version=2)
    await services.mark_foreloepig_svar(settings, await as_user(org.deputy), parts[1]["id"], version=2)
    await services.mark_foreloepig_svar(settings, await as_user(org.archivist), parts[2]["id"], version=2)
    leader, deputy, archivist = await events("archive.foreloepig_svar")
    assert (leader["actor"], leader["on_behalf_of"]) == (org.leader, None)
    assert (deputy["actor"], deputy["on_behalf_of"]) == (org.deputy, org.leader)
    assert (archivist["actor"], archivist["on_behalf_of"]) == (org.archivist, None)
    # A colleague, a deputy whose period has ended, and another unit's leader may not.
    for person in (org.colleague, org.old_deputy, org.oko_leader, org.outsider):
        with pytest.raises(Forbidden, match="Bare saksbehandleren for mottakeren"):
            await services.mark_foreloepig_svar(settings, await as_user(person), parts[3]["id"], version=2)
    assert (await recipient(parts[3]["journalpost"]))["foreloepig_svar_dato"] is None


async def test_foreloepig_svar_refusals(settings, db) -> None:
    org = await make_org()
    part = await distributed(settings, org)
    handler = await as_user(org.handler)
    with pytest.raises(Conflict, match="Noen andre endret journalposten"):
        await services.mark_foreloepig_svar(settings, handler, part["id"], version=1)
    with pytest.raises(ValidationFailed) as failed:
        await services.mark_foreloepig_svar(
            settings, handler, part["id"], version=2, dato=today() + timedelta(days=1)
        )
    assert failed.value.errors == {"dato": "Datoen for foreløpig svar kan ikke være fram i tid."}
    with pytest.raises(ValidationFailed) as failed:
        await services.mark_foreloepig_svar(
            settings, handler, part["id"], version=2, dato=today() - timedelta(days=1)
        )
    assert failed.value.errors == {"dato": "Datoen for foreløpig svar kan ikke være før journaldatoen."}
    await services.avskriv(settings, handler, part["id"], "TE", version=2)
    with pytest.raises(Conflict, match=re.escape("Restansen er allerede avskrevet.")):
        await services.mark_foreloepig_svar(settings, handler, part["id"], version=3)
    # A copy recipient (IK) has no restanse.
    case_id = await own_case(settings, org)
    await note(
        settings,
        org,
        case_id,
        [InternalRecipient(org.oko), InternalRecipient(org.oko, korrespondanseparttype="IK")],
    )
    copy = await Korrespondansepart.select().where(Korrespondansepart.korrespondanseparttype == "IK").first()
    with pytest.raises(Conflict, match=r"Bare interne mottakere \(IM\)"):
        await services.mark_foreloepig_svar(settings, await as_user(org.archivist), copy["id"], version=1)
    assert await events("archive.foreloepig_svar") == []


async def test_concurrent_foreloepig_svar_and_write_off_have_one_winner(settings, db) -> None:
    """The handler marks a foreløpig svar while the leader writes the restanse off, both from
    version 2: exactly one of them succeeds."""
    org = await make_org()
    for _ in range(3):
        part = await distributed(settings, org)
        handler, leader = await as_user(org.handler), await as_user(org.leader)
        results = await asyncio.gather(
            services.mark_foreloepig_svar(settings, handler, part["id"], version=2),
            services.avskriv(settings, leader, part["id"], "TO", version=2),
            services.mark_foreloepig_svar(settings, leader, part["id"], version=2),
            return_exceptions=True,
        )
        winners = [r for r in results if not isinstance(r, BaseException)]
        losers = [r for r in results if isinstance(r, BaseException)]
        assert len(winners) == 1, results
        assert all(isinstance(r, Conflict) for r in losers), results
        assert (await recipient(part["journalpost"]))["version"] == 3


# --- avskriv with a merknad ----------------------------------------------------------------


async def test_write_off_with_a_remark_in_one_transaction(settings, db) -> None:
    org = await make_org()
    part = await distributed(settings, org)
    await services.avskriv(
        settings,
        await as_user(org.handler),
        part["id"],
        "TLF",
        version=2,
        merknad="  Ringte søkeren 12. mars, saken er avklart.  ",
    )
    [remark] = await Merknad.select().where(Merknad.journalpost == part["journalpost"])
    assert remark["merknadstekst"] == "Ringte søkeren 12. mars, saken er avklart."
    assert remark["merknadstype"] == "MS" and remark["registrert_av"] == org.handler
    [event] = await events("archive.written_off")
    assert event["details"]["merknad_id"] == remark["id"]
    assert event["details"]["merknadstype"] == "MS"
    assert await events("archive.remark_added") == []  # logged as part of the write-off

    # The deputy writes off with a leader's remark (ML), on behalf of the leader.
    other = await distributed(settings, org)
    await services.avskriv(
        settings, await as_user(org.deputy), other["id"], "TE", version=2, merknad="Tatt til etterretning."
    )
    remark = await Merknad.select().where(Merknad.journalpost == other["journalpost"]).first()
    assert remark["merknadstype"] == "ML"
    event = (await events("archive.written_off"))[1]
    assert event["on_behalf_of"] == org.leader and event["details"]["merknad_id"] == remark["id"]


async def test_blank_remark_is_none_and_a_bad_one_stops_the_write_off(settings, db) -> None:
    org = await make_org()
    part = await distributed(settings, org)
    handler = await as_user(org.handler)
    with pytest.raises(ValidationFailed) as failed:
        await services.avskriv(settings, handler, part["id"], "TE", version=2, merknad="x" * 5000)
    assert set(failed.value.errors) == {"merknad"}
    assert "Merknaden kan ha høyst" in failed.value.errors["merknad"]
    with pytest.raises(ValidationFailed) as failed:
        await services.avskriv(settings, handler, part["id"], "XX", version=2, merknad="x" * 5000)
    assert set(failed.value.errors) == {"avskrivningsmaate", "merknad"}
    assert await Avskrivning.count() == 0 and await Merknad.count() == 0
    assert (await recipient(part["journalpost"]))["version"] == 2
    await services.avskriv(settings, handler, part["id"], "TE", version=2, merknad="   ")
    assert await Avskrivning.count() == 1 and await Merknad.count() == 0
    [event] = await events("archive.written_off")
    assert event["details"]["merknad_id"] is None


async def test_losing_write_off_leaves_no_remark(settings, db) -> None:
    org = await make_org()
    part = await distributed(settings, org)
    results = await asyncio.gather(
        services.avskriv(
            settings, await as_user(org.handler), part["id"], "TE", version=2, merknad="Fra Hans"
        ),
        services.avskriv(
            settings, await as_user(org.leader), part["id"], "TO", version=2, merknad="Fra Lise"
        ),
        return_exceptions=True,
    )
    assert sum(1 for r in results if isinstance(r, Conflict)) == 1, results
    assert await Avskrivning.count() == 1
    [remark] = await Merknad.select()
    [event] = await events("archive.written_off")
    assert event["details"]["merknad_id"] == remark["id"]
    assert remark["merknadstekst"] == ("Fra Hans" if event["actor"] == org.handler else "Fra Lise")
