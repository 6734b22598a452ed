"""The Noark 5 import's reader in a process of its own, beside the writer.

Parsing (lxml and the per-field conversions of :class:`~.reader.Reader`) and writing (the
driver's binding, the writer's keys and rows) are both mostly Python, and in one process they
share the GIL: a reader *thread* could not run beside the writer. :class:`ReadProcess` starts
``python -c …`` running :func:`child`, which walks the file and sends each batch of parsed
saksmapper through a pipe (pickled, length-prefixed frames of wire records,
:func:`~.import_model.to_wire`), so parsing takes the second CPU while the import writes.

- **Memory stays bounded**: the parent keeps at most :data:`FRAMES_AHEAD` received batches
  (still pickled) besides the one it writes; when they are not taken the pipe fills and the
  child waits in its write, so it is never more than a batch or two ahead.
- **Refusals** (:class:`~.import_model.ImportRefused`, naming the line) and other errors in the
  child (an ``OSError`` reading the file) are sent as the last frame and raised in the parent,
  where the import's transaction rolls back everything written.
- **The child never outlives the import**: it runs in a session of its own and ignores
  Ctrl-C (the parent handles it), and the parent kills it and waits for it when the import
  stops early for any reason (an error while writing, Ctrl-C, SIGTERM; a child that has sent
  its last frame gets :data:`EXIT_GRACE` to end by itself first); if the parent dies,
  the child's next write fails on the closed pipe and it ends. Its own session also gives it
  its own share of the CPU under Linux's autogroup scheduling: in the parent's session the
  two would share one.
- What the reader counted (:class:`~.reader.ReadStats`, :class:`~.reader.Layout`) and its
  warnings arrive with the last frame; the warnings are merged into the import's.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import pickle
import signal
import struct
import sys
import traceback
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from core.archive.filestore import FileStore
from core.archive.noark5.import_model import (
    ImportRefused,
    ParsedCase,
    Warnings,
    dates_as_stored,
    sqlite_date,
    sqlite_stamp,
    to_wire,
)
from core.archive.noark5.reader import Layout, Reader, ReadStats

GC_THRESHOLD = 1_000_000
"""New objects between young garbage collections during an import (:func:`fewer_collections`).
Was 50 000: a young collection after each batch or so (six to eight in the reader on the
18 632-post file) cost the reader 0.04–0.97 s, 0.45 s on average, in six interleaved pairs of
runs in one process; with a million, one. The import's objects form no cycles (reference
counting frees them), so memory stays as it was (measured at 18 632 and 104 632 posts)."""
FRAMES_AHEAD = 2
"""Received batches the parent keeps (pickled) while it writes the one before."""
FIRST_SHARE = 8
"""The first batch holds this share of a full one (1/8), the next ones double up to a full one."""
RAMP_FLOOR = 100
"""Saksmapper or journalposter a smaller first batch holds at least (a smaller full batch is
not made smaller)."""
HEADER = struct.Struct("!Q")
"""A frame: its length (8 bytes, network order), then the pickle."""
PIPE_LIMIT = 1 << 20
"""The parent's read buffer for the pipe (asyncio pauses reading beyond twice this)."""
EXIT_GRACE = 10.0
"""Seconds a child that has sent its last frame and closed its pipe gets to end by itself
(the interpreter's shutdown) before it is killed anyway."""
CHILD = "from core.archive.noark5.read_process import child; child()"
ROOT = str(Path(__file__).resolve().parents[3])
"""The folder that holds the ``core`` package: first on the child's path, so it runs this code
(``python -P``: without it ``-c`` puts the working directory first, and an import started in
another checkout's folder read the file with that checkout's reader)."""


@dataclass
class Job:
    """What the child is to read (sent pickled on its standard input)."""

    path: Path
    store: FileStore | None
    batch_cases: int
    batch_posts: int
    sqlite: bool = False
    """The import writes to SQLite: dates and timestamps are sent as the text SQLite stores
    (:func:`~.import_model.dates_as_stored`)."""


