"""Write side of the Noark 5 export: records → v5.0 ``arkivstruktur.xml`` elements.

:class:`Writer` wraps lxml's incremental writer (``etree.xmlfile``): every element is opened,
filled and closed in place, so nothing but the current page of records is held in memory. The
element order follows ``xsd/v5.0/arkivstruktur.xsd`` (an ``xs:sequence`` – order matters;
korrespondansepart closes the registrering part, before ``journalaar``; the saksmappe
extension elements come after the case's ``registrering`` children).

Mapping rules (see ``docs/noark5.md``, section «Export»):

- Code values are written as their Norwegian names (:func:`core.archive.kodelister.name`).
- Units and persons are written as names (M305/M306/M307 are names, not ids).
- ``systemID`` is the stored ``system_id`` when that is a UUID. v5.0 requires UUIDs, so any
  other stored id (e.g. one imported from an older extraction) becomes a deterministic UUID5 of
  it; the original id is not in the file (v5.0 has no element for it).
- Mandatory elements without a value get :data:`MANGLER`; an open case (no
  ``avsluttet_dato``) gets the extraction time as ``avsluttetDato`` and :data:`IKKE_AVSLUTTET`
  as ``avsluttetAv``, because v5.0 makes both mandatory on every mappe.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from core.archive import kodelister
from core.archive.noark5 import NS
from core.archive.noark5.export_data import Row
from core.archive.numbering import mappe_id, registrerings_id

XSI = "http://www.w3.org/2001/XMLSchema-instance"

MANGLER = "Ikke angitt"
"""Written where v5.0 requires a value the record does not have (e.g. no saksansvarlig yet)."""

IKKE_AVSLUTTET = "Ikke avsluttet"
"""``avsluttetAv`` of a case that is not closed (its ``avsluttetDato`` is the extraction time)."""

SJEKKSUM_ALGORITME = "SHA-256"

SYSTEM_ID_NAMESPACE = uuid.UUID("6f1c0f3e-2b0c-5d7e-9a51-7d3a6c2b8e10")
"""Namespace of every UUID the export derives (fixed: the same input gives the same UUID)."""

ARKIV_SYSTEM_ID = str(uuid.uuid5(SYSTEM_ID_NAMESPACE, "arkivrutiner:arkiv"))
ARKIVDEL_SYSTEM_ID = str(uuid.uuid5(SYSTEM_ID_NAMESPACE, "arkivrutiner:arkivdel"))

_UUID = re.compile(r"[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def system_id(kind: str, stored: str) -> str:
    """The v5.0 systemID for a stored id: itself when it is a UUID, else UUID5(kind:stored)."""
    if _UUID.fullmatch(stored):
        return stored
    return str(uuid.uuid5(SYSTEM_ID_NAMESPACE, f"{kind}:{stored}"))


def xml_text(value: Any) -> str:
    """``value`` as XML text: ISO dates and times (UTC when naive), other values as str,
    characters XML 1.0 cannot carry removed."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return _NOT_XML.sub("", str(value))


def given(value: str | None) -> str:
    """A mandatory text: the value, or :data:`MANGLER` when empty."""
    text = xml_text(value) if value is not None else ""
    return text if text.strip() else MANGLER


class Writer:
    """Indented incremental writing of arkivstruktur elements (all in the Noark namespace)."""

    def __init__(self, xf: Any) -> None:
        self.xf = xf
        self.depth = 0

    def _newline(self) -> None:
        self.xf.write("\n" + "  " * self.depth)

    @contextmanager
    def element(self, name: str, xsi_type: str | None = None) -> Iterator[None]:
        self._newline()
        attributes = {f"{{{XSI}}}type": xsi_type} if xsi_type else {}
        with self.xf.element(f"{{{NS}}}{name}", attributes):
            self.depth += 1
            yield
            self.depth -= 1
            self._newline()

    def leaf(self, name: str, value: Any) -> None:
        """A simple element; always written (mandatory)."""
        self._newline()
        with self.xf.element(f"{{{NS}}}{name}"):
            self.xf.write(xml_text(value))

    def optional(self, name: str, value: Any) -> None:
        """A simple element, left out when ``value`` is None or empty."""
        if value is not None and xml_text(value).strip():
            self.leaf(name, value)


