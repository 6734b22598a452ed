"""Journal post pages: the post itself (parties, write-offs, documents with versions, remarks,
history), "Ny journalpost" (U/N/X) in a case, and the in-page actions Ferdigstill and Ekspeder.

In-page actions send the ``version`` the page showed (optimistic locking). With htmx the status
panel (and, out of band, the documents) is swapped in place; a Conflict becomes a Norwegian
message in the page's message area. Without htmx every action is a plain POST and redirect.
"""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Response, Template

from core.admin.common import parse_id
from core.archive import services
from core.archive.permissions import approvers_of, holder_among
from core.archive.queries import cases as case_queries
from core.archive.queries import choices, documents, history, posts
from core.archive.queries.flow import dokumentflyt_of
from core.auth.user import User
from core.errors import Conflict, Forbidden, ValidationFailed
from core.i18n import _
from core.web.archive import uploads
from core.web.archive.cases import remarks_fragment
from core.web.archive.common import (
    Form,
    done,
    may_work_on_case,
    may_work_on_post,
    optional_date,
    rename_errors,
    settings_of,
    value,
    values,
    viewer_of,
)
from core.web.archive.labels import options
from core.web.flash import flash
from core.web.pages import AnyRequest, current_user, fragment, is_fragment_request, page, runtime

NEW_POST_TYPES = ("U", "N", "X")
OWN_TYPES = NEW_POST_TYPES
OPEN_OWN_STATUSES = ("R", "F", "G")
"""Journalstatus of an own post that can still be ekspedert."""
FROZEN_STATUSES = ("E", "J", "A", "U")
POST_FIELDS = (
    "journalposttype",
    "tittel",
    "offentlig_tittel",
    "dokumentets_dato",
    "forfallsdato",
    "tilgangsrestriksjon",
    "skjermingshjemmel",
    "dokumenttittel",
)
EXTERNAL_FIELDS = ("navn", "postadresse", "postnummer", "poststed", "epostadresse")
MAX_ROWS = 20
POST_ERROR_FIELDS = {
    "documents": "hoveddokument",
    "dokumenter": "hoveddokument",
    "mottakere": "mottaker_navn_1",
    "interne_mottakere": "intern_enhet_1",
    "avskriver_korrespondansepart_ids": "besvarer",
}


def parse_version(data: dict[str, Any]) -> int:
    return parse_id(value(data, "version")) or 0


# --- the post page -------------------------------------------------------------------------


def post_actions(
    user: User, record: dict[str, Any], *, under_approval: bool = False, approver: bool = False
) -> dict[str, bool]:
    """Which actions to offer on a post (mirrors the services' state rules; they decide).
    ``under_approval``: an approval round runs (the post is locked: only its approver, when
    ``approver``, changes the documents; nobody dispatches it here)."""
    may_work = may_work_on_post(user, record)
    status, kind = record["journalstatus"], record["journalposttype"]
    own = kind in OWN_TYPES
    editable = status not in FROZEN_STATUSES or (status == "J" and user.is_archive)
    return {
        "may_work": may_work,
        "can_finish": may_work and own and status == "R",
        "can_dispatch": may_work and own and status in OPEN_OWN_STATUSES and not under_approval,
        "can_add_document": may_work and editable and status not in ("F", "G") and not under_approval,
        "can_upload_version": approver if under_approval else may_work and editable,
        "approver_upload": approver,
        "can_remark": may_work or bool(record.get("involvert")),
    }


async def post_context(request: AnyRequest, journalpost_id: int) -> dict[str, Any]:
    viewer = await viewer_of(request)
    record = await posts.get_post(viewer, journalpost_id)
    await documents.attach_documents(viewer, [record])
    user = current_user(request)
    receivers = await approvers_of(journalpost_id)
    approver = holder_among(user, receivers) is not None
    return {"post": record, **post_actions(user, record, under_approval=bool(receivers), approver=approver)}


