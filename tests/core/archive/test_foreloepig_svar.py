"""Foreløpig svar on a restanse (``mark_foreloepig_svar``, with its date and the post of the
case that was the reply; ``undo_foreloepig_svar``, only by its registrant the same day) and the
optional merknad of a write-off (``avskriv(..., merknad=...)``): who may, what is stored, what
is logged, and one winner when two people act on the same restanse at the same moment (run on
both databases)."""

from __future__ import annotations

import asyncio
import importlib
import re
from datetime import timedelta
from typing import Any

import pytest

from core.archive import recipients, services
from core.archive.queries import restanse_lists
from core.archive.services import InternalRecipient
from core.archive.tables import Avskrivning, Journalpost, Korrespondansepart, Merknad
from core.errors import Conflict, Forbidden, ValidationFailed
from core.timeutil import now, today
from tests.core.archive.service_org import (
    audit_events,
    incoming,
    make_org,
    note,
    outgoing,
    own_case,
    post_row,
    recipient,
)
from tests.support.factories import as_user

pytestmark = pytest.mark.anyio


async def distributed(settings, org) -> dict[str, Any]:
    """An incoming post to LMA, distributed to the handler (recipient version 2)."""
    part = await recipient(await incoming(settings, org))
    await services.fordel(settings, await as_user(org.leader), part["id"], org.handler, version=1)
    return await recipient(part["journalpost"])


# --- foreløpig svar ------------------------------------------------------------------------


async def case_of(part: dict[str, Any]) -> int:
    return int((await post_row(part["journalpost"]))["saksmappe"])


async def test_handler_marks_foreloepig_svar_and_the_restanse_stays(settings, db) -> None:
    org = await make_org()
    part = await distributed(settings, org)
    handler = await as_user(org.handler)
    before = now()
    await services.mark_foreloepig_svar(settings, handler, part["id"], version=2)
    row = await recipient(part["journalpost"])
    assert row["foreloepig_svar_dato"] == today()
    assert row["foreloepig_svar_journalpost"] is None
    assert row["foreloepig_svar_av"] == org.handler and row["foreloepig_svar_registrert"] >= before
    assert row["version"] == 3
    assert await Avskrivning.count() == 0  # still a restanse
    [event] = await audit_events("archive.foreloepig_svar")
    assert event["actor"] == org.handler and event["on_behalf_of"] is None
    assert event["object_type"] == "korrespondansepart" and event["object_id"] == str(part["id"])
    assert event["details"]["journalpost_id"] == part["journalpost"]
    assert event["details"]["dato"] == today().isoformat()
    assert event["details"]["foreloepig_svar_journalpost_id"] is None
    assert "foreløpig svar sendt" in event["summary"]

    # A second registration is refused: the first stays (only its registrant may undo it).
    with pytest.raises(Conflict, match=re.escape("Det er allerede registrert et foreløpig svar")):
        await services.mark_foreloepig_svar(settings, handler, part["id"], version=3, dato=today())
    assert (await recipient(part["journalpost"]))["version"] == 3

    # It can still be written off afterwards.
    await services.avskriv(settings, handler, part["id"], "TE", version=3)
    assert await Avskrivning.count() == 1


async def test_foreloepig_svar_names_the_outgoing_letter_of_the_case(settings, db) -> None:
    org = await make_org()
    part = await distributed(settings, org)
    case = await case_of(part)
    letter = await outgoing(settings, org, case, tittel="Foreløpig svar om deling", documents=[])
    await services.mark_foreloepig_svar(
        settings,
        await as_user(org.handler),
        part["id"],
        version=2,
        dato=today(),
        foreloepig_svar_journalpost_id=letter,
    )
    row = await recipient(part["journalpost"])
    assert row["foreloepig_svar_journalpost"] == letter
    [event] = await audit_events("archive.foreloepig_svar")
    assert event["details"]["foreloepig_svar_journalpost_id"] == letter
    number = (await post_row(letter))["journalpostnummer"]
    assert event["summary"].endswith(f"-{number})")
    # The letter is now a foreløpig svar: deleting it (it is reserved) is refused.
    with pytest.raises(Conflict, match="registrert som foreløpig svar"):
        await services.delete_post(settings, await as_user(org.handler), letter, version=1)
    assert await post_row(letter)


