"""Streaming read of ``arkivstruktur.xml``: one saksmappe at a time, in bounded memory.

:class:`Reader` walks the file with lxml ``iterparse`` and, at the end of each ``mappe``, turns
it into a :class:`~core.archive.noark5.import_model.ParsedCase` and then drops it from the tree
(the element is cleared and its finished preceding siblings deleted). Memory therefore holds one
mappe at a time, however large the file; only elements of that mappe reach Python.

The reader accepts the v3.1/v4.0 and the v5.0 layouts alike (korrespondansepart anywhere in the
journalpost, dokumentobjekt with or without systemID) and notes which layout the file uses
(:attr:`Reader.layout`). It raises :class:`ImportRefused` for what it cannot import (not XML, a
truncated file, a record without its key or journalposttype, a file whose checksum differs) and
reports what it worked around to the :class:`Warnings` it was given.

Each element's children are read once (:class:`~.import_values.Node`: ``iterchildren`` in the
Noark namespace, the first child and its text per name), and the values are converted from
those dicts. With ``store`` set (the import), document files found next to the XML are checked
against their checksum and put in the :class:`~core.archive.filestore.FileStore` as their
saksmappe is read.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from lxml import etree

from core.archive import kodelister as kl
from core.archive.filestore import FileStore
from core.archive.noark5 import NS
from core.archive.noark5.import_model import (
    ImportRefused,
    ParsedCase,
    ParsedDocument,
    ParsedFlow,
    ParsedNote,
    ParsedPart,
    ParsedPost,
    ParsedVersion,
    ParsedWriteOff,
    Warnings,
)
from core.archive.noark5.import_values import Node, code_for, is_uuid, localname, name_key, xsi_type
from core.timeutil import OSLO

PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": "internal",
    "no_network": True,
    "huge_tree": True,
    "remove_comments": True,
    "remove_pis": True,
}
"""Entities declared in the file's own DTD (``<!ENTITY k "Verdal kommune">``) are expanded, so
``&k;`` in a title reads as its text; an external entity (``SYSTEM``/``PUBLIC``) is never read
and counts as undefined, which refuses the file. libxml2 refuses entities that expand to far more
text than the file holds (billion laughs, a large entity used many times), also with
``huge_tree``, which only lifts the limits on the size of single text nodes and the depth."""

REGISTRERING = f"{{{NS}}}registrering"
STRUCTURE = tuple(
    f"{{{NS}}}{t}" for t in ("arkiv", "arkivdel", "klassifikasjonssystem", "klasse", "mappe", "registrering")
)
"""The only elements iterparse reports to Python; everything inside a mappe is read from its
subtree when the mappe ends."""

NOT_IMPORTED = frozenset(
    {
        "beskrivelse",
        "noekkelord",
        "forfatter",
        "part",
        "sakspart",
        "kryssreferanse",
        "kassasjon",
        "utfoertKassasjon",
        "sletting",
        "gradering",
        "presedens",
        "elektroniskSignatur",
        "konvertering",
        "virksomhetsspesifikkeMetadata",
    }
)
"""Noark elements the records have no place for; counted in the summary, not warned about."""

OPEN_STATUSES = frozenset({"B", "R"})
"""Saksstatus of a case still open: its avsluttetDato (mandatory in v5.0) is not a closing."""

FORELOEPIG_SVAR = "***"
"""ePhorte's avskrivningsmåte for a foreløpig (provisional) answer: the restanse stays."""

AVSKRIVNING_SYNONYMS = {
    "besvart med utgående brev": "BU",
    "besvart med n-notat": "BN",
    "besvart med x-notat": "BN",
    "nytt notat": "BN",
    "nn": "BN",
}
"""Vendor names of avskrivningsmåter (ePhorte, WebSak) that are not in the code list."""

FLYTSTATUS_SYNONYMS = {
    "godkjend": "G",
    "ikkje godkjend": "I",
    "sendt tilbake med kommentarer": "S",
    "sendt tilbake": "S",
}
"""Other spellings of the flytstatus names (nynorsk, the short form the UI shows)."""

RECIPIENT_TYPES = ("EM", "EK", "GM")
INTERNAL_TYPES = {"EM": "IM", "GM": "IM", "EK": "IK", "EA": "IA"}
"""An external type on a part that is on our side of the post (it names our unit or handler,
as the «Mottaker» with administrativEnhet/saksbehandler in Digdir's sample) is stored as the
internal type, so the recipient is distributed, counts as a restanse and can be written off."""
SENDER_TYPES = ("EA", "IS")
V40_ONLY_VALUES = {
    "korrespondanseparttype": {"intern kopimottaker", "medavsender"},
    "avskrivningsmaate": {"besvart med notat", "saken ble avsluttet"},
}
"""Code-list names the v4.0 schema added to v3.1's enumerations."""

