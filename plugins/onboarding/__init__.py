"""IKT-tilgang: Skjemaet Registrering av IKT-tilgang/-avgang og sjekklisten når en saksbehandler slutter."""

from core.contributions import PluginMeta
from core.i18n import N_

PLUGIN = PluginMeta(
    name="onboarding",
    label=N_("IKT-tilgang"),
    description=N_(
        "Skjemaet Registrering av IKT-tilgang/-avgang og sjekklisten når en saksbehandler slutter."
    ),
    package=__name__,
)
