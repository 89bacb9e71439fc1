"""Maps: small grids of numbers (7x7 features, CAMs, terms) and maps over images."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.colors import Normalize

from .. import checks
from ..heatmap import normalize, to_uint8_rgb, upsample
from . import _figure as fig
from ._boxes import OUTLINE, draw_box

SCALES = ("signed", "normalised")


def _text_colour(rgba) -> str:
    """Black on light colours, white on dark ones."""
    r, g, b = rgba[:3]
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


def feature_maps(maps: np.ndarray, titles: Sequence[str] | None = None, ncols: int = 8,
                 cmap: str | None = None, values: bool = False, shared_scale: bool = True,
                 symmetric: bool | None = None, title: str | None = None, *,
                 scores: Sequence[float] | None = None, score_label: str = "logit",
                 colorbar: bool = True, colorbar_label: str | None = None,
                 vmax: float | None = None) -> fig.Picture:
    """Small maps side by side, e.g. 7x7 feature maps or CAMs, with a colour bar.

    Signed maps (any value < 0: CAMs, their terms) go on one zero-centred
    diverging scale, ``[-m, +m]`` with ``m`` the largest ``|value|`` of all
    the maps: white is 0, red positive, blue negative, so a map that is
    negative everywhere looks blue. Non-negative maps (features after ReLU)
    go on ``[0, max]``.

    Parameters
    ----------
    maps : array-like, (K, h, w)
    titles : sequence of str, optional
        One per map.
    ncols : int
        Maps per row.
    cmap : str, optional
        A matplotlib colour map name; default "RdBu_r" on a symmetric scale,
        "viridis" otherwise.
    values : bool
        Write each cell's number in it (for a single 7x7 map).
    shared_scale : bool
        One colour scale (and one colour bar) for all maps, so they compare;
        False: one scale and colour bar per map.
    symmetric : bool, optional
        Centre the scale on 0. Default (None): when any value is negative.
        False: from the smallest to the largest value.
    title : str, optional
        The figure's title.
    scores : sequence of float, optional
        One per map, shown under its title as ``"logit +3.21"``.
    score_label : str
        What the scores are (default "logit").
    colorbar : bool
        Draw the colour bar(s).
    colorbar_label : str, optional
        Default: what the scale is ("value (shared scale, 0 = white)" ...).
        Say here when the maps were normalised.
    vmax : float, optional
        The scale's top (and ``-vmax`` its bottom when symmetric), to share
        one scale across figures.

    Returns
    -------
    Picture
    """
    maps = np.asarray(maps, dtype=np.float32)
    if maps.ndim != 3:
        raise ValueError(f"maps: expected (K, h, w), got shape {maps.shape}")
    fig.check_count(titles, len(maps), "titles")
    fig.check_count(scores, len(maps), "scores")
    if symmetric is None:
        symmetric = bool((maps < 0).any())
    colours = fig.colormap(cmap, fig.SIGNED_CMAP if symmetric else "viridis")
    bars = None if not colorbar else ("shared" if shared_scale else "each")
    figure, axes = fig.grid(len(maps), ncols, size=fig.PANEL + (0.7 if values else 0.0),
                            title=title, colorbar=bars,
                            title_lines=fig.count_lines(titles, scores))

    def scale(*grids) -> Normalize:
        if symmetric:
            return fig.signed_norm(*grids, vmax=vmax)
        if vmax is not None or float(np.min(grids)) >= 0:
            return fig.zero_based_norm(*grids, vmax=vmax)
        low, high = float(np.min(grids)), float(np.max(grids))
        return Normalize(low, high if high > low else low + 1e-6)

    shared = scale(maps) if shared_scale else None
    label = colorbar_label or (fig.SIGNED_LABEL if symmetric and shared_scale else
                               "value (0 = white)" if symmetric else
                               "value (shared scale from 0)" if shared_scale else "value")
    for i, (ax, grid) in enumerate(zip(axes, maps)):
        norm = shared or scale(grid)
        ax.imshow(grid, cmap=colours, norm=norm)
        heading = fig.panel_title(titles, scores, i, score_label)
        if heading:
            ax.set_title(heading, fontsize=fig.TITLE_SIZE)
        if values:
            for (row, col), value in np.ndenumerate(grid):
                ax.text(col, row, f"{value:.1f}", ha="center", va="center", fontsize=9,
                        color=_text_colour(colours(norm(value))))
        if colorbar and not shared_scale:
            fig.colorbar(figure, norm, colours, ax, label, shrink=0.8)
    if colorbar and shared_scale:
        fig.colorbar(figure, shared, colours, axes[:len(maps)], label)
    return fig.Picture(figure)


def _heat_at(image: np.ndarray, heat: np.ndarray, method: str) -> np.ndarray:
    """``heat`` (h, w) at ``image``'s (H, W)."""
    if heat.shape != image.shape[:2]:
        return upsample(heat, image.shape[:2], method=method)
    return heat.astype(np.float32)


