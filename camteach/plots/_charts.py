"""Charts of signed numbers (weights, contributions, scores)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.patches import Patch

from . import _figure as fig

#: Bar colours, the ends of the maps' diverging colour map: red > 0, blue < 0.
POSITIVE, NEGATIVE = colormaps[fig.SIGNED_CMAP](0.85), colormaps[fig.SIGNED_CMAP](0.15)


def sign_colours(values: Sequence[float]) -> list:
    """Red for values >= 0, blue for negative ones (as on the maps' colour scale)."""
    return [POSITIVE if v >= 0 else NEGATIVE for v in values]


def bars(values: np.ndarray, labels: Sequence[str], title: str | None = None,
         highlight: int | None = None, xlabel: str | None = None) -> fig.Picture:
    """A horizontal bar chart of signed values (weights, scores).

    Parameters
    ----------
    values : array-like, (K,)
        Positive bars are red, negative ones blue (the maps' colours).
    labels : sequence of str, (K,)
    title : str, optional
    highlight : int, optional
        Index of a bar drawn in orange.
    xlabel : str, optional

    Returns
    -------
    Picture
    """
    values = np.asarray(values, dtype=float)
    figure = fig.new_figure(6.5, 0.42 * len(values) + 1.3)
    ax = figure.subplots()
    colours = sign_colours(values)
    if highlight is not None:
        colours[highlight] = "tab:orange"
    ax.barh(range(len(values)), values, color=colours)
    ax.set_yticks(range(len(values)), labels)
    ax.tick_params(labelsize=fig.LABEL_SIZE)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    kinds = [Patch(color=POSITIVE, label="> 0"), Patch(color=NEGATIVE, label="< 0")]
    if (values >= 0).any() and (values < 0).any():
        ax.legend(handles=kinds, fontsize=fig.LABEL_SIZE, loc="best")
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=fig.LABEL_SIZE)
    if title:
        ax.set_title(title, fontsize=fig.TITLE_SIZE)
    return fig.Picture(figure)
