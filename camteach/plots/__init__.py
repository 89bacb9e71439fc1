"""The course's figures: one function per picture, shared by lessons, slides and widgets.

Each function returns a :class:`Picture`, which a notebook shows as a PNG
(it is the cell's value) and a slide build saves with ``picture.save(path)``.
Drawing uses matplotlib's object-oriented API, never pyplot's global state.

One convention (``COURSE.md``, "Figures"), kept by every function:

- signed maps (CAMs, terms, Grad-CAM) on one shared, zero-centred diverging
  scale (``RdBu_r`` on ``[-m, +m]``, ``m`` = the largest ``|value|`` over all
  panels: white 0, red > 0, blue < 0) with a colour bar; maps that were
  normalised say so in the colour bar's label;
- titles can carry each class's score (``scores=``: ``"car\\nlogit +3.21"``);
- localisation figures (:func:`localisation`, :func:`localisations`) show
  the true box, the predicted box, the mask, the peak and a legend;
- readable on a projector: 100 dpi, panels >= 250 px.

Functions: :func:`images`, :func:`feature_maps`, :func:`cams`,
:func:`upsampling`, :func:`localisation` (one panel) and :func:`localisations`
(a grid), :func:`bars`, :func:`draw_box`;
for other figures and the widgets: :func:`signed_norm`, :func:`colorbar`,
:func:`panel_title`.
"""

from ._boxes import draw_box, images
from ._charts import bars, sign_colours
from ._figure import (DPI, EACH_NORMALISED_LABEL, NORMALISED_LABEL, PANEL, SIGNED_CMAP,
                      SIGNED_LABEL, Picture, colorbar, panel_title, signed_norm,
                      zero_based_norm)
from ._localisation import localisation, localisations
from ._maps import cams, feature_maps, upsampling
from ._xray import radiographs

__all__ = ["Picture", "images", "feature_maps", "cams", "upsampling", "localisation",
           "localisations", "bars", "radiographs",
           "draw_box", "signed_norm", "zero_based_norm", "colorbar", "panel_title",
           "sign_colours", "DPI", "PANEL", "SIGNED_CMAP", "SIGNED_LABEL", "NORMALISED_LABEL",
           "EACH_NORMALISED_LABEL"]
