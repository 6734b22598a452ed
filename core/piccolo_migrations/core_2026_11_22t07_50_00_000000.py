"""Archive records: composite unique indexes, list indexes and the Noark 5 code lists.

Uniqueness that numbering relies on is enforced by the database (the backstop behind
``core.archive.numbering``). SQLite cannot ``ALTER TABLE ... ADD CONSTRAINT``, so composite
uniqueness is a unique index; the same statements run on SQLite and PostgreSQL.
"""

import csv
from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-22T07:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "archive indexes and code lists"

KODELISTER = Path(__file__).resolve().parent.parent / "archive" / "kodelister.csv"

STATEMENTS = [
    "CREATE UNIQUE INDEX core_saksmappe_nummer ON core_saksmappe (saksaar, sakssekvensnummer)",
    "CREATE UNIQUE INDEX core_journalpost_nummer ON core_journalpost (saksmappe, journalpostnummer)",
    "CREATE UNIQUE INDEX core_journalpost_journalnummer ON core_journalpost (journalaar, journalsekvensnummer)",
    "CREATE UNIQUE INDEX core_dokumentbeskrivelse_nummer ON core_dokumentbeskrivelse (journalpost, dokumentnummer)",
    "CREATE UNIQUE INDEX core_dokumentobjekt_versjon "
    "ON core_dokumentobjekt (dokumentbeskrivelse, versjonsnummer, variantformat)",
    "CREATE UNIQUE INDEX core_nummerserie_serie_aar ON core_nummerserie (serie, aar)",
    "CREATE UNIQUE INDEX core_kode_liste_kode ON core_kode (kodeliste, kode)",
    "CREATE UNIQUE INDEX core_tilgang_person_kode ON core_tilgang (person, tilgangsrestriksjon)",
    # Lists: restanser and Til fordeling per unit/handler, newest first; case lists per unit.
    "CREATE INDEX core_korrespondansepart_enhet_behandler "
    "ON core_korrespondansepart (administrativ_enhet, saksbehandler) WHERE intern",
    "CREATE INDEX core_journalpost_type_dato ON core_journalpost (journalposttype, journaldato)",
    "CREATE INDEX core_journalpost_behandler ON core_journalpost (saksbehandler, journalstatus)",
    "CREATE INDEX core_saksmappe_enhet_status ON core_saksmappe (administrativ_enhet, saksstatus)",
    "CREATE INDEX core_saksmappe_ansvarlig_status ON core_saksmappe (saksansvarlig, saksstatus)",
    "CREATE INDEX core_avskrivning_part ON core_avskrivning (korrespondansepart, avskrivningsdato)",
]


def _drop(statement: str) -> str:
    name = statement.split(" INDEX ", 1)[1].split(" ON ", 1)[0]
    return f"DROP INDEX {name}"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def create() -> None:
        for statement in STATEMENTS:
            await Table.raw(statement)
        with KODELISTER.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                await Table.raw(
                    "INSERT INTO core_kode (kodeliste, kode, kodenavn) VALUES ({}, {}, {})",
                    row["kodeliste"],
                    row["kode"],
                    row["kodenavn"],
                )

    async def drop() -> None:
        await Table.raw("DELETE FROM core_kode")
        for statement in STATEMENTS:
            await Table.raw(_drop(statement))

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
