"""Hendelseslogg: the append-only audit log of every state change.

Call :func:`record` inside the same transaction as the change, so a change without its audit
row cannot exist. There is no update or delete function, and none must be written.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.i18n import N_
from core.tables import AuditEvent
from core.timeutil import now

CORE_LABELS: dict[str, str] = {
    "org.unit_created": N_("Enhet opprettet"),
    "org.unit_updated": N_("Enhet endret"),
    "org.unit_deactivated": N_("Enhet deaktivert"),
    "org.unit_reactivated": N_("Enhet aktivert igjen"),
    "org.leader_set": N_("Leder satt"),
    "org.leader_removed": N_("Leder fjernet"),
    "org.person_created": N_("Person registrert"),
    "org.person_updated": N_("Person endret"),
    "org.person_deactivated": N_("Person deaktivert"),
    "org.person_paused": N_("Innlogging stanset i en periode"),
    "org.person_pause_cleared": N_("Stans i innlogging fjernet"),
    "org.person_reactivated": N_("Person aktivert igjen"),
    "org.deputy_registered": N_("Stedfortreder registrert"),
    "org.deputy_removed": N_("Stedfortreder fjernet"),
    "auth.signed_in": N_("Innlogging"),
    "auth.signed_out": N_("Utlogging"),
    "auth.sign_in_failed": N_("Mislykket innlogging"),
    "auth.identity_linked": N_("Konto koblet"),
    "auth.roles_synced": N_("Roller oppdatert fra Entra ID"),
    "person.language_changed": N_("Språk endret"),
    "person.list_sort_changed": N_("Sortering av en liste endret"),
    "archive.case_created": N_("Sak opprettet"),
    "archive.incoming_registered": N_("Inngående post registrert"),
    "archive.post_created": N_("Journalpost opprettet"),
    "archive.post_finished": N_("Ferdigstilt"),
    "archive.post_reopened": N_("Tilbake til arbeid (fra godkjenning)"),
    "archive.post_approved": N_("Godkjent av leder"),
    "archive.dispatched": N_("Ekspedert"),
    "archive.work_transferred": N_("Arbeid flyttet ved avgang"),
    "archive.post_updated": N_("Journalpost endret"),
    "archive.post_deleted": N_("Journalpost slettet"),
    "archive.document_added": N_("Dokument lagt til"),
    "archive.version_added": N_("Ny versjon lastet opp"),
    "archive.flow_recorded": N_("Dokumentflyt registrert"),
    "archive.remark_added": N_("Merknad skrevet"),
    "archive.case_closed": N_("Sak avsluttet"),
    "archive.distributed": N_("Fordelt"),
    "archive.case_owner_set": N_("Saksansvarlig satt"),
    "archive.redistributed": N_("Omfordelt"),
    "archive.sent_to_unit": N_("Sendt til enhet"),
    "archive.written_off": N_("Avskrevet"),
    "archive.foreloepig_svar": N_("Foreløpig svar registrert"),
    "archive.foreloepig_svar_angret": N_("Foreløpig svar angret"),
    "archive.access_granted": N_("Tilgang til skjermet gitt"),
    "archive.access_revoked": N_("Tilgang til skjermet fjernet"),
    "archive.imported": N_("Noark 5-uttrekk importert"),
    "task.created": N_("Oppgave sendt"),
    "task.taken": N_("Oppgave tatt"),
    "task.done": N_("Oppgave behandlet"),
    "task.withdrawn": N_("Oppgave trukket tilbake"),
    "task.reassigned": N_("Oppgave gitt til en annen"),
}
"""Labels of core's own actions (untranslated). Core gives them through the ``audit_labels``
hook like every plugin; :attr:`core.runtime.Runtime.audit_labels` holds them all."""


@dataclass(frozen=True)
class Event:
    """One audit event for :func:`record_many` (the arguments of :func:`record`)."""

    actor_id: int | None
    action: str
    object_type: str
    object_id: str | int
    summary: str = ""
    on_behalf_of: int | None = None
    details: dict[str, Any] | None = None


EVENTS_PER_STATEMENT = 500


async def record_many(events: Sequence[Event]) -> None:
    """Append many audit events at one time, a few hundred rows per statement (a bulk change:
    :mod:`core.archive.redistribution`), as :func:`record` appends one."""
    at = now()
    for start in range(0, len(events), EVENTS_PER_STATEMENT):
        chunk = events[start : start + EVENTS_PER_STATEMENT]
        values: list[Any] = []
        for event in chunk:
            values += [
                at,
                event.actor_id,
                event.on_behalf_of,
                event.action,
                event.object_type,
                str(event.object_id),
                event.summary,
                json.dumps(event.details or {}, ensure_ascii=False, default=str),
            ]
        rows = ", ".join(["({}, {}, {}, {}, {}, {}, {}, {})"] * len(chunk))
        await AuditEvent.raw(
            "INSERT INTO core_audit_event (at, actor, on_behalf_of, action, object_type, object_id, summary, details) "  # noqa: S608 - placeholders only
            f"VALUES {rows}",
            *values,
        )


async def record(
    *,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: str | int,
    summary: str = "",
    on_behalf_of: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one audit event.

    ``actor_id`` is the signed-in person (None for the system, e.g. a job); ``on_behalf_of`` is
    the leader a deputy acted for. ``action`` is ``<area>.<verb>`` (``org.unit_created``).
    """
    await AuditEvent.insert(
        AuditEvent(
            at=now(),
            actor=actor_id,
            on_behalf_of=on_behalf_of,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            summary=summary,
            details=json.dumps(details or {}, ensure_ascii=False, default=str),
        )
    )
