"""PDF export and slide previews: LibreOffice and poppler behind the pipeline's Exporter port."""

from deckgen.providers.export._libreoffice import (
    ExportFailed,
    ExportUnavailable,
    LibreOfficeExporter,
    export_available,
)

__all__ = ["ExportFailed", "ExportUnavailable", "LibreOfficeExporter", "export_available"]
