"""Case work on the archive's records: the only code that changes them (write side).

Every function checks authorisation itself, enforces the Noark 5 rules, raises
:mod:`core.errors` exceptions with Norwegian messages, runs in one write transaction
(:func:`core.db.writing`) and records an audit event (who, on behalf of whom, what).
Concurrent changes of the same item use the row's ``version`` column: the caller passes the
version it showed the user, and the loser gets :class:`~core.errors.Conflict`.

Read-side queries for pages live in :mod:`core.archive.queries`.

CONTRACT (issue 3): the signatures below are fixed; the web UI and demo data are written
against them. The work is done in sibling modules: :mod:`~core.archive.creation` (cases and
posts), :mod:`~core.archive.lifecycle` (states, remarks, tilgangskoder),
:mod:`~core.archive.recipients` (fordeling, avskrivning), :mod:`~core.archive.documents`
(files and versions), :mod:`~core.archive.flow` (dokumentflyt); the rules live in :mod:`~core.archive.rules` and
:mod:`~core.archive.permissions`. The input dataclasses (``NewCase``, ``NewPost`` ...) are
defined in :mod:`~core.archive.inputs` and re-exported here, so this module only delegates:
nothing below it imports it.

Errors: :class:`~core.errors.Forbidden` (not allowed), :class:`~core.errors.ValidationFailed`
(input; keys are the attribute names of the input dataclasses or the parameter names),
:class:`~core.errors.Conflict` (wrong state, or someone else changed the record first),
:class:`~core.errors.NotFound`.

Hendelseslogg actions: ``archive.case_created``, ``archive.incoming_registered``,
``archive.post_created``, ``archive.post_finished``, ``archive.dispatched``,
``archive.post_updated``, ``archive.post_deleted``, ``archive.document_added``,
``archive.version_added``, ``archive.remark_added``, ``archive.case_closed``,
``archive.flow_recorded``, ``archive.case_owner_set`` (a new case's saksansvarlig set by fordeling)
(object ``saksmappe``/``journalpost``); ``archive.distributed``, ``archive.redistributed``,
``archive.sent_to_unit``, ``archive.written_off``, ``archive.foreloepig_svar``,
``archive.foreloepig_svar_angret`` (object
``korrespondansepart``, details name the ``journalpost_id``); ``archive.access_granted``, ``archive.access_revoked`` (object
``person``). Summaries use the public title of a restricted record.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from core.archive import creation, documents, flow, lifecycle, recipients, redistribution
from core.archive.inputs import (
    IncomingPost,
    InternalRecipient,
    NewCase,
    NewDocument,
    NewPost,
    Part,
    PostChanges,
    UploadedFile,
)
from core.archive.redistribution import Redistributed
from core.archive.transfer import TransferCounts, transfer_work
from core.auth.user import User
from core.settings import Settings

__all__ = [
    "IncomingPost",
    "InternalRecipient",
    "NewCase",
    "NewDocument",
    "NewPost",
    "Part",
    "PostChanges",
    "TransferCounts",
    "UploadedFile",
    "add_document",
    "add_dokumentflyt",
    "add_merknad",
    "add_version",
    "approve_post",
    "avskriv",
    "check_document_adder",
    "check_post_creator",
    "check_version_uploader",
    "close_case",
    "create_case",
    "create_post",
    "delete_post",
    "ekspeder",
    "ferdigstill",
    "fordel",
    "grant_access",
    "mark_foreloepig_svar",
    "register_incoming",
    "reopen_post",
    "revoke_access",
    "set_recipient_unit",
    "transfer_work",
    "undo_foreloepig_svar",
    "update_post",
]


async def create_case(settings: Settings, user: User, data: NewCase) -> int:
    """A handler or Fellestjenesten creates a case (saksstatus ``B``); returns its id."""
    return await creation.create_case(settings, user, data)


async def register_incoming(settings: Settings, user: User, data: IncomingPost) -> int:
    """Fellestjenesten/Arkiv registers incoming post (journalstatus ``J``) with documents.

    The internal recipient (IM) carries the receiving unit and no handler: the post waits in
    the unit's queue *Til fordeling*. Returns the journalpost id.
    """
    return await creation.register_incoming(settings, user, data)


async def create_post(settings: Settings, user: User, saksmappe_id: int, data: NewPost) -> int:
    """A handler creates a U/N/X post in an open case (journalstatus ``R`` reservert until
    ferdigstilt); returns the journalpost id."""
    return await creation.create_post(settings, user, saksmappe_id, data)


async def ferdigstill(settings: Settings, user: User, journalpost_id: int, version: int) -> None:
    """The handler marks the post's documents finished (journalstatus ``F``, dokumentstatus ``F``)."""
    del settings
    await lifecycle.ferdigstill(user, journalpost_id, version)


