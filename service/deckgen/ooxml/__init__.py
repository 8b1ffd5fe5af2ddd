"""Office files (OOXML zip packages: .pptx, .potx, .docx, .xlsx) that callers upload, opened safely.

open_package(data, limits)  -> Package: every part inflated, within size and ratio limits checked
                               from the zip directory first (PackageError naming the limit)
check_links(package)        -> UnsafePackage when a relationship leads outside the package (a URL,
                               a file of the server, an OLE object), naming the part
strip_links(package)        -> (package without those relationships, what was removed)
safe_package(data, limits)  -> open_package + check_links: what any code that opens an uploaded
                               Office file should call
"""

from deckgen.ooxml._links import UnsafeLink, UnsafePackage, check_links, strip_links, unsafe_links
from deckgen.ooxml._package import Package, PackageError, PackageLimits, open_package

__all__ = [
    "Package",
    "PackageError",
    "PackageLimits",
    "UnsafeLink",
    "UnsafePackage",
    "check_links",
    "open_package",
    "safe_package",
    "strip_links",
    "unsafe_links",
]


def safe_package(data: bytes, limits: PackageLimits | None = None) -> Package:
    """The package in `data`, refused (PackageError) if it is a bomb or links outside itself."""
    package = open_package(data, limits)
    check_links(package)
    return package
