"""The official Noark 5 XSDs (arkivstruktur + metadatakatalog) for v3.1, v4.0 and v5.0."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

from core.archive.noark5 import VERSIONS

XSD_DIR = Path(__file__).parent / "xsd"


@dataclass(frozen=True)
class SchemaError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"linje {self.line}: {self.message}" if self.line else self.message


@cache
def schema(version: str) -> etree.XMLSchema:
    """The compiled arkivstruktur schema for ``version`` ("3.1", "4.0" or "5.0")."""
    if version not in VERSIONS:
        raise ValueError(f"ukjent Noark 5-versjon: {version}")
    return etree.XMLSchema(etree.parse(str(XSD_DIR / f"v{version}" / "arkivstruktur.xsd")))


TREE_LIMIT = 200 * 1024 * 1024
"""Files up to this size are validated as a tree (errors carry line numbers); larger files
stream through libxml2's validating reader (bounded memory, but no line numbers)."""


def validate(path: Path, version: str, *, limit: int = 20) -> list[SchemaError]:
    """Validate ``path`` against the XSD of ``version``; the errors found (empty: valid)."""
    xsd = schema(version)
    # As the import reads the file (see core.archive.noark5.reader.PARSER_OPTIONS).
    options = {"resolve_entities": "internal", "no_network": True, "huge_tree": True}
    try:
        if path.stat().st_size <= TREE_LIMIT:
            document = etree.parse(str(path), etree.XMLParser(**options))
            if xsd.validate(document):
                return []
            return [_error(e) for e in list(xsd.error_log)[:limit]]
        for _event, element in etree.iterparse(str(path), events=("end",), schema=xsd, **options):
            element.clear(keep_tail=True)
    except etree.XMLSyntaxError as exc:
        entries = [e for e in exc.error_log if e.level_name != "WARNING"]
        return [_error(e) for e in entries[:limit]] or [_error(exc)]
    return []


def _error(entry: object) -> SchemaError:
    line = int(getattr(entry, "line", 0) or getattr(entry, "lineno", 0) or 0)
    message = str(getattr(entry, "message", None) or entry)
    return SchemaError(line=line, message=message)


def valid_versions(path: Path) -> list[str]:
    """Every version whose XSD ``path`` validates against (may be empty)."""
    return [v for v in VERSIONS if not validate(path, v, limit=1)]