async def ekspeder(settings: Settings, user: User, journalpost_id: int, version: int) -> None:
    """Mark an outgoing/internal post dispatched: journalstatus ``E``, sendt_dato now. Refused
    for I posts and posts already E/A; its fields freeze from here."""
    del settings
    await lifecycle.ekspeder(user, journalpost_id, version)


async def reopen_post(settings: Settings, user: User, journalpost_id: int, version: int) -> None:
    """``F`` → ``R``: the post is with its handler again (not approved at the first step, or the
    approval round withdrawn); its documents are under work (``B``) again. During a running
    approval only its approver may; otherwise who may work on the post."""
    del settings
    await lifecycle.reopen_post(user, journalpost_id, version)


async def approve_post(settings: Settings, user: User, journalpost_id: int, version: int) -> None:
    """``F`` → ``G`` (godkjent av leder): only the approver of the running approval round (the
    receiver of an open task whose kind ``edits_documents``, or their deputy in the absence)."""
    del settings
    await lifecycle.approve_post(user, journalpost_id, version)


async def update_post(
    settings: Settings, user: User, journalpost_id: int, changes: PostChanges, *, version: int
) -> None:
    """Edit title, public title, dokumentets dato and forfallsdato. Frozen once the post is
    ekspedert, arkivert or utgår; a post journalført by the archive (J) only Fellestjenesten/Arkiv
    may change."""
    del settings
    await lifecycle.update_post(user, journalpost_id, changes, version)


async def delete_post(settings: Settings, user: User, journalpost_id: int, *, version: int) -> None:
    """Delete a reserved (``R``) U/N/X post without documents or avskrivninger; only its own
    handler may. Everything else is kept, as Noark 5 requires (krav 3.2.19–3.2.21)."""
    del settings
    await lifecycle.delete_post(user, journalpost_id, version)


async def check_post_creator(user: User, saksmappe_id: int) -> None:
    """Raise NotFound (no such case) or Forbidden unless ``user`` may create a post in the case.
    :func:`create_post` checks the same; an upload route calls this before it reads the body."""
    await creation.case_writer(user, saksmappe_id)


async def check_document_adder(user: User, journalpost_id: int) -> None:
    """Raise NotFound or Forbidden unless ``user`` may add a document to the post (as
    :func:`add_document` checks; for upload routes, before they read the body)."""
    await documents.document_adder(user, journalpost_id)


async def check_version_uploader(user: User, dokumentbeskrivelse_id: int) -> int:
    """Raise NotFound or Forbidden unless ``user`` may upload a new version of the document (as
    :func:`add_version` checks; for upload routes, before they read the body); its post's id."""
    return await documents.version_uploader(user, dokumentbeskrivelse_id)


async def add_document(settings: Settings, user: User, journalpost_id: int, document: NewDocument) -> int:
    """Add a document (version 1) to a post that is not frozen; returns dokumentbeskrivelse id."""
    return await documents.add_document(settings, user, journalpost_id, document)


async def add_version(
    settings: Settings,
    user: User,
    dokumentbeskrivelse_id: int,
    file: UploadedFile,
    *,
    opprettet_i: str = "",
) -> int:
    """Upload a new version (versjonsnummer + 1, the newest is active). Older versions are
    immutable and stay downloadable. Refused when the document is ferdigstilt (``F``) or the
    post is frozen. ``opprettet_i`` (at most 200 characters; errors use that key) says where the
    version was made, e.g. «Godkjenning, steg 1»; the version history shows it. Returns the
    dokumentobjekt id."""
    return await documents.add_version(settings, user, dokumentbeskrivelse_id, file, opprettet_i=opprettet_i)


