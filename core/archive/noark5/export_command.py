"""``arkivrutiner export-noark5 OUT``: the whole archive as a Noark 5 v5.0 extraction.

A full archival extraction (no titles masked): run by operators for the archive service.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from core.archive.noark5.export_xml import Arkivskaper
from core.archive.noark5.exporter import ExportError, ExportSummary, export_to
from core.cli_support import Progress, interrupted_by_sigterm, run, settings_or_exit
from core.db import connected


def summary_lines(summary: ExportSummary) -> list[str]:
    """The summary in Norwegian, one line per figure."""
    lines = [
        f"Skrev {summary.path} på {summary.seconds:.1f} s.",
        f"Saksmapper: {summary.saksmapper}",
        f"Journalposter: {summary.journalposter}",
        f"Korrespondanseparter: {summary.korrespondanseparter}",
        f"Avskrivninger: {summary.avskrivninger}",
        f"Merknader: {summary.merknader}",
        f"Dokumentflyt: {summary.dokumentflyt}",
        f"Dokumenter: {summary.dokumentbeskrivelser} med {summary.dokumentobjekter} versjoner",
    ]
    if summary.folder is not None:
        lines.append(f"Filer kopiert til dokumenter/: {summary.files_copied}")
    if summary.skjermede_titler:
        lines.append(f"Skjermede titler: {summary.skjermede_titler}")
    if summary.files_withheld:
        lines.append(f"Filer holdt tilbake (skjermet): {summary.files_withheld}")
    if summary.files_missing:
        lines.append(
            f"ADVARSEL: {summary.files_missing} filer mangler i fillageret "
            f"(første sjekksum: {summary.missing_examples[0]})."
        )
    lines.append("Filen validerer mot Noark 5 v5.0 (arkivstruktur.xsd).")
    return lines


HELP = """Eksporter hele arkivet som Noark 5 v5.0 (arkivstruktur.xml).

OUT er en mappe (OUT/arkivstruktur.xml og dokumentfilene i OUT/dokumenter/) eller et filnavn
som slutter på .xml (bare arkivstruktur.xml). Filen valideres mot v5.0-skjemaet før den
legges på plass.

Uten --skjermet er eksporten et fullstendig arkivuttrekk for arkivtjenesten: alle titler vises.
Med --skjermet får titler med en tilgangskode utenfor listen den offentlige tittelen, og
filene til slike dokumenter blir ikke med."""


def access_codes(value: str | None) -> frozenset[str] | None:
    """``--skjermet P,XX`` → the codes; None when the option is not given."""
    if value is None:
        return None
    return frozenset(code.strip() for code in value.split(",") if code.strip())


@click.command("export-noark5", help=HELP)
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--arkivskaper", default="Arkivrutiner", show_default=True, help="Navn på arkivskaperen.")
@click.option(
    "--arkivskaper-id",
    default="arkivrutiner",
    show_default=True,
    help="Arkivskaperens ID, f.eks. organisasjonsnummer.",
)
@click.option(
    "--skjermet",
    "skjermet",
    default=None,
    metavar="TILGANGSKODER",
    help="Skjermet eksport for en som har disse tilgangskodene (kommaseparert, f.eks. «P,XX»; «» for ingen).",
)
def export_noark5(out: Path, arkivskaper: str, arkivskaper_id: str, skjermet: str | None) -> None:
    settings = settings_or_exit()
    progress = Progress("Eksport", unit="journalposter")

    async def go() -> ExportSummary:
        async with connected(settings):
            return await export_to(
                settings,
                out,
                masked_for=access_codes(skjermet),
                arkivskaper=Arkivskaper(arkivskaper_id, arkivskaper),
                progress=progress,
            )

    try:
        with interrupted_by_sigterm(), progress:
            summary = run(go())
    except KeyboardInterrupt:
        click.echo("Eksporten ble avbrutt; ingen eksportfil er skrevet.", err=True)
        sys.exit(130)
    except ExportError as exc:
        click.echo(f"Eksporten feilet: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:
        click.echo(f"Kunne ikke skrive eksporten: {exc}", err=True)
        sys.exit(1)
    for line in summary_lines(summary):
        click.echo(line)
