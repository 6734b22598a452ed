"""Noark 5 rules of the write side as plain functions: allowed codes per function, when a post
is frozen, when a case may be closed, and the input checks (Norwegian messages).

Checks add to an ``errors`` dict (field name → message, the field names of the service's input
dataclasses); the services raise :class:`~core.errors.ValidationFailed` with it. State rules
return the refusal text (or None) and the services raise :class:`~core.errors.Conflict`.

Sources: arkivverket/noark5-standard ``kapitler/040-fangst_frys_forvaltning.rst`` (krav
3.2.19–3.2.30 on freezing, 3.2.7/3.2.9 and 3.4.x on closing and avskrivning).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Protocol

from core.archive import kodelister
from core.i18n import _, ngettext
from core.timeutil import OSLO, oslo_date

INCOMING_TYPES = ("I", "N")
"""What Fellestjenesten/Arkiv registers as incoming post."""
OWN_TYPES = ("U", "N", "X")
"""What a handler creates in a case."""
RESTANSE_TYPES = ("I", "N")
"""Journalposttyper whose internal recipients (IM) carry a restanse until written off."""
INTERNAL_PART_TYPES = ("IM", "IK")
"""Internal recipient and internal copy recipient; only IM carries a restanse."""
RECIPIENT_PART_TYPES = ("EM", "EK", "GM")
"""External recipients of a U post."""
SENDER_PART_TYPES = ("EA",)
OPEN_OWN_STATUSES = ("R", "F", "G")
"""An own post that is still being worked on (not ekspedert, journalført or arkivert)."""
CLOSED_CASE_STATUSES = ("A", "U")
ANSWER_TYPES = {"BU": ("U",), "BN": ("N", "X")}
"""Avskrivningsmåter that name the kind of post that answers."""
FORELOEPIG_SVAR_TYPES = {"I": ("U",), "N": ("N", "X")}
"""The posts that may be named as the foreløpig svar of a restanse, by the restanse's
journalposttype: an incoming letter (I) gets its provisional reply as an outgoing letter (U, as
ePhorte's «*** Midlertidig svar» is given with «Svar med utgående post»); an internal note (N)
from a colleague as a note (N or X, the types a BN write-off names)."""

MAX_NAME = 300
MAX_ADDRESS = 300
MAX_POSTNUMMER = 10
MAX_POSTSTED = 100
MAX_EMAIL = 254
MAX_HJEMMEL = 200
MAX_MERKNAD = 4000
MAX_FILENAME = 300


class FileLike(Protocol):
    @property
    def filnavn(self) -> str: ...
    @property
    def size(self) -> int: ...


class DocumentLike(Protocol):
    @property
    def tittel(self) -> str: ...
    @property
    def file(self) -> FileLike: ...
    @property
    def tilknyttet_registrering_som(self) -> str: ...


class PartLike(Protocol):
    @property
    def navn(self) -> str: ...
    @property
    def korrespondanseparttype(self) -> str: ...
    @property
    def postadresse(self) -> str: ...
    @property
    def postnummer(self) -> str: ...
    @property
    def poststed(self) -> str: ...
    @property
    def epostadresse(self) -> str: ...


def add(errors: dict[str, str], field: str, message: str) -> None:
    """Add ``message`` for ``field``; a field with several problems lists each once."""
    if field not in errors:
        errors[field] = message
    elif message not in errors[field]:
        errors[field] = f"{errors[field]} {message}"


def is_code(kodeliste: str, kode: str) -> bool:
    return kode in kodelister.codes(kodeliste)


# --- input checks ------------------------------------------------------------------------


def check_title(tittel: str, errors: dict[str, str], field: str = "tittel") -> str:
    """The title without surrounding blanks; an error when empty."""
    tittel = (tittel or "").strip()
    if not tittel:
        add(errors, field, _("Skriv en tittel."))
    return tittel


def check_skjerming(
    tilgangsrestriksjon: str, skjermingshjemmel: str, errors: dict[str, str]
) -> tuple[str, str]:
    """Tilgangskode from the list; a restricted record needs its skjermingshjemmel."""
    kode = (tilgangsrestriksjon or "").strip()
    hjemmel = (skjermingshjemmel or "").strip()
    if kode and not is_code(kodelister.TILGANGSRESTRIKSJON, kode):
        add(errors, "tilgangsrestriksjon", _("Velg en tilgangskode fra listen."))
    if kode and not hjemmel:
        add(
            errors,
            "skjermingshjemmel",
            _("Skriv skjermingshjemmelen for tilgangskoden, for eksempel «Offl. § 13 jf. fvl. § 13»."),
        )
    if len(hjemmel) > MAX_HJEMMEL:
        add(
            errors,
            "skjermingshjemmel",
            _("Skjermingshjemmelen kan ha høyst %(max)s tegn.") % {"max": MAX_HJEMMEL},
        )
    return kode, hjemmel


def _day(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return value.astimezone(OSLO).date() if value.tzinfo else value.date()
    return value


def may_undo_foreloepig_svar(
    registered_by: int | None, registered_at: datetime | None, person_id: int, day: date
) -> bool:
    """Whether ``person_id`` may undo a foreløpig svar on ``day`` (Oslo): only the person who
    registered it (who clicked, also as a deputy), and only on the day they registered it. An
    imported one (no ``registered_by``) cannot be undone."""
    return (
        registered_by is not None
        and registered_by == person_id
        and registered_at is not None
        and oslo_date(registered_at) == day
    )


def check_dates(
    errors: dict[str, str],
    *,
    dokumentets_dato: date | None,
    forfallsdato: date | None,
    mottatt_dato: datetime | None = None,
) -> None:
    if dokumentets_dato and forfallsdato and forfallsdato < dokumentets_dato:
        add(errors, "forfallsdato", _("Forfallsdatoen kan ikke være før dokumentets dato."))
    received = _day(mottatt_dato)
    if dokumentets_dato and received and dokumentets_dato > received:
        add(errors, "dokumentets_dato", _("Dokumentets dato kan ikke være etter mottatt dato."))


def check_file(file: FileLike, errors: dict[str, str], field: str) -> None:
    if not file.filnavn.strip():
        add(errors, field, _("Filen mangler navn."))
    elif file.size == 0:
        add(errors, field, _("Filen «%(filnavn)s» er tom.") % {"filnavn": file.filnavn})


def check_documents(
    documents: Iterable[DocumentLike],
    errors: dict[str, str],
    *,
    has_main: bool = False,
    require_main: bool = False,
    field: str = "documents",
) -> None:
    """The first document of a post is the hoveddokument (H); there is only one; every file has
    a name, content and a title. With ``require_main`` (incoming post) a post without a
    hoveddokument, with no documents or with attachments only, is refused with one message."""
    documents = list(documents)
    if require_main and not has_main and all(d.tilknyttet_registrering_som != "H" for d in documents):
        add(errors, field, _("Velg filen med hoveddokumentet."))
        has_main = True  # said once: the attachments are not reported as a misplaced first document
    for number, document in enumerate(documents):
        kind = document.tilknyttet_registrering_som
        if not is_code(kodelister.TILKNYTTET_REGISTRERING_SOM, kind):
            add(errors, field, _("Velg hoveddokument (H) eller vedlegg (V)."))
        elif number == 0 and not has_main and kind != "H":
            add(errors, field, _("Det første dokumentet i en journalpost må være hoveddokumentet (H)."))
        elif kind == "H" and (has_main or number > 0):
            add(
                errors,
                field,
                _("En journalpost har bare ett hoveddokument (H); de andre dokumentene er vedlegg (V)."),
            )
        if not document.tittel.strip():
            add(errors, field, _("Skriv en tittel på dokumentet."))
        check_file(document.file, errors, field)


def check_part(part: PartLike, allowed: tuple[str, ...], errors: dict[str, str], field: str) -> None:
    """An external correspondent: a name, a type allowed here, field lengths, an e-mail address
    that looks like one."""
    if not part.navn.strip():
        add(errors, field, _("Skriv navnet på korrespondanseparten."))
    if part.korrespondanseparttype not in allowed:
        names = ", ".join(f"{kodelister.name(kodelister.KORRESPONDANSEPARTTYPE, k)} ({k})" for k in allowed)
        add(errors, field, _("Korrespondanseparten må ha en av disse typene: %(types)s.") % {"types": names})
    limits = (
        (part.navn, MAX_NAME),
        (part.postadresse, MAX_ADDRESS),
        (part.postnummer, MAX_POSTNUMMER),
        (part.poststed, MAX_POSTSTED),
        (part.epostadresse, MAX_EMAIL),
    )
    if any(len(text.strip()) > limit for text, limit in limits):
        add(errors, field, _("Et av feltene til korrespondanseparten er for langt."))
    email = part.epostadresse.strip()
    if email and ("@" not in email or email.startswith("@") or email.endswith("@") or " " in email):
        add(errors, field, _("Skriv en gyldig e-postadresse, for eksempel ola@example.no."))


def check_merknad(text: str, errors: dict[str, str]) -> str:
    text = (text or "").strip()
    if not text:
        add(errors, "text", _("Skriv en merknad."))
    elif len(text) > MAX_MERKNAD:
        add(errors, "text", _("Merknaden kan ha høyst %(max)s tegn.") % {"max": MAX_MERKNAD})
    return text


# --- state rules -------------------------------------------------------------------------


def frozen_reason(journalstatus: str) -> str | None:
    """Why a post in this state cannot change at all (ekspedert, arkivert, utgår), or None."""
    if journalstatus == "E":
        return _("Journalposten er ekspedert, og feltene og dokumentene kan ikke endres lenger.")
    if journalstatus == "A":
        return _("Journalposten er arkivert og kan ikke endres.")
    if journalstatus == "U":
        return _("Journalposten utgår og kan ikke endres.")
    return None


def edit_refusal(journalstatus: str, *, is_archive: bool) -> str | None:
    """Title, dates: frozen after E/A/U. A post journalført by the archive (J, incoming post)
    may be changed only by Fellestjenesten/Arkiv until it is arkivert."""
    reason = frozen_reason(journalstatus)
    if reason is not None:
        return reason
    if journalstatus == "J" and not is_archive:
        return _("Journalposten er journalført av arkivet. Bare Fellestjenesten/Arkiv kan endre den.")
    return None


def document_refusal(journalstatus: str, *, is_archive: bool) -> str | None:
    """Adding a document: as :func:`edit_refusal`, and not after the handler ferdigstilt the
    post (F) or the leader approved it (G): those documents are final."""
    reason = edit_refusal(journalstatus, is_archive=is_archive)
    if reason is not None:
        return reason
    if journalstatus in ("F", "G"):
        return _("Journalposten er ferdigstilt, og dokumentene kan ikke endres lenger.")
    return None


def ferdigstill_refusal(journalposttype: str, journalstatus: str) -> str | None:
    if journalposttype not in OWN_TYPES:
        return _("Bare egne journalposter (U, N og X) ferdigstilles av saksbehandleren.")
    if journalstatus in ("F", "G"):
        return _("Journalposten er allerede ferdigstilt.")
    if journalstatus != "R":
        return frozen_reason(journalstatus) or _("Journalposten kan ikke ferdigstilles i denne statusen.")
    return None


def ekspeder_refusal(journalposttype: str, journalstatus: str) -> str | None:
    if journalposttype not in OWN_TYPES:
        return _("Bare utgående dokumenter og interne notater (U, N og X) kan ekspederes.")
    if journalstatus == "E":
        return _("Journalposten er allerede ekspedert.")
    if journalstatus not in OPEN_OWN_STATUSES:
        return frozen_reason(journalstatus) or _("Journalposten kan ikke ekspederes i denne statusen.")
    return None


def close_refusal(restanser: int, open_posts: int) -> str | None:
    """Krav 3.2.7/3.4: a case is not closed while restanser are open or own posts unsent."""
    problems = []
    if restanser:
        problems.append(
            ngettext(
                "%(count)s intern mottaker har en restanse som ikke er avskrevet",
                "%(count)s interne mottakere har restanser som ikke er avskrevet",
                restanser,
            )
            % {"count": restanser}
        )
    if open_posts:
        problems.append(
            ngettext(
                "%(count)s egen journalpost er ikke ekspedert eller arkivert",
                "%(count)s egne journalposter er ikke ekspedert eller arkivert",
                open_posts,
            )
            % {"count": open_posts}
        )
    if not problems:
        return None
    return _("Saken kan ikke avsluttes: %(problems)s.") % {"problems": "; ".join(problems)}


def case_closed_reason(saksstatus: str) -> str | None:
    if saksstatus == "A":
        return _("Saken er avsluttet.")
    if saksstatus == "U":
        return _("Saken utgår.")
    return None
