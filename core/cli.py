"""The ``arkivrutiner`` command line: migrate, serve, demo-data, jobs, scheduler, plugin commands."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import time
from typing import Any

import click
import uvicorn

from core.archive import ledger
from core.archive.noark5.export_command import export_noark5
from core.archive.noark5.import_command import import_noark5
from core.archive.tables import Journalpost
from core.cli_support import Progress, interrupted_by_sigterm, run, settings_or_exit
from core.db import connected, pending_migrations, writing
from core.db import migrate as do_migrate
from core.demo import populate
from core.jobs import current_slot, run_job, scheduler_loop
from core.runtime import build_runtime
from core.settings import ConfigError, load_settings


class ArkivCLI(click.Group):
    """Adds the plugins' commands (``register_commands`` hook) when the CLI starts."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plugins_loaded = False

    def _load_plugin_commands(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        with contextlib.suppress(ConfigError):  # reported by the command itself
            build_runtime(load_settings()).pm.hook.register_commands(cli=self)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None:
            self._load_plugin_commands()
            command = super().get_command(ctx, cmd_name)
        return command


@click.group(cls=ArkivCLI, help="Arkivrutiner: rutiner rundt sakarkivet.")
@click.option("-v", "--verbose", is_flag=True, help="Skriv mer logg.")
def main(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )


@main.command(help="Kjør alle databasemigreringer (kjerne og tillegg).")
def migrate() -> None:
    settings = settings_or_exit()

    async def go() -> list[str]:
        before = await pending_migrations(settings)
        await do_migrate(settings)
        return before

    applied = run(go())
    click.echo(f"Migrert: {len(applied)} nye migreringer kjørt." if applied else "Databasen er oppdatert.")


@main.command(
    "rebuild-restanse-ledger",
    help="Regn ut restanseregnskapet og fordelingskøene på nytt fra journalpostene.",
)
def rebuild_restanse_ledger() -> None:
    settings = settings_or_exit()

    async def go() -> int:
        async with connected(settings), writing(Journalpost):
            return await ledger.rebuild_all()

    started = time.perf_counter()
    spans = run(go())
    click.echo(
        f"Restanseregnskapet er bygd på nytt: {spans} mottakere på {time.perf_counter() - started:.1f} s."
    )


@main.command(help="Start webserveren (uvicorn).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="Antall arbeidsprosesser.")
@click.option("--reload", is_flag=True, help="Last inn kode på nytt ved endringer (utvikling).")
def serve(host: str, port: int, workers: int, reload: bool) -> None:
    settings_or_exit()
    uvicorn.run(
        "core.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        proxy_headers=True,
        log_level="info",
    )


@main.command("demo-data", help="Fyll databasen med demodata (deterministisk).")
@click.option("--scale", default=0, type=int, help="Lag i tillegg så mange journalposter (ytelsestest).")
@click.option("--seed", default=2026, type=int, show_default=True)
def demo_data(scale: int, seed: int) -> None:
    settings = settings_or_exit()
    progress = Progress("Demodata", unit="rader")
    with interrupted_by_sigterm(), progress:
        summary = run(populate(settings, seed=seed, scale=scale, progress=progress))
    click.echo(summary)


@main.group(help="Planlagte jobber.")
def jobs() -> None:
    pass


@jobs.command("list", help="List alle jobber med tidsplan.")
def jobs_list() -> None:
    runtime = build_runtime(settings_or_exit())
    for job in runtime.jobs:
        click.echo(f"{job.name:32} {job.schedule:16} {job.description}")


@jobs.command("run", help="Kjør én jobb nå (for inneværende minutt; hoppes over om den alt er kjørt).")
@click.argument("name")
def jobs_run(name: str) -> None:
    settings = settings_or_exit()
    runtime = build_runtime(settings)
    job = runtime.job(name)
    if job is None:
        click.echo(f"Ukjent jobb: {name}. Se «arkivrutiner jobs list».", err=True)
        sys.exit(2)

    async def go() -> Any:
        async with connected(settings):
            return await run_job(runtime, job, current_slot())

    result = run(go())
    click.echo(f"{result.job} {result.slot:%Y-%m-%d %H:%M}: {result.status} {result.message}".rstrip())
    if result.status == "failed":
        sys.exit(1)


@main.command(help="Start planleggeren som kjører jobbene etter tidsplan (én prosess).")
def scheduler() -> None:
    settings = settings_or_exit()
    runtime = build_runtime(settings)
    logging.getLogger().setLevel(logging.INFO)

    async def go() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with connected(settings):
            await scheduler_loop(runtime, stop=stop)

    run(go())


# Noark 5 import and export (core: every routine works on the archive's records).
main.add_command(import_noark5)
main.add_command(export_noark5)

if __name__ == "__main__":
    main()
