"""Journal posts: the posts of a case (paged), one post, and what hangs on posts
(korrespondanseparter, avskrivninger, open restanser).

Each list is one statement for the page plus one statement per kind of child row, selected by
the ids on the page (never a query per row).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from core.archive.numbering import mappe_id, registrerings_id
from core.archive.queries.common import (
    Page,
    QueryString,
    as_bool,
    as_date,
    as_datetime,
    in_list,
    run,
    run_page,
)
from core.archive.queries.open_recipients import RECIPIENT, open_on
from core.archive.queries.visibility import Viewer, case_visible, post_involved, post_visible
from core.archive.tables import Korrespondansepart
from core.errors import NotFound
from core.i18n import _
from core.timeutil import today

RESTANSE_TYPES = ("I", "N")
"""Journalposttyper that give restanse (per internal recipient)."""
FROZEN_STATUSES = ("E", "J", "A", "U")
"""Journalstatus after which a post's fields and documents are frozen."""

_POST_COLUMNS = (
    "j.id, j.saksmappe, j.journalpostnummer, j.journalaar, j.journalsekvensnummer, j.journalposttype, "
    "j.journalstatus, j.journaldato, j.dokumentets_dato, j.mottatt_dato, j.sendt_dato, j.forfallsdato, "
    "j.tilgangsrestriksjon, j.skjermingshjemmel, j.version, j.administrativ_enhet, j.saksbehandler, "
    "j.offentlig_tittel, j.opprettet_dato, "
    "s.saksaar, s.sakssekvensnummer, s.saksansvarlig, s.saksstatus, s.administrativ_enhet AS sak_enhet, "
    "u.code AS enhet_kode, u.name AS enhet_navn, p.name AS saksbehandler_navn, "
    "p.initials AS saksbehandler_initialer"
)
_POST_FROM = (
    "FROM core_journalpost j JOIN core_saksmappe s ON s.id = j.saksmappe "
    "LEFT JOIN core_unit u ON u.id = j.administrativ_enhet "
    "LEFT JOIN core_person p ON p.id = j.saksbehandler"
)


def post_select(viewer: Viewer, extra_columns: str = "", *, per_row: bool = False) -> QueryString:
    """The post columns with the viewer's skjerming; ``per_row`` for a few rows (one post, the
    posts of one case): see :func:`~core.archive.queries.visibility.case_involved`."""
    return QueryString(
        f"SELECT {_POST_COLUMNS}{extra_columns}, "
        "CASE WHEN {} THEN j.tittel ELSE j.offentlig_tittel END AS vist_tittel, "
        "CASE WHEN {} THEN 1 ELSE 0 END AS synlig, "
        "CASE WHEN {} THEN 1 ELSE 0 END AS involvert "
        f"{_POST_FROM}",
        post_visible(viewer, per_row=per_row),
        post_visible(viewer, per_row=per_row),
        post_involved(viewer, per_row=per_row),
    )


def post_row(row: dict[str, Any]) -> dict[str, Any]:
    row["mappe_id"] = mappe_id(row["saksaar"], row["sakssekvensnummer"])
    row["registrerings_id"] = registrerings_id(
        row["saksaar"], row["sakssekvensnummer"], row["journalpostnummer"]
    )
    row["synlig"] = as_bool(row.get("synlig"))
    row["involvert"] = as_bool(row.get("involvert"))
    row["skjermet"] = bool(row.get("tilgangsrestriksjon"))
    row["vist_tittel"] = row.get("vist_tittel") or _("Skjermet tittel")
    row["frosset"] = row["journalstatus"] in FROZEN_STATUSES
    for key in ("journaldato", "dokumentets_dato", "forfallsdato"):
        row[key] = as_date(row.get(key))
    for key in ("mottatt_dato", "sendt_dato", "opprettet_dato"):
        row[key] = as_datetime(row.get(key))
    return row


async def list_posts_in_case(viewer: Viewer, saksmappe_id: int, page: int | None = None) -> Page:
    """The posts of a case by journalpostnummer, each with its parties and write-offs."""
    select = QueryString(
        "{} WHERE j.saksmappe = {} ORDER BY j.journalpostnummer",
        post_select(viewer, per_row=True),
        saksmappe_id,
    )
    count = QueryString("SELECT COUNT(*) AS n FROM core_journalpost j WHERE j.saksmappe = {}", saksmappe_id)
    result = await run_page(select, count, page)
    for row in result.items:
        post_row(row)
    await attach_parts(result.items)
    return result


