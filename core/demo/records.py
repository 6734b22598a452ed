"""Demo archive records: a year of cases and journal posts for the demo organisation.

:func:`populate_records` fills an empty archive (about 4 500 journal posts, see
:data:`BASE_POSTS`); :func:`add_posts` adds any number of further posts (``demo-data --scale``).
Both are deterministic for a seed, a database state and a day: dates are relative to
:func:`core.timeutil.today`, so the data is always current (one year back from today).

What is generated, per unit of the demo organisation (shares follow the customer's restanse
table, :data:`core.demo.catalog.UNIT_PROFILES`):

- cases from typical templates (:mod:`core.demo.catalog`) with a realistic sequence of posts:
  incoming letters (I) distributed to the case handler, answers (U, written off ``BU``/``BE``),
  internal notes to other units (N, one restanse per internal recipient, answered by an X/N
  note: ``BN``), notes without follow-up (X);
- open restanser, about :data:`core.demo.plan.OPEN_SHARE` of the internal recipients, shaped like the
  customer's table (LMA far ahead; a few handlers there above 30), some overdue by
  forfallsdato, some with a foreløpig svar; the rest written off ``TE``/``TO``/``TLF``;
- incoming post *Til fordeling*: registered by the archive to a unit without a handler, in
  several units, some from today;
- own posts in every state (R, F waiting for approval, E, J; A in closed cases);
- restricted cases and posts (``P``, ``KL``, ``5``) with skjermingshjemmel and an
  ``offentlig_tittel`` where names are replaced by ``*****``; ``Tilgang`` rows for the people
  who need them;
- documents: small real PDFs (and Markdown notes) in the file store, hoveddokument and
  vedlegg, some with two or three versions; identical bytes are stored once.

The records are planned in memory (:mod:`core.demo.plan`, from the templates in
:mod:`core.demo.catalog`, documents from :mod:`core.demo.documents`) and written set-based
(:mod:`core.demo.bulk`).
"""

from __future__ import annotations

import logging
import random
import time
from typing import Any

from core.archive.queries.common import QueryString, run
from core.archive.queries.distribution import pending_condition
from core.archive.queries.open_recipients import RECIPIENT, open_on
from core.archive.tables import Journalpost, Saksmappe, Tilgang
from core.cli_support import Progress
from core.db import writing
from core.demo.bulk import write
from core.demo.plan import BASE_POSTS, Org, Planner, load_org
from core.settings import Settings
from core.timeutil import now, today

log = logging.getLogger(__name__)

ACCESS_BY_UNIT = {
    "RAD-V": ("P", "5"),
    "SUV": ("P",),
    "RIL": ("P", "KL"),
    "HJTJ VK": ("KL",),
    "INST VK": ("KL",),
    "BODA": ("KL",),
    "SOS VK": ("KL",),
    "INTEGRERING": ("KL",),
    "RESOP": ("KL",),
    "INNK": ("5",),
    "ADV-V": ("5", "P"),
}
"""Tilgangskoder the handlers of a unit hold (leaders get ``P`` too)."""
ARCHIVE_ACCESS = ("P", "KL", "5")


async def _grant_access(org: Org) -> None:
    wanted: set[tuple[int, str]] = set()
    for person in org.archive:
        wanted |= {(person, code) for code in ARCHIVE_ACCESS}
    for unit in org.units:
        codes = ACCESS_BY_UNIT.get(unit.code, ())
        for person in unit.handlers:
            wanted |= {(person, code) for code in codes}
        if unit.leader is not None:
            wanted |= {(unit.leader, code) for code in (*codes, "P")}
    existing = {(r["person"], r["tilgangsrestriksjon"]) for r in await Tilgang.select()}
    rows = [Tilgang(person=p, tilgangsrestriksjon=c) for p, c in sorted(wanted - existing)]
    if rows:
        await Tilgang.insert(*rows)


async def populate_records(
    settings: Settings,
    *,
    seed: int,
    posts: int = BASE_POSTS,
    extra: int = 0,
    progress: Progress | None = None,
) -> None:
    """Fill an empty archive for the demo organisation: the base year, then ``extra`` posts."""
    org = await load_org()
    if not org.units:
        return
    rng = random.Random(f"arkiv:{seed}")
    planner = Planner(org, rng, day=today(), at=now(), unique_docs=True)
    planner.plan(posts, base=True)
    await write(settings, planner, org, rng, progress)
    async with writing(Tilgang):
        await _grant_access(org)
    if extra > 0:
        await add_posts(settings, seed=seed, posts=extra)


