"""Godkjenning's pages with a real app: the handler's overview and send form, the approver's
task page and decision, the round page, withdraw, dispatch, the chain templates; plain forms
(no JavaScript) and errors that keep what was typed."""

from __future__ import annotations

import re
from typing import Any

import pytest

from core.archive.tables import Journalpost
from core.tasks.tables import Task
from plugins.godkjenning.services import kinds
from tests.core.archive.service_org import make_org, outgoing, own_case
from tests.support.factories import csrf, login

pytestmark = pytest.mark.anyio


async def version(post_id: int) -> int:
    row = await Journalpost.select(Journalpost.version).where(Journalpost.id == post_id).first()
    return int(row["version"])


async def task_of(person_id: int, post_id: int, kind: str = kinds.TIL_GODKJENNING) -> dict[str, Any]:
    row = (
        await Task.select()
        .where(
            (Task.receiver_person == person_id)
            & (Task.object_id == str(post_id))
            & (Task.kind == kind)
            & Task.state.is_in(["open", "taken"])
        )
        .first()
    )
    assert row is not None
    return row


async def test_send_decide_and_dispatch_through_the_pages(client, settings) -> None:
    org = await make_org()
    post = await outgoing(settings, org, await own_case(settings, org), tittel="Svar til Ola")
    await login(client, org.handler)
    overview = await client.get("/godkjenning")
    assert overview.status_code == 200 and f"/godkjenning/send/{post}" in overview.text
    form = await client.get(f"/godkjenning/send/{post}")
    assert form.status_code == 200 and "Godkjenningskjede" in form.text
    # The acting leader is the default approver: the deputy, while the leader is away.
    assert re.search(rf'<option value="{org.deputy}" selected>', form.text)
    refused = await client.post(
        f"/godkjenning/send/{post}",
        data={
            "version": str(await version(post)),
            "steg-1-godkjenner": str(org.handler),
            "melding": "Se på dette",
        },
        headers=csrf(client),
    )
    assert refused.status_code == 422 and "egen journalpost" in refused.text and "Se på dette" in refused.text
    sent = await client.post(
        f"/godkjenning/send/{post}",
        data={
            "version": str(await version(post)),
            "steg-1-navn": "Leder",
            "steg-1-godkjenner": str(org.leader),
        },
        headers=csrf(client),
    )
    assert sent.status_code == 303
    round_page = await client.get(sent.headers["location"])
    assert round_page.status_code == 200 and "Til godkjenning" in round_page.text

    await login(client, org.leader)
    task = await task_of(org.leader, post)
    page = await client.get(f"/godkjenning/oppgave/{task['id']}")
    assert page.status_code == 200
    assert "Svar til Ola" in page.text and 'name="utfall"' in page.text
    assert "Last opp ny versjon" in page.text  # the approver may change the documents
    missing = await client.post(
        f"/godkjenning/oppgave/{task['id']}/behandle",
        data={"version": str(task["version"]), "utfall": "I"},
        headers=csrf(client),
    )
    assert missing.status_code == 422 and "Skriv hva som må rettes" in missing.text
    done = await client.post(
        f"/godkjenning/oppgave/{task['id']}/behandle",
        data={"version": str(task["version"]), "utfall": "G", "kommentar": "Fint."},
        headers=csrf(client),
    )
    assert done.status_code == 303
    again = await client.post(
        f"/godkjenning/oppgave/{task['id']}/behandle",
        data={"version": str(task["version"]), "utfall": "G"},
        headers=csrf(client),
    )
    assert again.status_code == 409, again.text
    assert "Lise Leder har allerede behandlet oppgaven (godkjent)." in again.text

    await login(client, org.handler)
    dispatch = await task_of(org.handler, post, kinds.TIL_EKSPEDERING)
    page = await client.get(f"/godkjenning/oppgave/{dispatch['id']}")
    assert "Ekspeder journalposten" in page.text
    round_version = re.search(r'name="round_version" value="(\d+)"', page.text)
    assert round_version
    shipped = await client.post(
        f"/godkjenning/oppgave/{dispatch['id']}/ekspeder",
        data={"round_version": round_version.group(1)},
        headers=csrf(client),
    )
    assert shipped.status_code == 303
    row = await Journalpost.select(Journalpost.journalstatus).where(Journalpost.id == post).first()
    assert row["journalstatus"] == "E"


async def test_outsiders_get_403(client, settings) -> None:
    org = await make_org()
    post = await outgoing(settings, org, await own_case(settings, org))
    await login(client, org.handler)
    await client.post(
        f"/godkjenning/send/{post}",
        data={"version": str(await version(post)), "steg-1-godkjenner": str(org.leader)},
        headers=csrf(client),
    )
    task = await task_of(org.leader, post)
    await login(client, org.oko_handler)
    assert (await client.get(f"/godkjenning/oppgave/{task['id']}")).status_code == 403
    response = await client.post(
        f"/godkjenning/oppgave/{task['id']}/behandle",
        data={"version": str(task["version"]), "utfall": "G"},
        headers=csrf(client),
    )
    assert response.status_code == 403


async def test_chain_templates(client, settings) -> None:
    org = await make_org()
    await login(client, org.leader)
    page = await client.get("/godkjenning/kjeder")
    assert page.status_code == 200 and "Ny kjede" in page.text
    saved = await client.post(
        "/godkjenning/kjeder",
        data={
            "navn": "Leder og økonomisjef",
            "steg-1-navn": "Avdelingsleder",
            "steg-1-godkjenner": str(org.leader),
            "steg-2-navn": "Økonomi",
            "steg-2-godkjenner": str(org.oko_leader),
        },
        headers=csrf(client),
    )
    assert saved.status_code == 303
    listed = (await client.get("/godkjenning/kjeder")).text
    assert "Leder og økonomisjef" in listed and "Ola Økonomisjef" in listed
    await login(client, org.handler)
    form = await client.get("/godkjenning/kjeder")
    assert "Ny kjede" not in form.text  # only leaders keep the unit's chains


async def test_the_archive_service_keeps_chains_of_its_own_unit_or_a_named_one(client) -> None:
    """Fellestjenesten/Arkiv leads no unit: without ``enhet`` its chain is its own unit's (the
    one the page lists), a named unit must exist (was a 500: unit 0 broke the foreign key), and
    someone who neither leads nor is the archive service is refused."""
    org = await make_org()
    await login(client, org.archivist)
    steps = {"steg-1-navn": "Leder", "steg-1-godkjenner": str(org.leader)}
    saved = await client.post(
        "/godkjenning/kjeder", data={"navn": "Arkivets kjede", **steps}, headers=csrf(client)
    )
    assert saved.status_code == 303
    assert "Arkivets kjede" in (await client.get("/godkjenning/kjeder")).text
    missing = await client.post(
        "/godkjenning/kjeder",
        data={"navn": "Feil enhet", "enhet": "2147483647", **steps},
        headers=csrf(client),
    )
    assert missing.status_code == 404 and "Fant ingen enhet" in missing.text
    await login(client, org.handler)
    refused = await client.post(
        "/godkjenning/kjeder", data={"navn": "Ikke min", **steps}, headers=csrf(client)
    )
    assert refused.status_code == 403
