"""The saved criteria of *Restanser i egen enhet*: one row per person (the newest wins), so the
leader's weekly report opens as they left it."""

from __future__ import annotations

import json

from piccolo.query.mixins import OnConflictAction

from core import audit
from core.db import writing
from core.i18n import _
from core.timeutil import now
from plugins.restanse.forms import EnhetCriteria
from plugins.restanse.tables import SavedCriteria

ENHET_REPORT = "enhet"


async def load_criteria(person_id: int) -> EnhetCriteria | None:
    row = (
        await SavedCriteria.select(SavedCriteria.kriterier)
        .where((SavedCriteria.person == person_id) & (SavedCriteria.rapport == ENHET_REPORT))
        .first()
    )
    if row is None:
        return None
    data = row["kriterier"]
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            return None
    return EnhetCriteria.from_saved(data) if isinstance(data, dict) else None


async def save_criteria(person_id: int, criteria: EnhetCriteria) -> bool:
    """Store the user's criteria (one row per person and report; the newest wins) and log the
    change (``restanse.criteria_saved``). Unchanged criteria write nothing; returns whether
    anything changed."""
    previous = await load_criteria(person_id)
    if previous is not None and previous.saved() == criteria.saved():
        return False
    async with writing(SavedCriteria):
        await SavedCriteria.insert(
            SavedCriteria(
                person=person_id,
                rapport=ENHET_REPORT,
                kriterier=json.dumps(criteria.saved()),
                endret=now(),
            )
        ).on_conflict(
            target=(SavedCriteria.person, SavedCriteria.rapport),
            action=OnConflictAction.do_update,
            values=[SavedCriteria.kriterier, SavedCriteria.endret],
        )
        await audit.record(
            actor_id=person_id,
            action="restanse.criteria_saved",
            object_type="person",
            object_id=person_id,
            summary=_("Kriterier for Restanser i egen enhet lagret"),
            details={"rapport": ENHET_REPORT, **criteria.saved()},
        )
    return True
