"""The LIME explorer: Grad-CAM beside LIME on a few scenes, every setting precomputed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as ipw
import keras
import numpy as np
from matplotlib.colors import Normalize

from .. import checks, graph, heatmap, metrics, plots, superpixels
from ..methods import explain
from ..methods.lime import Lime, refit
from ..scenes import CLASS_NAMES
from . import drawing
from .base import Explorer

#: The default settings offered: sample counts (refitted from the largest), SLIC counts.
LEVELS = (50, 150, 500)
COUNTS = (25, 50)


def _key(segmentation: str, count: int | None) -> tuple[str, int | None]:
    return (segmentation, count if segmentation == "slic" else None)


class LimeExplorer(Explorer):
    """Grad-CAM and LIME of each scene's true class; LIME for every setting offered.

    Built by :func:`lime_explorer`. The model runs there: Grad-CAM once, LIME
    once per scene and segmentation at the largest sample count; the smaller
    counts are the same LIME refitted on the first samples
    (:func:`camteach.methods.lime.refit`, exact), so no control runs the model.

    Attributes
    ----------
    lime : dict of (scene, segmentation, count, num_samples) -> LimeResult (one image)
    grad : numpy.ndarray, float32, (N, H, W)
        Grad-CAM of each scene's true class, upsampled (bilinear) to the image.
    """

    def __init__(self, model: keras.Model, scenes, levels: Sequence[int], counts: Sequence[int],
                 seed: int):
        super().__init__(5, (11.6, 4.4), width_ratios=(1, 1, 0.06, 1, 0.06))
        self.scenes, self.levels, self.counts = scenes, tuple(levels), tuple(counts)
        images = scenes.images.astype(np.float32)
        grad = explain(model, images, "grad_cam", classes=scenes.labels)
        self.grad = heatmap.upsample(grad.maps[:, 0], images.shape[1:3])
        self.logits = grad.logits
        self.lime: dict[tuple, Any] = {}
        settings = [("slic", n) for n in self.counts] + [("quickshift", None)]
        for i, image in enumerate(images):                 # the model runs here, once each
            for segmentation, count in settings:
                full = Lime().explain(model, image, classes=int(scenes.labels[i]),
                                      num_samples=max(self.levels), segmentation=segmentation,
                                      n_segments=count or COUNTS[0], seed=seed)
                for level in self.levels:
                    self.lime[(i, segmentation, count, level)] = (
                        full if level == full.num_samples else refit(full, level))
        self._draw_static()
        names = [f"{i}: {CLASS_NAMES[int(c)]}" for i, c in enumerate(scenes.labels)]
        self._connect({
            "scene": ipw.Dropdown(options=[(n, i) for i, n in enumerate(names)], value=0,
                                  description="scene"),
            "num_samples": ipw.SelectionSlider(options=list(self.levels),
                                               value=max(self.levels),
                                               description="num_samples"),
            "segmentation": ipw.Dropdown(options=["slic", "quickshift"], value="slic",
                                         description="superpixels"),
            "n_segments": ipw.Dropdown(options=list(self.counts), value=self.counts[-1],
                                       description="SLIC count")})

    def _draw_static(self) -> None:
        ax_img, ax_grad, cax_grad, ax_lime, cax_lime = self.axes
        a, blank = self.artists, np.zeros(self.scenes.images.shape[1:3])
        self.norms = {"grad": Normalize(-1, 1), "lime": Normalize(-1, 1)}
        a["image"] = self._picture_axes(ax_img, self.scenes.images[0])
        a["grad"] = self._picture_axes(ax_grad, blank, cmap=plots.SIGNED_CMAP,
                                       norm=self.norms["grad"])
        a["lime"] = self._picture_axes(ax_lime, blank, cmap=plots.SIGNED_CMAP,
                                       norm=self.norms["lime"])
        for name, cax, label in (("grad", cax_grad, "Grad-CAM (its own scale)"),
                                 ("lime", cax_lime, "LIME weight (its own scale)")):
            a[f"{name}_bar"] = self._colorbar(cax, self.norms[name], plots.SIGNED_CMAP, label,
                                              animated=True)

    def _lay_out(self) -> None:
        drawing.place_row(self.axes, [3.0, 3.0, 0.15, 3.0, 0.15], [0.15, 0.1, 0.9, 0.1],
                          left=0.1, bottom=0.2, height=3.0)

    def _update(self) -> None:
        i = self.controls["scene"].value
        segmentation = self.controls["segmentation"].value
        count = self.controls["n_segments"].value if segmentation == "slic" else None
        self.controls["n_segments"].disabled = segmentation != "slic"
        level = self.controls["num_samples"].value
        res = self.lime[(i, segmentation, count, level)]
        seg, w = res.segments[0], res.weights[0][0]
        mask, box = self.scenes.masks[i], self.scenes.boxes[i]
        grad = self.grad[i]
        means = superpixels.superpixel_means(grad, seg)
        k = min(5, len(w))

        def truth(heat):
            return {"hit": bool(metrics.pointing_game(heat[None], mask[None])[0]),
                    "iou": float(metrics.box_iou(metrics.cam_box(heat), box)),
                    "energy": float(metrics.energy_pointing(heat[None], mask[None])[0])}

        self.state = {"scene": i, "class": int(self.scenes.labels[i]),
                      "segmentation": segmentation, "n_segments": count, "num_samples": level,
                      "superpixels": len(w), "lime": res.maps[0, 0], "grad": grad,
                      "r2": float(res.r2[0, 0]), "spearman": superpixels.rank_correlation(means, w),
                      "overlap": superpixels.top_overlap(w, means, k),
                      "truth": {"grad_cam": truth(grad), "lime": truth(res.maps[0, 0])},
                      "logit": float(self.logits[i, self.scenes.labels[i]])}
        self._draw_state(seg, mask)

    def _draw_state(self, seg: np.ndarray, mask: np.ndarray) -> None:
        s, a, font = self.state, self.artists, drawing.FONT
        picture = self.scenes.images[s["scene"]].copy()
        picture[superpixels.boundaries(seg)] = (255, 255, 0)
        picture[mask & ~np.roll(mask, 1, 0) | mask & ~np.roll(mask, 1, 1)] = (0, 255, 255)
        a["image"].set_data(picture)
        for name in ("grad", "lime"):
            if drawing.set_symmetric(self.norms[name], float(np.abs(s[name]).max())):
                self._invalidate()
            a[name].set_data(s[name])
        g, m = s["truth"]["grad_cam"], s["truth"]["lime"]
        name = CLASS_NAMES[s["class"]]
        how = "SLIC" if s["segmentation"] == "slic" else "quickshift"
        self.axes[0].set_title(f"{name} (logit {s['logit']:+.1f}), {s['superpixels']} {how} "
                               f"superpixels\nobject outline cyan", fontsize=font)
        self.axes[1].set_title(f"Grad-CAM, 7x7 upsampled\npointing "
                               f"{'hit' if g['hit'] else 'miss'}, IoU {g['iou']:.2f}, "
                               f"on object {g['energy']:.0%}", fontsize=font)
        self.axes[3].set_title(f"LIME, {s['num_samples']} samples, R² {s['r2']:.2f}\npointing "
                               f"{'hit' if m['hit'] else 'miss'}, IoU {m['iou']:.2f}, on object "
                               f"{m['energy']:.0%}; rank corr. {s['spearman']:+.2f}",
                               fontsize=font)


def lime_explorer(model: keras.Model, scenes, levels: Sequence[int] = LEVELS,
                  counts: Sequence[int] = COUNTS, seed: int = 0) -> LimeExplorer:
    """Grad-CAM beside LIME on a few scenes: pick the scene, samples and superpixels.

    Everything is computed when the explorer is built (Grad-CAM once; LIME
    once per scene and segmentation, ``max(levels)`` samples each, the smaller
    levels refitted exactly on the first samples): a control change only picks
    and draws. Cost: ``len(scenes) * (len(counts) + 1) * max(levels)`` model
    calls.

    Parameters
    ----------
    model : keras.Model
        The course model (or any RGB classifier of the scenes' classes).
    scenes : camteach.Scenes
        A few scenes with one object each (their true class is explained).
    levels : sequence of int
        The ``num_samples`` offered (each >= 10).
    counts : sequence of int
        The SLIC superpixel counts offered (quickshift is always offered too).
    seed : int
        LIME's seed.

    Returns
    -------
    LimeExplorer
        Controls ``scene``, ``num_samples``, ``segmentation``, ``n_segments``.
        ``state``: ``scene``, ``class``, ``segmentation``, ``n_segments``,
        ``num_samples``, ``superpixels``, ``lime`` and ``grad`` (H, W) maps,
        ``r2``, ``spearman``, ``overlap`` (top-5 shared), ``truth`` per method
        (``hit``, ``iou``, ``energy``), ``logit``.
    """
    graph.check_model(model)
    if np.ndim(getattr(scenes, "labels", None)) != 1 or len(scenes) > 12:
        raise ValueError("scenes: expected a few scenes (1-12) with one object each, "
                         "e.g. ct.make_scenes(3, seed=2)")
    if isinstance(levels, (int, str)) or not levels:
        raise ValueError(f"levels: expected a list of sample counts, got {levels!r}")
    levels = tuple(sorted({checks.int_in_range(n, "levels", 10) for n in levels}))
    if isinstance(counts, (int, str)) or not counts:
        raise ValueError(f"counts: expected a list of SLIC superpixel counts, got {counts!r}")
    counts = tuple(sorted({checks.int_in_range(n, "counts", 2) for n in counts}))
    seed = checks.int_in_range(seed, "seed", 0)
    return LimeExplorer(model, scenes, levels, counts, seed)
