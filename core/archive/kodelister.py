"""Noark 5 code lists (kodelister): code ↔ name.

Records store the code (``I``, ``J``, ``BU`` …); the name comes from the list. The same CSV
seeds the ``core_kode`` table (migration), so SQL can join on names too. Extractions
(arkivstruktur.xml) carry the *names* (``Inngående dokument``); :func:`code_for` maps them back,
case-insensitively.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

CSV = Path(__file__).parent / "kodelister.csv"

JOURNALPOSTTYPE = "journalposttype"
JOURNALSTATUS = "journalstatus"
SAKSSTATUS = "saksstatus"
AVSKRIVNINGSMAATE = "avskrivningsmaate"
DOKUMENTSTATUS = "dokumentstatus"
DOKUMENTTYPE = "dokumenttype"
TILKNYTTET_REGISTRERING_SOM = "tilknyttetregistreringsom"
VARIANTFORMAT = "variantformat"
KORRESPONDANSEPARTTYPE = "korrespondanseparttype"
TILGANGSRESTRIKSJON = "tilgangsrestriksjon"
MERKNADSTYPE = "merknadstype"
FLYTSTATUS = "flytstatus"


@cache
def _lists() -> dict[str, dict[str, str]]:
    lists: dict[str, dict[str, str]] = {}
    with CSV.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            lists.setdefault(row["kodeliste"], {})[row["kode"]] = row["kodenavn"]
    return lists


def codes(kodeliste: str) -> dict[str, str]:
    """All codes of a list, code → name, in the standard's order."""
    return dict(_lists()[kodeliste])


def name(kodeliste: str, kode: str) -> str:
    """The name of ``kode`` (``"I"`` → ``"Inngående dokument"``); the code itself if unknown."""
    return _lists().get(kodeliste, {}).get(kode, kode)


def code_for(kodeliste: str, value: str) -> str | None:
    """The code for a name or a code, case-insensitively; None when the list has neither."""
    wanted = value.strip().casefold()
    for kode, kodenavn in _lists()[kodeliste].items():
        if wanted in (kode.casefold(), kodenavn.casefold()):
            return kode
    return None