async def add_dokumentflyt(
    settings: Settings,
    user: User,
    journalpost_id: int,
    *,
    flyt_fra_id: int,
    flyt_til_id: int,
    mottatt: datetime,
    sendt: datetime,
    status: str,
    merknad: str = "",
    on_behalf_of: int | None = None,
) -> int:
    """Record one step of the post's dokumentflyt (Noark 5 M660–M665); returns its id.

    ``flyt_til_id`` received the post for approval from ``flyt_fra_id`` at ``mottatt`` and sent
    it on at ``sendt`` (timezone-aware; ``mottatt`` <= ``sendt`` <= now) with ``status`` ``G``
    (godkjent), ``I`` (ikke godkjent) or ``S`` (sendt tilbake med kommentarer) and ``merknad``
    (optional, at most 4000 characters). The persons' names are stored as they are now. Steps
    are log metadata: never changed or deleted, and a post with steps cannot be deleted.

    May record: the receiver ``flyt_til_id`` (or, with ``on_behalf_of=flyt_til_id``, their deputy
    today), or anyone who may work on the post (:func:`core.archive.permissions.post_worker`);
    else :class:`~core.errors.Forbidden`. ``on_behalf_of`` is accepted only from that person's
    deputy today and is recorded in the hendelseslogg (``archive.flow_recorded``). Refused
    (:class:`~core.errors.Conflict`) on an ekspedert, arkivert or utgått post;
    :class:`~core.errors.ValidationFailed` with keys ``status``, ``sendt``, ``merknad``;
    :class:`~core.errors.NotFound` for an unknown post or person.

    Runs in :func:`core.db.writing`, which joins a transaction the caller already holds: a
    routine calls it inside its own write transaction, and an error there rolls back both.
    """
    del settings
    return await flow.add_dokumentflyt(
        user,
        journalpost_id,
        flyt_fra_id=flyt_fra_id,
        flyt_til_id=flyt_til_id,
        mottatt=mottatt,
        sendt=sendt,
        status=status,
        merknad=merknad,
        on_behalf_of=on_behalf_of,
    )


async def add_merknad(
    settings: Settings,
    user: User,
    text: str,
    *,
    saksmappe_id: int | None = None,
    journalpost_id: int | None = None,
) -> int:
    """A remark on a case or a post (allowed in every state); returns the merknad id."""
    del settings
    return await lifecycle.add_merknad(user, text, saksmappe_id, journalpost_id)


async def avskriv(
    settings: Settings,
    user: User,
    korrespondansepart_id: int,
    avskrivningsmaate: str,
    *,
    avskrives_av_journalpost_id: int | None = None,
    version: int,
    merknad: str | None = None,
) -> int:
    """Write off one internal recipient's restanse (I/N post); returns the avskrivning id.

    Allowed for that recipient's handler, a leader (or active deputy) of its unit, and
    Fellestjenesten/Arkiv. ``merknad`` (optional; blank means none) is saved as a merknad on the
    journal post in the same transaction (merknadstype after the capacity: MS, ML or MA) and is
    named in the write-off's hendelseslogg event (``merknad_id``); errors for it use the key
    ``merknad``.
    """
    return await recipients.avskriv(
        settings,
        user,
        korrespondansepart_id,
        avskrivningsmaate,
        avskrives_av_journalpost_id=avskrives_av_journalpost_id,
        version=version,
        merknad=merknad,
    )


async def mark_foreloepig_svar(
    settings: Settings,
    user: User,
    korrespondansepart_id: int,
    *,
    version: int,
    dato: date | None = None,
    foreloepig_svar_journalpost_id: int | None = None,
) -> None:
    """Register that a foreløpig svar (forvaltningsloven § 11 a) was sent for one internal
    recipient's restanse: sets ``foreloepig_svar_dato`` (``dato``, default today; not in the
    future nor before the journaldato) and, optionally, the post of the same case that was the
    foreløpig svar (``foreloepig_svar_journalpost_id``: for an I post a U, for an N note an N or
    X, not utgått, not the post itself, not journalført before it), and who registered it and when (only they may undo it,
    the same day: :func:`undo_foreloepig_svar`). The restanse stays until it is written off.

    The same people as :func:`avskriv` (the recipient's handler, a leader or active deputy of
    its unit, Fellestjenesten/Arkiv). Bumps the recipient's ``version``: of two concurrent
    changes one wins (:class:`~core.errors.Conflict` for the other); a written-off restanse, or
    one that has a foreløpig svar already, is a Conflict too. Errors for the input use the keys
    ``dato`` and ``foreloepig_svar_journalpost_id``. Logged as ``archive.foreloepig_svar``.
    """
    await recipients.mark_foreloepig_svar(
        settings,
        user,
        korrespondansepart_id,
        version=version,
        dato=dato,
        foreloepig_svar_journalpost_id=foreloepig_svar_journalpost_id,
    )


