"""Who may change which record, and in what capacity (for the hendelseslogg).

- Fellestjenesten/Arkiv (``user.is_archive``) may do all record-keeping.
- A handler works on cases and posts of their own unit, and on those they are involved in
  (saksansvarlig, saksbehandler, handler of an internal recipient). Through the unit alone a
  restricted record (skjerming) needs the tilgangskode.
- A leader acts for the units :meth:`~core.auth.user.User.authority_for` names today; a deputy
  acts on behalf of the leader, which the hendelseslogg records (``on_behalf_of``).

Every refusal is :class:`~core.errors.Forbidden` with a Norwegian sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.archive.access import access_codes, can_see, involved_in_case
from core.archive.records import Row
from core.archive.tables import Korrespondansepart
from core.auth.user import User
from core.errors import Forbidden
from core.i18n import _

ARCHIVE = "arkiv"
LEADER = "leder"
HANDLER = "saksbehandler"
APPROVER = "godkjenner"


@dataclass(frozen=True)
class Acting:
    """The capacity a user acts in; ``on_behalf_of`` is the leader a deputy acts for."""

    role: str
    on_behalf_of: int | None = None

    @property
    def merknadstype(self) -> str:
        """Noark 5 merknadstype for a remark written in this capacity (MA, ML or MS)."""
        return {ARCHIVE: "MA", LEADER: "ML", APPROVER: "ML"}.get(self.role, "MS")


AS_ARCHIVE = Acting(ARCHIVE)
AS_HANDLER = Acting(HANDLER)


def as_leader(user: User, *unit_ids: int | None) -> Acting | None:
    """Leader of one of ``unit_ids`` today: an own leadership first, then a deputyship."""
    authorities = [a for a in (user.authority_for(u) for u in unit_ids if u is not None) if a is not None]
    for authority in authorities:
        if not authority.as_deputy:
            return Acting(LEADER)
    if authorities:
        return Acting(LEADER, on_behalf_of=authorities[0].on_behalf_of)
    return None


def leader_refused() -> Forbidden:
    return Forbidden(
        _(
            "Bare lederen for enheten kan gjøre dette, eller stedfortrederen mens lederen har "
            "registrert fravær."
        )
    )


def restricted_refused() -> Forbidden:
    return Forbidden(_("Dette er skjermet, og du har ikke tilgangskoden som trengs for å arbeide med det."))


async def _sees(user: User, tilgangsrestriksjon: str) -> bool:
    return not tilgangsrestriksjon or can_see(await access_codes(user.person_id), tilgangsrestriksjon)


def require_archive(user: User) -> Acting:
    if not user.is_archive:
        raise Forbidden(_("Bare Fellestjenesten/Arkiv registrerer inngående post."))
    return AS_ARCHIVE


async def case_worker(user: User, case: Row) -> Acting:
    """May ``user`` work on the case (new posts, remarks)?"""
    if user.is_archive:
        return AS_ARCHIVE
    if case["saksansvarlig"] == user.person_id or await involved_in_case(user.person_id, case["id"]):
        return AS_HANDLER
    unit = case["administrativ_enhet"]
    if user.unit_id is not None and user.unit_id == unit and await _sees(user, case["tilgangsrestriksjon"]):
        return AS_HANDLER
    leader = as_leader(user, unit)
    if leader is not None:
        return leader
    if user.unit_id is not None and user.unit_id == unit:
        raise restricted_refused()
    raise Forbidden(
        _(
            "Du kan bare arbeide med saker i din egen enhet, saker der du er saksansvarlig eller "
            "saksbehandler, og saker i enheter du leder."
        )
    )


async def post_worker(
    user: User,
    post: Row,
    case: Row,
    *,
    as_recipient: bool = False,
    recipients: Sequence[Row] | None = None,
    codes: frozenset[str] | None = None,
) -> Acting:
    """May ``user`` work on the post (documents, status, its fields)?

    ``as_recipient``: also let the internal recipients' handlers and the leaders of their units
    act (for remarks). Without it a recipient may not change someone else's note. A caller
    deciding for many posts at once may pass the post's internal ``recipients`` (their
    ``administrativ_enhet`` and ``saksbehandler``) and the user's tilgangskoder (``codes``),
    read once for all (:mod:`core.archive.redistribution`)."""
    if user.is_archive:
        return AS_ARCHIVE
    if user.person_id in (post["saksbehandler"], case["saksansvarlig"]):
        return AS_HANDLER
    recipient_units: list[int] = []
    if as_recipient:
        rows = recipients
        if rows is None:
            rows = await Korrespondansepart.select(
                Korrespondansepart.administrativ_enhet, Korrespondansepart.saksbehandler
            ).where((Korrespondansepart.journalpost == post["id"]) & Korrespondansepart.intern.eq(True))
        if any(r["saksbehandler"] == user.person_id for r in rows):
            return AS_HANDLER
        recipient_units = [r["administrativ_enhet"] for r in rows if r["administrativ_enhet"] is not None]
    unit = post["administrativ_enhet"] or case["administrativ_enhet"]
    own_unit = user.unit_id is not None and user.unit_id == unit
    if own_unit and (
        await _sees(user, post["tilgangsrestriksjon"])
        if codes is None
        else can_see(codes, post["tilgangsrestriksjon"])
    ):
        return AS_HANDLER
    leader = as_leader(user, unit, case["administrativ_enhet"], *recipient_units)
    if leader is not None:
        return leader
    if own_unit:
        raise restricted_refused()
    raise Forbidden(
        _(
            "Du kan bare arbeide med journalposter i din egen enhet, journalposter der du er "
            "saksbehandler, og journalposter i enheter du leder."
        )
    )


def case_closer(user: User, case: Row) -> Acting:
    """Fellestjenesten/Arkiv, the saksansvarlig, or the leader of the case's unit."""
    if user.is_archive:
        return AS_ARCHIVE
    if case["saksansvarlig"] == user.person_id:
        return AS_HANDLER
    leader = as_leader(user, case["administrativ_enhet"])
    if leader is not None:
        return leader
    raise Forbidden(
        _("Bare saksansvarlig, lederen for saksenheten og Fellestjenesten/Arkiv kan avslutte saken.")
    )