_MAPPE_ID = re.compile(r"(\d{2}|\d{4})/0*(\d+)")
_REGISTRERINGS_ID = re.compile(r"\d{2,4}/\d+-0*(\d+)")


@dataclass
class Layout:
    """Evidence of the file's Noark 5 version, counted while reading."""

    v50: int = 0
    """Signs of v5.0: korrespondansepart before the journalpost fields, dokumentobjekt systemID, part."""
    v3x: int = 0
    """Signs of v3.1/v4.0: korrespondansepart after them, dokumentobjekt without systemID,
    sakspart, systemIDs that are not UUIDs."""
    v40: int = 0
    """Signs of v4.0 rather than v3.1: values only v4.0's enumerations allow, optional elements
    only v4.0 made optional, a date where v3.1 wants a timestamp."""

    @property
    def version(self) -> str:
        """The version the layout fits: v5.0 when its signs dominate, else the oldest of
        v3.1/v4.0 that allows what the file contains."""
        if self.v50 and self.v50 >= self.v3x:
            return "5.0"
        if self.v3x:
            return "4.0" if self.v40 else "3.1"
        return "5.0"

    @property
    def mixed(self) -> bool:
        return bool(self.v50 and self.v3x)


@dataclass
class ReadStats:
    """Counts of the pass (the file's own numbers, before the database is consulted)."""

    saksmapper: int = 0
    journalposter: int = 0
    skipped: int = 0
    """mapper and registreringer that are not saksmapper/journalposts (not imported)."""
    not_imported: Counter[str] = field(default_factory=Counter)
    files_stored: int = 0
    sak_max: dict[int, int] = field(default_factory=dict)
    """Highest sakssekvensnummer per saksaar in the file."""
    journal_max: dict[int, int] = field(default_factory=dict)
    """Highest journalsekvensnummer per journalaar in the file."""
    max_live: int = 0
    """Most elements alive in the tree at any mappe end (only measured when asked)."""


def syntax_refusal(exc: etree.XMLSyntaxError, inside: tuple[str, int] | None = None) -> ImportRefused:
    """A Norwegian refusal for an XML syntax error, naming the line and the element (``inside``:
    the innermost open record element and its line, when known)."""
    line = exc.lineno or 1
    message = str(exc.msg or exc).strip()
    premature = re.search(r"Premature end of data in tag (\S+) line (\d+)", message)
    if premature:
        return ImportRefused(
            f"Linje {line}: filen slutter før <{premature.group(1)}> fra linje {premature.group(2)} "
            "er avsluttet – den er avkuttet eller skadet."
        )
    mismatch = re.search(r"Opening and ending tag mismatch: (\S+) line (\d+) and (\S+)", message)
    if mismatch:
        return ImportRefused(
            f"Linje {line}: <{mismatch.group(1)}> fra linje {mismatch.group(2)} avsluttes med "
            f"</{mismatch.group(3)}> – filen er skadet."
        )
    undefined = re.search(r"Entity '([^']+)' not defined", message)
    if undefined:
        return ImportRefused(
            f"Linje {line}: entiteten «{undefined.group(1)}» er ikke definert i filen "
            "(eksterne entiteter leses ikke) – filen ble ikke importert."
        )
    if "amplification" in message or "entity loop" in message.lower():
        # libxml2 may name the line inside the entity's text (1); the open record is nearer.
        where = ""
        if inside is not None:
            line = max(line, inside[1])
            where = f" i <{inside[0]}> fra linje {inside[1]}"
        return ImportRefused(
            f"Linje {line}: entitetene i filen vokser til for mye tekst{where} – filen ble ikke "
            f"importert ({message})."
        )
    if any(text in message for text in ("Document is empty", "Start tag expected", "no element found")):
        return ImportRefused(f"Linje {line}: filen er ikke XML ({message}).")
    if inside is not None:
        return ImportRefused(
            f"Linje {line}: filen er ikke gyldig XML inne i <{inside[0]}> fra linje {inside[1]} – "
            f"den er avkuttet eller skadet ({message})."
        )
    return ImportRefused(
        f"Linje {line}: filen er ikke gyldig XML – den er avkuttet eller skadet ({message})."
    )


def check_root(path: Path) -> None:
    """Refuse a file whose root element is not Noark 5 ``arkiv`` (reads only the first tag)."""
    if path.stat().st_size == 0:
        raise ImportRefused("Linje 1: filen er tom, ikke XML.")
    try:
        with path.open("rb") as fh:
            first = next(iter(etree.iterparse(fh, events=("start",), **PARSER_OPTIONS)), None)
    except etree.XMLSyntaxError as exc:
        raise syntax_refusal(exc) from None
    if first is None:
        raise ImportRefused("Linje 1: filen inneholder ikke noe XML-element.")
    element = first[1]
    if element.tag != f"{{{NS}}}arkiv":
        found = etree.QName(element.tag)
        where = f" i navnerommet {found.namespace}" if found.namespace else " uten navnerom"
        raise ImportRefused(
            f"Linje {element.sourceline}: rotelementet er <{found.localname}>{where}; "
            f"et Noark 5-uttrekk har <arkiv> i navnerommet {NS}."
        )


