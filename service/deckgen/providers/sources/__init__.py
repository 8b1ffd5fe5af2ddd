"""Source documents in other formats (PDF, DOCX, PPTX, XLSX, HTML, CSV) as Markdown, behind the
pipeline's `SourceConverter` port: markitdown and openpyxl in sandboxed child processes."""

from deckgen.providers.sources._converter import Converted, SourceConverter, SourceFailed
from deckgen.providers.sources._detect import DECLARED, SUFFIXES, Format

__all__ = ["DECLARED", "SUFFIXES", "Converted", "Format", "SourceConverter", "SourceFailed"]
