"""The plugins' lines of the leaver's checklist: godkjenning's rounds (as handler, as the
approver the current step waits for) and fordeling's queues of the units a leader leads."""

from __future__ import annotations

import pytest

from core.runtime import runtime_of
from plugins.godkjenning.services.chains import Chain, ChainStep
from plugins.godkjenning.services.rounds import send_for_approval
from plugins.onboarding.services import checklist
from tests.core.archive.service_org import incoming, make_org, outgoing, own_case, post_row
from tests.support.factories import as_user

pytestmark = pytest.mark.anyio


async def counts(app, person_id: int) -> dict[str, int]:
    return {line.key: line.count for line in await checklist.lines(runtime_of(app).pm, person_id)}


async def test_godkjenning_rounds_of_the_handler_and_the_waiting_approver(app, settings) -> None:
    org = await make_org()
    post = await outgoing(settings, org, await own_case(settings, org))
    chain = Chain((ChainStep("Leder", (org.leader,)), ChainStep("Økonomi", (org.oko_leader,))))
    await send_for_approval(
        settings, await as_user(org.handler), post, version=(await post_row(post))["version"], chain=chain
    )
    assert (await counts(app, org.handler))["godkjenning.rounds"] == 1
    assert (await counts(app, org.leader))["godkjenning.waiting"] == 1
    # The second step does not wait for its approver yet.
    assert (await counts(app, org.oko_leader))["godkjenning.waiting"] == 0


async def test_fordeling_queue_of_a_leader(app, settings) -> None:
    org = await make_org()
    await incoming(settings, org, tittel="Til LMA")
    await incoming(settings, org, unit=org.oko, tittel="Til OKO")
    assert (await counts(app, org.leader))["fordeling.queue"] == 1
    assert (await counts(app, org.handler))["fordeling.queue"] == 0
