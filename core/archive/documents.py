"""Documents and their versions (dokumentbeskrivelse, dokumentobjekt) on the write side.

Files go to the content-addressed :class:`~core.archive.filestore.FileStore` in two steps:
staged (streamed to its temporary folder) once the user's right has been checked, and moved into
place as the last step of the write transaction (:class:`Staged`). A refusal, a validation error
or a conflict leaves nothing behind; a commit that fails after the move leaves an unreferenced
file, never a row without its file (the ``core.purge_files`` job removes it later). A version is immutable: a new upload is always a new :class:`Dokumentobjekt` row with
``versjonsnummer`` + 1; the highest number is the active version, older ones stay readable.
Numbers are taken under the journal post's row lock (PostgreSQL) or the write lock (SQLite);
the unique indexes on ``(journalpost, dokumentnummer)`` and
``(dokumentbeskrivelse, versjonsnummer, variantformat)`` are the backstop.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from piccolo.query.functions.aggregate import Max

from core import audit
from core.archive import permissions, rules
from core.archive.access import access_codes, can_see, involved_in_post
from core.archive.filestore import FileStore, StagedFile, StoredFile
from core.archive.records import Row, load_case, load_post, new_system_id, post_label
from core.archive.tables import Dokumentbeskrivelse, Dokumentobjekt
from core.auth.user import User
from core.db import writing
from core.errors import Conflict, NotFound, ValidationFailed
from core.i18n import _
from core.settings import Settings
from core.timeutil import now

if TYPE_CHECKING:
    from core.archive.inputs import NewDocument, UploadedFile

PRODUCTION_FORMAT = "P"
"""Variantformat ``Produksjonsformat``: the uploaded file itself."""


def clean_filename(name: str) -> str:
    """The file name without any path, at most 300 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base[: rules.MAX_FILENAME]


class Staged:
    """The files of one change, staged in the file store (an upload's own staged file, or the
    bytes written to a temporary file). ``with Staged(settings, files) as staged:`` around the
    write transaction; :meth:`commit` as its last step moves them into place; leaving the block
    removes whatever was not moved (on success, failure or refusal alike).
    """

    def __init__(self, settings: Settings, files: Sequence[UploadedFile]) -> None:
        self.store = FileStore.from_settings(settings)
        self.files = list(files)
        self.staged: list[StagedFile] = []

    def __enter__(self) -> Staged:
        try:
            for file in self.files:
                self.staged.append(file.staged or self.store.stage_bytes(file.content))
        except BaseException:
            self.discard()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.discard()

    @property
    def stored(self) -> list[StoredFile]:
        """Checksum and size of each file (known before the move)."""
        return [staged.stored for staged in self.staged]

    def commit(self) -> None:
        for staged in self.staged:
            self.store.commit(staged)

    def discard(self) -> None:
        for staged in self.staged:
            self.store.discard(staged)
        for file in self.files:  # an upload staged by the web layer, if staging here failed
            if file.staged is not None:
                self.store.discard(file.staged)


async def _next_dokumentnummer(journalpost_id: int) -> int:
    row = (
        await Dokumentbeskrivelse.select(Max(Dokumentbeskrivelse.dokumentnummer, alias="n"))
        .where(Dokumentbeskrivelse.journalpost == journalpost_id)
        .first()
    )
    return int(row["n"] or 0) + 1 if row else 1


async def _next_versjonsnummer(dokumentbeskrivelse_id: int) -> int:
    row = (
        await Dokumentobjekt.select(Max(Dokumentobjekt.versjonsnummer, alias="n"))
        .where(
            (Dokumentobjekt.dokumentbeskrivelse == dokumentbeskrivelse_id)
            & (Dokumentobjekt.variantformat == PRODUCTION_FORMAT)
        )
        .first()
    )
    return int(row["n"] or 0) + 1 if row else 1


async def insert_version(
    dokumentbeskrivelse_id: int,
    versjonsnummer: int,
    file: UploadedFile,
    stored: StoredFile,
    user: User,
    *,
    opprettet_i: str = "",
) -> int:
    version = Dokumentobjekt(
        system_id=new_system_id(),
        dokumentbeskrivelse=dokumentbeskrivelse_id,
        versjonsnummer=versjonsnummer,
        variantformat=PRODUCTION_FORMAT,
        format=(file.format or "")[:100],
        filnavn=clean_filename(file.filnavn),
        sjekksum=stored.sjekksum,
        filstoerrelse=stored.filstoerrelse,
        opprettet_dato=now(),
        opprettet_av=user.person_id,
        opprettet_i=opprettet_i,
    )
    await version.save()
    return int(version.id)


