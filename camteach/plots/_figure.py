"""What every course figure shares: the Picture, the grid, the colour scales, the titles.

The convention (``/work/shared/COURSE.md``, "Figures"):

- signed maps (CAMs, their terms, Grad-CAM) on one *shared, zero-centred*
  diverging scale (:func:`signed_norm`: ``vmin = -m``, ``vmax = +m`` with
  ``m`` the largest ``|value|`` over every panel), white at 0, red > 0,
  blue < 0, with a colour bar (:func:`colorbar`);
- maps that were normalised say so in their colour bar's label;
- titles can carry the class's score (:func:`panel_title`);
- readable on a projector: ``DPI`` >= 100 and panels >= 250 px.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colorbar import Colorbar
from matplotlib.colors import Colormap, Normalize
from matplotlib.figure import Figure

#: Dots per inch of every figure (and of the PNG a notebook shows).
DPI = 100
#: Inches per map panel (at ``DPI``, panels stay >= 250 px after titles).
PANEL = 3.3
#: Font sizes: panel titles, labels and ticks, figure titles.
TITLE_SIZE, LABEL_SIZE, SUPTITLE_SIZE = 12, 11, 14
#: The diverging colour map of signed maps (white 0, red > 0, blue < 0).
SIGNED_CMAP = "RdBu_r"
#: Colour bar labels of normalised maps.
NORMALISED_LABEL = "normalised to [0, 1]"
EACH_NORMALISED_LABEL = "each map normalised to [0, 1]"
SIGNED_LABEL = "value (shared scale, 0 = white)"


class Picture:
    """A finished figure: shown as PNG in Jupyter, saved as a file for slides.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
    """

    def __init__(self, figure: Figure):
        self.figure = figure
        if type(figure.canvas) is FigureCanvasBase:     # keep a canvas the caller chose
            FigureCanvasAgg(figure)

    def png(self, dpi: int | None = None) -> bytes:
        """The figure as PNG bytes (at the figure's own dpi, >= 100, by default)."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=dpi or max(self.figure.dpi, DPI),
                            bbox_inches="tight")
        return buffer.getvalue()

    def _repr_png_(self) -> bytes:
        return self.png()

    def __repr__(self) -> str:                       # stable text in committed notebooks
        width, height = self.figure.get_size_inches() * self.figure.dpi
        return f"Picture({width:.0f}x{height:.0f} px)"

    def save(self, path: str | os.PathLike, dpi: int = 120) -> None:
        """Write the figure (format from the file name: .png, .svg, .pdf)."""
        self.figure.savefig(path, dpi=dpi, bbox_inches="tight")


def new_figure(width: float, height: float) -> Figure:
    """A figure of ``width`` x ``height`` inches at ``DPI``, constrained layout.

    The layout keeps 0.1 inch around each panel (matplotlib's default 0.04 lets
    a figure title touch multi-line panel titles).
    """
    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    figure.get_layout_engine().set(h_pad=0.1)
    return figure


