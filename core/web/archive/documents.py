"""Document files: download one version (access-checked), the changes between two versions'
text, upload a new version, add an attachment to a post. Uploads are multipart forms that also
work without htmx; with htmx the post's document section is swapped in place."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template

from core.archive import services
from core.archive.document_text import TextUnavailable
from core.archive.document_view import shows_inline, view_media_type
from core.archive.filestore import FileStore
from core.archive.queries import documents, posts
from core.archive.queries.document_changes import version_changes
from core.archive.tables import Dokumentbeskrivelse
from core.errors import NotFound, ValidationFailed
from core.i18n import _
from core.validation import parse_id
from core.web.archive import uploads
from core.web.archive.common import done, rename_errors, settings_of, value, viewer_of
from core.web.archive.posts import post_context, post_page_response
from core.web.flash import flash
from core.web.middleware import FRAMED_FILE_CSP
from core.web.pages import AnyRequest, current_user, fragment, is_fragment_request, page

FILE_ERRORS = {"file": "fil", "content": "fil", "filnavn": "fil", "document": "fil", "tittel": "tittel"}


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """``attachment`` (or ``inline``) with an ASCII fallback and the UTF-8 name (RFC 6266/5987)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _read(request: AnyRequest, row: dict[str, Any]) -> bytes:
    try:
        return FileStore.from_settings(settings_of(request)).read(row["sjekksum"])
    except (FileNotFoundError, ValueError) as exc:
        raise NotFound(_("Filen finnes ikke i fillageret. Kontakt Fellestjenesten/Arkiv.")) from exc


@get("/arkiv/dokument/{dokumentobjekt_id:int}/fil", name="arkiv:document_file")
async def document_file(request: AnyRequest, dokumentobjekt_id: FromPath[int]) -> Response[bytes]:
    """The bytes of one version, with its file name and content type."""
    row = await documents.file_for_download(await viewer_of(request), dokumentobjekt_id)
    content = _read(request, row)
    media_type = row["format"] if "/" in (row["format"] or "") else "application/octet-stream"
    return Response(
        content=content,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(row["filnavn"]),
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@get("/arkiv/dokument/{dokumentobjekt_id:int}/vis", name="arkiv:document_view")
async def document_view(request: AnyRequest, dokumentobjekt_id: FromPath[int]) -> Response[bytes]:
    """One version shown in the page that asks for it: a PDF in a frame, an image in an
    ``<img>`` (:mod:`core.archive.document_view`; access as the download). Any other file, or
    one whose bytes are not what its format says, is 404: it is only downloaded.

    This is the only response a page of the app may frame (same origin only): it carries its
    own CSP (:data:`core.web.middleware.FRAMED_FILE_CSP`, no script, sandboxed) and
    ``X-Frame-Options: SAMEORIGIN`` instead of the app's ``frame-ancestors 'none'``/``DENY``."""
    row = await documents.file_for_download(await viewer_of(request), dokumentobjekt_id)
    media_type = view_media_type(row["format"], row["filnavn"])
    content = _read(request, row) if media_type else b""
    if media_type is None or not shows_inline(media_type, content):
        raise NotFound(_("Dokumentet kan ikke vises i nettleseren. Last det ned i stedet."))
    return Response(
        content=content,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(row["filnavn"], "inline"),
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": FRAMED_FILE_CSP,
            "X-Frame-Options": "SAMEORIGIN",
        },
    )


@get("/arkiv/dokument/{dokumentbeskrivelse_id:int}/endringer", name="arkiv:document_changes")
async def document_changes(
    request: AnyRequest,
    dokumentbeskrivelse_id: FromPath[int],
    fra: FromQuery[str | None] = None,
    til: FromQuery[str | None] = None,
) -> Template:
    """What changed in the text from version ``fra`` to version ``til`` (.docx, .odt, .txt);
    skjerming as for the download of each version."""
    old, new = parse_id(fra), parse_id(til)
    if old is None or new is None:
        raise NotFound(_("Velg to versjoner av dokumentet som skal sammenlignes."))
    viewer = await viewer_of(request)
    try:
        context = await version_changes(settings_of(request), viewer, dokumentbeskrivelse_id, old, new)
    except TextUnavailable as exc:
        # Raised only after both versions passed the access check: the page may name the post.
        row = (
            await Dokumentbeskrivelse.select(Dokumentbeskrivelse.journalpost)
            .where(Dokumentbeskrivelse.id == dokumentbeskrivelse_id)
            .first()
        )
        assert row is not None
        record = await posts.get_post(viewer, int(row["journalpost"]))
        return await page(
            request,
            "arkiv/endringer.html",
            status_code=exc.status_code,
            post=record,
            feil=exc.detail,
            fra_nummer=old,
            til_nummer=new,
        )
    return await page(request, "arkiv/endringer.html", feil="", fra_nummer=old, til_nummer=new, **context)


