"""Noark 5 record tables (``core_`` prefix; part of core's Piccolo app).

Names follow Noark 5 (saksmappe, journalpost, korrespondansepart, avskrivning,
dokumentbeskrivelse, dokumentobjekt, dokumentflyt, merknad). Every list the routines show has an index.
``version`` columns give optimistic locking: an update checks the version it read.
"""

from __future__ import annotations

from piccolo.columns import (
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from core.tables import Person, Unit


class Kode(Table, tablename="core_kode"):
    """One value of a Noark 5 code list (kodeliste, kode, kodenavn)."""

    id: Serial
    kodeliste = Varchar(length=40)
    kode = Varchar(length=10)
    kodenavn = Varchar(length=200)


class Saksmappe(Table, tablename="core_saksmappe"):
    """A case. ``mappe_id`` is ``saksaar/sakssekvensnummer`` (``2026/00123``)."""

    id: Serial
    system_id = Varchar(length=100, unique=True)
    saksaar = Integer()
    sakssekvensnummer = Integer()
    tittel = Text()
    offentlig_tittel = Text(default="")
    saksstatus = Varchar(length=2, default="B", index=True)
    administrativ_enhet = ForeignKey(Unit, null=True, on_delete=OnDelete.restrict, index=True)
    saksansvarlig = ForeignKey(Person, null=True, on_delete=OnDelete.restrict, index=True)
    saksdato = Date()
    opprettet_dato = Timestamptz()
    opprettet_av = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    avsluttet_dato = Timestamptz(null=True, default=None)
    tilgangsrestriksjon = Varchar(length=20, default="", index=True)
    skjermingshjemmel = Varchar(length=200, default="")
    version = Integer(default=1)


class Journalpost(Table, tablename="core_journalpost"):
    """A registry entry in a case. ``registrerings_id`` is ``2026/00123-4``.

    ``administrativ_enhet``/``saksbehandler`` name who is responsible for the post (the author
    of a U/N/X post; for an I post the handler it is distributed to). The internal recipients of
    I and N posts live in :class:`Korrespondansepart` (``intern``) and drive restanser.
    """

    id: Serial
    system_id = Varchar(length=100, unique=True)
    saksmappe = ForeignKey(Saksmappe, on_delete=OnDelete.restrict, index=True)
    journalaar = Integer()
    journalsekvensnummer = Integer()
    journalpostnummer = Integer()
    journalposttype = Varchar(length=2, index=True)
    journalstatus = Varchar(length=2, index=True)
    tittel = Text()
    offentlig_tittel = Text(default="")
    journaldato = Date(index=True)
    dokumentets_dato = Date(null=True, default=None)
    mottatt_dato = Timestamptz(null=True, default=None)
    sendt_dato = Timestamptz(null=True, default=None)
    forfallsdato = Date(null=True, default=None, index=True)
    administrativ_enhet = ForeignKey(Unit, null=True, on_delete=OnDelete.restrict, index=True)
    saksbehandler = ForeignKey(Person, null=True, on_delete=OnDelete.restrict, index=True)
    tilgangsrestriksjon = Varchar(length=20, default="", index=True)
    skjermingshjemmel = Varchar(length=200, default="")
    opprettet_dato = Timestamptz()
    opprettet_av = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    version = Integer(default=1)


class Korrespondansepart(Table, tablename="core_korrespondansepart"):
    """Sender or recipient. Internal ones (IA/IM/IK, or an EM with a unit) carry the unit and
    handler; an N note has one internal recipient (IM) per unit/handler it goes to."""

    id: Serial
    journalpost = ForeignKey(Journalpost, on_delete=OnDelete.cascade, index=True)
    korrespondanseparttype = Varchar(length=2)
    navn = Varchar(length=300, default="", index=True)
    postadresse = Varchar(length=300, default="")
    postnummer = Varchar(length=10, default="")
    poststed = Varchar(length=100, default="")
    epostadresse = Varchar(length=254, default="")
    intern = Boolean(default=False, index=True)
    administrativ_enhet = ForeignKey(Unit, null=True, on_delete=OnDelete.restrict, index=True)
    saksbehandler = ForeignKey(Person, null=True, on_delete=OnDelete.restrict, index=True)
    fordelt_dato = Timestamptz(null=True, default=None)
    foreloepig_svar_dato = Date(null=True, default=None)
    version = Integer(default=1)
    journaldato = Date(null=True, default=None)
    """The post's journaldato (set at registration or import, never changed), kept here so the
    search's name condition and its date window read one index."""
    til_fordeling_dato = Timestamptz(null=True, default=None)
    """When the recipient was sent to the unit whose queue *Til fordeling* it is in
    (:func:`core.archive.recipients.set_recipient_unit`); None: it has been there since the post
    came (registered, or a note sent). Marks it «Ny» in the queue for who has not seen it."""
    foreloepig_svar_journalpost = ForeignKey(
        Journalpost, null=True, default=None, on_delete=OnDelete.restrict
    )
    """The post of the same case that was the foreløpig svar (U for an I post, N or X for an N
    note), when one was named; a partial index (migration ``core_2026_12_06t19_10_01``) serves
    the delete check of that post."""
    foreloepig_svar_av = ForeignKey(Person, null=True, default=None, on_delete=OnDelete.restrict)
    """Who registered the foreløpig svar (the person who clicked, also when acting as a deputy):
    only they may undo it, on the day of ``foreloepig_svar_registrert``. None for an imported
    one."""
    foreloepig_svar_registrert = Timestamptz(null=True, default=None)


class AvsenderSaksbehandler(Table, tablename="core_avsender_saksbehandler"):
    """Who in a unit got post from an external sender (avsender), and when last: the source of
    fordeling's suggestion «fikk forrige post fra avsenderen». Derived from
    korrespondansepart, one row per (enhet, avsender, saksbehandler, tilgangsrestriksjon of
    the post), kept current by :mod:`core.archive.sender_handlers` in the transaction that
    distributes a post, so a suggestion reads a few rows instead of the unit's history.
    ``korrespondansepart`` is the latest distributed internal recipient (ties on
    ``fordelt_dato`` go to the higher id, as the suggestion orders them)."""

    id: Serial
    enhet = ForeignKey(Unit, on_delete=OnDelete.cascade)
    avsender = Varchar(length=300)
    saksbehandler = ForeignKey(Person, on_delete=OnDelete.cascade, index=True)
    tilgangsrestriksjon = Varchar(length=20, default="")
    fordelt_dato = Timestamptz(null=True, default=None)
    korrespondansepart = Integer()


class Avskrivning(Table, tablename="core_avskrivning"):
    """Write-off of a journal post for one internal recipient (korrespondansepart)."""

    id: Serial
    journalpost = ForeignKey(Journalpost, on_delete=OnDelete.restrict, index=True)
    korrespondansepart = ForeignKey(Korrespondansepart, null=True, on_delete=OnDelete.restrict, index=True)
    avskrivningsdato = Date(index=True)
    avskrevet_av = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    avskrevet_av_navn = Varchar(length=200, default="")
    avskrivningsmaate = Varchar(length=4)
    avskrives_av_journalpost = ForeignKey(Journalpost, null=True, on_delete=OnDelete.restrict)
    registrert = Timestamptz()


class Dokumentbeskrivelse(Table, tablename="core_dokumentbeskrivelse"):
    """A document of a journal post: hoveddokument (H) or vedlegg (V)."""

    id: Serial
    system_id = Varchar(length=100, unique=True)
    journalpost = ForeignKey(Journalpost, on_delete=OnDelete.restrict, index=True)
    dokumentnummer = Integer()
    tilknyttet_registrering_som = Varchar(length=1)
    dokumenttype = Varchar(length=4, default="B")
    dokumentstatus = Varchar(length=1, default="B")
    tittel = Text()
    tilgangsrestriksjon = Varchar(length=20, default="")
    opprettet_dato = Timestamptz()
    opprettet_av = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)


