"""Uploaded files in the case-work forms, and keeping them across a form with errors.

A browser cannot refill a file input, so when a form comes back with errors the files the user
already sent are stored right away (content-addressed, see :mod:`core.archive.filestore`) and
named in the form by a signed token. Sending the form again restores them without a new upload.
The signature binds the token to the person, so a token cannot name someone else's file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from litestar.datastructures import UploadFile

from core.archive.filestore import FileStore
from core.archive.services import UploadedFile
from core.settings import Settings

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
"""Largest request body on the upload routes (all files of one form together)."""


@dataclass(frozen=True)
class KeptFile:
    """A file stored for a form that came back with errors."""

    token: str
    filnavn: str
    format: str
    size: int


def clean_filename(name: str) -> str:
    """The file name without any path a browser may send (``C:\\fakepath\\brev.pdf``)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base[:300] or "dokument"


async def read_upload(value: Any) -> UploadedFile | None:
    """An :class:`UploadedFile` from a multipart value; None for an empty file input."""
    if not isinstance(value, UploadFile) or not value.filename:
        return None
    content = await value.read()
    return UploadedFile(
        filnavn=clean_filename(value.filename),
        content=content,
        format=(value.content_type or "application/octet-stream")[:100],
    )


async def read_uploads(value: Any) -> list[UploadedFile]:
    """All non-empty files of a (possibly repeated) file input."""
    values = value if isinstance(value, list) else [value]
    files = [await read_upload(v) for v in values]
    return [f for f in files if f is not None]


def _signature(settings: Settings, person_id: int, payload: str) -> str:
    key = settings.secret_key.encode()
    return hmac.new(key, f"{person_id}:{payload}".encode(), hashlib.sha256).hexdigest()


def keep(settings: Settings, person_id: int, file: UploadedFile) -> KeptFile:
    """Store ``file`` and return a token the form can send back."""
    stored = FileStore.from_settings(settings).put(file.content)
    payload = base64.urlsafe_b64encode(
        json.dumps({"s": stored.sjekksum, "f": file.filnavn, "m": file.format}, ensure_ascii=False).encode()
    ).decode()
    token = f"{payload}.{_signature(settings, person_id, payload)}"
    return KeptFile(token=token, filnavn=file.filnavn, format=file.format, size=stored.filstoerrelse)


def restore(settings: Settings, person_id: int, token: str) -> tuple[KeptFile, UploadedFile] | None:
    """The kept file a token names; None when the token is forged, foreign or the file is gone."""
    payload, _, signature = token.partition(".")
    if not payload or not hmac.compare_digest(signature, _signature(settings, person_id, payload)):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(payload.encode()))
        content = FileStore.from_settings(settings).read(str(data["s"]))
    except (ValueError, KeyError, OSError):
        return None
    file = UploadedFile(filnavn=str(data["f"]), content=content, format=str(data["m"]))
    return KeptFile(token=token, filnavn=file.filnavn, format=file.format, size=len(content)), file


def restore_all(settings: Settings, person_id: int, value: Any) -> list[tuple[KeptFile, UploadedFile]]:
    """Every valid kept file named by a (possibly repeated) form field."""
    values = value if isinstance(value, list) else [value]
    restored = [restore(settings, person_id, v) for v in values if isinstance(v, str) and v]
    return [r for r in restored if r is not None]


async def form_files(
    settings: Settings, person_id: int, data: dict[str, Any], form: dict[str, Any]
) -> tuple[UploadedFile | None, list[UploadedFile]]:
    """The main document (``hoveddokument``) and attachments (``vedlegg``) of a form: new
    uploads, else the files kept from the last try (``behold_hoved``/``behold_vedlegg``).
    Keeps them all again (``form["kept_main"]``/``form["kept_attachments"]``) in case the
    form comes back with errors."""
    main = await read_upload(data.get("hoveddokument"))
    if main is None:
        kept = restore_all(settings, person_id, data.get("behold_hoved"))
        main = kept[0][1] if kept else None
    attachments = [file for _, file in restore_all(settings, person_id, data.get("behold_vedlegg"))]
    attachments += await read_uploads(data.get("vedlegg"))
    form["kept_main"] = [keep(settings, person_id, main)] if main else []
    form["kept_attachments"] = [keep(settings, person_id, file) for file in attachments]
    return main, attachments
