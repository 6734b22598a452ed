"""Noark 5 import of dokumentflyt (v4.0 and v5.0 layouts, the project's own fixtures in
``tests/fixtures/noark5/dokumentflyt/``): values, names linked only to people who exist,
re-import adds nothing, a later extraction adds only new steps, a bad flytStatus refuses the whole
file naming its line, and missing times are worked around with a warning."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from core.archive.noark5.importer import ImportRefused, import_path
from core.archive.queries.flow import dokumentflyt_of
from core.archive.queries.visibility import Viewer
from core.archive.tables import Dokumentflyt, Journalpost, Saksmappe
from core.settings import Settings
from core.tables import Person

pytestmark = pytest.mark.anyio

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "noark5"
FLOW = FIXTURES / "dokumentflyt"
BREV = "0f6a1c2e-7d3b-4e5f-8a9b-2c1d0e0f0c11"
NOTAT = "0f6a1c2e-7d3b-4e5f-8a9b-2c1d0e0f0c12"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


async def steps_of(system_id: str) -> list[dict[str, Any]]:
    return await (
        Dokumentflyt.select(
            *Dokumentflyt.all_columns(),
            Dokumentflyt.flyt_til.name.as_alias("til_person"),
            Dokumentflyt.flyt_fra.name.as_alias("fra_person"),
        )
        .where(Dokumentflyt.journalpost.system_id == system_id)
        .order_by(Dokumentflyt.flyt_mottatt_dato)
    )


def facts(step: dict[str, Any]) -> tuple[Any, ...]:
    return (
        step["flyt_til_navn"],
        step["til_person"],
        step["flyt_fra_navn"],
        step["fra_person"],
        step["flyt_mottatt_dato"],
        step["flyt_sendt_dato"],
        step["flyt_status"],
        step["flyt_merknad"],
    )


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


async def test_v50_steps_are_imported(db: None, settings: Settings) -> None:
    summary = await import_path(settings, FLOW / "v5.0.xml", validate=True)

    assert (summary.version, summary.valid_versions) == ("5.0", ["5.0"])
    assert summary.dokumentflyt_new == 4
    assert "dokumentflyt" not in summary.not_imported
    assert "Dokumentflyt: 4" in summary.lines()
    assert summary.warnings == []
    # Siri is the case's saksansvarlig (created by the import); Leif and Kaia appear only in the
    # flow: their names are kept, and no person is created for them.
    assert [facts(s) for s in await steps_of(BREV)] == [
        (
            "Leif Leder",
            None,
            "Siri Saksbehandler",
            "Siri Saksbehandler",
            utc(2025, 2, 10, 9, 30),
            utc(2025, 2, 11, 7, 15),
            "S",
            "Begrunn beløpet med kostnadsoverslaget.",
        ),
        (
            "Leif Leder",
            None,
            "Siri Saksbehandler",
            "Siri Saksbehandler",
            utc(2025, 2, 12, 8),
            utc(2025, 2, 12, 10, 45),
            "G",
            "",
        ),
        (
            "Kommunalsjef Kaia",
            None,
            "Leif Leder",
            None,
            utc(2025, 2, 12, 10, 45),
            utc(2025, 2, 14, 13),
            "G",
            "OK.",
        ),
    ]
    [notat] = await steps_of(NOTAT)
    assert (notat["flyt_status"], notat["flyt_merknad"]) == ("I", "Vent til budsjettet er vedtatt.")
    assert sorted(p["name"] for p in await Person.select(Person.name)) == ["Siri Saksbehandler"]
    # The post page's read gives them oldest first with labels.
    siri = await Person.select(Person.id).first()
    assert siri is not None
    post = await Journalpost.select(Journalpost.id).where(Journalpost.system_id == BREV).first()
    assert post is not None
    rows = await dokumentflyt_of(Viewer(person_id=siri["id"], codes=frozenset()), post["id"])
    assert [r["flyt_status_navn"] for r in rows] == ["Sendt tilbake med kommentarer", "Godkjent", "Godkjent"]


async def test_v40_steps_are_imported(db: None, settings: Settings) -> None:
    summary = await import_path(settings, FLOW / "v4.0.xml", validate=True)

    assert (summary.version, summary.valid_versions) == ("4.0", ["4.0"])
    assert summary.dokumentflyt_new == 2
    # v4.0 times without a zone are Oslo time (UTC+1 in March).
    assert [facts(s) for s in await steps_of("websak-jp-2020-88")] == [
        (
            "Leif Leder",
            None,
            "Siri Saksbehandler",
            "Siri Saksbehandler",
            utc(2020, 3, 3, 8),
            utc(2020, 3, 4, 15, 20),
            "S",
            "Ta med delegering til rektorene.",
        ),
        (
            "Leif Leder",
            None,
            "Siri Saksbehandler",
            "Siri Saksbehandler",
            utc(2020, 3, 6, 9),
            utc(2020, 3, 6, 9, 45),
            "G",
            "",
        ),
    ]


async def test_a_person_who_exists_is_linked(db: None, settings: Settings) -> None:
    leif = Person(name="Leif Leder", initials="LL", email="leif@kommune.example")
    await leif.save()
    await import_path(settings, FLOW / "v5.0.xml")
    steps = await steps_of(BREV)
    assert [s["flyt_til"] for s in steps] == [leif.id, leif.id, None]
    assert steps[2]["flyt_fra"] == leif.id


async def test_reimport_adds_no_step_and_a_later_extraction_only_the_new_ones(
    db: None, settings: Settings, tmp_path: Path
) -> None:
    await import_path(settings, FLOW / "v5.0.xml")
    before = await Dokumentflyt.select().order_by(Dokumentflyt.id)

    again = await import_path(settings, FLOW / "v5.0.xml")

    assert again.dokumentflyt_new == 0
    assert await Dokumentflyt.select().order_by(Dokumentflyt.id) == before
    # A later extraction: the note went on to the leader again and was approved.
    later = tmp_path / "senere.xml"
    text = (FLOW / "v5.0.xml").read_text(encoding="utf-8")
    last = text.rindex("</dokumentflyt>") + len("</dokumentflyt>")
    new_step = (
        "\n        <dokumentflyt>\n          <flytTil>Leif Leder</flytTil>\n"
        "          <flytFra>Siri Saksbehandler</flytFra>\n"
        "          <flytMottattDato>2025-03-10T09:00:00+01:00</flytMottattDato>\n"
        "          <flytSendtDato>2025-03-10T12:00:00+01:00</flytSendtDato>\n"
        "          <flytStatus>Godkjent</flytStatus>\n        </dokumentflyt>"
    )
    later.write_text(text[:last] + new_step + text[last:], encoding="utf-8")

    summary = await import_path(settings, later, validate=True)

    assert (summary.journalposter_new, summary.journalposter_present) == (0, 2)
    assert summary.dokumentflyt_new == 1
    assert [s["flyt_status"] for s in await steps_of(NOTAT)] == ["I", "G"]
    assert (
        await Dokumentflyt.select()
        .where(Dokumentflyt.id.is_in([r["id"] for r in before]))
        .order_by(Dokumentflyt.id)
        == before
    )


async def test_two_identical_steps_are_both_kept(db: None, settings: Settings, tmp_path: Path) -> None:
    text = (FLOW / "v5.0.xml").read_text(encoding="utf-8")
    first = text.index("<dokumentflyt>")
    end = text.index("</dokumentflyt>") + len("</dokumentflyt>")
    twice = tmp_path / "to_like.xml"
    twice.write_text(text[:end] + "\n        " + text[first:end] + text[end:], encoding="utf-8")

    summary = await import_path(settings, twice)
    assert summary.dokumentflyt_new == 5
    assert [s["flyt_status"] for s in await steps_of(BREV)] == ["S", "S", "G", "G"]
    assert (await import_path(settings, twice)).dokumentflyt_new == 0


async def test_an_unknown_flytstatus_refuses_the_whole_file(db: None, settings: Settings) -> None:
    await import_path(settings, FLOW / "v4.0.xml")
    before = (await Saksmappe.count(), await Journalpost.count(), await Dokumentflyt.count())
    path = FIXTURES / "feil" / "ukjent_flytstatus.xml"

    with pytest.raises(ImportRefused) as refused:
        await import_path(settings, path)

    assert str(refused.value) == (
        f"Linje {line_of(path, 'Venter på leder')}: <dokumentflyt> har ukjent <flytStatus> «Venter på leder»; "
        "gyldige verdier er «Godkjent» (G), «Ikke godkjent» (I), "
        "«Sendt tilbake til saksbehandler med kommentarer» (S)."
    )
    assert (await Saksmappe.count(), await Journalpost.count(), await Dokumentflyt.count()) == before


async def test_missing_status_refuses_and_missing_times_are_taken_from_each_other(
    db: None, settings: Settings, tmp_path: Path
) -> None:
    text = (FLOW / "v5.0.xml").read_text(encoding="utf-8")
    no_status = tmp_path / "uten_status.xml"
    no_status.write_text(text.replace("<flytStatus>Godkjent</flytStatus>", "", 1), encoding="utf-8")
    with pytest.raises(
        ImportRefused, match=r"^Linje \d+: <dokumentflyt> mangler <flytStatus>; gyldige verdier"
    ):
        await import_path(settings, no_status)
    assert await Saksmappe.count() == 0

    no_times = tmp_path / "uten_tider.xml"
    no_times.write_text(
        text.replace("<flytSendtDato>2025-02-11T08:15:00+01:00</flytSendtDato>", "").replace(
            "<flytMottattDato>2025-02-20T13:30:00+01:00</flytMottattDato>"
            "\n          <flytSendtDato>2025-02-21T09:00:00+01:00</flytSendtDato>",
            "",
        ),
        encoding="utf-8",
    )
    summary = await import_path(settings, no_times)
    first = (await steps_of(BREV))[0]
    assert first["flyt_mottatt_dato"] == first["flyt_sendt_dato"] == utc(2025, 2, 10, 9, 30)
    [notat] = await steps_of(NOTAT)
    assert (
        notat["flyt_mottatt_dato"] == notat["flyt_sendt_dato"] == utc(2025, 2, 20, 12)
    )  # the post's opprettetDato
    assert any(
        "<dokumentflyt> mangler <flytSendtDato>; brukte <flytMottattDato>." in w for w in summary.warnings
    )
    assert any(
        "<dokumentflyt> mangler <flytMottattDato> og <flytSendtDato>; brukte <opprettetDato> til journalposten."
        in w
        for w in summary.warnings
    )
