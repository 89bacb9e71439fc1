"""The CAM viewer: a 7x7 CAM upsampled, coloured, laid over the image and boxed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as ipw
import keras
import numpy as np

from .. import checks, graph, heatmap, maps, metrics
from . import base, drawing
from .base import Explorer, Preprocess

#: The colour maps the viewer offers.
CMAPS: tuple[str, ...] = ("jet", "viridis", "inferno", "magma", "turbo", "gray")


def kept_pixels(heat: np.ndarray, threshold: float) -> np.ndarray:
    """The pixels ``ct.cam_box`` keeps: at least ``threshold`` of the (normalised) maximum.

    Parameters
    ----------
    heat : numpy.ndarray, (H, W)
        An upsampled CAM; a map with no positive value is min-max normalised
        first (a constant one keeps every pixel).
    threshold : float in (0, 1]

    Returns
    -------
    numpy.ndarray of bool, (H, W)
    """
    if heat.max() <= 0:
        heat = heatmap.normalize(heat) if heat.max() > heat.min() else np.ones_like(heat)
    return heat >= threshold * heat.max()


class CamViewer(Explorer):
    """A CAM upsampled, coloured, laid over the image, thresholded to a box.

    Built by :func:`cam_viewer`.

    Attributes
    ----------
    image : numpy.ndarray, uint8, (H, W, 3)
        The raw image.
    cams : dict of int -> numpy.ndarray (h, w)
        The 7x7 CAM of each top class.
    truth_box : numpy.ndarray (4,) or None
    """

    def __init__(self, model: keras.Model, image: Any, truth_box: np.ndarray | None, top: int,
                 preprocess: Preprocess | None, class_names: Sequence[str] | None):
        super().__init__(3, (10.5, 3.7))
        self.image, feats = base.image_features(model, image, preprocess)
        self.truth_box = truth_box
        classes = maps.top_classes(feats.logits, top)                    # (1, top)
        cams = maps.class_activation_maps(feats.F, feats.W, classes)[0]   # (top, h, w)
        self.cams = {int(k): m for k, m in zip(classes[0], cams)}
        names = base.class_names(feats.W.shape[1], class_names)
        self._draw_static()
        self._connect({
            "class": base.class_dropdown(names, feats.logits[0], list(self.cams),
                                         int(classes[0, 0])),
            "method": ipw.ToggleButtons(options=list(heatmap.METHODS), value="bilinear",
                                        description="upsampling"),
            "cmap": ipw.Dropdown(options=list(CMAPS), value="jet", description="colour map"),
            "alpha": ipw.FloatSlider(min=0.0, max=1.0, step=0.05, value=0.4,
                                     description="alpha"),
            "threshold": ipw.FloatSlider(min=0.05, max=1.0, step=0.05, value=0.2,
                                         description="threshold (x max)")})

    def _draw_static(self) -> None:
        ax_cam, ax_up, ax_over = self.axes
        a = self.artists
        a["cam"] = self._picture_axes(ax_cam, np.zeros(next(iter(self.cams.values())).shape))
        a["upsampled"] = self._picture_axes(ax_up, self.image)
        a["overlay"] = self._picture_axes(ax_over, self.image)
        a["box_upsampled"] = self._new_box(ax_up, "white")
        a["box"] = self._new_box(ax_over, "white")
        a["truth"] = self._new_box(ax_over, "lime", "--")
        drawing.place_box(a["truth"], self.truth_box)

    def _update(self) -> None:
        c, method, cmap, alpha, threshold = (self.controls[n].value for n in
                                             ("class", "method", "cmap", "alpha", "threshold"))
        heat = self._memo(("heat", c, method), lambda: heatmap.upsample(
            self.cams[c], self.image.shape[:2], method=method))
        box = metrics.cam_box(heat, threshold)
        iou = None if self.truth_box is None else float(metrics.box_iou(box, self.truth_box))
        self.state = {"class": int(c), "method": method, "cmap": cmap, "alpha": float(alpha),
                      "threshold": float(threshold), "box": box, "iou": iou,
                      "cam": self.cams[c], "heat": heat,
                      "overlay": heatmap.overlay(self.image, heat, alpha=float(alpha),
                                                 cmap=cmap)}
        self._draw_state()

    def _draw_state(self) -> None:
        s, a = self.state, self.artists
        a["cam"].set_data(s["cam"])
        a["cam"].set_cmap(s["cmap"])
        a["cam"].set_clim(float(s["cam"].min()), float(s["cam"].max()))
        colours = self._memo(("colours", s["class"], s["method"], s["cmap"]),
                             lambda: heatmap.colorize(s["heat"], s["cmap"]))
        dimmed = np.where(kept_pixels(s["heat"], s["threshold"])[..., None], colours,
                          (colours * 0.3).astype(np.uint8))
        a["upsampled"].set_data(dimmed)
        a["overlay"].set_data(s["overlay"])
        drawing.place_box(a["box_upsampled"], s["box"])
        drawing.place_box(a["box"], s["box"])
        self._draw_titles()

    def _draw_titles(self) -> None:
        s, (ax_cam, ax_up, ax_over), font = self.state, self.axes, drawing.FONT
        ax_cam.set_title("CAM 7x7", fontsize=font)
        ax_up.set_title(f"{s['method']}; kept >= {s['threshold']:.2f} x max", fontsize=font)
        iou = "" if s["iou"] is None else f", IoU with truth {s['iou']:.2f}"
        ax_over.set_title(f"alpha {s['alpha']:.2f}: CAM box (white){iou}", fontsize=font)


def cam_viewer(model: keras.Model, image: Any, truth_box: Any = None, top: int = 5, *,
               preprocess: Preprocess | None = None,
               class_names: Sequence[str] | None = None) -> CamViewer:
    """From a 7x7 CAM to a picture and a box: upsampling, colours, alpha, threshold.

    The network runs once on ``image`` and the CAMs of its ``top`` best
    classes are kept; every control then only resizes, colours and
    thresholds them.

    Shows the raw 7x7 CAM, the CAM upsampled to the image size with the
    chosen method (pixels below ``threshold`` x max dimmed) and the overlay
    with the CAM box (``ct.cam_box``, white) and, when given, the true box
    (green, dashed) and their IoU.

    Parameters
    ----------
    model : keras.Model
        A GAP + Dense classifier.
    image : array-like, (224, 224, 3)
        One image of the model's input size.
    truth_box : array-like (4,), optional
        The object's box ``(x0, y0, x1, y1)`` (x1, y1 exclusive), e.g.
        ``scenes.boxes[i]``.
    top : int
        How many best classes the dropdown offers (capped at the number of
        classes).
    preprocess : callable, optional
        Applied to ``image`` before the network.
    class_names : sequence of str, optional
        Names for the dropdown.

    Returns
    -------
    CamViewer
        Controls ``"class"``, ``"method"`` (nearest/bilinear/bicubic),
        ``"cmap"``, ``"alpha"`` (0..1), ``"threshold"`` (0.05..1). ``state``:
        ``class``, ``method``, ``cmap``, ``alpha``, ``threshold``, ``box``
        (4,), ``iou`` (None without ``truth_box``), ``cam`` (7x7), ``heat``
        (H, W) upsampled, ``overlay`` (H, W, 3) uint8 image.
    """
    graph.check_model(model)
    if truth_box is not None:
        truth_box = checks.box(truth_box, "truth_box", size=base.input_size(model))
    top = min(checks.positive_int(top, "top"), base.num_classes(model))
    return CamViewer(model, image, truth_box, top, preprocess, class_names)