async def post_page_response(
    request: AnyRequest,
    journalpost_id: int,
    *,
    hside: int | None = None,
    remark: str = "",
    remark_errors: dict[str, str] | None = None,
    upload_errors: dict[str, dict[str, str]] | None = None,
    new_title: str = "",
    alert: str = "",
    status_code: int = 200,
) -> Template:
    context = await post_context(request, journalpost_id)
    record = context["post"]
    return await page(
        request,
        "arkiv/journalpost.html",
        status_code=status_code,
        remarks=await history.remarks(record["synlig"], journalpost_id=journalpost_id),
        dokumentflyt=await dokumentflyt_of(await viewer_of(request), journalpost_id),
        events=await history.post_history(
            await viewer_of(request), journalpost_id, page=hside, labels=runtime(request).audit_labels
        ),
        remark=remark,
        remark_errors=remark_errors or {},
        upload_errors=upload_errors or {},
        new_title=new_title,
        alert=alert,
        melding="",
        **context,
    )


@get("/arkiv/journalpost/{journalpost_id:int}", name="arkiv:post")
async def post_page(
    request: AnyRequest, journalpost_id: FromPath[int], hside: FromQuery[int | None] = None
) -> Template:
    return await post_page_response(request, journalpost_id, hside=hside)


async def status_fragment(request: AnyRequest, journalpost_id: int, message: str) -> Template:
    """The status panel, the documents out of band, and a message for the message area."""
    context = await post_context(request, journalpost_id)
    return fragment(
        "arkiv/_journalpost_status.html", melding=message, upload_errors={}, new_title="", oob=True, **context
    )


async def _post_action(
    request: AnyRequest, journalpost_id: int, data: dict[str, Any], action: str
) -> Response[Any]:
    version = parse_version(data)
    settings, user = settings_of(request), current_user(request)
    try:
        if action == "ferdigstill":
            await services.ferdigstill(settings, user, journalpost_id, version)
            message = _("Journalposten er ferdigstilt.")
        else:
            await services.ekspeder(settings, user, journalpost_id, version)
            message = _("Journalposten er ekspedert.")
    except Conflict as exc:
        if is_fragment_request(request):
            raise
        return await post_page_response(request, journalpost_id, alert=exc.detail, status_code=409)
    if is_fragment_request(request):
        return await status_fragment(request, journalpost_id, message)
    flash(request, message)
    return done(request, f"/arkiv/journalpost/{journalpost_id}")


