"""A test plugin that implements every hook, to prove the contract end to end."""

from core.contributions import PluginMeta

PLUGIN = PluginMeta(
    name="dummy_plugin",
    label="Testtillegg",
    description="Brukes bare i testene.",
    package=__name__,
)
