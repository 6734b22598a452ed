"""Fellestjenesten/Arkiv registers incoming post: "Registrer inngående post" (type I, or N to a
unit) into a new or an existing case, with the main document and attachments; then a receipt
with the journal post's number.

The existing case is found by number or title (htmx lists matching open cases as radio buttons
while the user types; without JavaScript the typed number is looked up on submit). A form with
errors comes back with everything typed, and the files already sent are kept.
"""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template

from core.admin.common import parse_id
from core.archive import services
from core.archive.queries import cases as case_queries
from core.archive.queries import choices, documents, mine, posts, search
from core.dates import show_date
from core.errors import Forbidden, NotFound, ValidationFailed
from core.i18n import _
from core.timeutil import today
from core.web.archive import uploads
from core.web.archive.common import (
    Form,
    done,
    optional_date,
    optional_id,
    received_at,
    rename_errors,
    settings_of,
    value,
    viewer_of,
)
from core.web.archive.labels import options
from core.web.archive.posts import document_list
from core.web.pages import AnyRequest, current_user, fragment, page

INCOMING_TYPES = ("I", "N")
CASE_NEW = "ny"
CASE_EXISTING = "eksisterende"
FIELDS = (
    "sak_valg",
    "saksnummer",
    "saksmappe_id",
    "sak_tittel",
    "sak_offentlig_tittel",
    "journalposttype",
    "avsender_navn",
    "avsender_postadresse",
    "avsender_postnummer",
    "avsender_poststed",
    "avsender_epostadresse",
    "tittel",
    "offentlig_tittel",
    "dokumentets_dato",
    "mottatt_dato",
    "forfallsdato",
    "mottaker_enhet_id",
    "tilgangsrestriksjon",
    "skjermingshjemmel",
    "dokumenttittel",
)
ERROR_FIELDS = {
    "avsender": "avsender_navn",
    "new_case": "sak_tittel",
    "documents": "hoveddokument",
    "dokumenter": "hoveddokument",
    "saksmappe": "saksnummer",
    "saksmappe_id": "saksnummer",
    "administrativ_enhet_id": "mottaker_enhet_id",
    "saksansvarlig_id": "mottaker_enhet_id",
}


def require_archive(request: AnyRequest) -> None:
    if not current_user(request).is_archive:
        raise Forbidden(_("Bare Fellestjenesten/Arkiv registrerer inngående post."))


async def _form_page(
    request: AnyRequest, form: Form, errors: dict[str, str] | None = None, status_code: int = 200
) -> Template:
    viewer = await viewer_of(request)
    hits: list[dict[str, Any]] = []
    if form.get("saksnummer"):
        hits = await search.pick_open_cases(viewer, form["saksnummer"])
    chosen = parse_id(form.get("saksmappe_id", ""))
    if chosen is not None and all(hit["id"] != chosen for hit in hits):
        try:
            case = await case_queries.get_case(viewer, chosen)
        except NotFound:
            case = None
        if case is not None:
            hits.insert(
                0,
                {**case, "nummer": case["mappe_id"], "dato": case["saksdato"], "status": case["saksstatus"]},
            )
    return await page(
        request,
        "arkiv/registrer.html",
        status_code=status_code,
        form=form,
        errors=errors or {},
        hits=hits,
        units=await choices.units(),
        restrictions=options("tilgangsrestriksjon"),
    )


@get("/arkiv/registrer", name="arkiv:incoming")
async def incoming_form(request: AnyRequest, sak: FromQuery[int | None] = None) -> Template:
    require_archive(request)
    form: Form = {
        "sak_valg": CASE_EXISTING if sak else CASE_NEW,
        "saksmappe_id": str(sak or ""),
        "journalposttype": "I",
        "mottatt_dato": show_date(today()),
        "kept_main": [],
        "kept_attachments": [],
    }
    return await _form_page(request, form)


async def _case_id(form: Form, errors: dict[str, str]) -> int | None:
    """The existing case chosen in the picker, or the one whose number was typed."""
    chosen = parse_id(form["saksmappe_id"])
    if chosen is not None:
        return chosen
    number = search.parse_number(form["saksnummer"]) if form["saksnummer"] else None
    if number is not None and number.journalpostnummer is None:
        found = await case_queries.find_case_id(number.saksaar, number.sakssekvensnummer)
        if found is not None:
            form["saksmappe_id"] = str(found)
            return found
        errors["saksnummer"] = _("Fant ingen sak med nummer %(number)s.") % {"number": form["saksnummer"]}
        return None
    errors["saksnummer"] = _("Søk opp saken med saksnummer eller tittel, og velg den i listen.")
    return None