@contextlib.contextmanager
def fewer_collections(threshold: int = GC_THRESHOLD) -> Iterator[None]:
    """Within the block, Python's cyclic garbage collector runs less often: the objects that
    exist already are frozen (not scanned again) and a young collection waits for
    ``threshold`` new objects instead of 700. A batch's parsed records live for a whole batch
    without forming cycles (reference counting frees them), yet each full collection scanned
    all of them and everything loaded before: 13 % of the import's CPU time on the 14 628-post
    file. Settings are restored afterwards (a freeze made by someone else is left alone)."""
    before = gc.get_threshold()
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    gc.set_threshold(max(before[0], threshold), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if freeze:
            gc.unfreeze()


def batches(reader: Reader, batch_cases: int, batch_posts: int) -> Iterator[list[ParsedCase]]:
    """The reader's saksmapper in batches of ``batch_cases`` saksmapper or ``batch_posts``
    journalposter, whichever comes first. The first batches are smaller (an eighth, a quarter,
    a half of that, never below :data:`RAMP_FLOOR` records): the writer waits for the first
    one, so it starts writing sooner."""

    def limit(full: int, share: int) -> int:
        return max(full // share, min(full, RAMP_FLOOR))

    batch: list[ParsedCase] = []
    posts = 0
    share = FIRST_SHARE
    cases_limit, posts_limit = limit(batch_cases, share), limit(batch_posts, share)
    for case in reader.cases():
        batch.append(case)
        posts += len(case.posts)
        if len(batch) >= cases_limit or posts >= posts_limit:
            yield batch
            batch, posts = [], 0
            if share > 1:
                share //= 2
                cases_limit, posts_limit = limit(batch_cases, share), limit(batch_posts, share)
    if batch:
        yield batch


# -- the child -------------------------------------------------------------------------------


def child() -> None:
    """The reading process: a :class:`Job` on standard input, frames on standard output
    (``("batch", cases)`` …, then ``("end", stats, layout, warnings)`` or ``("error", exc)``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    out = os.fdopen(os.dup(1), "wb", buffering=1 << 20)
    os.dup2(2, 1)  # anything printed by mistake goes to stderr, not into the frames
    job: Job = pickle.load(sys.stdin.buffer)  # noqa: S301 (from the parent, our own)
    warnings = Warnings()
    reader = Reader(job.path, warnings, store=job.store)

    def send(message: tuple[Any, ...]) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(HEADER.pack(len(data)))
        out.write(data)
        out.flush()

    try:
        with fewer_collections():
            for batch in batches(reader, job.batch_cases, job.batch_posts):
                if job.sqlite:
                    dates_as_stored(batch, sqlite_date, sqlite_stamp)
                send(("batch", to_wire(batch)))
            send(("end", reader.stats, reader.layout, warnings.state()))
    except BrokenPipeError:
        os._exit(1)  # the parent has gone: nobody to tell
    except BaseException as exc:
        send(("error", _portable(exc)))
    out.close()


def _portable(exc: BaseException) -> BaseException:
    """``exc`` as it can cross the pipe: a refusal or an OSError as it is, anything else as
    a RuntimeError carrying its traceback."""
    if isinstance(exc, ImportRefused | OSError):
        try:
            pickle.loads(pickle.dumps(exc))  # noqa: S301 (our own, a round trip)
        except Exception:  # noqa: S110 (an exotic subclass: fall through)
            pass
        else:
            return exc
    return RuntimeError("".join(traceback.format_exception(exc)))


# -- the parent ------------------------------------------------------------------------------


class ReadProcess:
    """The child reading one file. ``async with ReadProcess(...) as read:`` starts it (the
    imports of its modules run while the caller prepares); :meth:`batches` yields the parsed
    batches; afterwards :attr:`stats` and :attr:`layout` hold what it counted, and its
    warnings are in the ``warnings`` given. Leaving the block stops the child if it still runs."""

    def __init__(
        self,
        path: Path,
        warnings: Warnings,
        *,
        store: FileStore | None,
        batch_cases: int,
        batch_posts: int,
        sqlite: bool = False,
    ) -> None:
        self.job = Job(
            path=path, store=store, batch_cases=batch_cases, batch_posts=batch_posts, sqlite=sqlite
        )
        self.warnings = warnings
        self.stats = ReadStats()
        self.layout = Layout()
        self._process: asyncio.subprocess.Process | None = None
        self._frames: asyncio.Queue[bytes | BaseException | None] = asyncio.Queue(maxsize=FRAMES_AHEAD)
        self._pump: asyncio.Task[None] | None = None

    async def __aenter__(self) -> ReadProcess:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH", "")) if p)
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-P",  # no working directory first on the path: ROOT's code, whatever the cwd holds
            "-c",
            CHILD,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=env,
            limit=PIPE_LIMIT,
            start_new_session=True,
        )
        stdin = self._process.stdin
        assert stdin is not None
        stdin.write(pickle.dumps(self.job, protocol=pickle.HIGHEST_PROTOCOL))
        await stdin.drain()
        stdin.close()
        self._pump = asyncio.create_task(self._read_frames())
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Stop the child (when it still runs) and the task reading its frames."""
        if self._pump is not None and not self._pump.done():
            self._pump.cancel()
            with contextlib.suppress(BaseException):
                await self._pump
        process = self._process
        if process is None:
            return
        finished = self._pump is not None and self._pump.done() and not self._pump.cancelled()
        if finished and process.returncode is None:
            # The child has sent everything and closed its pipe: it is ending. Killed now it
            # would end with -9 under load (seen in CI) instead of its own exit status.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(process.wait()), EXIT_GRACE)
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        if process.stdout is not None:
            # Read what is left in the pipe up to its end: asyncio counts the process as
            # finished only when its pipes are closed, and reading may be paused (full buffer).
            with contextlib.suppress(Exception):
                await asyncio.shield(process.stdout.read())
        await asyncio.shield(process.wait())

    async def _read_frames(self) -> None:
        """Move the child's frames, still pickled, into the bounded queue (the pipe waits when
        the queue is full); ``None`` after the last one, an exception when the child ended
        without one."""
        process = self._process
        assert process is not None and process.stdout is not None
        try:
            while True:
                try:
                    header = await process.stdout.readexactly(HEADER.size)
                except asyncio.IncompleteReadError as exc:
                    if exc.partial:
                        raise
                    break
                await self._frames.put(await process.stdout.readexactly(HEADER.unpack(header)[0]))
        except (asyncio.IncompleteReadError, OSError) as exc:
            await self._frames.put(exc)
            return
        await self._frames.put(None)

    async def batches(self) -> AsyncIterator[list[ParsedCase]]:
        """Each batch as the child sends it; a refusal or error in the child is raised here."""
        while True:
            frame = await self._frames.get()
            if frame is None or isinstance(frame, BaseException):
                code = await self._process.wait() if self._process is not None else None
                raise RuntimeError(f"Leseprosessen for uttrekket stoppet uventet (kode {code}).")
            message = pickle.loads(frame)  # noqa: S301 (our own child's frames)
            kind = message[0]
            if kind == "batch":
                # Wire records (import_model.to_wire): the dataclasses' fields by the same
                # names, read-only, which is all the writer does with them.
                yield cast("list[ParsedCase]", message[1])
            elif kind == "end":
                _kind, self.stats, self.layout, warnings = message
                self.warnings.merge(warnings)
                return
            else:
                raise message[1]
