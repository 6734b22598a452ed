"""Norwegian labels for the Noark 5 codes the case-work pages show (translatable; the code
lists in :mod:`core.archive.kodelister` hold the standard's bokmål names only)."""

from __future__ import annotations

from core.archive.queries.flow import FLYTSTATUS_LABELS
from core.i18n import N_, _, format_tall

JOURNALPOSTTYPE = {
    "I": N_("Inngående dokument"),
    "U": N_("Utgående dokument"),
    "N": N_("Organinternt dokument for oppfølging"),
    "X": N_("Organinternt dokument uten oppfølging"),
    "S": N_("Saksframlegg"),
}
JOURNALPOSTTYPE_SHORT = {
    "I": N_("Inngående"),
    "U": N_("Utgående"),
    "N": N_("Notat med oppfølging"),
    "X": N_("Notat uten oppfølging"),
    "S": N_("Saksframlegg"),
}
JOURNALSTATUS = {
    "J": N_("Journalført"),
    "F": N_("Ferdigstilt"),
    "G": N_("Godkjent av leder"),
    "E": N_("Ekspedert"),
    "A": N_("Arkivert"),
    "U": N_("Utgår"),
    "M": N_("Midlertidig registrert"),
    "S": N_("Registrert av saksbehandler"),
    "R": N_("Reservert"),
}
SAKSSTATUS = {
    "B": N_("Under behandling"),
    "A": N_("Avsluttet"),
    "U": N_("Utgår"),
    "R": N_("Opprettet av saksbehandler"),
    "S": N_("Avsluttet av saksbehandler"),
    "P": N_("Unntatt prosesstyring"),
    "F": N_("Ferdig fra saksbehandler"),
}
AVSKRIVNINGSMAATE = {
    "BU": N_("Besvart med brev"),
    "BE": N_("Besvart med e-post"),
    "TLF": N_("Besvart på telefon"),
    "TE": N_("Tatt til etterretning"),
    "TO": N_("Tatt til orientering"),
    "BN": N_("Besvart med notat"),
    "SA": N_("Saken ble avsluttet"),
}
KORRESPONDANSEPARTTYPE = {
    "EA": N_("Avsender"),
    "EM": N_("Mottaker"),
    "EK": N_("Kopimottaker"),
    "GM": N_("Gruppemottaker"),
    "IA": N_("Intern avsender"),
    "IM": N_("Intern mottaker"),
    "IK": N_("Intern kopimottaker"),
    "IS": N_("Medavsender"),
}
TILGANGSRESTRIKSJON = {
    "B": N_("Begrenset etter sikkerhetsinstruksen"),
    "K": N_("Konfidensielt etter sikkerhetsinstruksen"),
    "H": N_("Hemmelig etter sikkerhetsinstruksen"),
    "F": N_("Fortrolig etter beskyttelsesinstruksen"),
    "SF": N_("Strengt fortrolig etter beskyttelsesinstruksen"),
    "5": N_("Unntatt etter offentlighetsloven § 5"),
    "5a": N_("Unntatt etter offentlighetsloven § 5a"),
    "6": N_("Unntatt etter offentlighetsloven § 6"),
    "11": N_("Unntatt etter offentlighetsloven § 11"),
    "XX": N_("Midlertidig sperret"),
    "P": N_("Personalsaker"),
    "KL": N_("Klientsaker"),
}
TILKNYTTET = {"H": N_("Hoveddokument"), "V": N_("Vedlegg")}
DOKUMENTSTATUS = {"B": N_("Under redigering"), "F": N_("Ferdigstilt")}
MERKNADSTYPE = {
    "MS": N_("Merknad fra saksbehandler"),
    "ML": N_("Merknad fra leder"),
    "MA": N_("Merknad fra arkivansvarlig"),
}

LISTS = {
    "journalposttype": JOURNALPOSTTYPE,
    "journalposttype_kort": JOURNALPOSTTYPE_SHORT,
    "journalstatus": JOURNALSTATUS,
    "saksstatus": SAKSSTATUS,
    "avskrivningsmaate": AVSKRIVNINGSMAATE,
    "korrespondanseparttype": KORRESPONDANSEPARTTYPE,
    "tilgangsrestriksjon": TILGANGSRESTRIKSJON,
    "tilknyttet": TILKNYTTET,
    "dokumentstatus": DOKUMENTSTATUS,
    "merknadstype": MERKNADSTYPE,
    "flytstatus": FLYTSTATUS_LABELS,
}


def label(kodeliste: str, kode: str | None) -> str:
    """The translated label of ``kode`` in ``kodeliste`` (the code itself when unknown)."""
    if not kode:
        return ""
    text = LISTS.get(kodeliste, {}).get(kode)
    return _(text) if text else kode


def options(kodeliste: str, codes: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    """``(code, label)`` pairs for a select or radio group."""
    items = LISTS[kodeliste]
    return [(code, _(items[code])) for code in (codes or tuple(items))]


def file_size(size: int | None) -> str:
    """A file size for people: ``812 byte``, ``12 kB``, ``1,2 MB`` (Norwegian decimal comma)."""
    if size is None:
        return ""
    if size < 1000:
        return _("%(n)s byte") % {"n": format_tall(size)}
    if size < 1_000_000:
        return _("%(n)s kB") % {"n": format_tall(round(size / 1000))}
    if size < 1_000_000_000:
        return _("%(n)s MB") % {"n": format_tall(round(size / 1_000_000, 1))}
    return _("%(n)s GB") % {"n": format_tall(round(size / 1_000_000_000, 1))}