def recipient_handler(user: User, part: Row) -> Acting:
    """Write off a restanse: the recipient's handler, the leader of its unit, or the archive."""
    if part["saksbehandler"] == user.person_id:
        return AS_HANDLER
    if user.is_archive:
        return AS_ARCHIVE
    leader = as_leader(user, part["administrativ_enhet"])
    if leader is not None:
        return leader
    raise Forbidden(
        _(
            "Bare saksbehandleren for mottakeren, lederen for enheten (eller stedfortrederen) og "
            "Fellestjenesten/Arkiv kan avskrive denne restansen."
        )
    )


def access_admin(user: User) -> Acting:
    if user.is_archive:
        return AS_ARCHIVE
    if user.is_admin:
        return Acting("admin")
    raise Forbidden(_("Bare Fellestjenesten/Arkiv og administratorer kan gi eller ta bort tilgangskoder."))


async def approvers_of(journalpost_id: int) -> set[int]:
    """The receivers of the post's open tasks of a kind that lets its receiver change the
    documents (the approvers of a running approval round,
    :attr:`core.contributions.TaskKind.edits_documents`). Empty: no round runs."""
    rows = await Korrespondansepart.raw(
        "SELECT DISTINCT t.receiver_person FROM core_task t WHERE t.object_type = 'journalpost' "
        "AND t.object_id = {} AND t.state IN ('open', 'taken') AND t.edits_documents "
        "AND t.receiver_person IS NOT NULL",
        str(journalpost_id),
    )
    return {int(r["receiver_person"]) for r in rows}


def holder_among(user: User, receivers: set[int]) -> Acting | None:
    """``user`` as one of ``receivers``, or as the registered deputy of one of them today."""
    if user.person_id in receivers:
        return Acting(APPROVER)
    for authority in user.authorities:
        if authority.on_behalf_of is not None and authority.on_behalf_of in receivers:
            return Acting(APPROVER, on_behalf_of=authority.on_behalf_of)
    return None


async def approval_holder(user: User, journalpost_id: int) -> Acting | None:
    """``user`` as an approver of the post's running round (or their deputy), or None."""
    return holder_among(user, await approvers_of(journalpost_id))


async def version_adder(user: User, post: Row, case: Row) -> Acting:
    """May ``user`` add a new version of a document of the post? While an approval round runs
    only its current approvers may (the Noark 5 rule for documents under approval: every change
    a new version, the newest active; the handler's post is locked); otherwise who may work on
    the post."""
    receivers = await approvers_of(int(post["id"]))
    if receivers:
        holder = holder_among(user, receivers)
        if holder is not None and user.person_id == post["saksbehandler"]:
            holder = None  # the post's own handler never acts as its approver (also not as deputy)
        if holder is None:
            raise Forbidden(
                _(
                    "Journalposten er til godkjenning. Bare godkjenneren kan legge inn nye versjoner "
                    "av dokumentene mens godkjenningen pågår."
                )
            )
        return holder
    return await post_worker(user, post, case)


async def approval_status_changer(user: User, post: Row) -> Acting:
    """Approve (F→G) or return (F→R) a post under approval: its approver (or their deputy),
    never the post's own handler."""
    holder = await approval_holder(user, int(post["id"]))
    if holder is None or user.person_id == post["saksbehandler"]:
        raise Forbidden(_("Bare godkjenneren kan godkjenne eller returnere journalposten."))
    return holder
