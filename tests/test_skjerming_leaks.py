"""No restricted title or name reaches a person without the tilgangskode: every GET page and
htmx fragment of the router (route enumeration, so a new page is covered the day it is added),
every export and every mail the jobs write.

A restricted case (code KL) of the home unit, with a restricted incoming post, an external sender
and a document, carries unique marker strings in its titles, the sender's name and the document
title. Its handler (``saksbehandler``, without code KL) is involved and may see it; the post is an
open restanse of theirs. The markers are searched for in what ``uten_kode`` (a handler of the
same unit, no code) and ``admin`` (every admin page, no code) get, pages and fragments, with the
restricted ids in every path; and in every outbox mail and restanse mail to someone neither
holding code KL nor involved. They do appear for Fellestjenesten/Arkiv, so the test cannot pass
by showing nothing.
"""

from __future__ import annotations

import io
import itertools
import zipfile
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from core.app import create_app
from core.jobs import run_job
from core.runtime import build_runtime
from core.settings import Settings
from core.tables import MailMessage, Person
from core.timeutil import OSLO, today
from tests.support import factories
from tests.support.factories import make_case, make_document, make_part, make_post
from tests.support.route_matrix import (
    SESSION_CHANGING,
    UNSAFE,
    World,
    app_routes,
    build_world,
    codes_of,
    signed_in,
)

pytestmark = pytest.mark.anyio

CASE_TITLE = "Skjermsak-Markør-7Q1"
POST_TITLE = "Skjermpost-Markør-7Q2"
SENDER = "Skjermnavn-Markør-7Q3"
DOCUMENT = "Skjermdok-Markør-7Q4"
MARKERS = (CASE_TITLE, POST_TITLE, SENDER, DOCUMENT)
CODE = "KL"
WITHOUT_CODE = ("uten_kode", "admin")


@dataclass
class Restricted:
    world: World
    ids: dict[str, int | str]


@pytest.fixture(scope="module")
def restricted(base_settings: Settings) -> Restricted:
    import asyncio

    world = build_world(base_settings)

    async def add() -> dict[str, int | str]:
        # The factories number cases and posts from 1, which the demo's numbers already use.
        factories._seq = itertools.count(900_000)
        home = int(world.ids["home_unit"])
        uten_kode = world.people["uten_kode"]
        assert uten_kode is not None and not await codes_of(uten_kode)
        handler = world.people["saksbehandler"]
        assert handler is not None and CODE not in await codes_of(handler)
        case = await make_case(
            f"Barnevernssak {CASE_TITLE}",
            offentlig_tittel="Barnevernssak *****",
            unit=home,
            saksansvarlig=handler,
            saksaar=today().year,
            tilgangsrestriksjon=CODE,
        )
        post = await make_post(
            case,
            f"Søknad om permisjon {POST_TITLE}",
            offentlig_tittel="Søknad om permisjon *****",
            unit=home,
            saksbehandler=handler,
            tilgangsrestriksjon=CODE,
            journaldato=today() - timedelta(days=40),
        )
        await make_part(post, SENDER)
        restanse = await make_part(
            post,
            "Sara Skjermfri",
            korrespondanseparttype="IM",
            intern=True,
            unit=home,
            saksbehandler=handler,
        )
        document, versions = await make_document(
            base_settings, post, [f"%PDF-1.7 {DOCUMENT}".encode()], tittel=f"Søknad {DOCUMENT}"
        )
        return {
            "case": case,
            "post": post,
            "draft_post": post,
            "document": document,
            "changed_document": document,
            "version": versions[0],
            "first_version": versions[0],
            "second_version": versions[0],
            "restanse": restanse,
        }

    return Restricted(world, asyncio.run(add()))


def texts(body: bytes) -> str:
    """The text of a response: an XLSX (zip) is unpacked, everything else decoded."""
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return body.decode("utf-8", "replace")


def leaks(text: str) -> list[str]:
    return [m for m in MARKERS if m in text]


def search_term(marker: str) -> str:
    """What a user searches for: the tail of a marker (``Markør-7Q1``), which matches the title
    but, echoed back in the search field, is not the whole marker."""
    return marker.split("-", 1)[1]


def extra_urls(ids: dict[str, int | str]) -> list[str]:
    """Searches and filters that would list the restricted records, and the exports in both formats."""
    urls = []
    for marker in MARKERS:
        part = search_term(marker)
        urls += [f"/arkiv/sok?q={part}", f"/arkiv/saker?q={part}", f"/arkiv/saker/velg?q={part}"]
    for export in ("/restanse/eksport", "/restanse/enhet/eksport", "/restanse/oppfolging/eksport"):
        urls += [f"{export}?format=csv", f"{export}?format=xlsx"]
    urls += ["/admin/hendelseslogg/eksport?format=xlsx", "/admin/hendelseslogg/eksport.csv"]
    urls += [f"/restanse/enhet/liste?enhet={ids['home_unit']}", f"/restanse/enhet?enhet={ids['home_unit']}"]
    return urls