async def insert_documents(
    journalpost_id: int,
    documents: Sequence[NewDocument],
    stored: Sequence[StoredFile],
    user: User,
    *,
    dokumentstatus: str,
    tilgangsrestriksjon: str,
) -> list[int]:
    """Insert documents (each with version 1) after the post's existing ones; their ids."""
    first = await _next_dokumentnummer(journalpost_id)
    ids = []
    for offset, (document, stored_file) in enumerate(zip(documents, stored, strict=True)):
        row = Dokumentbeskrivelse(
            system_id=new_system_id(),
            journalpost=journalpost_id,
            dokumentnummer=first + offset,
            tilknyttet_registrering_som=document.tilknyttet_registrering_som,
            dokumentstatus=dokumentstatus,
            tittel=document.tittel.strip(),
            tilgangsrestriksjon=tilgangsrestriksjon,
            opprettet_dato=now(),
            opprettet_av=user.person_id,
        )
        await row.save()
        await insert_version(int(row.id), 1, document.file, stored_file, user)
        ids.append(int(row.id))
    return ids


async def finish_documents(journalpost_id: int) -> None:
    """Set every document of the post to dokumentstatus F (ferdigstilt)."""
    await Dokumentbeskrivelse.update({Dokumentbeskrivelse.dokumentstatus: "F"}).where(
        Dokumentbeskrivelse.journalpost == journalpost_id
    )


async def reopen_documents(journalpost_id: int) -> None:
    """Set every document of the post back to dokumentstatus B (under redigering): the post is
    with its handler again after an approval that did not end in G."""
    await Dokumentbeskrivelse.update({Dokumentbeskrivelse.dokumentstatus: "B"}).where(
        Dokumentbeskrivelse.journalpost == journalpost_id
    )


async def count_documents(journalpost_id: int) -> int:
    return int(await Dokumentbeskrivelse.count().where(Dokumentbeskrivelse.journalpost == journalpost_id))


async def document_adder(user: User, journalpost_id: int) -> None:
    """Raise NotFound/Forbidden unless ``user`` may add a document to the post (the check made
    again under the lock; an upload route makes it before it reads the body)."""
    current = await load_post(journalpost_id)
    await permissions.post_worker(user, current, await load_case(current["saksmappe"]))


async def version_uploader(user: User, dokumentbeskrivelse_id: int) -> int:
    """Raise NotFound/Forbidden unless ``user`` may upload a new version of the document; its
    journal post's id (the check made again under the lock; an upload route makes it before it
    reads the body)."""
    found = (
        await Dokumentbeskrivelse.select(
            Dokumentbeskrivelse.journalpost, Dokumentbeskrivelse.tilgangsrestriksjon
        )
        .where(Dokumentbeskrivelse.id == dokumentbeskrivelse_id)
        .first()
    )
    if found is None:
        raise NotFound(_("Fant ikke dokumentet."))
    current = await load_post(found["journalpost"])
    await version_authority(user, current, await load_case(current["saksmappe"]))
    await _check_document_access(user, found["journalpost"], found["tilgangsrestriksjon"])
    return int(found["journalpost"])


async def add_document(settings: Settings, user: User, journalpost_id: int, document: NewDocument) -> int:
    """See :func:`core.archive.services.add_document`."""
    errors: dict[str, str] = {}
    if not document.tittel.strip():
        rules.add(errors, "tittel", _("Skriv en tittel på dokumentet."))
    rules.check_file(document.file, errors, "file")
    if not rules.is_code("tilknyttetregistreringsom", document.tilknyttet_registrering_som):
        rules.add(errors, "document", _("Velg hoveddokument (H) eller vedlegg (V)."))
    # Refuse before the file is written to the store: nobody without the right fills the disk.
    await document_adder(user, journalpost_id)
    with Staged(settings, [document.file] if not errors else []) as staging:
        stored = staging.stored
        async with writing(Dokumentbeskrivelse):
            post = await load_post(journalpost_id, lock=True)
            case = await load_case(post["saksmappe"])
            acting = await permissions.post_worker(user, post, case)
            refusal = rules.document_refusal(post["journalstatus"], is_archive=user.is_archive)
            if refusal:
                raise Conflict(refusal)
            has_main = (
                await Dokumentbeskrivelse.count().where(
                    (Dokumentbeskrivelse.journalpost == journalpost_id)
                    & (Dokumentbeskrivelse.tilknyttet_registrering_som == "H")
                )
            ) > 0
            if not has_main and document.tilknyttet_registrering_som != "H":
                rules.add(
                    errors,
                    "document",
                    _("Det første dokumentet i en journalpost må være hoveddokumentet (H)."),
                )
            if has_main and document.tilknyttet_registrering_som == "H":
                rules.add(
                    errors,
                    "document",
                    _("En journalpost har bare ett hoveddokument (H); de andre dokumentene er vedlegg (V)."),
                )
            if errors:
                raise ValidationFailed(errors)
            # Received documents are final when registered; own documents are drafts until ferdigstilt.
            status = (
                "F"
                if post["journalposttype"] in rules.INCOMING_TYPES and post["journalstatus"] == "J"
                else "B"
            )
            [document_id] = await insert_documents(
                journalpost_id,
                [document],
                stored,
                user,
                dokumentstatus=status,
                tilgangsrestriksjon=post["tilgangsrestriksjon"],
            )
            await audit.record(
                actor_id=user.person_id,
                on_behalf_of=acting.on_behalf_of,
                action="archive.document_added",
                object_type="journalpost",
                object_id=journalpost_id,
                summary=post_label(case, post),
                details={
                    "dokumentbeskrivelse_id": document_id,
                    "tilknyttet_registrering_som": document.tilknyttet_registrering_som,
                    "sjekksum": stored[0].sjekksum,
                    "filstoerrelse": stored[0].filstoerrelse,
                },
            )
            staging.commit()  # last: a refusal above leaves no file behind
    return document_id


