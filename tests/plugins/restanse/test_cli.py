"""``arkivrutiner restanse rapport`` (cli.py)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.cli import main
from core.timeutil import today
from tests.plugins.restanse.test_export import read_xlsx
from tests.support.restanse_builders import Org, make_org, make_restanse, write_off


async def _seed() -> Org:
    org = await make_org()
    await make_restanse(org.unit, org.handler, journaldato=date(2026, 3, 1))
    await make_restanse(org.unit, None, journaldato=date(2026, 4, 2))
    note = await make_restanse(
        org.unit,
        org.handler2,
        type="N",
        journaldato=date(2026, 3, 10),
        recipients=[(org.other_unit, org.other_handler)],
        copy_recipients=[(org.sub_unit, org.sub_handler)],
    )
    await write_off(note.korrespondansepart_id, date(2026, 4, 30))  # on the report date itself
    return org


@pytest.fixture
def org(db: None) -> Org:
    return asyncio.run(_seed())


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["restanse", "rapport", *args])
    return result.exit_code, result.stdout, result.stderr


def test_csv_report_per_unit(org: Org) -> None:
    code, out, _err = invoke("--dato", "2026-04-30", "--sammenlign", "2026-03-31", "--format", "csv")
    assert code == 0, _err
    assert out.splitlines() == [
        "Enhetskode;Enhet;Restanser 31.03.2026;Restanser 30.04.2026",
        "LMA;Landbruk, miljø og arealforvaltning;2;2",
        "LMA-BYG;Byggesak;0;0",
        "SUV;Stab, utvikling og virksomhetsstøtte;0;0",
        "TDR;Teknisk drift;1;1",
        "Sum;;3;3",
    ]


def test_default_comparison_is_a_month_back(org: Org) -> None:
    code, out, _err = invoke("--dato", "2026-04-30", "--format", "csv")
    assert code == 0
    assert out.splitlines()[0] == "Enhetskode;Enhet;Restanser 30.03.2026;Restanser 30.04.2026"
    code, out, _err = invoke("--dato", "2026-03-31", "--format", "csv")
    assert out.splitlines()[0] == "Enhetskode;Enhet;Restanser 28.02.2026;Restanser 31.03.2026"
    assert out.splitlines()[-1] == "Sum;;0;3"


def test_table_format(org: Org) -> None:
    code, out, _err = invoke("--dato", "2026-04-29", "--sammenlign", "2026-03-31")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["Enhetskode", "Enhet", "Restanser", "31.03.2026", "Restanser", "29.04.2026"]
    # The format: a header row, one row per unit, then Sum (no ruler line).
    assert lines[1].split()[0] == "LMA" and lines[1].split()[-2:] == ["2", "3"]
    assert lines[-1].startswith("Sum")
    assert lines[-1].split() == ["Sum", "3", "4"]


def test_per_handler(org: Org) -> None:
    code, out, _err = invoke(
        "--dato", "2026-04-30", "--sammenlign", "2026-03-31", "--format", "csv", "--per", "saksbehandler"
    )
    assert code == 0
    assert out.splitlines() == [
        "Enhetskode;Enhet;Saksbehandler;Restanser 31.03.2026;Restanser 30.04.2026;30 eller flere",
        "LMA;Landbruk, miljø og arealforvaltning;(uten saksbehandler);0;1;",
        "LMA;Landbruk, miljø og arealforvaltning;Hanne Handler;1;1;",
        "LMA;Landbruk, miljø og arealforvaltning;Harald Handler;1;0;",
        "TDR;Teknisk drift;Trine Teknisk;1;1;",
        "Sum;;;3;3;",
    ]


def test_xlsx_to_a_file(org: Org, tmp_path: Path) -> None:
    target = tmp_path / "rapport.xlsx"
    code, _out, err = invoke(
        "--dato", "2026-04-30", "--sammenlign", "2026-03-31", "--format", "xlsx", "-o", str(target)
    )
    assert code == 0, err
    assert "rapport.xlsx" in err
    name, rows, _styles = read_xlsx(target.read_bytes())
    assert name == "Restanser per enhet 30.04.2026"
    assert rows[0] == ["Enhetskode", "Enhet", "Restanser 31.03.2026", "Restanser 30.04.2026"]
    assert rows[1] == ["LMA", "Landbruk, miljø og arealforvaltning", 2, 2]
    assert rows[-1] == ["Sum", None, 3, 3]


def test_csv_to_a_file_has_a_bom(org: Org, tmp_path: Path) -> None:
    target = tmp_path / "rapport.csv"
    code, _out, _err = invoke("--dato", "2026-04-30", "--format", "csv", "--output", str(target))
    assert code == 0
    assert target.read_bytes().startswith(b"\xef\xbb\xbfEnhetskode;")


def test_bad_dates_give_norwegian_errors(db: None) -> None:
    code, _out, err = invoke("--dato", "30.13.2026")
    assert code == 2
    assert "Ugyldig dato for --dato: «30.13.2026». Skriv datoen som ÅÅÅÅ-MM-DD" in err
    code, _out, err = invoke("--dato", "2026-04-30", "--sammenlign", "i fjor")
    assert code == 2
    assert "Ugyldig dato for --sammenlign" in err
    code, _out, err = invoke("--dato", "2026-04-30", "--sammenlign", "2026-05-01")
    assert code == 2
    assert "Sammenligningsdatoen (--sammenlign) må være før rapportdatoen (--dato)." in err
    code, _out, err = invoke()
    assert code == 2 and "--dato" in err


def test_a_future_report_date_is_refused_as_on_the_page(db: None) -> None:
    """The CLI and Restanseoppfølging share the report date rule (plugins/restanse/forms.py)."""
    tomorrow = (today() + timedelta(days=1)).isoformat()
    code, out, err = invoke("--dato", tomorrow)
    assert code == 2
    assert "--dato: Rapportdatoen kan ikke være etter i dag." in err
    assert out == ""
    code, _out, _err = invoke("--dato", today().isoformat())
    assert code == 0


def test_bad_threshold_setting(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARKIV_RESTANSE_TERSKEL", "mange")
    code, _out, err = invoke("--dato", "2026-04-30")
    assert code == 2
    assert "ARKIV_RESTANSE_TERSKEL må være et heltall" in err


def test_listed_in_help() -> None:
    result = CliRunner().invoke(main, ["restanse", "--help"])
    assert result.exit_code == 0
    assert "rapport" in result.output
