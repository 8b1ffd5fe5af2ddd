"""Content bounds every engine respects, so that any slide it writes can be laid out legibly."""

from __future__ import annotations

__all__ = [
    "MAX_BULLETS",
    "MAX_BULLET_CHARS",
    "MAX_BULLET_LEVEL",
    "MAX_BODY_CHARS",
    "MAX_CODE_CHARS",
    "MAX_CODE_LINES",
    "MAX_FOOTER_CHARS",
    "MAX_SLIDES",
    "MAX_TABLE_COLUMNS",
    "MAX_TABLE_ROWS",
    "MAX_TITLE_CHARS",
    "MIN_SLIDES",
]

MIN_SLIDES = 1
MAX_SLIDES = 50
MAX_TITLE_CHARS = 90
MAX_BULLETS = 6
MAX_BULLET_CHARS = 160
MAX_BULLET_LEVEL = 2
MAX_BODY_CHARS = 600
MAX_TABLE_ROWS = 8
"""Body rows; longer tables are continued on further slides."""
MAX_TABLE_COLUMNS = 6
MAX_CODE_LINES = 16
"""Lines of one code block on a slide; more is unreadable from the back of a room."""
MAX_CODE_CHARS = 1600
MAX_FOOTER_CHARS = 120
