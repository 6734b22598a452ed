"""What every ``arkivrutiner`` command uses: run async code, and load the settings or exit.

:mod:`core.cli` and the commands it adds (core's Noark 5 import and export, the plugins'
commands) import these from here, so no command module imports the command line itself.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Coroutine
from typing import Any, TypeVar

import click

from core.settings import ConfigError, Settings, load_settings

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end (a command's async work)."""
    return asyncio.run(coro)


def settings_or_exit() -> Settings:
    """The settings from the environment; an invalid value ends the command with exit code 2."""
    try:
        return load_settings()
    except ConfigError as exc:
        click.echo(f"Feil i oppsettet: {exc}", err=True)
        sys.exit(2)
