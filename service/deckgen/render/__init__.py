"""Rendering: themes, fitting text to its boxes, and writing decks as PPTX files.

get_theme("midnight")            -> Theme (NotFound for an unknown id)
fit_slide(slide, theme)          -> FitResult(slides, warnings): the slide, or its continuations
render_pptx(deck, theme, images) -> bytes of a 16:9 .pptx in which no text overflows
"""

from deckgen.render._fit import FitResult, fit_slide
from deckgen.render._pptx import render_pptx
from deckgen.render._themes import THEMES, get_theme, list_themes

__all__ = ["THEMES", "get_theme", "list_themes", "fit_slide", "FitResult", "render_pptx"]
