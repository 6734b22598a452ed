"""Every route of the app, filled with real ids of the demo organisation, requested as every
kind of person: the support of ``tests/test_authorization_matrix.py``, ``tests/test_csrf.py``
and ``tests/test_skjerming_leaks.py``.

* :func:`app_routes` enumerates ``(method, template)`` from ``app.routes`` (HEAD and OPTIONS
  left out; ``{saksmappe_id:int}`` written ``{saksmappe_id}``), so a route is covered the day
  it is added.
* :func:`build_world` empties the test database, loads ``arkivrutiner demo-data`` in process
  (``core.demo.populate``) and adds what the demo lacks: an admin who is only admin, a handler
  without tilgangskoder, a deputy whose period has not started, spare rows that the admin
  routes may change without touching a persona (a unit, a person, deputy periods), a task
  waiting for a deactivated person and a restanse mail run. The home unit is ADV-V
  (Kommuneadvokaten, the demo's first unit): its leader is away with a deputy today, and the
  godkjenning chain, the onboarding forms and a training follow-up are there.
* :meth:`World.url` fills a template with the id of the right kind (``ROUTE_IDS`` per route,
  ``PARAM_IDS`` per parameter name).
"""

from __future__ import annotations

import asyncio
import csv
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from core import roles
from core.archive import fordeling_spans
from core.archive.tables import Dokumentbeskrivelse, Dokumentobjekt, Journalpost, Saksmappe, Tilgang
from core.db import app_registry
from core.settings import Settings
from core.tables import AuditEvent, DeputyPeriod, Leadership, MailMessage, Person, PersonRole, Unit
from core.tasks.tables import Task
from core.timeutil import now, today
from tests.support import db as dbsupport
from tests.support.factories import (
    login,
    make_case,
    make_deputy,
    make_document,
    make_part,
    make_person,
    make_unit,
)
from tests.support.routes import app_routes as route_infos

MATRIX_FILE = Path(__file__).parents[1] / "authorization_matrix.csv"
Key = tuple[str, str]
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HOME_UNIT = "ADV-V"
OTHER_UNIT = "TDR"

PERSONAS = (
    "anonym",
    "saksbehandler",
    "uten_kode",
    "leder",
    "stedfortreder",
    "stedfortreder_senere",
    "leder_annen",
    "saksbehandler_annen",
    "arkiv",
    "lonn",
    "ikt",
    "admin",
)
"""The columns of the matrix. ``saksbehandler``, ``uten_kode``, ``leder`` and ``stedfortreder``
belong to the home unit (ADV-V); ``uten_kode`` holds no tilgangskode, ``saksbehandler`` holds
code 5 as ADV-V's handlers do, ``leder`` P; ``stedfortreder`` acts for ``leder`` today;
``stedfortreder_senere`` (in GDO) is registered as ``leder``'s deputy from 20 days on;
``leder_annen`` and ``saksbehandler_annen`` are of TDR; ``arkiv``, ``lonn``, ``ikt`` and
``admin`` hold that role only (``arkiv`` all codes)."""

