"""Demo data for the leaver's checklist and training follow-up, made through the real services.

- **A leaver**: the demo handler with the most restanser (in the first units, by code) is the
  one whose checklist the demo shows; the checklist itself is computed from the live records,
  so nothing is stored for it. :func:`populate` returns that person's id (logged).
- **Training follow-ups**: Fellestjenesten registers a need for the first handler with a signal
  (or the leaver, when no handler has one), sent as a task to the leader; a second one, the
  leader's own for another handler, is sent to Fellestjenesten, which has agreed a date.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from core.archive.queries import leaver, signals
from core.auth.user import User, load_user
from core.contributions import DemoContext
from core.i18n import _
from core.timeutil import today
from plugins.onboarding.pages.training import suggested_text
from plugins.onboarding.services import training

log = logging.getLogger(__name__)


async def _user(person_id: int) -> User:
    user = await load_user(person_id)
    assert user is not None, person_id
    return user


async def demo_leaver(ctx: DemoContext) -> int | None:
    """The handler with the most restanser, among the handlers of the units (by code)."""
    best: tuple[int, int] | None = None
    for code in sorted(ctx.handlers):
        for person_id in ctx.handlers[code]:
            count = (await leaver.counts(person_id)).restanser
            if count and (best is None or count > best[0]):
                best = (count, person_id)
    return best[1] if best else None


async def populate(ctx: DemoContext) -> int | None:
    leaving = await demo_leaver(ctx)
    if leaving is not None:
        log.info("Demo: sjekklisten ved avgang for person %s: /onboarding/sjekkliste/%s", leaving, leaving)
    if not ctx.archive_staff:
        return leaving
    archivist = await _user(ctx.archive_staff[0])
    found = [s for s in await signals.handler_signals() if s.unit_id is not None]
    first = found[0] if found else None
    key = (
        "old_restanser"
        if first and first.old_restanser
        else ("old_unsent" if first and first.old_unsent else "")
    )
    target = first.person_id if first else leaving
    if target is not None:
        observed = suggested_text(first, key) or _("Mange restanser som ikke er avskrevet.")
        await training.register(ctx.settings, archivist, target, observed, key)
    codes = [code for code in sorted(ctx.leaders) if len(ctx.handlers.get(code, [])) > 1]
    if codes:
        code = codes[0]
        handler = ctx.handlers[code][-1]
        leader = await _user(ctx.leaders[code])
        follow_up = await training.register(
            ctx.settings,
            leader,
            handler,
            _("Ny i jobben: trenger gjennomgang av journalføring og avskrivning."),
            "",
        )
        await training.agree(ctx.settings, archivist, follow_up, today() + timedelta(days=7), version=1)
    return leaving
