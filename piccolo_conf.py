"""Piccolo configuration for the ``piccolo`` CLI (migrations). Derived from ARKIV_* settings."""

from core.db import app_registry, engine_for
from core.settings import load_settings

_settings = load_settings()
DB = engine_for(_settings.database_url)
APP_REGISTRY = app_registry(_settings)