async def get_post(viewer: Viewer, journalpost_id: int) -> dict[str, Any]:
    """One post with its case's number and (visible or public) case title, parties and
    write-offs."""
    rows = await run(
        QueryString(
            "{} WHERE j.id = {}",
            post_select(
                viewer,
                ", s.tilgangsrestriksjon AS sak_tilgangsrestriksjon, s.version AS sak_version",
                per_row=True,
            ),
            journalpost_id,
        )
    )
    if not rows:
        raise NotFound(_("Fant ingen journalpost med dette nummeret."))
    post = post_row(rows[0])
    case_rows = await run(
        QueryString(
            "SELECT CASE WHEN {} THEN s.tittel ELSE s.offentlig_tittel END AS tittel "
            "FROM core_saksmappe s WHERE s.id = {}",
            case_visible(viewer, per_row=True),
            post["saksmappe"],
        )
    )
    post["sak_tittel"] = case_rows[0]["tittel"] or _("Skjermet tittel")
    await attach_parts([post])
    return post


async def attach_parts(posts: list[dict[str, Any]]) -> None:
    """Add ``parter`` (korrespondanseparter, each with ``avskrivninger``, and for a foreløpig
    svar its date and post: ``foreloepig_svar_journalpost``, ``foreloepig_svar_nummer``) to each
    post.

    External parties' names and addresses on a post the viewer may not see are masked.
    """
    for post in posts:
        post["parter"] = []
        post["avskrivninger"] = []
    if not posts:
        return
    by_id = {post["id"]: post for post in posts}
    parts = (
        await Korrespondansepart.select(
            Korrespondansepart.id,
            Korrespondansepart.journalpost,
            Korrespondansepart.korrespondanseparttype,
            Korrespondansepart.navn,
            Korrespondansepart.postadresse,
            Korrespondansepart.postnummer,
            Korrespondansepart.poststed,
            Korrespondansepart.epostadresse,
            Korrespondansepart.intern,
            Korrespondansepart.administrativ_enhet,
            Korrespondansepart.saksbehandler,
            Korrespondansepart.fordelt_dato,
            Korrespondansepart.foreloepig_svar_dato,
            Korrespondansepart.foreloepig_svar_journalpost,
            Korrespondansepart.foreloepig_svar_journalpost.journalpostnummer.as_alias(
                "foreloepig_svar_journalpostnummer"
            ),
            Korrespondansepart.version,
            Korrespondansepart.administrativ_enhet.code.as_alias("enhet_kode"),
            Korrespondansepart.administrativ_enhet.name.as_alias("enhet_navn"),
            Korrespondansepart.saksbehandler.name.as_alias("saksbehandler_navn"),
            Korrespondansepart.saksbehandler.initials.as_alias("saksbehandler_initialer"),
        )
        .where(Korrespondansepart.journalpost.is_in(list(by_id)))
        .order_by(Korrespondansepart.id)
    )
    write_offs = await run(
        QueryString(
            "SELECT a.id, a.journalpost, a.korrespondansepart, a.avskrivningsdato, a.avskrivningsmaate, "
            "a.avskrevet_av_navn, ap.name AS avskrevet_av_person, a.avskrives_av_journalpost, "
            "aj.journalpostnummer AS av_journalpostnummer, asm.saksaar AS av_saksaar, "
            "asm.sakssekvensnummer AS av_sakssekvensnummer "
            "FROM core_avskrivning a LEFT JOIN core_person ap ON ap.id = a.avskrevet_av "
            "LEFT JOIN core_journalpost aj ON aj.id = a.avskrives_av_journalpost "
            "LEFT JOIN core_saksmappe asm ON asm.id = aj.saksmappe WHERE {} ORDER BY a.id",
            in_list("a.journalpost", list(by_id)),
        )
    )
    offs_by_part: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for off in write_offs:
        off["avskrivningsdato"] = as_date(off["avskrivningsdato"])
        off["avskrevet_av_navn"] = off["avskrevet_av_navn"] or off["avskrevet_av_person"] or ""
        off["av_registrerings_id"] = (
            registrerings_id(off["av_saksaar"], off["av_sakssekvensnummer"], off["av_journalpostnummer"])
            if off["avskrives_av_journalpost"]
            else ""
        )
        offs_by_part[off["korrespondansepart"]].append(off)
        by_id[off["journalpost"]]["avskrivninger"].append(off)
    for part in parts:
        post = by_id[part["journalpost"]]
        part["avskrivninger"] = offs_by_part.get(part["id"], [])
        number = part.pop("foreloepig_svar_journalpostnummer")
        part["foreloepig_svar_nummer"] = (  # the foreløpig svar is a post of the same case
            registrerings_id(post["saksaar"], post["sakssekvensnummer"], number) if number is not None else ""
        )
        part["restanse"] = (
            part["intern"]
            and part["korrespondanseparttype"] == "IM"
            and post["journalposttype"] in RESTANSE_TYPES
            and post["journalstatus"] != "U"
            and not part["avskrivninger"]
        )
        if not part["intern"] and not post["synlig"]:
            for key in ("postadresse", "postnummer", "poststed", "epostadresse"):
                part[key] = ""
            part["navn"] = _("Skjermet navn")
            part["skjermet"] = True
        else:
            part["skjermet"] = False
        post["parter"].append(part)
    for post in posts:
        post["apne_restanser"] = sum(1 for part in post["parter"] if part["restanse"])


