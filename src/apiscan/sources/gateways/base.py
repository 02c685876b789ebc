"""The contract between the landscape scan and a gateway importer.

The scan walks the input root once and hands every importer a `FileSet`. Each importer
`claim`s the bundles it recognises by content (a decK file, an Apigee `apiproxy/` folder or zip,
an APIOps tree, ...), then `load`s each bundle into `Gateway` records. Claimed files are not
offered to later importers; OpenAPI files a gateway also uses (AWS exports, APIM specification
files) stay available to the spec loader too (`Bundle.also_spec`).

An importer never raises on bad input: it returns `ImportErrorRecord`s naming the file and place,
and imports everything else in the bundle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from apiscan.models.gateway import Gateway
from apiscan.sources.document import DocumentError, LoadedDocument, load_document


@dataclass
class ImportErrorRecord:
    file: str
    message: str
    line: int | None = None
    column: int | None = None
    pointer: str | None = None


@dataclass
class Bundle:
    """A set of files one importer loads together."""

    vendor: str
    root: Path  # the bundle's folder (or the single file)
    files: list[Path] = field(default_factory=list)
    also_spec: list[Path] = field(default_factory=list)  # OpenAPI files to lint as specs too
    hint: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportResult:
    gateways: list[Gateway] = field(default_factory=list)
    errors: list[ImportErrorRecord] = field(default_factory=list)


class FileSet:
    """Every file under the input root, with parsed YAML/JSON cached so each is read once."""

    def __init__(self, root: Path, files: list[Path]):
        self.root = root
        self.files = files
        self.claimed: set[Path] = set()
        self._cache: dict[Path, LoadedDocument | DocumentError] = {}

    def unclaimed(self) -> list[Path]:
        return [f for f in self.files if f not in self.claimed]

    def load(self, path: Path) -> LoadedDocument:
        """Parsed YAML/JSON (cached). Raises DocumentError."""
        hit = self._cache.get(path)
        if hit is None:
            try:
                hit = load_document(path)
            except DocumentError as exc:
                hit = exc
            self._cache[path] = hit
        if isinstance(hit, DocumentError):
            raise hit
        return hit

    def try_data(self, path: Path) -> Any:
        """Parsed data or None when the file is not YAML/JSON (for detection: never raises)."""
        if path.suffix.lower() not in (".json", ".yaml", ".yml", "") and path.name not in ("",):
            return None
        try:
            return self.load(path).data
        except DocumentError:
            return None

    def head(self, path: Path, size: int = 4096) -> str:
        """The first bytes of a file as text, for cheap detection of XML/RAML/etc."""
        try:
            with open(path, "rb") as fh:
                return fh.read(size).decode("utf-8", "replace").lstrip("\ufeff")
        except OSError:
            return ""

    def relative(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)


class Importer(Protocol):
    vendor: str

    def claim(self, fileset: FileSet) -> list[Bundle]:
        """Recognise this vendor's bundles among `fileset.unclaimed()` by content."""

    def load(self, bundle: Bundle, fileset: FileSet) -> ImportResult:
        """Build Gateway records with effective policies; never raise on bad input."""
