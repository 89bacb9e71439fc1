"""Drawing helpers shared by the explorers (object-oriented matplotlib, no pyplot).

Artists are created once, empty or at zero, and then changed in place by the
explorers: :func:`place_box` moves a box, :func:`set_bars` sets bar lengths.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colorbar import Colorbar
from matplotlib.colors import Normalize
from matplotlib.container import BarContainer
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle

from .. import plots

#: Font size of titles, labels and ticks.
FONT = 11
#: Colours shared with ``ct.plots.localisation``: true box, CAM box, mask, peak.
TRUTH_COLOR, PRED_COLOR, MASK_COLOR, PEAK_COLOR = "lime", "yellow", "cyan", "magenta"


def bare(ax: Axes, title: str = "") -> None:
    """Remove the ticks of ``ax`` and set its title."""
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=FONT)


def show(ax: Axes, data: np.ndarray, title: str = "", **kwargs) -> AxesImage:
    """Show an image (H, W, 3) or a small map (h, w), pixel-exact, with no ticks."""
    im = ax.imshow(data, interpolation="nearest", **kwargs)
    bare(ax, title)
    return im


def empty_box(ax: Axes, color: str, style: str = "-") -> Rectangle:
    """An invisible, empty box artist on ``ax``; place it with :func:`place_box`."""
    rect = Rectangle((0, 0), 0, 0, fill=False, edgecolor=color, linewidth=2, linestyle=style,
                     visible=False)
    ax.add_patch(rect)
    return rect


def place_box(rect: Rectangle, box: Sequence[float] | None, cell: float = 1.0) -> None:
    """Move ``rect`` onto ``box`` times ``cell``, or hide it when ``box`` is None.

    Parameters
    ----------
    rect : matplotlib.patches.Rectangle
        A box from :func:`empty_box`.
    box : sequence of 4 floats, or None
        ``(x0, y0, x1, y1)`` in pixel indices, x1 and y1 exclusive.
    cell : float
        Pixels per unit of ``box`` (e.g. the size of a 7x7 map's cell).
    """
    if box is None:
        rect.set_visible(False)
        return
    x0, y0, x1, y1 = (float(v) * cell for v in box)
    rect.set_bounds(x0 - 0.5, y0 - 0.5, x1 - x0, y1 - y0)
    rect.set_visible(True)


def cell_box(row: int, col: int) -> tuple[int, int, int, int]:
    """The box ``(x0, y0, x1, y1)`` of one map cell."""
    return col, row, col + 1, row + 1


def zero_bars(ax: Axes, labels: Sequence[str], horizontal: bool = False) -> BarContainer:
    """Bars at zero length, one per label; lengths are set by :func:`set_bars`."""
    positions = np.arange(len(labels))
    if horizontal:
        bars = ax.barh(positions, np.zeros(len(labels)), color="tab:blue")
        ax.set_yticks(positions, labels, fontsize=FONT)
        ax.invert_yaxis()
        ax.axvline(0, color="black", linewidth=0.8)
    else:
        bars = ax.bar(positions, np.zeros(len(labels)), color="tab:blue")
        ax.set_xticks(positions, labels, fontsize=FONT)
        ax.axhline(0, color="black", linewidth=0.8)
    ax.tick_params(labelsize=FONT)
    return bars


def set_bars(bars: BarContainer, values: Sequence[float],
             colors: Sequence[str] | None = None) -> None:
    """Set the bars' lengths, ``values`` (n,), and colours (n,), in place."""
    horizontal = bars.orientation == "horizontal"
    for i, (rect, value) in enumerate(zip(bars.patches, values)):
        (rect.set_width if horizontal else rect.set_height)(float(value))
        if colors is not None:
            rect.set_facecolor(colors[i])


def sign_colors(values: Sequence[float]) -> list:
    """Red for values >= 0, blue for negative ones (the maps' ``RdBu_r`` colours)."""
    return plots.sign_colours(values)


def symmetric(limit: float) -> tuple[float, float]:
    """Colour limits ``(-limit, limit)``, never empty."""
    limit = float(limit) if limit > 0 else 1e-6
    return -limit, limit


def set_symmetric(norm: Normalize, limit: float) -> bool:
    """Set ``norm`` to ``(-limit, limit)``; True when that changed it."""
    low, high = symmetric(limit)
    if (norm.vmin, norm.vmax) == (low, high):
        return False
    norm.vmin, norm.vmax = low, high
    return True


def colorbar(cax: Axes, norm: Normalize, cmap, label: str) -> Colorbar:
    """A colour bar drawn in ``cax`` for ``norm`` and ``cmap``, labelled ``label``."""
    bar = Colorbar(cax, ScalarMappable(norm=norm, cmap=cmap))
    cax.tick_params(labelsize=FONT - 1)
    bar.set_label(label, fontsize=FONT - 1)
    return bar


def padded(low: float, high: float, pad: float = 0.15) -> tuple[float, float]:
    """Axis limits around ``[min(low, 0), max(high, 0)]`` with a ``pad`` margin."""
    low, high = min(float(low), 0.0), max(float(high), 0.0)
    span = (high - low) or 1e-6
    return low - pad * span * (low < 0), high + pad * span


def place_row(axes: Sequence[Axes], widths: Sequence[float], gaps: Sequence[float],
              left: float, bottom: float, height: float) -> None:
    """Place ``axes`` side by side, in inches: each ``widths[i]`` wide, ``gaps[i]`` apart.

    Parameters
    ----------
    axes : sequence of Axes, (n,)
    widths : sequence of float, (n,)
    gaps : sequence of float, (n - 1,)
        Space after each axes but the last.
    left, bottom, height : float
        The first axes' left edge, the row's bottom edge and its height.
    """
    fig_w, fig_h = axes[0].figure.get_size_inches()
    x = left
    for i, (ax, width) in enumerate(zip(axes, widths)):
        ax.set_position([x / fig_w, bottom / fig_h, width / fig_w, height / fig_h])
        x += width + (gaps[i] if i < len(gaps) else 0.0)
