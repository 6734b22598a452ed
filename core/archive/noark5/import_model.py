"""What the Noark 5 reader hands the writer: one parsed saksmappe at a time.

The reader (:mod:`.reader`) turns each ``mappe`` of ``arkivstruktur.xml`` into a
:class:`ParsedCase` holding plain values (codes already mapped, dates parsed, names as written);
the writer (:mod:`.import_writer`) resolves names to units and people, numbers and keys, and
inserts rows. Every record keeps the line it started on, for warnings.

:class:`ImportRefused` (the file is not imported at all) and :class:`Warnings` (deviations the
import worked around) live here because both sides use them, and so does the form the records
cross the pipe in from the reader process (:func:`to_wire`: tuples that read by the same field
names).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from operator import attrgetter, itemgetter
from typing import Any


class ImportRefused(Exception):
    """The file is refused and nothing from it is imported. The message is Norwegian and names
    the line and the element, e.g. ``Linje 84: <journalpost> mangler <journalposttype>.``"""


@dataclass
class ParsedPart:
    """A korrespondansepart. ``enhet``/``behandler`` are names (or codes/initials) as written."""

    line: int
    korrespondanseparttype: str
    navn: str = ""
    postadresse: str = ""
    postnummer: str = ""
    poststed: str = ""
    epostadresse: str = ""
    enhet: str = ""
    behandler: str = ""
    intern: bool = False
    fallback: bool = False
    """Not in the file: the internal recipient taken from the case (unit and saksansvarlig)."""
    foreloepig_svar_dato: date | None = None
    """From a «***» avskrivning (ePhorte: foreløpig svar); the restanse stays open."""

    @property
    def recipient(self) -> bool:
        """An internal recipient (not a sender): the one a restanse belongs to."""
        return self.intern and self.korrespondanseparttype not in ("EA", "IA", "IS")


@dataclass
class ParsedWriteOff:
    """An avskrivning, attached to one internal recipient (``part``: index in the post's parts)."""

    line: int
    avskrivningsdato: date
    avskrevet_av: str
    avskrivningsmaate: str
    referanse: str = ""
    """systemID of the answering journalpost (referanseAvskrivesAvJournalpost)."""
    referanse_line: int = 0
    part: int | None = None


@dataclass
class ParsedFlow:
    """A dokumentflyt step. ``flyt_til``/``flyt_fra`` are names as written ("" when missing)."""

    line: int
    flyt_til: str
    flyt_fra: str
    flyt_mottatt_dato: datetime
    flyt_sendt_dato: datetime
    flyt_status: str
    flyt_merknad: str = ""
    fingerprint: str = field(init=False, default="")
    """What the step says, for its derived key (the file gives dokumentflyt no systemID); made
    when the step is read, from the times as parsed (before :func:`dates_as_stored`)."""

    def __post_init__(self) -> None:
        self.fingerprint = "|".join(
            (
                self.flyt_til,
                self.flyt_fra,
                self.flyt_mottatt_dato.isoformat(),
                self.flyt_sendt_dato.isoformat(),
                self.flyt_status,
                self.flyt_merknad,
            )
        )


@dataclass
class ParsedNote:
    line: int
    merknadstekst: str
    merknadstype: str
    merknadsdato: datetime
    registrert_av: str = ""


@dataclass
class ParsedVersion:
    """A dokumentobjekt. ``system_id`` is empty in v3.1/v4.0 (the writer derives one)."""

    line: int
    system_id: str
    versjonsnummer: int
    variantformat: str
    format: str
    filnavn: str
    sjekksum: str
    filstoerrelse: int
    opprettet_dato: datetime
    opprettet_av: str = ""


@dataclass
class ParsedDocument:
    line: int
    system_id: str
    dokumentnummer: int | None
    tilknyttet_registrering_som: str
    dokumenttype: str
    dokumentstatus: str
    tittel: str
    tilgangsrestriksjon: str
    opprettet_dato: datetime
    opprettet_av: str = ""
    versions: list[ParsedVersion] = field(default_factory=list)


@dataclass
class ParsedPost:
    """A journalpost. Numbers are None where the file has none (the writer allocates)."""

    line: int
    system_id: str
    journalaar: int
    journalsekvensnummer: int | None
    journalpostnummer: int | None
    journalposttype: str
    journalstatus: str
    tittel: str
    offentlig_tittel: str
    journaldato: date
    dokumentets_dato: date | None
    mottatt_dato: datetime | None
    sendt_dato: datetime | None
    forfallsdato: date | None
    tilgangsrestriksjon: str
    skjermingshjemmel: str
    opprettet_dato: datetime
    opprettet_av: str = ""
    enhet: str = ""
    """Who is responsible for the post (Journalpost.administrativ_enhet), as written."""
    behandler: str = ""
    parts: list[ParsedPart] = field(default_factory=list)
    writeoffs: list[ParsedWriteOff] = field(default_factory=list)
    documents: list[ParsedDocument] = field(default_factory=list)
    notes: list[ParsedNote] = field(default_factory=list)
    flows: list[ParsedFlow] = field(default_factory=list)


@dataclass
class ParsedCase:
    """A saksmappe with its journalposts. ``sakssekvensnummer`` is None when the file has none."""

    line: int
    system_id: str
    saksaar: int
    sakssekvensnummer: int | None
    tittel: str
    offentlig_tittel: str
    saksstatus: str
    saksdato: date
    opprettet_dato: datetime
    avsluttet_dato: datetime | None
    tilgangsrestriksjon: str
    skjermingshjemmel: str
    enhet: str = ""
    saksansvarlig: str = ""
    opprettet_av: str = ""
    notes: list[ParsedNote] = field(default_factory=list)
    posts: list[ParsedPost] = field(default_factory=list)


DATE_FIELDS: dict[type, tuple[str, ...]] = {
    ParsedCase: ("saksdato", "opprettet_dato", "avsluttet_dato"),
    ParsedNote: ("merknadsdato",),
    ParsedPost: (
        "journaldato",
        "dokumentets_dato",
        "mottatt_dato",
        "sendt_dato",
        "forfallsdato",
        "opprettet_dato",
    ),
    ParsedPart: ("foreloepig_svar_dato",),
    ParsedWriteOff: ("avskrivningsdato",),
    ParsedFlow: ("flyt_mottatt_dato", "flyt_sendt_dato"),
    ParsedDocument: ("opprettet_dato",),
    ParsedVersion: ("opprettet_dato",),
}
"""The date and timestamp fields of each record (:func:`dates_as_stored`)."""


def sqlite_date(value: date) -> str:
    """A date as Piccolo's SQLite adapter stores it (``piccolo.engine.sqlite.convert_date_in``)."""
    return value.isoformat()


def sqlite_stamp(value: datetime) -> str:
    """A timestamp as Piccolo's SQLite adapter stores it (``convert_datetime_in``: an aware one
    in UTC, then ``str``). Here so that the reader process need not import Piccolo, which took
    a quarter of a second of its start (the writer waits for its first batch);
    ``tests/core/archive/test_import.py`` checks both against Piccolo's."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return str(value)


def dates_as_stored(
    cases: list[ParsedCase], day: Callable[[date], Any], stamp: Callable[[datetime], Any]
) -> None:
    """Replace the dates and timestamps of ``cases`` (and everything in them) by the values
    the database stores, ``day(value)`` and ``stamp(value)``, in place.

    The import's reader process does this for SQLite with :func:`sqlite_date` and
    :func:`sqlite_stamp` (what Piccolo's adapters bind: the text SQLite stores), so the
    writer hands the driver strings, which it binds in C: through the adapters, a Python
    call per value while the rows are bound, the dates were a third of the binding's time,
    and strings cross the pipe cheaper than date objects. The fields keep
    their annotated types everywhere else (the reader, PostgreSQL)."""

    def convert(record: Any) -> None:
        fields = record.__dict__
        for name in DATE_FIELDS[type(record)]:
            value = fields[name]
            if value is not None:
                fields[name] = stamp(value) if type(value) is datetime else day(value)

    for case in cases:
        convert(case)
        for note in case.notes:
            convert(note)
        for post in case.posts:
            convert(post)
            for item in (*post.parts, *post.writeoffs, *post.notes, *post.flows):
                convert(item)
            for document in post.documents:
                convert(document)
                for version in document.versions:
                    convert(version)


# -- the wire form: what crosses the pipe from the reader process ---------------------------


def _wire_class(record: type) -> type:
    """A tuple subclass holding a ``record`` dataclass's fields in their order, each readable
    by name (a property over ``itemgetter``, in C), as the writer reads them.

    Unpickling one is ``tuple.__new__`` of its values, in C: the parsed dataclasses were
    unpickled as an object plus a dict of its fields, about four times the cost (0.97–1.00 s
    against 0.25–0.27 s for the 18 632-post file's batches), the largest single cost of the
    import process. Read-only: the writer never changes a record."""
    names = [f.name for f in fields(record)]
    namespace: dict[str, Any] = {name: property(itemgetter(i)) for i, name in enumerate(names)}
    namespace["__slots__"] = ()
    namespace["__module__"] = __name__
    namespace["__doc__"] = f"{record.__name__} as it crosses the pipe (:func:`to_wire`)."
    for name, value in vars(record).items():
        if isinstance(value, property):
            namespace[name] = value  # ParsedPart.recipient: reads the fields by name
    return type(f"{record.__name__}Wire", (tuple,), namespace)


ParsedCaseWire = _wire_class(ParsedCase)
ParsedPostWire = _wire_class(ParsedPost)
ParsedPartWire = _wire_class(ParsedPart)
ParsedWriteOffWire = _wire_class(ParsedWriteOff)
ParsedFlowWire = _wire_class(ParsedFlow)
ParsedNoteWire = _wire_class(ParsedNote)
ParsedDocumentWire = _wire_class(ParsedDocument)
ParsedVersionWire = _wire_class(ParsedVersion)
"""Module attributes by their own names, so pickle finds them."""


def _scalars(record: type, lists: tuple[str, ...]) -> attrgetter[Any]:
    """The fields of ``record`` before its list fields (which must come last), as one tuple."""
    names = [f.name for f in fields(record)]
    if names[len(names) - len(lists) :] != list(lists):
        raise TypeError(f"{record.__name__}: the list fields {lists} must come last")
    return attrgetter(*names[: len(names) - len(lists)])


_CASE = _scalars(ParsedCase, ("notes", "posts"))
_POST = _scalars(ParsedPost, ("parts", "writeoffs", "documents", "notes", "flows"))
_DOCUMENT = _scalars(ParsedDocument, ("versions",))
_PART = _scalars(ParsedPart, ())
_WRITEOFF = _scalars(ParsedWriteOff, ())
_FLOW = _scalars(ParsedFlow, ())
_NOTE = _scalars(ParsedNote, ())
_VERSION = _scalars(ParsedVersion, ())


def to_wire(cases: list[ParsedCase]) -> list[Any]:
    """``cases`` as wire records (:func:`_wire_class`): the same fields by the same names, the
    lists as tuples. The reader process sends these; the writer reads them as it reads the
    dataclasses."""

    def notes(items: list[ParsedNote]) -> tuple[Any, ...]:
        return tuple(map(ParsedNoteWire, map(_NOTE, items)))

    def document(value: ParsedDocument) -> Any:
        return ParsedDocumentWire(
            (*_DOCUMENT(value), tuple(map(ParsedVersionWire, map(_VERSION, value.versions))))
        )

    def post(value: ParsedPost) -> Any:
        return ParsedPostWire(
            (
                *_POST(value),
                tuple(map(ParsedPartWire, map(_PART, value.parts))),
                tuple(map(ParsedWriteOffWire, map(_WRITEOFF, value.writeoffs))),
                tuple(map(document, value.documents)),
                notes(value.notes),
                tuple(map(ParsedFlowWire, map(_FLOW, value.flows))),
            )
        )

    return [ParsedCaseWire((*_CASE(case), notes(case.notes), tuple(map(post, case.posts)))) for case in cases]


class Warnings:
    """Deviations the import worked around, each naming line and element.

    Repeats of the same kind (``key``) are counted, not stored, so a file with a million
    documents of an unknown dokumenttype gives one line, not a million; at most ``limit``
    distinct warnings are kept.
    """

    def __init__(self, limit: int = 500) -> None:
        self.limit = limit
        self._first: dict[str, tuple[int, str]] = {}
        self._repeats: dict[str, int] = {}
        self.total = 0
        self.dropped = 0
        self._lock = threading.Lock()

    def add(self, line: int, text: str, key: str | None = None) -> None:
        """Warn about ``text`` at ``line``; warnings with the same ``key`` are grouped. Safe
        from two threads."""
        key = key or f"{line}:{text}"
        with self._lock:
            self.total += 1
            if key in self._first:
                self._repeats[key] += 1
                return
            if len(self._first) >= self.limit:
                self.dropped += 1
                return
            self._first[key] = (line, f"Linje {line}: {text}" if line else text)
            self._repeats[key] = 0

    def state(self) -> tuple[dict[str, tuple[int, str]], dict[str, int], int, int]:
        """What :meth:`merge` takes: the warnings of another process (the import's reader)."""
        with self._lock:
            return dict(self._first), dict(self._repeats), self.total, self.dropped

    def merge(self, state: tuple[dict[str, tuple[int, str]], dict[str, int], int, int]) -> None:
        """Add the warnings of :meth:`state` to these, grouped by key as :meth:`add` does."""
        first, repeats, total, dropped = state
        with self._lock:
            self.total += total
            self.dropped += dropped
            for key, found in first.items():
                if key in self._first:
                    self._repeats[key] += 1 + repeats[key]
                elif len(self._first) >= self.limit:
                    self.dropped += 1 + repeats[key]
                else:
                    self._first[key] = found
                    self._repeats[key] = repeats[key]

    def lines(self) -> list[str]:
        """The warnings in line order (file-wide ones first), repeats counted."""
        out = []
        for key, (_line, text) in sorted(self._first.items(), key=lambda item: item[1][0]):
            repeats = self._repeats[key]
            out.append(f"{text} (gjelder {repeats} til av samme slag)" if repeats else text)
        if self.dropped:
            out.append(f"… og {self.dropped} advarsler til (ikke vist).")
        return out


@dataclass
class ImportSummary:
    """What one import found and did. «new» rows were inserted; «present» ones were already in
    the archive (same systemID) and were left as they were."""

    path: str
    version: str = ""
    """The Noark 5 version the file is read as: "3.1", "4.0" or "5.0"."""
    valid_versions: list[str] | None = None
    """The versions whose XSD the file validates against (only with ``validate=True``)."""
    saksmapper_new: int = 0
    saksmapper_present: int = 0
    journalposter_new: int = 0
    journalposter_present: int = 0
    dokumenter_new: int = 0
    dokumenter_present: int = 0
    dokumentobjekter_new: int = 0
    korrespondanseparter_new: int = 0
    interne_mottakere_fra_saken: int = 0
    """Internal recipients taken from the case (an I/N post without one in the file)."""
    avskrivninger_new: int = 0
    merknader_new: int = 0
    dokumentflyt_new: int = 0
    files_stored: int = 0
    units_created: int = 0
    people_created: int = 0
    skipped: int = 0
    """mapper and registreringer of other kinds (møtemappe, arkivnotat …), not imported."""
    not_imported: dict[str, int] = field(default_factory=dict)
    """Elements the records have no place for (beskrivelse, presedens …), by name."""
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        """The figures, for the audit log."""
        return {
            "saksmapper_new": self.saksmapper_new,
            "saksmapper_present": self.saksmapper_present,
            "journalposter_new": self.journalposter_new,
            "journalposter_present": self.journalposter_present,
            "dokumenter_new": self.dokumenter_new,
            "dokumenter_present": self.dokumenter_present,
            "dokumentobjekter_new": self.dokumentobjekter_new,
            "korrespondanseparter_new": self.korrespondanseparter_new,
            "avskrivninger_new": self.avskrivninger_new,
            "merknader_new": self.merknader_new,
            "dokumentflyt_new": self.dokumentflyt_new,
            "files_stored": self.files_stored,
            "units_created": self.units_created,
            "people_created": self.people_created,
            "skipped": self.skipped,
            "warnings": len(self.warnings),
        }

    def headline(self) -> str:
        """One line: what was imported (the audit event's summary)."""
        return (
            f"Noark 5 v{self.version}: {self.saksmapper_new} nye saksmapper, "
            f"{self.journalposter_new} nye journalposter, {self.dokumenter_new} nye dokumenter "
            f"({self.saksmapper_present + self.journalposter_present + self.dokumenter_present} fantes fra før)"
        )

    def lines(self) -> list[str]:
        """The summary in Norwegian, one figure a line (for the command line)."""
        if self.valid_versions:
            versjon = (
                f"Noark 5 v{self.version} (validerer mot {', '.join('v' + v for v in self.valid_versions)})"
            )
        else:
            versjon = f"Noark 5 v{self.version} (gjenkjent ut fra oppbygningen)"
        lines = [
            f"Importerte {self.path} på {self.seconds:.1f} s.",
            f"Versjon: {versjon}",
            f"Saksmapper: {self.saksmapper_new} nye, {self.saksmapper_present} fantes fra før",
            f"Journalposter: {self.journalposter_new} nye, {self.journalposter_present} fantes fra før",
            f"Dokumenter: {self.dokumenter_new} nye ({self.dokumentobjekter_new} versjoner), "
            f"{self.dokumenter_present} fantes fra før",
            f"Korrespondanseparter: {self.korrespondanseparter_new}"
            + (
                f" (derav {self.interne_mottakere_fra_saken} interne mottakere hentet fra saken)"
                if self.interne_mottakere_fra_saken
                else ""
            ),
            f"Avskrivninger: {self.avskrivninger_new}",
            f"Merknader: {self.merknader_new}",
            f"Dokumentflyt: {self.dokumentflyt_new}",
            f"Filer lagret: {self.files_stored}",
            f"Nye enheter: {self.units_created}",
            f"Nye personer: {self.people_created}",
        ]
        if self.skipped:
            lines.append(f"Ikke importert (andre mappe- og registreringstyper): {self.skipped}")
        if self.not_imported:
            listed = ", ".join(f"{name} {count}" for name, count in sorted(self.not_imported.items()))
            lines.append(f"Elementer uten plass i arkivet (ikke importert): {listed}")
        if self.warnings:
            lines.append(f"Advarsler: {len(self.warnings)}")
            lines += [f"  {warning}" for warning in self.warnings]
        return lines