class Dokumentobjekt(Table, tablename="core_dokumentobjekt"):
    """One immutable version of a document's file. The highest versjonsnummer is active."""

    id: Serial
    system_id = Varchar(length=100, unique=True)
    dokumentbeskrivelse = ForeignKey(Dokumentbeskrivelse, on_delete=OnDelete.restrict, index=True)
    versjonsnummer = Integer()
    variantformat = Varchar(length=1, default="P")
    format = Varchar(length=100, default="")
    filnavn = Varchar(length=300)
    sjekksum = Varchar(length=64)
    filstoerrelse = BigInt()
    opprettet_dato = Timestamptz()
    opprettet_av = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    opprettet_i = Varchar(length=200, default="")
    """Where the version was made, for people reading the history (``Godkjenning, steg 1``);
    empty for an ordinary upload. Not part of a Noark 5 extraction (v5.0 has no element for it)."""


class Dokumentflyt(Table, tablename="core_dokumentflyt"):
    """One step of a journal post's dokumentflyt (Noark 5 M660–M665): ``flyt_til`` received the
    post for approval from ``flyt_fra`` at ``flyt_mottatt_dato`` and sent it on at
    ``flyt_sendt_dato`` with ``flyt_status`` (G godkjent, I ikke godkjent, S sendt tilbake med
    kommentarer) and ``flyt_merknad``.

    Log metadata: rows are inserted (:func:`core.archive.services.add_dokumentflyt`, the import)
    and never updated or deleted. ``flyt_til_navn``/``flyt_fra_navn`` keep the names as they were,
    also for imported rows whose names match no person (then the person columns are null).
    """

    id: Serial
    system_id = Varchar(length=100, unique=True)
    journalpost = ForeignKey(Journalpost, null=False, on_delete=OnDelete.restrict, index=True)
    flyt_til = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    flyt_til_navn = Varchar(length=200, default="")
    flyt_fra = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)
    flyt_fra_navn = Varchar(length=200, default="")
    flyt_mottatt_dato = Timestamptz()
    flyt_sendt_dato = Timestamptz()
    flyt_status = Varchar(length=1)
    flyt_merknad = Text(default="")
    registrert = Timestamptz()


