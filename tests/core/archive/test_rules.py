"""The Noark 5 rules of the write side as plain functions (core.archive.rules), and who may act
(core.archive.permissions): freezing, ferdigstill/ekspeder, closing a case, input checks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.archive import permissions, rules
from core.archive.services import NewDocument, Part, UploadedFile
from core.auth.user import User
from core.errors import Forbidden
from core.organisation import Authority


def document(
    kind: str = "H", content: bytes = b"x", tittel: str = "Brev", filnavn: str = "a.pdf"
) -> NewDocument:
    return NewDocument(tittel=tittel, file=UploadedFile(filnavn, content), tilknyttet_registrering_som=kind)


def user(
    person_id: int = 1, unit_id: int | None = 10, roles: frozenset[str] = frozenset(), authorities=()
) -> User:
    return User(
        person_id=person_id,
        name="Test",
        initials="T",
        email="t@example.no",
        unit_id=unit_id,
        unit_name="",
        roles=roles,
        authorities=tuple(authorities),
    )


# --- freezing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["E", "A", "U"])
def test_dispatched_archived_and_cancelled_posts_are_frozen_for_everyone(status: str) -> None:
    assert rules.edit_refusal(status, is_archive=False)
    assert rules.edit_refusal(status, is_archive=True)
    assert rules.document_refusal(status, is_archive=True)


def test_a_post_journalfort_by_the_archive_only_the_archive_changes() -> None:
    assert rules.edit_refusal("J", is_archive=False) == (
        "Journalposten er journalført av arkivet. Bare Fellestjenesten/Arkiv kan endre den."
    )
    assert rules.edit_refusal("J", is_archive=True) is None
    assert rules.document_refusal("J", is_archive=True) is None


def test_own_posts_are_editable_until_sent_and_documents_until_ferdigstilt() -> None:
    for status in ("R", "F", "G"):
        assert rules.edit_refusal(status, is_archive=False) is None
    assert rules.document_refusal("R", is_archive=False) is None
    assert rules.document_refusal("F", is_archive=False) == (
        "Journalposten er ferdigstilt, og dokumentene kan ikke endres lenger."
    )
    assert rules.document_refusal("G", is_archive=True)


def test_ferdigstill_and_ekspeder_apply_to_own_posts_in_work() -> None:
    assert rules.ferdigstill_refusal("U", "R") is None
    assert (
        rules.ferdigstill_refusal("I", "J")
        == "Bare egne journalposter (U, N og X) ferdigstilles av saksbehandleren."
    )
    assert rules.ferdigstill_refusal("N", "F") == "Journalposten er allerede ferdigstilt."
    assert rules.ferdigstill_refusal("X", "E") == (
        "Journalposten er ekspedert, og feltene og dokumentene kan ikke endres lenger."
    )
    for status in ("R", "F", "G"):
        assert rules.ekspeder_refusal("U", status) is None
    assert rules.ekspeder_refusal("I", "J")
    assert rules.ekspeder_refusal("U", "E") == "Journalposten er allerede ekspedert."
    assert rules.ekspeder_refusal("N", "A") == "Journalposten er arkivert og kan ikke endres."
    assert rules.ekspeder_refusal("X", "U") == "Journalposten utgår og kan ikke endres."


# --- closing a case ----------------------------------------------------------------------------


def test_close_refusal_counts_what_is_open() -> None:
    assert rules.close_refusal(0, 0) is None
    assert rules.close_refusal(1, 0) == (
        "Saken kan ikke avsluttes: 1 intern mottaker har en restanse som ikke er avskrevet."
    )
    assert rules.close_refusal(0, 3) == (
        "Saken kan ikke avsluttes: 3 egne journalposter er ikke ekspedert eller arkivert."
    )
    assert rules.close_refusal(2, 1) == (
        "Saken kan ikke avsluttes: 2 interne mottakere har restanser som ikke er avskrevet; "
        "1 egen journalpost er ikke ekspedert eller arkivert."
    )


def test_closed_or_cancelled_cases_take_no_new_posts() -> None:
    assert rules.case_closed_reason("B") is None
    assert rules.case_closed_reason("A") == "Saken er avsluttet."
    assert rules.case_closed_reason("U") == "Saken utgår."


# --- input checks ------------------------------------------------------------------------------


def test_documents_start_with_one_hoveddokument() -> None:
    errors: dict[str, str] = {}
    rules.check_documents([document("H"), document("V"), document("V")], errors)
    assert errors == {}
    rules.check_documents([document("V")], errors)
    assert errors == {"documents": "Det første dokumentet i en journalpost må være hoveddokumentet (H)."}
    errors = {}
    rules.check_documents([document("H"), document("H")], errors)
    assert "bare ett hoveddokument" in errors["documents"]
    errors = {}
    rules.check_documents([document("Q")], errors)
    assert errors == {"documents": "Velg hoveddokument (H) eller vedlegg (V)."}
    errors = {}
    rules.check_documents([document("H", b"", tittel=" ", filnavn="tom.pdf")], errors)
    assert errors == {"documents": "Skriv en tittel på dokumentet. Filen «tom.pdf» er tom."}
    errors = {}
    rules.check_documents([document("V")], errors, has_main=True)
    assert errors == {}


def test_dates() -> None:
    errors: dict[str, str] = {}
    rules.check_dates(errors, dokumentets_dato=date(2026, 5, 10), forfallsdato=date(2026, 5, 10))
    assert errors == {}
    rules.check_dates(errors, dokumentets_dato=date(2026, 5, 10), forfallsdato=date(2026, 5, 9))
    assert errors == {"forfallsdato": "Forfallsdatoen kan ikke være før dokumentets dato."}
    errors = {}
    rules.check_dates(
        errors,
        dokumentets_dato=date(2026, 5, 11),
        forfallsdato=None,
        mottatt_dato=datetime(2026, 5, 10, 12, tzinfo=UTC),
    )
    assert errors == {"dokumentets_dato": "Dokumentets dato kan ikke være etter mottatt dato."}


def test_skjerming_needs_a_known_code_and_a_hjemmel() -> None:
    errors: dict[str, str] = {}
    assert rules.check_skjerming(" 13 ", "", errors) == ("13", "")
    assert set(errors) == {"tilgangsrestriksjon", "skjermingshjemmel"}
    errors = {}
    assert rules.check_skjerming("P", " Offl. § 25 ", errors) == ("P", "Offl. § 25")
    assert errors == {}
    assert rules.check_skjerming("", "", errors) == ("", "")
    assert errors == {}


def test_parts() -> None:
    errors: dict[str, str] = {}
    rules.check_part(
        Part("Ola", "EM", epostadresse="ola@example.no"), rules.RECIPIENT_PART_TYPES, errors, "m"
    )
    assert errors == {}
    rules.check_part(Part(" ", "EA", epostadresse="ola.example.no"), rules.RECIPIENT_PART_TYPES, errors, "m")
    assert "Skriv navnet på korrespondanseparten." in errors["m"]
    assert "Mottaker (EM), Kopimottaker (EK), Gruppemottaker (GM)" in errors["m"]
    assert "Skriv en gyldig e-postadresse" in errors["m"]
    errors = {}
    rules.check_part(Part("Ola", postnummer="12345678901"), rules.SENDER_PART_TYPES, errors, "a")
    assert errors == {"a": "Et av feltene til korrespondanseparten er for langt."}


def test_merknad_text() -> None:
    errors: dict[str, str] = {}
    assert rules.check_merknad("  Ringte søker.  ", errors) == "Ringte søker."
    assert errors == {}
    rules.check_merknad("x" * (rules.MAX_MERKNAD + 1), errors)
    assert errors == {"text": "Merknaden kan ha høyst 4000 tegn."}


# --- capacities ------------------------------------------------------------------------------


def test_leader_capacity_prefers_an_own_leadership_over_a_deputyship() -> None:
    both = user(
        authorities=[Authority(unit_id=20, person_id=1, on_behalf_of=9), Authority(unit_id=30, person_id=1)]
    )
    assert permissions.as_leader(both, 20, 30) == permissions.Acting(permissions.LEADER)
    assert permissions.as_leader(both, 20) == permissions.Acting(permissions.LEADER, on_behalf_of=9)
    assert permissions.as_leader(both, 40, None) is None
    assert permissions.Acting(permissions.LEADER).merknadstype == "ML"
    assert permissions.AS_ARCHIVE.merknadstype == "MA"
    assert permissions.AS_HANDLER.merknadstype == "MS"


def test_who_may_close_a_case_and_write_off() -> None:
    case = {"saksansvarlig": 5, "administrativ_enhet": 20}
    assert permissions.case_closer(user(person_id=5), case) == permissions.AS_HANDLER
    assert permissions.case_closer(user(roles=frozenset({"arkiv"})), case) == permissions.AS_ARCHIVE
    deputy = user(authorities=[Authority(unit_id=20, person_id=1, on_behalf_of=7)])
    assert permissions.case_closer(deputy, case).on_behalf_of == 7
    with pytest.raises(Forbidden):
        permissions.case_closer(user(unit_id=20), case)
    part = {"saksbehandler": 3, "administrativ_enhet": 20}
    assert permissions.recipient_handler(user(person_id=3), part) == permissions.AS_HANDLER
    assert permissions.recipient_handler(deputy, part).on_behalf_of == 7
    with pytest.raises(Forbidden):
        permissions.recipient_handler(user(unit_id=20), part)
    with pytest.raises(Forbidden):
        permissions.access_admin(user())
    assert permissions.access_admin(user(roles=frozenset({"admin"}))).role == "admin"