class Reader:
    """One pass over ``path``: :meth:`cases` yields every saksmappe, in file order."""

    def __init__(
        self,
        path: Path,
        warnings: Warnings,
        *,
        store: FileStore | None = None,
        measure: bool = False,
    ) -> None:
        self.path = path
        self.base = path.parent.resolve()
        self.warnings = warnings
        self.store = store
        self.measure = measure
        self.layout = Layout()
        self.stats = ReadStats()
        self._tops: dict[str, bool] = {}

    # -- the streaming loop ----------------------------------------------------------------

    def cases(self) -> Iterator[ParsedCase]:
        check_root(self.path)
        with self.path.open("rb") as fh:
            yield from self._walk(fh)

    def _walk(self, fh: Any) -> Iterator[ParsedCase]:
        depth = 0  # open mappe elements
        root: Any = None
        open_elements: list[tuple[str, int]] = []  # for messages about a broken file
        try:
            for event, element in etree.iterparse(
                fh, events=("start", "end"), tag=STRUCTURE, **PARSER_OPTIONS
            ):
                name = localname(element.tag)
                if event == "start":
                    if root is None:
                        root = element
                    if name == "mappe":
                        depth += 1
                    open_elements.append((xsi_type(element) or name, int(element.sourceline or 0)))
                    continue
                open_elements.pop()
                if name == "mappe":
                    depth -= 1
                    case = self._mappe(element)
                    if self.measure:
                        self.stats.max_live = max(self.stats.max_live, sum(1 for _ in root.iter()))
                    _release(element, nested=depth > 0)
                    if case is not None:
                        yield case
                elif depth == 0:
                    if name == "registrering":
                        self._skip(element, "ligger ikke i en saksmappe og ble ikke importert.")
                    _release(element, nested=False)
        except etree.XMLSyntaxError as exc:
            raise syntax_refusal(exc, open_elements[-1] if open_elements else None) from None

    def _skip(self, element: Any, why: str) -> None:
        label = xsi_type(element) or localname(element.tag)
        self.stats.skipped += 1
        self.warnings.add(int(element.sourceline or 0), f"<{label}> {why}", key=f"skip:{label}:{why}")

    def _node(self, element: Any, label: str) -> Node:
        node = Node(element, label, self.warnings)
        for name in NOT_IMPORTED.intersection(node.first):
            self.stats.not_imported[name] += len(node.all(name))
        return node

    # -- saksmappe -------------------------------------------------------------------------

    def _mappe(self, element: Any) -> ParsedCase | None:
        kind = xsi_type(element)
        if kind not in ("saksmappe", "mappe", ""):
            self._skip(
                element, "er ikke en saksmappe og ble ikke importert (heller ikke registreringene i den)."
            )
            return None
        if kind != "saksmappe":
            if not any(xsi_type(c) == "journalpost" for c in element.iterchildren(REGISTRERING)):
                return None  # a plain folder of folders
            self.warnings.add(
                int(element.sourceline or 0),
                "<mappe> uten xsi:type=«saksmappe» har journalposter og ble importert som saksmappe.",
                key="plain-mappe",
            )
        node = self._node(element, "saksmappe")
        case = self._case(node)
        for child in node.all("registrering"):
            if xsi_type(child) == "journalpost":
                case.posts.append(self._post(self._node(child, "journalpost"), case))
            else:
                self._skip(child, "er ikke en journalpost og ble ikke importert.")
        self.stats.saksmapper += 1
        self.stats.journalposter += len(case.posts)
        if case.sakssekvensnummer is not None:
            _raise(self.stats.sak_max, case.saksaar, case.sakssekvensnummer)
        for post in case.posts:
            if post.journalsekvensnummer is not None:
                _raise(self.stats.journal_max, post.journalaar, post.journalsekvensnummer)
        return case

    def _system_id(self, node: Node) -> str:
        value = node.required_text("systemID")
        if len(value) > 100:
            raise node.refuse(
                f"har <systemID> på {len(value)} tegn; høyst 100 kan lagres.", node.line_of("systemID")
            )
        if not is_uuid(value):
            self.layout.v3x += 1
        return value

    def _case(self, node: Node) -> ParsedCase:
        system_id = self._system_id(node)
        opprettet = node.stamp("opprettetDato")
        saksdato = node.day("saksdato")
        if saksdato is None:
            if opprettet is None:
                raise node.refuse("mangler både <saksdato> og <opprettetDato>.")
            saksdato = opprettet.astimezone(OSLO).date()
            node.warn("mangler <saksdato>; brukte datoen i <opprettetDato>.", key="case-no-saksdato")
        if opprettet is None:
            opprettet = _midnight(saksdato)
            node.warn("mangler <opprettetDato>; brukte <saksdato>.", key="case-no-opprettet")
        saksaar, sekvens = self._case_number(node, saksdato)
        saksstatus = node.code("saksstatus", kl.SAKSSTATUS, fallback="B", required=True)
        avsluttet = node.stamp("avsluttetDato")
        if saksstatus in OPEN_STATUSES or node.text("avsluttetAv").casefold() == "ikke avsluttet":
            avsluttet = None  # v5.0 makes avsluttetDato mandatory even on an open case
        restriksjon, hjemmel = self._skjerming(node)
        case = ParsedCase(
            line=node.line,
            system_id=system_id,
            saksaar=saksaar,
            sakssekvensnummer=sekvens,
            tittel=self._title(node),
            offentlig_tittel=node.text("offentligTittel"),
            saksstatus=saksstatus,
            saksdato=saksdato,
            opprettet_dato=opprettet,
            avsluttet_dato=avsluttet,
            tilgangsrestriksjon=restriksjon,
            skjermingshjemmel=hjemmel,
            enhet=node.fit("administrativEnhet", node.name("administrativEnhet"), 200),
            saksansvarlig=node.fit("saksansvarlig", node.name("saksansvarlig"), 200),
            opprettet_av=node.name("opprettetAv"),
        )
        case.notes = [self._note(Node(m, "merknad", self.warnings), opprettet) for m in node.all("merknad")]
        return case

    def _case_number(self, node: Node, saksdato: date) -> tuple[int, int | None]:
        """(saksaar, sakssekvensnummer) from the file, else from mappeID; None: allocate."""
        saksaar = node.integer("saksaar")
        sekvens = node.integer("sakssekvensnummer")
        mappe_id = node.text("mappeID")
        parsed = _parse_mappe_id(mappe_id)
        if saksaar is not None and sekvens is not None:
            if parsed is None:
                if mappe_id:
                    node.warn(
                        f"har <mappeID> «{mappe_id}», som ikke er et saksnummer (år/sekvensnummer); "
                        f"saken får nummeret {saksaar}/{sekvens:05d} fra <saksaar>/<sakssekvensnummer>.",
                        line=node.line_of("mappeID"),
                        key="mappe-id-not-number",
                    )
            elif parsed != (saksaar, sekvens):
                node.warn(
                    f"har <mappeID> «{mappe_id}», men <saksaar>/<sakssekvensnummer> er "
                    f"{saksaar}/{sekvens}; saken får nummeret {saksaar}/{sekvens:05d}.",
                    line=node.line_of("mappeID"),
                    key="mappe-id-mismatch",
                )
            return saksaar, sekvens
        if parsed is not None and saksaar in (None, parsed[0]):
            return parsed
        year = saksaar if saksaar is not None else saksdato.year
        node.warn(
            "mangler <saksaar>/<sakssekvensnummer>, og <mappeID> er ikke et saksnummer; "
            f"saken får neste ledige nummer i {year}.",
            key="case-number-allocated",
        )
        return year, None

    def _title(self, node: Node) -> str:
        if node.has("tittel"):
            return node.given("tittel")  # «Ikke angitt»: an export's way to say the title is empty
        node.warn("mangler <tittel>; brukte «Uten tittel».", key=f"no-title:{node.label}")
        return "Uten tittel"

    def _skjerming(self, node: Node) -> tuple[str, str]:
        """(tilgangsrestriksjon code, skjermingshjemmel) of a ``skjerming`` child."""
        found = node.first.get("skjerming")
        if found is None:
            return "", ""
        skjerming = Node(found, "skjerming", self.warnings)
        value = skjerming.text("tilgangsrestriksjon")
        hjemmel = skjerming.fit("skjermingshjemmel", skjerming.given("skjermingshjemmel"), 200)
        if not value:
            return "", hjemmel
        code = skjerming.code("tilgangsrestriksjon", kl.TILGANGSRESTRIKSJON, fallback="XX")
        return code, hjemmel

    def _note(self, node: Node, default: datetime) -> ParsedNote:
        dato = node.stamp("merknadsdato")
        if dato is None:
            node.warn(
                "mangler <merknadsdato>; brukte opprettelsestidspunktet til det den står på.",
                key="note-no-date",
            )
            dato = default
        return ParsedNote(
            line=node.line,
            merknadstekst=node.given("merknadstekst"),
            merknadstype=node.code("merknadstype", kl.MERKNADSTYPE, fallback="MS"),
            merknadsdato=dato,
            registrert_av=node.fit("merknadRegistrertAv", node.name("merknadRegistrertAv"), 200),
        )

    # -- journalpost -----------------------------------------------------------------------

    def _post(self, node: Node, case: ParsedCase) -> ParsedPost:
        system_id = self._system_id(node)
        journalposttype = node.code("journalposttype", kl.JOURNALPOSTTYPE, fallback=None)
        self._note_layout(node)
        opprettet = node.stamp("opprettetDato")
        journaldato = node.day("journaldato")
        if journaldato is None:
            if opprettet is None:
                raise node.refuse("mangler både <journaldato> og <opprettetDato>.")
            journaldato = opprettet.astimezone(OSLO).date()
            node.warn("mangler <journaldato>; brukte datoen i <opprettetDato>.", key="post-no-journaldato")
        if opprettet is None:
            opprettet = _midnight(journaldato)
            node.warn("mangler <opprettetDato>; brukte <journaldato>.", key="post-no-opprettet")
        journalaar = node.integer("journalaar")
        sekvens = node.integer("journalsekvensnummer")
        if journalaar is None:
            journalaar = journaldato.year
        nummer = node.integer("journalpostnummer")
        if nummer is None:
            match = _REGISTRERINGS_ID.fullmatch(node.text("registreringsID"))
            nummer = int(match.group(1)) if match else None
        for name in ("mottattDato", "sendtDato"):
            if node.has(name) and "T" not in node.text(name):
                self.layout.v40 += 1  # v3.1 wants a timestamp here
        restriksjon, hjemmel = self._skjerming(node)
        post = ParsedPost(
            line=node.line,
            system_id=system_id,
            journalaar=journalaar,
            journalsekvensnummer=sekvens,
            journalpostnummer=nummer,
            journalposttype=journalposttype,
            journalstatus=node.code("journalstatus", kl.JOURNALSTATUS, fallback="J", required=True),
            tittel=self._title(node),
            offentlig_tittel=node.text("offentligTittel"),
            journaldato=journaldato,
            dokumentets_dato=node.day("dokumentetsDato"),
            mottatt_dato=node.stamp("mottattDato", date_allowed=True),
            sendt_dato=node.stamp("sendtDato", date_allowed=True),
            forfallsdato=node.day("forfallsdato"),
            tilgangsrestriksjon=restriksjon,
            skjermingshjemmel=hjemmel,
            opprettet_dato=opprettet,
            opprettet_av=node.name("opprettetAv"),
        )
        post.parts = [
            self._part(Node(p, "korrespondansepart", self.warnings), post)
            for p in node.all("korrespondansepart")
        ]
        if journalposttype in ("I", "N") and not any(p.recipient for p in post.parts):
            if case.enhet or case.saksansvarlig:
                post.parts.append(
                    ParsedPart(
                        line=node.line,
                        korrespondanseparttype="IM",
                        intern=True,
                        enhet=case.enhet,
                        behandler=case.saksansvarlig,
                        fallback=True,
                    )
                )
            else:
                node.warn(
                    "har ingen intern mottaker, og saken har verken <administrativEnhet> eller "
                    "<saksansvarlig>; journalposten fikk ingen intern mottaker.",
                    key="no-recipient",
                )
        post.enhet, post.behandler = _responsible(post, case)
        for element in node.all("avskrivning"):
            writeoff = self._writeoff(Node(element, "avskrivning", self.warnings), post)
            if writeoff is not None:
                post.writeoffs.append(writeoff)
        post.notes = [self._note(Node(m, "merknad", self.warnings), opprettet) for m in node.all("merknad")]
        for element in node.all("dokumentbeskrivelse"):
            post.documents.append(self._document(self._node(element, "dokumentbeskrivelse"), post))
        post.flows = [
            self._flow(Node(element, "dokumentflyt", self.warnings), post)
            for element in node.all("dokumentflyt")
        ]
        if "dokumentobjekt" in node.first:
            node.warn(
                "har <dokumentobjekt> rett under registreringen, uten <dokumentbeskrivelse>; "
                "de ble ikke importert.",
                line=node.line_of("dokumentobjekt"),
                key="bare-dokumentobjekt",
            )
            self.stats.not_imported["dokumentobjekt"] += len(node.all("dokumentobjekt"))
        return post

    def _note_layout(self, node: Node) -> None:
        """Where korrespondansepart sits tells v5.0 (before journalposttype) from v3.1/v4.0."""
        names = list(node.first)  # first occurrences, in document order
        if "korrespondansepart" in names and "journalposttype" in names:
            if names.index("korrespondansepart") < names.index("journalposttype"):
                self.layout.v50 += 1
            else:
                self.layout.v3x += 1
        if "part" in node.first:
            self.layout.v50 += 1
        if "sakspart" in node.first:
            self.layout.v3x += 1

    def _part(self, node: Node, post: ParsedPost) -> ParsedPart:
        enhet = node.fit("administrativEnhet", node.name("administrativEnhet"), 200)
        behandler = node.fit("saksbehandler", node.name("saksbehandler"), 200)
        value = node.text("korrespondanseparttype")
        if value.casefold() in V40_ONLY_VALUES["korrespondanseparttype"]:
            self.layout.v40 += 1
        external = "EA" if post.journalposttype == "I" else "EM"
        fallback = "IM" if enhet or behandler else external
        typ = node.code("korrespondanseparttype", kl.KORRESPONDANSEPARTTYPE, fallback=fallback, required=True)
        navn = node.fit("korrespondansepartNavn", node.given("korrespondansepartNavn"), 300)
        intern = _is_internal(typ, post.journalposttype, bool(enhet or behandler))
        return ParsedPart(
            line=node.line,
            korrespondanseparttype=INTERNAL_TYPES.get(typ, typ) if intern else typ,
            navn=navn,
            postadresse=node.fit("postadresse", ", ".join(node.texts("postadresse")), 300),
            postnummer=node.fit("postnummer", node.text("postnummer"), 10),
            poststed=node.fit("poststed", node.text("poststed"), 100),
            epostadresse=node.fit("epostadresse", node.text("epostadresse"), 254),
            enhet=enhet,
            behandler=behandler,
            intern=intern,
        )

    def _writeoff(self, node: Node, post: ParsedPost) -> ParsedWriteOff | None:
        value = node.text("avskrivningsmaate")
        if value.casefold() in V40_ONLY_VALUES["avskrivningsmaate"]:
            self.layout.v40 += 1
        dato = node.day("avskrivningsdato")
        if dato is None:
            node.warn("mangler <avskrivningsdato>; brukte journaldatoen.", key="writeoff-no-date")
            dato = post.journaldato
        avskrevet_av = node.fit("avskrevetAv", node.name("avskrevetAv"), 200)
        part = _writeoff_part(post, avskrevet_av)
        if value == FORELOEPIG_SVAR:
            if part is not None:
                post.parts[part].foreloepig_svar_dato = dato
            node.warn(
                "med <avskrivningsmaate> «***» er et foreløpig svar: lagret som foreløpig svar, "
                "og restansen står til den avskrives.",
                line=node.line_of("avskrivningsmaate"),
                key="writeoff-foreloepig",
            )
            return None
        code = (
            (code_for(kl.AVSKRIVNINGSMAATE, value) or AVSKRIVNING_SYNONYMS.get(name_key(value)))
            if value
            else None
        )
        if code is None:
            why = f"<avskrivningsmaate> «{value}» er ukjent" if value else "<avskrivningsmaate> mangler"
            node.warn(
                f"ble ikke importert: {why}, så journalposten står som restanse.",
                line=node.line_of("avskrivningsmaate"),
                key=f"writeoff-unknown:{value}",
            )
            return None
        return ParsedWriteOff(
            line=node.line,
            avskrivningsdato=dato,
            avskrevet_av=avskrevet_av,
            avskrivningsmaate=code,
            referanse=node.text("referanseAvskrivesAvJournalpost"),
            referanse_line=node.line_of("referanseAvskrivesAvJournalpost"),
            part=part,
        )

    def _flow(self, node: Node, post: ParsedPost) -> ParsedFlow:
        """A dokumentflyt step. An unknown or missing flytStatus refuses the file (the step's
        meaning is its status); a missing time is taken from the other one, else the post's."""
        value = node.text("flytStatus")
        status = (
            (code_for(kl.FLYTSTATUS, value) or FLYTSTATUS_SYNONYMS.get(name_key(value))) if value else None
        )
        if status is None:
            known = ", ".join(f"«{name}» ({kode})" for kode, name in kl.codes(kl.FLYTSTATUS).items())
            what = f"har ukjent <flytStatus> «{value}»" if value else "mangler <flytStatus>"
            raise node.refuse(f"{what}; gyldige verdier er {known}.", node.line_of("flytStatus"))
        received = node.stamp("flytMottattDato")
        sent = node.stamp("flytSendtDato")
        if received is None and sent is None:
            node.warn(
                "mangler <flytMottattDato> og <flytSendtDato>; brukte <opprettetDato> til journalposten.",
                key="flow-no-times",
            )
        elif received is None or sent is None:
            missing, other = (
                ("flytMottattDato", "flytSendtDato")
                if received is None
                else ("flytSendtDato", "flytMottattDato")
            )
            node.warn(f"mangler <{missing}>; brukte <{other}>.", key=f"flow-no-time:{missing}")
        mottatt = received or sent or post.opprettet_dato
        sendt = sent or received or post.opprettet_dato
        return ParsedFlow(
            line=node.line,
            flyt_til=node.fit("flytTil", node.name("flytTil"), 200),
            flyt_fra=node.fit("flytFra", node.name("flytFra"), 200),
            flyt_mottatt_dato=mottatt,
            flyt_sendt_dato=sendt,
            flyt_status=status,
            flyt_merknad=node.text("flytMerknad"),
        )

    # -- documents -------------------------------------------------------------------------

    def _document(self, node: Node, post: ParsedPost) -> ParsedDocument:
        system_id = self._system_id(node)
        first = not post.documents
        restriksjon, _hjemmel = self._skjerming(node)
        opprettet = node.stamp("opprettetDato") or post.opprettet_dato
        document = ParsedDocument(
            line=node.line,
            system_id=system_id,
            dokumentnummer=node.integer("dokumentnummer"),
            tilknyttet_registrering_som=node.code(
                "tilknyttetRegistreringSom",
                kl.TILKNYTTET_REGISTRERING_SOM,
                fallback="H" if first else "V",
                required=True,
            ),
            dokumenttype=node.code("dokumenttype", kl.DOKUMENTTYPE, fallback="B", required=True),
            dokumentstatus=node.code("dokumentstatus", kl.DOKUMENTSTATUS, fallback="F", required=True),
            tittel=self._title(node),
            tilgangsrestriksjon=restriksjon,
            opprettet_dato=opprettet,
            opprettet_av=node.name("opprettetAv"),
        )
        for element in node.all("merknad"):
            note = Node(element, "merknad", self.warnings)
            node.warn(
                "har en merknad; den ble lagret på journalposten (dokumenter har ingen merknader her).",
                line=note.line,
                key="document-note",
            )
            post.notes.append(self._note(note, opprettet))
        for element in node.all("dokumentobjekt"):
            document.versions.append(self._version(self._node(element, "dokumentobjekt"), document))
        return document

    def _version(self, node: Node, document: ParsedDocument) -> ParsedVersion:
        system_id = node.text("systemID")
        if system_id:
            self.layout.v50 += 1
            if len(system_id) > 100:
                raise node.refuse(f"har <systemID> på {len(system_id)} tegn; høyst 100 kan lagres.")
        else:
            self.layout.v3x += 1
        for konvertering in node.all("konvertering"):
            names = {localname(c.tag) for c in konvertering}
            if not {"konverteringsverktoey", "konverteringskommentar"} <= names:
                self.layout.v40 += 1
        versjonsnummer = node.integer("versjonsnummer")
        if versjonsnummer is None:
            node.warn("mangler <versjonsnummer>; brukte 1.", key="version-no-number")
            versjonsnummer = 1
        referanse = node.text("referanseDokumentfil").replace("\\", "/")
        filnavn = referanse.rstrip("/").rsplit("/", 1)[-1]
        if not filnavn:
            node.warn("mangler <referanseDokumentfil>; filnavnet ble «dokument».", key="version-no-file")
            filnavn = "dokument"
        sjekksum, storrelse = self._file(node, referanse)
        return ParsedVersion(
            line=node.line,
            system_id=system_id,
            versjonsnummer=versjonsnummer,
            variantformat=node.code("variantformat", kl.VARIANTFORMAT, fallback="A", required=True),
            format=node.fit("format", node.given("format"), 100),
            filnavn=node.fit("referanseDokumentfil", filnavn, 300),
            sjekksum=sjekksum,
            filstoerrelse=storrelse,
            opprettet_dato=node.stamp("opprettetDato") or document.opprettet_dato,
            opprettet_av=node.name("opprettetAv"),
        )

    def _file(self, node: Node, referanse: str) -> tuple[str, int]:
        """(sjekksum as SHA-256 hex, filstoerrelse). A referenced file next to the XML is
        checked against the checksum (a mismatch refuses the file) and, with a store, put in the
        FileStore; without the file the values are taken from the XML."""
        given = node.text("sjekksum").lower()
        algoritme = node.text("sjekksumAlgoritme").upper().replace("-", "").replace(" ", "")
        size = node.size("filstoerrelse")
        path = self._local_file(node, referanse)
        if path is None:
            if not given:
                raise node.refuse("mangler <sjekksum>, og filen finnes ikke i uttrekket.")
            if algoritme not in ("", "SHA256"):
                node.warn(
                    f"har sjekksum med {node.text('sjekksumAlgoritme')}, ikke SHA-256; lagret som den er.",
                    line=node.line_of("sjekksum"),
                    key=f"algorithm:{algoritme}",
                )
            return node.fit("sjekksum", given, 64), size
        content = path.read_bytes()
        sha256 = hashlib.sha256(content).hexdigest()
        if given:
            try:
                digest = (
                    sha256
                    if algoritme in ("", "SHA256")
                    else hashlib.new(algoritme.lower(), content).hexdigest()
                )
            except ValueError:
                digest = given  # an algorithm hashlib does not know: cannot check
                node.warn(
                    f"har ukjent <sjekksumAlgoritme> «{node.text('sjekksumAlgoritme')}»; sjekksummen ble ikke kontrollert.",
                    line=node.line_of("sjekksumAlgoritme"),
                    key="algorithm-unknown",
                )
            if digest != given:
                raise node.refuse(
                    f"har <sjekksum> {given}, men filen {referanse} har {digest}.", node.line_of("sjekksum")
                )
        if size and size != len(content):
            node.warn(
                f"oppgir <filstoerrelse> {size}, men filen {referanse} er {len(content)} byte; brukte filens.",
                line=node.line_of("filstoerrelse"),
                key="size-mismatch",
            )
        if self.store is not None:
            self.store.put(content)
            self.stats.files_stored += 1
        return sha256, len(content)

    def _may_hold(self, referanse: str) -> bool:
        """Whether the first step of ``referanse`` (``dokumenter`` in ``dokumenter/…``) exists
        beside the XML, asked once per name: an extraction without its files (an .xml alone)
        then costs no path resolution per document version."""
        steps = [step for step in referanse.replace("\\", "/").split("/") if step not in ("", ".")]
        if not steps or ".." in steps:
            return True  # unusual: let the full check decide (and warn)
        first = steps[0]
        known = self._tops.get(first)
        if known is None:
            known = self._tops[first] = (self.base / first).exists()
        return known

    def _local_file(self, node: Node, referanse: str) -> Path | None:
        """The referenced file when it lies inside the extraction folder and exists."""
        if not referanse or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]+:", referanse):
            return None  # absent, or a URL
        if referanse.startswith("/"):
            node.warn(
                f"har en absolutt <referanseDokumentfil> «{referanse}»; filen ble ikke lest.", key="abs-file"
            )
            return None
        if not self._may_hold(referanse):
            return None  # nothing at the reference's first step: no path to resolve
        target = (self.base / referanse).resolve()
        if not target.is_relative_to(self.base):
            node.warn(
                f"har <referanseDokumentfil> «{referanse}» utenfor uttrekket; filen ble ikke lest.",
                line=node.line_of("referanseDokumentfil"),
                key="outside-file",
            )
            return None
        return target if target.is_file() else None


