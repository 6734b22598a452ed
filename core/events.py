"""Events: how plugins tell each other what happened without importing each other.

``await emit(runtime, Event("fordeling.distributed", {...}, actor_id=...))`` calls every
plugin's ``handle_event`` hook. Emit after the transaction that made the change has committed.
A failing handler is logged and does not stop the others.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from core.contributions import Event
from core.plugins import await_me_maybe
from core.runtime import Runtime
from core.timeutil import now

log = logging.getLogger(__name__)


async def emit(runtime: Runtime, event: Event) -> None:
    event = event if event.at else replace(event, at=now())
    for impl in runtime.pm.hook.handle_event.get_hookimpls():
        try:
            await await_me_maybe(impl.function(event=event))
        except Exception:
            log.exception("Tillegget %s feilet på hendelsen %s", impl.plugin_name, event.name)
