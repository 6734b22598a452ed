"""Single internal recipients (korrespondanseparter with ``intern``) as they are now: for the
messages of an action (numbers only, no titles) and for telling a user who changed a recipient
first when their action lost the race.
"""

from __future__ import annotations

from typing import Any

from core.archive.numbering import registrerings_id
from core.archive.queries.common import QueryString, as_date, as_datetime, in_list, run


async def recipients_by_id(korrespondansepart_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The given recipients: ``nummer`` (the post's registration number), ``journalpost_id``,
    ``saksmappe_id``, ``journalposttype``, ``enhet`` and ``saksbehandler``. No titles: only
    numbers go into messages."""
    if not korrespondansepart_ids:
        return {}
    rows = await run(
        QueryString(
            "SELECT k.id AS korrespondansepart_id, k.saksbehandler, k.administrativ_enhet AS enhet, "
            "j.id AS journalpost_id, j.saksmappe AS saksmappe_id, j.journalposttype, s.saksaar, "
            "s.sakssekvensnummer, j.journalpostnummer "
            "FROM core_korrespondansepart k JOIN core_journalpost j ON j.id = k.journalpost "
            "JOIN core_saksmappe s ON s.id = j.saksmappe WHERE {}",
            in_list("k.id", sorted(set(korrespondansepart_ids))),
        )
    )
    result = {}
    for row in rows:
        row["nummer"] = registrerings_id(row["saksaar"], row["sakssekvensnummer"], row["journalpostnummer"])
        result[int(row["korrespondansepart_id"])] = row
    return result


async def recipient_state(korrespondansepart_id: int) -> dict[str, Any] | None:
    """One recipient now: ``version``, its unit (``enhet``, ``enhet_kode``, ``enhet_navn``), its
    handler (``saksbehandler``, ``saksbehandler_navn``, ``fordelt_dato``),
    ``foreloepig_svar_dato``, and its first write-off (``avskrevet``, ``avskrivningsdato``,
    ``avskrivningsmaate``, ``avskrevet_av_navn``; a write-off of the whole post counts). None
    when it does not exist."""
    rows = await run(
        QueryString(
            "SELECT k.id, k.version, k.administrativ_enhet AS enhet, u.code AS enhet_kode, "
            "u.name AS enhet_navn, k.saksbehandler, p.name AS saksbehandler_navn, k.fordelt_dato, "
            "k.foreloepig_svar_dato, a.avskrivningsdato, a.avskrivningsmaate, "
            "COALESCE(ap.name, a.avskrevet_av_navn) AS avskrevet_av_navn "
            "FROM core_korrespondansepart k LEFT JOIN core_unit u ON u.id = k.administrativ_enhet "
            "LEFT JOIN core_person p ON p.id = k.saksbehandler "
            "LEFT JOIN core_avskrivning a ON a.id = (SELECT MIN(a2.id) FROM core_avskrivning a2 "
            " WHERE a2.journalpost = k.journalpost AND (a2.korrespondansepart = k.id OR a2.korrespondansepart IS NULL)) "
            "LEFT JOIN core_person ap ON ap.id = a.avskrevet_av WHERE k.id = {}",
            korrespondansepart_id,
        )
    )
    if not rows:
        return None
    row = rows[0]
    row["fordelt_dato"] = as_datetime(row["fordelt_dato"])
    row["avskrivningsdato"] = as_date(row["avskrivningsdato"])
    row["foreloepig_svar_dato"] = as_date(row["foreloepig_svar_dato"])
    row["avskrevet"] = row["avskrivningsmaate"] is not None
    return row
