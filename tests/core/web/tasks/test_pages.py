"""The task pages through the app, with and without ``HX-Request``: the inbox and its sections,
the menu badge and the card, taking a role task, the sent tasks, the generic task page
(complete, withdraw), and the archive service's list of tasks whose receiver has left."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from core import roles
from core.tables import Person
from core.tasks.tables import Task
from core.timeutil import today
from tests.core.tasks.org import make_org, task_to
from tests.support.factories import csrf, login, make_case, make_post

pytestmark = pytest.mark.anyio

HX = {"HX-Request": "true"}


async def state_of(task_id: int) -> str:
    row = await Task.select(Task.state).where(Task.id == task_id).first()
    return str(row["state"])


async def test_the_inbox_shows_own_tasks_then_the_deputy_section(settings, client) -> None:
    org = await make_org()
    await task_to(
        settings, person=org.deputy, sender=org.handler, title="Til Stian", due=today() - timedelta(days=1)
    )
    await task_to(
        settings, person=org.leader, sender=None, title="Til Lise", kind="dummy_plugin.check", object_id=77
    )
    await login(client, org.deputy)

    page = await client.get("/oppgaver")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Mottatte oppgaver</h1>" in html
    assert '<a href="/oppgaver/sendte">Sendte oppgaver</a>' in html
    own = html[html.index('id="tabell-oppgaver"') : html.index('id="stedfortreder-overskrift"')]
    assert "Til Stian" in own and "Hans Handler" in own and "Forfalt" in own
    deputy = html[html.index('id="stedfortreder-overskrift"') :]
    assert "Som stedfortreder for Lise Leder" in deputy
    assert "Til Lise" in deputy and "Testoppgave" in deputy
    assert "Arkivrutiner (automatisk)" in deputy  # sent by the system
    assert '<span class="dummy-task-row">Sjekk av journalpost 77</span>' in deputy  # the kind's row template
    nav = html[html.index('<nav class="main-nav"') : html.index("</nav>")]
    assert '<a href="/oppgaver" aria-current="page">Mottatte oppgaver <span class="badge">2' in nav

    fragment = await client.get("/oppgaver?oppgavetype=dummy_plugin.check&sorter=eldste", headers=HX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert fragment.text.count('<section id="oppgaver"') == 1
    assert "Til Stian" not in fragment.text and "Til Lise" in fragment.text
    assert '<option value="dummy_plugin.check" selected>' in fragment.text
    assert '<option value="eldste" selected>' in fragment.text

    unknown = await client.get("/oppgaver?oppgavetype=finst.ikkje&sorter=tull")
    assert unknown.status_code == 200 and "Til Stian" in unknown.text


async def test_the_card_and_the_badge(settings, client) -> None:
    org = await make_org()
    await login(client, org.handler)
    home = await client.get("/")
    assert 'hx-get="/oppgaver/kort"' in home.text
    assert '<h3 id="kort-saksbehandler-oppgaver">Mottatte oppgaver</h3>' in home.text
    assert '<a href="/oppgaver">Mottatte oppgaver</a>' in home.text  # no badge at 0
    empty = await client.get("/oppgaver/kort", headers=HX)
    assert "Du har ingen oppgaver som venter." in empty.text
    await task_to(settings, person=org.handler, sender=org.leader, title="Les saken")
    card = await client.get("/oppgaver/kort", headers=HX)
    assert "1 oppgave venter" in card.text and "Les saken" in card.text
    assert "<html" not in card.text
    home = await client.get("/")
    assert '<a href="/oppgaver">Mottatte oppgaver <span class="badge">1' in home.text


async def test_take_a_role_task_with_htmx_and_the_second_is_told_who_took_it(settings, client, app) -> None:
    org = await make_org()
    task_id = await task_to(settings, role=roles.LONN, sender=org.handler, title="Lønn for Per")
    await login(client, org.payroll)
    page = await client.get("/oppgaver")
    assert f'action="/oppgaver/{task_id}/ta"' in page.text and "Til Lønningskontoret" in page.text
    taken = await client.post(
        f"/oppgaver/{task_id}/ta", data={"version": "1", "sorter": "eldste"}, headers={**csrf(client), **HX}
    )
    assert taken.status_code == 200
    assert taken.headers["HX-Trigger"] == "oppgaver-endret"
    assert 'hx-swap-oob="innerHTML"' in taken.text
    assert "Du har tatt oppgaven «Lønn for Per»." in taken.text
    assert "Tatt av Lena Lønn" in taken.text
    assert await state_of(task_id) == "taken"

    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(app=app, raise_server_exceptions=False) as other:
        other.follow_redirects = False
        await login(other, org.payroll2)
        late = await other.post(
            f"/oppgaver/{task_id}/ta", data={"version": "1"}, headers={**csrf(other), **HX}
        )
        assert late.status_code == 409
        assert "Oppgaven er allerede tatt av Lena Lønn." in late.text
        plain = await other.post(f"/oppgaver/{task_id}/ta", data={"version": "1"}, headers=csrf(other))
        assert plain.status_code == 303 and plain.headers["location"] == "/oppgaver"
        after = await other.get("/oppgaver")
        assert "Oppgaven er allerede tatt av Lena Lønn." in after.text  # the flash message


async def test_take_without_javascript_and_without_csrf(settings, client) -> None:
    org = await make_org()
    task_id = await task_to(settings, role=roles.ARKIV, sender=org.handler, title="Arkiver saken")
    await login(client, org.archivist)
    refused = await client.post(f"/oppgaver/{task_id}/ta", data={"version": "1"})
    assert refused.status_code == 403
    assert await state_of(task_id) == "open"
    taken = await client.post(
        f"/oppgaver/{task_id}/ta",
        data={"version": "1", "oppgavetype": "core.oppgave", "side": "1"},
        headers=csrf(client),
    )
    assert taken.status_code == 303
    assert taken.headers["location"] == "/oppgaver?oppgavetype=core.oppgave"
    back = await client.get(taken.headers["location"])
    assert "Du har tatt oppgaven «Arkiver saken»." in back.text


async def test_the_sent_tasks(settings, client) -> None:
    org = await make_org()
    done = await task_to(settings, person=org.leader, sender=org.handler, title="Godkjenn brevet")
    await task_to(settings, role=roles.ARKIV, sender=org.handler, title="Arkiver")
    leader = await org.user(org.deputy)
    from core.tasks import services

    await services.complete_task(settings, leader, done, version=1, outcome="godkjent")
    await login(client, org.handler)
    page = await client.get("/oppgaver/sendte")
    assert page.status_code == 200
    assert "<h1>Sendte oppgaver</h1>" in page.text
    assert "Venter hos Fellestjenesten/Arkiv" in page.text
    assert "av Stian Stedfortreder på vegne av Lise Leder" in page.text and "(godkjent)" in page.text
    fragment = await client.get("/oppgaver/sendte", headers=HX)
    assert "<html" not in fragment.text and 'id="sendte"' in fragment.text


async def test_the_task_page_for_receiver_sender_and_others(settings, client) -> None:
    org = await make_org()
    post = await make_post(await make_case(sekvens=123, unit=org.lma), "Søknad fra Ola", nummer=4)
    task_id = await task_to(
        settings,
        person=org.handler,
        sender=org.leader,
        title="Skriv svar",
        message="Innen fredag.",
        object_id=post,
    )
    await login(client, org.handler)
    page = await client.get(f"/oppgaver/{task_id}")
    assert page.status_code == 200
    assert "<h1>Skriv svar</h1>" in page.text and "Innen fredag." in page.text
    assert f'<a href="/arkiv/journalpost/{post}">Journalpost 2026/00123-4</a>' in page.text
    assert "Søknad fra Ola" not in page.text  # the record's number, never its title
    assert f'action="/oppgaver/{task_id}/ferdig"' in page.text
    assert f'action="/oppgaver/{task_id}/trekk"' not in page.text
    assert (await client.get(f"/oppgaver/{task_id + 999}")).status_code == 404

    await client.post("/logg-ut", headers=csrf(client))
    await login(client, org.leader)
    sender_view = await client.get(f"/oppgaver/{task_id}")
    assert f'action="/oppgaver/{task_id}/trekk"' in sender_view.text
    assert f'action="/oppgaver/{task_id}/ferdig"' not in sender_view.text

    await client.post("/logg-ut", headers=csrf(client))
    await login(client, org.outsider)
    assert (await client.get(f"/oppgaver/{task_id}")).status_code == 403
    refused = await client.post(f"/oppgaver/{task_id}/ferdig", data={"version": "1"}, headers=csrf(client))
    assert refused.status_code == 403
    assert await state_of(task_id) == "open"


async def test_complete_on_the_generic_page(settings, client) -> None:
    org = await make_org()
    task_id = await task_to(settings, person=org.leader, sender=org.handler, title="Signer")
    await login(client, org.deputy)
    page = await client.get(f"/oppgaver/{task_id}")
    assert "Du behandler oppgaven som stedfortreder for Lise Leder." in page.text
    done = await client.post(
        f"/oppgaver/{task_id}/ferdig", data={"version": "1", "kommentar": "Sett."}, headers=csrf(client)
    )
    assert done.status_code == 303 and done.headers["location"] == f"/oppgaver/{task_id}"
    after = await client.get(done.headers["location"])
    assert "Oppgaven «Signer» er behandlet på vegne av Lise Leder." in after.text
    assert "av Stian Stedfortreder på vegne av Lise Leder" in after.text and "Sett." in after.text
    again = await client.post(
        f"/oppgaver/{task_id}/ferdig", data={"version": "1"}, headers={**csrf(client), **HX}
    )
    assert again.status_code == 409
    assert (
        "Stian Stedfortreder har allerede behandlet oppgaven på vegne av Lise Leder (ferdig)." in again.text
    )


async def test_the_old_deputy_gets_403(settings, client) -> None:
    org = await make_org()
    task_id = await task_to(settings, person=org.leader, sender=org.handler)
    await login(client, org.old_deputy)
    assert (await client.get(f"/oppgaver/{task_id}")).status_code == 403
    refused = await client.post(f"/oppgaver/{task_id}/ferdig", data={"version": "1"}, headers=csrf(client))
    assert refused.status_code == 403


async def test_a_kind_with_its_own_page_sends_the_receiver_there(settings, client) -> None:
    org = await make_org()
    task_id = await task_to(settings, person=org.handler, sender=org.leader, kind="dummy_plugin.approve")
    await login(client, org.handler)
    inbox = await client.get("/oppgaver")
    assert f'href="/dummy_plugin/oppgave/{task_id}"' in inbox.text
    moved = await client.get(f"/oppgaver/{task_id}")
    assert moved.status_code == 303 and moved.headers["location"] == f"/dummy_plugin/oppgave/{task_id}"
    await client.post("/logg-ut", headers=csrf(client))
    await login(client, org.leader)
    sender_view = await client.get(f"/oppgaver/{task_id}")  # the sender sees core's page
    assert sender_view.status_code == 200 and "Testgodkjenning" in sender_view.text


async def test_withdraw_needs_a_reason(settings, client) -> None:
    org = await make_org()
    task_id = await task_to(settings, person=org.handler, sender=org.leader, title="Feilsendt")
    await login(client, org.leader)
    blank = await client.post(
        f"/oppgaver/{task_id}/trekk", data={"version": "1", "begrunnelse": " "}, headers=csrf(client)
    )
    assert blank.status_code == 422
    assert "Skriv hvorfor oppgaven trekkes tilbake." in blank.text and 'aria-invalid="true"' in blank.text
    done = await client.post(
        f"/oppgaver/{task_id}/trekk",
        data={"version": "1", "begrunnelse": "Sendt til feil person"},
        headers=csrf(client),
    )
    assert done.status_code == 303
    assert await state_of(task_id) == "withdrawn"
    page = await client.get(f"/oppgaver/{task_id}")
    assert "Oppgaven «Feilsendt» er trukket tilbake." in page.text and "Sendt til feil person" in page.text


async def test_the_archive_gives_tasks_of_leavers_to_someone_else(settings, client) -> None:
    org = await make_org()
    task_id = await task_to(settings, person=org.handler, sender=org.leader, title="Hans sluttet")
    await Person.update({Person.active: False}).where(Person.id == org.handler)
    await login(client, org.kari)
    assert (await client.get("/admin/oppgaver")).status_code == 403
    await client.post("/logg-ut", headers=csrf(client))
    await login(client, org.archivist)
    listing = await client.get("/admin/oppgaver")
    assert listing.status_code == 200
    assert "Hans sluttet" in listing.text and f'href="/admin/oppgaver/{task_id}/gi"' in listing.text
    assert 'href="/admin/oppgaver" aria-current="page">Oppgaver uten mottaker</a>' in listing.text
    form = await client.get(f"/admin/oppgaver/{task_id}/gi")
    assert form.status_code == 200 and 'name="person"' in form.text
    missing = await client.post(f"/admin/oppgaver/{task_id}/gi", data={"version": "1"}, headers=csrf(client))
    assert missing.status_code == 422 and "Velg hvem oppgaven skal gis til." in missing.text
    given = await client.post(
        f"/admin/oppgaver/{task_id}/gi", data={"version": "1", "person": str(org.kari)}, headers=csrf(client)
    )
    assert given.status_code == 303 and given.headers["location"] == "/admin/oppgaver"
    after = await client.get("/admin/oppgaver")
    assert "Oppgaven «Hans sluttet» er gitt til Kari Nordmann." in after.text
    assert "Ingen oppgaver venter på personer som har sluttet." in after.text


async def test_the_inbox_in_nynorsk(settings, client) -> None:
    org = await make_org()
    await Person.update({Person.language: "nn"}).where(Person.id == org.handler)
    await task_to(settings, person=org.handler, sender=org.leader, title="Les")
    await login(client, org.handler)
    page = await client.get("/oppgaver")
    assert "<h1>Mottekne oppgåver</h1>" in page.text
    assert "Sende oppgåver" in page.text and "Oppgåve" in page.text


async def test_others_may_not_take_and_do_not_learn_the_title(settings, client) -> None:
    org = await make_org()
    task_id = await task_to(settings, role=roles.ARKIV, sender=org.handler, title="Hemmelig tittel")
    await login(client, org.outsider)
    for headers in (csrf(client), {**csrf(client), **HX}):
        refused = await client.post(f"/oppgaver/{task_id}/ta", data={"version": "1"}, headers=headers)
        assert refused.status_code == 403
        assert "Hemmelig tittel" not in refused.text
    assert await state_of(task_id) == "open"
    assert (
        await client.post("/oppgaver/999999/ta", data={"version": "1"}, headers=csrf(client))
    ).status_code == 404


async def test_the_card_for_one_kind_counts_the_filtered_inbox(settings, client) -> None:
    # A plugin's role card (?oppgavetype=): the user's open tasks of that kind, earliest frist
    # first, and a link to the inbox filtered the same way, which has the same count.
    org = await make_org()
    await task_to(settings, person=org.handler, sender=org.leader, title="Vanlig oppgave")
    await task_to(
        settings,
        person=org.handler,
        kind="dummy_plugin.check",
        title="Sjekk seint",
        due=today() + timedelta(days=9),
    )
    await task_to(
        settings,
        person=org.handler,
        kind="dummy_plugin.check",
        title="Sjekk forfalt",
        due=today() - timedelta(days=2),
    )
    await login(client, org.handler)
    card = await client.get("/oppgaver/kort?oppgavetype=dummy_plugin.check", headers=HX)
    assert card.status_code == 200
    text = card.text
    assert "2 oppgaver venter" in text and "Vanlig oppgave" not in text
    assert text.index("Sjekk forfalt") < text.index("Sjekk seint")
    assert "Forfalt" in text
    assert 'hx-get="/oppgaver/kort?oppgavetype=dummy_plugin.check"' in text
    assert '<a href="/oppgaver?oppgavetype=dummy_plugin.check&amp;sorter=frist">' in text
    inbox = await client.get("/oppgaver?oppgavetype=dummy_plugin.check&sorter=frist")
    assert inbox.text.count('<a href="/oppgaver/') - inbox.text.count('<a href="/oppgaver/sendte') >= 2
    assert "Vanlig oppgave" not in inbox.text
    # An unknown kind is the plain card.
    plain = await client.get("/oppgaver/kort?oppgavetype=finst.ikkje", headers=HX)
    assert "3 oppgaver venter" in plain.text


async def test_the_inbox_remembers_the_sort_chosen_last(settings, client) -> None:
    org = await make_org()
    await task_to(settings, person=org.deputy, sender=org.handler, title="Første")
    await task_to(settings, person=org.deputy, sender=org.handler, title="Andre")
    await login(client, org.deputy)
    newest = (await client.get("/oppgaver")).text
    assert newest.index("Andre") < newest.index("Første")
    await client.get("/oppgaver?sorter=eldste", headers=HX)
    oldest = (await client.get("/oppgaver")).text  # the menu link, without a sort
    assert oldest.index("Første") < oldest.index("Andre")
    assert '<option value="eldste" selected>' in oldest
    assert (await client.get("/oppgaver?sorter=tull")).status_code == 200  # the default, not stored
    assert '<option value="eldste" selected>' in (await client.get("/oppgaver")).text


def tall(text: str, key: str) -> int | None:
    found = re.search(rf'data-tall="{key}" data-verdi="(\d+)"', text)
    return int(found.group(1)) if found else None


async def test_the_kind_card_counts_the_deputys_leader_and_what_is_overdue(settings, client) -> None:
    """The deputy acts on the absent leader's tasks, so the kind's card (the leader's section)
    counts them with the deputy's own, as the inbox filtered to the kind lists them (own, then
    "Som stedfortreder", each with its total); a withdrawn task and another kind do not count."""
    org = await make_org()
    kind = "dummy_plugin.check"
    late = today() - timedelta(days=1)
    await task_to(
        settings, person=org.deputy, kind=kind, title="Til Stian selv", due=today() + timedelta(days=3)
    )
    await task_to(settings, person=org.leader, kind=kind, title="Til Lise, forfalt", due=late, object_id=1)
    await task_to(settings, person=org.leader, kind=kind, title="Til Lise uten frist", object_id=2)
    await task_to(settings, person=org.leader, sender=org.handler, title="Annen type til Lise")
    gone = await task_to(settings, person=org.leader, kind=kind, title="Trukket", object_id=3)
    await Task.update({Task.state: "withdrawn"}).where(Task.id == gone)
    await task_to(settings, person=org.chief, kind=kind, title="Til Rita", object_id=4)

    await login(client, org.deputy)
    card = (await client.get(f"/oppgaver/kort?oppgavetype={kind}", headers=HX)).text
    assert (tall(card, "totalt"), tall(card, "stedfortreder"), tall(card, "forfalt")) == (3, 2, 1)
    assert "3 oppgaver venter" in card and "2 av dem som stedfortreder" in card
    assert "1 har passert fristen" in card
    assert card.index("Til Lise, forfalt") < card.index("Til Stian selv") < card.index("Til Lise uten frist")
    assert "Til Rita" not in card and "Trukket" not in card and "Annen type" not in card
    inbox = (await client.get(f"/oppgaver?oppgavetype={kind}&sorter=frist")).text
    assert "Oppgaver til deg (1–1 av 1)" in inbox
    assert re.search(r'id="stedfortreder-overskrift">Som stedfortreder \(2 oppgaver\)</h2>', inbox)

    await login(client, org.leader)  # the leader sees the same tasks as her own
    card = (await client.get(f"/oppgaver/kort?oppgavetype={kind}", headers=HX)).text
    assert (tall(card, "totalt"), tall(card, "stedfortreder"), tall(card, "forfalt")) == (2, None, 1)

    await login(client, org.handler)  # nothing of the kind: the empty card, and the link
    card = (await client.get(f"/oppgaver/kort?oppgavetype={kind}", headers=HX)).text
    assert tall(card, "totalt") is None and "Ingen oppgaver av denne typen venter." in card
