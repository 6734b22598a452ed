"""The monthly restanse mails: who gets one, what the texts say, preparing, sending (once),
permissions, the race between two senders, and the pages."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from core.auth.user import User
from core.errors import Conflict, Forbidden, ValidationFailed
from core.settings import Settings
from core.tables import AuditEvent, Leadership, MailMessage, Person
from core.timeutil import months_back, today
from plugins.restanse import forms
from plugins.restanse.queries import mail_runs
from plugins.restanse.services import mail_texts, mailing, sending
from plugins.restanse.tables import MailItem, MailRun
from tests.support.factories import as_user, csrf, login, make_deputy, make_leader
from tests.support.restanse_builders import Org, make_case, make_org, make_restanse, write_off

pytestmark = pytest.mark.anyio

TERSKEL = 3


def day(days_ago: int) -> date:
    return today() - timedelta(days=days_ago)


REPORT = today()
COMPARE = months_back(REPORT, 1)
FRIST = REPORT + timedelta(days=14)


@dataclass(frozen=True)
class World:
    org: Org
    archive: User
    secret_title: str


async def restanser(
    unit: int, handler: int | None, n: int, *, days_ago: int = 10, **kwargs: object
) -> list[int]:
    """``n`` restanser in one case (journaldato ``days_ago`` days back); their recipient ids."""
    case = await make_case(unit=unit, saksansvarlig=handler)
    made = [
        await make_restanse(unit, handler, journaldato=day(days_ago), case=case, **kwargs)  # type: ignore[arg-type]
        for _ in range(n)
    ]
    return [r.korrespondansepart_id for r in made]


async def world() -> World:
    """With threshold 3: Hanne exactly 3 (one of them under skjerming), Harald 2, Trine 2 in
    TDR + 1 in LMA (3 summed), Bjørn 1 in LMA-BYG, one LMA restanse without a handler. Lene
    leads LMA and LMA-BYG, Tor leads TDR. One Harald restanse from before the comparison date
    was written off after it (counted then, not now)."""
    org = await make_org()
    await make_leader(org.sub_unit, org.leader)
    secret = "Hemmelig barnevernssak Kari Nordmann"
    await restanser(org.unit, org.handler, 2)
    await make_restanse(
        org.unit,
        org.handler,
        journaldato=day(5),
        tittel=secret,
        offentlig_tittel="Sak om barn",
        tilgangsrestriksjon="13",
        avsender="Kari Nordmann",
    )
    await restanser(org.unit, org.handler2, 2)
    old = await restanser(org.unit, org.handler2, 1, days_ago=60)
    await write_off(old[0], day(3))
    await restanser(org.other_unit, org.other_handler, 2)
    await restanser(org.unit, org.other_handler, 1)
    await restanser(org.sub_unit, org.sub_handler, 1)
    await restanser(org.unit, None, 1)
    return World(org, await as_user(org.archive), secret)


async def items(run_id: int) -> dict[tuple[str, int], dict]:
    rows = await MailItem.select().where(MailItem.run == run_id)
    return {(r["kind"], r["person"]): r for r in rows}


async def prepare(settings: Settings, user: User, **kwargs: object) -> mailing.Prepared:
    values: dict[str, object] = {"rapportdato": REPORT, "frist": FRIST, "terskel": TERSKEL, **kwargs}
    return await mailing.prepare(settings, user, **values)  # type: ignore[arg-type]


# --- who gets mail ------------------------------------------------------------------------


async def test_handlers_at_the_threshold_and_every_leader_get_one_mail(settings, db) -> None:
    w = await world()
    org = w.org
    prepared = await prepare(settings, w.archive)
    assert (prepared.handlers, prepared.leaders, prepared.without_email) == (2, 2, 0)
    found = await items(prepared.run_id)
    assert set(found) == {
        ("saksbehandler", org.handler),  # exactly the threshold
        ("saksbehandler", org.other_handler),  # 2 + 1 in two units
        ("leder", org.leader),  # one mail for LMA and LMA-BYG
        ("leder", org.other_leader),
    }
    assert ("saksbehandler", org.handler2) not in found  # threshold - 1
    assert found[("saksbehandler", org.handler)]["antall"] == 3
    assert found[("saksbehandler", org.other_handler)]["antall"] == 3
    # LMA: Hanne 3 + Harald 2 + Trine 1 + 1 without handler; LMA-BYG: Bjørn 1.
    assert found[("leder", org.leader)]["antall"] == 8
    assert found[("leder", org.other_leader)]["antall"] == 2
    run = await MailRun.select().where(MailRun.id == prepared.run_id).first()
    assert run["maaned"] == f"{REPORT.year:04d}-{REPORT.month:02d}"
    assert (run["status"], run["terskel"], run["frist"]) == ("utkast", TERSKEL, FRIST)
    assert run["sammenligningsdato"] == COMPARE
    assert run["forberedt_av"] == org.archive
    assert await MailMessage.count() == 0  # nothing is sent while preparing


async def test_the_deputy_gets_the_leader_mail_during_the_leaders_absence(settings, db) -> None:
    w = await world()
    org = w.org
    # Tor (TDR) is away on the report date; Trine stands in. Lene's absence ended yesterday.
    await make_deputy(org.other_unit, org.other_leader, org.other_handler, REPORT - timedelta(days=2), REPORT)
    await make_deputy(
        org.unit, org.leader, org.handler2, REPORT - timedelta(days=9), REPORT - timedelta(days=1)
    )
    prepared = await prepare(settings, w.archive)
    found = await items(prepared.run_id)
    assert {k for k in found if k[0] == "leder"} == {("leder", org.leader), ("leder", org.other_handler)}
    assert found[("leder", org.other_handler)]["antall"] == 2


async def test_the_default_threshold_is_thirty_or_more(settings, db) -> None:
    org = await make_org()
    await restanser(org.unit, org.handler, 30)
    await restanser(org.unit, org.handler2, 29)
    prepared = await mailing.prepare(settings, await as_user(org.archive), rapportdato=REPORT, frist=FRIST)
    found = await items(prepared.run_id)
    assert ("saksbehandler", org.handler) in found
    assert ("saksbehandler", org.handler2) not in found
    assert "30 eller flere" in found[("saksbehandler", org.handler)]["tekst"]
    assert (await MailRun.select(MailRun.terskel).first())["terskel"] == 30


async def test_inactive_people_get_no_mail_and_missing_addresses_are_counted(settings, db) -> None:
    w = await world()
    org = w.org
    await Person.update({Person.active: False}).where(Person.id == org.other_handler)
    await Person.update({Person.email: ""}).where(Person.id == org.other_leader)
    prepared = await prepare(settings, w.archive)
    found = await items(prepared.run_id)
    assert ("saksbehandler", org.other_handler) not in found
    assert ("leder", org.other_leader) in found
    assert prepared.without_email == 1
    assert "1 mottaker mangler e-postadresse." in prepared.message()


# --- the texts ----------------------------------------------------------------------------


async def test_handler_text_has_count_deadline_and_links(settings, db) -> None:
    w = await world()
    prepared = await prepare(settings, w.archive)
    mail = (await items(prepared.run_id))[("saksbehandler", w.org.handler)]
    frist = FRIST.strftime("%d.%m.%y")
    base = settings.public_base_url
    assert mail["emne"] == f"Du har 3 restanser – avskriv innen {frist}"
    text = mail["tekst"]
    assert text.startswith("Hei, Hanne Handler!\n")
    assert f"Per {REPORT.strftime('%d.%m.%Y')} har du 3 restanser" in text
    assert "alle som har 3 eller flere restanser, får denne e-posten" in text
    assert f"senest innen {frist}." in text
    assert f"\n{base}/restanse\n" in text
    assert f"\n{base}/restanse/veiledning\n" in text
    assert "Unni Arkiv på Arkiv" in text
    assert "ephorte" not in text.lower()


async def test_leader_text_has_the_unit_table_and_the_units_handlers(settings, db) -> None:
    w = await world()
    org = w.org
    prepared = await prepare(settings, w.archive)
    mail = (await items(prepared.run_id))[("leder", org.leader)]
    text = mail["tekst"]
    assert "/restanse/enhet\n" in text
    assert f"senest innen {FRIST.strftime('%d.%m.%y')}" in text
    assert "Enhetene du er leder for, er merket med «din enhet»." in text
    blocks = mail_texts.parse_text(text)
    tables = {b.caption: b for b in blocks if isinstance(b, mail_texts.Table)}
    units = tables["Restanser per enhet"]
    assert units.header == (
        "Enhet",
        "Navn",
        COMPARE.strftime("%d.%m.%Y"),
        REPORT.strftime("%d.%m.%Y"),
        "Merknad",
    )
    rows = {r[0]: r for r in units.rows}
    # The whole municipality, sorted by code; Harald's old restanse counted a month back only.
    assert list(rows) == ["LMA", "LMA-BYG", "SUV", "TDR"]
    assert rows["LMA"] == ("LMA", "Landbruk, miljø og arealforvaltning", "1", "7", "din enhet")
    assert rows["LMA-BYG"] == ("LMA-BYG", "Byggesak", "0", "1", "din enhet")
    assert rows["TDR"] == ("TDR", "Teknisk drift", "0", "2", "")
    assert units.footer == (("Sum", "", "1", "10", ""),)
    lma = tables["Saksbehandlere i LMA Landbruk, miljø og arealforvaltning"]
    by_name = {r[0]: r for r in lma.rows}
    assert by_name["Hanne Handler"] == ("Hanne Handler", "0", "3", "får egen e-post")
    assert by_name["Harald Handler"] == ("Harald Handler", "1", "2", "")
    assert by_name["Trine Teknisk"] == ("Trine Teknisk", "0", "1", "får egen e-post")
    assert by_name["(uten saksbehandler)"][2] == "1"
    assert lma.footer == (("Sum", "1", "7", ""),)
    assert "Saksbehandlere i LMA-BYG Byggesak" in tables
    # Tor's mail covers TDR only, the LMA rows unmarked.
    tor = (await items(prepared.run_id))[("leder", org.other_leader)]["tekst"]
    assert "Enheten du er leder for, er merket" in tor
    assert "Saksbehandlere i LMA" not in tor


async def test_no_title_under_skjerming_reaches_any_mail(settings, db) -> None:
    w = await world()
    prepared = await prepare(settings, w.archive)
    for row in (await items(prepared.run_id)).values():
        for word in ("Hemmelig", "barnevern", "Kari Nordmann", "Sak om barn", "dispensasjon"):
            assert word not in row["tekst"] and word not in row["emne"], (row["kind"], word)
    await sending.send(settings, w.archive, prepared.run_id, version=1)
    for message in await MailMessage.select():
        for word in ("Hemmelig", "barnevern", "Kari Nordmann"):
            assert word not in message["body_text"] and word not in message["body_html"]


async def test_texts_follow_the_recipients_language(settings, db) -> None:
    w = await world()
    await Person.update({Person.language: "nn"}).where(Person.id == w.org.handler)
    prepared = await prepare(settings, w.archive)
    found = await items(prepared.run_id)
    assert found[("saksbehandler", w.org.handler)]["tekst"].endswith("\nFellestenesta/Arkiv\n")
    assert found[("leder", w.org.leader)]["tekst"].endswith("\nFellestjenesten/Arkiv\n")
    await Person.update({Person.language: "nn"}).where(Person.id == w.org.leader)
    again = await prepare(settings, w.archive)
    table = next(
        b
        for b in mail_texts.parse_text((await items(again.run_id))[("leder", w.org.leader)]["tekst"])
        if isinstance(b, mail_texts.Table)
    )
    assert table.header[:2] == ("Eining", "Namn")


async def test_html_part_is_the_same_text_with_real_tables(settings, db) -> None:
    w = await world()
    prepared = await prepare(settings, w.archive)
    mail = (await items(prepared.run_id))[("leder", w.org.leader)]
    html = mail_texts.html_from_text(mail["tekst"], subject=mail["emne"])
    assert '<html lang="nb">' in html
    assert "<caption>Restanser per enhet</caption>" in html
    assert '<th scope="col">Enhet</th>' in html
    assert '<th scope="row">LMA</th>' in html
    assert "<tfoot>" in html and '<th scope="row">Sum</th>' in html
    assert f'<a href="{settings.public_base_url}/restanse/enhet">' in html
    assert "Landbruk, miljø og arealforvaltning" in html


def test_text_tables_round_trip() -> None:
    table = mail_texts.Table(
        caption="Tabell",
        header=("Navn", "Antall", "Merknad"),
        rows=(("Åse  Ærø", "1234", ""), ("B", "7", "får egen e-post")),
        footer=(("Sum", "1241", ""),),
        numeric=(False, True, False),
    )
    text = mail_texts.render_text(["Hei!\nLinje to", table, "Hilsen"])
    blocks = mail_texts.parse_text(text)
    assert blocks[0] == "Hei!\nLinje to"
    assert blocks[2] == "Hilsen"
    parsed = blocks[1]
    assert isinstance(parsed, mail_texts.Table)
    assert parsed.rows == (("Åse Ærø", "1234", ""), ("B", "7", "får egen e-post"))
    assert parsed.footer == table.footer
    assert parsed.numeric == (False, True, False)
    assert "<script>" not in mail_texts.render_html_body(["<script>alert(1)</script>"])


# --- preparing again and sending ----------------------------------------------------------


async def test_preparing_again_refreshes_the_draft(settings, db) -> None:
    w = await world()
    org = w.org
    first = await prepare(settings, w.archive)
    await restanser(org.unit, org.handler2, 1)  # Harald reaches the threshold
    later = FRIST + timedelta(days=7)
    second = await prepare(settings, w.archive, frist=later)
    assert second.run_id == first.run_id
    assert second.handlers == 3
    found = await items(second.run_id)
    assert ("saksbehandler", org.handler2) in found
    assert later.strftime("%d.%m.%y") in found[("saksbehandler", org.handler)]["tekst"]
    assert await MailItem.count() == 5
    run = await MailRun.select().where(MailRun.id == first.run_id).first()
    assert (run["version"], run["frist"], run["status"]) == (2, later, "utkast")
    prepared_events = await AuditEvent.select().where(AuditEvent.action == "restanse.mails_prepared")
    assert len(prepared_events) == 2
    assert prepared_events[0]["actor"] == org.archive


async def test_send_queues_each_mail_once_and_a_second_send_sends_nothing(settings, db) -> None:
    w = await world()
    org = w.org
    prepared = await prepare(settings, w.archive)
    result = await sending.send(settings, w.archive, prepared.run_id, version=1)
    assert (result.queued, result.without_email, result.first) == (4, 0, True)
    assert result.message() == "4 e-poster er lagt i utboksen og sendes i løpet av et minutt."
    maaned = prepared.maaned
    messages = await MailMessage.select().order_by(MailMessage.idempotency_key)
    assert sorted(m["idempotency_key"] for m in messages) == sorted(
        [
            f"restanse.monthly:{maaned}:saksbehandler:{org.handler}",
            f"restanse.monthly:{maaned}:saksbehandler:{org.other_handler}",
            f"restanse.monthly:{maaned}:leder:{org.leader}",
            f"restanse.monthly:{maaned}:leder:{org.other_leader}",
        ]
    )
    assert {m["source"] for m in messages} == {"restanse"}
    hanne = next(m for m in messages if m["to_address"] == "hanne@kommune.example")
    assert hanne["subject"].startswith("Du har 3 restanser")
    assert "<p>Hei, Hanne Handler!</p>" in hanne["body_html"]
    rows = await MailItem.select()
    assert all(r["sendt"] is not None and r["melding"] is not None for r in rows)
    by_id = {m["id"]: m for m in messages}
    for row in rows:
        assert by_id[row["melding"]]["idempotency_key"].endswith(f":{row['kind']}:{row['person']}")
    run = await MailRun.select().where(MailRun.id == prepared.run_id).first()
    assert (run["status"], run["sendt_av"], run["version"]) == ("sendt", org.archive, 2)
    [event] = await AuditEvent.select().where(AuditEvent.action == "restanse.mails_sent")
    assert event["actor"] == org.archive
    assert '"lagt_i_utboksen": 4' in str(event["details"]) or event["details"]["lagt_i_utboksen"] == 4

    again = await sending.send(settings, w.archive, prepared.run_id, version=2)
    assert (again.queued, again.first) == (0, False)
    assert again.message().startswith("Ingen nye e-poster: alle e-postene for ")
    assert await MailMessage.count() == 4
    assert await AuditEvent.count().where(AuditEvent.action == "restanse.mails_sent") == 1

    with pytest.raises(Conflict, match="ble nettopp sendt av Unni Arkiv"):
        await sending.send(settings, w.archive, prepared.run_id, version=1)
    with pytest.raises(Conflict, match="kan ikke forberedes på nytt"):
        await prepare(settings, w.archive)
    assert await MailMessage.count() == 4


async def test_a_recipient_given_an_address_later_can_be_sent_to_then(settings, db) -> None:
    w = await world()
    await Person.update({Person.email: ""}).where(Person.id == w.org.other_leader)
    prepared = await prepare(settings, w.archive)
    first = await sending.send(settings, w.archive, prepared.run_id, version=1)
    assert (first.queued, first.without_email) == (3, 1)
    await Person.update({Person.email: "tor@kommune.example"}).where(Person.id == w.org.other_leader)
    later = await sending.send(settings, w.archive, prepared.run_id, version=2)
    assert (later.queued, later.without_email, later.first) == (1, 0, False)
    assert await MailMessage.count() == 4
    assert await MailMessage.count().where(MailMessage.to_address == "tor@kommune.example") == 1


async def test_a_send_after_the_draft_was_prepared_again_is_refused(settings, db) -> None:
    w = await world()
    prepared = await prepare(settings, w.archive)
    await prepare(settings, w.archive)  # version 2
    with pytest.raises(Conflict, match="forberedt på nytt av Unni Arkiv"):
        await sending.send(settings, w.archive, prepared.run_id, version=1)
    assert await MailMessage.count() == 0


async def test_two_archive_users_sending_at_once_one_wins(settings, db) -> None:
    w = await world()
    from tests.support.factories import make_archivist

    other = await as_user(await make_archivist(name="Liv Arkiv"))
    prepared = await prepare(settings, w.archive)
    results = await asyncio.gather(
        sending.send(settings, w.archive, prepared.run_id, version=1),
        sending.send(settings, other, prepared.run_id, version=1),
        return_exceptions=True,
    )
    wins = [r for r in results if isinstance(r, sending.SendResult)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == 1, results
    winner = "Unni Arkiv" if isinstance(results[0], sending.SendResult) else "Liv Arkiv"
    assert f"ble nettopp sendt av {winner}" in str(losses[0].detail)
    assert "Ingen e-post er sendt to ganger." in str(losses[0].detail)
    assert wins[0].queued == 4
    assert await MailMessage.count() == 4
    assert await AuditEvent.count().where(AuditEvent.action == "restanse.mails_sent") == 1


async def test_two_archive_users_preparing_at_once_leave_one_consistent_draft(settings, db) -> None:
    w = await world()
    results = await asyncio.gather(prepare(settings, w.archive), prepare(settings, w.archive))
    assert results[0].run_id == results[1].run_id
    assert await MailRun.count() == 1
    assert await MailItem.count() == 4
    assert (await MailRun.select(MailRun.version).first())["version"] == 2


# --- permissions and validation -----------------------------------------------------------


async def test_only_the_archive_service_may_prepare_preview_and_send(settings, db) -> None:
    w = await world()
    prepared = await prepare(settings, w.archive)
    for person in (w.org.handler, w.org.leader):
        user = await as_user(person)
        with pytest.raises(Forbidden):
            await prepare(settings, user)
        with pytest.raises(Forbidden):
            await sending.send(settings, user, prepared.run_id, version=1)
        with pytest.raises(Forbidden):
            await mail_runs.preview(user, prepared.run_id)
    assert await MailMessage.count() == 0


async def test_dates_are_checked(settings, db) -> None:
    w = await world()
    with pytest.raises(ValidationFailed) as caught:
        await prepare(settings, w.archive, rapportdato=REPORT + timedelta(days=1), frist=REPORT)
    assert set(caught.value.errors) == {"rapportdato", "frist"}
    with pytest.raises(ValidationFailed) as caught:
        await prepare(settings, w.archive, sammenligningsdato=REPORT)
    assert set(caught.value.errors) == {"sammenligningsdato"}
    with pytest.raises(ValidationFailed) as caught:
        forms.parse_mail_dates({"rapportdato": "31.02.2026", "frist": ""})
    assert set(caught.value.errors) == {"rapportdato", "frist"}
    dates = forms.parse_mail_dates({"rapportdato": REPORT.strftime("%d.%m.%Y"), "frist": FRIST.isoformat()})
    assert dates == forms.MailDates(REPORT, COMPARE, FRIST)


# --- the pages ----------------------------------------------------------------------------


async def test_pages_prepare_preview_and_send(client, settings) -> None:
    w = await world()
    org = w.org
    await Person.update({Person.email: ""}).where(Person.id == org.other_leader)
    await login(client, org.archive)
    form = await client.get("/restanse/utsending")
    assert form.status_code == 200
    assert 'name="rapportdato"' in form.text and REPORT.strftime("%d.%m.%Y") in form.text
    assert "30 eller flere restanser" in form.text

    bad = await client.post(
        "/restanse/utsending", data={"rapportdato": "i morgen", "frist": ""}, headers=csrf(client)
    )
    assert bad.status_code == 422
    assert 'id="feiloppsummering"' in bad.text and 'value="i morgen"' in bad.text

    done = await client.post(
        "/restanse/utsending",
        data={
            "rapportdato": REPORT.strftime("%d.%m.%Y"),
            "sammenligningsdato": "",
            "frist": FRIST.strftime("%d.%m.%Y"),
        },
        headers=csrf(client),
    )
    assert done.status_code == 303, done.text
    location = done.headers["location"]
    run_id = int(location.rsplit("/", 1)[1])
    preview = await client.get(location)
    assert preview.status_code == 200
    text = preview.text
    # Threshold 30 by default: no handler mail here, but both leaders (one without address).
    assert "Send 1 e-post" in text
    assert "Tor Teknisk (leder): mangler e-postadresse" in text
    assert "lene@kommune.example" in text
    assert "<details" in text and "Restanser per enhet" in text
    assert w.secret_title not in text
    item = await MailItem.select(MailItem.id).where(MailItem.person == org.leader).first()
    one = await client.get(f"/restanse/utsending/{run_id}/epost/{item['id']}")
    assert one.status_code == 200
    assert "<caption>Restanser per enhet</caption>" in one.text

    sent = await client.post(
        f"/restanse/utsending/{run_id}/send", data={"version": "1"}, headers=csrf(client)
    )
    assert sent.status_code == 303
    after = await client.get(f"/restanse/utsending/{run_id}")
    assert "1 e-post er lagt i utboksen" in after.text
    assert "Send 1 e-post" not in after.text
    assert await MailMessage.count() == 1

    stale = await client.post(
        f"/restanse/utsending/{run_id}/send",
        data={"version": "1"},
        headers={**csrf(client), "HX-Request": "true"},
    )
    assert stale.status_code == 409
    assert 'hx-swap-oob="innerHTML"' in stale.text
    assert re.search(r"ble nettopp sendt av Unni Arkiv", stale.text)
    assert await MailMessage.count() == 1


async def test_pages_are_for_the_archive_service_only(client, settings) -> None:
    w = await world()
    prepared = await prepare(settings, w.archive)
    await login(client, w.org.leader)
    for url in ("/restanse/utsending", f"/restanse/utsending/{prepared.run_id}"):
        response = await client.get(url)
        assert response.status_code == 403, url
    response = await client.post(
        f"/restanse/utsending/{prepared.run_id}/send", data={"version": "1"}, headers=csrf(client)
    )
    assert response.status_code == 403
    assert await MailMessage.count() == 0
    assert await Leadership.count() == 3
