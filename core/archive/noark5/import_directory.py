"""Units and people named in an extraction: matched case-insensitively, created when missing.

arkivstruktur.xml names units (administrativEnhet) and people (saksansvarlig, saksbehandler,
avskrevetAv …) by name; some systems write a unit's code or a person's initials instead.
:class:`Directory` loads every unit and person once (an organisation is small next to an
archive) and answers from memory: a unit by code, then by name; a person by initials, then by
name; case-insensitively with whitespace collapsed.

A missing unit is created with a code derived from its name; a missing person with generated
initials and a placeholder e-mail under ``.invalid`` (reserved, never delivered; the e-mail
column is unique). Both are created **inactive**: the extraction only says that someone of that
name worked on the records, not that they are a current employee or unit. An administrator
activates (or merges) them.
"""

from __future__ import annotations

import re
import unicodedata

from core.archive.noark5.import_values import name_key
from core.tables import Person, Unit

PLACEHOLDER_MAIL_DOMAIN = "import.arkivrutiner.invalid"

_FOLD = str.maketrans({"Æ": "AE", "Ø": "O", "Å": "AA", "æ": "ae", "ø": "o", "å": "aa"})


def ascii_fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.translate(_FOLD))
    return "".join(c for c in decomposed if c.isascii() and not unicodedata.combining(c))


def unit_code(name: str, used: set[str]) -> str:
    """A readable unique code from a unit name: ``Teknisk drift`` → ``TEKNISK-DRIFT``."""
    base = re.sub(r"[^A-Z0-9]+", "-", ascii_fold(name).upper()).strip("-")[:34] or "ENHET"
    code, n = base, 2
    while code in used:
        code, n = f"{base}-{n}", n + 1
    return code


def initials_for(name: str, used: set[str]) -> str:
    """Unique initials from a name: ``Lars H. Hansen`` → ``LHH`` (``LHH2`` if taken)."""
    letters = "".join(part[0] for part in re.split(r"[\s.\-]+", name) if part)
    base = letters.upper()[:16] or "X"
    initials, n = base, 2
    while initials in used:
        initials, n = f"{base}{n}", n + 1
    return initials


class Directory:
    """Units and people, loaded once per import; creations are counted."""

    def __init__(self) -> None:
        self.unit_by_code: dict[str, int] = {}
        self.unit_by_name: dict[str, int] = {}
        self.person_by_initials: dict[str, int] = {}
        self.person_by_name: dict[str, int] = {}
        self.codes: set[str] = set()
        self.initials: set[str] = set()
        self.emails: set[str] = set()
        self.units_created = 0
        self.people_created = 0
        self._found: dict[str, int] = {}
        """A name or initials exactly as written → the person (names repeat on every record)."""
        self._units: dict[str, int] = {}
        """A unit's name or code exactly as written → the unit."""

    @classmethod
    async def load(cls) -> Directory:
        directory = cls()
        for unit in await Unit.select(Unit.id, Unit.code, Unit.name).order_by(Unit.id):
            directory.codes.add(unit["code"].upper())
            directory.unit_by_code.setdefault(name_key(unit["code"]), unit["id"])
            directory.unit_by_name.setdefault(name_key(unit["name"]), unit["id"])
        people = await Person.select(Person.id, Person.name, Person.initials, Person.email).order_by(
            Person.id
        )
        for person in people:
            directory.initials.add(person["initials"].upper())
            directory.emails.add(person["email"].lower())
            directory.person_by_initials.setdefault(name_key(person["initials"]), person["id"])
            directory.person_by_name.setdefault(name_key(person["name"]), person["id"])
        return directory

    async def unit(self, value: str) -> int | None:
        """The unit with this code or name; created when there is none. None for ""."""
        if not value:
            return None
        found = self._units.get(value)
        if found is not None:
            return found
        key = name_key(value)
        found = self.unit_by_code.get(key) or self.unit_by_name.get(key)
        if found is not None:
            self._units[value] = found
            return found
        code = unit_code(value, self.codes)
        unit = Unit(code=code, name=value[:200], parent=None, active=False)
        await unit.save()
        unit_id = int(unit.id)
        self.codes.add(code)
        self.unit_by_code[name_key(code)] = unit_id
        self.unit_by_name[key] = unit_id
        self.units_created += 1
        return unit_id

    def find_person(self, value: str) -> int | None:
        """The person with these initials or this name, or None (never creates)."""
        if not value:
            return None
        found = self._found.get(value)
        if found is None:
            key = name_key(value)
            found = self.person_by_initials.get(key) or self.person_by_name.get(key)
            if found is not None:
                self._found[value] = found
        return found

    async def person(self, value: str, unit_id: int | None = None) -> int | None:
        """The person with these initials or this name; created (in ``unit_id``) when missing."""
        if not value:
            return None
        found = self.find_person(value)
        if found is not None:
            return found
        initials = initials_for(value, self.initials)
        email = self._email(initials)
        person = Person(name=value[:200], initials=initials, email=email, unit=unit_id, active=False)
        await person.save()
        person_id = int(person.id)
        self.initials.add(initials)
        self.emails.add(email)
        self.person_by_initials[name_key(initials)] = person_id
        self.person_by_name[name_key(value)] = person_id
        self.people_created += 1
        return person_id

    def _email(self, initials: str) -> str:
        local = re.sub(r"[^a-z0-9]+", "", ascii_fold(initials).lower()) or "person"
        email, n = f"{local}@{PLACEHOLDER_MAIL_DOMAIN}", 2
        while email in self.emails:
            email, n = f"{local}{n}@{PLACEHOLDER_MAIL_DOMAIN}", n + 1
        return email
