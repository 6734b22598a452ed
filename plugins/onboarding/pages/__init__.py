"""Page contexts of the onboarding plugin, one module per page area: the form
(:mod:`~plugins.onboarding.pages.forms`)."""