class Merknad(Table, tablename="core_merknad"):
    """A remark on a case or a journal post."""

    id: Serial
    saksmappe = ForeignKey(Saksmappe, null=True, on_delete=OnDelete.restrict, index=True)
    journalpost = ForeignKey(Journalpost, null=True, on_delete=OnDelete.restrict, index=True)
    merknadstekst = Text()
    merknadstype = Varchar(length=4, default="MS")
    merknadsdato = Timestamptz()
    registrert_av = ForeignKey(Person, null=True, on_delete=OnDelete.restrict)


class RestanseSpan(Table, tablename="core_restanse_span"):
    """What the restanse rule says about one internal recipient (:mod:`core.archive.ledger`):
    open from ``fra_dato`` (its journaldato) until ``til_dato`` (its first write-off; NULL:
    still open), counted for its current unit and handler (0: none). Derived data, rebuilt by
    ``arkivrutiner rebuild-restanse-ledger``; no foreign keys, so deleting a record leaves the
    span for :func:`core.archive.ledger.refresh_posts` to remove."""

    id: Serial
    korrespondansepart = Integer(unique=True)
    journalpost = Integer(index=True)
    enhet = Integer(default=0)
    saksbehandler = Integer(default=0)
    journalposttype = Varchar(length=2)
    fra_dato = Date()
    til_dato = Date(null=True, default=None)
    forfallsdato = Date(null=True, default=None)
    """The post's forfallsdato, for the card's *forfalt* (kept with the span)."""
    foreloepig_svar_dato = Date(null=True, default=None)
    """The recipient's foreløpig svar, for the card's *§ 11 a* and *foreløpig svar*."""
    saksaar = Integer(default=0)
    sakssekvensnummer = Integer(default=0)
    journalpostnummer = Integer(default=0)
    """The post's number (its case's ``saksaar``/``sakssekvensnummer``, its own
    ``journalpostnummer``; none of them changes after registration), for a list sorted by case
    number (:data:`core.archive.queries.restanse_lists.SPAN_SORTS`)."""