@post("/arkiv/journalpost/{journalpost_id:int}/ferdigstill", name="arkiv:post_finish")
async def post_finish(
    request: AnyRequest, journalpost_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response[Any]:
    return await _post_action(request, journalpost_id, data, "ferdigstill")


@post("/arkiv/journalpost/{journalpost_id:int}/ekspeder", name="arkiv:post_dispatch")
async def post_dispatch(
    request: AnyRequest, journalpost_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response[Any]:
    return await _post_action(request, journalpost_id, data, "ekspeder")


@post("/arkiv/journalpost/{journalpost_id:int}/merknad", name="arkiv:post_remark")
async def post_remark(
    request: AnyRequest, journalpost_id: FromPath[int], data: URLEncodedBody[dict[str, str]]
) -> Response[Any]:
    text = value(data, "merknadstekst")
    record = await posts.get_post(await viewer_of(request), journalpost_id)
    try:
        await services.add_merknad(
            settings_of(request), current_user(request), text, journalpost_id=journalpost_id
        )
    except ValidationFailed as exc:
        errors = rename_errors(exc.errors, {"text": "merknadstekst"})
        if is_fragment_request(request):
            return await remarks_fragment(
                request,
                journalpost_id=journalpost_id,
                visible=record["synlig"],
                text=text,
                errors=errors,
                status_code=422,
            )
        return await post_page_response(
            request, journalpost_id, remark=text, remark_errors=errors, status_code=422
        )
    if is_fragment_request(request):
        return await remarks_fragment(
            request,
            journalpost_id=journalpost_id,
            visible=record["synlig"],
            message=_("Merknaden er lagret."),
        )
    flash(request, _("Merknaden er lagret."))
    return done(request, f"/arkiv/journalpost/{journalpost_id}#merknader")


# --- ny journalpost ------------------------------------------------------------------------


def _rows(data: dict[str, Any], prefix: str, fields: tuple[str, ...], count_key: str) -> list[dict[str, str]]:
    """Repeated rows ``<prefix>_<field>_<n>`` (n = 1..count) as dicts, as typed."""
    count = min(max(parse_id(value(data, count_key)) or 1, 1), MAX_ROWS)
    return [{field: value(data, f"{prefix}_{field}_{n}") for field in fields} for n in range(1, count + 1)]


async def _new_post_page(
    request: AnyRequest,
    saksmappe_id: int,
    form: Form,
    *,
    errors: dict[str, str] | None = None,
    alert: str = "",
    status_code: int = 200,
) -> Template:
    viewer = await viewer_of(request)
    case = await case_queries.get_case(viewer, saksmappe_id)
    return await page(
        request,
        "arkiv/journalpost_ny.html",
        status_code=status_code,
        alert=alert,
        case=case,
        form=form,
        errors=errors or {},
        types=options("journalposttype", NEW_POST_TYPES),
        restrictions=options("tilgangsrestriksjon"),
        units=await choices.units(),
        people=await choices.people_by_unit(),
        restanser=await posts.open_restanser_in_case(viewer, saksmappe_id),
    )


@get("/arkiv/sak/{saksmappe_id:int}/ny-journalpost", name="arkiv:post_new")
async def post_new(
    request: AnyRequest, saksmappe_id: FromPath[int], journalposttype: FromQuery[str | None] = None
) -> Template:
    viewer = await viewer_of(request)
    case = await case_queries.get_case(viewer, saksmappe_id)
    if not may_work_on_case(current_user(request), case):
        raise Forbidden(
            _(
                "Du kan bare arbeide med saker i din egen enhet, saker der du er saksansvarlig eller "
                "saksbehandler, og saker i enheter du leder."
            )
        )
    form: Form = {
        "journalposttype": journalposttype if journalposttype in NEW_POST_TYPES else "U",
        "tilgangsrestriksjon": case["tilgangsrestriksjon"],
        "skjermingshjemmel": case["skjermingshjemmel"],
        "mottakere": [dict.fromkeys(EXTERNAL_FIELDS, "")],
        "interne": [{"enhet": "", "behandler": ""}],
        "besvarer": [],
        "kept_main": [],
        "kept_attachments": [],
    }
    return await _new_post_page(request, saksmappe_id, form)


def _post_form(data: dict[str, Any]) -> Form:
    form: Form = {key: value(data, key) for key in POST_FIELDS}
    form["mottakere"] = _rows(data, "mottaker", EXTERNAL_FIELDS, "antall_mottakere")
    form["interne"] = _rows(data, "intern", ("enhet", "behandler"), "antall_interne")
    form["besvarer"] = values(data, "besvarer")
    return form


def document_list(
    title: str, main: services.UploadedFile | None, attachments: list[services.UploadedFile]
) -> list[services.NewDocument]:
    """Main document (titled ``title``) first, then the attachments titled by file name."""
    docs = [services.NewDocument(tittel=title, file=main, tilknyttet_registrering_som="H")] if main else []
    for file in attachments:
        stem = file.filnavn.rsplit(".", 1)[0] if "." in file.filnavn else file.filnavn
        docs.append(
            services.NewDocument(tittel=stem or file.filnavn, file=file, tilknyttet_registrering_som="V")
        )
    return docs


def _new_post(form: Form, docs: list[services.NewDocument], errors: dict[str, str]) -> services.NewPost:
    kind = form["journalposttype"]
    external = [
        services.Part(
            navn=row["navn"],
            korrespondanseparttype="EM",
            postadresse=row["postadresse"],
            postnummer=row["postnummer"],
            poststed=row["poststed"],
            epostadresse=row["epostadresse"],
        )
        for row in form["mottakere"]
        if any(row.values())
    ]
    internal: list[services.InternalRecipient] = []
    for n, row in enumerate(form["interne"], start=1):
        if not row["enhet"] and not row["behandler"]:
            continue
        unit_id = parse_id(row["enhet"])
        if unit_id is None:
            errors[f"intern_enhet_{n}"] = _("Velg enheten til mottakeren.")
            continue
        internal.append(
            services.InternalRecipient(
                administrativ_enhet_id=unit_id, saksbehandler_id=parse_id(row["behandler"])
            )
        )
    answered = [i for i in (parse_id(v) for v in form["besvarer"]) if i is not None]
    return services.NewPost(
        journalposttype=kind,
        tittel=form["tittel"],
        offentlig_tittel=form["offentlig_tittel"],
        dokumentets_dato=optional_date(form, "dokumentets_dato", errors, _("Dokumentets dato")),
        forfallsdato=optional_date(form, "forfallsdato", errors, _("Forfallsdato")),
        mottakere=external if kind == "U" else [],
        interne_mottakere=internal if kind in ("N", "X") else [],
        tilgangsrestriksjon=form["tilgangsrestriksjon"],
        skjermingshjemmel=form["skjermingshjemmel"],
        documents=docs,
        avskriver_korrespondansepart_ids=answered,
    )


@post(
    "/arkiv/sak/{saksmappe_id:int}/ny-journalpost",
    name="arkiv:post_create",
    request_max_body_size=uploads.MAX_UPLOAD_BYTES,
)
async def post_create(request: AnyRequest, saksmappe_id: FromPath[int]) -> Response[Any]:
    # The case must exist and the user may write to it before the body is read.
    await services.check_post_creator(current_user(request), saksmappe_id)
    settings, person = settings_of(request), current_user(request).person_id
    data = await uploads.form_data(request)
    main, attachments = await uploads.form_files(settings, person, data)
    try:
        return await _post_create(request, saksmappe_id, data, main, attachments)
    finally:
        uploads.discard(settings, [main, *attachments])


async def _post_create(
    request: AnyRequest,
    saksmappe_id: int,
    data: dict[str, Any],
    main: services.UploadedFile | None,
    attachments: list[services.UploadedFile],
) -> Response[Any]:
    form = _post_form(data)

    async def again(**kwargs: Any) -> Response[Any]:
        """The form again, with the files kept for the next try."""
        uploads.keep_files(settings_of(request), current_user(request).person_id, form, main, attachments)
        return await _new_post_page(request, saksmappe_id, form, **kwargs)

    action = value(data, "handling")
    if action == "flere_mottakere" and len(form["mottakere"]) < MAX_ROWS:
        form["mottakere"].append(dict.fromkeys(EXTERNAL_FIELDS, ""))
        return await again()
    if action == "flere_interne" and len(form["interne"]) < MAX_ROWS:
        form["interne"].append({"enhet": "", "behandler": ""})
        return await again()
    errors: dict[str, str] = {}
    if form["journalposttype"] not in NEW_POST_TYPES:
        errors["journalposttype"] = _("Velg hva slags journalpost dette er.")
    new_post = _new_post(
        form, document_list(form["dokumenttittel"] or form["tittel"], main, attachments), errors
    )
    if errors:
        return await again(errors=errors, status_code=422)
    try:
        post_id = await services.create_post(
            settings_of(request), current_user(request), saksmappe_id, new_post
        )
    except ValidationFailed as exc:
        return await again(errors=rename_errors(exc.errors, POST_ERROR_FIELDS), status_code=422)
    except Conflict as exc:
        return await again(alert=exc.detail, status_code=409)
    record = await posts.get_post(await viewer_of(request), post_id)
    flash(request, _("Journalpost %(number)s er opprettet.") % {"number": record["registrerings_id"]})
    return done(request, f"/arkiv/journalpost/{post_id}")


ROUTES = [post_page, post_finish, post_dispatch, post_remark, post_new, post_create]
