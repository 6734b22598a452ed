"""Read side of the handler's and the leader's pages (*Egne restanser*, *Restanser i egen
enhet*): what :mod:`plugins.restanse.rule` does not give directly.

- :func:`own_summary`: a handler's restanser today, how many are forfalt and how many are past
  forvaltningsloven § 11 a's month without a foreløpig svar (one aggregate statement over the
  rule's conditions);
- :func:`restanse_page`: the rule's list, also for "the unit's restanser without a handler";
- :func:`answer_options`: the own posts (U, N, X) of the cases on a page, the journal posts a BU
  or BN write-off may name (one statement for the whole page, titles masked in SQL);
- :func:`recipients` and :func:`recipient_state`: numbers for messages, and who changed a
  restanse first when a write-off loses;
- the units a leader may report on, and people by id.

Every query is set-based SQL that runs unchanged on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from core.archive import rules as archive_rules
from core.archive.numbering import registrerings_id
from core.archive.queries.common import (
    PAGE_SIZE,
    Page,
    QueryString,
    as_bool,
    as_date,
    in_list,
    run,
    run_page,
)
from core.archive.queries.visibility import Viewer, post_visible
from core.auth.user import User
from core.i18n import _
from core.timeutil import today
from plugins.restanse import rule

# --- a handler's summary ---------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Restanser of one handler on a day: all, forfalt, past § 11 a, with a foreløpig svar."""

    total: int = 0
    forfalt: int = 0
    paragraf_11a: int = 0
    foreloepig: int = 0


async def own_summary(person_id: int, day: date | None = None) -> Summary:
    """The handler's restanser on ``day`` (default today), in one aggregate statement."""
    on = day or today()
    month_ago = rule.months_back(on, 1)
    rows = await run(
        QueryString(
            "SELECT COUNT(*) AS n, "
            "SUM(CASE WHEN j.forfallsdato IS NOT NULL AND j.forfallsdato < {} THEN 1 ELSE 0 END) AS forfalt, "
            "SUM(CASE WHEN j.journalposttype = 'I' AND j.journaldato < {} AND k.foreloepig_svar_dato IS NULL "
            "THEN 1 ELSE 0 END) AS p11a, "
            "SUM(CASE WHEN k.foreloepig_svar_dato IS NOT NULL THEN 1 ELSE 0 END) AS foreloepig "
            "FROM core_korrespondansepart k JOIN core_journalpost j ON j.id = k.journalpost WHERE {}",
            on,
            month_ago,
            rule.restanse_where(rule.Scope(saksbehandler_id=person_id), on),
        )
    )
    row = rows[0] if rows else {}
    return Summary(
        total=int(row.get("n") or 0),
        forfalt=int(row.get("forfalt") or 0),
        paragraf_11a=int(row.get("p11a") or 0),
        foreloepig=int(row.get("foreloepig") or 0),
    )


# --- the list ----------------------------------------------------------------------------


async def restanse_page(
    viewer: Viewer,
    scope: rule.Scope,
    *,
    without_handler: bool = False,
    day: date | None = None,
    sort: str = rule.DEFAULT_SORT,
    page: int = 1,
    size: int = PAGE_SIZE,
) -> Page:
    """:func:`plugins.restanse.rule.open_restanser`; with ``without_handler`` only the
    restanser in scope that have no handler (the row "uten saksbehandler" of the unit report)."""
    if not without_handler:
        return await rule.open_restanser(viewer, scope, day=day, sort=sort, page=page, size=size)
    on = day or today()
    where = QueryString("{} AND k.saksbehandler IS NULL", rule.restanse_where(scope, on))
    order = rule.SORTS.get(sort, rule.SORTS[rule.DEFAULT_SORT])
    select = QueryString(f"{{}} WHERE {{}} ORDER BY {order}", rule.restanse_select(viewer), where)
    total = QueryString(
        "SELECT COUNT(*) AS n FROM core_korrespondansepart k "
        "JOIN core_journalpost j ON j.id = k.journalpost WHERE {}",
        where,
    )
    result = await run_page(select, total, page, size)
    for row in result.items:
        rule.restanse_item(row, on)
    return result


# --- BU/BN: the posts that may answer -------------------------------------------------------


