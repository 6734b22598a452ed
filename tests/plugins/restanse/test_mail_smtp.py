"""A monthly mail run against a real local SMTP server (aiosmtpd): exactly one mail to each
handler at or over the threshold (30) and one to each unit leader; a second run sends none."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from core.errors import Conflict
from core.jobs import run_job
from core.mail import send_pending
from core.runtime import build_runtime
from core.settings import Settings
from core.tables import MailMessage
from core.timeutil import OSLO, today
from plugins.restanse import jobs
from plugins.restanse.services import mailing, sending
from tests.support.factories import as_user, make_leader
from tests.support.restanse_builders import make_case, make_org, make_restanse, write_off
from tests.support.smtp import SmtpServer, smtp_server

pytestmark = pytest.mark.anyio


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


def seven_today() -> datetime:
    """07:00 today (Oslo): the job's slot if today were one of its days."""
    day = today()
    return datetime(day.year, day.month, day.day, 7, 0, tzinfo=OSLO).astimezone(UTC)


def with_smtp(settings: Settings, port: int) -> Settings:
    return dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=port)


async def many(unit: int, handler: int | None, n: int, days_ago: int = 20) -> list[int]:
    case = await make_case(unit=unit, saksansvarlig=handler)
    day = today() - timedelta(days=days_ago)
    return [
        (await make_restanse(unit, handler, journaldato=day, case=case)).korrespondansepart_id
        for _ in range(n)
    ]


async def test_monthly_run_mails_each_handler_over_the_threshold_and_each_leader_once(
    settings: Settings, db: None, smtp: SmtpServer
) -> None:
    org = await make_org()
    await make_leader(org.sub_unit, org.leader)  # Lene leads LMA and LMA-BYG: one mail
    await many(org.unit, org.handler, 30)  # Hanne: exactly 30
    await many(org.unit, org.handler2, 29)  # Harald: 29, no mail
    extra = await many(org.unit, org.handler2, 1)
    await write_off(extra[0], today())  # written off today: not counted
    await many(org.other_unit, org.other_handler, 20)
    await many(org.sub_unit, org.other_handler, 11)  # Trine: 31 over two units
    await many(org.sub_unit, org.sub_handler, 3)
    archive = await as_user(org.archive)
    configured = with_smtp(settings, smtp.port)

    prepared = await mailing.prepare(
        settings, archive, rapportdato=today(), frist=today() + timedelta(days=14)
    )
    assert (prepared.handlers, prepared.leaders) == (2, 2)
    assert smtp.received == []
    sent = await sending.send(settings, archive, prepared.run_id, version=1)
    assert sent.queued == 4
    summary = await send_pending(configured)
    assert (summary.sent, summary.failed, summary.deferred) == (4, 0, 0)

    received = smtp.received
    recipients = Counter(address for r in received for address in r.rcpt_tos)
    assert recipients == Counter(
        {
            "hanne@kommune.example": 1,
            "trine@kommune.example": 1,
            "lene@kommune.example": 1,
            "tor@kommune.example": 1,
        }
    )
    by_address = {r.rcpt_tos[0]: r.message for r in received}
    frist = (today() + timedelta(days=14)).strftime("%d.%m.%y")
    hanne = by_address["hanne@kommune.example"]
    assert hanne["Subject"] == f"Du har 30 restanser – avskriv innen {frist}"
    assert hanne["To"].addresses[0].display_name == "Hanne Handler"
    plain = hanne.get_body(preferencelist=("plain",))
    assert plain is not None
    text = plain.get_content()
    assert "har du 30 restanser" in text and "30 eller flere" in text
    assert f"{settings.public_base_url}/restanse/veiledning" in text
    trine = by_address["trine@kommune.example"].get_body(preferencelist=("plain",))
    assert trine is not None and "har du 31 restanser" in trine.get_content()

    lene = by_address["lene@kommune.example"]
    assert lene.get_content_type() == "multipart/alternative"
    html = lene.get_body(preferencelist=("html",))
    assert html is not None
    markup = html.get_content()
    assert "<caption>Restanser per enhet</caption>" in markup
    assert '<th scope="row">LMA-BYG</th>' in markup
    assert "Saksbehandlere i LMA Landbruk, miljø og arealforvaltning" in markup
    assert "Saksbehandlere i LMA-BYG Byggesak" in markup
    lene_text = lene.get_body(preferencelist=("plain",))
    assert lene_text is not None and "Harald Handler" in lene_text.get_content()

    # A second run of the same month: the job finds the month done, preparing again is
    # refused, sending again queues nothing, and the SMTP server receives nothing more.
    runtime = build_runtime(configured)
    draft_job = runtime.job(jobs.DRAFT_JOB)
    assert draft_job is not None
    again = await run_job(runtime, draft_job, seven_today())
    assert again.status == "ok"
    with pytest.raises(Conflict):
        await mailing.prepare(settings, archive, rapportdato=today(), frist=today() + timedelta(days=14))
    second = await sending.send(settings, archive, prepared.run_id, version=2)
    assert second.queued == 0
    assert (await send_pending(configured)).sent == 0
    assert len(smtp.received) == 4
    assert await MailMessage.count().where(MailMessage.source == "restanse") == 4