async def test_the_named_post_must_be_a_reply_in_the_same_case(settings, db) -> None:
    org = await make_org()
    part = await distributed(settings, org)
    case = await case_of(part)
    handler = await as_user(org.handler)
    other_case = await own_case(settings, org)
    elsewhere = await outgoing(settings, org, other_case)
    own_note = await note(settings, org, case, [InternalRecipient(org.oko)])
    gone = await outgoing(settings, org, case, tittel="Utgått brev")
    await Journalpost.update({Journalpost.journalstatus: "U"}).where(Journalpost.id == gone)
    earlier = await outgoing(settings, org, case, tittel="Brev fra før")
    await Journalpost.update({Journalpost.journaldato: today() - timedelta(days=1)}).where(
        Journalpost.id == earlier
    )
    cases = [
        (elsewhere, "må høre til samme sak"),
        (part["journalpost"], "ikke journalposten som skal besvares"),
        (own_note, "Et foreløpig svar på et inngående brev er et utgående brev (U)."),
        (gone, "utgår"),
        (earlier, "er journalført før journalposten som skal besvares"),
        (2_000_000_000, "Fant ikke journalposten"),
    ]
    for post_id, text in cases:
        with pytest.raises(ValidationFailed) as failed:
            await services.mark_foreloepig_svar(
                settings, handler, part["id"], version=2, foreloepig_svar_journalpost_id=post_id
            )
        assert set(failed.value.errors) == {"foreloepig_svar_journalpost_id"}, post_id
        assert text in failed.value.errors["foreloepig_svar_journalpost_id"], post_id
    # Every problem at once: the date and the post.
    with pytest.raises(ValidationFailed) as failed:
        await services.mark_foreloepig_svar(
            settings,
            handler,
            part["id"],
            version=2,
            dato=today() + timedelta(days=1),
            foreloepig_svar_journalpost_id=elsewhere,
        )
    assert set(failed.value.errors) == {"dato", "foreloepig_svar_journalpost_id"}
    assert (await recipient(part["journalpost"]))["foreloepig_svar_dato"] is None
    assert await audit_events("archive.foreloepig_svar") == []


async def test_a_note_is_answered_provisionally_by_a_note(settings, db) -> None:
    org = await make_org()
    case = await own_case(settings, org)
    sent = await note(settings, org, case, [InternalRecipient(org.oko, org.oko_handler)])
    user = await as_user(org.handler)
    await services.ferdigstill(settings, user, sent, 1)
    await services.ekspeder(settings, user, sent, 2)
    part = await recipient(sent)
    letter = await outgoing(settings, org, case)
    reply = await note(settings, org, case, [InternalRecipient(org.lma, org.handler)], tittel="Svar")
    oko_handler = await as_user(org.oko_handler)
    with pytest.raises(ValidationFailed) as failed:
        await services.mark_foreloepig_svar(
            settings, oko_handler, part["id"], version=part["version"], foreloepig_svar_journalpost_id=letter
        )
    assert (
        "Et foreløpig svar på et notat er et notat (N eller X)."
        in failed.value.errors["foreloepig_svar_journalpost_id"]
    )
    await services.mark_foreloepig_svar(
        settings, oko_handler, part["id"], version=part["version"], foreloepig_svar_journalpost_id=reply
    )
    assert (await recipient(sent))["foreloepig_svar_journalpost"] == reply


async def test_who_may_mark_foreloepig_svar(settings, db) -> None:
    org = await make_org()
    parts = [await distributed(settings, org) for _ in range(4)]
    # The leader, the deputy during the absence (on behalf of the leader) and the archive.
    await services.mark_foreloepig_svar(settings, await as_user(org.leader), parts[0]["id"], version=2)
    await services.mark_foreloepig_svar(settings, await as_user(org.deputy), parts[1]["id"], version=2)
    await services.mark_foreloepig_svar(settings, await as_user(org.archivist), parts[2]["id"], version=2)
    leader, deputy, archivist = await audit_events("archive.foreloepig_svar")
    assert (leader["actor"], leader["on_behalf_of"]) == (org.leader, None)
    assert (deputy["actor"], deputy["on_behalf_of"]) == (org.deputy, org.leader)
    assert (archivist["actor"], archivist["on_behalf_of"]) == (org.archivist, None)
    # Who registered it is the person who clicked, also as a deputy.
    assert (await recipient(parts[1]["journalpost"]))["foreloepig_svar_av"] == org.deputy
    # A colleague, a deputy whose period has ended, and another unit's leader may not.
    for person in (org.colleague, org.old_deputy, org.oko_leader, org.outsider):
        with pytest.raises(Forbidden, match="Bare saksbehandleren for mottakeren"):
            await services.mark_foreloepig_svar(settings, await as_user(person), parts[3]["id"], version=2)
    assert (await recipient(parts[3]["journalpost"]))["foreloepig_svar_dato"] is None


