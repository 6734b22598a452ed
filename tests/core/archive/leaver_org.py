"""A leaver with work on every line of core's checklist, on :mod:`tests.core.archive.service_org`."""

from __future__ import annotations

from dataclasses import dataclass

from core.archive import services
from core.settings import Settings
from core.tasks.services import create_task
from tests.core.archive.service_org import Org, incoming, make_org, outgoing, own_case, recipient
from tests.support.factories import as_user


@dataclass
class Work:
    org: Org
    restanse_part: int
    restanse_post: int
    case: int
    unsent_post: int
    task: int


async def make_work(settings: Settings) -> Work:
    """Hans Handler (``org.handler``) gets: one restanse (an incoming post distributed to him,
    whose new case he is then saksansvarlig for), one own case, one unsent outgoing post in it,
    and one open task. Kari Kollega gets a restanse of her own (not his)."""
    org = await make_org()
    post = await incoming(settings, org, tittel="Søknad om deling")
    part = await recipient(post)
    leader = await as_user(org.leader)
    await services.fordel(settings, leader, part["id"], org.handler, version=part["version"])
    other = await incoming(settings, org, tittel="Klage")
    other_part = await recipient(other)
    await services.fordel(settings, leader, other_part["id"], org.colleague, version=other_part["version"])
    case = await own_case(settings, org, tittel="Tilskudd til drenering")
    unsent = await outgoing(settings, org, case, tittel="Svar om drenering")
    task = await create_task(
        settings,
        kind="dummy_plugin.check",
        receiver_person_id=org.handler,
        sender_id=org.leader,
        object_type="saksmappe",
        object_id=case,
        title="Se på saken",
    )
    return Work(org, part["id"], post, case, unsent, task)
