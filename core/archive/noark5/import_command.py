"""``arkivrutiner import-noark5 PATH [--validate]``: import a Noark 5 extraction.

Prints the summary (counts, warnings). A refused file exits with code 1 and the Norwegian
reason on stderr; nothing from it is imported.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from core.archive.noark5.importer import ImportRefused, ImportSummary, import_path
from core.cli_support import Progress, interrupted_by_sigterm, run, settings_or_exit
from core.db import connected

HELP = """Importer et Noark 5-uttrekk (arkivstruktur.xml i v3.1, v4.0 eller v5.0).

PATH er arkivstruktur.xml eller mappen den ligger i. Dokumentfiler som ligger ved siden av
(referanseDokumentfil) kontrolleres mot sjekksummen og lagres. Alt eller ingenting: en fil med
feil importeres ikke i det hele tatt. Poster som finnes fra før (samme systemID) blir stående
uendret, så samme fil kan importeres flere ganger."""


@click.command("import-noark5", help=HELP)
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--validate", is_flag=True, help="Valider mot de offisielle XSD-ene (v3.1, v4.0, v5.0) først.")
def import_noark5(path: Path, validate: bool) -> None:
    settings = settings_or_exit()
    progress = Progress("Import", unit="journalposter")

    async def go() -> ImportSummary:
        async with connected(settings):
            return await import_path(settings, path, validate=validate, progress=progress)

    try:
        with interrupted_by_sigterm(), progress:
            summary = run(go())
    except KeyboardInterrupt:
        click.echo("Importen ble avbrutt, og ingenting er importert.", err=True)
        sys.exit(130)
    except ImportRefused as exc:
        click.echo(f"Importen ble avvist, og ingenting er importert. {exc}", err=True)
        sys.exit(1)
    except OSError as exc:
        click.echo(f"Kunne ikke lese uttrekket: {exc}", err=True)
        sys.exit(1)
    for line in summary.lines():
        click.echo(line)