async def add_posts(settings: Settings, *, seed: int, posts: int, progress: Progress | None = None) -> int:
    """Add ``posts`` journal posts (in new cases) over the past year; documents are shared."""
    org = await load_org()
    if not org.units or posts <= 0:
        return 0
    state = await Journalpost.raw("SELECT COALESCE(MAX(id), 0) AS m FROM core_journalpost")
    rng = random.Random(f"skala:{seed}:{state[0]['m']}")
    planner = Planner(org, rng, day=today(), at=now(), unique_docs=False)
    clock = time.perf_counter()
    planner.plan(posts, base=False)
    log.info("demodata: %d journalposter planlagt på %.1f s", planner.posts, time.perf_counter() - clock)
    await write(settings, planner, org, rng, progress)
    return planner.posts


# --- Summary --------------------------------------------------------------------------------

_OPEN = "FROM core_korrespondansepart k JOIN core_journalpost j ON j.id = k.journalpost WHERE {}"


async def summary() -> str:
    """Counts of the archive records, for the ``demo-data`` output. Restanser and *Til
    fordeling* by the one rule of :mod:`core.archive.queries.open_recipients`."""

    async def scalar(sql: str, *args: Any) -> int:
        rows = await Saksmappe.raw(sql, *args)
        return int(next(iter(rows[0].values())) or 0)

    async def count(query: QueryString) -> int:
        rows = await run(query)
        return int(next(iter(rows[0].values())) or 0) if rows else 0

    day = today()
    cases = await scalar("SELECT COUNT(*) AS n FROM core_saksmappe")
    types = {
        r["journalposttype"]: int(r["n"])
        for r in await Journalpost.raw(
            "SELECT journalposttype, COUNT(*) AS n FROM core_journalpost GROUP BY journalposttype"
        )
    }
    posts = sum(types.values())
    restanse = open_on(day, RECIPIENT)
    open_restanser = await count(QueryString(f"SELECT COUNT(*) AS n {_OPEN}", restanse))
    open_overdue = await count(
        QueryString(f"SELECT COUNT(*) AS n {_OPEN} AND j.forfallsdato < {{}}", restanse, day)
    )
    over_30 = await count(
        QueryString(
            f"SELECT COUNT(*) AS n FROM (SELECT k.saksbehandler {_OPEN} AND k.saksbehandler IS NOT NULL "  # noqa: S608 - a constant
            "GROUP BY k.saksbehandler HAVING COUNT(*) >= 30) t",
            restanse,
        )
    )
    waiting = QueryString("{} AND k.administrativ_enhet IS NOT NULL", pending_condition(day))
    fordeling = await count(QueryString(f"SELECT COUNT(*) AS n {_OPEN}", waiting))
    fordeling_units = await count(
        QueryString(f"SELECT COUNT(DISTINCT k.administrativ_enhet) AS n {_OPEN}", waiting)
    )
    to_approve = await scalar(
        "SELECT COUNT(*) AS n FROM core_journalpost WHERE journalstatus = 'F' AND journalposttype IN ('U', 'N', 'X')"
    )
    restricted = await scalar("SELECT COUNT(*) AS n FROM core_journalpost WHERE tilgangsrestriksjon <> ''")
    documents = await scalar("SELECT COUNT(*) AS n FROM core_dokumentbeskrivelse")
    versions = await scalar("SELECT COUNT(*) AS n FROM core_dokumentobjekt")
    files = await scalar("SELECT COUNT(DISTINCT sjekksum) AS n FROM core_dokumentobjekt")
    mix = ", ".join(f"{t} {types.get(t, 0)}" for t in ("I", "U", "N", "X"))
    return (
        f"Arkiv: {cases} saker, {posts} journalposter ({mix}); "
        f"{open_restanser} åpne restanser ({open_overdue} forfalt, {over_30} saksbehandlere med 30 eller flere); "
        f"{fordeling} til fordeling i {fordeling_units} enheter; {to_approve} ferdigstilte til godkjenning; "
        f"{restricted} skjermede journalposter; "
        f"{documents} dokumenter, {versions} versjoner, {files} filer."
    )
