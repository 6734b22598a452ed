"""The task kinds godkjenning routes work with (core tasks, :mod:`core.tasks`), declared to core
through the ``task_kinds`` hook."""

from __future__ import annotations

from core.contributions import TaskKind
from core.i18n import N_

PREFIX = "godkjenning."
TIL_GODKJENNING = "godkjenning.til_godkjenning"
"""An approver's task: read, change the documents if needed, then videresend, godkjenn or
return (*ikke godkjent*). Its receiver may add document versions while it is open."""
RETUR = "godkjenning.retur"
"""*Ikke godkjent* back to the handler at the first step: correct and send again."""
TIL_EKSPEDERING = "godkjenning.til_ekspedering"
"""*Godkjent – til ekspedering*: the handler dispatches the approved post."""


ALL = (TIL_GODKJENNING, RETUR, TIL_EKSPEDERING)


def task_kinds() -> list[TaskKind]:
    return [
        TaskKind(
            TIL_GODKJENNING, N_("Til godkjenning"), url="/godkjenning/oppgave/{id}", edits_documents=True
        ),
        TaskKind(RETUR, N_("Ikke godkjent – retur"), url="/godkjenning/oppgave/{id}"),
        TaskKind(TIL_EKSPEDERING, N_("Godkjent – til ekspedering"), url="/godkjenning/oppgave/{id}"),
    ]
