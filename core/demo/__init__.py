"""Demo data: a municipality-like organisation, deterministic for a given seed.

Core creates units (from the customer's restanse table), leaders, deputies and people with
roles, a year of archive records (:mod:`core.demo.records`, described in
``docs/demo-data.md``) and some tasks (:mod:`core.demo.tasks`); then every plugin's
``demo_data`` hook adds its records, given a :class:`~core.contributions.DemoContext` (also
importable from here).
"""

from __future__ import annotations

import random
from datetime import timedelta

from core import roles
from core.archive import ledger
from core.archive.tables import Journalpost
from core.cli_support import Progress
from core.contributions import DemoContext
from core.db import analyze, app_registry, connected, migrate, writing
from core.demo import records, tasks
from core.plugins import await_me_maybe
from core.runtime import build_runtime
from core.settings import Settings
from core.tables import DeputyPeriod, Leadership, Person, PersonRole, Unit
from core.timeutil import now, today

__all__ = ["DemoContext", "populate"]

UNITS: list[tuple[str, str]] = [
    ("ADV-V", "Kommuneadvokaten"),
    ("BARNHG", "Barnehage"),
    ("BODA", "Bo- og dagtilbudet"),
    ("FORB-LEIN", "Forbregd/Lein barnehage"),
    ("GARNES", "Garnes skole"),
    ("GARNES-B", "Garnes barnehage"),
    ("GDO", "Geodata og oppmåling"),
    ("HJTJ VK", "Hjemmetjenesten"),
    ("INNK", "Innkjøp"),
    ("INST VK", "Institusjonstjenestene"),
    ("INTEGRERING", "Integrering og mangfold"),
    ("KANUTTEN", "Kanutten barnehage"),
    ("KTJ VK", "Kulturtjenesten"),
    ("LEKSDAL", "Leksdal skole"),
    ("LEKSDAL-B", "Leksdal barnehage"),
    ("LMA", "Landbruk, miljø og arealforvaltning"),
    ("MAR", "Maritvold barnehage"),
    ("NESS", "Ness skole"),
    ("ORD-V", "Ordføreren"),
    ("RAD-V", "Rådmannen"),
    ("REINSHOLM", "Reinsholm barnehage"),
    ("RESOP", "Ressurssenter Oppvekst"),
    ("RIL", "Regnskap, innfordring og lønn"),
    ("SKOLE", "Skole/SFO"),
    ("SOS VK", "Sosialtjenesten/NAV"),
    ("STIKLESTAD", "Stiklestad skole"),
    ("SUV", "Stab, utvikling og virksomhetsstøtte"),
    ("TDR", "Teknisk drift"),
    ("UNG", "Ungdomsarbeid"),
    ("VERDAL-BS", "Verdalsøra barneskole"),
    ("VERDAL-US", "Verdalsøra ungdomsskole"),
    ("VINNE", "Vinne skole"),
    ("VINNE-B", "Vinne barnehage"),
    ("VUKU", "Vuku barne- og ungdomsskole"),
    ("VUKU-B", "Vuku barnehage"),
    ("ØRMELEN", "Ørmelen skole"),
    ("ØRMELEN-B", "Ørmelen barnehage"),
]
# Units with several handlers (the busy ones in the customer's table); others get one or two.
BIG_UNITS = {"LMA": 6, "RAD-V": 4, "TDR": 4, "SUV": 4, "HJTJ VK": 3, "KTJ VK": 3, "BODA": 2, "GDO": 2}
SUB_UNITS = {
    "BARNHG": [
        "FORB-LEIN",
        "GARNES-B",
        "KANUTTEN",
        "LEKSDAL-B",
        "MAR",
        "REINSHOLM",
        "VINNE-B",
        "VUKU-B",
        "ØRMELEN-B",
    ],
    "SKOLE": [
        "GARNES",
        "LEKSDAL",
        "NESS",
        "STIKLESTAD",
        "VERDAL-BS",
        "VERDAL-US",
        "VINNE",
        "VUKU",
        "ØRMELEN",
    ],
}
FIRST = [
    "Anne",
    "Per",
    "Kari",
    "Ola",
    "Ingrid",
    "Lars",
    "Marit",
    "Jon",
    "Siri",
    "Knut",
    "Liv",
    "Erik",
    "Hilde",
    "Nils",
    "Tone",
    "Arne",
    "Berit",
    "Geir",
    "Randi",
    "Tor",
    "Unni",
    "Svein",
    "Ragnhild",
    "Odd",
    "Heidi",
    "Bjørn",
    "Solveig",
    "Trond",
    "Astrid",
    "Eirik",
]
LAST = [
    "Hansen",
    "Johansen",
    "Olsen",
    "Larsen",
    "Andersen",
    "Pedersen",
    "Nilsen",
    "Kristiansen",
    "Jensen",
    "Karlsen",
    "Berg",
    "Haugen",
    "Hagen",
    "Eriksen",
    "Bakken",
    "Moe",
    "Lie",
    "Dahl",
    "Lund",
    "Strand",
    "Vollan",
    "Indahl",
    "Karlgård",
    "Leirvik",
    "Sandvik",
    "Holm",
    "Ness",
    "Aune",
]


