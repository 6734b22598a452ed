"""What callers hand to the write side (:mod:`core.archive.services`): new cases, incoming and
own posts, documents and files, correspondence parties, and the editable fields of a post.

Plain frozen dataclasses with the Noark 5 names; :mod:`core.archive.services` re-exports them,
so callers import them from there. The modules that do the work (:mod:`~core.archive.creation`,
:mod:`~core.archive.documents`, :mod:`~core.archive.lifecycle`) import them from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from core.archive.filestore import StagedFile


@dataclass(frozen=True)
class UploadedFile:
    """A file the user uploaded (or the importer/demo data supplies): its bytes in ``content``,
    or, for an upload, ``staged`` in the file store's temporary folder (never whole in memory)."""

    filnavn: str
    content: bytes = b""
    format: str = ""
    """MIME type or file format name, e.g. ``application/pdf``."""
    staged: StagedFile | None = None

    @property
    def size(self) -> int:
        return self.staged.filstoerrelse if self.staged is not None else len(self.content)


@dataclass(frozen=True)
class NewDocument:
    tittel: str
    file: UploadedFile
    tilknyttet_registrering_som: str = "H"
    """``H`` hoveddokument or ``V`` vedlegg. The first document of a post must be ``H``."""


@dataclass(frozen=True)
class Part:
    """An external sender/recipient (korrespondansepart EA/EM/EK)."""

    navn: str
    korrespondanseparttype: str = "EA"
    postadresse: str = ""
    postnummer: str = ""
    poststed: str = ""
    epostadresse: str = ""


@dataclass(frozen=True)
class InternalRecipient:
    """An internal recipient (IM/IK) of an I or N post: a unit, and a handler when known."""

    administrativ_enhet_id: int
    saksbehandler_id: int | None = None
    korrespondanseparttype: str = "IM"


@dataclass(frozen=True)
class NewCase:
    tittel: str
    offentlig_tittel: str = ""
    administrativ_enhet_id: int | None = None
    """Defaults to the user's unit."""
    saksansvarlig_id: int | None = None
    """Defaults to the user (for a handler); None leaves it for fordeling."""
    tilgangsrestriksjon: str = ""
    skjermingshjemmel: str = ""


@dataclass(frozen=True)
class IncomingPost:
    """Incoming post registered by Fellestjenesten/Arkiv (type ``I``, or ``N`` to a unit).

    Either ``saksmappe_id`` (an existing case) or ``new_case`` is given; a new case with an
    empty title (or public title) takes the post's. Without ``mottaker_enhet_id`` the post waits
    in Fellestjenesten's own queue for a unit. ``documents`` must hold the hoveddokument (H),
    first; vedlegg (V) follow. (The Noark 5 import writes its records directly and may bring
    posts without documents.)
    """

    journalposttype: str
    tittel: str
    offentlig_tittel: str = ""
    saksmappe_id: int | None = None
    new_case: NewCase | None = None
    avsender: Part | None = None
    dokumentets_dato: date | None = None
    mottatt_dato: datetime | None = None
    forfallsdato: date | None = None
    mottaker_enhet_id: int | None = None
    tilgangsrestriksjon: str = ""
    skjermingshjemmel: str = ""
    documents: list[NewDocument] = field(default_factory=list)


@dataclass(frozen=True)
class NewPost:
    """A post a handler creates in a case: ``U`` (to external ``mottakere``), ``N`` (to
    ``interne_mottakere``, each gets its own restanse) or ``X`` (no follow-up)."""

    journalposttype: str
    tittel: str
    offentlig_tittel: str = ""
    dokumentets_dato: date | None = None
    forfallsdato: date | None = None
    mottakere: list[Part] = field(default_factory=list)
    interne_mottakere: list[InternalRecipient] = field(default_factory=list)
    tilgangsrestriksjon: str = ""
    skjermingshjemmel: str = ""
    documents: list[NewDocument] = field(default_factory=list)
    avskriver_korrespondansepart_ids: list[int] = field(default_factory=list)
    """Restanser (internal recipients of I/N posts) this post answers: written off with
    ``BU`` (U) or ``BN`` (N/X) and ``avskrives_av_journalpost`` = the new post."""


@dataclass(frozen=True)
class PostChanges:
    """The fields of a journal post that may be edited (all of them, as the form shows them)."""

    tittel: str
    offentlig_tittel: str = ""
    dokumentets_dato: date | None = None
    forfallsdato: date | None = None
