"""A user's own .pptx or .potx as the look of a deck: its masters, layouts and placeholders.

inspect_template(data)                       -> TemplateInfo, or TemplateError when the file is unusable
render_with_template(deck, template, images) -> (bytes of a .pptx, warnings)

Template layouts are matched to deckgen layouts by the placeholder types they hold, never by name:
names are localised ("Titel und Inhalt", "Titre et contenu") and freely renamed. Vertical
placeholders are ignored. Terms used below:

- title: a TITLE or CENTER_TITLE placeholder;
- text area: a BODY or OBJECT placeholder; a *large* one covers at least a fifth of the slide's
  width and height, a *roomy* one at least a quarter of its height and an eighth of its area;
- picture area: a PICTURE placeholder, or an OBJECT one (PowerPoint's "content" placeholders).

deckgen layout  template layout it is drawn on, best first                      without one
--------------  --------------------------------------------------------------  ---------------------------
BULLETS         title + text area; best: one large text area under the title    TemplateError: essential
                and nothing else (PowerPoint's "Title and Content")
TITLE           title + SUBTITLE and no text area, CENTER_TITLE preferred;      bullets layout, subtitle
                else title only (the subtitle in a text box under the title)    in its body
SECTION         title + one short text area (at most 35 % of the slide height)  bullets layout
                and nothing else ("Section Header"); else title + SUBTITLE
CLOSING         title + SUBTITLE; else the section layout; else title only.     bullets layout
                Takeaways (bullets) are a list: drawn on the bullets layout
TWO_COLUMNS     title + two large text areas side by side under it, exactly     bullets layout, the columns
                two preferred ("Two Content"). When a column has a heading      one after the other
                and a layout has a short text area over each column
                ("Comparison"), that one is used, headings in those areas
IMAGE_TEXT      title + picture area + a roomy text area beside it; PICTURE     bullets layout: picture
                placeholders preferred ("Picture with Caption" when its text    left, text placeholder
                area is roomy), then "Content with Caption", "Two Content"      narrowed to the right
AGENDA          bullets layout; top-level bullets numbered (buAutoNum)          -
QUOTE           bullets layout; quote and attribution unbulleted                -
TABLE, CHART,   bullets layout: the table, chart, timeline or statistics are    -
TIMELINE,       drawn as free shapes in its text area; the text placeholder
STATISTIC       keeps the slide's other text (narrowed to a band on top, or to
                the right of a chart) or is removed

`TemplateInfo.layouts` lists the deckgen layouts the template serves as above; the others are drawn
on the bullets layout, as the last column says, and `TemplateInfo.problems` says so.

Drawing keeps the template's look: text goes into placeholders at the template's list levels, so
its fonts, colours and bullet styles apply, and no run gets a font name or an RGB colour. Free
shapes (tables, charts, timelines, statistics) use the template's theme colours and fonts. Text is
measured with the metrics of the template's fonts (`deckgen.render._fonts`) in the placeholder's
box at the template's sizes; if it does not fit, all levels shrink together down to a floor (12 pt,
20 pt for titles); if it still does not fit, the text frame gets `normAutofit` with the font scale
that makes it fit, and a warning says so. Tables too long for the content area continue on further
slides with the same title. Placeholders left empty are removed, so no "Click to add text" shows.

The package's modules follow the work: `_package` opens the file, `_match` matches its layouts,
`_styles` reads its text styles and fits text to them, `_renderer` draws the deck.
"""

from deckgen.render.template._match import TemplateInfo, inspect_template
from deckgen.render.template._package import TemplateError
from deckgen.render.template._renderer import render_with_template

__all__ = ["TemplateError", "TemplateInfo", "inspect_template", "render_with_template"]