def _incoming(
    form: Form, case_id: int | None, docs: list[services.NewDocument], errors: dict[str, str]
) -> services.IncomingPost:
    receiving_unit = optional_id(form, "mottaker_enhet_id", errors, _("Velg en enhet fra listen."))
    new_case = None
    if form["sak_valg"] != CASE_EXISTING:
        new_case = services.NewCase(  # empty titles: the service takes the post's
            tittel=form["sak_tittel"],
            offentlig_tittel=form["sak_offentlig_tittel"],
            administrativ_enhet_id=receiving_unit,
            saksansvarlig_id=None,
            tilgangsrestriksjon=form["tilgangsrestriksjon"],
            skjermingshjemmel=form["skjermingshjemmel"],
        )
    sender = None
    if any(
        form[f"avsender_{key}"] for key in ("navn", "postadresse", "postnummer", "poststed", "epostadresse")
    ):
        sender = services.Part(
            navn=form["avsender_navn"],
            korrespondanseparttype="EA",
            postadresse=form["avsender_postadresse"],
            postnummer=form["avsender_postnummer"],
            poststed=form["avsender_poststed"],
            epostadresse=form["avsender_epostadresse"],
        )
    return services.IncomingPost(
        journalposttype=form["journalposttype"],
        tittel=form["tittel"],
        offentlig_tittel=form["offentlig_tittel"],
        saksmappe_id=case_id if form["sak_valg"] == CASE_EXISTING else None,
        new_case=new_case,
        avsender=sender,
        dokumentets_dato=optional_date(form, "dokumentets_dato", errors, _("Dokumentets dato")),
        mottatt_dato=received_at(optional_date(form, "mottatt_dato", errors, _("Mottatt dato"))),
        forfallsdato=optional_date(form, "forfallsdato", errors, _("Forfallsdato")),
        mottaker_enhet_id=receiving_unit,
        tilgangsrestriksjon=form["tilgangsrestriksjon"],
        skjermingshjemmel=form["skjermingshjemmel"],
        documents=docs,
    )


@post("/arkiv/registrer", name="arkiv:incoming_register", request_max_body_size=uploads.MAX_UPLOAD_BYTES)
async def incoming_register(request: AnyRequest) -> Response[Any]:
    require_archive(request)  # before the body is read
    settings, person = settings_of(request), current_user(request).person_id
    data = await uploads.form_data(request)
    main, attachments = await uploads.form_files(settings, person, data)
    try:
        return await _register(request, data, main, attachments)
    finally:
        uploads.discard(settings, [main, *attachments])


async def _register(
    request: AnyRequest,
    data: dict[str, Any],
    main: services.UploadedFile | None,
    attachments: list[services.UploadedFile],
) -> Response[Any]:
    settings, person = settings_of(request), current_user(request).person_id
    form: Form = {key: value(data, key) for key in FIELDS}
    if form["sak_valg"] not in (CASE_NEW, CASE_EXISTING):
        form["sak_valg"] = CASE_NEW

    async def again(errors: dict[str, str]) -> Response[Any]:
        """The form again, with the files kept for the next try."""
        uploads.keep_files(settings, person, form, main, attachments)
        return await _form_page(request, form, errors, status_code=422)

    errors: dict[str, str] = {}
    if form["journalposttype"] not in INCOMING_TYPES:
        errors["journalposttype"] = _("Velg inngående dokument eller internt notat.")
    case_id = await _case_id(form, errors) if form["sak_valg"] == CASE_EXISTING else None
    docs = document_list(form["dokumenttittel"] or form["tittel"], main, attachments)
    incoming = _incoming(form, case_id, docs, errors)
    if errors:
        return await again(errors)
    try:
        post_id = await services.register_incoming(settings, current_user(request), incoming)
    except ValidationFailed as exc:
        return await again(rename_errors(exc.errors, ERROR_FIELDS))
    return done(request, f"/arkiv/registrer/kvittering/{post_id}")


@get("/arkiv/registrer/kvittering/{journalpost_id:int}", name="arkiv:incoming_receipt")
async def incoming_receipt(request: AnyRequest, journalpost_id: FromPath[int]) -> Template:
    require_archive(request)
    viewer = await viewer_of(request)
    record = await posts.get_post(viewer, journalpost_id)
    await documents.attach_documents(viewer, [record])
    return await page(request, "arkiv/kvittering.html", post=record)


@get("/arkiv/registrer/kort", name="arkiv:incoming_card")
async def incoming_card(request: AnyRequest) -> Template:
    """The front-page card of Fellestjenesten/Arkiv: the registration pages, the incoming posts
    the user registered today and the receipt of the newest (one statement)."""
    require_archive(request)
    found = await mine.registered_on(current_user(request).person_id, today())
    return fragment("arkiv/_registrer_kort.html", registered=found)


ROUTES = [incoming_form, incoming_register, incoming_receipt, incoming_card]