async def test_no_page_fragment_or_export_shows_a_restricted_title_to_someone_without_the_code(
    base_settings: Settings, restricted: Restricted
) -> None:
    world = restricted.world
    app = create_app(base_settings)
    gets = [t for m, t in app_routes(app) if m not in UNSAFE and t not in SESSION_CHANGING]
    found: list[str] = []
    async with AsyncExitStack() as stack:
        clients = await signed_in(stack, app, world)
        # The archive service sees the markers: the pages below are the ones that show them.
        archive = clients["arkiv"]
        case_page = await archive.get(f"/arkiv/sak/{restricted.ids['case']}")
        post_page = await archive.get(f"/arkiv/journalpost/{restricted.ids['post']}")
        assert case_page.status_code == post_page.status_code == 200
        assert CASE_TITLE in case_page.text and POST_TITLE in post_page.text and SENDER in post_page.text
        assert DOCUMENT in post_page.text
        assert CASE_TITLE in (await archive.get(f"/arkiv/sok?q={search_term(CASE_TITLE)}")).text
        file = await archive.get(f"/arkiv/dokument/{restricted.ids['version']}/fil")
        assert DOCUMENT.encode() in file.content

        for persona in WITHOUT_CODE:
            client = clients[persona]
            person = world.people[persona]
            assert person is not None and CODE not in await codes_of(person)
            urls = [world.url(t, persona, ids=restricted.ids) for t in gets] + extra_urls(world.ids)
            seen_restricted = False
            for url in urls:
                for headers in ({}, {"HX-Request": "true"}):
                    response = await client.get(url, headers=headers)
                    body = texts(response.content)
                    if "*****" in body:
                        seen_restricted = True
                    if leaked := leaks(body):
                        found.append(f"GET {url} {headers} as {persona} ({response.status_code}): {leaked}")
            if persona == "uten_kode":
                # Not vacuous: the restricted post is there, under its public title.
                assert seen_restricted, "uten_kode never saw the restricted post under its public title"
    assert not found, "\n".join(found)


async def test_no_mail_tells_a_restricted_title_to_someone_without_the_code(
    base_settings: Settings, restricted: Restricted
) -> None:
    """Every job run now (restanse mails and reminders, fordeling's leader mails, task reminders,
    onboarding) and the restanse mail run prepared again: the outbox and the mail run's texts."""
    from plugins.restanse.services import mailing
    from plugins.restanse.tables import MailItem

    runtime = build_runtime(base_settings)
    slot = datetime.now(OSLO).replace(second=0, microsecond=0)
    jobs = [job for batch in runtime.pm.hook.register_jobs() for job in batch or ()]
    assert len(jobs) >= 5, [j.name for j in jobs]
    for job in jobs:
        await run_job(runtime, job, slot)
    from core.auth.user import load_user

    archive = await load_user(int(restricted.world.people["arkiv"] or 0))
    assert archive is not None
    await mailing.prepare(
        base_settings, archive, rapportdato=today(), frist=today() + timedelta(days=14), terskel=1
    )

    people = {r["email"]: r["id"] for r in await Person.select(Person.id, Person.email)}
    involved = restricted.world.people["saksbehandler"]
    without = {pid for pid in people.values() if CODE not in await codes_of(pid) and pid != involved}
    found: list[str] = []
    mails = await MailMessage.select(
        MailMessage.to_address, MailMessage.subject, MailMessage.body_text, MailMessage.body_html
    )
    assert mails, "the jobs wrote no mail"
    for mail in mails:
        if people.get(mail["to_address"]) in without:
            text = f"{mail['subject']}\n{mail['body_text']}\n{mail['body_html']}"
            if leaked := leaks(text):
                found.append(f"mail to {mail['to_address']}: {mail['subject']!r} {leaked}")
    items = await MailItem.select(MailItem.person, MailItem.emne, MailItem.tekst)
    assert any(i["person"] == involved for i in items), (
        "the handler got no restanse mail (the test would be vacuous)"
    )
    for item in items:
        if item["person"] in without and (leaked := leaks(f"{item['emne']}\n{item['tekst']}")):
            found.append(f"restanse mail to person {item['person']}: {leaked}")
    assert not found, "\n".join(found)