async def _documents_answer(
    request: AnyRequest,
    journalpost_id: int,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    message: str = "",
    new_title: str = "",
    status_code: int = 200,
) -> Response[Any]:
    """htmx: the post's document section; otherwise the whole post page (errors) or a redirect."""
    if is_fragment_request(request):
        context = await post_context(request, journalpost_id)
        return fragment(
            "arkiv/_dokumenter.html",
            status_code=status_code,
            upload_errors=errors or {},
            new_title=new_title,
            melding=message,
            **context,
        )
    if errors:
        return await post_page_response(
            request, journalpost_id, upload_errors=errors, new_title=new_title, status_code=status_code
        )
    flash(request, message)
    return done(request, f"/arkiv/journalpost/{journalpost_id}#dokumenter")


@post(
    "/arkiv/dokument/{dokumentbeskrivelse_id:int}/versjon",
    name="arkiv:document_version",
    request_max_body_size=uploads.MAX_UPLOAD_BYTES,
)
async def document_version(request: AnyRequest, dokumentbeskrivelse_id: FromPath[int]) -> Response[Any]:
    # The document must exist and the user may upload to it before the body is read.
    journalpost_id = await services.check_version_uploader(current_user(request), dokumentbeskrivelse_id)
    settings = settings_of(request)
    data = await uploads.form_data(request)
    key = f"dok{dokumentbeskrivelse_id}"
    file = await uploads.read_upload(settings, data.get(f"fil-{dokumentbeskrivelse_id}"))
    if file is None:
        errors = {key: {f"fil-{dokumentbeskrivelse_id}": _("Velg filen med den nye versjonen.")}}
        return await _documents_answer(request, journalpost_id, errors=errors, status_code=422)
    try:
        await services.add_version(settings, current_user(request), dokumentbeskrivelse_id, file)
    except ValidationFailed as exc:
        renamed = rename_errors(exc.errors, dict.fromkeys(FILE_ERRORS, f"fil-{dokumentbeskrivelse_id}"))
        return await _documents_answer(request, journalpost_id, errors={key: renamed}, status_code=422)
    finally:
        uploads.discard(settings, [file])
    return await _documents_answer(request, journalpost_id, message=_("Den nye versjonen er lastet opp."))


@post(
    "/arkiv/journalpost/{journalpost_id:int}/dokument",
    name="arkiv:document_add",
    request_max_body_size=uploads.MAX_UPLOAD_BYTES,
)
async def document_add(request: AnyRequest, journalpost_id: FromPath[int]) -> Response[Any]:
    await posts.get_post(await viewer_of(request), journalpost_id)  # 404 for an unknown post
    # The user may add to the post before the body is read.
    await services.check_document_adder(current_user(request), journalpost_id)
    settings = settings_of(request)
    data = await uploads.form_data(request)
    file = await uploads.read_upload(settings, data.get("fil-ny"))
    title = value(data, "tittel-ny")
    errors: dict[str, str] = {}
    if file is None:
        errors["fil-ny"] = _("Velg filen du vil legge til.")
    if not errors and file is not None:
        document = services.NewDocument(
            tittel=title or file.filnavn.rsplit(".", 1)[0], file=file, tilknyttet_registrering_som="V"
        )
        try:
            await services.add_document(settings, current_user(request), journalpost_id, document)
        except ValidationFailed as exc:
            errors = rename_errors(
                exc.errors, {**dict.fromkeys(FILE_ERRORS, "fil-ny"), "tittel": "tittel-ny"}
            )
        finally:
            uploads.discard(settings, [file])
    if errors:
        return await _documents_answer(
            request, journalpost_id, errors={"ny": errors}, new_title=title, status_code=422
        )
    return await _documents_answer(request, journalpost_id, message=_("Vedlegget er lagt til."))


ROUTES = [document_file, document_view, document_changes, document_version, document_add]