# -- helpers ---------------------------------------------------------------------------------


def _release(element: Any, *, nested: bool) -> None:
    """Free a finished element: clear it and delete its finished preceding siblings. Inside
    another mappe only earlier sibling mapper go (the parent's own fields must stay)."""
    element.clear(keep_tail=True)
    parent = element.getparent()
    if parent is None:
        return
    if nested:
        while (previous := element.getprevious()) is not None and localname(previous.tag) == "mappe":
            parent.remove(previous)
        return
    while element.getprevious() is not None:
        del parent[0]


def _raise(maxima: dict[int, int], year: int, value: int) -> None:
    if value > maxima.get(year, 0):
        maxima[year] = value


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), OSLO).astimezone(UTC)


def _parse_mappe_id(value: str) -> tuple[int, int] | None:
    """``2016/00011`` or ``16/00011`` → (2016, 11)."""
    match = _MAPPE_ID.fullmatch(value.strip())
    if not match:
        return None
    year = int(match.group(1))
    if len(match.group(1)) == 2:
        year += 2000 if year <= datetime.now(UTC).year % 100 else 1900
    return year, int(match.group(2))


def _is_internal(typ: str, journalposttype: str, has_unit_or_handler: bool) -> bool:
    """IA/IM/IK are internal; a part of another type is internal when it names a unit or a
    handler on our side of the post: a recipient of an incoming post, the sender of an
    outgoing one, anyone on an internal note (N/X/S)."""
    if typ in ("IA", "IM", "IK"):
        return True
    if not has_unit_or_handler:
        return False
    if journalposttype == "I":
        return typ in RECIPIENT_TYPES
    if journalposttype == "U":
        return typ in SENDER_TYPES
    return True


