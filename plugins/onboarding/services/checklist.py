"""The leaver's checklist: the lines every plugin gives through the ``leaver_checklist`` hook,
and the rule for completing an *avgang*.

An avgang may be completed when no line is open (every count is 0), or when a reason was
recorded (:func:`record_override`: audited, stored with the open lines at that moment). The
form's last step asks :func:`may_complete`; the page shows :func:`lines`.

Who may see a person's checklist and act on it: the person's acting leader (a deputy on the
leader's behalf) and Fellestjenesten/Arkiv (:func:`core.archive.transfer.require_authority`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pluggy

from core import audit
from core.archive.transfer import require_authority
from core.auth.user import User
from core.contributions import ChecklistLine
from core.db import writing
from core.errors import ValidationFailed
from core.i18n import _
from core.plugins import collect
from core.timeutil import now
from plugins.onboarding.tables.checklist import ChecklistOverride

OVERRIDE_ACTION = "onboarding.checklist_override"
REASON_MIN_LENGTH = 10


async def lines(pm: pluggy.PluginManager, person_id: int) -> list[ChecklistLine]:
    """Every line for ``person_id``, from core and every plugin, in order."""
    found: list[ChecklistLine] = await collect(pm.hook.leaver_checklist(person_id=person_id))
    return sorted(found, key=lambda line: (line.order, line.label))


async def open_lines(pm: pluggy.PluginManager, person_id: int) -> list[ChecklistLine]:
    """The lines with something left (``count`` not 0)."""
    return [line for line in await lines(pm, person_id) if line.count]


async def open_counts(pm: pluggy.PluginManager, person_ids: Iterable[int]) -> dict[int, int]:
    """Person → the number of open lines of their checklist, for those of ``person_ids`` with at
    least one. Each person's checklist is the hook's lines (:func:`lines`), so this is the
    same answer the checklist page and :func:`may_complete` give. Call it for the few people
    with an *avgang* under way (a leader's units: a handful at most); every line is an indexed
    count (core's restanser from the ledger's spans), a few milliseconds per person at 300 000
    posts, so a set-based second definition of every plugin's line is not worth its risk of
    disagreeing with the page."""
    result = {}
    for person_id in sorted(set(person_ids)):
        found = len(await open_lines(pm, person_id))
        if found:
            result[person_id] = found
    return result


async def has_override(person_id: int) -> bool:
    return await ChecklistOverride.exists().where(ChecklistOverride.person == person_id)


async def may_complete(pm: pluggy.PluginManager, person_id: int) -> bool:
    """May the avgang of ``person_id`` be completed: nothing open, or a reason recorded."""
    return not await open_lines(pm, person_id) or await has_override(person_id)


async def record_override(pm: pluggy.PluginManager, user: User, person_id: int, reason: str) -> int:
    """Record why the avgang may be completed with open lines; returns the record's id.

    Only the person's acting leader or Fellestjenesten/Arkiv; a reason of at least
    :data:`REASON_MIN_LENGTH` characters."""
    authority = await require_authority(user, person_id)
    reason = reason.strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ValidationFailed({"begrunnelse": _("Skriv hvorfor avgangen kan fullføres med åpne punkter.")})
    still_open = [
        {"key": line.key, "label": line.label, "count": line.count}
        for line in await open_lines(pm, person_id)
    ]
    async with writing(ChecklistOverride):
        rows = await ChecklistOverride.insert(
            ChecklistOverride(
                person=person_id,
                reason=reason,
                open_lines=json.dumps(still_open, ensure_ascii=False),
                recorded_by=user.person_id,
                on_behalf_of=authority.on_behalf_of,
                recorded_at=now(),
            )
        )
        await audit.record(
            actor_id=user.person_id,
            on_behalf_of=authority.on_behalf_of,
            action=OVERRIDE_ACTION,
            object_type="person",
            object_id=person_id,
            summary=reason,
            details={"åpne_punkter": still_open},
        )
    return int(rows[0]["id"])
