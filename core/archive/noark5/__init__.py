"""Noark 5 extractions (arkivuttrekk): ``arkivstruktur.xml`` in the v3.1, v4.0 and v5.0 layouts.

- :mod:`.schemas`: the official XSDs (``xsd/``) and validation.
- :mod:`.importer`: ``arkivrutiner import-noark5``, streaming and all-or-nothing per file.
- :mod:`.exporter`: ``arkivrutiner export-noark5``, v5.0, validated against the XSD.
"""

NS = "http://www.arkivverket.no/standarder/noark5/arkivstruktur"
NS_METADATA = "http://www.arkivverket.no/standarder/noark5/metadatakatalog"
VERSIONS = ("3.1", "4.0", "5.0")
