"""Onboarding's demo data: a leaver with a non-empty checklist and two training follow-ups."""

from __future__ import annotations

import random

import pytest

from core.archive.queries import leaver
from core.contributions import DemoContext
from core.runtime import runtime_of
from plugins.onboarding.services import demo_checklist
from plugins.onboarding.tables.training import TrainingFollowUp
from tests.core.archive.leaver_org import make_work

pytestmark = pytest.mark.anyio


async def test_demo_leaver_and_follow_ups(settings, app) -> None:
    work = await make_work(settings)
    org = work.org
    ctx = DemoContext(
        settings=settings,
        rng=random.Random(1),
        pm=runtime_of(app).pm,
        scale=0,
        units={"LMA": org.lma, "OKO": org.oko},
        leaders={"LMA": org.leader, "OKO": org.oko_leader},
        handlers={"LMA": [org.handler, org.colleague], "OKO": [org.oko_handler]},
        archive_staff=[org.archivist],
    )
    leaving = await demo_checklist.populate(ctx)
    assert leaving == org.handler and (await leaver.counts(leaving)).restanser == 1
    rows = await TrainingFollowUp.select().order_by(TrainingFollowUp.id)
    assert [(r["handler"], r["state"]) for r in rows] == [
        (org.handler, "registered"),
        (org.colleague, "agreed"),
    ]