async def populate(
    settings: Settings, seed: int = 2026, scale: int = 0, progress: Progress | None = None
) -> str:
    """Create the demo data (once; a second call adds nothing) and return a summary.

    The organisation, a year of archive records (:mod:`core.demo.records`), then every
    plugin's records. ``scale`` adds that many further journal posts; on a database that
    already has data, only those are added (a load test on top of the demo). ``progress``
    counts the record rows as they are inserted.
    """
    await migrate(settings)
    runtime = build_runtime(settings)
    async with connected(settings):
        if await Person.count() > 0:
            if scale <= 0:
                return "Databasen har allerede data; demodata er ikke lagt inn på nytt."
            added = await records.add_posts(settings, seed=seed, posts=scale, progress=progress)
            await _rebuild_ledger()
            await _analyze(settings)
            return f"Databasen har allerede data; la til {added} journalposter.\n{await records.summary()}"
        ctx = DemoContext(settings=settings, rng=random.Random(seed), scale=scale, pm=runtime.pm)
        async with writing(Person):
            await _organisation(ctx)
        await records.populate_records(settings, seed=seed, extra=scale, progress=progress)
        task_count = await tasks.populate_tasks(ctx)
        for result in runtime.pm.hook.demo_data(ctx=ctx):
            await await_me_maybe(result)
        await _rebuild_ledger()
        people = await Person.count()
        await _analyze(settings)
        return (
            f"Demodata lagt inn: {len(ctx.units)} enheter, {people} personer, {task_count} oppgaver.\n"
            f"{await records.summary()}"
        )


async def _rebuild_ledger() -> None:
    """The bulk load writes the records directly (:mod:`core.demo.bulk`): the restanse ledger
    is rebuilt from them in one set-based pass."""
    async with writing(Journalpost):
        await ledger.rebuild_all()


async def _analyze(settings: Settings) -> None:
    """Statistics for every table the demo filled (core's and the plugins'): without them
    PostgreSQL plans the first lists as if the tables were empty."""
    registry = app_registry(settings)
    await analyze([table for config in registry.app_configs.values() for table in config.table_classes])


def _unique_initials(name: str, used: set[str]) -> str:
    parts = name.split()
    base = (parts[0][:2] + parts[-1][:2]).upper()
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}{n}"
    used.add(candidate)
    return candidate


async def _organisation(ctx: DemoContext) -> None:
    rng = ctx.rng
    for code, name in UNITS:
        unit = Unit(code=code, name=name, active=True)
        await unit.save()
        ctx.units[code] = unit.id
    for parent, children in SUB_UNITS.items():
        await Unit.update({Unit.parent: ctx.units[parent]}).where(Unit.code.is_in(children))
    used_names: set[str] = set()
    used_initials: set[str] = set()

    async def person(
        unit_code: str | None, *, name: str | None = None, person_roles: tuple[str, ...] = ()
    ) -> int:
        while name is None or name in used_names:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        used_names.add(name)
        initials = _unique_initials(name, used_initials)
        email = f"{initials.lower()}@kommune.example"
        row = Person(
            name=name,
            initials=initials,
            email=email,
            active=True,
            unit=ctx.units[unit_code] if unit_code else None,
        )
        await row.save()
        for role in person_roles:
            await PersonRole(person=row.id, role=role).save()
        return int(row.id)

    # Fellestjenesten/Arkiv sits in SUV; payroll in RIL; IT in SUV.
    ctx.archive_staff = [
        await person("SUV", name="Unni Karlgård", person_roles=(roles.ARKIV,)),
        await person("SUV", name="Liv Elsa Leirvik Indahl", person_roles=(roles.ARKIV, roles.ADMIN)),
    ]
    await person("RIL", name="Lønn Lønningskontoret", person_roles=(roles.LONN,))
    await person("SUV", name="Ida IKT-Drift", person_roles=(roles.IKT,))
    for code, _name in UNITS:
        leader = await person(code)
        ctx.leaders[code] = leader
        await Leadership(unit=ctx.units[code], person=leader).save()
        count = BIG_UNITS.get(code, 1 + (len(code) % 2))
        ctx.handlers[code] = [await person(code) for _ in range(count)]
    # Deputies: the first handler deputises; some leaders are away right now.
    start = today()
    for i, (code, _name) in enumerate(UNITS):
        if i % 4 != 0:
            continue
        await DeputyPeriod(
            unit=ctx.units[code],
            leader=ctx.leaders[code],
            deputy=ctx.handlers[code][0],
            starts=start - timedelta(days=2),
            ends=start + timedelta(days=5),
            reason="Ferie",
            created_by=ctx.leaders[code],
            created_at=now(),
        ).save()