# A route whose parameters need ids other than the default of their name, or a query string.
ROUTE_IDS: dict[str, str] = {
    "/admin/oppgaver/{task_id}/gi": "/admin/oppgaver/{orphan_task}/gi",
    "/godkjenning/oppgave/{task_id}": "/godkjenning/oppgave/{approval_task}",
    "/godkjenning/oppgave/{task_id}/behandle": "/godkjenning/oppgave/{approval_task}/behandle",
    "/godkjenning/oppgave/{task_id}/ekspeder": "/godkjenning/oppgave/{approval_task}/ekspeder",
    "/godkjenning/oppgave/{task_id}/send-paa-nytt": "/godkjenning/oppgave/{approval_task}/send-paa-nytt",
    "/godkjenning/send/{journalpost_id}": "/godkjenning/send/{draft_post}",
    "/onboarding/oppgave/{task_id}": "/onboarding/oppgave/{onboarding_task}",
    "/onboarding/oppgave/{task_id}/ta": "/onboarding/oppgave/{onboarding_task}/ta",
    "/onboarding/oppgave/{task_id}/utfor": "/onboarding/oppgave/{onboarding_task}/utfor",
    "/onboarding/oppgave/{task_id}/returner": "/onboarding/oppgave/{onboarding_task}/returner",
    "/onboarding/opplaering/oppgave/{task_id}": "/onboarding/opplaering/oppgave/{training_task}",
    "/onboarding/opplaering/ny": "/onboarding/opplaering/ny?person={handler}",
    "/onboarding/sjekkliste/{person_id}": "/onboarding/sjekkliste/{leaver}",
    "/onboarding/sjekkliste/{person_id}/flytt": "/onboarding/sjekkliste/{leaver}/flytt?til={home_leader}",
    "/onboarding/sjekkliste/{person_id}/begrunnelse": "/onboarding/sjekkliste/{leaver}/begrunnelse",
    "/arkiv/dokument/{dokumentbeskrivelse_id}/endringer": (
        "/arkiv/dokument/{changed_document}/endringer?fra={first_version}&til={second_version}"
    ),
    "/restanse/enhet/liste": (
        "/restanse/enhet/liste?enhet={home_unit}&typer=I&typer=N&liste_enhet={home_unit}&hvem=ingen"
    ),
    "/fravaer/{period_id}/avlys": "/fravaer/{absence_period}/avlys",
    "/admin/stedfortredere/{period_id}/slett": "/admin/stedfortredere/{spare_period}/slett",
    "/arkiv/dokument/{dokumentobjekt_id}/vis": "/arkiv/dokument/{queue_pdf}/vis",
    "/fordeling/dokument/{korrespondansepart_id}": "/fordeling/dokument/{queue_part}",
    "/static/core/{file_path}": "/static/core/app.js",
    "/static/dummy-extra/{file_path}": "/static/dummy-extra/dummy.css",
    "/static/dummy_plugin/{file_path}": "/static/dummy_plugin/dummy.css",
    "/static/fordeling/{file_path}": "/static/fordeling/fordeling.css",
    "/static/restanse/{file_path}": "/static/restanse/restanse.css",
    "/{rest}": "/finnes-ikke",
}
PARAM_IDS: dict[str, str] = {
    "saksmappe_id": "case",
    "journalpost_id": "post",
    "dokumentbeskrivelse_id": "document",
    "dokumentobjekt_id": "version",
    "task_id": "task",
    "person_id": "spare_person",
    "unit_id": "spare_unit",
    "message_id": "message",
    "name": "job",
    "run_id": "mail_run",
    "item_id": "mail_item",
    "round_id": "round",
    "template_id": "chain",
    "skjema_id": "form",
    "follow_up_id": "follow_up",
    "korrespondansepart_id": "restanse",
}


def app_routes(app: Any) -> list[tuple[str, str]]:
    """Every ``(method, template)`` the router knows (:func:`tests.support.routes.app_routes`),
    sorted by template then method."""
    found = {(route.method, route.template) for route in route_infos(app)}
    return sorted(found, key=lambda r: (r[1], r[0]))


@dataclass
class World:
    """The built organisation: persona -> person id (None: signed out), and named ids."""

    people: dict[str, int | None]
    ids: dict[str, int | str]
    per_persona: dict[str, dict[str, int]] = field(default_factory=dict)
    """Ids of rows that a request may remove: name -> persona -> id."""

    def url(self, template: str, persona: str = "anonym", ids: dict[str, int | str] | None = None) -> str:
        """The template filled with real ids (of ``persona``'s own row where the request may
        remove it); a parameter without one raises KeyError telling where to add it."""
        values: dict[str, int | str] = {k: v[persona] for k, v in self.per_persona.items()}
        values.update(self.ids)
        values.update(ids or {})
        path = ROUTE_IDS.get(template, template)
        out, rest = "", path
        while "{" in rest:
            head, _, tail = rest.partition("{")
            name, _, after = tail.partition("}")
            key = name if name in values else PARAM_IDS.get(name, name)
            if key not in values:
                raise KeyError(
                    f"{template}: no id for {{{name}}}. Add the route to ROUTE_IDS or the parameter "
                    "to PARAM_IDS in tests/support/route_matrix.py, with a real row made in build_world."
                )
            out += head + str(values[key])
            rest = after
        return out + rest


