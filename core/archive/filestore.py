"""Document files, content-addressed: a file is stored under its SHA-256 and never overwritten.

Every :class:`~core.archive.tables.Dokumentobjekt` (one version of a document) names its file by
``sjekksum``. Writing the same bytes twice stores them once; a new version is new bytes under a
new name, so older versions stay downloadable. The root is ``ARKIV_FILE_STORE``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from core.settings import Settings


@dataclass(frozen=True)
class StoredFile:
    sjekksum: str
    """SHA-256, hex."""
    filstoerrelse: int
    """Size in bytes."""


class FileStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    @classmethod
    def from_settings(cls, settings: Settings) -> FileStore:
        return cls(settings.file_store)

    def path(self, sjekksum: str) -> Path:
        if len(sjekksum) != 64 or not all(c in "0123456789abcdef" for c in sjekksum):
            raise ValueError(f"ugyldig sjekksum: {sjekksum!r}")
        return self.root / sjekksum[:2] / sjekksum[2:4] / sjekksum

    def put(self, content: bytes) -> StoredFile:
        """Store ``content`` (atomically: temp file, fsync, rename); return its checksum and size."""
        sjekksum = hashlib.sha256(content).hexdigest()
        target = self.path(sjekksum)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(content)
                    fh.flush()
                    os.fsync(fh.fileno())
                if target.exists():  # another writer won; same bytes, keep theirs
                    Path(tmp).unlink()
                else:
                    Path(tmp).replace(target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return StoredFile(sjekksum=sjekksum, filstoerrelse=len(content))

    def read(self, sjekksum: str) -> bytes:
        """The bytes of a stored file; raises FileNotFoundError when missing."""
        return self.path(sjekksum).read_bytes()

    def exists(self, sjekksum: str) -> bool:
        return self.path(sjekksum).is_file()