@dataclass(frozen=True)
class Context:
    """What every record needs: when the extraction ran, and which titles to mask."""

    uttrekk_tid: datetime
    masked_for: frozenset[str] | None
    """None: the full archival export. Else the tilgangskoder of the reader: a title whose
    tilgangsrestriksjon is not among them is replaced (``core.archive.access.shown_title``)."""


# -- skjerming and merknad ---------------------------------------------------------------


def write_skjerming(w: Writer, tilgangsrestriksjon: str, skjermingshjemmel: str, metadata: str) -> None:
    """``skjerming`` (written only for a restricted record). ``metadata`` is a skjermingMetadata
    code: what is screened (``TMO``/``TRO``: selected words of the title, ``TD``: document title)."""
    with w.element("skjerming"):
        w.leaf("tilgangsrestriksjon", kodelister.name(kodelister.TILGANGSRESTRIKSJON, tilgangsrestriksjon))
        w.leaf("skjermingshjemmel", given(skjermingshjemmel))
        w.leaf("skjermingMetadata", kodelister.name("skjermingmetadata", metadata))


def write_merknad(w: Writer, row: Row) -> None:
    with w.element("merknad"):
        w.leaf("merknadstekst", given(row["merknadstekst"]))
        w.optional("merknadstype", kodelister.name(kodelister.MERKNADSTYPE, row["merknadstype"]))
        w.leaf("merknadsdato", row["merknadsdato"])
        w.leaf("merknadRegistrertAv", given(row["registrert_av_navn"]))


# -- documents ----------------------------------------------------------------------------


def write_dokumentobjekt(w: Writer, row: Row, referanse: str) -> None:
    with w.element("dokumentobjekt"):
        w.leaf("systemID", system_id("dokumentobjekt", row["system_id"]))
        w.leaf("versjonsnummer", row["versjonsnummer"])
        w.leaf("variantformat", kodelister.name(kodelister.VARIANTFORMAT, row["variantformat"]))
        w.leaf("format", given(row["format"]))
        w.leaf("opprettetDato", row["opprettet_dato"])
        w.leaf("opprettetAv", given(row["opprettet_av_navn"]))
        w.leaf("referanseDokumentfil", referanse)
        w.leaf("sjekksum", row["sjekksum"])
        w.leaf("sjekksumAlgoritme", SJEKKSUM_ALGORITME)
        w.leaf("filstoerrelse", row["filstoerrelse"])


def open_dokumentbeskrivelse(
    w: Writer, row: Row, tittel: str, tilgangsrestriksjon: str, hjemmel: str
) -> None:
    """Everything of a dokumentbeskrivelse before its dokumentobjekt children (the caller
    writes those inside the same ``w.element("dokumentbeskrivelse")``)."""
    w.leaf("systemID", system_id("dokumentbeskrivelse", row["system_id"]))
    w.leaf("dokumenttype", kodelister.name(kodelister.DOKUMENTTYPE, row["dokumenttype"]))
    w.leaf("dokumentstatus", kodelister.name(kodelister.DOKUMENTSTATUS, row["dokumentstatus"]))
    w.leaf("tittel", given(tittel))
    w.leaf("opprettetDato", row["opprettet_dato"])
    w.leaf("opprettetAv", given(row["opprettet_av_navn"]))
    w.leaf(
        "tilknyttetRegistreringSom",
        kodelister.name(kodelister.TILKNYTTET_REGISTRERING_SOM, row["tilknyttet_registrering_som"]),
    )
    w.leaf("dokumentnummer", row["dokumentnummer"])
    w.leaf("tilknyttetDato", row["opprettet_dato"])
    w.leaf("tilknyttetAv", given(row["opprettet_av_navn"]))
    if tilgangsrestriksjon:
        write_skjerming(w, tilgangsrestriksjon, hjemmel, "TD")