async def answer_options(viewer: Viewer, case_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Per case: its own posts (U, N, X; not utgår), newest first, with ``id``, ``nummer``,
    ``journalposttype``, ``tittel`` (masked for the viewer) and ``journaldato``."""
    if not case_ids:
        return {}
    rows = await run(
        QueryString(
            "SELECT j.id, j.saksmappe, s.saksaar, s.sakssekvensnummer, j.journalpostnummer, "
            "j.journalposttype, j.journaldato, CASE WHEN {} THEN j.tittel ELSE j.offentlig_tittel END AS tittel "
            "FROM core_journalpost j JOIN core_saksmappe s ON s.id = j.saksmappe "
            "WHERE {} AND {} AND j.journalstatus <> 'U' ORDER BY j.saksmappe, j.journalpostnummer DESC",
            post_visible(viewer),
            in_list("j.saksmappe", sorted(set(case_ids))),
            in_list("j.journalposttype", archive_rules.OWN_TYPES),
        )
    )
    result: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        result.setdefault(int(row["saksmappe"]), []).append(
            {
                "id": int(row["id"]),
                "nummer": registrerings_id(
                    row["saksaar"], row["sakssekvensnummer"], row["journalpostnummer"]
                ),
                "journalposttype": row["journalposttype"],
                "tittel": row["tittel"] or _("Skjermet tittel"),
                "journaldato": as_date(row["journaldato"]),
            }
        )
    return result


# --- single recipients (for messages) --------------------------------------------------------


async def recipients(kids: list[int]) -> dict[int, dict[str, Any]]:
    """The given internal recipients: ``nummer``, ``journalpost_id``, ``saksmappe_id``,
    ``journalposttype``, ``saksbehandler`` (no titles: only numbers go into messages)."""
    if not kids:
        return {}
    rows = await run(
        QueryString(
            "SELECT k.id AS kid, k.saksbehandler, k.administrativ_enhet AS enhet, j.id AS journalpost_id, "
            "j.saksmappe AS saksmappe_id, j.journalposttype, s.saksaar, s.sakssekvensnummer, j.journalpostnummer "
            "FROM core_korrespondansepart k JOIN core_journalpost j ON j.id = k.journalpost "
            "JOIN core_saksmappe s ON s.id = j.saksmappe WHERE {}",
            in_list("k.id", sorted(set(kids))),
        )
    )
    result = {}
    for row in rows:
        row["nummer"] = registrerings_id(row["saksaar"], row["sakssekvensnummer"], row["journalpostnummer"])
        result[int(row["kid"])] = row
    return result


async def recipient_state(kid: int) -> dict[str, Any] | None:
    """Now: the handler, the foreløpig svar, the first write-off (who, when, how) and the last
    logged change (who, on behalf of whom) of one recipient."""
    rows = await run(
        QueryString(
            "SELECT k.id, k.saksbehandler, p.name AS saksbehandler_navn, k.foreloepig_svar_dato, "
            "a.avskrivningsdato, a.avskrivningsmaate, COALESCE(ap.name, a.avskrevet_av_navn) AS avskrevet_av_navn "
            "FROM core_korrespondansepart k LEFT JOIN core_person p ON p.id = k.saksbehandler "
            "LEFT JOIN core_avskrivning a ON a.id = (SELECT MIN(a2.id) FROM core_avskrivning a2 "
            " WHERE a2.journalpost = k.journalpost AND (a2.korrespondansepart = k.id OR a2.korrespondansepart IS NULL)) "
            "LEFT JOIN core_person ap ON ap.id = a.avskrevet_av WHERE k.id = {}",
            kid,
        )
    )
    if not rows:
        return None
    row = rows[0]
    row["avskrivningsdato"] = as_date(row["avskrivningsdato"])
    row["foreloepig_svar_dato"] = as_date(row["foreloepig_svar_dato"])
    row["avskrevet"] = row["avskrivningsmaate"] is not None
    events = await run(
        QueryString(
            "SELECT e.action, a.name AS actor_name, b.name AS on_behalf_of_name "
            "FROM core_audit_event e LEFT JOIN core_person a ON a.id = e.actor "
            "LEFT JOIN core_person b ON b.id = e.on_behalf_of "
            "WHERE e.object_type = 'korrespondansepart' AND e.object_id = {} ORDER BY e.id DESC LIMIT 1",
            str(kid),
        )
    )
    row["last_action"] = events[0]["action"] if events else ""
    row["last_actor"] = events[0]["actor_name"] or "" if events else ""
    row["last_on_behalf_of"] = events[0]["on_behalf_of_name"] or "" if events else ""
    return row


# --- units and people ------------------------------------------------------------------------


async def report_units(user: User) -> list[dict[str, Any]]:
    """The units ``user`` may see *Restanser i egen enhet* for: every active unit for
    Fellestjenesten/Arkiv, else the units the user leads or deputises for today."""
    condition = QueryString("u.active") if user.is_archive else in_list("u.id", user.led_unit_ids)
    rows = await run(
        QueryString(
            "SELECT u.id, u.code, u.name, (SELECT COUNT(*) FROM core_unit c WHERE c.parent = u.id) AS underenheter "
            "FROM core_unit u WHERE {} ORDER BY u.code",
            condition,
        )
    )
    for row in rows:
        row["id"] = int(row["id"])
        row["underenheter"] = int(row["underenheter"] or 0)
    return rows


async def unit_rows(unit_ids: list[int]) -> dict[int, dict[str, Any]]:
    if not unit_ids:
        return {}
    rows = await run(
        QueryString(
            "SELECT u.id, u.code, u.name, u.active FROM core_unit u WHERE {}",
            in_list("u.id", sorted(set(unit_ids))),
        )
    )
    for row in rows:
        row["active"] = as_bool(row["active"])
    return {int(r["id"]): r for r in rows}


async def people_by_id(person_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Name, e-mail, language and whether active, of the given people."""
    if not person_ids:
        return {}
    rows = await run(
        QueryString(
            "SELECT p.id, p.name, p.email, p.language, p.active FROM core_person p WHERE {}",
            in_list("p.id", sorted(set(person_ids))),
        )
    )
    for row in rows:
        row["active"] = as_bool(row["active"])
    return {int(r["id"]): r for r in rows}