class FordelingSpan(Table, tablename="core_fordeling_span"):
    """One internal recipient or copy recipient without a handler (:mod:`core.archive.fordeling_spans`):
    it waits in its unit's queue *Til fordeling* (``enhet``; 0: the central queue, I posts only)
    from ``fra_dato`` (its journaldato) until ``til_dato`` (its first write-off; NULL: not
    written off). ``mottatt`` is when the post came in (received, or sent for a note; NULL:
    neither is known, the journaldato stands in). Derived data kept by the write side and
    rebuilt by ``arkivrutiner rebuild-restanse-ledger``; no foreign keys."""

    id: Serial
    korrespondansepart = Integer(unique=True)
    journalpost = Integer(index=True)
    enhet = Integer(default=0)
    fra_dato = Date()
    til_dato = Date(null=True, default=None)
    mottatt = Timestamptz(null=True, default=None)


class RestanseLedger(Table, tablename="core_restanse_ledger"):
    """Restanse counts as deltas (:mod:`core.archive.ledger`): the number of restanser of
    (``enhet``, ``saksbehandler``, ``journalposttype``) on day D is ``SUM(delta)`` over the
    rows with ``dato <= D`` (0 for no unit / no handler). Unique on those four columns."""

    id: Serial
    enhet = Integer(default=0)
    saksbehandler = Integer(default=0)
    journalposttype = Varchar(length=2)
    dato = Date()
    delta = Integer(default=0)


class RestanseMonth(Table, tablename="core_restanse_month"):
    """Running restanse totals per month (:mod:`core.archive.ledger`): for (``enhet``,
    ``saksbehandler``, ``journalposttype``) and each month in which it has ledger rows
    (``maaned``: the first day), ``total`` is the sum of its ledger deltas up to the end of that
    month, and ``neste`` the first day of its next such month (9999-12-01 for the last). Kept
    by every ledger refresh; unique on the key and ``maaned``."""

    id: Serial
    enhet = Integer(default=0)
    saksbehandler = Integer(default=0)
    journalposttype = Varchar(length=2)
    maaned = Date()
    total = Integer(default=0)
    neste = Date()


class RestanseOpen(Table, tablename="core_restanse_open"):
    """The still open restanse spans counted by a date of their own, for the front-page cards
    (:mod:`core.archive.open_counts`): ``akse`` ``F`` per unit (``noekkel``) by the day after which
    they are forfalt, ``J`` per handler by journaldato, and for the handler's own card per handler
    ``H`` by the day after which they are forfalt, ``P`` the I posts without a foreløpig svar by
    journaldato, ``S`` those with a foreløpig svar by journaldato; ``periode`` ``D`` per day (``dato``) and
    ``M`` per month (``dato``: its first day); ``antall`` the open spans (rows of 0 are deleted).
    Kept by every ledger refresh, rebuilt with the ledger; unique on the first four columns."""

    id: Serial
    akse = Varchar(length=1)
    noekkel = Integer(default=0)
    periode = Varchar(length=1)
    dato = Date()
    antall = Integer(default=0)


class Tilgang(Table, tablename="core_tilgang"):
    """A person's access to records with a given tilgangsrestriksjon (tilgangskode)."""

    id: Serial
    person = ForeignKey(Person, on_delete=OnDelete.cascade, index=True)
    tilgangsrestriksjon = Varchar(length=20)


class Nummerserie(Table, tablename="core_nummerserie"):
    """Counters for case and journal numbering, per year: ``sak`` and ``journal``."""

    id: Serial
    serie = Varchar(length=20)
    aar = Integer()
    siste = Integer(default=0)


ARCHIVE_TABLES: list[type[Table]] = [
    Kode,
    Saksmappe,
    Journalpost,
    Korrespondansepart,
    AvsenderSaksbehandler,
    Avskrivning,
    Dokumentbeskrivelse,
    Dokumentobjekt,
    Dokumentflyt,
    Merknad,
    Tilgang,
    Nummerserie,
    RestanseSpan,
    FordelingSpan,
    RestanseLedger,
    RestanseMonth,
    RestanseOpen,
]