def _responsible(post: ParsedPost, case: ParsedCase) -> tuple[str, str]:
    """(unit, handler) responsible for the post. An I post: the internal recipient it is
    distributed to, else the unit it was received for (no handler yet). U/N/X/S: the internal
    sender, else the case's unit and saksansvarlig."""
    if post.journalposttype == "I":
        recipients = sorted(
            (p for p in post.parts if p.recipient), key=lambda p: p.korrespondanseparttype in ("EK", "IK")
        )
        for part in recipients:
            if part.behandler:
                return part.enhet, part.behandler
        return (recipients[0].enhet, "") if recipients else ("", "")
    for part in post.parts:
        if part.intern and not part.recipient and (part.enhet or part.behandler):
            return part.enhet, part.behandler
    return case.enhet, case.saksansvarlig


def _writeoff_part(post: ParsedPost, avskrevet_av: str) -> int | None:
    """Which internal recipient an avskrivning belongs to: the one whose handler wrote it off,
    else the first that is not a copy recipient, else the first."""
    recipients = [i for i, p in enumerate(post.parts) if p.recipient]
    if not recipients:
        return None
    wanted = name_key(avskrevet_av)
    for i in recipients:
        if wanted and name_key(post.parts[i].behandler) == wanted:
            return i
    for i in recipients:
        if post.parts[i].korrespondanseparttype not in ("EK", "IK"):
            return i
    return recipients[0]
