"""Document files, content-addressed: a file is stored under its SHA-256 and never overwritten.

Every :class:`~core.archive.tables.Dokumentobjekt` (one version of a document) names its file by
``sjekksum``. Writing the same bytes twice stores them once; a new version is new bytes under a
new name, so older versions stay downloadable. The root is ``ARKIV_FILE_STORE``.

A new file is first *staged*: streamed into the store's own temporary folder (``.tmp`` under
the root, so on the same file system) through a bounded buffer, hashed while it streams and
fsynced (:meth:`FileStore.stage`). Only when the work that needs it has succeeded is it moved
into place by an atomic rename (:meth:`FileStore.commit`); on any failure the temporary file
is removed (:meth:`FileStore.discard`). Files that no version references (a transaction that
failed after the rename, a form abandoned after an error) are removed after a grace period by
the ``core.purge_files`` job (:func:`unreferenced`).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:  # the import's reader process loads this module without the settings
    from core.settings import Settings

CHUNK_BYTES = 1024 * 1024
"""The buffer a staged file streams through: memory per upload stays at about this much."""

TMP_DIR = ".tmp"
"""Staged files, under the root (the same file system, so the move into place is a rename)."""


@dataclass(frozen=True)
class StoredFile:
    sjekksum: str
    """SHA-256, hex."""
    filstoerrelse: int
    """Size in bytes."""


@dataclass(frozen=True)
class StagedFile:
    """A file waiting to be moved into the store (or, with ``in_store``, one already there)."""

    path: Path
    sjekksum: str
    filstoerrelse: int
    in_store: bool = False

    @property
    def stored(self) -> StoredFile:
        return StoredFile(sjekksum=self.sjekksum, filstoerrelse=self.filstoerrelse)


class FileStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    @classmethod
    def from_settings(cls, settings: Settings) -> FileStore:
        return cls(settings.file_store)

    @property
    def tmp_dir(self) -> Path:
        return self.root / TMP_DIR

    def path(self, sjekksum: str) -> Path:
        if len(sjekksum) != 64 or not all(c in "0123456789abcdef" for c in sjekksum):
            raise ValueError(f"ugyldig sjekksum: {sjekksum!r}")
        return self.root / sjekksum[:2] / sjekksum[2:4] / sjekksum

    def stage(self, source: IO[bytes]) -> StagedFile:
        """Stream ``source`` (read from its current position) into a temporary file of the
        store, hashing on the way, through a buffer of :data:`CHUNK_BYTES`."""
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.tmp_dir, prefix="upload-")
        digest, size = hashlib.sha256(), 0
        try:
            with os.fdopen(fd, "wb") as fh:
                while chunk := source.read(CHUNK_BYTES):
                    digest.update(chunk)
                    fh.write(chunk)
                    size += len(chunk)
                fh.flush()
                os.fsync(fh.fileno())
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return StagedFile(path=Path(tmp), sjekksum=digest.hexdigest(), filstoerrelse=size)

    def stage_bytes(self, content: bytes) -> StagedFile:
        """:meth:`stage` for bytes already in memory (demo data, imports, tests)."""
        return self.stage(BytesIO(content))

    def existing(self, sjekksum: str) -> StagedFile | None:
        """A file already in the store as a :class:`StagedFile` (commit and discard leave it
        where it is); None when it is missing or the checksum is malformed."""
        try:
            path = self.path(sjekksum)
            size = path.stat().st_size
        except (ValueError, OSError):
            return None
        return StagedFile(path=path, sjekksum=sjekksum, filstoerrelse=size, in_store=True)

    def commit(self, staged: StagedFile) -> StoredFile:
        """Move a staged file into the store (atomic rename; same bytes already there: the
        staged copy is dropped)."""
        if staged.in_store:
            if not staged.path.is_file():
                raise FileNotFoundError(staged.path)
            return staged.stored
        target = self.path(staged.sjekksum)
        if target.exists():  # another writer won, or an earlier version; same bytes, keep theirs
            staged.path.unlink(missing_ok=True)
            os.utime(target)  # in use again: a purge counts its grace period from now
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            staged.path.replace(target)
        return staged.stored

    def discard(self, staged: StagedFile) -> None:
        """Remove a staged file that was not committed (nothing for files in the store)."""
        if not staged.in_store:
            staged.path.unlink(missing_ok=True)

    def put(self, content: bytes) -> StoredFile:
        """Store ``content`` (atomically: temp file, fsync, rename); return its checksum and size."""
        return self.commit(self.stage_bytes(content))

    def read(self, sjekksum: str) -> bytes:
        """The bytes of a stored file; raises FileNotFoundError when missing."""
        return self.path(sjekksum).read_bytes()

    def exists(self, sjekksum: str) -> bool:
        return self.path(sjekksum).is_file()

    def files(self) -> Iterator[tuple[str, Path]]:
        """Every stored file as (sjekksum, path), temporary files not included."""
        if not self.root.is_dir():
            return
        for first in sorted(self.root.iterdir()):
            if len(first.name) != 2 or not first.is_dir():
                continue
            for second in sorted(first.iterdir()):
                if not second.is_dir():
                    continue
                for path in sorted(second.iterdir()):
                    if (
                        path.is_file()
                        and len(path.name) == 64
                        and path.name.startswith(first.name + second.name)
                    ):
                        yield path.name, path

    def temporary_files(self) -> Iterator[Path]:
        """Staged files left behind (a process killed mid-upload), and the temp files of the
        older layout (``.tmp-*`` beside the target)."""
        if self.tmp_dir.is_dir():
            yield from (p for p in self.tmp_dir.iterdir() if p.is_file())
        if self.root.is_dir():
            yield from self.root.glob("??/??/.tmp-*")


def unreferenced(store: FileStore, referenced: set[str], older_than: float) -> list[tuple[Path, int]]:
    """Files of ``store`` not in ``referenced`` (checksums) and temporary files, each last
    changed before ``older_than`` (a ``time.time()``): what the purge may remove, with sizes."""
    found: list[tuple[Path, int]] = []
    candidates = [path for sjekksum, path in store.files() if sjekksum not in referenced]
    for path in [*candidates, *store.temporary_files()]:
        try:
            stat = path.stat()
        except OSError:
            continue
        if stat.st_mtime < older_than:
            found.append((path, stat.st_size))
    return found