async def _one(query: Any, what: str) -> dict[str, Any]:
    row = await query.first()
    assert row is not None, f"the demo data has no {what}"
    return dict(row)


async def _with_role(role: str) -> int:
    row = await _one(
        PersonRole.select(PersonRole.person).where(PersonRole.role == role).order_by(PersonRole.person),
        f"person with role {role}",
    )
    return int(row["person"])


async def _handler_of(unit: int, leader: int, exclude: set[int]) -> int:
    rows = (
        await Person.select(Person.id)
        .where((Person.unit == unit) & (Person.active.eq(True)))
        .order_by(Person.id)
    )
    for row in rows:
        if row["id"] != leader and row["id"] not in exclude:
            return int(row["id"])
    raise AssertionError(f"no handler in unit {unit}")


async def _build(settings: Settings) -> World:
    from core.demo import populate

    await dbsupport.empty_all_tables(settings)
    await populate(settings)
    home = int((await _one(Unit.select(Unit.id).where(Unit.code == HOME_UNIT), HOME_UNIT))["id"])
    other = int((await _one(Unit.select(Unit.id).where(Unit.code == OTHER_UNIT), OTHER_UNIT))["id"])
    gdo = int((await _one(Unit.select(Unit.id).where(Unit.code == "GDO"), "GDO"))["id"])
    suv = int((await _one(Unit.select(Unit.id).where(Unit.code == "SUV"), "SUV"))["id"])
    leader = int(
        (await _one(Leadership.select(Leadership.person).where(Leadership.unit == home), "leader"))["person"]
    )
    deputy_row = await _one(
        DeputyPeriod.select(DeputyPeriod.deputy).where(
            (DeputyPeriod.unit == home) & (DeputyPeriod.starts <= today()) & (DeputyPeriod.ends >= today())
        ),
        f"deputy period running today in {HOME_UNIT}",
    )
    deputy = int(deputy_row["deputy"])
    role_holders = {await _with_role(r) for r in (roles.ARKIV, roles.LONN, roles.IKT)}
    handler = await _handler_of(home, leader, {deputy} | role_holders)
    other_leader = int(
        (await _one(Leadership.select(Leadership.person).where(Leadership.unit == other), "leader"))["person"]
    )
    other_handler = await _handler_of(other, other_leader, role_holders)
    archive_only = [
        r["person"]
        for r in await PersonRole.select(PersonRole.person).where(PersonRole.role == roles.ARKIV)
        if await PersonRole.count().where(PersonRole.person == r["person"]) == 1
    ]
    assert archive_only, "the demo data has no person with role arkiv only"

    uten_kode = await make_person(name="Sara Skjermfri", unit=home)
    later = await make_person(name="Frida Framtid", unit=gdo)
    admin = await make_person(name="Adam Admin", unit=suv, roles=(roles.ADMIN,))
    spare_person = await make_person(name="Per Reserve", unit=home)
    spare_unit = await make_unit(code="RESERVE", name="Reserveenheten")
    start = today()
    await make_deputy(home, leader, later, start + timedelta(days=20), start + timedelta(days=30))
    # Rows a persona's request may remove: one each, so what one persona removes is not what
    # the next is refused for.
    from plugins.godkjenning.tables import ChainTemplate, Round

    per_persona: dict[str, dict[str, int]] = {"absence_period": {}, "spare_period": {}, "chain": {}}
    for n, persona in enumerate(PERSONAS):
        days = start + timedelta(days=40 + 3 * n)
        per_persona["absence_period"][persona] = await make_deputy(home, leader, later, days, days)
        per_persona["spare_period"][persona] = await make_deputy(
            other, other_leader, other_handler, days, days
        )
        template = ChainTemplate(unit=home, name=f"Kjede for {persona}", created_by=leader, created=now())
        await template.save()
        per_persona["chain"][persona] = int(template.id)
    gone = await make_person(name="Gunnar Gått", unit=home, active=False)

    # The case, post and document of the home unit's handler (not restricted), with a version.
    case = await _one(
        Saksmappe.select(Saksmappe.id)
        .where(
            (Saksmappe.administrativ_enhet == home)
            & (Saksmappe.tilgangsrestriksjon == "")
            & (Saksmappe.saksstatus == "B")
        )
        .order_by(Saksmappe.id),
        f"open, unrestricted case in {HOME_UNIT}",
    )
    post = await _one(
        Journalpost.select(Journalpost.id)
        .where((Journalpost.saksmappe == case["id"]) & (Journalpost.tilgangsrestriksjon == ""))
        .order_by(Journalpost.id),
        "post in the case",
    )
    document = await _one(
        Dokumentbeskrivelse.select(Dokumentbeskrivelse.id).where(
            Dokumentbeskrivelse.journalpost == post["id"]
        ),
        "document of the post",
    )
    version = await _one(
        Dokumentobjekt.select(Dokumentobjekt.id).where(Dokumentobjekt.dokumentbeskrivelse == document["id"]),
        "version of the document",
    )
    # An own post of the home unit not yet journalført, as one sent for approval.
    draft = await _one(
        Journalpost.select(Journalpost.id)
        .where(
            (Journalpost.administrativ_enhet == home)
            & (Journalpost.journalposttype == "U")
            & Journalpost.journalstatus.is_in(["R", "F"])
        )
        .order_by(Journalpost.id),
        f"U post in R or F in {HOME_UNIT}",
    )
    second_query = (
        Dokumentobjekt.select(Dokumentobjekt.id, Dokumentobjekt.dokumentbeskrivelse)
        .where(
            (Dokumentobjekt.versjonsnummer == 2)
            & (Dokumentobjekt.dokumentbeskrivelse.journalpost.tilgangsrestriksjon == "")
            & (Dokumentobjekt.dokumentbeskrivelse.journalpost.administrativ_enhet == home)
        )
        .order_by(Dokumentobjekt.id)
    )
    if await second_query.first() is None:
        # The demo draws its documents from the day's seed; on some days the home unit has no
        # unrestricted document in two versions. Give the handler's document a second one.
        first_version = await Dokumentobjekt.select().where(Dokumentobjekt.id == version["id"]).first()
        assert first_version is not None
        row = {k: v for k, v in first_version.items() if k != "id"}
        row.update(system_id=f"{row['system_id']}-matrise-v2", versjonsnummer=2)
        await Dokumentobjekt.insert(Dokumentobjekt(**row))
    second = await _one(second_query, f"unrestricted document with two versions in {HOME_UNIT}")
    first = await _one(
        Dokumentobjekt.select(Dokumentobjekt.id).where(
            (Dokumentobjekt.dokumentbeskrivelse == second["dokumentbeskrivelse"])
            & (Dokumentobjekt.versjonsnummer == 1)
        ),
        "first version",
    )
    # A post waiting in the home unit's queue Til fordeling (a new case), a PDF its main document.
    queue_case = await make_case(
        "Søknad om skjenkebevilling", saksaar=today().year, sekvens=990_001, saksstatus="B"
    )
    queue_post_row = Journalpost(
        system_id="matrise-til-fordeling",
        saksmappe=queue_case,
        journalaar=today().year,
        journalsekvensnummer=990_001,  # beyond the demo's numbers
        journalpostnummer=1,
        journalposttype="I",
        journalstatus="J",
        tittel="Søknad om skjenkebevilling",
        journaldato=today(),
        mottatt_dato=now(),
        opprettet_dato=now(),
    )
    await queue_post_row.save()
    queue_post = int(queue_post_row.id)
    queue_part = await make_part(queue_post, "ADV-V", korrespondanseparttype="IM", intern=True, unit=home)
    await fordeling_spans.refresh_posts([queue_post])  # as the write side does
    _queue_doc, [queue_pdf] = await make_document(settings, queue_post, [b"%PDF-1.7 Skjenkebevilling"])
    home_people = [r["id"] for r in await Person.select(Person.id).where(Person.unit == home)]
    task = await _one(
        Task.select(Task.id)
        .where(
            (Task.kind == "core.oppgave") & Task.receiver_person.is_in(home_people) & (Task.state == "open")
        )
        .order_by(Task.id),
        f"open core task to someone in {HOME_UNIT}",
    )
    approval = await _one(
        Task.select(Task.id, Task.object_id)
        .where(
            (Task.kind == "godkjenning.til_godkjenning")
            & (Task.receiver_person == leader)
            & (Task.state == "open")
        )
        .order_by(Task.id),
        "approval task to the home leader",
    )
    from plugins.onboarding.tables.forms import OnboardingForm
    from plugins.onboarding.tables.training import TrainingFollowUp

    round_row = await _one(
        Round.select(Round.id).where(Round.journalpost == int(approval["object_id"])), "round of the task"
    )
    leaving = await _one(
        OnboardingForm.select(OnboardingForm.id, OnboardingForm.person).where(
            (OnboardingForm.unit == home) & (OnboardingForm.kind == "avgang")
        ),
        "avgang form",
    )
    onboarding_task = await _one(
        Task.select(Task.id)
        .where(
            Task.kind.like("onboarding.%")
            & (Task.kind != "onboarding.training")
            & (Task.state == "open")
            & (Task.object_id == str(leaving["id"]))
        )
        .order_by(Task.id),
        "open onboarding task of the avgang form",
    )
    follow_up = await _one(
        TrainingFollowUp.select(TrainingFollowUp.id, TrainingFollowUp.task).where(
            TrainingFollowUp.unit == home
        ),
        "training follow-up",
    )
    orphan = Task(
        kind="core.oppgave",
        receiver_person=gone,
        sender=leader,
        object_type="saksmappe",
        object_id=str(case["id"]),
        title="Se på saken",
        created=now(),
    )
    await orphan.save()
    message = await _one(MailMessage.select(MailMessage.id).order_by(MailMessage.id), "outbox message")
    # An open restanse of the home unit's handler without a foreløpig svar (its form's route).
    from core.archive.queries.restanse_lists import open_restanser
    from core.archive.queries.restanser import Scope
    from core.archive.queries.visibility import Viewer

    own = await open_restanser(Viewer(person_id=handler, codes=frozenset()), Scope(saksbehandler_id=handler))
    restanse = next((r for r in own.items if r["foreloepig_svar_dato"] is None), None)
    assert restanse is not None, (
        f"the demo data has no restanse of {HOME_UNIT}'s handler without a foreløpig svar"
    )

    from core.auth.user import load_user
    from plugins.restanse.services import mailing
    from plugins.restanse.tables import MailItem

    archive_user = await load_user(int(archive_only[0]))
    assert archive_user is not None
    prepared = await mailing.prepare(
        settings, archive_user, rapportdato=today(), frist=today() + timedelta(days=14)
    )
    item = await _one(
        MailItem.select(MailItem.id).where(MailItem.run == prepared.run_id), "restanse mail item"
    )

    people: dict[str, int | None] = {
        "anonym": None,
        "saksbehandler": handler,
        "uten_kode": uten_kode,
        "leder": leader,
        "stedfortreder": deputy,
        "stedfortreder_senere": later,
        "leder_annen": other_leader,
        "saksbehandler_annen": other_handler,
        "arkiv": int(archive_only[0]),
        "lonn": await _with_role(roles.LONN),
        "ikt": await _with_role(roles.IKT),
        "admin": admin,
    }
    assert set(people) == set(PERSONAS)
    ids: dict[str, int | str] = {
        "home_unit": home,
        "home_leader": leader,
        "other_unit": other,
        "handler": handler,
        "case": case["id"],
        "post": post["id"],
        "document": document["id"],
        "version": version["id"],
        "queue_part": queue_part,
        "queue_pdf": queue_pdf,
        "draft_post": draft["id"],
        "changed_document": second["dokumentbeskrivelse"],
        "first_version": first["id"],
        "second_version": second["id"],
        "task": task["id"],
        "approval_task": approval["id"],
        "onboarding_task": onboarding_task["id"],
        "training_task": follow_up["task"],
        "orphan_task": int(orphan.id),
        "round": round_row["id"],
        "form": leaving["id"],
        "leaver": leaving["person"],
        "follow_up": follow_up["id"],
        "spare_person": spare_person,
        "spare_unit": spare_unit,
        "message": message["id"],
        "job": "dummy_plugin.tick",
        "mail_run": prepared.run_id,
        "mail_item": item["id"],
        "restanse": restanse["korrespondansepart_id"],
    }
    return World(people=people, ids=ids, per_persona=per_persona)


