"""The demo forms: one in each state, made through the services."""

from __future__ import annotations

import random

import pytest

from core.contributions import DemoContext
from core.runtime import runtime_of
from core.tables import Person
from plugins.onboarding.services import form_demo
from plugins.onboarding.tables.forms import OnboardingForm
from tests.core.archive.service_org import make_org
from tests.support.factories import make_person

pytestmark = pytest.mark.anyio


async def test_demo_forms_in_every_state(settings, app) -> None:
    org = await make_org()
    await make_person(name="Lone Lønn", roles=("lonn",))
    await make_person(name="Ivar IKT", roles=("ikt",))
    ctx = DemoContext(
        settings=settings,
        rng=random.Random(1),
        pm=runtime_of(app).pm,
        scale=1,
        units={"LMA": org.lma, "OKO": org.oko},
        leaders={"LMA": org.leader, "OKO": org.oko_leader},
        handlers={"LMA": [org.handler, org.colleague], "OKO": [org.oko_handler]},
        archive_staff=[org.archivist],
    )
    await form_demo.populate(ctx)
    rows = await OnboardingForm.select(OnboardingForm.kind, OnboardingForm.state).order_by(OnboardingForm.id)
    assert [(r["kind"], r["state"]) for r in rows] == [
        ("ny", "utkast"),
        ("ny", "lonn"),
        ("endring", "ikt"),
        ("avgang", "arkiv"),
        ("permisjon", "retur"),
        ("ny", "fullfort"),
    ]
    assert await Person.exists().where((Person.name == "Marte Moe") & (Person.unit == org.lma))