# -- journalpost parts --------------------------------------------------------------------


def write_korrespondansepart(w: Writer, row: Row) -> None:
    with w.element("korrespondansepart"):
        w.leaf(
            "korrespondanseparttype",
            kodelister.name(kodelister.KORRESPONDANSEPARTTYPE, row["korrespondanseparttype"]),
        )
        navn = row["navn"] or row["saksbehandler_navn"] or row["administrativ_enhet_navn"]
        w.leaf("korrespondansepartNavn", given(navn))
        w.optional("postadresse", row["postadresse"])
        w.optional("postnummer", row["postnummer"])
        w.optional("poststed", row["poststed"])
        w.optional("epostadresse", row["epostadresse"])
        w.optional("administrativEnhet", row["administrativ_enhet_navn"])
        w.optional("saksbehandler", row["saksbehandler_navn"])


def write_avskrivning(w: Writer, row: Row) -> None:
    with w.element("avskrivning"):
        w.leaf("avskrivningsdato", row["avskrivningsdato"])
        w.leaf("avskrevetAv", given(row["avskrevet_av_navn"] or row["avskrevet_av_person_navn"]))
        w.leaf("avskrivningsmaate", kodelister.name(kodelister.AVSKRIVNINGSMAATE, row["avskrivningsmaate"]))
        if row["avskrives_av_system_id"]:
            w.leaf("referanseAvskrivesAvJournalpost", system_id("journalpost", row["avskrives_av_system_id"]))


def write_dokumentflyt(w: Writer, row: Row, *, merknad: bool = True) -> None:
    """One dokumentflyt step (after the avskrivninger): v3.1, v4.0 and v5.0 share its elements
    and order. ``merknad=False`` leaves the remark out (a masked export of a post the reader may
    not see)."""
    with w.element("dokumentflyt"):
        w.leaf("flytTil", given(row["flyt_til_navn"] or row["flyt_til_person_navn"]))
        w.leaf("flytFra", given(row["flyt_fra_navn"] or row["flyt_fra_person_navn"]))
        w.leaf("flytMottattDato", row["flyt_mottatt_dato"])
        w.leaf("flytSendtDato", row["flyt_sendt_dato"])
        w.leaf("flytStatus", kodelister.name(kodelister.FLYTSTATUS, row["flyt_status"]))
        if merknad:
            w.optional("flytMerknad", row["flyt_merknad"])


def journalpost_head(w: Writer, row: Row) -> None:
    """The registrering elements before skjerming and dokumentbeskrivelse."""
    w.leaf("systemID", system_id("journalpost", row["system_id"]))
    w.leaf("opprettetDato", row["opprettet_dato"])
    w.leaf("opprettetAv", given(row["opprettet_av_navn"]))
    # No separate archiving step: a post is in the archive from its registration.
    w.leaf("arkivertDato", row["opprettet_dato"])
    w.leaf("arkivertAv", given(row["opprettet_av_navn"]))


def journalpost_identity(w: Writer, case: Row, row: Row, tittel: str) -> None:
    """registreringsID, tittel, offentligTittel (after the dokumentbeskrivelser)."""
    w.leaf(
        "registreringsID",
        registrerings_id(case["saksaar"], case["sakssekvensnummer"], row["journalpostnummer"]),
    )
    w.leaf("tittel", given(tittel))
    w.optional("offentligTittel", row["offentlig_tittel"])