async def open_restanser_in_case(viewer: Viewer, saksmappe_id: int) -> list[dict[str, Any]]:
    """Internal recipients of the case's I/N posts not yet written off (what a new post can
    answer), oldest first."""
    rows = await run(
        QueryString(
            "SELECT k.id AS korrespondansepart_id, k.version AS part_version, j.id, j.journalpostnummer, "
            "j.journalposttype, s.saksaar, s.sakssekvensnummer, "
            "CASE WHEN {} THEN j.tittel ELSE j.offentlig_tittel END AS vist_tittel, "
            "ku.code AS enhet_kode, kp.name AS saksbehandler_navn, k.saksbehandler "
            "FROM core_korrespondansepart k JOIN core_journalpost j ON j.id = k.journalpost "
            "JOIN core_saksmappe s ON s.id = j.saksmappe "
            "LEFT JOIN core_unit ku ON ku.id = k.administrativ_enhet "
            "LEFT JOIN core_person kp ON kp.id = k.saksbehandler "
            "WHERE j.saksmappe = {} AND {} ORDER BY j.journalpostnummer, k.id",
            post_visible(viewer),
            saksmappe_id,
            open_on(today(), RECIPIENT),
        )
    )
    for row in rows:
        row["registrerings_id"] = registrerings_id(
            row["saksaar"], row["sakssekvensnummer"], row["journalpostnummer"]
        )
        row["vist_tittel"] = row["vist_tittel"] or _("Skjermet tittel")
    return rows


async def post_ids_of(journalpost_ids: list[int]) -> dict[int, int]:
    """journalpost id → saksmappe id, for the given ids."""
    if not journalpost_ids:
        return {}
    rows = await run(
        QueryString("SELECT id, saksmappe FROM core_journalpost j WHERE {}", in_list("j.id", journalpost_ids))
    )
    return {int(r["id"]): int(r["saksmappe"]) for r in rows}


async def find_post_id(saksaar: int, sakssekvensnummer: int, journalpostnummer: int) -> int | None:
    """The id of post ``saksaar/sakssekvensnummer-journalpostnummer``, or None."""
    rows = await run(
        QueryString(
            "SELECT j.id FROM core_journalpost j JOIN core_saksmappe s ON s.id = j.saksmappe "
            "WHERE s.saksaar = {} AND s.sakssekvensnummer = {} AND j.journalpostnummer = {}",
            saksaar,
            sakssekvensnummer,
            journalpostnummer,
        )
    )
    return int(rows[0]["id"]) if rows else None


async def own_posts_in_work(
    viewer: Viewer,
    person_id: int,
    *,
    types: tuple[str, ...] = ("U", "N", "X"),
    statuses: tuple[str, ...] = ("R", "S"),
    limit: int = 100,
) -> list[dict[str, Any]]:
    """The person's own posts (saksbehandler) of ``types`` in ``statuses``, newest first: what a
    handler may send on (for approval, for dispatch)."""
    rows = await run(
        QueryString(
            "{} WHERE j.saksbehandler = {} AND {} AND {} ORDER BY j.journaldato DESC, j.id DESC LIMIT {}",
            post_select(viewer),
            person_id,
            in_list("j.journalposttype", types),
            in_list("j.journalstatus", statuses),
            limit,
        )
    )
    return [post_row(row) for row in rows]
