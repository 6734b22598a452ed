"""The task kinds of the form's route, declared to core through the ``task_kinds`` hook."""

from __future__ import annotations

from core import roles
from core.contributions import TaskKind
from core.i18n import N_

OBJECT = "onboarding_form"
"""The tasks' ``object_type``: they are about one form."""
LONN = "onboarding.lonn"
IKT = "onboarding.ikt"
ARKIV = "onboarding.arkiv"
RETUR = "onboarding.retur"
"""The form returned to its leader with a question."""
STEDFORTREDER = "onboarding.stedfortreder"
"""A leader goes on leave: Fellestjenesten/Arkiv registers a deputy for the period (core's
generic task page; the deputy is registered under Administrasjon)."""
URL = "/onboarding/oppgave/{id}"

STEPS: tuple[str, ...] = ("lonn", "ikt", "arkiv")
STEP_KIND = {"lonn": LONN, "ikt": IKT, "arkiv": ARKIV}
STEP_ROLE = {"lonn": roles.LONN, "ikt": roles.IKT, "arkiv": roles.ARKIV}
KIND_STEP = {kind: step for step, kind in STEP_KIND.items()}
STEP_LABELS = {
    "utkast": N_("Utkast"),
    "lonn": N_("Hos Lønningskontoret"),
    "ikt": N_("Hos IKT"),
    "arkiv": N_("Hos Fellestjenesten/Arkiv"),
    "retur": N_("Returnert til leder"),
    "fullfort": N_("Fullført"),
}
ALL = (LONN, IKT, ARKIV, RETUR)


def task_kinds() -> list[TaskKind]:
    return [
        TaskKind(LONN, N_("IKT-tilgang: Lønningskontoret"), url=URL),
        TaskKind(IKT, N_("IKT-tilgang: IKT"), url=URL),
        TaskKind(ARKIV, N_("IKT-tilgang: Fellestjenesten/Arkiv"), url=URL),
        TaskKind(RETUR, N_("IKT-tilgang: returnert med spørsmål"), url=URL),
        TaskKind(STEDFORTREDER, N_("IKT-tilgang: stedfortreder i permisjon")),
    ]
