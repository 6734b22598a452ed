"""The dokumentflyt of a journal post (Noark 5 M660–M665), oldest step first.

Names are the ones stored with each step (as they were), else the person's current name. The
remark of a step on a post the viewer may not see (skjerming) is withheld, like the post's title.
"""

from __future__ import annotations

from typing import Any

from core.archive.queries.common import QueryString, as_bool, as_datetime, run
from core.archive.queries.visibility import Viewer, post_visible
from core.errors import NotFound
from core.i18n import N_, _

FLYTSTATUS_LABELS = {
    "G": N_("Godkjent"),
    "I": N_("Ikke godkjent"),
    "S": N_("Sendt tilbake med kommentarer"),
}
"""Labels of the flytstatus codes (M663), translatable."""


def flytstatus_label(kode: str | None) -> str:
    """The translated label of a flytstatus code (the code itself when unknown)."""
    if not kode:
        return ""
    text = FLYTSTATUS_LABELS.get(kode)
    return _(text) if text else kode


async def dokumentflyt_of(viewer: Viewer, journalpost_id: int) -> list[dict[str, Any]]:
    """The post's flow steps, oldest first (by received, sent, id); one statement.

    Each row: ``id``, ``flyt_fra``/``flyt_til`` (person ids or None), ``flyt_fra_navn``/
    ``flyt_til_navn``, ``flyt_mottatt_dato``/``flyt_sendt_dato``/``registrert`` (aware
    datetimes), ``flyt_status`` (G/I/S) and ``flyt_status_navn`` (its label), ``flyt_merknad``
    ("" when the post is skjermet for the viewer) and ``merknad_skjermet``. Raises NotFound for
    an unknown post.
    """
    rows = await run(
        QueryString(
            "SELECT j.id AS post_id, f.id, f.flyt_fra, f.flyt_til, f.flyt_fra_navn, f.flyt_til_navn, "
            "pf.name AS fra_person, pt.name AS til_person, f.flyt_mottatt_dato, f.flyt_sendt_dato, "
            "f.flyt_status, f.flyt_merknad, f.registrert, CASE WHEN {} THEN 1 ELSE 0 END AS synlig "
            "FROM core_journalpost j JOIN core_saksmappe s ON s.id = j.saksmappe "
            "LEFT JOIN core_dokumentflyt f ON f.journalpost = j.id "
            "LEFT JOIN core_person pf ON pf.id = f.flyt_fra LEFT JOIN core_person pt ON pt.id = f.flyt_til "
            "WHERE j.id = {} ORDER BY f.flyt_mottatt_dato, f.flyt_sendt_dato, f.id",
            post_visible(viewer, per_row=True),
            journalpost_id,
        )
    )
    if not rows:
        raise NotFound(_("Fant ingen journalpost med dette nummeret."))
    steps = []
    for row in rows:
        if row["id"] is None:
            continue  # the post has no steps (the LEFT JOIN's single row)
        visible = as_bool(row["synlig"])
        steps.append(
            {
                "id": row["id"],
                "flyt_fra": row["flyt_fra"],
                "flyt_til": row["flyt_til"],
                "flyt_fra_navn": row["flyt_fra_navn"] or row["fra_person"] or "",
                "flyt_til_navn": row["flyt_til_navn"] or row["til_person"] or "",
                "flyt_mottatt_dato": as_datetime(row["flyt_mottatt_dato"]),
                "flyt_sendt_dato": as_datetime(row["flyt_sendt_dato"]),
                "registrert": as_datetime(row["registrert"]),
                "flyt_status": row["flyt_status"],
                "flyt_status_navn": flytstatus_label(row["flyt_status"]),
                "flyt_merknad": row["flyt_merknad"] if visible else "",
                "merknad_skjermet": not visible and bool(row["flyt_merknad"]),
            }
        )
    return steps
