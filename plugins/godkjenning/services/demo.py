"""Demo data: approval rounds in every state, made through the real services (so tasks, mails,
dokumentflyt and the hendelseslogg are what a user would have made), and a chain template.

In the first units with a leader and handlers with outgoing letters under work:

1. waiting at step 1 (the unit's leader);
2. waiting at step 2 (the leader forwarded to the leader of another unit);
3. returned *Ikke godkjent* to the handler, with a comment;
4. approved, waiting for dispatch (*Godkjent – til ekspedering*);
5. withdrawn by the handler;

and one chain template *Avdelingsleder → Kommunalsjef* for the first unit.
"""

from __future__ import annotations

import logging
from typing import Any

from core.archive import services as archive
from core.archive.queries.cases import list_cases
from core.archive.queries.visibility import Viewer
from core.archive.services import NewDocument, NewPost, Part, UploadedFile
from core.auth.user import User, load_user
from core.contributions import DemoContext
from core.i18n import _
from core.tasks import queries as task_queries
from plugins.godkjenning.queries import active_round_of
from plugins.godkjenning.services import decisions, kinds, rounds
from plugins.godkjenning.services.chains import Chain, ChainStep, save_template

log = logging.getLogger(__name__)


async def _user(person_id: int) -> User:
    user = await load_user(person_id)
    assert user is not None, person_id
    return user


async def _post_version(user: User, journalpost_id: int) -> int:
    return (await rounds.post_facts(user, journalpost_id)).version


async def _open_task(person_id: int, journalpost_id: int, kind: str) -> dict[str, Any]:
    task = await task_queries.open_task_for(person_id, "journalpost", journalpost_id, kind)
    assert task is not None, (person_id, journalpost_id, kind)
    return task


LETTERS = (
    ("Svar på søknad om tillatelse til tiltak", "svar-tiltak.txt"),
    ("Vedtak om dispensasjon", "vedtak-dispensasjon.txt"),
    ("Svar på klage over gebyr", "svar-klage.txt"),
    ("Forhåndsvarsel om pålegg", "forhaandsvarsel.txt"),
    ("Svar på innsynskrav", "svar-innsyn.txt"),
)


async def _letter(ctx: DemoContext, handler: User, number: int) -> int | None:
    """A new outgoing letter (under work, R) with a main document, in one of the handler's open
    cases."""
    cases = await list_cases(await Viewer.of(handler), saksansvarlig_id=handler.person_id)
    if not cases.items:
        return None
    case = ctx.rng.choice(cases.items)
    title, filename = LETTERS[number % len(LETTERS)]
    text = f"# {title}\n\nVi viser til henvendelsen og svarer slik:\n\n...\n\nMed hilsen\n{handler.name}\n"
    return await archive.create_post(
        ctx.settings,
        handler,
        int(case["id"]),
        NewPost(
            journalposttype="U",
            tittel=title,
            mottakere=[Part(navn="Kari Nordmann", korrespondanseparttype="EM")],
            documents=[NewDocument(title, UploadedFile(filename, text.encode("utf-8"), "text/plain"))],
        ),
    )


async def populate(ctx: DemoContext) -> None:
    codes = [code for code in sorted(ctx.leaders) if ctx.handlers.get(code)]
    if len(codes) < 2:
        return
    first, other = codes[0], codes[1]
    leader, other_leader = await _user(ctx.leaders[first]), await _user(ctx.leaders[other])
    await save_template(
        leader,
        ctx.units[first],
        _("Avdelingsleder → Kommunalsjef"),
        Chain(
            (
                ChainStep(_("Avdelingsleder"), (leader.person_id,)),
                ChainStep(_("Kommunalsjef"), (other_leader.person_id,)),
            )
        ),
    )
    made = 0
    states = ("step1", "step2", "returned", "approved", "withdrawn", "step1")
    handlers = [(code, pid) for code in codes for pid in ctx.handlers[code]]
    for number, state in enumerate(states):
        for code, person_id in handlers[number :: len(states)] or handlers:
            handler = await _user(person_id)
            unit_leader = await _acting_leader_of(ctx, handler)
            if unit_leader is None or unit_leader.person_id == handler.person_id:
                continue
            post_id = await _letter(ctx, handler, number)
            if post_id is None:
                continue
            chief = other_leader if code != other else leader
            await _make(ctx, state, handler, post_id, unit_leader, chief)
            made += 1
            break
    log.info("godkjenning demo: %d runder", made)


async def _acting_leader_of(ctx: DemoContext, handler: User) -> User | None:
    code = next((c for c, ids in ctx.handlers.items() if handler.person_id in ids), None)
    return await load_user(ctx.leaders[code]) if code and code in ctx.leaders else None


async def _make(ctx: DemoContext, state: str, handler: User, post_id: int, leader: User, other: User) -> None:
    settings = ctx.settings
    two_steps = state == "step2"
    chain = Chain(
        (ChainStep(_("Leder"), (leader.person_id,)),)
        + (
            (ChainStep(_("Kommunalsjef"), (other.person_id,)),)
            if two_steps and other.person_id != handler.person_id
            else ()
        )
    )
    await rounds.send_for_approval(
        settings,
        handler,
        post_id,
        version=await _post_version(handler, post_id),
        chain=chain,
        message=_("Kan du se over brevet før det sendes?"),
    )
    if state == "step1":
        return
    task = await _open_task(leader.person_id, post_id, kinds.TIL_GODKJENNING)
    if state == "step2":
        await decisions.decide(settings, leader, int(task["id"]), version=int(task["version"]), outcome="V")
    elif state == "returned":
        await decisions.decide(
            settings,
            leader,
            int(task["id"]),
            version=int(task["version"]),
            outcome="I",
            comment=_("Vis til vedtaket og skriv klagefristen tydeligere."),
        )
    elif state == "approved":
        await decisions.decide(settings, leader, int(task["id"]), version=int(task["version"]), outcome="G")
    elif state == "withdrawn":
        view = await active_round_of(post_id)
        assert view is not None
        await rounds.withdraw(
            settings, handler, view.id, version=view.version, reason=_("Mangler et vedlegg.")
        )
