"""PDF export and slide previews: LibreOffice and poppler behind the pipeline's Exporter port."""

from deckgen.providers.export._libreoffice import (
    ExportFailed,
    ExportUnavailable,
    LibreOfficeExporter,
    export_available,
    sweep_stale,
)
from deckgen.providers.export._sandbox import Sandbox, SandboxUnavailable

__all__ = [
    "ExportFailed",
    "ExportUnavailable",
    "LibreOfficeExporter",
    "Sandbox",
    "SandboxUnavailable",
    "export_available",
    "sweep_stale",
]