async def test_foreloepig_svar_refusals(settings, db) -> None:
    org = await make_org()
    part = await distributed(settings, org)
    handler = await as_user(org.handler)
    with pytest.raises(Conflict, match="Noen andre endret journalposten"):
        await services.mark_foreloepig_svar(settings, handler, part["id"], version=1)
    with pytest.raises(ValidationFailed) as failed:
        await services.mark_foreloepig_svar(
            settings, handler, part["id"], version=2, dato=today() + timedelta(days=1)
        )
    assert failed.value.errors == {"dato": "Datoen for foreløpig svar kan ikke være fram i tid."}
    with pytest.raises(ValidationFailed) as failed:
        await services.mark_foreloepig_svar(
            settings, handler, part["id"], version=2, dato=today() - timedelta(days=1)
        )
    assert failed.value.errors == {"dato": "Datoen for foreløpig svar kan ikke være før journaldatoen."}
    await services.avskriv(settings, handler, part["id"], "TE", version=2)
    with pytest.raises(Conflict, match=re.escape("Restansen er allerede avskrevet.")):
        await services.mark_foreloepig_svar(settings, handler, part["id"], version=3)
    # A copy recipient (IK) has no restanse.
    case_id = await own_case(settings, org)
    await note(
        settings,
        org,
        case_id,
        [InternalRecipient(org.oko), InternalRecipient(org.oko, korrespondanseparttype="IK")],
    )
    copy = await Korrespondansepart.select().where(Korrespondansepart.korrespondanseparttype == "IK").first()
    with pytest.raises(Conflict, match=r"Bare interne mottakere \(IM\)"):
        await services.mark_foreloepig_svar(settings, await as_user(org.archivist), copy["id"], version=1)
    assert await audit_events("archive.foreloepig_svar") == []


async def test_concurrent_foreloepig_svar_and_write_off_have_one_winner(settings, db) -> None:
    """The handler marks a foreløpig svar while the leader writes the restanse off, both from
    version 2: exactly one of them succeeds."""
    org = await make_org()
    for _ in range(3):
        part = await distributed(settings, org)
        handler, leader = await as_user(org.handler), await as_user(org.leader)
        results = await asyncio.gather(
            services.mark_foreloepig_svar(settings, handler, part["id"], version=2),
            services.avskriv(settings, leader, part["id"], "TO", version=2),
            services.mark_foreloepig_svar(settings, leader, part["id"], version=2),
            return_exceptions=True,
        )
        winners = [r for r in results if not isinstance(r, BaseException)]
        losers = [r for r in results if isinstance(r, BaseException)]
        assert len(winners) == 1, results
        assert all(isinstance(r, Conflict) for r in losers), results
        assert (await recipient(part["journalpost"]))["version"] == 3


# --- undoing a foreløpig svar --------------------------------------------------------------


async def test_the_registrant_undoes_it_the_same_day(settings, db) -> None:
    org = await make_org()
    part = await distributed(settings, org)
    letter = await outgoing(settings, org, await case_of(part))
    handler = await as_user(org.handler)
    await services.mark_foreloepig_svar(
        settings, handler, part["id"], version=2, foreloepig_svar_journalpost_id=letter
    )
    assert (await restanse_lists.own_summary(org.handler)).foreloepig == 1
    await services.undo_foreloepig_svar(settings, handler, part["id"], version=3)
    row = await recipient(part["journalpost"])
    assert row["version"] == 4
    for column in ("dato", "journalpost", "av", "registrert"):
        assert row[f"foreloepig_svar_{column}"] is None, column
    # The ledger's span moved back: the card counts no foreløpig svar.
    assert (await restanse_lists.own_summary(org.handler)).foreloepig == 0
    [event] = await audit_events("archive.foreloepig_svar_angret")
    assert event["actor"] == org.handler and event["on_behalf_of"] is None
    assert event["object_type"] == "korrespondansepart" and event["object_id"] == str(part["id"])
    assert event["details"]["dato"] == today().isoformat()
    assert event["details"]["foreloepig_svar_journalpost_id"] == letter
    assert event["details"]["registrert"] is not None
    assert "foreløpig svar" in event["summary"] and event["summary"].endswith("angret")
    # The letter is no foreløpig svar any more; a new one may be registered.
    await services.mark_foreloepig_svar(settings, handler, part["id"], version=4)
    assert (await recipient(part["journalpost"]))["foreloepig_svar_dato"] == today()


