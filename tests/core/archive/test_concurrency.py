"""Concurrent writers: numbers stay unique without gaps, and of two concurrent changes of the
same item exactly one wins (the other gets Conflict).

Each call runs in its own asyncio task, so each opens its own connection and transaction. On
PostgreSQL (``ARKIV_TEST_DATABASE=postgres``) they really run in parallel: row locks and the
optimistic ``version`` check decide. On SQLite the IMMEDIATE write lock serialises them.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

import pytest

from core.archive import services
from core.archive.services import NewCase, UploadedFile
from core.archive.tables import Avskrivning, Dokumentbeskrivelse, Dokumentobjekt, Journalpost, Saksmappe
from core.errors import Conflict
from core.tables import AuditEvent
from core.timeutil import today
from tests.core.archive.service_org import (
    case_row,
    incoming,
    make_org,
    outgoing,
    own_case,
    post_row,
    recipient,
)
from tests.support.factories import as_user

pytestmark = pytest.mark.anyio

YEAR = today().year
MANY = 16


def outcomes(results: list[Any]) -> Counter[str]:
    """``ok`` / ``conflict`` per result; any other exception fails the test."""
    counted: Counter[str] = Counter()
    for result in results:
        if isinstance(result, Conflict):
            counted["conflict"] += 1
        elif isinstance(result, BaseException):
            raise result
        else:
            counted["ok"] += 1
    return counted


async def test_concurrent_cases_get_unique_numbers_without_gaps(settings, db) -> None:
    org = await make_org()
    users = [await as_user(p) for p in (org.handler, org.colleague, org.leader, org.archivist)]
    ids = await asyncio.gather(
        *(
            services.create_case(
                settings, users[n % len(users)], NewCase(tittel=f"Sak {n}", administrativ_enhet_id=org.lma)
            )
            for n in range(MANY)
        )
    )
    numbers = sorted(
        r["sakssekvensnummer"]
        for r in await Saksmappe.select(Saksmappe.sakssekvensnummer).where(Saksmappe.id.is_in(list(ids)))
    )
    assert numbers == list(range(1, MANY + 1))
    assert await AuditEvent.count().where(AuditEvent.action == "archive.case_created") == MANY


async def test_concurrent_posts_get_unique_numbers_without_gaps(settings, db) -> None:
    org = await make_org()
    first, second = await own_case(settings, org), await own_case(settings, org)
    calls = [outgoing(settings, org, first, tittel=f"Brev {n}") for n in range(MANY)]
    calls += [
        outgoing(settings, org, second, person=org.colleague, tittel=f"Svar {n}") for n in range(MANY // 2)
    ]
    calls += [
        incoming(settings, org, saksmappe_id=second, tittel=f"Innkommende {n}") for n in range(MANY // 2)
    ]
    ids = await asyncio.gather(*calls)
    assert len(set(ids)) == 2 * MANY
    rows = await Journalpost.select(
        Journalpost.saksmappe,
        Journalpost.journalpostnummer,
        Journalpost.journalaar,
        Journalpost.journalsekvensnummer,
    )
    per_case = {
        case: sorted(r["journalpostnummer"] for r in rows if r["saksmappe"] == case)
        for case in (first, second)
    }
    assert per_case == {first: list(range(1, MANY + 1)), second: list(range(1, MANY + 1))}
    assert {r["journalaar"] for r in rows} == {YEAR}
    assert sorted(r["journalsekvensnummer"] for r in rows) == list(range(1, 2 * MANY + 1))


async def test_concurrent_fordel_of_the_same_recipient_one_wins(settings, db) -> None:
    org = await make_org()
    post_id = await incoming(settings, org)
    part_id = (await recipient(post_id))["id"]
    leader, deputy = await as_user(org.leader), await as_user(org.deputy)
    results = await asyncio.gather(
        services.fordel(settings, leader, part_id, org.handler, version=1),
        services.fordel(settings, deputy, part_id, org.colleague, version=1),
        return_exceptions=True,
    )
    assert outcomes(results) == {"ok": 1, "conflict": 1}
    part = await recipient(post_id)
    assert part["version"] == 2
    winner = org.colleague if isinstance(results[0], Conflict) else org.handler
    assert winner in results  # the winner became the new case's saksansvarlig, and says so
    assert part["saksbehandler"] == winner
    assert (await post_row(post_id))["saksbehandler"] == winner
    assert (await case_row((await post_row(post_id))["saksmappe"]))["saksansvarlig"] == winner
    assert await AuditEvent.count().where(AuditEvent.action == "archive.distributed") == 1


async def test_concurrent_first_posts_of_one_new_case_set_one_saksansvarlig(settings, db) -> None:
    """Two posts of one new case distributed at the same moment, each with its own choice of
    saksansvarlig: both are distributed, the case gets exactly one saksansvarlig (the first
    transaction's), and only that one is returned and logged for the case."""
    org = await make_org()
    first = await incoming(settings, org)
    case_id = (await post_row(first))["saksmappe"]
    second = await incoming(settings, org, saksmappe_id=case_id, tittel="Tilleggsopplysninger")
    parts = [(await recipient(p))["id"] for p in (first, second)]
    leader, deputy = await as_user(org.leader), await as_user(org.deputy)
    results = await asyncio.gather(
        services.fordel(settings, leader, parts[0], org.handler, version=1, saksansvarlig_id=org.handler),
        services.fordel(settings, deputy, parts[1], org.handler, version=1, saksansvarlig_id=org.colleague),
    )
    owners = [r for r in results if r is not None]
    assert len(owners) == 1
    assert (await case_row(case_id))["saksansvarlig"] == owners[0]
    [event] = await AuditEvent.select().where(AuditEvent.action == "archive.case_owner_set")
    details = json.loads(event["details"]) if isinstance(event["details"], str) else event["details"]
    assert event["object_id"] == str(case_id) and details["saksansvarlig"] == owners[0]
    assert await AuditEvent.count().where(AuditEvent.action == "archive.distributed") == 2


async def test_concurrent_avskriv_one_wins(settings, db) -> None:
    org = await make_org()
    post_id = await incoming(settings, org)
    part_id = (await recipient(post_id))["id"]
    await services.fordel(settings, await as_user(org.leader), part_id, org.handler, version=1)
    results = await asyncio.gather(
        services.avskriv(settings, await as_user(org.handler), part_id, "TE", version=2),
        services.avskriv(settings, await as_user(org.leader), part_id, "TO", version=2),
        services.avskriv(settings, await as_user(org.archivist), part_id, "TLF", version=2),
        return_exceptions=True,
    )
    assert outcomes(results) == {"ok": 1, "conflict": 2}
    assert await Avskrivning.count() == 1
    assert await AuditEvent.count().where(AuditEvent.action == "archive.written_off") == 1


async def test_concurrent_ekspeder_one_wins(settings, db) -> None:
    org = await make_org()
    post_id = await outgoing(settings, org, await own_case(settings, org))
    results = await asyncio.gather(
        services.ekspeder(settings, await as_user(org.handler), post_id, 1),
        services.ekspeder(settings, await as_user(org.leader), post_id, 1),
        return_exceptions=True,
    )
    assert outcomes(results) == {"ok": 1, "conflict": 1}
    post = await post_row(post_id)
    assert (post["journalstatus"], post["version"]) == ("E", 2)
    assert await AuditEvent.count().where(AuditEvent.action == "archive.dispatched") == 1


async def test_concurrent_close_and_new_post(settings, db) -> None:
    """Closing a case and adding a post to it at the same time: either the post comes first and
    blocks the closing, or the case is closed and the post is refused; never both."""
    org = await make_org()
    case_id = await own_case(settings, org)
    results = await asyncio.gather(
        services.close_case(settings, await as_user(org.handler), case_id, 1),
        outgoing(settings, org, case_id),
        return_exceptions=True,
    )
    assert outcomes(results) == {"ok": 1, "conflict": 1}
    closed = (await case_row(case_id))["saksstatus"] == "A"
    assert closed == (await Journalpost.count() == 0)


async def test_concurrent_versions_are_numbered_one_after_another(settings, db) -> None:
    org = await make_org()
    post_id = await outgoing(settings, org, await own_case(settings, org))
    [document] = await Dokumentbeskrivelse.select().where(Dokumentbeskrivelse.journalpost == post_id)
    handler = await as_user(org.handler)
    ids = await asyncio.gather(
        *(
            services.add_version(
                settings, handler, document["id"], UploadedFile(f"v{n}.pdf", f"versjon {n}".encode())
            )
            for n in range(8)
        )
    )
    numbers = sorted(r["versjonsnummer"] for r in await Dokumentobjekt.select(Dokumentobjekt.versjonsnummer))
    assert numbers == list(range(1, 10))
    assert len(set(ids)) == 8
