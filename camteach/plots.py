"""The course's figures: one function per picture, shared by lessons and slides.

Each function returns a :class:`Picture`, which a notebook shows as a PNG
(it is the cell's value) and a slide build saves with ``picture.save(path)``.
Drawing uses matplotlib's object-oriented API, never pyplot's global state.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .heatmap import overlay, upsample


class Picture:
    """A finished figure: shown as PNG in Jupyter, saved as a file for slides.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
    """

    def __init__(self, figure: Figure):
        self.figure = figure
        FigureCanvasAgg(figure)

    def png(self, dpi: int = 80) -> bytes:
        """The figure as PNG bytes."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
        return buffer.getvalue()

    def _repr_png_(self) -> bytes:
        return self.png()

    def save(self, path: str | os.PathLike, dpi: int = 120) -> None:
        """Write the figure (format from the file name: .png, .svg, .pdf)."""
        self.figure.savefig(path, dpi=dpi, bbox_inches="tight")


def _grid(count: int, ncols: int, size: float = 2.2, title: str | None = None):
    ncols = max(1, min(ncols, count))
    nrows = -(-count // ncols)
    figure = Figure(figsize=(size * ncols, size * nrows + (0.4 if title else 0)),
                    layout="constrained")
    axes = np.atleast_1d(figure.subplots(nrows, ncols)).ravel()
    for ax in axes:
        ax.set_axis_off()
    if title:
        figure.suptitle(title)
    return figure, axes


def draw_box(ax: Axes, box: Sequence[float], color: str = "white", label: str | None = None,
             **kwargs) -> Rectangle:
    """Draw a box ``(x0, y0, x1, y1)`` (x1, y1 exclusive) on image axes.

    The rectangle follows the pixels' edges (pixel ``x`` spans x - 0.5 to
    x + 0.5 on image axes). ``kwargs`` go to matplotlib's ``Rectangle``.
    """
    x0, y0, x1, y1 = (float(v) for v in box)
    patch = Rectangle((x0 - 0.5, y0 - 0.5), x1 - x0, y1 - y0, fill=False, edgecolor=color,
                      linewidth=2, label=label, **kwargs)
    ax.add_patch(patch)
    return patch


def images(pictures: Sequence[np.ndarray], titles: Sequence[str] | None = None,
           ncols: int = 4, masks: Sequence[np.ndarray] | None = None,
           boxes: Sequence | None = None, title: str | None = None) -> Picture:
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
        One per picture, drawn in white.
    title : str, optional
        The figure's title.

    Returns
    -------
    Picture
    """
    figure, axes = _grid(len(pictures), ncols, title=title)
    for i, (ax, picture) in enumerate(zip(axes, pictures)):
        ax.imshow(picture)
        if masks is not None:
            ax.contour(masks[i], levels=[0.5], colors="white", linewidths=1)
        if boxes is not None:
            draw_box(ax, boxes[i])
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
    return Picture(figure)


def feature_maps(maps: np.ndarray, titles: Sequence[str] | None = None, ncols: int = 8,
                 cmap: str = "viridis", values: bool = False, shared_scale: bool = True,
                 symmetric: bool = False, title: str | None = None) -> Picture:
    """Small maps side by side, e.g. 7x7 feature maps or CAMs.

    Parameters
    ----------
    maps : array-like, (K, h, w)
    titles : sequence of str, optional
        One per map.
    ncols : int
        Maps per row.
    cmap : str
        A matplotlib colour map name.
    values : bool
        Write each cell's number in it (for a single 7x7 map).
    shared_scale : bool
        One colour scale for all maps, so they compare.
    symmetric : bool
        Centre the scale on 0 (for signed maps and a diverging colour map
        such as "RdBu_r": white is 0, red positive, blue negative).
    title : str, optional
        The figure's title.

    Returns
    -------
    Picture
    """
    maps = np.asarray(maps, dtype=np.float32)
    low, high = (maps.min(), maps.max()) if shared_scale else (None, None)
    figure, axes = _grid(len(maps), ncols, size=1.8 if not values else 3.2, title=title)
    for i, (ax, grid) in enumerate(zip(axes, maps)):
        if symmetric:
            reach = float(np.abs(maps if shared_scale else grid).max()) or 1.0
            low, high = -reach, reach
        ax.imshow(grid, cmap=cmap, vmin=low, vmax=high)
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
        if values:
            middle = (grid.max() + grid.min()) / 2
            for (row, col), value in np.ndenumerate(grid):
                ax.text(col, row, f"{value:.1f}", ha="center", va="center", fontsize=7,
                        color="black" if value > middle else "white")
    return Picture(figure)


def cams(image: np.ndarray, maps: np.ndarray, titles: Sequence[str] | None = None,
         alpha: float = 0.5, cmap: str = "jet", method: str = "bilinear",
         boxes: Sequence | None = None, ncols: int = 5, title: str | None = None) -> Picture:
    """Heat maps drawn over an image (or over one image each).

    Parameters
    ----------
    image : array, (H, W, 3), or (K, H, W, 3) for one image per map
        The raw image(s), uint8 or floats in [0, 1] / [0, 255].
    maps : array-like, (K, h, w)
        Heat maps at any resolution (upsampled with ``method``).
    titles : sequence of str, optional
    alpha, cmap, method
        As in :func:`camteach.heatmap.overlay`.
    boxes : sequence of (x0, y0, x1, y1) or None, optional
        One per map (None: no box on that one).
    ncols : int
    title : str, optional

    Returns
    -------
    Picture
    """
    maps = np.asarray(maps)
    figure, axes = _grid(len(maps), ncols, size=2.6, title=title)
    for i, (ax, heat) in enumerate(zip(axes, maps)):
        picture = image[i] if np.ndim(image) == 4 else image
        ax.imshow(overlay(picture, heat, alpha=alpha, cmap=cmap, method=method))
        if boxes is not None and boxes[i] is not None:
            draw_box(ax, boxes[i])
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
    return Picture(figure)


def upsampling(heat: np.ndarray, size: int,
               methods: Sequence[str] = ("nearest", "bilinear", "bicubic")) -> Picture:
    """A small map beside its upsampled versions, one per method.

    Parameters
    ----------
    heat : array, (h, w)
    size : int
        The upsampled side.
    methods : sequence of {"nearest", "bilinear", "bicubic"}

    Returns
    -------
    Picture
    """
    figure, axes = _grid(len(methods) + 1, len(methods) + 1, size=2.6)
    axes[0].imshow(heat, cmap="jet")
    axes[0].set_title(f"{heat.shape[0]}x{heat.shape[1]}", fontsize=9)
    for ax, method in zip(axes[1:], methods):
        ax.imshow(upsample(heat, size, method=method), cmap="jet")
        ax.set_title(f"{method} {size}x{size}", fontsize=9)
    return Picture(figure)


def bars(values: np.ndarray, labels: Sequence[str], title: str | None = None,
         highlight: int | None = None, xlabel: str | None = None) -> Picture:
    """A horizontal bar chart of signed values (weights, scores).

    Parameters
    ----------
    values : array-like, (K,)
        Negative bars are red, positive ones blue.
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
    figure = Figure(figsize=(5, 0.35 * len(values) + 0.8), layout="constrained")
    ax = figure.subplots()
    colours = ["tab:red" if v < 0 else "tab:blue" for v in values]
    if highlight is not None:
        colours[highlight] = "tab:orange"
    ax.barh(range(len(values)), values, color=colours)
    ax.set_yticks(range(len(values)), labels)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    if xlabel:
        ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    return Picture(figure)