async def test_only_the_registrant_may_undo(settings, db) -> None:
    org = await make_org()
    part = await distributed(settings, org)
    await services.mark_foreloepig_svar(settings, await as_user(org.deputy), part["id"], version=2)
    # The leader the deputy acted for, the handler and the archive may not undo it.
    for person in (org.leader, org.handler, org.archivist):
        with pytest.raises(
            Forbidden, match="Bare Stian Stedfortreder, som registrerte det foreløpige svaret"
        ):
            await services.undo_foreloepig_svar(settings, await as_user(person), part["id"], version=3)
    # Nor may someone who may not act on the restanse at all.
    with pytest.raises(Forbidden, match="Bare saksbehandleren for mottakeren"):
        await services.undo_foreloepig_svar(settings, await as_user(org.colleague), part["id"], version=3)
    assert await audit_events("archive.foreloepig_svar_angret") == []
    # The deputy who clicked may, on behalf of the leader.
    await services.undo_foreloepig_svar(settings, await as_user(org.deputy), part["id"], version=3)
    [event] = await audit_events("archive.foreloepig_svar_angret")
    assert (event["actor"], event["on_behalf_of"]) == (org.deputy, org.leader)


async def test_undo_refusals(settings, db, monkeypatch: pytest.MonkeyPatch) -> None:
    org = await make_org()
    handler = await as_user(org.handler)
    part = await distributed(settings, org)
    with pytest.raises(Conflict, match=re.escape("Det er ikke registrert noe foreløpig svar.")):
        await services.undo_foreloepig_svar(settings, handler, part["id"], version=2)
    await services.mark_foreloepig_svar(settings, handler, part["id"], version=2)
    with pytest.raises(Conflict, match="Noen andre endret journalposten"):
        await services.undo_foreloepig_svar(settings, handler, part["id"], version=2)
    # The next day it stays.
    monkeypatch.setattr(recipients, "today", lambda: today() + timedelta(days=1))
    with pytest.raises(Conflict, match=re.escape(f"Dette ble registrert {today():%d.%m.%Y}.")):
        await services.undo_foreloepig_svar(settings, handler, part["id"], version=3)
    monkeypatch.undo()
    # A written-off restanse keeps it.
    await services.avskriv(settings, handler, part["id"], "TE", version=3)
    with pytest.raises(Conflict, match="Restansen er allerede avskrevet, og det foreløpige svaret"):
        await services.undo_foreloepig_svar(settings, handler, part["id"], version=4)
    # An imported foreløpig svar (nobody registered it here) cannot be undone.
    imported = await distributed(settings, org)
    await Korrespondansepart.update({Korrespondansepart.foreloepig_svar_dato: today()}).where(
        Korrespondansepart.id == imported["id"]
    )
    with pytest.raises(Forbidden, match="importert og kan ikke angres"):
        await services.undo_foreloepig_svar(settings, handler, imported["id"], version=2)
    assert await audit_events("archive.foreloepig_svar_angret") == []


async def test_concurrent_undo_and_write_off_have_one_winner(settings, db) -> None:
    org = await make_org()
    for _ in range(3):
        part = await distributed(settings, org)
        handler, leader = await as_user(org.handler), await as_user(org.leader)
        await services.mark_foreloepig_svar(settings, handler, part["id"], version=2)
        results = await asyncio.gather(
            services.undo_foreloepig_svar(settings, handler, part["id"], version=3),
            services.undo_foreloepig_svar(settings, handler, part["id"], version=3),
            services.avskriv(settings, leader, part["id"], "TO", version=3),
            return_exceptions=True,
        )
        winners = [r for r in results if not isinstance(r, BaseException)]
        assert len(winners) == 1, results
        assert all(isinstance(r, Conflict) for r in results if isinstance(r, BaseException)), results
        assert (await recipient(part["journalpost"]))["version"] == 4