def cams(image: np.ndarray, maps: np.ndarray, titles: Sequence[str] | None = None,
         alpha: float = 0.5, cmap: str | None = None, method: str = "bilinear",
         boxes: Sequence | None = None, ncols: int = 5, title: str | None = None, *,
         scores: Sequence[float] | None = None, score_label: str = "logit",
         scale: str = "signed", vmax: float | None = None, colorbar: bool = True,
         colorbar_label: str | None = None) -> fig.Picture:
    """Heat maps drawn over an image (or over one image each), with a colour bar.

    By default every map keeps its raw values on one shared, zero-centred
    scale (``scale="signed"``): a weak map looks pale, a negative one blue,
    and the colour bar gives the numbers. ``scale="normalised"`` min-max
    normalises each map (``ct.overlay``'s look) and the colour bar says so.

    Parameters
    ----------
    image : array, (H, W, 3), or (K, H, W, 3) for one image per map
        The raw image(s), uint8 or floats in [0, 1] / [0, 255].
    maps : array-like, (K, h, w)
        Heat maps at any resolution (upsampled with ``method``).
    titles : sequence of str, optional
    alpha : float
        Opacity of the maps over the images.
    cmap : str, optional
        Default "RdBu_r" (signed) or "jet" (normalised).
    method : {"nearest", "bilinear", "bicubic"}
        How the maps are upsampled.
    boxes : sequence of (x0, y0, x1, y1) or None, optional
        One per map (None: no box on that one), drawn in white.
    ncols : int
    title : str, optional
    scores : sequence of float, optional
        One per map, shown under its title as ``"logit +3.21"``.
    score_label : str
        What the scores are (default "logit").
    scale : {"signed", "normalised"}
    vmax : float, optional
        The signed scale's ``m`` (default: the largest ``|value|`` of all maps).
    colorbar : bool
    colorbar_label : str, optional
        Default: "value (shared scale, 0 = white)" or "each map normalised to [0, 1]".

    Returns
    -------
    Picture
    """
    checks.one_of(scale, "scale", SCALES)
    alpha = checks.number_in(alpha, "alpha", 0.0, 1.0)
    maps = checks.finite_maps(maps, min_ndim=3)
    if maps.ndim != 3:
        raise ValueError(f"maps: expected (K, h, w), got shape {maps.shape}")
    for values, name in ((titles, "titles"), (scores, "scores"), (boxes, "boxes")):
        fig.check_count(values, len(maps), name)
    per_image = np.ndim(image) == 4
    pictures = [to_uint8_rgb(image[i] if per_image else image) for i in range(len(maps))]
    heats = [_heat_at(p, m, method) for p, m in zip(pictures, maps)]
    if scale == "normalised":
        heats = [normalize(h) for h in heats]
        norm, colours = fig.zero_based_norm(vmax=1.0), fig.colormap(cmap, "jet")
        label = fig.EACH_NORMALISED_LABEL if len(maps) > 1 else fig.NORMALISED_LABEL
    else:
        norm, colours, label = fig.signed_norm(*heats, vmax=vmax), fig.colormap(cmap), \
            fig.SIGNED_LABEL
    figure, axes = fig.grid(len(maps), ncols, title=title,
                            colorbar="shared" if colorbar else None,
                            title_lines=fig.count_lines(titles, scores))
    for i, (ax, picture, heat) in enumerate(zip(axes, pictures, heats)):
        ax.imshow(picture)
        ax.imshow(heat, cmap=colours, norm=norm, alpha=alpha)
        if boxes is not None and boxes[i] is not None:
            draw_box(ax, boxes[i], path_effects=OUTLINE)
        heading = fig.panel_title(titles, scores, i, score_label)
        if heading:
            ax.set_title(heading, fontsize=fig.TITLE_SIZE)
    if colorbar:
        fig.colorbar(figure, norm, colours, axes[:len(maps)], colorbar_label or label)
    return fig.Picture(figure)


def upsampling(heat: np.ndarray, size: int,
               methods: Sequence[str] = ("nearest", "bilinear", "bicubic"), *,
               cmap: str | None = None, vmax: float | None = None,
               colorbar: bool = True, colorbar_label: str | None = None,
               title: str | None = None) -> fig.Picture:
    """A small map beside its upsampled versions, one per method, on one scale.

    All panels share the zero-centred scale ``[-m, +m]`` (``m`` over every
    panel, bicubic's overshoot included), so the methods compare.

    Parameters
    ----------
    heat : array, (h, w)
    size : int
        The upsampled side.
    methods : sequence of {"nearest", "bilinear", "bicubic"}
    cmap : str, optional
        Default "RdBu_r".
    vmax : float, optional
        The scale's ``m``.
    colorbar : bool
    colorbar_label : str, optional
    title : str, optional

    Returns
    -------
    Picture
    """
    heat = np.asarray(heat, dtype=np.float32)
    panels = [heat] + [upsample(heat, size, method=method) for method in methods]
    headings = [f"{heat.shape[0]}x{heat.shape[1]}"] + [f"{m} {size}x{size}" for m in methods]
    norm, colours = fig.signed_norm(*panels, vmax=vmax), fig.colormap(cmap)
    figure, axes = fig.grid(len(panels), len(panels), title=title,
                            colorbar="shared" if colorbar else None)
    for ax, panel, heading in zip(axes, panels, headings):
        ax.imshow(panel, cmap=colours, norm=norm)
        ax.set_title(heading, fontsize=fig.TITLE_SIZE)
    if colorbar:
        fig.colorbar(figure, norm, colours, axes, colorbar_label or fig.SIGNED_LABEL)
    return fig.Picture(figure)
