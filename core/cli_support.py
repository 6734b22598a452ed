"""What every ``arkivrutiner`` command uses: run async code, and load the settings or exit.

:mod:`core.cli` and the commands it adds (core's Noark 5 import and export, the plugins'
commands) import these from here, so no command module imports the command line itself.
:class:`Progress` is the progress display of the long commands (import, export, demo data).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import threading
import time
from collections.abc import Coroutine, Iterator
from types import FrameType
from typing import Any, TextIO, TypeVar

import click

from core.i18n import gettext as _
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


class Progress:
    """Progress of a long command: a bar with count, rate and time left on a terminal
    (click's progress bar), plain lines every :attr:`interval` seconds otherwise (a log file,
    a pipe, cron), and always a last line with the total.

    The work reports through :meth:`start` (the total, once known) and :meth:`advance`; the
    command wraps the work in ``with progress:``, which closes the bar and, on success only,
    prints the closing line.
    """

    def __init__(
        self, label: str, *, unit: str = "", file: TextIO | None = None, interval: float = 10.0
    ) -> None:
        self.label = label
        self.unit = unit
        self.file = file if file is not None else sys.stdout
        self.interval = interval
        self.total = 0
        self.done = 0
        self._started = time.monotonic()
        self._last_line = self._started
        self._bar: Any = None
        self._terminal = self.file.isatty()
        self._begun = False

    def start(self, total: int) -> None:
        """The amount of work (e.g. journal posts); the clock starts here."""
        self.total = max(total, 0)
        self.done = 0
        self._begun = True
        self._started = self._last_line = time.monotonic()
        if self._terminal and self._bar is None:
            self._bar = click.progressbar(
                length=self.total or 1,
                label=self.label,
                file=self.file,
                show_pos=True,
                show_eta=True,
                item_show_func=lambda rate: rate,
            )
            self._bar.__enter__()

    def advance(self, n: int) -> None:
        self.done += n
        rate = self.rate()
        if self._bar is not None:
            self._bar.update(n, _("{rate}/s").format(rate=format_count(rate)))
            return
        moment = time.monotonic()
        if moment - self._last_line >= self.interval:
            self._last_line = moment
            click.echo(self.line(), file=self.file)

    def rate(self) -> float:
        seconds = time.monotonic() - self._started
        return self.done / seconds if seconds > 0 else 0.0

    def line(self) -> str:
        """``Eksport: 2 000 av 10 000 journalposter (20 %), 1 234/s, ca. 6 s igjen``."""
        rate = self.rate()
        percent = 100 * self.done // self.total if self.total else 100
        left = (self.total - self.done) / rate if rate > 0 and self.total > self.done else 0.0
        return _("{label}: {done} av {total} {unit} ({percent} %), {rate}/s, ca. {left} s igjen").format(
            label=self.label,
            done=format_count(self.done),
            total=format_count(self.total),
            unit=self.unit,
            percent=percent,
            rate=format_count(rate),
            left=format_count(left),
        )

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_exc: object) -> None:
        self.finish(completed=kind is None)

    def finish(self, *, completed: bool = True) -> None:
        """Close the bar; on success (when work was started) print the closing line with the
        total and the rate."""
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
        if completed and self._begun:
            seconds = time.monotonic() - self._started
            click.echo(
                _("{label}: {done} {unit} på {seconds} s ({rate}/s).").format(
                    label=self.label,
                    done=format_count(self.done),
                    unit=self.unit,
                    seconds=f"{seconds:.1f}",
                    rate=format_count(self.rate()),
                ),
                file=self.file,
            )


def format_count(value: float) -> str:
    """A whole number with a space between thousands (``12 345``)."""
    return f"{round(value):,}".replace(",", " ")


@contextlib.contextmanager
def interrupted_by_sigterm() -> Iterator[None]:
    """Within the block, SIGTERM acts as Ctrl-C (:class:`KeyboardInterrupt`), so the command's
    ``finally`` clauses and transaction rollbacks run instead of the process just ending."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
