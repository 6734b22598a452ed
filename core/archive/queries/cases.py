"""Case lists and the case header: "Mine saker", a unit's cases, and one case.

A list row carries its aggregates (number of journal posts, open restanser, the latest
journaldato), computed in the same SQL statement with correlated subqueries on indexed foreign
keys: one statement per page, whatever the page size.
"""

from __future__ import annotations

from typing import Any

from core.archive.numbering import mappe_id
from core.archive.queries.common import Page, QueryString, as_bool, as_date, as_datetime, run, run_page
from core.archive.queries.open_recipients import RECIPIENT, open_on
from core.archive.queries.visibility import Viewer, case_involved, case_visible
from core.errors import NotFound
from core.i18n import _
from core.timeutil import today

CLOSED_STATUSES = ("A", "U")
"""Saksstatus of closed cases (avsluttet, utgår); every other status is open."""

SCOPE_MINE = "mine"
SCOPE_UNIT = "enhet"
SCOPES = (SCOPE_MINE, SCOPE_UNIT)
STATUS_OPEN = "apne"
STATUS_CLOSED = "avsluttede"
STATUS_ALL = "alle"
STATUSES = (STATUS_OPEN, STATUS_CLOSED, STATUS_ALL)


def open_restanse_count(s: str = "s") -> QueryString:
    """SQL: the number of open restanser of case ``s`` today (internal recipients of its posts
    that are open by :func:`~core.archive.queries.open_recipients.open_on`)."""
    return QueryString(
        "(SELECT COUNT(*) FROM core_korrespondansepart rk JOIN core_journalpost rj ON rj.id = rk.journalpost "  # noqa: S608 - an alias from code; values are bound
        f"WHERE rj.saksmappe = {s}.id AND {{}})",
        open_on(today(), RECIPIENT, k="rk", j="rj"),
    )


async def open_restanser_in_case_count(saksmappe_id: int) -> int:
    """Open restanser of one case today: what stops the case from being closed."""
    rows = await run(
        QueryString(
            "SELECT COUNT(*) AS n FROM core_korrespondansepart k JOIN core_journalpost j ON j.id = k.journalpost "
            "WHERE j.saksmappe = {} AND {}",
            saksmappe_id,
            open_on(today(), RECIPIENT),
        )
    )
    return int(rows[0]["n"]) if rows else 0


def is_closed(case: str = "s") -> QueryString:
    """SQL: the case aliased ``case`` is closed."""
    return QueryString(f"{case}.saksstatus IN ('A', 'U')")


def _case_row(row: dict[str, Any]) -> dict[str, Any]:
    """Normalise a raw case row: number, dates, the title to show."""
    row["mappe_id"] = mappe_id(row["saksaar"], row["sakssekvensnummer"])
    row["synlig"] = as_bool(row.get("synlig"))
    row["involvert"] = as_bool(row.get("involvert"))
    row["skjermet"] = bool(row.get("tilgangsrestriksjon"))
    row["vist_tittel"] = row.get("vist_tittel") or _("Skjermet tittel")
    row["apen"] = row.get("saksstatus") not in CLOSED_STATUSES
    for key in ("saksdato", "siste_journaldato"):
        if key in row:
            row[key] = as_date(row[key])
    for key in ("opprettet_dato", "avsluttet_dato"):
        if key in row:
            row[key] = as_datetime(row[key])
    return row


def _status_condition(status: str) -> QueryString:
    if status == STATUS_CLOSED:
        return is_closed()
    if status == STATUS_OPEN:
        return QueryString("NOT {}", is_closed())
    return QueryString("1 = 1")


