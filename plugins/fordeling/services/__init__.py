"""The fordeling routine's rules: who may work which queue, and the actions on it.

The archive records change only through :mod:`core.archive.services` (``fordel``,
``set_recipient_unit``, ``add_merknad``), which check authority again, lock optimistically on
the korrespondansepart's ``version`` and write the hendelseslogg. This package adds what the
routine needs around them: the queue a user works in, form validation, one transaction per
journal post through the action kit (:mod:`core.web.actions`: one post that someone else took
first does not undo the others), a clear message naming who got there first, the optional
e-mail to the handler and the ``fordeling.*`` events.

* :mod:`~plugins.fordeling.services.access`: who may do what (see the README, *Permissions*);
* :mod:`~plugins.fordeling.services.distribute`: *Fordel valgte*, with the saksansvarlig of
  each new case, and the mail to the handler;
* :mod:`~plugins.fordeling.services.moves`: send to another unit, and omfordeling;
* :mod:`~plugins.fordeling.services.common`: what they share (messages, one post at a time,
  events).
"""

from plugins.fordeling.services.access import (
    default_queue,
    may_distribute,
    may_view,
    require_distributor,
    require_unit,
    require_viewer,
    uses_fordeling,
)
from plugins.fordeling.services.common import conflict_message, parse_person
from plugins.fordeling.services.distribute import (
    OWNER_FIELD,
    NewCase,
    Plan,
    carry_out,
    distribute,
    notify_handler,
    owner_field,
    owners_set,
    prepare,
)
from plugins.fordeling.services.moves import REMARK_MAX, redistribute, redistribute_all, send_to_unit

__all__ = [
    "OWNER_FIELD",
    "REMARK_MAX",
    "NewCase",
    "Plan",
    "carry_out",
    "conflict_message",
    "default_queue",
    "distribute",
    "may_distribute",
    "may_view",
    "notify_handler",
    "owner_field",
    "owners_set",
    "parse_person",
    "prepare",
    "redistribute",
    "redistribute_all",
    "require_distributor",
    "require_unit",
    "require_viewer",
    "send_to_unit",
    "uses_fordeling",
]
