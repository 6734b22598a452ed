"""Fordeling's sender suggestion reads ``core_avsender_saksbehandler``; distributing keeps it
current in the same transaction (:mod:`core.archive.sender_handlers`)."""

from __future__ import annotations

from typing import Any

import pytest

from core.archive import services
from core.archive.queries.distribution import QueueFilter, queue_page
from core.archive.queries.visibility import Viewer
from core.archive.tables import AvsenderSaksbehandler, Korrespondansepart
from tests.plugins.fordeling.conftest import Org, make_case, make_post
from tests.support.factories import as_user

pytestmark = pytest.mark.anyio


async def suggestions(org: Org) -> dict[int, Any]:
    """The suggestion of every row of the unit's queue, as its leader sees it."""
    page = await queue_page(Viewer(org.leader, frozenset()), org.unit, QueueFilter(), 1)
    return {row["korrespondansepart_id"]: row["forslag"] for row in page.items}


async def version(part_id: int) -> int:
    row = (
        await Korrespondansepart.select(Korrespondansepart.version)
        .where(Korrespondansepart.id == part_id)
        .first()
    )
    assert row is not None
    return int(row["version"])


async def test_distribution_and_omfordeling_keep_the_sender_suggestion_current(settings, org: Org) -> None:
    leader = await as_user(org.leader)
    first = await make_post(await make_case(), unit=org.unit, avsender="Skogeier Lie")
    later = await make_post(await make_case(), unit=org.unit, avsender="Skogeier Lie")
    assert (await suggestions(org))[later.korrespondansepart_id] is None  # nobody got Lie's post yet

    await services.fordel(settings, leader, first.korrespondansepart_id, org.handler, version=1)
    forslag = (await suggestions(org))[later.korrespondansepart_id]
    assert forslag is not None
    assert (forslag["id"], forslag["grunn"]) == (org.handler, "fikk forrige post fra avsenderen")

    # Omfordeling: the post now lies with Harald; Hanne no longer got post from Lie.
    await services.fordel(
        settings,
        leader,
        first.korrespondansepart_id,
        org.handler2,
        version=await version(first.korrespondansepart_id),
    )
    forslag = (await suggestions(org))[later.korrespondansepart_id]
    assert forslag is not None and forslag["id"] == org.handler2
    rows = await AvsenderSaksbehandler.select(
        AvsenderSaksbehandler.saksbehandler, AvsenderSaksbehandler.korrespondansepart
    ).where(AvsenderSaksbehandler.avsender == "Skogeier Lie")
    assert rows == [{"saksbehandler": org.handler2, "korrespondansepart": first.korrespondansepart_id}]


async def test_a_restricted_post_counts_for_holders_of_its_code_and_its_handler(settings, org: Org) -> None:
    leader = await as_user(org.leader)
    secret = await make_post(
        await make_case(), unit=org.unit, avsender="Kari Nordmann", tilgangsrestriksjon="13"
    )
    fresh = await make_post(await make_case(), unit=org.unit, avsender="Kari Nordmann")
    await services.fordel(settings, leader, secret.korrespondansepart_id, org.handler, version=1)
    for viewer, expected in (
        (Viewer(org.leader, frozenset()), None),
        (Viewer(org.leader, frozenset({"13"})), org.handler),
        (Viewer(org.handler, frozenset()), org.handler),  # she handled it herself
    ):
        page = await queue_page(viewer, org.unit, QueueFilter(), 1)
        (row,) = [r for r in page.items if r["korrespondansepart_id"] == fresh.korrespondansepart_id]
        assert (row["forslag"] or {}).get("id") == expected, viewer
