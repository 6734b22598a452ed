"""``arkivrutiner restanse rapport``: the monthly Restanseoppfølging table on the command line.

    arkivrutiner restanse rapport --dato 2026-04-30 [--sammenlign 2026-03-31]
        [--format csv|xlsx|table] [--per saksbehandler] [--output FILE]

Prints a header row, one row per unit (unit code, unit name, restanser on the comparison date,
restanser on the report date) and a last row starting with ``Sum``; ``--per saksbehandler``
gives one row per unit and handler instead, with the threshold column. CSV is semicolon-separated
UTF-8 (with a BOM when written to a file, for Excel); XLSX needs ``--output`` or a redirected
stdout. The counts are the page's (:mod:`plugins.restanse.queries.report`).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from core import tabular
from core.cli_support import run, settings_or_exit
from core.db import connected
from core.settings import ConfigError
from core.timeutil import months_back
from plugins.restanse import config, forms
from plugins.restanse.forms import Criteria
from plugins.restanse.queries import report

HELP = """Restanser: rapporter for Fellestjenesten/Arkiv."""
REPORT_HELP = """Skriv ut tabellen for Restanseoppfølging: restanser per enhet på rapportdatoen og
sammenligningsdatoen (standard: samme dag en måned før), med en sumlinje til slutt."""


def _parse(option: str, value: str) -> date:
    """A date option by the pages' rule (``åååå-mm-dd`` or ``dd.mm.åååå``, never after today)."""
    parsed = forms.parse_report_date(value)
    if parsed is None:
        raise click.UsageError(
            f"Ugyldig dato for {option}: «{value}». Skriv datoen som ÅÅÅÅ-MM-DD, for eksempel 2026-04-30."
        )
    problem = forms.report_date_problem(parsed)
    if problem:
        raise click.UsageError(f"{option}: {problem}")
    return parsed


def format_table(header: list[str], rows: list[list[Any]]) -> str:
    """Columns padded to width; numbers right-aligned."""
    texts = [[_cell(v) for v in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in texts if i < len(row)) for i in range(len(header))]
    numeric = [all(isinstance(row[i], int) for row in rows if i < len(row)) for i in range(len(header))]
    lines = []
    for row in texts:
        cells = [text.rjust(widths[i]) if numeric[i] else text.ljust(widths[i]) for i, text in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


@click.group("restanse", help=HELP)
def restanse() -> None:
    pass


@restanse.command("rapport", help=REPORT_HELP)
@click.option("--dato", "dato", required=True, metavar="ÅÅÅÅ-MM-DD", help="Rapportdatoen.")
@click.option(
    "--sammenlign",
    "sammenlign",
    metavar="ÅÅÅÅ-MM-DD",
    help="Sammenligningsdatoen. Standard: samme dag en måned før rapportdatoen.",
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(["table", "csv", "xlsx"]),
    default="table",
    show_default=True,
    help="Utdataformat.",
)
@click.option(
    "--per",
    "per",
    type=click.Choice(["enhet", "saksbehandler"]),
    default="enhet",
    show_default=True,
    help="Én linje per enhet, eller per enhet og saksbehandler.",
)
@click.option(
    "--output",
    "-o",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Skriv til denne filen i stedet for til skjermen.",
)
def rapport(dato: str, sammenlign: str | None, format_: str, per: str, output: Path | None) -> None:
    report_date = _parse("--dato", dato)
    comparison = _parse("--sammenlign", sammenlign) if sammenlign else months_back(report_date)
    if comparison >= report_date:
        raise click.UsageError("Sammenligningsdatoen (--sammenlign) må være før rapportdatoen (--dato).")
    try:
        config.validate()
    except ConfigError as exc:
        click.echo(f"Feil i oppsettet: {exc}", err=True)
        sys.exit(2)
    settings = settings_or_exit()
    if format_ == "xlsx" and output is None and sys.stdout.isatty():
        raise click.UsageError("Excel-filen må skrives til en fil: bruk --output FIL.xlsx.")
    criteria = Criteria(report_date, comparison, visning=per)

    async def go() -> tuple[str, list[str], list[list[Any]]]:
        async with connected(settings):
            return await report.export_table(criteria, with_change=False)

    title, header, rows = run(go())
    if format_ == "table":
        data = format_table(header, rows).encode("utf-8")
    elif format_ == "csv":
        data = tabular.csv_bytes(header, rows)
        if output is None:
            data = data.removeprefix("\ufeff".encode())
    else:
        data = tabular.xlsx_bytes(f"{title} {forms.dmy(report_date)}", header, rows)
    if output is None:
        click.echo(data, nl=False)
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        click.echo(f"Kunne ikke skrive {output}: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Skrev {len(rows) - 1} linjer og sumlinjen til {output}.", err=True)