def build_world(settings: Settings) -> World:
    """Empty the test database and build the organisation (a few seconds)."""
    return asyncio.run(_build(settings))


def fingerprint_sql(settings: Settings) -> str:
    """One query whose result changes when any row of the app (sessions left out) is added or
    removed, an event is written to the hendelseslogg, or a task changes."""
    tables = sorted(
        t._meta.tablename
        for config in app_registry(settings).app_configs.values()
        for t in config.table_classes
        if t._meta.tablename != "core_session"
    )
    counts = ", ".join(f'(SELECT count(*) FROM "{name}") AS "{name}"' for name in tables)
    return (
        f"SELECT {counts}, (SELECT coalesce(max(id), 0) FROM core_audit_event) AS last_event, "
        "(SELECT coalesce(sum(version), 0) FROM core_task) AS task_versions"
    )


async def fingerprint(sql: str) -> dict[str, int]:
    rows = await AuditEvent.raw(sql)
    return {k: int(v) for k, v in rows[0].items()}


async def codes_of(person: int) -> set[str]:
    rows = await Tilgang.select(Tilgang.tilgangsrestriksjon).where(Tilgang.person == person)
    return {r["tilgangsrestriksjon"] for r in rows}


def read_matrix() -> tuple[list[str], dict[Key, dict[str, int]]]:
    """The comment lines (``#``) and the table: (method, path) -> persona -> status."""
    comments: list[str] = []
    rows: dict[Key, dict[str, int]] = {}
    lines: list[str] = []
    with MATRIX_FILE.open(encoding="utf-8", newline="") as f:
        for line in f:
            (comments if line.startswith("#") else lines).append(line)
    reader = csv.DictReader(lines)
    assert reader.fieldnames == ["method", "path", *PERSONAS], reader.fieldnames
    for row in reader:
        rows[(row["method"], row["path"])] = {p: int(row[p]) for p in PERSONAS}
    return comments, rows


