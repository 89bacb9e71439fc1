"""The CAM viewer: a 7x7 CAM upsampled, coloured, laid over the image, boxed, its peak marked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as ipw
import keras
import numpy as np
from matplotlib import colormaps
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D
from scipy import ndimage

from .. import checks, graph, heatmap, maps, metrics
from . import base, drawing
from .base import Explorer, Preprocess

#: The colour maps the viewer offers; the first is the default.
CMAPS: tuple[str, ...] = ("RdBu_r", "jet", "viridis", "inferno", "magma", "turbo", "gray")
#: Diverging colour maps: drawn on the signed scale ``[-m, +m]`` (white 0);
#: the others min-max normalise each map, and the colour bar says so.
DIVERGING: frozenset[str] = frozenset({"RdBu_r", "coolwarm", "bwr", "seismic"})


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
    mask : numpy.ndarray of bool (H, W) or None
    logits : numpy.ndarray, (K,)
    names : tuple of str, (K,)
    limit : float
        The signed scale's ``m`` (``[-m, +m]``): the largest |value| of the
        offered classes' CAMs.
    """

    def __init__(self, model: keras.Model, image: Any, truth_box: np.ndarray | None, top: int,
                 preprocess: Preprocess | None, class_names: Sequence[str] | None,
                 mask: np.ndarray | None = None, cmap: str = CMAPS[0]):
        super().__init__(4, (11.45, 4.5), width_ratios=(1, 1, 1, 0.06))
        self.image, feats = base.image_features(model, image, preprocess)
        self.truth_box, self.mask = truth_box, mask
        classes = maps.top_classes(feats.logits, top)                    # (1, top)
        cams = maps.class_activation_maps(feats.F, feats.W, classes)[0]   # (top, h, w)
        self.cams = {int(k): m for k, m in zip(classes[0], cams)}
        self.logits = feats.logits[0].astype(np.float64)
        self.names = base.class_names(feats.W.shape[1], class_names)
        self.limit = float(np.abs(cams).max()) or 1e-6
        self._distance = (None if mask is None else
                          ndimage.distance_transform_edt(~mask).astype(np.float32))
        self._draw_static()
        self._connect({
            "class": base.class_dropdown(self.names, feats.logits[0], list(self.cams),
                                         int(classes[0, 0]), base.head_of(model)),
            "method": ipw.ToggleButtons(options=list(heatmap.METHODS), value="bilinear",
                                        description="upsampling"),
            "cmap": ipw.Dropdown(options=list(CMAPS), value=cmap, description="colour map"),
            "alpha": ipw.FloatSlider(min=0.0, max=1.0, step=0.05, value=0.4,
                                     description="alpha"),
            "threshold": ipw.FloatSlider(min=0.05, max=1.0, step=0.05, value=0.2,
                                         description="threshold (x max)")})

    def _draw_static(self) -> None:
        ax_cam, ax_up, ax_over, cax = self.axes
        a = self.artists
        a["cam"] = self._picture_axes(ax_cam, np.zeros(next(iter(self.cams.values())).shape))
        a["upsampled"] = self._picture_axes(ax_up, self.image)
        a["overlay"] = self._picture_axes(ax_over, self.image)
        if self.mask is not None and self.mask.any() and not self.mask.all():
            a["mask"] = ax_over.contour(self.mask, levels=[0.5], colors=drawing.MASK_COLOR,
                                        linewidths=1.5)
            self._animate(a["mask"])
        a["box_upsampled"] = self._new_box(ax_up, drawing.PRED_COLOR, "--")
        a["box"] = self._new_box(ax_over, drawing.PRED_COLOR, "--")
        a["truth"] = self._new_box(ax_over, drawing.TRUTH_COLOR)
        drawing.place_box(a["truth"], self.truth_box)
        (a["peak"],) = ax_over.plot([0], [0], linestyle="none", marker="X", markersize=13,
                                    color=drawing.PEAK_COLOR, markeredgecolor="white")
        self._animate(a["peak"])
        self._bar_norm = Normalize(-self.limit, self.limit)
        a["colorbar"] = self._colorbar(cax, self._bar_norm, CMAPS[0],
                                       "CAM value (shared scale, 0 = white)")
        self._animate(a["colorbar"].solids)
        self._draw_legend(ax_over)

    def _lay_out(self) -> None:
        """Three 3.3-inch panels (330 px), the colour bar, room for titles and the legend."""
        drawing.place_row(self.axes, [3.3, 3.3, 3.3, 0.2], [0.12, 0.12, 0.1], left=0.1,
                          bottom=0.55, height=3.3)

    def _draw_legend(self, ax) -> None:
        """The legend under the overlay: what each box, outline and marker is."""
        handles = [Line2D([], [], color=drawing.PRED_COLOR, linewidth=2, linestyle="--",
                          label="CAM box")]
        if self.truth_box is not None:
            handles.append(Line2D([], [], color=drawing.TRUTH_COLOR, linewidth=2,
                                  label="true box"))
        if self.mask is not None:
            handles.append(Line2D([], [], color=drawing.MASK_COLOR, linewidth=1.5,
                                  label="object mask"))
        handles.append(Line2D([], [], linestyle="none", marker="X", markersize=11,
                              color=drawing.PEAK_COLOR, markeredgecolor="white", label="peak"))
        legend = self.figure.legend(handles=handles, loc="lower center", ncol=len(handles),
                                    fontsize=drawing.FONT, frameon=True, facecolor="0.35",
                                    labelcolor="white", edgecolor="none",
                                    bbox_to_anchor=(0.5, 0.0))
        self.artists["legend"] = legend

    def _update(self) -> None:
        c, method, cmap, alpha, threshold = (self.controls[n].value for n in
                                             ("class", "method", "cmap", "alpha", "threshold"))
        heat = self._memo(("heat", c, method), lambda: heatmap.upsample(
            self.cams[c], self.image.shape[:2], method=method))
        box = metrics.cam_box(heat, threshold)
        iou = None if self.truth_box is None else float(metrics.box_iou(box, self.truth_box))
        signed = cmap in DIVERGING
        colours = self._colours(c, method, cmap, heat)
        peak = tuple(int(v) for v in np.unravel_index(int(np.argmax(heat)), heat.shape))
        distance = None if self._distance is None else float(self._distance[peak])
        self.state = {"class": int(c), "method": method, "cmap": cmap, "alpha": float(alpha),
                      "threshold": float(threshold), "box": box, "iou": iou,
                      "cam": self.cams[c], "heat": heat,
                      "scale": "signed" if signed else "normalised",
                      "clim": (-self.limit, self.limit) if signed else (0.0, 1.0),
                      "peak": peak, "hit": None if distance is None else distance == 0,
                      "peak_distance": distance,
                      "logit": float(self.logits[c]),
                      "overlay": (blend(self.image, colours, float(alpha)) if signed else
                                  heatmap.overlay(self.image, heat, alpha=float(alpha),
                                                  cmap=cmap))}
        self._draw_state(colours)

    def _colours(self, c: int, method: str, cmap: str, heat: np.ndarray) -> np.ndarray:
        """The upsampled map coloured: on ``[-limit, +limit]`` or min-max normalised."""
        def compute() -> np.ndarray:
            if cmap not in DIVERGING:
                return heatmap.colorize(heat, cmap)
            unit = np.clip((heat / self.limit + 1.0) / 2.0, 0.0, 1.0)
            return (colormaps[cmap](unit)[..., :3] * 255).round().astype(np.uint8)
        return self._memo(("colours", c, method, cmap), compute)

    def _draw_state(self, colours: np.ndarray) -> None:
        s, a = self.state, self.artists
        a["cam"].set_data(s["cam"])
        a["cam"].set_cmap(s["cmap"])
        low, high = s["clim"] if s["scale"] == "signed" else (float(s["cam"].min()),
                                                              float(s["cam"].max()))
        # (normalised: the 7x7 map's own min .. max, which is what min-max normalising does)
        a["cam"].set_clim(low, high if high > low else low + 1e-6)
        dimmed = np.where(kept_pixels(s["heat"], s["threshold"])[..., None], colours,
                          (colours * 0.3).astype(np.uint8))
        a["upsampled"].set_data(dimmed)
        a["overlay"].set_data(s["overlay"])
        drawing.place_box(a["box_upsampled"], s["box"])
        drawing.place_box(a["box"], s["box"])
        a["peak"].set_data([s["peak"][1]], [s["peak"][0]])
        self._draw_colorbar()
        self._draw_titles()

    def _draw_colorbar(self) -> None:
        """The colour bar: its colours follow the colour map; its scale, the mode."""
        s, bar = self.state, self.artists["colorbar"]
        if (self._bar_norm.vmin, self._bar_norm.vmax) != s["clim"]:     # the mode changed
            old = bar.solids
            self._bar_norm.vmin, self._bar_norm.vmax = s["clim"]        # redraws the bar
            self._animated.remove(old)
            self._animate(bar.solids)
            bar.set_label("CAM value (shared scale, 0 = white)" if s["scale"] == "signed"
                          else "normalised to [0, 1]\n(each map: its min .. max)",
                          fontsize=drawing.FONT - 1)
            self._invalidate()
        bar.solids.set_cmap(s["cmap"])

    def _draw_titles(self) -> None:
        s, (ax_cam, ax_up, ax_over, _), font = self.state, self.axes, drawing.FONT
        cam = s["cam"]
        ax_cam.set_title(f"CAM 7x7: {self.names[s['class']]} (logit {s['logit']:+.2f})\n"
                         f"values {cam.min():+.2f} .. {cam.max():+.2f}", fontsize=font)
        ax_up.set_title(f"{s['method']} {s['heat'].shape[0]}x{s['heat'].shape[1]}\n"
                        f"kept >= {s['threshold']:.2f} x max", fontsize=font)
        iou = "" if s["iou"] is None else f"; IoU with true box {s['iou']:.2f}"
        if s["peak_distance"] is None:
            where = ""
        elif s["hit"]:
            where = "\npeak on the object"
        else:
            where = f"\npeak {s['peak_distance']:.0f} px from the object"
        ax_over.set_title(f"alpha {s['alpha']:.2f}{iou}{where}", fontsize=font)


