"""What the accessibility statement (*tilgjengelighetserklæring*) says: the dates, the 50 WCAG
2.1 A/AA success criteria with how each is checked and its status, and the known deviations.

The page (``/tilgjengelighetserklaering``) only shows this module; keep it true when the app
changes or a check is made (``docs/accessibility.md``: the manual steps, and what to update).
Texts are bokmål, marked with ``N_`` and translated where they are shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from core.i18n import N_

STATEMENT_DATE = date(2026, 12, 6)
"""When the statement was first written."""
LAST_CHECKED = date(2026, 12, 6)
"""When the statement was last compared with the app (the automatic checks run on every change)."""
MANUAL_CHECKED: date | None = None
"""When the manual checks of ``docs/accessibility.md`` (keyboard, zoom, screen reader) were last
made in full; None while they have not been made."""


class Method(StrEnum):
    """How a criterion is checked."""

    AXE = "axe"
    BROWSER_TEST = "browser_test"
    KEYBOARD = "keyboard"
    ZOOM = "zoom"
    SCREEN_READER = "screen_reader"
    REVIEW = "review"


METHOD_LABELS = {
    Method.AXE: N_("axe-core (automatisk)"),
    Method.BROWSER_TEST: N_("nettlesertest (automatisk)"),
    Method.KEYBOARD: N_("tastatur (manuelt)"),
    Method.ZOOM: N_("zoom og smal skjerm (manuelt)"),
    Method.SCREEN_READER: N_("skjermleser (manuelt)"),
    Method.REVIEW: N_("gjennomgang av kode og innhold"),
}
AUTOMATIC = frozenset({Method.AXE, Method.BROWSER_TEST})


class Status(StrEnum):
    MET = "met"
    DEVIATION = "deviation"
    NOT_CHECKED = "not_checked"
    NOT_APPLICABLE = "not_applicable"


STATUS_LABELS = {
    Status.MET: N_("Oppfylt"),
    Status.DEVIATION: N_("Ikke oppfylt"),
    Status.NOT_CHECKED: N_("Ikke kontrollert ennå"),
    Status.NOT_APPLICABLE: N_("Ikke aktuelt"),
}
STATUS_CLASSES = {
    Status.MET: "ok",
    Status.DEVIATION: "error",
    Status.NOT_CHECKED: "warn",
    Status.NOT_APPLICABLE: "",
}


@dataclass(frozen=True)
class Criterion:
    number: str
    name: str
    level: str
    methods: tuple[Method, ...]
    status: Status
    note: str = ""


@dataclass(frozen=True)
class Principle:
    number: str
    name: str
    criteria: tuple[Criterion, ...]


AXE, TEST, KEYS, ZOOM, READER, REVIEW = (
    Method.AXE,
    Method.BROWSER_TEST,
    Method.KEYBOARD,
    Method.ZOOM,
    Method.SCREEN_READER,
    Method.REVIEW,
)
MET, DEVIATION, NOT_CHECKED, NOT_APPLICABLE = (
    Status.MET,
    Status.DEVIATION,
    Status.NOT_CHECKED,
    Status.NOT_APPLICABLE,
)
NO_MEDIA = N_("Arkivrutiner har ikke lyd eller video.")
NARROW = N_(
    "Under 700 px bredde (også ved 200 % zoom i et vindu på 1280 px) blir listene til kort med "
    "tittel og handling synlige, og toppfeltet blir én linje med en menyknapp. Nettlesertesten "
    "sjekker dette ved 390 px og ved 200 % zoom uten sidelengs rulling."
)

PRINCIPLES: tuple[Principle, ...] = (
    Principle(
        "1",
        N_("Mulig å oppfatte"),
        (
            Criterion("1.1.1", N_("Ikke-tekstlig innhold"), "A", (AXE, READER), MET),
            Criterion(
                "1.2.1",
                N_("Bare lyd og bare video (forhåndsinnspilt)"),
                "A",
                (REVIEW,),
                NOT_APPLICABLE,
                NO_MEDIA,
            ),
            Criterion("1.2.2", N_("Teksting (forhåndsinnspilt)"), "A", (REVIEW,), NOT_APPLICABLE, NO_MEDIA),
            Criterion(
                "1.2.3",
                N_("Synstolking eller mediealternativ (forhåndsinnspilt)"),
                "A",
                (REVIEW,),
                NOT_APPLICABLE,
                NO_MEDIA,
            ),
            Criterion("1.2.4", N_("Teksting (direkte)"), "AA", (REVIEW,), NOT_APPLICABLE, NO_MEDIA),
            Criterion(
                "1.2.5", N_("Synstolking (forhåndsinnspilt)"), "AA", (REVIEW,), NOT_APPLICABLE, NO_MEDIA
            ),
            Criterion("1.3.1", N_("Informasjon og relasjoner"), "A", (AXE, READER), MET),
            Criterion("1.3.2", N_("Meningsfylt rekkefølge"), "A", (READER,), NOT_CHECKED),
            Criterion("1.3.3", N_("Sensoriske egenskaper"), "A", (REVIEW, READER), NOT_CHECKED),
            Criterion(
                "1.3.4",
                N_("Visningsretning"),
                "AA",
                (TEST, REVIEW),
                MET,
                N_("Sidene låser ikke retningen, og sjekkes både liggende (1280 px) og stående (320 px)."),
            ),
            Criterion(
                "1.3.5",
                N_("Identifiser formål med inndata"),
                "AA",
                (AXE, REVIEW),
                NOT_APPLICABLE,
                N_("Skjemaene spør ikke etter opplysninger om brukeren selv."),
            ),
            Criterion(
                "1.4.1",
                N_("Bruk av farge"),
                "A",
                (AXE, REVIEW),
                MET,
                N_("Status vises alltid med tekst, ikke bare med farge."),
            ),
            Criterion("1.4.2", N_("Styring av lyd"), "A", (REVIEW,), NOT_APPLICABLE, NO_MEDIA),
            Criterion("1.4.3", N_("Kontrast (minimum)"), "AA", (AXE,), MET),
            Criterion("1.4.4", N_("Endring av tekststørrelse"), "AA", (TEST, ZOOM), MET, NARROW),
            Criterion(
                "1.4.5",
                N_("Bilder av tekst"),
                "AA",
                (REVIEW,),
                MET,
                N_("Arkivrutiner bruker ikke bilder av tekst."),
            ),
            Criterion("1.4.10", N_("Dynamisk tilpasning (Reflow)"), "AA", (TEST, ZOOM), MET, NARROW),
            Criterion(
                "1.4.11",
                N_("Kontrast for ikke-tekstlig innhold"),
                "AA",
                (REVIEW, KEYS),
                MET,
                N_("Skjemafelt har mørk kant, og fokus vises med gul ramme og mørk kant."),
            ),
            Criterion("1.4.12", N_("Tekstavstand"), "AA", (AXE, ZOOM), NOT_CHECKED),
            Criterion(
                "1.4.13",
                N_("Pekerfølsomt innhold eller innhold ved tastaturfokus"),
                "AA",
                (REVIEW,),
                MET,
                N_(
                    "Ingenting dukker opp når pekeren eller fokus står på et element, utover nettleserens egne hint."
                ),
            ),
        ),
    ),
    Principle(
        "2",
        N_("Mulig å betjene"),
        (
            Criterion("2.1.1", N_("Tastatur"), "A", (TEST, KEYS), NOT_CHECKED),
            Criterion("2.1.2", N_("Ingen tastaturfelle"), "A", (KEYS,), NOT_CHECKED),
            Criterion(
                "2.1.4",
                N_("Hurtigtaster som består av ett tegn"),
                "A",
                (TEST, REVIEW),
                MET,
                N_(
                    "Den eneste hurtigtasten på ett tegn, «?» for oversikten over hurtigtaster, virker bare "
                    "når fokus er i en liste; oversikten kan også åpnes med en knapp nederst på siden."
                ),
            ),
            Criterion(
                "2.2.1",
                N_("Justerbar hastighet"),
                "A",
                (REVIEW,),
                DEVIATION,
                N_("Innloggingen avsluttes etter en tid uten aktivitet, uten forvarsel. Se kjente avvik."),
            ),
            Criterion(
                "2.2.2",
                N_("Pause, stopp, skjul"),
                "A",
                (REVIEW,),
                NOT_APPLICABLE,
                N_("Ingenting beveger seg, blinker eller oppdateres av seg selv."),
            ),
            Criterion(
                "2.3.1",
                N_("Terskelverdi på maksimalt tre glimt"),
                "A",
                (REVIEW,),
                MET,
                N_("Ingenting blinker."),
            ),
            Criterion(
                "2.4.1",
                N_("Hoppe over blokker"),
                "A",
                (AXE, TEST),
                MET,
                N_(
                    "Første tabulatorstopp på hver side er «Hopp til hovedinnhold». Listene som skal "
                    "gjennomgås rad for rad (Til fordeling, Egne restanser) har også «Gå til listen»."
                ),
            ),
            Criterion("2.4.2", N_("Sidetitler"), "A", (AXE, REVIEW), MET),
            Criterion("2.4.3", N_("Fokusrekkefølge"), "A", (TEST, KEYS), NOT_CHECKED),
            Criterion("2.4.4", N_("Formål med lenke (i kontekst)"), "A", (AXE, READER), MET),
            Criterion(
                "2.4.5",
                N_("Flere måter"),
                "AA",
                (REVIEW,),
                MET,
                N_("Menyen, forsiden og søket i arkivet fører til sidene."),
            ),
            Criterion("2.4.6", N_("Overskrifter og ledetekster"), "AA", (REVIEW, READER), NOT_CHECKED),
            Criterion(
                "2.4.7",
                N_("Synlig fokus"),
                "AA",
                (REVIEW, KEYS),
                MET,
                N_("Alt som kan få fokus, får en gul ramme med mørk kant."),
            ),
            Criterion(
                "2.5.1",
                N_("Pekerbevegelser"),
                "A",
                (REVIEW,),
                NOT_APPLICABLE,
                N_("Ingen funksjon krever sveip, flere fingre eller en bane."),
            ),
            Criterion(
                "2.5.2",
                N_("Pekeravbrytelse"),
                "A",
                (REVIEW,),
                MET,
                N_("Knapper og lenker er vanlige HTML-elementer som virker når knappen slippes."),
            ),
            Criterion("2.5.3", N_("Ledetekst i navn"), "A", (READER,), NOT_CHECKED),
            Criterion(
                "2.5.4",
                N_("Bevegelsesaktivering"),
                "A",
                (REVIEW,),
                NOT_APPLICABLE,
                N_("Ingen funksjon styres ved å bevege eller riste enheten."),
            ),
        ),
    ),
    Principle(
        "3",
        N_("Forståelig"),
        (
            Criterion("3.1.1", N_("Språk på siden"), "A", (AXE,), MET),
            Criterion(
                "3.1.2",
                N_("Språk på deler av innhold"),
                "AA",
                (AXE, REVIEW),
                MET,
                N_("Språkvalget viser bokmål og nynorsk, hvert merket med sitt språk."),
            ),
            Criterion("3.2.1", N_("Fokus"), "A", (REVIEW, KEYS), MET),
            Criterion(
                "3.2.2",
                N_("Inndata"),
                "A",
                (REVIEW, KEYS),
                MET,
                N_("Skjemaer sendes med en knapp; søket oppdaterer bare treffene under feltet."),
            ),
            Criterion(
                "3.2.3",
                N_("Konsekvent navigering"),
                "AA",
                (REVIEW,),
                MET,
                N_("Alle sider har samme topp, meny og bunn."),
            ),
            Criterion("3.2.4", N_("Konsekvent identifikasjon"), "AA", (REVIEW,), MET),
            Criterion(
                "3.3.1",
                N_("Identifikasjon av feil"),
                "A",
                (TEST, READER),
                MET,
                N_("Skjemaer med feil viser en feiloppsummering som får fokus, og feltene er merket."),
            ),
            Criterion("3.3.2", N_("Ledetekster eller instruksjoner"), "A", (AXE, REVIEW), MET),
            Criterion("3.3.3", N_("Forslag ved feil"), "AA", (TEST, REVIEW), MET),
            Criterion(
                "3.3.4",
                N_("Feilforebygging (juridiske feil, økonomiske feil, datafeil)"),
                "AA",
                (REVIEW,),
                NOT_CHECKED,
            ),
        ),
    ),
    Principle(
        "4",
        N_("Robust"),
        (
            Criterion("4.1.1", N_("Parsing"), "A", (AXE, REVIEW), MET),
            Criterion("4.1.2", N_("Navn, rolle, verdi"), "A", (AXE, READER), MET),
            Criterion(
                "4.1.3",
                N_("Statusbeskjeder"),
                "AA",
                (TEST, READER),
                MET,
                N_(
                    "Meldinger etter en handling kommer i et område som skjermlesere leser opp (role=status)."
                ),
            ),
        ),
    ),
)


SESSION_CRITERION = "2.2.1"
SESSION_HOURS_EXEMPT = 20
"""WCAG 2.2.1 allows a time limit longer than 20 hours: with ``ARKIV_SESSION_IDLE_HOURS`` at 20
or more the session's idle limit is no deviation."""


@dataclass(frozen=True)
class Deviation:
    criteria: tuple[str, ...]
    text: str


DEVIATIONS: tuple[Deviation, ...] = (
    Deviation(
        (SESSION_CRITERION,),
        N_(
            "Innloggingen avsluttes etter %(hours)s timer uten aktivitet (innstillingen "
            "ARKIV_SESSION_IDLE_HOURS), uten at brukeren blir varslet eller kan forlenge den. Det som "
            "ikke er lagret, må fylles ut på nytt. Kommunen kan sette grensen til 20 timer eller mer."
        ),
    ),
)


def criteria() -> list[Criterion]:
    """All criteria, in order."""
    return [criterion for principle in PRINCIPLES for criterion in principle.criteria]


SESSION_MET_NOTE = N_("Innloggingen varer minst 20 timer uten aktivitet, og det tillater kriteriet.")


def session_limit_is_met(session_idle_hours: int) -> bool:
    """2.2.1 is met when the idle limit is 20 hours or more (ARKIV_SESSION_IDLE_HOURS)."""
    return session_idle_hours >= SESSION_HOURS_EXEMPT