def write_matrix(comments: list[str], rows: dict[Key, dict[str, int]]) -> None:
    with MATRIX_FILE.open("w", encoding="utf-8", newline="") as f:
        f.writelines(comments)
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["method", "path", *PERSONAS])
        for (method, path), statuses in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            writer.writerow([method, path, *(statuses[p] for p in PERSONAS)])


# Sign-in and sign-out pages end or switch the session: the persona signs in again afterwards.
SESSION_CHANGING = {"/logg-inn", "/logg-ut", "/logget-ut", "/dev-logg-inn", "/auth/callback"}


async def sign_in_again(client: Any, world: World, persona: str) -> None:
    person = world.people[persona]
    if person is not None:
        client.cookies.clear()
        await login(client, person)


async def signed_in(stack: AsyncExitStack, app: Any, world: World) -> dict[str, Any]:
    """One in-process client per persona, signed in through the dev login (the signed-out one
    has only the CSRF cookie, as a browser on the sign-in page would)."""
    from litestar.testing import AsyncTestClient

    clients: dict[str, Any] = {}
    for persona in PERSONAS:
        client = await stack.enter_async_context(AsyncTestClient(app=app, raise_server_exceptions=False))
        client.follow_redirects = False
        person = world.people[persona]
        if person is not None:
            await login(client, person)
        else:
            await client.get("/logg-inn")
        clients[persona] = client
    return clients
