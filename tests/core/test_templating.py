"""The Jinja2 environment: production renders from the compiled templates without checking
their files on every page; development picks up edited templates at once."""

from __future__ import annotations

import dataclasses

from core.runtime import build_runtime


def test_templates_are_reloaded_only_in_development(settings) -> None:
    development = build_runtime(dataclasses.replace(settings, environment="development"))
    production = build_runtime(dataclasses.replace(settings, environment="production"))
    assert development.templates.auto_reload is True
    assert production.templates.auto_reload is False