async def undo_foreloepig_svar(
    settings: Settings, user: User, korrespondansepart_id: int, *, version: int
) -> None:
    """Undo a foreløpig svar registered by mistake: clears its date and answering post and
    refreshes the restanse ledger, so the card's *§ 11 a* and *med foreløpig svar* move back.

    Only the person who registered it (who clicked, also when acting as a deputy), only on the
    day they registered it (Oslo), and only while they may still act on the restanse
    (:func:`avskriv`'s people). Another person, or an imported foreløpig svar:
    :class:`~core.errors.Forbidden`; another day, no foreløpig svar, a written-off restanse or a
    changed ``version``: :class:`~core.errors.Conflict`. Logged as
    ``archive.foreloepig_svar_angret`` with the previous date and post.
    """
    await recipients.undo_foreloepig_svar(settings, user, korrespondansepart_id, version=version)


async def fordel(
    settings: Settings,
    user: User,
    korrespondansepart_id: int,
    saksbehandler_id: int,
    *,
    version: int,
    saksansvarlig_id: int | None = None,
) -> int | None:
    """Distribute an internal recipient of an I/N post to a handler of the unit (fordeling).

    Only a leader or active deputy of the recipient's unit (audited on behalf of the leader).
    Sets saksbehandler and fordelt_dato; the journalpost's saksbehandler; and, when the case has
    no saksansvarlig yet (a new case) and this is its main recipient (IM), the case's
    saksansvarlig (``saksansvarlig_id``, default the handler) and administrativ enhet, in the
    same transaction and with the case's own hendelseslogg row (``archive.case_owner_set``).
    Returns that new saksansvarlig, or None when the case kept its own (someone else's
    distribution may have set it first). Distributing again (omfordeling) is allowed.
    """
    return await recipients.fordel(
        settings,
        user,
        korrespondansepart_id,
        saksbehandler_id,
        version=version,
        saksansvarlig_id=saksansvarlig_id,
    )


async def redistribute(
    settings: Settings,
    user: User,
    unit_id: int,
    from_handler: int,
    to_handler: int,
    chosen: Sequence[tuple[int, int]],
    merknad: str,
) -> Redistributed:
    """*Omfordeling* of many recipients at once: move ``chosen`` (recipient id, the version
    shown) of ``unit_id`` from ``from_handler`` to ``to_handler``, each with the remark
    ``merknad`` on its post, in one transaction; what :func:`fordel` and :func:`add_merknad`
    write for one, set-based (:mod:`core.archive.redistribution`). Those changed since shown
    stay and are returned in ``changed``. Only a leader or active deputy of the unit."""
    del settings
    return await redistribution.redistribute(user, unit_id, from_handler, to_handler, chosen, merknad)


async def set_recipient_unit(
    settings: Settings, user: User, korrespondansepart_id: int, unit_id: int, *, version: int
) -> None:
    """Send an undistributed internal recipient to a unit's queue *Til fordeling*:
    Fellestjenesten/Arkiv (for a post without a unit, or to move one), or the leader (or active
    deputy) of the unit it lies with."""
    await recipients.set_recipient_unit(settings, user, korrespondansepart_id, unit_id, version=version)


async def close_case(settings: Settings, user: User, saksmappe_id: int, version: int) -> None:
    """Close a case (saksstatus ``A``). Refused while it has I/N posts with internal recipients
    not written off, or own U/N/X posts not ekspedert/arkivert."""
    del settings
    await lifecycle.close_case(user, saksmappe_id, version)


async def grant_access(settings: Settings, user: User, person_id: int, tilgangsrestriksjon: str) -> bool:
    """Fellestjenesten/Arkiv or admin gives a person a tilgangskode. False when the person
    already held it (nothing changed)."""
    del settings
    return await lifecycle.grant_access(user, person_id, tilgangsrestriksjon)


async def revoke_access(settings: Settings, user: User, person_id: int, tilgangsrestriksjon: str) -> bool:
    """Fellestjenesten/Arkiv or admin takes a tilgangskode from a person. False when the person
    did not hold it (nothing changed)."""
    del settings
    return await lifecycle.revoke_access(user, person_id, tilgangsrestriksjon)