async def _check_document_access(user: User, journalpost_id: int, tilgangsrestriksjon: str) -> None:
    """A document restricted on its own (other code than its post) is worked on only by those
    who hold the code, are involved in the post, or are Fellestjenesten/Arkiv."""
    if not tilgangsrestriksjon or user.is_archive:
        return
    codes = await access_codes(user.person_id)
    if not can_see(
        codes, tilgangsrestriksjon, involved=await involved_in_post(user.person_id, journalpost_id)
    ):
        raise permissions.restricted_refused()


MAX_OPPRETTET_I = 200
"""Length of :attr:`Dokumentobjekt.opprettet_i` (where a version was made)."""


async def version_authority(user: User, post: Row, case: Row) -> permissions.Acting:
    """Who may upload a new version of a document of ``post``: whoever may work on the post
    (:func:`core.archive.permissions.post_worker`); raises Forbidden otherwise.

    While an approval round runs on the post, only its approver (or their deputy) may
    (:func:`core.archive.permissions.version_adder`)."""
    return await permissions.version_adder(user, post, case)


def version_refusal(user: User, post: Row, dokumentstatus: str, *, approver: bool = False) -> str | None:
    """Why no new version may be uploaded now (Conflict), or None: the post is frozen
    (:func:`core.archive.rules.edit_refusal`), or the document is ferdigstilt (``F``: set for
    every document when the post is ferdigstilt or ekspedert) — except for the approver of a
    running approval round, whose change is a new version of the ferdigstilt document."""
    refusal = rules.edit_refusal(post["journalstatus"], is_archive=user.is_archive)
    if refusal:
        return refusal
    if dokumentstatus == "F" and not approver:
        return _("Dokumentet er ferdigstilt. Nye versjoner kan ikke lastes opp.")
    return None


async def add_version(
    settings: Settings,
    user: User,
    dokumentbeskrivelse_id: int,
    file: UploadedFile,
    *,
    opprettet_i: str = "",
) -> int:
    """See :func:`core.archive.services.add_version`."""
    errors: dict[str, str] = {}
    rules.check_file(file, errors, "file")
    opprettet_i = " ".join((opprettet_i or "").split())
    if len(opprettet_i) > MAX_OPPRETTET_I:
        rules.add(
            errors,
            "opprettet_i",
            _("Hvor versjonen ble laget, kan ha høyst %(max)s tegn.") % {"max": MAX_OPPRETTET_I},
        )
    # Refuse before the file is written to the store: nobody without the right fills the disk.
    journalpost_id = await version_uploader(user, dokumentbeskrivelse_id)
    with Staged(settings, [file] if not errors else []) as staging:
        stored = staging.stored
        async with writing(Dokumentobjekt):
            post = await load_post(journalpost_id, lock=True)
            case = await load_case(post["saksmappe"])
            acting = await version_authority(user, post, case)
            document = (
                await Dokumentbeskrivelse.select(
                    Dokumentbeskrivelse.dokumentstatus,
                    Dokumentbeskrivelse.tittel,
                    Dokumentbeskrivelse.dokumentnummer,
                )
                .where(Dokumentbeskrivelse.id == dokumentbeskrivelse_id)
                .first()
            )
            if document is None:
                raise NotFound(_("Fant ikke dokumentet."))
            refusal = version_refusal(
                user, post, document["dokumentstatus"], approver=acting.role == permissions.APPROVER
            )
            if refusal:
                raise Conflict(refusal)
            if errors:
                raise ValidationFailed(errors)
            if acting.role == permissions.APPROVER and not opprettet_i:
                # A change made by the approver of a running round: the version says so.
                opprettet_i = _("Under godkjenning")
                if acting.on_behalf_of is not None:
                    opprettet_i = _("Under godkjenning, som stedfortreder")
            versjonsnummer = await _next_versjonsnummer(dokumentbeskrivelse_id)
            version_id = await insert_version(
                dokumentbeskrivelse_id, versjonsnummer, file, stored[0], user, opprettet_i=opprettet_i
            )
            await audit.record(
                actor_id=user.person_id,
                on_behalf_of=acting.on_behalf_of,
                action="archive.version_added",
                object_type="journalpost",
                object_id=post["id"],
                summary=_("%(post)s: dokument %(n)s, versjon %(v)s")
                % {"post": post_label(case, post), "n": document["dokumentnummer"], "v": versjonsnummer},
                details={
                    "dokumentbeskrivelse_id": dokumentbeskrivelse_id,
                    "dokumentobjekt_id": version_id,
                    "versjonsnummer": versjonsnummer,
                    "sjekksum": stored[0].sjekksum,
                    "filstoerrelse": stored[0].filstoerrelse,
                    **({"opprettet_i": opprettet_i} if opprettet_i else {}),
                },
            )
            staging.commit()  # last: a refusal above leaves no file behind
    return version_id
