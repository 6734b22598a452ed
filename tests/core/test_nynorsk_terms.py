"""The nynorsk catalogue uses the words of the glossary (``docs/glossary.md``), and none of the
forms the glossary rejects (``Mottatte oppgåver``, ``saksbehandlar``, bokmål forms ...).

The glossary's table is the one source: this test reads it, so a new term or a newly rejected
form is added there, not here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

pytestmark = pytest.mark.engine_independent

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "glossary.md"
NN_PO = ROOT / "core" / "locales" / "nn" / "LC_MESSAGES" / "messages.po"
HEADER = ["bokmål", "nynorsk", "in the code", "meaning", "not in nynorsk"]


@dataclass(frozen=True)
class Term:
    bokmal: tuple[str, ...]
    nynorsk: tuple[str, ...]
    rejected: tuple[str, ...]


def _forms(cell: str) -> tuple[str, ...]:
    cell = cell.strip()
    if cell in ("", "–"):
        return ()
    return tuple(form.strip().strip("*`") for form in cell.split(","))


def glossary_terms(text: str) -> list[Term]:
    """The rows of the glossary's table (the one whose header is :data:`HEADER`)."""
    rows: list[list[str]] = []
    in_table = False
    for line in text.splitlines():
        if not line.startswith("|"):
            in_table = False
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells == HEADER:
            in_table = True
        elif in_table and not set("".join(cells)) <= set("- "):
            rows.append(cells)
    terms = []
    for cells in rows:
        assert len(cells) == len(HEADER), f"glossary row with {len(cells)} cells: {cells}"
        term = Term(_forms(cells[0]), _forms(cells[1]), _forms(cells[4]))
        assert len(term.bokmal) == len(term.nynorsk), f"bokmål and nynorsk forms do not pair up: {cells}"
        terms.append(term)
    return terms


def _text(string: str | tuple[str, ...] | None) -> str:
    if isinstance(string, tuple):
        return " | ".join(s for s in string if s)
    return string or ""


def _capitalised(word: str) -> str:
    return word[:1].upper() + word[1:]


def term_problems(catalog: Catalog, terms: list[Term]) -> list[str]:
    """One line per nynorsk text that uses a rejected form, or that translates a glossary term
    (a msgid that is exactly the term) otherwise than the glossary says."""
    problems = []
    rejected = [
        (form, re.compile(rf"(?<!\w){re.escape(form)}(?!\w)", re.IGNORECASE))
        for t in terms
        for form in t.rejected
    ]
    pairs = {
        variant(b): variant(n)
        for t in terms
        for b, n in zip(t.bokmal, t.nynorsk, strict=True)
        for variant in (str, _capitalised)
    }
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        text = _text(message.string)
        for form, pattern in rejected:
            if pattern.search(text):
                problems.append(f"  {msgid!r}: «{form}» i {text!r}")
        if msgid in pairs and text != pairs[msgid]:
            problems.append(f"  {msgid!r}: skal vere {pairs[msgid]!r}, ikkje {text!r}")
    return problems


def nn_catalog() -> Catalog:
    with NN_PO.open("rb") as fh:
        return read_po(fh, locale="nn")


def test_the_nynorsk_catalogue_follows_the_glossary() -> None:
    problems = term_problems(nn_catalog(), glossary_terms(GLOSSARY.read_text(encoding="utf-8")))
    assert not problems, (
        f"{len(problems)} nynorsk text(s) in {NN_PO.relative_to(ROOT)} break docs/glossary.md:\n"
        + "\n".join(problems)
    )


def test_the_glossary_table_is_read() -> None:
    terms = glossary_terms(GLOSSARY.read_text(encoding="utf-8"))
    assert len(terms) >= 20
    inbox = next(t for t in terms if t.bokmal == ("Mottatte oppgaver",))
    assert inbox.nynorsk == ("Mottekne oppgåver",)
    assert "Mottatte oppgåver" in inbox.rejected
    assert any("saksbehandlar" in t.rejected for t in terms)


def test_the_check_finds_rejected_forms_and_wrong_labels() -> None:
    terms = glossary_terms(
        "| bokmål | nynorsk | in the code | meaning | not in nynorsk |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| Mottatte oppgaver | Mottekne oppgåver | `/oppgaver` | the inbox | Mottatte oppgåver |\n"
        "| saksbehandler | sakshandsamar | `saksbehandler` | the handler | saksbehandlar |\n"
    )
    catalog = Catalog(locale="nn")
    catalog.add("Mottatte oppgaver", "Mottatte oppgåver")
    catalog.add("Gå til Mottatte oppgaver", "Gå til mottatte oppgåver")
    catalog.add("Saksbehandler", "Sakshandsamar")
    catalog.add("Ny saksbehandler", "Ny saksbehandlar")
    catalog.add("Saksbehandlerne", "Saksbehandlarane")  # not the whole word: not this rule's
    catalog.add(("%(n)s oppgave", "%(n)s oppgaver"), ("%(n)s oppgåve", "%(n)s Mottatte oppgåver"))
    assert term_problems(catalog, terms) == [
        "  'Mottatte oppgaver': «Mottatte oppgåver» i 'Mottatte oppgåver'",
        "  'Mottatte oppgaver': skal vere 'Mottekne oppgåver', ikkje 'Mottatte oppgåver'",
        "  'Gå til Mottatte oppgaver': «Mottatte oppgåver» i 'Gå til mottatte oppgåver'",
        "  'Ny saksbehandler': «saksbehandlar» i 'Ny saksbehandlar'",
        "  '%(n)s oppgave': «Mottatte oppgåver» i '%(n)s oppgåve | %(n)s Mottatte oppgåver'",
    ]
