"""Where a map points: the heat map over the image with the true box, the
predicted box, the object's mask and the peak, each named in a legend."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Circle

from .. import checks
from ..heatmap import normalize, to_uint8_rgb, upsample
from . import _figure as fig
from ._boxes import MASK_COLOR, OUTLINE, PEAK_COLOR, PRED_COLOR, TRUTH_COLOR, draw_box

#: Points between a panel and its title: room for half a peak marker drawn on the top edge.
TITLE_PAD = 10


def heat_layer(image: np.ndarray, heat, method: str, scale: str, cmap, vmax: float | None,
               name: str = "heat"):
    """The heat map at the image's size, its norm, colour map and colour-bar label.

    ``scale="signed"``: the raw values on ``[-m, +m]``; ``"normalised"``:
    min-max normalised to [0, 1] (and the label says so).
    """
    checks.one_of(scale, "scale", ("signed", "normalised"))
    heat = checks.finite_maps(heat, name=name)
    if heat.ndim != 2:
        raise ValueError(f"{name}: expected one map (h, w), got shape {heat.shape}")
    if heat.shape != image.shape[:2]:
        heat = upsample(heat, image.shape[:2], method=method)
    if scale == "normalised":
        return (normalize(heat), fig.zero_based_norm(vmax=1.0), fig.colormap(cmap, "jet"),
                fig.NORMALISED_LABEL)
    return heat, fig.signed_norm(heat, vmax=vmax), fig.colormap(cmap), fig.SIGNED_LABEL


def localisation(image: np.ndarray, heat: np.ndarray, *, truth_box: Sequence[float] | None = None,
                 pred_box: Sequence[float] | None = None, mask: np.ndarray | None = None,
                 peak: bool = True, title: str | None = None, tolerance: float | None = None,
                 ax: Axes | None = None, alpha: float = 0.5, cmap: str | None = None,
                 method: str = "bilinear", scale: str = "signed", vmax: float | None = None,
                 colorbar: bool = True, colorbar_label: str | None = None,
                 truth_label: str = "true box", pred_label: str = "CAM box",
                 legend: bool = True) -> fig.Picture:
    """A heat map over its image with what localisation is judged on, and a legend.

    Draws the map over the image (shared zero-centred scale, colour bar),
    the true box (solid green, "true box"), the predicted box (dashed
    yellow, "CAM box"), the object's mask outline (cyan contour, "object
    mask"), the map's peak (magenta X, "peak": the pixel the pointing game
    tests) and, with ``tolerance``, a circle of that radius around the peak
    (the pointing game's 15 px). Only what is given is drawn and named.

    Parameters
    ----------
    image : array, (H, W, 3)
        The raw image (uint8, or floats in [0, 1] / [0, 255]).
    heat : array, (h, w)
        The map; upsampled to (H, W) with ``method`` when smaller.
    truth_box, pred_box : (x0, y0, x1, y1), optional
        x1, y1 exclusive, in image pixels (``scenes.boxes[i]``, ``ct.cam_box``).
    mask : bool array (H, W), optional
        The object's pixels (``scenes.masks[i]``).
    peak : bool
        Mark the map's largest pixel.
    title : str, optional
    tolerance : float, optional
        Radius in pixels of a circle around the peak.
    ax : matplotlib Axes, optional
        Draw into these axes (e.g. one panel of a larger figure); default: a
        new figure.
    alpha : float in [0, 1]
        Opacity of the map over the image.
    cmap : str, optional
        Default "RdBu_r" (signed) or "jet" (normalised).
    method : {"nearest", "bilinear", "bicubic"}
    scale : {"signed", "normalised"}
        "signed": raw values on ``[-m, m]``, ``m = max |heat|`` (or
        ``vmax``); "normalised": min-max normalised, and the colour bar says so.
    vmax : float, optional
        ``m`` for the signed scale (to share one scale across panels).
    colorbar : bool
    colorbar_label : str, optional
        Default: what the scale is ("value (shared scale, 0 = white)" or
        "normalised to [0, 1]").
    truth_label, pred_label : str
        The legend's names of the two boxes.
    legend : bool
        Draw the legend under the image (a grid of panels may want one
        legend for all: see :func:`localisations`).

    Returns
    -------
    Picture
        ``.figure``; the heat map is the axes' second image (``ax.images[1]``)
        and ``ax.get_legend()`` names what was drawn.

    See Also
    --------
    localisations : several of these side by side, on one scale, one legend.
    """
    if ax is None:
        figure = fig.new_figure(6.0 if colorbar else 5.0, 6.3 + (0.3 if title else 0.0))
        ax = figure.subplots()
    norm, colours, label, handles = _draw(ax, image, heat, truth_box, pred_box, mask, peak,
                                          tolerance, alpha, cmap, method, scale, vmax,
                                          truth_label, pred_label)
    if handles and legend:
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01),
                  ncol=2 if len(handles) > 1 else 1, fontsize=fig.LABEL_SIZE, frameon=False,
                  handlelength=2.5, columnspacing=1.5)
    if title:
        ax.set_title(title, fontsize=fig.TITLE_SIZE, pad=TITLE_PAD)
    if colorbar:
        fig.side_colorbar(ax, norm, colours, colorbar_label or label)
    return fig.Picture(ax.figure)


def _draw(ax: Axes, image, heat, truth_box, pred_box, mask, peak: bool,
          tolerance: float | None, alpha: float, cmap, method: str, scale: str,
          vmax: float | None, truth_label: str, pred_label: str):
    """One localisation panel in ``ax``; returns its norm, colour map, label, legend handles."""
    rgb = to_uint8_rgb(image)
    alpha = checks.number_in(alpha, "alpha", 0.0, 1.0)
    shown, norm, colours, label = heat_layer(rgb, heat, method, scale, cmap, vmax)
    ax.imshow(rgb)
    ax.imshow(shown, cmap=colours, norm=norm, alpha=alpha)
    ax.set_axis_off()
    handles = _mark(ax, shown, truth_box, pred_box, mask, peak, tolerance, truth_label,
                    pred_label)
    return norm, colours, label, handles


def _mark(ax: Axes, shown: np.ndarray, truth_box, pred_box, mask, peak: bool,
          tolerance: float | None, truth_label: str, pred_label: str) -> list:
    """Draw the mask outline, the boxes, the peak and its circle; return legend handles."""
    handles = []
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != shown.shape:
            raise ValueError(f"mask: expected the image's shape {shown.shape}, "
                             f"got {mask.shape}")
        if mask.any() and not mask.all():
            ax.contour(mask, levels=[0.5], colors=MASK_COLOR, linewidths=2)
        handles.append(Line2D([], [], color=MASK_COLOR, linewidth=2, label="object mask"))
    for box, name, colour, style, entry in ((truth_box, "truth_box", TRUTH_COLOR, "-",
                                             truth_label),
                                            (pred_box, "pred_box", PRED_COLOR, "--",
                                             pred_label)):
        if box is not None:
            draw_box(ax, checks.box(box, name), colour, entry, linewidth=2.5, linestyle=style,
                     path_effects=OUTLINE)
            handles.append(Line2D([], [], color=colour, linewidth=2.5, linestyle=style,
                                  path_effects=OUTLINE, label=entry))
    if peak or tolerance is not None:
        row, col = np.unravel_index(int(np.argmax(shown)), shown.shape)
        if peak:
            (marker,) = ax.plot([col], [row], linestyle="none", marker="X", markersize=14,
                                color=PEAK_COLOR, markeredgecolor="white", label="peak",
                                clip_on=False)          # a peak on the border stays whole
            handles.append(marker)
        if tolerance is not None:
            radius = checks.number_in(tolerance, "tolerance", 0.0, float("inf"), low_open=True)
            ax.add_patch(Circle((col, row), radius, fill=False, edgecolor=PEAK_COLOR,
                                linewidth=2, linestyle=":", path_effects=OUTLINE,
                                label=f"{radius:g} px around the peak"))
            handles.append(Line2D([], [], linestyle="none", marker="o", markersize=13,
                                  markerfacecolor="none", markeredgecolor=PEAK_COLOR,
                                  markeredgewidth=2, label=f"{radius:g} px around the peak"))
    ax.set_xlim(-0.5, shown.shape[1] - 0.5)
    ax.set_ylim(shown.shape[0] - 0.5, -0.5)
    return handles


def _entry(values, i: int, name: str, count: int):
    """``values[i]`` of a per-panel argument (None: nothing for any panel)."""
    if values is None:
        return None
    fig.check_count(values, count, name)
    return values[i]


def localisations(images: Sequence[np.ndarray], heats: Sequence[np.ndarray], *,
                  truth_boxes: Sequence | None = None, pred_boxes: Sequence | None = None,
                  masks: Sequence | None = None, titles: Sequence[str] | None = None,
                  scores: Sequence[float] | None = None, score_label: str = "logit",
                  peak: bool = True, tolerance: float | None = None, ncols: int = 2,
                  alpha: float = 0.5, cmap: str | None = None, method: str = "bilinear",
                  scale: str = "signed", vmax: float | None = None,
                  colorbar_label: str | None = None, truth_label: str = "true box",
                  pred_label: str = "CAM box", title: str | None = None) -> fig.Picture:
    """:func:`localisation` panels side by side: one scale, one colour bar, one legend.

    Parameters
    ----------
    images : sequence of array (H, W, 3), (N,)
    heats : sequence of array (h, w), (N,)
    truth_boxes, pred_boxes : sequence of (x0, y0, x1, y1) or None, optional
        One per panel (a None entry: no box on that panel).
    masks : sequence of bool array (H, W) or None, optional
    titles : sequence of str, optional
    scores : sequence of float, optional
        Shown under each title as ``"logit +3.21"``.
    score_label : str
    peak, tolerance, alpha, cmap, method, truth_label, pred_label
        As in :func:`localisation`.
    ncols : int
        Panels per row.
    scale : {"signed", "normalised"}
        "signed": every map on ``[-m, +m]``, ``m`` the largest |value| of
        all of them (or ``vmax``); "normalised": each min-max normalised,
        and the colour bar says so.
    vmax : float, optional
    colorbar_label : str, optional
    title : str, optional
        The figure's title.

    Returns
    -------
    Picture
    """
    count = len(images)
    if len(heats) != count:
        raise ValueError(f"heats: expected {count} maps (one per image), got {len(heats)}")
    fig.check_count(titles, count, "titles")
    fig.check_count(scores, count, "scores")
    checks.one_of(scale, "scale", ("signed", "normalised"))
    if scale == "signed" and vmax is None:
        vmax = fig.reach(*[checks.finite_maps(h, name="heats") for h in heats])
    figure, axes = fig.grid(count, ncols, size=fig.PANEL + 0.4, title=title,
                            colorbar="shared", title_lines=fig.count_lines(titles, scores))
    handles: dict[str, object] = {}
    for i, ax in enumerate(axes[:count]):
        norm, colours, label, drawn = _draw(
            ax, images[i], heats[i], _entry(truth_boxes, i, "truth_boxes", count),
            _entry(pred_boxes, i, "pred_boxes", count), _entry(masks, i, "masks", count),
            peak, tolerance, alpha, cmap, method, scale, vmax, truth_label, pred_label)
        handles.update((h.get_label(), h) for h in drawn)
        heading = fig.panel_title(titles, scores, i, score_label)
        if heading:
            ax.set_title(heading, fontsize=fig.TITLE_SIZE, pad=TITLE_PAD)
    if scale == "normalised" and count > 1:
        label = fig.EACH_NORMALISED_LABEL
    fig.colorbar(figure, norm, colours, axes[:count], colorbar_label or label)
    if handles:
        figure.legend(handles=list(handles.values()), loc="outside lower center",
                      ncol=min(len(handles), 5), fontsize=fig.LABEL_SIZE, frameon=False)
    return fig.Picture(figure)
