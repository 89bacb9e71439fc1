"""Radiographs with their readers' boxes, and heat maps over them (lesson 10)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.colors import Normalize

from .. import checks
from ..heatmap import upsample
from . import _figure as fig
from ._boxes import OUTLINE, draw_box

#: One colour per reader slot (readers of a radiograph, in the order they appear).
READER_COLOURS = ("#ffd400", "#00e5ff", "#ff5cf4", "#7CFC00", "#ff8c00")
GREY_LABEL = "intensity the network reads (0 = black, 1 = white)"


def radiographs(images, maps=None, titles: Sequence[str] | None = None, *,
                reader_boxes: Sequence | None = None, fused_boxes: Sequence | None = None,
                scores: Sequence[float] | None = None, score_label: str = "logit",
                ncols: int = 4, title: str | None = None, alpha: float = 0.5,
                vmax: float | None = None, colorbar_label: str | None = None) -> fig.Picture:
    """Radiographs in grey, optionally under signed heat maps, with readers' and fused boxes.

    Parameters
    ----------
    images : array-like, (N, H, W, 1) or (N, H, W), in [0, 1]
        What the network reads (``XrayData.images``), drawn as is (no rescaling:
        a badly loaded image looks as bad as the network sees it).
    maps : array-like, (N, h, w), optional
        Heat maps (any resolution, upsampled bilinearly), drawn on one shared
        zero-centred scale (white 0, red > 0, blue < 0) with a colour bar.
        Without maps the colour bar is the grey scale.
    titles : sequence of N str, optional
    reader_boxes : sequence of N sequences of ReaderBox, optional
        Each reader's boxes, dashed, one colour per reader, labelled with
        the reader's id.
    fused_boxes : sequence of N sequences of (x0, y0, x1, y1) or FusedBox, optional
        Drawn solid white.
    scores : sequence of N float, optional
        Shown under each title as ``"<score_label> +1.23"``.
    ncols : int
    title : str, optional
    alpha : float
        Opacity of the maps.
    vmax : float, optional
        The signed scale's ``m`` (default: the largest ``|value|``).
    colorbar_label : str, optional

    Returns
    -------
    Picture
    """
    pictures = np.asarray(images, dtype=np.float32)
    if pictures.ndim == 4 and pictures.shape[-1] == 1:
        pictures = pictures[..., 0]
    if pictures.ndim != 3 or not np.all(np.isfinite(pictures)):
        raise ValueError(f"images: expected finite (N, H, W, 1) or (N, H, W), got shape "
                         f"{np.shape(images)}")
    n, size = len(pictures), pictures.shape[1:]
    alpha = checks.number_in(alpha, "alpha", 0.0, 1.0)
    for values, name in ((titles, "titles"), (scores, "scores"), (reader_boxes, "reader_boxes"),
                         (fused_boxes, "fused_boxes")):
        fig.check_count(values, n, name)
    heats = None
    if maps is not None:
        maps = checks.finite_maps(maps, min_ndim=3)
        fig.check_count(maps, n, "maps")
        heats = upsample(maps, size)
    figure, axes = fig.grid(n, ncols, title=title, colorbar="shared",
                            title_lines=fig.count_lines(titles, scores))
    grey = Normalize(vmin=0.0, vmax=1.0)
    norm = fig.signed_norm(*heats, vmax=vmax) if heats is not None else grey
    for i, ax in enumerate(axes[:n]):
        ax.imshow(pictures[i], cmap="gray", norm=grey)
        if heats is not None:
            ax.imshow(heats[i], cmap=fig.colormap(None), norm=norm, alpha=alpha)
        if reader_boxes is not None:
            _readers(ax, reader_boxes[i])
        for box in (fused_boxes[i] if fused_boxes is not None else ()):
            draw_box(ax, getattr(box, "box", box), color="white", linewidth=3,
                     path_effects=OUTLINE)
        heading = fig.panel_title(titles, scores, i, score_label)
        if heading:
            ax.set_title(heading, fontsize=fig.TITLE_SIZE)
    if heats is not None:
        fig.colorbar(figure, norm, None, axes[:n], colorbar_label or fig.SIGNED_LABEL)
    else:
        fig.colorbar(figure, grey, "gray", axes[:n], colorbar_label or GREY_LABEL)
    return fig.Picture(figure)


def _readers(ax, boxes) -> None:
    """Each reader's boxes dashed in the reader's colour, with a legend of reader ids."""
    order: list[str] = []
    for b in boxes:
        first = b.rad_id not in order
        if first:
            order.append(b.rad_id)
        colour = READER_COLOURS[order.index(b.rad_id) % len(READER_COLOURS)]
        draw_box(ax, b.box, color=colour, linestyle="--", label=b.rad_id if first else None)
    if order:
        ax.legend(loc="lower right", fontsize=9, framealpha=0.6)
