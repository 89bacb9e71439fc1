"""The layer explorer: one method's heat map at several layers, resolution versus meaning."""

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

from .. import checks, graph, heatmap, methods, plots
from ..metrics import POINTING_TOLERANCE
from . import base, drawing
from .base import Explorer, Preprocess
from .cam_viewer import blend

#: How much of the overlay is the map's colour.
ALPHA = 0.5


class LayerExplorer(Explorer):
    """One method's map of one image at each of several layers, computed once.

    Built by :func:`layer_explorer`.

    Attributes
    ----------
    layers : tuple of str
        The layers offered, in the order given (image to decision, usually).
    maps : dict of (str, int) -> numpy.ndarray, float32, (h, w)
        The raw map of each (layer, class), at the layer's resolution.
    logits : numpy.ndarray, float64, (K,)
        The image's scores before the head's activation.
    names : tuple of str, (K,)
    """

    def __init__(self, model: keras.Model, image: Any, layers: Sequence[str], method: str,
                 c: int | None, preprocess: Preprocess | None,
                 class_names: Sequence[str] | None, mask: np.ndarray | None):
        super().__init__(3, (8.3, 4.6), width_ratios=(1, 0.06, 1))
        array = base.checked_image(model, image)
        if preprocess is not None and not callable(preprocess):
            raise ValueError(f"preprocess: expected None or a function image -> network "
                             f"input, got {type(preprocess).__name__}")
        self.image = heatmap.to_uint8_rgb(array)
        x = (array if preprocess is None else preprocess(array))[None]
        self.method, self.layers, self.mask = method, tuple(layers), mask
        first = methods.explain(model, x, method, layer=self.layers[0], top=1)
        self.logits = first.logits[0].astype(np.float64)
        shown = base.shown_classes(self.logits, c)
        chosen = int(np.argmax(self.logits)) if c is None else c
        self.maps: dict[tuple[str, int], np.ndarray] = {}
        for layer in self.layers:                   # the network runs here, once per layer
            res = methods.explain(model, x, method, classes=[shown], layer=layer)
            self.maps.update({(layer, int(k)): m for k, m in zip(res.classes[0], res.maps[0])})
        self.names = base.class_names(len(self.logits), class_names)
        self._distance = (None if mask is None else
                          ndimage.distance_transform_edt(~mask).astype(np.float32))
        self._draw_static()
        labels = [(f"{layer} ({'x'.join(map(str, self.maps[layer, chosen].shape))})", layer)
                  for layer in self.layers]
        self._connect({
            "layer": ipw.Dropdown(options=labels, value=self.layers[-1], description="layer"),
            "class": base.class_dropdown(self.names, self.logits, shown, chosen,
                                         base.head_of(model))})

    def _draw_static(self) -> None:
        ax_map, cax, ax_over = self.axes
        a = self.artists
        self.norm = Normalize(-1.0, 1.0)
        a["map"] = self._picture_axes(ax_map, np.zeros((2, 2)), cmap=plots.SIGNED_CMAP,
                                      norm=self.norm)
        a["overlay"] = self._picture_axes(ax_over, self.image)
        if self.mask is not None and self.mask.any() and not self.mask.all():
            a["mask"] = ax_over.contour(self.mask, levels=[0.5], colors=drawing.MASK_COLOR,
                                        linewidths=1.5)
            self._animate(a["mask"])
        (a["peak"],) = ax_over.plot([0], [0], linestyle="none", marker="X", markersize=13,
                                    color=drawing.PEAK_COLOR, markeredgecolor="white")
        self._animate(a["peak"])
        a["colorbar"] = self._colorbar(cax, self.norm, plots.SIGNED_CMAP,
                                       f"{self.method} value (this layer's scale, 0 = white)")
        handles = [Line2D([], [], linestyle="none", marker="X", markersize=11,
                          color=drawing.PEAK_COLOR, markeredgecolor="white", label="peak")]
        if "mask" in a:
            handles.insert(0, Line2D([], [], color=drawing.MASK_COLOR, linewidth=1.5,
                                     label="object mask"))
        a["legend"] = self.figure.legend(handles=handles, loc="lower center",
                                         ncol=len(handles), fontsize=drawing.FONT,
                                         frameon=True, facecolor="0.35", labelcolor="white",
                                         edgecolor="none", bbox_to_anchor=(0.68, 0.0))

    def _lay_out(self) -> None:
        """The map and the overlay, 3.3 inches each (330 px), the colour bar between."""
        drawing.place_row(self.axes, [3.3, 0.2, 3.3], [0.1, 1.2], left=0.1, bottom=0.55,
                          height=3.3)

    def heat(self, layer: str, c: int) -> np.ndarray:
        """The map of ``layer`` and class ``c`` upsampled (bilinear) to the image, (H, W)."""
        return self._memo(("heat", layer, c), lambda: heatmap.upsample(
            self.maps[layer, c], self.image.shape[:2]))

    def _update(self) -> None:
        layer, c = self.controls["layer"].value, self.controls["class"].value
        small, heat = self.maps[layer, c], self.heat(layer, c)
        limit = float(np.abs(small).max())
        peak = tuple(int(v) for v in np.unravel_index(int(np.argmax(heat)), heat.shape))
        distance = None if self._distance is None else float(self._distance[peak])
        self.state = {"layer": layer, "class": int(c), "size": small.shape, "map": small,
                      "heat": heat, "scale": limit, "peak": peak, "peak_distance": distance,
                      "hit": None if distance is None else distance <= POINTING_TOLERANCE,
                      "logit": float(self.logits[c]),
                      "overlay": self._memo(("overlay", layer, c), lambda: self._overlay(
                          heat, limit))}
        self._draw_state()

    def _overlay(self, heat: np.ndarray, limit: float) -> np.ndarray:
        unit = np.clip((heat / (limit or 1e-6) + 1.0) / 2.0, 0.0, 1.0)
        colours = (colormaps[plots.SIGNED_CMAP](unit)[..., :3] * 255).round().astype(np.uint8)
        return blend(self.image, colours, ALPHA)

    def _draw_state(self) -> None:
        s, a = self.state, self.artists
        if drawing.set_symmetric(self.norm, s["scale"]):          # each map has its own scale
            self._invalidate()
        h, w = s["size"]
        if a["map"].get_array().shape != (h, w):                 # a new resolution: new extent
            a["map"].set_extent((-0.5, w - 0.5, h - 0.5, -0.5))
            self.axes[0].set_xlim(-0.5, w - 0.5)
            self.axes[0].set_ylim(h - 0.5, -0.5)
            self._invalidate()
        a["map"].set_data(s["map"])
        a["overlay"].set_data(s["overlay"])
        a["peak"].set_data([s["peak"][1]], [s["peak"][0]])
        font, name = drawing.FONT, self.names[s["class"]]
        self.axes[0].set_title(f"{self.method} at {s['layer']}, {h}x{w}\n{name} "
                               f"(logit {s['logit']:+.2f}), max {s['scale']:.3g}", fontsize=font)
        if s["peak_distance"] is None:
            where = "peak: the X"
        elif s["peak_distance"] == 0:
            where = "peak on the object"
        else:
            hit = "a hit" if s["hit"] else "a miss"
            where = f"peak {s['peak_distance']:.0f} px from the object ({hit})"
        self.axes[2].set_title(f"upsampled to {self.image.shape[0]}x{self.image.shape[1]}, "
                               f"alpha {ALPHA}\n{where}", fontsize=font)


