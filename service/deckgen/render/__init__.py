"""Rendering: themes, fitting text to its boxes, and writing decks as PPTX files.

get_theme("midnight")            -> Theme (NotFound for an unknown id)
fit_slide(slide, theme)          -> FitResult(slides, warnings): the slide, or its continuations
render_pptx(deck, theme, images) -> bytes of a 16:9 .pptx in which no text overflows; deck.brand
                                    (colours, fonts, logo) is applied over the theme
write_pptx(deck, theme, images, template) -> (bytes, warnings): the .pptx, on a user's template if given
RenderPool(processes)            -> `await pool.pptx(...)`: write_pptx in worker processes
apply_brand(theme, brand)        -> (theme with the brand's colours and fonts, warnings about the
                                    colours that had to be adjusted to stay readable)
"""

from deckgen.render import _oxml
from deckgen.render._brand import apply_brand
from deckgen.render._fit import FitResult, fit_slide
from deckgen.render._pool import RenderPool, write_pptx
from deckgen.render._pptx import render_pptx
from deckgen.render._themes import THEMES, get_theme, list_themes

_oxml.install()

__all__ = [
    "THEMES",
    "get_theme",
    "list_themes",
    "fit_slide",
    "FitResult",
    "render_pptx",
    "apply_brand",
    "RenderPool",
    "write_pptx",
]