def grid(count: int, ncols: int, size: float = PANEL, title: str | None = None,
         colorbar: str | None = None, title_lines: int = 1):
    """A figure of ``count`` panels, ``ncols`` per row, axes off.

    Parameters
    ----------
    count, ncols : int
    size : float
        Inches per panel (width and height).
    title : str, optional
        The figure's title.
    colorbar : {None, "shared", "each"}
        Leave room for one colour bar on the right, or one beside each panel.
    title_lines : int
        Lines in each panel's title (each adds height).

    Returns
    -------
    figure : Figure
    axes : numpy.ndarray of Axes, (nrows * ncols,)
    """
    ncols = max(1, min(ncols, count))
    nrows = -(-count // ncols)
    extra = {None: 0.0, "shared": 1.1, "each": 0.9 * ncols}[colorbar]
    width = size * ncols + extra
    height = (size + 0.25 * title_lines) * nrows + (0.45 if title else 0.0)
    figure = new_figure(width, height)
    axes = np.atleast_1d(figure.subplots(nrows, ncols)).ravel()
    for ax in axes:
        ax.set_axis_off()
    if title:
        figure.suptitle(title, fontsize=SUPTITLE_SIZE)
    return figure, axes


def count_lines(titles: Sequence[str] | None, scores: Sequence[float] | None = None) -> int:
    """The most lines any panel title will have."""
    lines = max((str(t).count("\n") + 1 for t in titles), default=1) if titles else 0
    return max(1, lines + (1 if scores is not None else 0))


# --------------------------------------------------------------------------
# Colour scales
# --------------------------------------------------------------------------

def reach(*arrays) -> float:
    """The largest ``|value|`` over all ``arrays`` (never 0: 1e-6 for all-zero maps)."""
    values = [float(np.max(np.abs(a))) for a in arrays if np.size(a)]
    m = max(values, default=0.0)
    return m if m > 0 and np.isfinite(m) else 1e-6


def signed_norm(*arrays, vmax: float | None = None) -> Normalize:
    """The shared, zero-centred scale of signed maps: ``Normalize(-m, +m)``.

    Parameters
    ----------
    *arrays : array-like
        Every map drawn on the scale; ``m`` is their largest ``|value|``.
    vmax : float, optional
        ``m`` given instead (to share a scale across figures).
    """
    m = float(vmax) if vmax is not None and vmax > 0 else reach(*arrays)
    return Normalize(vmin=-m, vmax=m)


def zero_based_norm(*arrays, vmax: float | None = None) -> Normalize:
    """The shared scale of non-negative maps (feature maps after ReLU): ``[0, max]``."""
    m = float(vmax) if vmax is not None and vmax > 0 else reach(*arrays)
    return Normalize(vmin=0.0, vmax=m)


def colormap(name: str | Colormap | None, default: str = SIGNED_CMAP) -> Colormap:
    """A colour map by name (``None``: ``default``); a ValueError names ``cmap``."""
    if isinstance(name, Colormap):
        return name
    try:
        return colormaps[name or default]
    except KeyError:
        raise ValueError(f"cmap: unknown colour map {name!r}; try 'RdBu_r', 'viridis' "
                         f"or 'jet'") from None


def colorbar(figure: Figure, norm: Normalize, cmap: str | Colormap | None,
             axes: Axes | Sequence[Axes], label: str | None = None,
             shrink: float = 0.85) -> Colorbar:
    """A colour bar for ``norm`` and ``cmap`` beside ``axes`` (one axes or several).

    The bar is drawn from its own ``ScalarMappable`` (opaque, even when the
    maps are drawn with some transparency over an image).
    """
    mappable = ScalarMappable(norm=norm, cmap=colormap(cmap))
    target = axes if isinstance(axes, Axes) else list(np.ravel(axes))
    bar = figure.colorbar(mappable, ax=target, shrink=shrink, pad=0.02, aspect=25)
    bar.ax.tick_params(labelsize=LABEL_SIZE)
    if label:
        bar.set_label(label, fontsize=LABEL_SIZE)
    return bar


def side_colorbar(ax: Axes, norm: Normalize, cmap: str | Colormap | None,
                  label: str | None = None) -> Colorbar:
    """A colour bar exactly as tall as the image in ``ax``, just right of it."""
    cax = ax.inset_axes([1.03, 0.0, 0.045, 1.0])
    bar = ax.figure.colorbar(ScalarMappable(norm=norm, cmap=colormap(cmap)), cax=cax)
    bar.ax.tick_params(labelsize=LABEL_SIZE)
    if label:
        bar.set_label(label, fontsize=LABEL_SIZE)
    return bar


# --------------------------------------------------------------------------
# Titles
# --------------------------------------------------------------------------

def panel_title(titles: Sequence[str] | None, scores: Sequence[float] | None, i: int,
                score_label: str = "logit") -> str | None:
    """Panel ``i``'s title: ``titles[i]``, then ``"logit +3.21"`` on a second line.

    Parameters
    ----------
    titles : sequence of str, optional
    scores : sequence of float, optional
        One per panel (``None`` entries are skipped).
    score_label : str
        What the score is ("logit", "p", "car score" ...).
    """
    parts = []
    if titles is not None:
        parts.append(str(titles[i]))
    if scores is not None and scores[i] is not None:
        parts.append(f"{score_label} {float(scores[i]):+.2f}")
    return "\n".join(parts) if parts else None


def check_count(values, count: int, name: str) -> None:
    """ValueError naming ``name`` unless ``values`` is None or has ``count`` entries."""
    if values is not None and len(values) != count:
        raise ValueError(f"{name}: expected {count} entries (one per panel), "
                         f"got {len(values)}")
