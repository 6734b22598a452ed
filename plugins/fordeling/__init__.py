"""Fordeling: Lederen fordeler inngående journalposter fra kurven Til fordeling til saksbehandler."""

from core.contributions import PluginMeta
from core.i18n import N_

PLUGIN = PluginMeta(
    name="fordeling",
    label=N_("Fordeling"),
    description=N_("Lederen fordeler inngående journalposter fra kurven Til fordeling til saksbehandler."),
    package=__name__,
)