def journalpost_extension(w: Writer, row: Row, antall_vedlegg: int) -> None:
    """The journalpost extension elements up to (not including) avskrivning."""
    w.leaf("journalaar", row["journalaar"])
    w.leaf("journalsekvensnummer", row["journalsekvensnummer"])
    w.leaf("journalpostnummer", row["journalpostnummer"])
    w.leaf("journalposttype", kodelister.name(kodelister.JOURNALPOSTTYPE, row["journalposttype"]))
    w.leaf("journalstatus", kodelister.name(kodelister.JOURNALSTATUS, row["journalstatus"]))
    w.leaf("journaldato", row["journaldato"])
    w.optional("dokumentetsDato", row["dokumentets_dato"])
    w.optional("mottattDato", row["mottatt_dato"])
    w.optional("sendtDato", row["sendt_dato"])
    w.optional("forfallsdato", row["forfallsdato"])
    if antall_vedlegg:
        w.leaf("antallVedlegg", antall_vedlegg)


# -- saksmappe ----------------------------------------------------------------------------


def saksmappe_head(w: Writer, row: Row, tittel: str, ctx: Context) -> None:
    """The mappe elements before merknad/skjerming and the registrering children."""
    w.leaf("systemID", system_id("saksmappe", row["system_id"]))
    w.leaf("mappeID", mappe_id(row["saksaar"], row["sakssekvensnummer"]))
    w.leaf("tittel", given(tittel))
    w.optional("offentligTittel", row["offentlig_tittel"])
    w.leaf("opprettetDato", row["opprettet_dato"])
    w.leaf("opprettetAv", given(row["opprettet_av_navn"]))
    if row["avsluttet_dato"] is not None:
        w.leaf("avsluttetDato", row["avsluttet_dato"])
        w.leaf("avsluttetAv", MANGLER)  # the records do not keep who closed a case
    else:
        w.leaf("avsluttetDato", ctx.uttrekk_tid)
        w.leaf("avsluttetAv", IKKE_AVSLUTTET)


def saksmappe_extension(w: Writer, row: Row) -> None:
    """The saksmappe extension elements (after the registrering children)."""
    w.leaf("saksaar", row["saksaar"])
    w.leaf("sakssekvensnummer", row["sakssekvensnummer"])
    w.leaf("saksdato", row["saksdato"])
    w.leaf("administrativEnhet", given(row["administrativ_enhet_navn"]))
    w.leaf("saksansvarlig", given(row["saksansvarlig_navn"]))
    w.leaf("saksstatus", kodelister.name(kodelister.SAKSSTATUS, row["saksstatus"]))


# -- arkiv and arkivdel -------------------------------------------------------------------


@dataclass(frozen=True)
class Arkivskaper:
    """The body whose archive this is (``arkivskaper``): e.g. the municipality's org. number."""

    arkivskaper_id: str = "arkivrutiner"
    navn: str = "Arkivrutiner"


SYSTEM_USER = "arkivrutiner"


def arkiv_head(w: Writer, ctx: Context, arkivskaper: Arkivskaper) -> None:
    w.leaf("systemID", ARKIV_SYSTEM_ID)
    w.leaf("tittel", "Sakarkiv")
    w.leaf("beskrivelse", "Uttrekk fra arkivrutiner (Noark 5 v5.0)")
    w.leaf("opprettetDato", ctx.uttrekk_tid)
    w.leaf("opprettetAv", SYSTEM_USER)
    w.leaf("avsluttetDato", ctx.uttrekk_tid)
    w.leaf("avsluttetAv", SYSTEM_USER)
    with w.element("arkivskaper"):
        w.leaf("arkivskaperID", given(arkivskaper.arkivskaper_id))
        w.leaf("arkivskaperNavn", given(arkivskaper.navn))


def arkivdel_head(w: Writer, ctx: Context) -> None:
    w.leaf("systemID", ARKIVDEL_SYSTEM_ID)
    w.leaf("tittel", "Sakarkiv")
    w.leaf("arkivdelstatus", "Aktiv periode")
    w.leaf("dokumentmedium", "Elektronisk arkiv")
    w.leaf("opprettetDato", ctx.uttrekk_tid)
    w.leaf("opprettetAv", SYSTEM_USER)
    w.leaf("avsluttetDato", ctx.uttrekk_tid)
    w.leaf("avsluttetAv", SYSTEM_USER)
