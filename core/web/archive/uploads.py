"""Uploaded files in the case-work forms, and keeping them across a form with errors.

Every upload route checks that the record exists and that the user may write to it *before*
it reads the form (:func:`form_data`): Litestar parses a multipart body when it is first asked
for, so a refused request stores nothing. Litestar spools each file to an anonymous temporary
file (at most 1 MB of it in memory); :func:`read_upload` then streams it into the file store's
own temporary folder through a bounded buffer, hashing on the way (:meth:`FileStore.stage`).
The write side moves it into place only when its transaction succeeds; the route removes it
(:func:`discard`) on every other way out. (A plain form without htmx sends its CSRF token in the
body, so Litestar's CSRF check parses that body before any route code runs; it still lands only
in Litestar's anonymous temporary files, never in the store.)

A browser cannot refill a file input, so when a form comes back with errors the files the user
already sent are moved into the store (content-addressed, see :mod:`core.archive.filestore`)
and named in the form by a signed token (:func:`keep_files`). Sending the form again restores
them without a new upload. The signature binds the token to the person, so a token cannot name
someone else's file. A kept file that is never used is removed by the ``core.purge_files`` job
after its grace period.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile

from core.archive.filestore import FileStore
from core.archive.services import UploadedFile
from core.request_connection import give_back_request_connection
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


async def form_data(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The multipart form as Litestar's ``MultipartBody`` gives it (a repeated field is a list).
    Call it only after the access check: this is where the body is read."""
    await give_back_request_connection()  # no connection held while the client sends the file
    form = await request.form()
    return {key: values[0] if len(values) == 1 else values for key, values in form.dict().items()}


async def read_upload(settings: Settings, value: Any) -> UploadedFile | None:
    """An :class:`UploadedFile` staged in the file store's temporary folder from a multipart
    value (streamed and hashed through a bounded buffer); None for an empty file input."""
    if not isinstance(value, UploadFile) or not value.filename:
        return None
    store = FileStore.from_settings(settings)
    await value.seek(0)
    staged = await asyncio.to_thread(store.stage, value.file)
    await value.close()  # Litestar's spooled copy is no longer needed
    return UploadedFile(
        filnavn=clean_filename(value.filename),
        format=(value.content_type or "application/octet-stream")[:100],
        staged=staged,
    )


async def read_uploads(settings: Settings, value: Any) -> list[UploadedFile]:
    """All non-empty files of a (possibly repeated) file input."""
    values = value if isinstance(value, list) else [value]
    files = [await read_upload(settings, v) for v in values]
    return [f for f in files if f is not None]


def discard(settings: Settings, files: Iterable[UploadedFile | None]) -> None:
    """Remove the staged files of uploads that were not stored (files kept or already in the
    store stay)."""
    store = FileStore.from_settings(settings)
    for file in files:
        if file is not None and file.staged is not None:
            store.discard(file.staged)


def _signature(settings: Settings, person_id: int, payload: str) -> str:
    key = settings.secret_key.encode()
    return hmac.new(key, f"{person_id}:{payload}".encode(), hashlib.sha256).hexdigest()


def keep(settings: Settings, person_id: int, file: UploadedFile) -> KeptFile:
    """Store ``file`` and return a token the form can send back."""
    store = FileStore.from_settings(settings)
    stored = store.commit(file.staged) if file.staged is not None else store.put(file.content)
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
        staged = FileStore.from_settings(settings).existing(str(data["s"]))
        file = UploadedFile(filnavn=str(data["f"]), format=str(data["m"]), staged=staged)
    except (ValueError, KeyError, TypeError):
        return None
    if staged is None:
        return None
    return KeptFile(token=token, filnavn=file.filnavn, format=file.format, size=file.size), file


def restore_all(settings: Settings, person_id: int, value: Any) -> list[tuple[KeptFile, UploadedFile]]:
    """Every valid kept file named by a (possibly repeated) form field."""
    values = value if isinstance(value, list) else [value]
    restored = [restore(settings, person_id, v) for v in values if isinstance(v, str) and v]
    return [r for r in restored if r is not None]


async def form_files(
    settings: Settings, person_id: int, data: dict[str, Any]
) -> tuple[UploadedFile | None, list[UploadedFile]]:
    """The main document (``hoveddokument``) and attachments (``vedlegg``) of a form: new
    uploads (staged), else the files kept from the last try (``behold_hoved``/``behold_vedlegg``).
    The caller removes them with :func:`discard` when done, and keeps them with
    :func:`keep_files` when the form comes back with errors."""
    main = await read_upload(settings, data.get("hoveddokument"))
    if main is None:
        kept = restore_all(settings, person_id, data.get("behold_hoved"))
        main = kept[0][1] if kept else None
    attachments = [file for _, file in restore_all(settings, person_id, data.get("behold_vedlegg"))]
    attachments += await read_uploads(settings, data.get("vedlegg"))
    return main, attachments


def keep_files(
    settings: Settings,
    person_id: int,
    form: dict[str, Any],
    main: UploadedFile | None,
    attachments: list[UploadedFile],
) -> None:
    """Keep the form's files for the next try (``form["kept_main"]``/``form["kept_attachments"]``)."""
    form["kept_main"] = [keep(settings, person_id, main)] if main else []
    form["kept_attachments"] = [keep(settings, person_id, file) for file in attachments]
