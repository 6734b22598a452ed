"""Done-when of issue 5: from an imported extraction whose write-offs are spread over time, the
CLI and the Restanseoppfølging page give the same per-unit counts for two dates, and those
counts follow the rule.

The fixture ``tests/fixtures/noark5/restanse_avskrivninger.xml`` (Noark 5 v5.0, validates
against the v5.0 XSD) is imported with the real importer. Each post carries a comment saying
what it tests; the expected figures, worked out by hand from the rule:

| post | what | 31.03.2024 | 30.04.2024 |
| --- | --- | --- | --- |
| P1 (I, LMA, Hanne) | written off 15.03 | – | – |
| P2 (I, LMA, Hanne) | written off 30.04, the report date itself | LMA | – |
| P3 (I, LMA, Harald) + copy to TDR | open; the copy recipient never counts | LMA | LMA |
| P4 (I, LMA, no handler) | journalført 10.04 | – | LMA |
| P5 (I, LMA) | status U (utgår) | – | – |
| P6 (I, LMA, Hanne) | only a foreløpig svar («***») | LMA | LMA |
| U1 (U) | the answer that writes off P2 | – | – |
| N1 (N, sent 05.03) to TDR/Trine, OPP/Ole, LMA/Harald + copy LMA/Hanne | TDR writes off 25.03, OPP 15.04 | OPP, LMA | LMA |
| N2 (N, ferdigstilt, not sent) to OPP | a draft note has no restanse | – | – |
| N3 (N, journalført 20.04) to TDR (no handler) and OPP/Ole | | – | TDR, OPP |
| P7 (I, OPP, Ole, 01.12.2023) | written off 05.04 by the answer P8 | OPP | – |
| P8 (U) | | – | – |
| P9 (I, TDR, Trine) | journalført on the report date | – | TDR |
| P10 (I, TDR, Trine) | journalført after both dates | – | – |

Per unit: LMA 4/4, OPP 2/1, SUV 0/0 (no restanser), TDR 0/2; sum 6/7.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import anyio
import pytest
from click.testing import CliRunner

from core import roles
from core.archive.noark5.importer import import_path
from core.cli import main
from core.settings import Settings
from tests.support.factories import login, make_person, make_unit

pytestmark = pytest.mark.anyio

FIXTURE = Path(__file__).parents[2] / "fixtures" / "noark5" / "restanse_avskrivninger.xml"
COMPARISON, REPORT = "2024-03-31", "2024-04-30"

EXPECTED_UNITS = [
    ("LMA", "Landbruk, miljø og arealforvaltning", 4, 4),
    ("OPP", "Oppvekst", 2, 1),
    ("SUV", "Stab, utvikling og virksomhetsstøtte", 0, 0),
    ("TDR", "Teknisk drift", 0, 2),
]
EXPECTED_SUM = (6, 7)
EXPECTED_HANDLERS = [
    ("LMA", "(uten saksbehandler)", 0, 1),
    ("LMA", "Hanne Handler", 2, 1),
    ("LMA", "Harald Handler", 2, 2),
    ("OPP", "Ole Oppvekst", 2, 1),
    ("TDR", "(uten saksbehandler)", 0, 1),
    ("TDR", "Trine Teknisk", 0, 1),
]


async def _organisation() -> int:
    """The municipality's units and people as they are before the import; the archive person."""
    lma = await make_unit(code="LMA", name="Landbruk, miljø og arealforvaltning")
    tdr = await make_unit(code="TDR", name="Teknisk drift")
    opp = await make_unit(code="OPP", name="Oppvekst")
    suv = await make_unit(code="SUV", name="Stab, utvikling og virksomhetsstøtte")
    await make_person(name="Hanne Handler", unit=lma)
    await make_person(name="Harald Handler", unit=lma)
    await make_person(name="Trine Teknisk", unit=tdr)
    await make_person(name="Ole Oppvekst", unit=opp)
    return await make_person(name="Unni Arkiv", unit=suv, roles=(roles.ARKIV,))


def _cli(*args: str) -> list[str]:
    result = CliRunner().invoke(main, ["restanse", "rapport", *args])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def _page_rows(html: str) -> list[list[str]]:
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        cells = re.findall(r"<(?:td|th)[^>]*>(.*?)</(?:td|th)>", row, re.S)
        texts = [
            " ".join(
                re.sub(r"<[^>]+>", " ", re.sub(r'<span class="visually-hidden">.*?</span>', "", c)).split()
            )
            for c in cells
        ]
        rows.append(texts)
    return rows[1:]  # without the header row


async def test_cli_and_page_agree_with_the_rule_on_imported_history(
    client: Any, settings: Settings, db: None
) -> None:
    archive = await _organisation()
    summary = await import_path(settings, FIXTURE, validate=True)
    assert summary.avskrivninger_new == 5  # the «***» became a foreløpig svar, not a write-off

    # the CLI, in a worker thread (it runs its own event loop, as on the command line)
    lines = await anyio.to_thread.run_sync(
        lambda: _cli("--dato", REPORT, "--sammenlign", COMPARISON, "--format", "csv")
    )
    assert lines[0] == "Enhetskode;Enhet;Restanser 31.03.2024;Restanser 30.04.2024"
    cli_units = [tuple(line.split(";")) for line in lines[1:-1]]
    assert cli_units == [(code, name, str(c), str(r)) for code, name, c, r in EXPECTED_UNITS]
    assert lines[-1] == f"Sum;;{EXPECTED_SUM[0]};{EXPECTED_SUM[1]}"

    table = await anyio.to_thread.run_sync(lambda: _cli("--dato", REPORT, "--sammenlign", COMPARISON))
    assert table[-1].split() == ["Sum", str(EXPECTED_SUM[0]), str(EXPECTED_SUM[1])]

    # the page, signed in as the archive service
    await login(client, archive)
    response = await client.get(
        "/restanse/oppfolging", params={"rapportdato": "30.04.2024", "sammenligningsdato": "31.03.2024"}
    )
    assert response.status_code == 200
    rows = _page_rows(response.text)
    page_units = [(r[0], r[1], int(r[2]), int(r[3])) for r in rows[:-1]]
    assert page_units == EXPECTED_UNITS
    assert rows[-1][0] == "Sum"
    assert (int(rows[-1][2]), int(rows[-1][3])) == EXPECTED_SUM
    assert page_units == [(code, name, int(c), int(r)) for code, name, c, r in cli_units]

    # per handler too: the CLI and the page agree, and with the rule
    handler_lines = await anyio.to_thread.run_sync(
        lambda: _cli(
            "--dato", REPORT, "--sammenlign", COMPARISON, "--format", "csv", "--per", "saksbehandler"
        )
    )
    cli_handlers = [
        (code, person, int(c), int(r))
        for code, _name, person, c, r, _mark in (line.split(";") for line in handler_lines[1:-1])
    ]
    assert cli_handlers == EXPECTED_HANDLERS
    per_handler = await client.get(
        "/restanse/oppfolging",
        params={"rapportdato": "30.04.2024", "sammenligningsdato": "31.03.2024", "visning": "saksbehandler"},
    )
    page_handlers = [(r[0], r[2], int(r[3]), int(r[4])) for r in _page_rows(per_handler.text)[:-1]]
    assert page_handlers == EXPECTED_HANDLERS
