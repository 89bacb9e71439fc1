"""Images with their masks and boxes; the box drawing every figure uses."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from . import _figure as fig

#: Colours of the localisation figure (chosen to stay visible over RdBu_r and jet).
TRUTH_COLOR, PRED_COLOR, MASK_COLOR, PEAK_COLOR = "lime", "yellow", "cyan", "magenta"
#: A dark outline around lines and markers drawn over images.
OUTLINE = [patheffects.withStroke(linewidth=4, foreground="black")]


def draw_box(ax: Axes, box: Sequence[float], color: str = "white", label: str | None = None,
             **kwargs) -> Rectangle:
    """Draw a box ``(x0, y0, x1, y1)`` (x1, y1 exclusive) on image axes.

    The rectangle follows the pixels' edges (pixel ``x`` spans x - 0.5 to
    x + 0.5 on image axes). ``kwargs`` go to matplotlib's ``Rectangle``
    (e.g. ``linestyle="--"``, ``linewidth=3``).
    """
    x0, y0, x1, y1 = (float(v) for v in box)
    kwargs.setdefault("linewidth", 2)
    patch = Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, fill=False, edgecolor=color,
                      label=label, **kwargs)
    ax.add_patch(patch)
    return patch


def images(pictures: Sequence[np.ndarray], titles: Sequence[str] | None = None,
           ncols: int = 4, masks: Sequence[np.ndarray] | None = None,
           boxes: Sequence | None = None, title: str | None = None) -> fig.Picture:
    """A grid of images, optionally with mask outlines and boxes.

    Parameters
    ----------
    pictures : sequence of array, each (H, W, 3) or (H, W)
    titles : sequence of str, optional
        One per picture.
    ncols : int
        Pictures per row.
    masks : sequence of bool array (H, W), optional
        One per picture, outlined in white.
    boxes : sequence of (x0, y0, x1, y1), optional
        One per picture, drawn in white (None: no box on that one).
    title : str, optional
        The figure's title.

    Returns
    -------
    Picture
    """
    figure, axes = fig.grid(len(pictures), ncols, title=title,
                            title_lines=fig.count_lines(titles))
    for i, (ax, picture) in enumerate(zip(axes, pictures)):
        ax.imshow(picture)
        if masks is not None:
            ax.contour(masks[i], levels=[0.5], colors="white", linewidths=1.5)
        if boxes is not None and boxes[i] is not None:
            draw_box(ax, boxes[i], path_effects=OUTLINE)
        if titles is not None:
            ax.set_title(titles[i], fontsize=fig.TITLE_SIZE)
    return fig.Picture(figure)