def layer_explorer(model: keras.Model, image: Any, layers: Sequence[str],
                   method: str = "grad_cam", c: int | None = None, *,
                   preprocess: Preprocess | None = None,
                   class_names: Sequence[str] | None = None,
                   mask: Any = None) -> LayerExplorer:
    """One explanation method's map of one image at several layers: pick the layer.

    The network runs when the explorer is built (``ct.explain`` once per
    layer, for every class offered); changing the layer or the class only
    picks a precomputed map, upsamples it (bilinear, cached) and redraws.

    Shows the raw map at the layer's resolution (signed, zero-centred colour
    scale ``[-m, +m]``, ``m`` the largest |value| of that map: layers differ
    by orders of magnitude, so each map has its own scale, and the colour
    bar says so) and the map upsampled over the image, with its peak and,
    given ``mask``, the object's outline and how far the peak is from it
    (a hit within 15 px, Zhang et al.'s pointing game).

    Parameters
    ----------
    model : keras.Model
        A classifier (any head: the maps explain the logits).
    image : array-like, (H, W, 3)
        One image of the model's input size.
    layers : sequence of str
        The layers offered (4-D outputs), e.g. the last convolution of each block.
    method : str
        A name from ``ct.methods.names()`` that takes a ``layer`` (not "cam").
    c : int, optional
        The class shown first (default: the best-scoring one).
    preprocess : callable, optional
        Applied to ``image`` before the network.
    class_names : sequence of str, optional
        Names for the class drop-down.
    mask : array-like of bool, (H, W), optional
        The object's pixels.

    Returns
    -------
    LayerExplorer
        Controls ``"layer"`` and ``"class"``. ``state``: ``layer``, ``class``,
        ``size`` (h, w), ``map`` (h, w) raw, ``heat`` (H, W), ``scale`` (m),
        ``peak`` (row, col) in pixels, ``peak_distance`` and ``hit`` (None
        without ``mask``), ``logit``, ``overlay`` (H, W, 3) uint8.
    """
    graph.check_model(model)
    method = methods.get(method).name
    if methods.get(method).needs_gap:
        raise ValueError(f"method: {method!r} is defined at one layer only; choose a method "
                         f"that takes a layer, e.g. 'grad_cam'")
    if isinstance(layers, str) or not isinstance(layers, Sequence) or not layers:
        raise ValueError(f"layers: expected a non-empty list of layer names, got {layers!r}")
    for layer in layers:
        site = graph.find_layer(model, layer)
        if len(site.shape) != 4:
            raise ValueError(f"layers: {layer!r} has output shape {site.shape}; expected "
                             f"feature maps (N, h, w, C)")
    if c is not None:
        c = checks.class_index(c, base.num_classes(model), "c")
    size = base.input_size(model)
    if mask is not None:
        mask = np.asarray(mask)
        if mask.shape != size or mask.dtype != bool:
            raise ValueError(f"mask: expected a bool array of shape {size}, got "
                             f"{mask.dtype} {mask.shape}")
    return LayerExplorer(model, image, layers, method, c, preprocess, class_names, mask)