async def list_cases(
    viewer: Viewer,
    *,
    saksansvarlig_id: int | None = None,
    enhet_id: int | None = None,
    status: str = STATUS_OPEN,
    page: int | None = None,
) -> Page:
    """Cases of a handler (``saksansvarlig_id``) or a unit (``enhet_id``): open ones first,
    then newest first. Titles are masked in SQL for records ``viewer`` may not see."""
    if saksansvarlig_id is not None:
        owner = QueryString("s.saksansvarlig = {}", saksansvarlig_id)
    elif enhet_id is not None:
        owner = QueryString("s.administrativ_enhet = {}", enhet_id)
    else:
        owner = QueryString("1 = 0")
    where = QueryString("{} AND {}", owner, _status_condition(status))
    select = QueryString(
        "SELECT s.id, s.saksaar, s.sakssekvensnummer, s.saksstatus, s.saksdato, s.tilgangsrestriksjon, "
        "CASE WHEN {} THEN s.tittel ELSE s.offentlig_tittel END AS vist_tittel, "
        "CASE WHEN {} THEN 1 ELSE 0 END AS synlig, "
        "u.code AS enhet_kode, u.name AS enhet_navn, p.name AS ansvarlig_navn, p.initials AS ansvarlig_initialer, "
        "(SELECT COUNT(*) FROM core_journalpost cj WHERE cj.saksmappe = s.id) AS antall_journalposter, "
        "(SELECT MAX(cj.journaldato) FROM core_journalpost cj WHERE cj.saksmappe = s.id) AS siste_journaldato, "
        "({}) AS apne_restanser "
        "FROM core_saksmappe s "
        "LEFT JOIN core_unit u ON u.id = s.administrativ_enhet "
        "LEFT JOIN core_person p ON p.id = s.saksansvarlig "
        "WHERE {} "
        "ORDER BY CASE WHEN {} THEN 1 ELSE 0 END, s.saksaar DESC, s.sakssekvensnummer DESC",
        case_visible(viewer),
        case_visible(viewer),
        open_restanse_count(),
        where,
        is_closed(),
    )
    count = QueryString("SELECT COUNT(*) AS n FROM core_saksmappe s WHERE {}", where)
    result = await run_page(select, count, page)
    for row in result.items:
        _case_row(row)
    return result


async def get_case(viewer: Viewer, saksmappe_id: int) -> dict[str, Any]:
    """One case with its unit, saksansvarlig and creator; the real title only when visible.
    Skjerming and involvement are checked for this one case (``per_row``): collecting every
    case a busy handler is involved in took 0.3 s at a million posts."""
    rows = await run(
        QueryString(
            "SELECT s.id, s.saksaar, s.sakssekvensnummer, s.saksstatus, s.saksdato, s.opprettet_dato, "
            "s.avsluttet_dato, s.tilgangsrestriksjon, s.skjermingshjemmel, s.version, "
            "s.administrativ_enhet, s.saksansvarlig, s.offentlig_tittel, "
            "CASE WHEN {} THEN s.tittel ELSE s.offentlig_tittel END AS vist_tittel, "
            "CASE WHEN {} THEN 1 ELSE 0 END AS synlig, CASE WHEN {} THEN 1 ELSE 0 END AS involvert, "
            "u.code AS enhet_kode, u.name AS enhet_navn, p.name AS ansvarlig_navn, p.initials AS ansvarlig_initialer, "
            "c.name AS opprettet_av_navn, "
            "({}) AS apne_restanser, "
            "(SELECT COUNT(*) FROM core_journalpost cj WHERE cj.saksmappe = s.id) AS antall_journalposter "
            "FROM core_saksmappe s "
            "LEFT JOIN core_unit u ON u.id = s.administrativ_enhet "
            "LEFT JOIN core_person p ON p.id = s.saksansvarlig "
            "LEFT JOIN core_person c ON c.id = s.opprettet_av "
            "WHERE s.id = {}",
            case_visible(viewer, per_row=True),
            case_visible(viewer, per_row=True),
            case_involved(viewer, per_row=True),
            open_restanse_count(),
            saksmappe_id,
        )
    )
    if not rows:
        raise NotFound(_("Fant ingen sak med dette nummeret."))
    return _case_row(rows[0])


async def find_case_id(saksaar: int, sakssekvensnummer: int) -> int | None:
    """The id of case ``saksaar/sakssekvensnummer`` (unique index), or None."""
    rows = await run(
        QueryString(
            "SELECT id FROM core_saksmappe WHERE saksaar = {} AND sakssekvensnummer = {}",
            saksaar,
            sakssekvensnummer,
        )
    )
    return int(rows[0]["id"]) if rows else None
