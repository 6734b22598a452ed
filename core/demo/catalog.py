"""What the demo archive is made of: case templates per kind of unit, external parties, places.

A :class:`CaseTemplate` is a typical case (a building application, a personnel file, a hearing)
with its usual sequence of journal posts (:class:`Step`). The generator in
:mod:`core.demo.records` realises a prefix of the steps with dates, handlers and parties.
Everything here is invented: no real person's data. Place and street names are ordinary
Innherred names; companies and associations are made up.

Placeholders in titles: ``{eiendom}`` (gnr./bnr.), ``{adresse}``, ``{veg}``, ``{sted}``,
``{firma}``, ``{lag}``, ``{aar}``, ``{enhet}`` (the unit's name), ``{navn}`` and ``{barn}``
(a person's name; replaced by ``*****`` in the public title), and any key of the template's
``choices``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MASK = "*****"
MASKED_KEYS = frozenset({"navn", "barn"})
"""Placeholders whose values are screened (skjermet) in ``offentlig_tittel``."""

HJEMMEL_PERSONAL = "Offl. § 13 jf. fvl. § 13"
HJEMMEL_HELSE = "Offl. § 13 jf. hol. § 12-1"
HJEMMEL_SOSIAL = "Offl. § 13 jf. sotjl. § 44"
HJEMMEL_SOKER = "Offl. § 25 andre ledd"
HJEMMEL_FORHANDLING = "Offl. § 23 første ledd"
HJEMMEL_ORGANINTERN = "Offl. § 14 første ledd"


@dataclass(frozen=True)
class Step:
    """One journal post of a case template."""

    type: str
    """``I``, ``U``, ``N`` or ``X``."""
    title: str
    party: str = ""
    """``I``: the sender's kind; ``U``: the recipient's kind (``""``: the case's main party).
    Kinds: person, forelder, firma, stat, lag, avis."""
    answers: bool = False
    """The post answers (writes off) the open restanser it can: a ``U`` the case's I posts
    (``BU``/``BE``), an ``X``/``N`` the N notes addressed to its author (``BN``)."""
    by: str = ""
    """``"recipient"``: written by the recipient of the case's latest N note."""
    to: str = ""
    """``N``: the recipient: ``""`` a colleague in the unit, ``"LEADER"`` the unit's leader,
    or another unit's code."""
    gap: tuple[int, int] = (2, 21)
    """Days after the previous post (min, max)."""
    p: float = 1.0
    """Probability that the step happens."""
    attach: tuple[str, ...] = ()
    """Possible attachments (vedlegg)."""
    forfall: int = 0
    """``I``: forfallsdato this many days after the journal date (0: none)."""
    restricted: str = ""
    """A tilgangsrestriksjon for this post only (the case's applies anyway)."""
    hjemmel: str = ""
    fresh: bool = False
    """A new person/company for this post (one of several applicants or tenderers)."""


@dataclass(frozen=True)
class CaseTemplate:
    title: str
    steps: tuple[Step, ...]
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    restricted: str = ""
    """Tilgangsrestriksjon of the whole case (``P``, ``KL``, ``5`` …)."""
    hjemmel: str = ""
    weight: float = 1.0


def inn(title: str, party: str = "", **kw: Any) -> Step:
    """An incoming letter (I)."""
    return Step("I", title, party, **kw)


def ut(title: str, party: str = "", **kw: Any) -> Step:
    """An outgoing letter (U)."""
    return Step("U", title, party, **kw)


def n_notat(title: str, to: str = "", **kw: Any) -> Step:
    """An internal note for follow-up (N)."""
    return Step("N", title, to=to, **kw)


def x_notat(title: str, **kw: Any) -> Step:
    """An internal note without follow-up (X)."""
    return Step("X", title, **kw)


TILTAK = (
    "tilbygg til bolig",
    "garasje",
    "enebolig",
    "fritidsbolig",
    "terrasse",
    "påbygg",
    "driftsbygning",
    "naust",
    "støttemur",
    "bruksendring fra kontor til bolig",
)

# --- Templates per domain ---------------------------------------------------------------------

BYGG = [
    CaseTemplate(
        "{tiltak} – {eiendom}",
        (
            inn(
                "Søknad om rammetillatelse – {tiltak} – {eiendom}",
                "firma",
                forfall=84,
                attach=("Situasjonsplan", "Tegninger", "Kvittering for nabovarsel"),
            ),
            ut("Mangelbrev – {eiendom}", answers=True, p=0.6, gap=(5, 20)),
            inn("Tilleggsdokumentasjon – {eiendom}", attach=("Reviderte tegninger",), p=0.6),
            n_notat("Uttalelse vann og avløp – {eiendom}", to="TDR", p=0.7),
            x_notat("Uttalelse vann og avløp – {eiendom}", by="recipient", answers=True, gap=(3, 25), p=0.8),
            n_notat("Landbruksfaglig vurdering – {eiendom}", p=0.3),
            x_notat("Landbruksfaglig vurdering – {eiendom}", by="recipient", answers=True, p=0.9),
            ut("Vedtak – rammetillatelse – {eiendom}", answers=True, gap=(10, 40)),
            inn("Søknad om igangsettingstillatelse – {eiendom}", p=0.7, gap=(20, 90)),
            ut("Igangsettingstillatelse – {eiendom}", answers=True, p=0.9),
            inn("Søknad om ferdigattest – {eiendom}", p=0.6, gap=(60, 150), attach=("Sluttdokumentasjon",)),
            ut("Ferdigattest – {eiendom}", answers=True),
        ),
        {"tiltak": TILTAK},
        weight=3,
    ),
    CaseTemplate(
        "Søknad om tillatelse til tiltak uten ansvarsrett – {tiltak} – {eiendom}",
        (
            inn(
                "Søknad om tillatelse til tiltak uten ansvarsrett – {tiltak} – {eiendom}",
                "person",
                forfall=21,
                attach=("Situasjonsplan", "Fasadetegninger"),
            ),
            inn("Merknad til nabovarsel – {eiendom}", "person", p=0.3),
            inn("Ettersendt dokumentasjon – {eiendom}", p=0.3, gap=(2, 14)),
            ut("Vedtak – tillatelse til tiltak – {eiendom}", answers=True, gap=(7, 30)),
            inn("Klage på vedtak om tillatelse – {eiendom}", "person", p=0.15, gap=(5, 20)),
            ut("Oversendelse av klage til Statsforvalteren – {eiendom}", "stat", answers=True, p=0.9),
        ),
        {"tiltak": ("garasje", "carport", "tilbygg under 50 m²", "uthus", "terrasse", "levegg")},
        weight=3,
    ),
    CaseTemplate(
        "Søknad om dispensasjon fra kommuneplanens arealdel – {eiendom}",
        (
            inn("Søknad om dispensasjon fra kommuneplanens arealdel – {eiendom}", "firma", forfall=84),
            n_notat("Intern høring – dispensasjon – {eiendom}", to="TDR", p=0.5),
            x_notat("Intern høring – dispensasjon – {eiendom}", by="recipient", answers=True, p=0.9),
            ut("Høring – søknad om dispensasjon – {eiendom}", "stat", gap=(5, 15)),
            inn("Uttalelse fra Statsforvalteren – dispensasjon – {eiendom}", "stat", gap=(14, 35), p=0.8),
            inn("Uttalelse fra Trøndelag fylkeskommune – {eiendom}", "stat", p=0.6, gap=(0, 10)),
            x_notat("Saksnotat – vurdering av dispensasjon – {eiendom}", p=0.3),
            ut("Vedtak – dispensasjon – {eiendom}", answers=True, gap=(10, 40)),
            inn("Klage på vedtak om dispensasjon – {eiendom}", "person", p=0.2),
        ),
        weight=1.5,
    ),
    CaseTemplate(
        "Ulovlighetsoppfølging – {tiltak} – {eiendom}",
        (
            inn("Melding om mulig ulovlig tiltak – {eiendom}", "person"),
            x_notat("Referat fra befaring – {eiendom}", p=0.4),
            ut("Varsel om pålegg om retting – {eiendom}", answers=True),
            inn("Tilsvar til varsel om pålegg – {eiendom}", "person", p=0.7, forfall=21),
            ut("Pålegg om retting og tvangsmulkt – {eiendom}", answers=True, p=0.6, gap=(20, 60)),
        ),
        {
            "tiltak": (
                "oppfylling av masser",
                "brygge",
                "riving av verneverdig bygning",
                "ulovlig bruksendring",
            )
        },
        weight=0.7,
    ),
    CaseTemplate(
        "Detaljregulering for {sted}",
        (
            inn("Planinitiativ – detaljregulering for {sted}", "firma"),
            x_notat("Referat fra oppstartsmøte – detaljregulering for {sted}", gap=(10, 30)),
            inn(
                "Merknad til varsel om oppstart – detaljregulering for {sted}",
                "person",
                fresh=True,
                gap=(20, 40),
            ),
            inn("Merknad til varsel om oppstart – detaljregulering for {sted}", "lag", p=0.7, gap=(0, 5)),
            inn("Uttalelse til varsel om oppstart – Statens vegvesen", "stat", p=0.8, gap=(0, 5)),
            n_notat("Innspill til planarbeidet – {sted}", to="TDR", p=0.6),
            x_notat("Innspill til planarbeidet – {sted}", by="recipient", answers=True, p=0.8),
            ut("Svar på merknader – detaljregulering for {sted}", answers=True, p=0.6, gap=(20, 60)),
            inn("Planforslag til førstegangsbehandling – {sted}", "firma", gap=(30, 90)),
        ),
        {
            "sted": (
                "Ørmelen sør",
                "Stiklestad sentrum",
                "Vinne næringsområde",
                "Melby boligfelt",
                "Kausmofjæra",
            )
        },
        weight=0.6,
    ),
]

LANDBRUK = [
    CaseTemplate(
        "Søknad om konsesjon – erverv av {eiendom}",
        (
            inn("Søknad om konsesjon – erverv av {eiendom}", "person", forfall=84, attach=("Kjøpekontrakt",)),
            inn("Ettersendt dokumentasjon – konsesjon – {eiendom}", p=0.3, gap=(2, 14)),
            n_notat("Uttalelse om konsesjon – {eiendom}", to="LEADER", p=0.3),
            x_notat("Uttalelse om konsesjon – {eiendom}", by="recipient", answers=True),
            ut("Vedtak – konsesjon – {eiendom}", answers=True, gap=(20, 60)),
        ),
        weight=1.5,
    ),
    CaseTemplate(
        "Søknad om fradeling – {eiendom}",
        (
            inn("Søknad om fradeling av tomt – {eiendom}", "person", forfall=84, attach=("Kartutsnitt",)),
            n_notat("Uttalelse om fradeling – {eiendom}", to="GDO", p=0.5),
            x_notat("Uttalelse om fradeling – {eiendom}", by="recipient", answers=True, p=0.8),
            ut("Vedtak etter jordloven § 12 – {eiendom}", answers=True, gap=(15, 50)),
            inn("Klage på vedtak om fradeling – {eiendom}", "person", p=0.15),
        ),
        weight=1.5,
    ),
    CaseTemplate(
        "Søknad om tilskudd til {tiltak} – {eiendom}",
        (
            inn("Søknad om tilskudd til {tiltak} – {eiendom}", "person", attach=("Kostnadsoverslag",)),
            inn("Purring – søknad om tilskudd – {eiendom}", p=0.2, gap=(30, 60)),
            ut("Vedtak om tilskudd – {tiltak} – {eiendom}", answers=True, gap=(15, 45)),
            inn("Anmodning om utbetaling av tilskudd – {eiendom}", "person", p=0.6, gap=(60, 180)),
            ut("Utbetaling av tilskudd – {eiendom}", answers=True, p=0.8),
        ),
        {
            "tiltak": (
                "drenering",
                "nydyrking",
                "skogsvei",
                "tiltak i kulturlandskapet",
                "inngjerding av beite",
            )
        },
        weight=2,
    ),
    CaseTemplate(
        "Kontroll av produksjonstilskudd {aar} – {eiendom}",
        (
            ut("Varsel om kontroll av produksjonstilskudd – {eiendom}", "person"),
            inn("Dokumentasjon til kontroll av produksjonstilskudd – {eiendom}", "person", forfall=21),
            x_notat("Kontrollrapport – produksjonstilskudd – {eiendom}", p=0.5),
            ut("Resultat av kontroll – produksjonstilskudd – {eiendom}", answers=True),
        ),
        weight=1,
    ),
    CaseTemplate(
        "Søknad om dispensasjon fra motorferdselloven – {sted}",
        (
            inn("Søknad om dispensasjon fra motorferdselloven – transport til hytte ved {sted}", "person"),
            ut("Vedtak – dispensasjon fra motorferdselloven – {sted}", answers=True, gap=(5, 25)),
        ),
        {"sted": ("Hallsteinvatnet", "Kalvvatnet", "Helgådalen", "Sul", "Vera", "Inna")},
        weight=1.5,
    ),
    CaseTemplate(
        "Søknad om skadefelling – {art} – {eiendom}",
        (
            inn("Søknad om skadefelling av {art} – {eiendom}", "person"),
            ut("Vedtak om skadefelling av {art} – {eiendom}", answers=True, gap=(1, 5)),
            inn("Rapport om felt vilt – {art}", "person", p=0.5),
        ),
        {"art": ("bever", "kråke", "grevling", "rådyr")},
        weight=0.7,
    ),
]

MILJO = [
    CaseTemplate(
        "Utslippstillatelse – separat avløpsanlegg – {eiendom}",
        (
            inn("Søknad om utslippstillatelse – separat avløpsanlegg – {eiendom}", "firma", forfall=42),
            ut("Utslippstillatelse – {eiendom}", answers=True, gap=(10, 40)),
            inn("Ferdigmelding – avløpsanlegg – {eiendom}", "firma", p=0.5, gap=(60, 150)),
        ),
        weight=1,
    ),
    CaseTemplate(
        "Forsøpling – {sted}",
        (
            inn("Melding om forsøpling – {sted}", "person"),
            ut("Svar på melding om forsøpling – {sted}", answers=True, p=0.5),
        ),
        {"sted": ("Fætta", "Verdalselva ved Follo", "Leksdalsvatnet", "Tinden", "Ørin")},
        weight=0.6,
    ),
]

OPPMALING = [
    CaseTemplate(
        "Oppmålingsforretning – {eiendom}",
        (
            inn("Rekvisisjon av oppmålingsforretning – {eiendom}", "person", forfall=112),
            ut("Varsel om oppmålingsforretning – {eiendom}", answers=True, gap=(20, 60)),
            x_notat("Protokoll fra oppmålingsforretning – {eiendom}", gap=(10, 30)),
            n_notat("Føring i matrikkelen – {eiendom}", p=0.4, gap=(1, 5)),
            x_notat("Ført i matrikkelen – {eiendom}", by="recipient", answers=True, p=0.9),
            ut("Matrikkelbrev – {eiendom}", gap=(5, 20)),
        ),
        weight=3,
    ),
    CaseTemplate(
        "Seksjonering – {adresse}",
        (
            inn("Begjæring om seksjonering – {adresse}", "firma", forfall=84),
            ut("Vedtak om seksjonering – {adresse}", answers=True, gap=(10, 40)),
        ),
        weight=1,
    ),
    CaseTemplate(
        "Adressetildeling – {veg}",
        (
            inn("Forslag til vegnavn – {veg}", "lag", p=0.5),
            x_notat("Saksnotat – adressenavn {veg}"),
            ut("Vedtak om adressetildeling – {veg}", answers=True, gap=(10, 40)),
        ),
        weight=0.7,
    ),
    CaseTemplate(
        "Klage på eiendomsgrense – {eiendom}",
        (
            inn("Klage på grensepåvisning – {eiendom}", "person"),
            n_notat("Vurdering av klage på grensepåvisning – {eiendom}", to="LMA", p=0.4),
            x_notat("Vurdering av klage på grensepåvisning – {eiendom}", by="recipient", answers=True),
            ut("Svar på klage – grensepåvisning – {eiendom}", answers=True, gap=(14, 40)),
        ),
        weight=0.6,
    ),
]

TEKNISK = [
    CaseTemplate(
        "Gravemelding – {veg}",
        (
            inn("Søknad om gravetillatelse – {veg}", "firma", forfall=14),
            ut("Gravetillatelse – {veg}", answers=True, gap=(1, 7)),
            inn("Ferdigmelding – graving {veg}", "firma", p=0.5, gap=(14, 60)),
        ),
        weight=3,
    ),
    CaseTemplate(
        "Tilknytning til kommunalt vann og avløp – {eiendom}",
        (
            inn("Søknad om tilknytning til kommunalt vann og avløp – {eiendom}", "firma"),
            ut("Tillatelse til tilknytning – {eiendom}", answers=True, gap=(5, 20)),
            inn("Ferdigmelding – sanitæranlegg – {eiendom}", "firma", p=0.5, gap=(30, 90)),
        ),
        weight=2,
    ),
    CaseTemplate(
        "Henvendelse om {tema} – {veg}",
        (
            inn("Henvendelse om {tema} – {veg}", "person"),
            n_notat("Arbeidsordre – {tema} – {veg}", p=0.6, gap=(0, 3)),
            x_notat("Utført – {tema} – {veg}", by="recipient", answers=True, p=0.8),
            ut("Svar på henvendelse – {tema} – {veg}", answers=True, p=0.45, gap=(3, 20)),
        ),
        {"tema": ("brøyting", "vannlekkasje", "gatelys", "hull i vegen", "overvann", "strøing", "skilting")},
        weight=3,
    ),
    CaseTemplate(
        "Klage på vann- og avløpsgebyr – {eiendom}",
        (
            inn("Klage på vann- og avløpsgebyr – {eiendom}", "person"),
            n_notat("Avregning vann- og avløpsgebyr – {eiendom}", to="RIL", p=0.6),
            x_notat("Avregning vann- og avløpsgebyr – {eiendom}", by="recipient", answers=True),
            ut("Svar på klage på vann- og avløpsgebyr – {eiendom}", answers=True, gap=(10, 40)),
        ),
        weight=1.5,
    ),
    CaseTemplate(
        "Feiing og tilsyn – {eiendom}",
        (
            ut("Varsel om tilsyn med fyringsanlegg – {eiendom}", "person"),
            x_notat("Tilsynsrapport – fyringsanlegg – {eiendom}", gap=(7, 30)),
            ut("Pålegg om utbedring av avvik – {eiendom}", p=0.4),
            inn("Tilbakemelding om lukket avvik – {eiendom}", "person", p=0.7, gap=(20, 60)),
        ),
        weight=1.5,
    ),
    CaseTemplate(
        "Søknad om avkjørselstillatelse – {eiendom}",
        (
            inn("Søknad om avkjørselstillatelse – {eiendom}", "person", forfall=21),
            ut("Vedtak – avkjørselstillatelse – {eiendom}", answers=True, gap=(5, 25)),
        ),
        weight=1,
    ),
]

INNKJOP = [
    CaseTemplate(
        "Anskaffelse – {anskaffelse}",
        (
            n_notat("Behovsmelding – {anskaffelse}", to="INNK"),
            ut("Konkurransegrunnlag – {anskaffelse}", "firma", gap=(10, 30)),
            inn("Spørsmål til konkurransen – {anskaffelse}", "firma", gap=(5, 15), p=0.7),
            ut("Svar på spørsmål til konkurransen – {anskaffelse}", answers=True, gap=(1, 4), p=0.9),
            inn(
                "Tilbud – {anskaffelse} – {firma}",
                "firma",
                fresh=True,
                gap=(10, 20),
                restricted="5",
                hjemmel=HJEMMEL_FORHANDLING,
            ),
            inn(
                "Tilbud – {anskaffelse} – {firma}",
                "firma",
                fresh=True,
                gap=(0, 2),
                restricted="5",
                hjemmel=HJEMMEL_FORHANDLING,
            ),
            x_notat(
                "Evalueringsrapport – {anskaffelse}", gap=(7, 20), restricted="5", hjemmel=HJEMMEL_FORHANDLING
            ),
            ut("Meddelelse om tildeling – {anskaffelse}", answers=True, gap=(1, 7)),
            inn("Klage på tildeling – {anskaffelse}", "firma", p=0.15),
            ut("Kontrakt – {anskaffelse}", "firma", gap=(10, 20), p=0.9),
        ),
        {
            "anskaffelse": (
                "rammeavtale kontorrekvisita",
                "brøytetjenester {aar}–{aar2}",
                "skolemøbler",
                "renholdstjenester",
                "elbiler til hjemmetjenesten",
                "rammeavtale elektrikertjenester",
                "nytt sak- og arkivsystem",
                "matlevering til institusjonene",
            )
        },
        weight=2,
    ),
    CaseTemplate(
        "Faktura – {firma}",
        (
            inn("Faktura – {firma}", "firma"),
            n_notat("Attestasjon av faktura – {firma}", to="RIL", p=0.3),
            x_notat("Attestasjon av faktura – {firma}", by="recipient", answers=True),
        ),
        weight=1,
    ),
]

OKONOMI = [
    CaseTemplate(
        "Eiendomsskatt {aar} – {eiendom}",
        (
            inn("Klage på eiendomsskatt {aar} – {eiendom}", "person", forfall=42),
            x_notat("Befaringsrapport – eiendomsskatt – {eiendom}", p=0.5),
            ut("Vedtak – klage på eiendomsskatt – {eiendom}", answers=True, gap=(14, 60)),
        ),
        weight=2,
    ),
    CaseTemplate(
        "Søknad om betalingsutsettelse – {navn}",
        (
            inn("Søknad om betalingsutsettelse – {navn}", "person"),
            ut("Svar på søknad om betalingsutsettelse – {navn}", answers=True, gap=(3, 20)),
        ),
        restricted="KL",
        hjemmel="Offl. § 13 jf. sktbl. § 3-1",
        weight=1.5,
    ),
    CaseTemplate(
        "Lønnssak – {navn}",
        (
            inn("Krav om etterbetaling av lønn – {navn}", "person"),
            n_notat("Kontroll av lønnskrav – {navn}", to="LEADER", p=0.4),
            x_notat("Kontroll av lønnskrav – {navn}", by="recipient", answers=True),
            ut("Svar på krav om etterbetaling – {navn}", answers=True, gap=(7, 30)),
        ),
        restricted="P",
        hjemmel=HJEMMEL_PERSONAL,
        weight=1.5,
    ),
    CaseTemplate(
        "Budsjett og økonomiplan {aar2}–{aar5}",
        (
            n_notat("Innspill til budsjett {aar2} – {enhet}", to="RAD-V"),
            x_notat("Innspill til budsjett {aar2}", by="recipient", answers=True, gap=(5, 20)),
            x_notat("Budsjettrundskriv {aar2}", gap=(5, 20)),
        ),
        weight=0.7,
    ),
]

PERSONAL = [
    CaseTemplate(
        "Personalmappe – {navn}",
        (
            inn("Søknad om permisjon – {navn}", "person"),
            ut("Svar på søknad om permisjon – {navn}", answers=True, gap=(3, 20)),
            inn("Sykmelding – {navn}", "person", p=0.6, gap=(10, 60)),
            x_notat("Oppfølgingsplan ved sykefravær – {navn}", p=0.5, gap=(10, 30)),
            ut("Innkalling til dialogmøte – {navn}", p=0.5),
            n_notat("Melding om endring i stilling – {navn}", to="RIL", p=0.6),
            x_notat("Endring registrert i lønnssystemet – {navn}", by="recipient", answers=True, p=0.9),
            inn("Oppsigelse av stilling – {navn}", "person", p=0.2, gap=(20, 90)),
            ut("Bekreftelse på oppsigelse – {navn}", answers=True),
        ),
        restricted="P",
        hjemmel=HJEMMEL_PERSONAL,
        weight=1.2,
    ),
    CaseTemplate(
        "Tilsetting – {stilling} – {enhet}",
        (
            x_notat("Utlysning – {stilling} – {enhet}"),
            inn(
                "Søknad på stilling som {stilling} – {navn}",
                "person",
                gap=(10, 25),
                restricted="P",
                hjemmel=HJEMMEL_SOKER,
            ),
            inn(
                "Søknad på stilling som {stilling} – {navn}",
                "person",
                fresh=True,
                gap=(0, 5),
                restricted="P",
                hjemmel=HJEMMEL_SOKER,
            ),
            inn(
                "Søknad på stilling som {stilling} – {navn}",
                "person",
                fresh=True,
                gap=(0, 5),
                p=0.7,
                restricted="P",
                hjemmel=HJEMMEL_SOKER,
            ),
            x_notat("Offentlig søkerliste – {stilling}", gap=(1, 5)),
            n_notat(
                "Innstilling – {stilling} – {enhet}",
                to="LEADER",
                gap=(10, 25),
                restricted="P",
                hjemmel=HJEMMEL_PERSONAL,
            ),
            ut(
                "Tilbud om stilling som {stilling} – {navn}",
                "person",
                answers=True,
                gap=(2, 10),
                restricted="P",
                hjemmel=HJEMMEL_PERSONAL,
            ),
            inn(
                "Aksept av tilbud om stilling – {navn}",
                "person",
                gap=(2, 10),
                restricted="P",
                hjemmel=HJEMMEL_PERSONAL,
            ),
        ),
        {
            "stilling": (
                "saksbehandler",
                "fagarbeider",
                "konsulent",
                "rådgiver",
                "spesialsykepleier",
                "lærer",
                "barnehagelærer",
                "renholder",
            )
        },
        weight=1,
    ),
]

RADMANN = [
    CaseTemplate(
        "Høring – {hoering}",
        (
            inn("Høring – {hoering}", "stat", forfall=60),
            n_notat("Innspill til høring – {hoering}", to="@fag", p=0.7, gap=(1, 7)),
            x_notat("Innspill til høring – {hoering}", by="recipient", answers=True, gap=(5, 25)),
            ut("Høringsuttalelse – {hoering}", "stat", answers=True, p=0.6, gap=(10, 40)),
        ),
        {
            "hoering": (
                "forslag til endringer i plan- og bygningsloven",
                "regional plan for vannforvaltning",
                "endringer i barnehageloven",
                "ny forskrift om kommunal beredskapsplikt",
                "regional transportplan",
                "forslag til ny opplæringslov",
                "endringer i helse- og omsorgstjenesteloven",
            )
        },
        weight=2,
    ),
    CaseTemplate(
        "Innsynskrav – {tema}",
        (
            inn("Innsynskrav – {tema}", "avis", forfall=3),
            ut("Svar på innsynskrav – {tema}", answers=True, gap=(0, 3)),
        ),
        {
            "tema": (
                "postliste uke {uke}",
                "avtale om brøyting",
                "tilsynsrapport skolemiljø",
                "lønnsoversikt ledere",
                "reguleringsplan Ørmelen sør",
            )
        },
        weight=2,
    ),
    CaseTemplate(
        "Henvendelse fra innbygger – {tema}",
        (
            inn("Henvendelse fra innbygger – {tema}", "person"),
            n_notat("Henvendelse fra innbygger – {tema}", to="@fag", p=0.5),
            x_notat("Svar til rådmannen – {tema}", by="recipient", answers=True),
            ut("Svar på henvendelse – {tema}", answers=True, gap=(5, 30), p=0.8),
        ),
        {
            "tema": (
                "trafikksikkerhet ved skolen",
                "busstilbud",
                "kommunale avgifter",
                "støy fra industriområdet",
                "parkering i sentrum",
            )
        },
        weight=2,
    ),
    CaseTemplate(
        "Tilsyn – {tilsyn}",
        (
            inn("Varsel om tilsyn – {tilsyn}", "stat", forfall=21),
            ut("Dokumentasjon til tilsyn – {tilsyn}", "stat", answers=True, gap=(10, 20)),
            inn("Foreløpig tilsynsrapport – {tilsyn}", "stat", gap=(20, 50), forfall=21),
            ut("Kommentarer til foreløpig tilsynsrapport – {tilsyn}", "stat", answers=True, p=0.7),
            inn("Endelig tilsynsrapport – {tilsyn}", "stat", gap=(14, 40)),
            x_notat("Plan for lukking av avvik – {tilsyn}", p=0.7),
        ),
        {
            "tilsyn": (
                "kommunal beredskapsplikt",
                "internkontroll",
                "sosiale tjenester i NAV",
                "arbeidsmiljø",
                "folkehelsearbeid",
            )
        },
        weight=1,
    ),
    CaseTemplate(
        "Samarbeidsavtale – {tema}",
        (
            inn("Forslag til samarbeidsavtale – {tema}", "stat"),
            n_notat("Vurdering av samarbeidsavtale – {tema}", to="ADV-V", p=0.6),
            x_notat(
                "Juridisk vurdering – samarbeidsavtale {tema}",
                by="recipient",
                answers=True,
                restricted="5",
                hjemmel=HJEMMEL_ORGANINTERN,
            ),
            ut("Signert samarbeidsavtale – {tema}", "stat", answers=True, gap=(20, 60)),
        ),
        {"tema": ("interkommunalt arkiv", "legevakt", "barnevern", "PPT", "krisesenter")},
        weight=1,
    ),
]

ORDFORER = [
    CaseTemplate(
        "Invitasjon – {arrangement}",
        (
            inn("Invitasjon – {arrangement}", "lag"),
            ut("Svar på invitasjon – {arrangement}", answers=True, p=0.4, gap=(1, 10)),
        ),
        {
            "arrangement": (
                "åpning av ny flerbrukshall",
                "jubileum",
                "Olsokdagene",
                "næringslivsdagen",
                "17. mai-komiteens møte",
            )
        },
        weight=2,
    ),
    CaseTemplate(
        "Søknad om støtte – {lag}",
        (
            inn("Søknad om støtte – {lag}", "lag"),
            ut("Svar på søknad om støtte – {lag}", answers=True, gap=(10, 40)),
        ),
        weight=1.5,
    ),
    CaseTemplate(
        "Henvendelse til ordføreren – {tema}",
        (
            inn("Henvendelse til ordføreren – {tema}", "person"),
            n_notat("Henvendelse til ordføreren – {tema}", to="RAD-V", p=0.6),
            x_notat("Svar på henvendelse – {tema}", by="recipient", answers=True),
            ut("Svar fra ordføreren – {tema}", answers=True, gap=(5, 20), p=0.7),
        ),
        {"tema": ("fylkesveg 757", "legedekning", "skolestruktur", "bredbånd i grendene")},
        weight=1.5,
    ),
]

ADVOKAT = [
    CaseTemplate(
        "Juridisk bistand – {tema}",
        (
            n_notat("Bestilling av juridisk bistand – {tema}", to="ADV-V"),
            x_notat("Juridisk notat – {tema}", by="recipient", answers=True, gap=(5, 30)),
            ut("Brev til motpart – {tema}", "firma", p=0.5),
            inn("Svar fra motpart – {tema}", "firma", p=0.6, gap=(14, 45)),
        ),
        {
            "tema": (
                "tvist om entreprisekontrakt",
                "erstatningskrav vannskade",
                "grensetvist",
                "tolking av festeavtale",
            )
        },
        restricted="5",
        hjemmel=HJEMMEL_ORGANINTERN,
        weight=2,
    ),
    CaseTemplate(
        "Forliksrådet – {tema}",
        (
            inn("Forliksklage – {tema}", "firma", forfall=14),
            ut("Tilsvar til forliksklage – {tema}", "stat", answers=True, gap=(5, 14)),
            inn("Innkalling til mekling – {tema}", "stat", p=0.7),
        ),
        {"tema": ("utestående husleie", "krav om erstatning", "faktura for vintervedlikehold")},
        weight=1,
    ),
]

HELSE = [
    CaseTemplate(
        "Helse- og omsorgstjenester – {navn}",
        (
            inn("Søknad om helse- og omsorgstjenester – {navn}", "person", forfall=28),
            inn("Legeopplysninger – {navn}", "firma", p=0.4, gap=(1, 10)),
            n_notat("Vurdering fra ergoterapeut – {navn}", p=0.3, gap=(1, 7)),
            x_notat("Vurdering fra ergoterapeut – {navn}", by="recipient", answers=True, p=0.9),
            x_notat("Kartlegging av funksjonsnivå – {navn}", gap=(3, 14), p=0.6),
            ut("Vedtak om {tjeneste} – {navn}", answers=True, gap=(3, 20)),
            inn("Klage på vedtak om {tjeneste} – {navn}", "person", p=0.15),
            ut("Oversendelse av klage til Statsforvalteren – {navn}", "stat", answers=True),
            inn("Søknad om økt tjenestetilbud – {navn}", "person", p=0.3, gap=(30, 120)),
            ut("Vedtak om endret tjenestetilbud – {navn}", answers=True, p=0.8),
        ),
        {
            "tjeneste": (
                "praktisk bistand",
                "hjemmesykepleie",
                "trygghetsalarm",
                "matombringing",
                "brukerstyrt personlig assistanse",
            )
        },
        restricted="KL",
        hjemmel=HJEMMEL_HELSE,
        weight=4,
    ),
    CaseTemplate(
        "Avviksmelding – {tema}",
        (
            n_notat("Avviksmelding – {tema}", to="LEADER"),
            x_notat("Behandling av avvik – {tema}", by="recipient", answers=True, gap=(3, 20)),
        ),
        {
            "tema": (
                "legemiddelhåndtering",
                "manglende dokumentasjon",
                "fall",
                "brudd på taushetsplikt",
                "bemanning helg",
            )
        },
        weight=2,
    ),
    CaseTemplate(
        "Tilsyn – {tjeneste} – Statsforvalteren i Trøndelag",
        (
            inn("Varsel om tilsyn – {tjeneste}", "stat", forfall=21),
            ut("Dokumentasjon til tilsyn – {tjeneste}", "stat", answers=True, gap=(10, 20)),
            inn("Tilsynsrapport – {tjeneste}", "stat", gap=(30, 60)),
            x_notat("Tiltaksplan etter tilsyn – {tjeneste}", p=0.8),
        ),
        {"tjeneste": ("hjemmetjenesten", "legemiddelhåndtering", "tvungen helsehjelp")},
        weight=0.5,
    ),
]

INSTITUSJON = [
    CaseTemplate(
        "Langtidsopphold – {navn}",
        (
            inn("Søknad om langtidsopphold i institusjon – {navn}", "forelder", forfall=28),
            n_notat("Vurdering av søknad om langtidsopphold – {navn}", to="HJTJ VK", p=0.5),
            x_notat("Vurdering av søknad om langtidsopphold – {navn}", by="recipient", answers=True),
            ut("Vedtak om langtidsopphold – {navn}", answers=True, gap=(7, 30)),
            inn("Klage på vederlag for opphold – {navn}", "forelder", p=0.15, gap=(30, 90)),
        ),
        restricted="KL",
        hjemmel=HJEMMEL_HELSE,
        weight=3,
    ),
    CaseTemplate(
        "Korttidsopphold – {navn}",
        (
            inn("Søknad om korttidsopphold – {navn}", "person"),
            ut("Vedtak om korttidsopphold – {navn}", answers=True, gap=(1, 10)),
        ),
        restricted="KL",
        hjemmel=HJEMMEL_HELSE,
        weight=2,
    ),
]

BODA = [
    CaseTemplate(
        "Avlastning – {navn}",
        (
            inn("Søknad om avlastning – {navn}", "forelder", forfall=28),
            x_notat("Kartleggingssamtale – {navn}"),
            ut("Vedtak om avlastning – {navn}", answers=True, gap=(7, 30)),
            inn("Søknad om omsorgsstønad – {navn}", "forelder", p=0.4, gap=(20, 80)),
            ut("Vedtak om omsorgsstønad – {navn}", answers=True, p=0.8),
        ),
        restricted="KL",
        hjemmel=HJEMMEL_HELSE,
        weight=3,
    ),
    CaseTemplate(
        "Bolig med bemanning – {navn}",
        (
            inn("Søknad om bolig med heldøgns tjenester – {navn}", "forelder"),
            n_notat("Bolig med bemanning – {navn}", to="TDR", p=0.3),
            x_notat("Ledig bolig – tilbakemelding", by="recipient", answers=True),
            ut("Vedtak om tildeling av bolig – {navn}", answers=True, gap=(14, 60)),
        ),
        restricted="KL",
        hjemmel=HJEMMEL_HELSE,
        weight=1,
    ),
]

SOSIAL = [
    CaseTemplate(
        "Økonomisk sosialhjelp – {navn}",
        (
            inn("Søknad om økonomisk sosialhjelp – {navn}", "person", forfall=14),
            ut("Vedtak om økonomisk sosialhjelp – {navn}", answers=True, gap=(2, 14)),
            inn("Klage på vedtak om økonomisk sosialhjelp – {navn}", "person", p=0.15),
            ut("Oversendelse av klage til Statsforvalteren – {navn}", "stat", answers=True),
        ),
        restricted="KL",
        hjemmel=HJEMMEL_SOSIAL,
        weight=3,
    ),
    CaseTemplate(
        "Startlån – {navn}",
        (
            inn("Søknad om startlån – {navn}", "person"),
            n_notat("Kredittvurdering – startlån {navn}", to="RIL", p=0.5),
            x_notat("Kredittvurdering – startlån", by="recipient", answers=True),
            ut("Vedtak om startlån – {navn}", answers=True, gap=(10, 30)),
        ),
        restricted="KL",
        hjemmel=HJEMMEL_PERSONAL,
        weight=1.5,
    ),
]

INTEGRERING = [
    CaseTemplate(
        "Introduksjonsprogram – {navn}",
        (
            inn("Søknad om introduksjonsprogram – {navn}", "person"),
            ut("Vedtak om introduksjonsprogram – {navn}", answers=True, gap=(5, 20)),
            x_notat("Integreringskontrakt – {navn}", p=0.7, gap=(10, 30)),
            inn("Søknad om permisjon fra introduksjonsprogrammet – {navn}", "person", p=0.3),
            ut("Svar på søknad om permisjon – {navn}", answers=True),
        ),
        restricted="KL",
        hjemmel=HJEMMEL_PERSONAL,
        weight=3,
    ),
    CaseTemplate(
        "Anmodning om bosetting av flyktninger {aar2}",
        (
            inn("Anmodning om bosetting av flyktninger {aar2}", "stat", forfall=60),
            n_notat("Bosetting av flyktninger {aar2} – boliger", to="TDR", p=0.6),
            x_notat("Bosetting {aar2} – tilgjengelige boliger", by="recipient", answers=True),
            ut("Svar på anmodning om bosetting {aar2}", "stat", answers=True, gap=(30, 60)),
        ),
        weight=0.5,
    ),
]

SKOLE = [
    CaseTemplate(
        "Elevsak – {barn}",
        (
            inn("Søknad om permisjon fra undervisning – {barn}", "forelder"),
            ut("Svar på søknad om permisjon – {barn}", answers=True, gap=(2, 10)),
            inn("Bekymring for skolemiljø – {barn}", "forelder", p=0.25, forfall=5),
            x_notat("Aktivitetsplan etter opplæringsloven § 12-4 – {barn}", p=0.9, gap=(3, 10)),
            ut("Svar til foresatte – skolemiljø – {barn}", answers=True, p=0.8),
        ),
        restricted="KL",
        hjemmel=HJEMMEL_PERSONAL,
        weight=2,
    ),
    CaseTemplate(
        "Spesialundervisning – {barn}",
        (
            n_notat("Henvisning til PPT – {barn}", to="RESOP"),
            x_notat("Sakkyndig vurdering – {barn}", by="recipient", answers=True, gap=(20, 90)),
            ut("Vedtak om spesialundervisning – {barn}", "forelder", gap=(7, 30)),
            x_notat("Individuell opplæringsplan – {barn}", p=0.7),
        ),
        restricted="KL",
        hjemmel=HJEMMEL_PERSONAL,
        weight=1,
    ),
    CaseTemplate(
        "Søknad om skolebytte – {barn}",
        (
            inn("Søknad om skolebytte – {barn}", "forelder"),
            ut("Vedtak om skolebytte – {barn}", answers=True, gap=(5, 20)),
        ),
        restricted="KL",
        hjemmel=HJEMMEL_PERSONAL,
        weight=1,
    ),
    CaseTemplate(
        "Skoleskyss {aar}/{aar2} – {enhet}",
        (
            inn("Søknad om skoleskyss – farlig skoleveg – {veg}", "person"),
            ut("Vedtak om skoleskyss – {veg}", answers=True, gap=(5, 20)),
        ),
        weight=1,
    ),
    CaseTemplate(
        "Utleie av lokaler – {enhet}",
        (
            inn("Søknad om leie av gymsal – {lag}", "lag"),
            ut("Svar på søknad om leie av gymsal – {lag}", answers=True, gap=(1, 10)),
        ),
        weight=0.8,
    ),
]

SKOLE += [
    CaseTemplate(
        "Tilsyn – skolemiljø – {enhet}",
        (
            inn("Varsel om tilsyn – skolemiljø – {enhet}", "stat", forfall=21),
            ut("Dokumentasjon til tilsyn – skolemiljø – {enhet}", "stat", answers=True, gap=(10, 20)),
            inn("Tilsynsrapport – skolemiljø – {enhet}", "stat", gap=(30, 60)),
            x_notat("Tiltaksplan etter tilsyn – {enhet}", p=0.8),
        ),
        weight=0.4,
    ),
    CaseTemplate(
        "Skolerute {aar}/{aar2}",
        (
            n_notat("Forslag til skolerute {aar}/{aar2}", to="SKOLE"),
            x_notat(
                "Innspill til skolerute {aar}/{aar2} – {enhet}", by="recipient", answers=True, gap=(5, 20)
            ),
        ),
        weight=0.7,
    ),
    CaseTemplate(
        "Innkjøp av læremidler – {enhet}",
        (
            inn("Tilbud på læremidler – {firma}", "firma"),
            ut("Bestilling av læremidler – {firma}", answers=True, p=0.7),
        ),
        weight=0.8,
    ),
    CaseTemplate(
        "Samarbeidsutvalget {aar} – {enhet}",
        (
            x_notat("Referat fra møte i samarbeidsutvalget – {enhet}"),
            inn("Innspill til samarbeidsutvalget", "person", p=0.4),
        ),
        weight=0.6,
    ),
]

BARNEHAGE = [
    CaseTemplate(
        "Samarbeidsutvalget {aar} – {enhet}",
        (
            x_notat("Referat fra møte i samarbeidsutvalget – {enhet}"),
            inn("Innspill til samarbeidsutvalget", "person", p=0.4),
        ),
        weight=0.8,
    ),
    CaseTemplate(
        "Dispensasjon fra utdanningskravet – {enhet}",
        (
            n_notat("Søknad om dispensasjon fra utdanningskravet – {enhet}", to="BARNHG"),
            x_notat(
                "Vedtak om dispensasjon fra utdanningskravet – {enhet}",
                by="recipient",
                answers=True,
                gap=(5, 20),
            ),
        ),
        weight=0.8,
    ),
    CaseTemplate(
        "Spørsmål om foreldrebetaling – {enhet}",
        (
            inn("Spørsmål om foreldrebetaling – {enhet}", "person"),
            ut("Svar på spørsmål om foreldrebetaling – {enhet}", answers=True, p=0.5),
        ),
        weight=0.6,
    ),
    CaseTemplate(
        "Barnehageplass – {barn}",
        (
            inn("Søknad om barnehageplass – {barn}", "forelder"),
            ut("Tilbud om barnehageplass – {barn}", answers=True, gap=(10, 40)),
            inn("Aksept av barnehageplass – {barn}", "forelder", p=0.8, gap=(3, 14)),
            inn("Oppsigelse av barnehageplass – {barn}", "forelder", p=0.15, gap=(60, 200)),
        ),
        restricted="KL",
        hjemmel=HJEMMEL_PERSONAL,
        weight=1.5,
    ),
    CaseTemplate(
        "Redusert foreldrebetaling – {barn}",
        (
            inn("Søknad om redusert foreldrebetaling – {barn}", "forelder"),
            ut("Vedtak om redusert foreldrebetaling – {barn}", answers=True, gap=(5, 25)),
        ),
        restricted="KL",
        hjemmel=HJEMMEL_PERSONAL,
        weight=1,
    ),
    CaseTemplate(
        "Vedlikehold – {enhet}",
        (
            n_notat("Meldt behov for vedlikehold – {tema} – {enhet}", to="TDR"),
            x_notat("Tilbakemelding vedlikehold – {tema}", by="recipient", answers=True, gap=(5, 40)),
        ),
        {"tema": ("lekeapparater", "gjerde", "ventilasjon", "sandkasse", "utelys")},
        weight=1,
    ),
    CaseTemplate(
        "Miljørettet helsevern – {enhet}",
        (
            ut("Melding om virksomhet – miljørettet helsevern – {enhet}", "stat"),
            inn("Tilsynsrapport – miljørettet helsevern – {enhet}", "stat", gap=(30, 90)),
            x_notat("Lukking av avvik – {enhet}", p=0.7),
        ),
        weight=0.5,
    ),
]

BARNEHAGE_ADM = [
    CaseTemplate(
        "Tilsyn – {barnehage}",
        (
            ut("Varsel om tilsyn – {barnehage}", "firma"),
            inn("Dokumentasjon til tilsyn – {barnehage}", "firma", gap=(14, 30), forfall=14),
            x_notat("Tilsynsrapport – {barnehage}", gap=(14, 30)),
            ut("Endelig tilsynsrapport – {barnehage}", "firma", answers=True),
        ),
        {"barnehage": ("Fjellheim private barnehage", "Solstua barnehage SA", "Eventyrskogen FUS-barnehage")},
        weight=1,
    ),
    CaseTemplate(
        "Tilskudd til private barnehager {aar}",
        (
            inn("Søknad om tilskudd til private barnehager {aar} – {barnehage}", "firma"),
            ut("Vedtak om tilskudd {aar} – {barnehage}", answers=True, gap=(14, 40)),
            inn("Klage på vedtak om tilskudd – {barnehage}", "firma", p=0.2),
        ),
        {"barnehage": ("Fjellheim private barnehage", "Solstua barnehage SA", "Eventyrskogen FUS-barnehage")},
        weight=1,
    ),
]

PPT = [
    CaseTemplate(
        "PPT – {barn}",
        (
            inn("Henvisning til PPT – {barn}", "forelder"),
            x_notat("Observasjon og kartlegging – {barn}", gap=(14, 40)),
            ut("Sakkyndig vurdering – {barn}", "forelder", answers=True, gap=(20, 60)),
        ),
        restricted="KL",
        hjemmel=HJEMMEL_PERSONAL,
        weight=3,
    ),
    CaseTemplate(
        "Kompetanseutvikling {aar} – {tema}",
        (
            inn("Tilskudd til kompetanseutvikling – {tema}", "stat"),
            x_notat("Plan for kompetanseutvikling – {tema}"),
        ),
        {"tema": ("inkluderende barnehage- og skolemiljø", "lesing", "regning")},
        weight=0.7,
    ),
]

KULTUR = [
    CaseTemplate(
        "Kulturmidler {aar} – {lag}",
        (
            inn("Søknad om kulturmidler {aar} – {lag}", "lag"),
            ut("Vedtak om kulturmidler {aar} – {lag}", answers=True, gap=(20, 60)),
            inn("Rapport og regnskap – kulturmidler – {lag}", "lag", p=0.4, gap=(60, 200)),
        ),
        weight=3,
    ),
    CaseTemplate(
        "Arrangement – {arrangement}",
        (
            inn("Søknad om tilskudd til arrangement – {arrangement}", "lag"),
            n_notat("Arrangement {arrangement} – bruk av kommunal grunn", to="TDR", p=0.4),
            x_notat("Bruk av kommunal grunn – {arrangement}", by="recipient", answers=True),
            ut("Svar på søknad om tilskudd – {arrangement}", answers=True, gap=(10, 40)),
        ),
        {
            "arrangement": (
                "Olsokdagene",
                "vårkonsert",
                "bygdedag på Vuku",
                "sommerteater",
                "marknadsdag i sentrum",
            )
        },
        weight=2,
    ),
    CaseTemplate(
        "Kulturskolen – {barn}",
        (
            inn("Søknad om plass i kulturskolen – {barn}", "forelder"),
            ut("Tilbud om plass i kulturskolen – {barn}", answers=True, gap=(10, 40)),
        ),
        restricted="KL",
        hjemmel=HJEMMEL_PERSONAL,
        weight=1.5,
    ),
    CaseTemplate(
        "Spillemidler {aar2} – {anlegg}",
        (
            inn("Søknad om spillemidler – {anlegg}", "lag"),
            x_notat("Prioritering av spillemiddelsøknader {aar2}"),
            ut("Oversendelse av søknad om spillemidler – {anlegg}", "stat", answers=True, gap=(10, 40)),
        ),
        {"anlegg": ("lysløype", "kunstgressbane", "turvei", "skatepark", "klubbhus")},
        weight=1,
    ),
]

UNGDOM = [
    CaseTemplate(
        "Ungdomsrådet {aar} – {tema}",
        (
            x_notat("Referat fra møte i ungdomsrådet – {tema}"),
            n_notat("Innspill fra ungdomsrådet – {tema}", to="RAD-V", p=0.5),
            x_notat("Svar på innspill fra ungdomsrådet", by="recipient", answers=True),
        ),
        {"tema": ("fritidstilbud", "kollektivtransport", "psykisk helse", "ungdomsklubben")},
        weight=2,
    ),
    CaseTemplate(
        "Tilskudd til ungdomsaktiviteter – {lag}",
        (
            inn("Søknad om tilskudd til ungdomsaktiviteter – {lag}", "lag"),
            ut("Vedtak om tilskudd – {lag}", answers=True, gap=(10, 40)),
        ),
        weight=1.5,
    ),
]

STAB = [
    CaseTemplate(
        "IKT – {tema}",
        (
            n_notat("Bestilling – {tema}", to="@any", p=0.5),
            x_notat("Bestilling – {tema} – utført", by="recipient", answers=True),
            inn("Tilbud – {tema}", "firma", p=0.6),
            ut("Bestilling – {tema}", "firma", answers=True, p=0.7),
        ),
        {
            "tema": (
                "nye bærbare PC-er",
                "lisenser kontorstøtte",
                "oppgradering av fagsystem",
                "mobiltelefoner",
            )
        },
        weight=2,
    ),
    CaseTemplate(
        "Informasjonssikkerhet – {tema}",
        (
            n_notat("Avviksmelding informasjonssikkerhet – {tema}", to="LEADER"),
            x_notat("Behandling av sikkerhetsavvik – {tema}", by="recipient", answers=True),
            ut("Melding om avvik til Datatilsynet – {tema}", "stat", p=0.2),
        ),
        {"tema": ("e-post sendt til feil mottaker", "tapt minnepinne", "feil tilgang i fagsystem")},
        restricted="5",
        hjemmel="Offl. § 24 tredje ledd",
        weight=1,
    ),
    CaseTemplate(
        "Arkiv – {tema}",
        (
            inn("{tema}", "stat"),
            x_notat("Arkivplan – revisjon {aar}", p=0.7),
            ut("Svar – {tema}", "stat", answers=True, p=0.8),
        ),
        {
            "tema": (
                "Forespørsel om avlevering av eldre arkiv",
                "Tilsyn med arkivarbeidet",
                "Spørsmål om bevaring og kassasjon",
            )
        },
        weight=1,
    ),
    CaseTemplate(
        "Valg {aar2} – {tema}",
        (
            x_notat("Valgstyret – {tema}"),
            ut("Valg {aar2} – {tema}", "lag", p=0.6),
            inn("Valg {aar2} – innspill om {tema}", "lag", p=0.5),
        ),
        {"tema": ("valglokaler", "stemmestyrer", "forhåndsstemming")},
        weight=0.7,
    ),
    CaseTemplate(
        "Skjenkebevilling – {arrangement}",
        (
            inn("Søknad om ambulerende skjenkebevilling – {arrangement}", "lag", forfall=14),
            n_notat("Uttalelse fra politiet og NAV – skjenkebevilling {arrangement}", to="SOS VK", p=0.3),
            x_notat("Uttalelse – skjenkebevilling", by="recipient", answers=True),
            ut("Vedtak om skjenkebevilling – {arrangement}", answers=True, gap=(3, 14)),
        ),
        {"arrangement": ("Olsokdagene", "sommerfest på Fætta", "bygdedag", "julebord i samfunnshuset")},
        weight=1.5,
    ),
]

ORIENTERING = [
    CaseTemplate(
        "Orientering – {tema}",
        (
            inn("Orientering – {tema}", "stat"),
            inn("Orientering – {tema} – oppfølging", "stat", p=0.2, gap=(20, 60)),
        ),
        {
            "tema": (
                "statsbudsjettet {aar2}",
                "endringer i regelverket",
                "nasjonale mål og prioriteringer",
                "beredskapsøvelse {aar}",
                "rapportering for {aar}",
            )
        },
        weight=2,
    ),
    CaseTemplate(
        "Kurs og konferanser {aar}",
        (inn("Invitasjon – {kurs}", "firma"), x_notat("Påmelding – {kurs}", p=0.3)),
        {
            "kurs": (
                "fagdag om arkiv",
                "lederkonferanse",
                "kurs i forvaltningsrett",
                "fagsamling",
                "webinar om personvern",
            )
        },
        weight=1,
    ),
    CaseTemplate(
        "Kopi av vedtak – {tema}",
        (inn("Kopi av vedtak – {tema}", "stat"),),
        {"tema": ("klagesak", "tilskudd", "tilsyn", "fylkesvei")},
        weight=1,
    ),
]

DOMAINS: dict[str, list[CaseTemplate]] = {
    "orientering": ORIENTERING,
    "bygg": BYGG,
    "landbruk": LANDBRUK,
    "miljo": MILJO,
    "oppmaling": OPPMALING,
    "teknisk": TEKNISK,
    "innkjop": INNKJOP,
    "okonomi": OKONOMI,
    "personal": PERSONAL,
    "radmann": RADMANN,
    "ordforer": ORDFORER,
    "advokat": ADVOKAT,
    "helse": HELSE,
    "institusjon": INSTITUSJON,
    "boda": BODA,
    "sosial": SOSIAL,
    "integrering": INTEGRERING,
    "skole": SKOLE,
    "barnehage": BARNEHAGE,
    "barnehage_adm": BARNEHAGE_ADM,
    "ppt": PPT,
    "kultur": KULTUR,
    "ungdom": UNGDOM,
    "stab": STAB,
}

SCHOOLS = ("GARNES", "LEKSDAL", "NESS", "STIKLESTAD", "VERDAL-BS", "VERDAL-US", "VINNE", "VUKU", "ØRMELEN")
KINDERGARTENS = (
    "FORB-LEIN",
    "GARNES-B",
    "KANUTTEN",
    "LEKSDAL-B",
    "MAR",
    "REINSHOLM",
    "VINNE-B",
    "VUKU-B",
    "ØRMELEN-B",
)


@dataclass(frozen=True)
class UnitProfile:
    domains: dict[str, float]
    """Domain -> weight of its templates in this unit."""
    volume: float
    """Relative number of cases."""
    restanser: int
    """Restanser in the customer's table (16.12.2019): the shape of the open restanser."""


def _profile(volume: float, restanser: int, **domains: float) -> UnitProfile:
    """Every unit also gets some letters for information only (``orientering``)."""
    return UnitProfile(domains={"orientering": 0.3, **domains}, volume=volume, restanser=restanser)


UNIT_PROFILES: dict[str, UnitProfile] = {
    "ADV-V": _profile(2, 1, advokat=1, personal=0.05),
    "BARNHG": _profile(4, 11, barnehage_adm=1, barnehage=0.6, personal=0.15),
    "BODA": _profile(5, 28, boda=1, helse=0.3, personal=0.15),
    "GDO": _profile(7, 31, oppmaling=1),
    "HJTJ VK": _profile(8, 72, helse=1, personal=0.125),
    "INNK": _profile(3, 0, innkjop=1),
    "INST VK": _profile(5, 38, institusjon=1, helse=0.3, personal=0.15),
    "INTEGRERING": _profile(3, 8, integrering=1),
    "KTJ VK": _profile(6, 28, kultur=1, ungdom=0.1),
    "LMA": _profile(30, 583, bygg=1.2, landbruk=1, miljo=0.4),
    "ORD-V": _profile(3, 0, ordforer=1),
    "RAD-V": _profile(10, 128, radmann=1, personal=0.15, innkjop=0.15),
    "RESOP": _profile(4, 14, ppt=1),
    "RIL": _profile(5, 19, okonomi=1),
    "SKOLE": _profile(4, 12, skole=0.6, okonomi=0.2, personal=0.15),
    "SOS VK": _profile(4, 4, sosial=1),
    "SUV": _profile(10, 74, stab=1, personal=0.2),
    "TDR": _profile(14, 134, teknisk=1),
    "UNG": _profile(2, 4, ungdom=1),
}
_SCHOOL_RESTANSER = {
    "NESS": 2,
    "STIKLESTAD": 5,
    "VERDAL-BS": 13,
    "VERDAL-US": 4,
    "VUKU": 5,
    "ØRMELEN": 6,
    "LEKSDAL": 1,
}
_KINDERGARTEN_RESTANSER = {"KANUTTEN": 1, "LEKSDAL-B": 4, "REINSHOLM": 2}
for _code in SCHOOLS:
    UNIT_PROFILES[_code] = _profile(2.5, _SCHOOL_RESTANSER.get(_code, 0), skole=1, personal=0.075)
for _code in KINDERGARTENS:
    UNIT_PROFILES[_code] = _profile(1.5, _KINDERGARTEN_RESTANSER.get(_code, 0), barnehage=1, personal=0.075)

DEFAULT_PROFILE = _profile(2, 2, stab=0.5, personal=0.25, radmann=0.3)
"""For units the demo does not know (a database with another organisation)."""

FAG_UNITS = ("LMA", "TDR", "HJTJ VK", "SKOLE", "BARNHG", "KTJ VK", "RIL", "SOS VK")
"""Units a hearing or an inquiry is sent on to (``to="@fag"``)."""

# --- Parties and places ------------------------------------------------------------------------

FIRST = (
    "Anne", "Per", "Kari", "Ola", "Ingrid", "Lars", "Marit", "Jon", "Siri", "Knut", "Liv", "Erik",
    "Hilde", "Nils", "Tone", "Arne", "Berit", "Geir", "Randi", "Tor", "Svein", "Ragnhild", "Odd",
    "Heidi", "Bjørn", "Solveig", "Trond", "Astrid", "Eirik", "Camilla", "Jørgen", "Mona", "Rune",
    "Elin", "Stian", "Turid", "Håkon", "Marte", "Kjell", "Guro", "Magnus", "Line", "Øystein",
    "Silje", "Vegard", "Åse", "Frode", "Torill", "Ahmad", "Mariam", "Piotr", "Agnieszka", "Yonas",
)  # fmt: skip
CHILD_FIRST = (
    "Emma", "Noah", "Nora", "Jakob", "Sofie", "Filip", "Ella", "Aksel", "Maja", "Emil", "Olivia",
    "Lukas", "Ingrid", "Oskar", "Leah", "Isak", "Frida", "Henrik", "Selma", "Johannes", "Alma",
    "Mathias", "Ada", "Theodor", "Sara", "Liam", "Hedda", "Elias", "Tiril", "Sander",
)  # fmt: skip
LAST = (
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
    "Jensen", "Karlsen", "Berg", "Haugen", "Hagen", "Eriksen", "Bakken", "Moe", "Lie", "Dahl",
    "Lund", "Strand", "Vollan", "Sandvik", "Holm", "Ness", "Aune", "Grande", "Rønning", "Fossum",
    "Lyng", "Okkenhaug", "Sellæg", "Hoseth", "Tromsdal", "Kvello", "Brenne", "Midtgarden",
    "Sørli", "Hallan", "Jermstad", "Haugan", "Nordgård", "Bjartnes", "Kowalski", "Tesfay",
)  # fmt: skip
STREETS = (
    "Stiklestadveien", "Nordgata", "Jernbanegata", "Kirkeveien", "Vinnevegen", "Leksdalsvegen",
    "Ørmelensvegen", "Vukuvegen", "Skolegata", "Ringveien", "Industrivegen", "Melbygata",
    "Prestegårdsvegen", "Kvernmovegen", "Trondheimsveien", "Bakketunet", "Kongsvegen", "Haugslia",
    "Myrvegen", "Holmsvegen", "Garnesvegen", "Volhaugvegen", "Reinsholmvegen", "Nessvegen",
)  # fmt: skip
POSTSTEDER = (
    ("7650", "VERDAL"), ("7650", "VERDAL"), ("7650", "VERDAL"), ("7652", "VERDAL"),
    ("7653", "VERDAL"), ("7656", "VERDAL"), ("7657", "VERDAL"), ("7660", "VUKU"),
    ("7670", "INDERØY"), ("7600", "LEVANGER"), ("7500", "STJØRDAL"), ("7725", "STEINKJER"),
)  # fmt: skip
PLACES = (
    "Ørmelen",
    "Stiklestad",
    "Vinne",
    "Vuku",
    "Leksdal",
    "Garnes",
    "Ness",
    "Helgådalen",
    "Vera",
    "Sul",
    "Inndalen",
    "Volhaugen",
)
COMPANIES = (
    "Byggmester Hansen AS", "Innherred Bygg AS", "Verdal Rør og Varme AS", "Arkitektkontoret Nord AS",
    "Trøndelag Grunnarbeid AS", "Elektro Innherred AS", "Landmåler Berg AS", "Vollan Maskin AS",
    "Stiklestad Tre AS", "Aune Prosjekt AS", "Rådgivende ingeniør Strand AS", "Sandvik Eiendom AS",
    "Lie Landskap AS", "Moe Elektro AS", "Dahl Gravedrift AS", "IT-huset Midt AS",
    "Skolemøbler Norge AS", "Kontorrekvisita Trøndelag AS", "Holm Transport AS", "Okkenhaug Entreprenør AS",
    "Rønning Regnskap AS", "Vinne Betong AS", "Grande Snekkerverksted AS", "Fossum VVS AS",
)  # fmt: skip
AGENCIES = (
    ("Statsforvalteren i Trøndelag", "Postboks 4710 Torgarden", "7468", "TRONDHEIM"),
    ("Trøndelag fylkeskommune", "Postboks 2560", "7735", "STEINKJER"),
    ("Statens vegvesen", "Postboks 1010 Nordre Ål", "2605", "LILLEHAMMER"),
    ("Mattilsynet", "Felles postmottak, Postboks 383", "2381", "BRUMUNDDAL"),
    ("Arbeidstilsynet", "Postboks 4720 Torgarden", "7468", "TRONDHEIM"),
    ("Kommunal- og distriktsdepartementet", "Postboks 8112 Dep", "0032", "OSLO"),
    ("Integrerings- og mangfoldsdirektoratet", "Postboks 2832 Tøyen", "0608", "OSLO"),
    ("Kartverket", "Postboks 600 Sentrum", "3507", "HØNEFOSS"),
    ("Husbanken", "Postboks 1404", "8002", "BODØ"),
    ("Arkivverket", "Postboks 4013 Ullevål stadion", "0806", "OSLO"),
    ("Forliksrådet i Verdal", "Postboks 150", "7651", "VERDAL"),
    ("Datatilsynet", "Postboks 458 Sentrum", "0105", "OSLO"),
)
ASSOCIATIONS = (
    "Leksdal grendelag", "Ørmelen velforening", "Stiklestad sanitetsforening", "Innherred skiklubb",
    "Vinne musikkorps", "Ness skytterlag", "Garnes bygdekvinnelag", "Helgådalen grunneierlag",
    "Vuku idrettslag", "Pensjonistforeningen i sentrum", "Verdal historielag", "Sul bygdelag",
    "Jenteklubben Fotball", "Innherred sjakklubb", "Vera grendalag",
)  # fmt: skip
PRESS = ("Innherredsavisa", "Avisa Trøndelag Nord", "Nyhetsbyrået Midt")

PARAGRAPHS = (
    "Vi viser til tidligere korrespondanse i saken.",
    "Saken gjelder forholdet som er beskrevet i overskriften.",
    "Dokumentasjonen som er nevnt i søknaden, følger vedlagt.",
    "Ta gjerne kontakt dersom noe er uklart eller dere trenger mer informasjon.",
    "Vi ber om tilbakemelding så snart som mulig.",
    "Saken behandles etter gjeldende regelverk og kommunens delegeringsreglement.",
    "Vedtaket kan påklages innen tre uker etter at det er mottatt, jf. forvaltningsloven § 29.",
    "Henvendelsen er registrert og vil bli behandlet fortløpende.",
)
ATTACHMENT_TITLES = ("Situasjonsplan", "Kart", "Bilder", "Kopi av tidligere vedtak", "Dokumentasjon")