async def test_the_migration_takes_who_registered_it_from_the_hendelseslogg(settings, db) -> None:
    """Registrations made before the columns existed get their registrant and time from their
    hendelseslogg event (migration core_2026_12_06t19_10_01, run here again on both databases)."""
    org = await make_org()
    part = await distributed(settings, org)
    await services.mark_foreloepig_svar(settings, await as_user(org.deputy), part["id"], version=2)
    [event] = await audit_events("archive.foreloepig_svar")
    imported = await distributed(settings, org)
    await Korrespondansepart.update(
        {
            Korrespondansepart.foreloepig_svar_dato: today(),
            Korrespondansepart.foreloepig_svar_av: None,
            Korrespondansepart.foreloepig_svar_registrert: None,
        }
    ).where(Korrespondansepart.id.is_in([part["id"], imported["id"]]))
    migration = importlib.import_module("core.piccolo_migrations.core_2026_12_06t19_10_01_000000")
    manager = await migration.forwards()
    for step in manager.raw:
        await step()
    row = await recipient(part["journalpost"])
    assert row["foreloepig_svar_av"] == org.deputy
    assert row["foreloepig_svar_registrert"] == event["at"]
    other = await recipient(imported["journalpost"])
    assert other["foreloepig_svar_av"] is None and other["foreloepig_svar_registrert"] is None
    assert other["foreloepig_svar_dato"] == today()


# --- avskriv with a merknad ----------------------------------------------------------------


async def test_write_off_with_a_remark_in_one_transaction(settings, db) -> None:
    org = await make_org()
    part = await distributed(settings, org)
    await services.avskriv(
        settings,
        await as_user(org.handler),
        part["id"],
        "TLF",
        version=2,
        merknad="  Ringte søkeren 12. mars, saken er avklart.  ",
    )
    [remark] = await Merknad.select().where(Merknad.journalpost == part["journalpost"])
    assert remark["merknadstekst"] == "Ringte søkeren 12. mars, saken er avklart."
    assert remark["merknadstype"] == "MS" and remark["registrert_av"] == org.handler
    [event] = await audit_events("archive.written_off")
    assert event["details"]["merknad_id"] == remark["id"]
    assert event["details"]["merknadstype"] == "MS"
    assert await audit_events("archive.remark_added") == []  # logged as part of the write-off

    # The deputy writes off with a leader's remark (ML), on behalf of the leader.
    other = await distributed(settings, org)
    await services.avskriv(
        settings, await as_user(org.deputy), other["id"], "TE", version=2, merknad="Tatt til etterretning."
    )
    remark = await Merknad.select().where(Merknad.journalpost == other["journalpost"]).first()
    assert remark["merknadstype"] == "ML"
    event = (await audit_events("archive.written_off"))[1]
    assert event["on_behalf_of"] == org.leader and event["details"]["merknad_id"] == remark["id"]


async def test_blank_remark_is_none_and_a_bad_one_stops_the_write_off(settings, db) -> None:
    org = await make_org()
    part = await distributed(settings, org)
    handler = await as_user(org.handler)
    with pytest.raises(ValidationFailed) as failed:
        await services.avskriv(settings, handler, part["id"], "TE", version=2, merknad="x" * 5000)
    assert set(failed.value.errors) == {"merknad"}
    assert "Merknaden kan ha høyst" in failed.value.errors["merknad"]
    with pytest.raises(ValidationFailed) as failed:
        await services.avskriv(settings, handler, part["id"], "XX", version=2, merknad="x" * 5000)
    assert set(failed.value.errors) == {"avskrivningsmaate", "merknad"}
    assert await Avskrivning.count() == 0 and await Merknad.count() == 0
    assert (await recipient(part["journalpost"]))["version"] == 2
    await services.avskriv(settings, handler, part["id"], "TE", version=2, merknad="   ")
    assert await Avskrivning.count() == 1 and await Merknad.count() == 0
    [event] = await audit_events("archive.written_off")
    assert event["details"]["merknad_id"] is None


async def test_losing_write_off_leaves_no_remark(settings, db) -> None:
    org = await make_org()
    part = await distributed(settings, org)
    results = await asyncio.gather(
        services.avskriv(
            settings, await as_user(org.handler), part["id"], "TE", version=2, merknad="Fra Hans"
        ),
        services.avskriv(
            settings, await as_user(org.leader), part["id"], "TO", version=2, merknad="Fra Lise"
        ),
        return_exceptions=True,
    )
    assert sum(1 for r in results if isinstance(r, Conflict)) == 1, results
    assert await Avskrivning.count() == 1
    [remark] = await Merknad.select()
    [event] = await audit_events("archive.written_off")
    assert event["details"]["merknad_id"] == remark["id"]
    assert remark["merknadstekst"] == ("Fra Hans" if event["actor"] == org.handler else "Fra Lise")
