"""Restanser: Oppfølging av inngående brev og interne notater som ikke er besvart eller avskrevet."""

from core.contributions import PluginMeta
from core.i18n import N_

PLUGIN = PluginMeta(
    name="restanse",
    label=N_("Restanser"),
    description=N_("Oppfølging av inngående brev og interne notater som ikke er besvart eller avskrevet."),
    package=__name__,
)