def blend(image: np.ndarray, colours: np.ndarray, alpha: float) -> np.ndarray:
    """``(1 - alpha) * image + alpha * colours``, rounded to uint8 (as ``ct.overlay``)."""
    mixed = (1.0 - alpha) * image.astype(np.float32) + alpha * colours.astype(np.float32)
    return np.clip(np.rint(mixed), 0, 255).astype(np.uint8)


def cam_viewer(model: keras.Model, image: Any, truth_box: Any = None, top: int = 5, *,
               preprocess: Preprocess | None = None,
               class_names: Sequence[str] | None = None, mask: Any = None,
               cmap: str = CMAPS[0]) -> CamViewer:
    """From a 7x7 CAM to a picture and a box: upsampling, colours, alpha, threshold.

    The network runs once on ``image`` and the CAMs of its ``top`` best
    classes are kept; every control then only resizes, colours and
    thresholds them.

    Shows the raw 7x7 CAM, the CAM upsampled to the image size with the
    chosen method (pixels below ``threshold`` x max dimmed) and the overlay
    with the CAM box (``ct.cam_box``, yellow, dashed), the map's peak (magenta
    X, the pixel the pointing game tests) and, when given, the true box
    (green, solid) with their IoU and the object's outline (cyan) with the
    peak's distance to it; a legend names each. One colour bar: with a
    diverging colour map ("RdBu_r", the default) every panel shows the raw
    values on one zero-centred scale shared by the offered classes (a
    negative map looks blue); with the others ("jet", "viridis", ...) each
    map is min-max normalised (as ``ct.overlay``) and the colour bar says so.

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
    mask : bool array-like (H, W), optional
        The object's pixels (``scenes.masks[i]``): outlined, and the peak's
        distance to the object is shown (0: a hit of the strict pointing game).
    cmap : str
        The colour map first selected (one of ``CMAPS``).

    Returns
    -------
    CamViewer
        Controls ``"class"``, ``"method"`` (nearest/bilinear/bicubic),
        ``"cmap"``, ``"alpha"`` (0..1), ``"threshold"`` (0.05..1). ``state``:
        ``class``, ``method``, ``cmap``, ``alpha``, ``threshold``, ``box``
        (4,), ``iou`` (None without ``truth_box``), ``cam`` (7x7), ``heat``
        (H, W) upsampled, ``overlay`` (H, W, 3) uint8 image, ``scale``
        ("signed" or "normalised"), ``clim`` (the colour bar's range),
        ``peak`` (row, col) of ``heat``'s maximum, ``hit`` and
        ``peak_distance`` (px to the object; None without ``mask``), ``logit``.
    """
    graph.check_model(model)
    if truth_box is not None:
        truth_box = checks.box(truth_box, "truth_box", size=base.input_size(model))
    top = min(checks.positive_int(top, "top"), base.num_classes(model))
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != base.input_size(model):
            raise ValueError(f"mask: expected the image's shape {base.input_size(model)}, "
                             f"got {mask.shape}")
    checks.one_of(cmap, "cmap", CMAPS)
    return CamViewer(model, image, truth_box, top, preprocess, class_names, mask, cmap)
