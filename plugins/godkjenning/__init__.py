"""Godkjenning: Journalposter som krever godkjenning går til leder som oppgaver."""

from core.contributions import PluginMeta
from core.i18n import N_

PLUGIN = PluginMeta(
    name="godkjenning",
    label=N_("Godkjenning"),
    description=N_("Journalposter som krever godkjenning går til leder som oppgaver."),
    package=__name__,
)
