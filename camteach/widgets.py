"""Interactive explorers (ipywidgets 8) that answer without re-running the network.

Four explorers, one per lesson that plays with the CAM's ingredients::

    from camteach import widgets
    widgets.pooling_explorer(model, "face")      # lesson 02: the map moves, the mean stays
    widgets.weights_explorer(model, image)       # lesson 03: the dense layer as a regression
    widgets.cam_builder(model, image)            # lesson 04: the CAM built term by term
    widgets.cam_viewer(model, image, box)        # lesson 05: upsampling, colours, threshold, box

Each returns an :class:`Explorer` that displays itself in a notebook and has

- ``.widget``: the ipywidgets container (controls above a picture);
- ``.controls``: name -> control widget (set ``.value`` to drive it from code);
- ``.figure``: the matplotlib Figure it draws (object-oriented API, Agg canvas,
  no pyplot state);
- ``.state``: the numbers the picture currently shows (for tests and exercises);
- ``.artists``: the matplotlib artists it updates in place.

The network runs once, when the explorer is built (``ct.features`` on the
image, or on a grid of object positions for the pooling explorer). A control
change only does NumPy on the cached arrays, updates the artists in place,
renders the figure with Agg and sends it (JPEG or PNG, see ``PICTURE_FORMAT``)
to an ``ipywidgets.Image``,
synchronously: when ``control.value = v`` returns, ``.state`` and the picture
are up to date. This works the same in JupyterLab, Voila and in tests without
a frontend.
"""

from __future__ import annotations

import io
import numbers
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import ipywidgets as ipw
import keras
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator
from PIL import Image

from . import checks, graph, heatmap, maps, metrics, scenes

__all__ = ["Explorer", "PoolingExplorer", "WeightsExplorer", "CamBuilder", "CamViewer",
           "pooling_explorer", "weights_explorer", "cam_builder", "cam_viewer"]

_DPI = 80
_FONT = 9
_MAX_CLASSES_SHOWN = 10
#: How the figure travels to the browser: "jpeg" (default: ~2 ms to encode and
#: ~60 KB for the CAM viewer, against ~12 ms and ~150 KB for PNG, which
#: matters on Binder/JupyterHub) or "png" (lossless, for screenshots).
PICTURE_FORMAT = "jpeg"
CMAPS: tuple[str, ...] = ("jet", "viridis", "inferno", "magma", "turbo", "gray")
Preprocess = Callable[[np.ndarray], np.ndarray]


# --------------------------------------------------------------------------
# Argument checks and the one forward pass
# --------------------------------------------------------------------------

def _input_size(model: keras.Model) -> tuple[int, int]:
    shape = graph.check_model(model).inputs[0].shape
    return (shape[1] or 224, shape[2] or 224)


def _checked_image(model: keras.Model, image: Any) -> np.ndarray:
    """The image as an array of the model's input shape (H, W, 3), else ValueError."""
    array = np.asarray(image)
    expected = (*_input_size(model), 3)
    if array.shape != expected:
        raise ValueError(f"image: expected one RGB image of shape {expected}, "
                         f"got shape {array.shape}")
    return array


def _image_features(model: keras.Model, image: Any,
                    preprocess: Preprocess | None) -> tuple[np.ndarray, maps.Features]:
    """The raw image as uint8 RGB and the network's features of it (one forward pass)."""
    array = _checked_image(model, image)
    if preprocess is not None and not callable(preprocess):
        raise ValueError(f"preprocess: expected None or a function image -> network input, "
                         f"got {type(preprocess).__name__}")
    raw = heatmap.to_uint8_rgb(array)
    x = array if preprocess is None else preprocess(array)
    return raw, maps.features(model, x)


def _check_class(c: Any, num_classes: int, name: str = "c") -> int:
    if isinstance(c, (bool, np.bool_)) or not isinstance(c, numbers.Integral) \
            or not 0 <= int(c) < num_classes:
        raise ValueError(f"{name}: expected a class index in [0, {num_classes - 1}], got {c!r}")
    return int(c)


def _class_names(num_classes: int, class_names: Sequence[str] | None) -> tuple[str, ...]:
    """Names of the model's classes: given, the scenes' four, ImageNet's 1000, or numbers."""
    if class_names is not None:
        names = tuple(str(n) for n in class_names)
        if len(names) != num_classes:
            raise ValueError(f"class_names: expected {num_classes} names (one per class), "
                             f"got {len(names)}")
        return names
    if num_classes == len(scenes.CLASS_NAMES):
        return scenes.CLASS_NAMES
    if num_classes == 1000:
        from .pretrained import imagenet_class_names
        return imagenet_class_names()
    return tuple(f"class {k}" for k in range(num_classes))


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(np.asarray(logits, np.float64) - np.max(logits))
    return shifted / shifted.sum()


def _shown_classes(logits: np.ndarray, must: int | None = None,
                   limit: int = _MAX_CLASSES_SHOWN) -> list[int]:
    """All classes when there are few, else the ``limit`` best (plus ``must``)."""
    if len(logits) <= limit:
        return list(range(len(logits)))
    best = [int(k) for k in maps.top_classes(logits[None], limit)[0]]
    if must is not None and must not in best:
        best[-1] = must
    return best


def _class_dropdown(names: Sequence[str], probs: np.ndarray, classes: Sequence[int],
                    value: int) -> ipw.Dropdown:
    options = [(f"{names[k]} (p={probs[k]:.2f})", int(k)) for k in classes]
    return ipw.Dropdown(options=options, value=int(value), description="class")


# --------------------------------------------------------------------------
# Drawing helpers (object-oriented matplotlib, updated in place)
# --------------------------------------------------------------------------

def _encode(canvas: FigureCanvasAgg, fmt: str) -> bytes:
    """The canvas's current pixels, encoded as ``fmt`` ("jpeg" or "png")."""
    rgb = Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3])
    out = io.BytesIO()
    if fmt == "png":
        rgb.save(out, format="png", compress_level=1)
    else:
        rgb.save(out, format="jpeg", quality=90, subsampling=0)
    return out.getvalue()


def _bare(ax: Axes, title: str = "") -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=_FONT)


def _show(ax: Axes, data: np.ndarray, title: str = "", **kwargs) -> AxesImage:
    """An image or a small map, pixel-exact, with no ticks."""
    im = ax.imshow(data, interpolation="nearest", **kwargs)
    _bare(ax, title)
    return im


def _box(ax: Axes, color: str, style: str = "-") -> Rectangle:
    """An empty box artist, placed later with :func:`_place_box`."""
    rect = Rectangle((0, 0), 0, 0, fill=False, edgecolor=color, linewidth=2, linestyle=style,
                     visible=False)
    ax.add_patch(rect)
    return rect


def _place_box(rect: Rectangle, box: Sequence[float] | None, cell: float = 1.0) -> None:
    """Move ``rect`` onto ``(x0, y0, x1, y1)`` (pixel indices, x1 y1 exclusive) times ``cell``."""
    if box is None:
        rect.set_visible(False)
        return
    x0, y0, x1, y1 = (float(v) * cell for v in box)
    rect.set_bounds(x0 - 0.5, y0 - 0.5, x1 - x0, y1 - y0)
    rect.set_visible(True)


def _cell_box(row: int, col: int) -> tuple[int, int, int, int]:
    return col, row, col + 1, row + 1


def _bars(ax: Axes, labels: Sequence[str], horizontal: bool = False) -> BarContainer:
    """Bars at zero height, one per label; heights are set by :func:`_set_bars`."""
    positions = np.arange(len(labels))
    if horizontal:
        bars = ax.barh(positions, np.zeros(len(labels)), color="tab:blue")
        ax.set_yticks(positions, labels, fontsize=_FONT)
        ax.invert_yaxis()
        ax.axvline(0, color="black", linewidth=0.8)
    else:
        bars = ax.bar(positions, np.zeros(len(labels)), color="tab:blue")
        ax.set_xticks(positions, labels, fontsize=_FONT)
        ax.axhline(0, color="black", linewidth=0.8)
    ax.tick_params(labelsize=_FONT)
    return bars


def _set_bars(bars: BarContainer, values: Sequence[float],
              colors: Sequence[str] | None = None) -> None:
    """Set the bars' lengths (and colours) in place."""
    horizontal = bars.orientation == "horizontal"
    for i, (rect, value) in enumerate(zip(bars.patches, values)):
        (rect.set_width if horizontal else rect.set_height)(float(value))
        if colors is not None:
            rect.set_facecolor(colors[i])


def _sign_colors(values: Sequence[float]) -> list[str]:
    return ["tab:green" if v >= 0 else "tab:red" for v in values]


def _symmetric(limit: float) -> tuple[float, float]:
    limit = float(limit) if limit > 0 else 1e-6
    return -limit, limit


def _padded(low: float, high: float, pad: float = 0.15) -> tuple[float, float]:
    low, high = min(float(low), 0.0), max(float(high), 0.0)
    span = (high - low) or 1e-6
    return low - pad * span * (low < 0), high + pad * span


# --------------------------------------------------------------------------
# The common machinery
# --------------------------------------------------------------------------

class Explorer:
    """Controls above a matplotlib figure shown as a picture; updated synchronously.

    Subclasses create their artists, mark the ones that change with
    :meth:`_animate`, then call :meth:`_connect` with their controls. A
    control change calls :meth:`_update` (NumPy on cached arrays, artists
    changed in place) and re-renders: the static part of the figure (axes,
    ticks, labels) is drawn once and kept as a background; only the animated
    artists are drawn over it (blitting), unless something static changed
    (:meth:`_invalidate`, e.g. new axis limits), which redraws everything.

    Attributes
    ----------
    widget : ipywidgets.VBox
        What to display (the explorer itself displays as this).
    controls : dict of str -> ipywidgets.ValueWidget
        The controls, by name.
    figure : matplotlib.figure.Figure
        The figure drawn (Agg canvas, no pyplot).
    state : dict
        The numbers currently shown.
    artists : dict of str -> matplotlib artist
        The artists updated in place.
    renders : int
        How many times the figure was rendered.
    """

    def __init__(self, ncols: int, figsize: tuple[float, float],
                 width_ratios: Sequence[float] | None = None):
        self.figure = Figure(figsize=figsize, dpi=_DPI)
        FigureCanvasAgg(self.figure)
        self.axes: list[Axes] = list(np.atleast_1d(
            self.figure.subplots(1, ncols, width_ratios=width_ratios)))
        self.controls: dict[str, ipw.ValueWidget] = {}
        self.state: dict[str, Any] = {}
        self.artists: dict[str, Any] = {}
        self.renders = 0
        self._muted = False
        self._animated: list[Any] = []
        self._background = None
        self._cache: dict[Any, Any] = {}
        if PICTURE_FORMAT not in ("jpeg", "png"):
            raise ValueError(f"PICTURE_FORMAT: expected 'jpeg' or 'png', got {PICTURE_FORMAT!r}")
        self._picture = ipw.Image(format=PICTURE_FORMAT)
        self.widget = ipw.VBox()

    # -- building -----------------------------------------------------------
    def _animate(self, *artists: Any) -> None:
        """Mark artists as redrawn on every update (kept out of the background)."""
        for artist in artists:
            artist.set_animated(True)
            self._animated.append(artist)
        self._animated.sort(key=lambda a: a.get_zorder())

    def _picture_axes(self, ax: Axes, data: np.ndarray, **kwargs) -> AxesImage:
        """An animated image (or small map) with its frame and title."""
        im = _show(ax, data, **kwargs)
        self._animate(im, ax.title, *ax.spines.values())
        return im

    def _new_box(self, ax: Axes, color: str, style: str = "-") -> Rectangle:
        """An animated, empty box; place it with :func:`_place_box`."""
        rect = _box(ax, color, style)
        self._animate(rect)
        return rect

    def _new_bars(self, ax: Axes, labels: Sequence[str],
                  horizontal: bool = False) -> BarContainer:
        """Animated bars at zero height (see :func:`_bars`), with an animated title."""
        bars = _bars(ax, labels, horizontal)
        ax.title.set_fontsize(_FONT)
        self._animate(*bars.patches, ax.title)
        return bars

    def _connect(self, controls: Mapping[str, ipw.ValueWidget],
                 extra: Sequence[ipw.Widget] = ()) -> None:
        """Lay out the controls, observe them, draw the first picture."""
        self.controls = dict(controls)
        for control in self.controls.values():
            control.style.description_width = "initial"
            control.observe(self._on_change, names="value")
        row = ipw.HBox([*self.controls.values(), *extra],
                       layout=ipw.Layout(flex_flow="row wrap"))
        self.widget.children = (row, self._picture)
        self._update()
        self.figure.tight_layout()
        self._invalidate()
        self._render()

    def _memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()``, once per key (what depends only on discrete controls)."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    # -- updating -----------------------------------------------------------
    @contextmanager
    def _held(self) -> Iterator[None]:
        """Set several controls from code with a single redraw (by the caller)."""
        muted, self._muted = self._muted, True
        try:
            yield
        finally:
            self._muted = muted

    def _on_change(self, change: dict) -> None:
        if not self._muted:
            self.refresh()

    def refresh(self) -> None:
        """Recompute the state from the controls and redraw (synchronously)."""
        self._update()
        self._render()

    def _update(self) -> None:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def _invalidate(self) -> None:
        """Something static changed (limits, ticks): redraw it all next time."""
        self._background = None

    def _fit(self, ax: Axes, which: str, low: float, high: float) -> None:
        """Keep ``[min(low, 0), max(high, 0)]`` in view, changing the limits rarely.

        When the whole figure is redrawn anyway the limits fit the data
        (15% margin); otherwise they only grow, by half the data's span more
        than needed, so that dragging a slider mostly keeps the background.
        """
        get, set_ = (ax.get_xlim, ax.set_xlim) if which == "x" else (ax.get_ylim, ax.set_ylim)
        lo, hi = sorted(get())
        need_lo, need_hi = min(float(low), 0.0), max(float(high), 0.0)
        if self._background is None:
            set_(*_padded(need_lo, need_hi))
        elif need_lo < lo or need_hi > hi:
            set_(*_padded(min(need_lo, lo), max(need_hi, hi), pad=0.5))
            self._invalidate()

    def _render(self) -> None:
        canvas = self.figure.canvas
        if self._background is None:
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        else:
            canvas.restore_region(self._background)
        for artist in self._animated:
            self.figure.draw_artist(artist)
        self._picture.value = _encode(canvas, self._picture.format)
        self.renders += 1

    # -- showing ------------------------------------------------------------
    @property
    def picture(self) -> bytes:
        """The picture currently shown, encoded (``PICTURE_FORMAT``: JPEG or PNG bytes)."""
        return bytes(self._picture.value)

    def _repr_mimebundle_(self, **kwargs) -> dict:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(controls={list(self.controls)})"


# --------------------------------------------------------------------------
# 1. Pooling explorer (lesson 02)
# --------------------------------------------------------------------------

def _grid_positions(label: int | str, seed: int, grid: int, scale: float) -> list[float]:
    """Object centres (fractions) that keep the object inside the image, evenly spaced."""
    probe = scenes.draw_scene(label, center=(0.5, 0.5), scale=scale, seed=seed)
    size = probe.images.shape[1]
    x0, y0, x1, y1 = probe.boxes[0]
    half = max(x1 - x0, y1 - y0) / 2 + 2          # 2 px margin for rasterisation
    low = float(np.ceil(100 * half / size) / 100)
    if low >= 0.5:
        raise ValueError(f"scale: the object ({scale:g}) is too large to move around")
    return [round(float(v), 3) for v in np.linspace(low, 1 - low, grid)]


class PoolingExplorer(Explorer):
    """Move an object; the channel's 7x7 map moves with it, its mean (GAP) stays.

    Used in lesson 02 (pooling). Built by :func:`pooling_explorer`.

    Attributes
    ----------
    positions : list of float
        The object-centre fractions the x and y sliders snap to.
    images : numpy.ndarray, uint8, (G, G, H, W, 3)
        The scene at every grid position, ``images[iy, ix]``.
    F : numpy.ndarray, float32, (G, G, h, w, C)
        The feature maps at every position (one batched forward pass).
    pooled : numpy.ndarray, float32, (G, G, C)
        Their global averages.
    target : int
        The class whose contributions order the channels.
    order : numpy.ndarray, int
        Channels by mean contribution ``pooled_k * W[k, target]``, largest first.
    """

    def __init__(self, model: keras.Model, label: int | str, seed: int, grid: int,
                 scale: float):
        super().__init__(3, (9.6, 3.3), width_ratios=(1, 1, 0.8))
        self.label = label
        self.positions = _grid_positions(label, seed, grid, scale)
        images = np.stack([scenes.draw_scene(label, center=(x, y), scale=scale,
                                             seed=seed).images[0]
                           for y in self.positions for x in self.positions])
        feats = maps.features(model, images)
        self.images = images.reshape(grid, grid, *images.shape[1:])
        self.F = feats.F.reshape(grid, grid, *feats.F.shape[1:])
        self.pooled = feats.pooled.reshape(grid, grid, -1)
        self.target = self._target_class(label, feats)
        contrib = self.pooled.mean(axis=(0, 1)) * feats.W[:, self.target]
        self.order = np.argsort(-contrib, kind="stable")
        self._peak = np.maximum(self.F.max(axis=(0, 1, 2, 3)), 1e-6)       # (C,)
        middle = self.F[grid // 2, grid // 2]                                # (h, w, C)
        self._fixed = [np.unravel_index(np.argmax(middle[..., k]), middle.shape[:2])
                       for k in range(middle.shape[-1])]
        self._draw_static()
        slider = lambda name: ipw.SelectionSlider(  # noqa: E731
            options=[(f"{v:.2f}", v) for v in self.positions],
            value=self.positions[grid // 2], description=name, continuous_update=True)
        channel = ipw.Dropdown(options=[(f"{k} (contribution {contrib[k]:+.3f})", int(k))
                                        for k in self.order],
                               value=int(self.order[0]), description="channel")
        self._connect({"x": slider("object x"), "y": slider("object y"), "channel": channel})

    @staticmethod
    def _target_class(label: int | str, feats: maps.Features) -> int:
        if feats.W.shape[1] == len(scenes.CLASS_NAMES):
            return label if isinstance(label, numbers.Integral) \
                else scenes.CLASS_NAMES.index(label)
        return int(np.argmax(feats.logits.mean(axis=0)))

    def _draw_static(self) -> None:
        ax_img, ax_map, ax_bar = self.axes
        size, cells = self.images.shape[2], self.F.shape[2]
        a = self.artists
        a["image"] = self._picture_axes(ax_img, self.images[0, 0])
        edges = np.arange(1, cells) * size / cells - 0.5
        self._animate(
            ax_img.vlines(edges, -0.5, size - 0.5, colors="white", linewidths=0.5, alpha=0.6),
            ax_img.hlines(edges, -0.5, size - 0.5, colors="white", linewidths=0.5, alpha=0.6))
        a["image_cell"] = self._new_box(ax_img, "yellow")
        a["map"] = self._picture_axes(ax_map, self.F[0, 0, :, :, 0], cmap="viridis",
                                      vmin=0, vmax=1)
        a["map_cell"] = self._new_box(ax_map, "yellow")
        a["fixed_cell"] = self._new_box(ax_map, "white", "--")
        a["bars"] = self._new_bars(ax_bar, ["one cell\n(dashed)", "mean of all\ncells (GAP)"])
        a["bar_title"] = ax_bar.title
        self._shown_channel: int | None = None

    def _update(self) -> None:
        x, y, k = (self.controls[n].value for n in ("x", "y", "channel"))
        ix, iy = self.positions.index(x), self.positions.index(y)
        fmap = self.F[iy, ix, :, :, k]
        cell = tuple(int(v) for v in np.unravel_index(np.argmax(fmap), fmap.shape))
        fixed = tuple(int(v) for v in self._fixed[k])
        pooled = float(self.pooled[iy, ix, k])
        self.state = {"position": (x, y), "channel": int(k), "class": self.target,
                      "pooled": pooled, "argmax_cell": cell, "map": fmap,
                      "fixed_cell": fixed, "fixed_cell_value": float(fmap[fixed]),
                      "pooled_range": (float(self.pooled[..., k].min()),
                                       float(self.pooled[..., k].max()))}
        self._draw_state()

    def _draw_state(self) -> None:
        s, a = self.state, self.artists
        iy, ix = (self.positions.index(v) for v in s["position"][::-1])
        a["image"].set_data(self.images[iy, ix])
        a["map"].set_data(s["map"])
        a["map"].set_clim(0, self._peak[s["channel"]])
        cell_px = self.images.shape[2] / self.F.shape[2]
        _place_box(a["image_cell"], _cell_box(*s["argmax_cell"]), cell=cell_px)
        _place_box(a["map_cell"], _cell_box(*s["argmax_cell"]))
        _place_box(a["fixed_cell"], _cell_box(*s["fixed_cell"]))
        _set_bars(a["bars"], [s["fixed_cell_value"], s["pooled"]])
        if s["channel"] != self._shown_channel:          # a new fixed scale for the bars
            self._shown_channel = s["channel"]
            self.axes[2].set_ylim(0, 1.1 * self._peak[s["channel"]])
            self._invalidate()
        x, y = s["position"]
        self.axes[0].set_title(f"object at x={x:.2f}, y={y:.2f}", fontsize=_FONT)
        self.axes[1].set_title(f"channel {s['channel']}: 7x7 map, max at "
                               f"row {s['argmax_cell'][0]}, col {s['argmax_cell'][1]}",
                               fontsize=_FONT)
        low, high = s["pooled_range"]
        a["bar_title"].set_text(f"GAP = {s['pooled']:.3f}\n(all positions: "
                                f"{low:.3f} .. {high:.3f})")


def pooling_explorer(model: keras.Model, label: int | str = "face", seed: int = 0, *,
                     grid: int = 7, scale: float = 1.0) -> PoolingExplorer:
    """Move an object and watch one feature map move while its average stays.

    Used in lesson 02 (pooling). The scene of ``seed`` is drawn with the
    object at every point of a ``grid`` x ``grid`` lattice of centres (only the
    object moves), and the network runs once on all of them (one batched
    ``ct.features`` call); the x and y sliders snap to that lattice.

    Shows the image (with the 7x7 cells and the hottest cell), the chosen
    channel's 7x7 map (fixed colour scale across positions) and two bars: the
    map's value in one fixed cell (dashed: where the map peaks with the object
    in the middle), which changes as the object moves, and the global
    average, which stays nearly the same.

    Parameters
    ----------
    model : keras.Model
        A GAP + Dense classifier of 224x224 raw RGB images (the course model).
    label : str or int
        The object's class, a name in ``ct.CLASS_NAMES`` or its index.
    seed : int
        The scene (background and the object's look).
    grid : int
        Positions per axis (2..15); ``grid**2`` images go through the network.
    scale : float
        Object size, as in ``ct.draw_scene``.

    Returns
    -------
    PoolingExplorer
        Controls ``"x"``, ``"y"`` (SelectionSliders over ``.positions``) and
        ``"channel"`` (channels ordered by their contribution to the class,
        largest first). ``state``: ``position`` (x, y), ``channel``,
        ``pooled``, ``argmax_cell`` (row, col), ``map`` (7x7),
        ``fixed_cell``, ``fixed_cell_value``, ``pooled_range``, ``class``.
    """
    graph.check_model(model)
    if isinstance(label, str) and label not in scenes.CLASS_NAMES:
        raise ValueError(f"label: unknown class {label!r}; expected one of {scenes.CLASS_NAMES}")
    if isinstance(label, bool) or not isinstance(label, (str, numbers.Integral)) \
            or (not isinstance(label, str) and not 0 <= label < len(scenes.CLASS_NAMES)):
        raise ValueError(f"label: expected a class name in {scenes.CLASS_NAMES} or an index "
                         f"0..{len(scenes.CLASS_NAMES) - 1}, got {label!r}")
    if isinstance(grid, bool) or not isinstance(grid, numbers.Integral) or not 2 <= grid <= 15:
        raise ValueError(f"grid: expected an int in [2, 15], got {grid!r}")
    return PoolingExplorer(model, label, seed, int(grid), scale)


# --------------------------------------------------------------------------
# 2. Weights explorer (lesson 03)
# --------------------------------------------------------------------------

class WeightsExplorer(Explorer):
    """The dense layer as logistic regression on the pooled features; edit weights.

    Used in lesson 03 (logistic regression). Built by :func:`weights_explorer`.
    Works on a copy of ``W``: the model is never changed.

    Attributes
    ----------
    pooled : numpy.ndarray, float64, (C,)
        The image's pooled features.
    W : numpy.ndarray, float64, (C, K)
        The model's weights (a copy, never edited).
    weights : numpy.ndarray, float64, (C, K)
        The edited copy the scores are computed with.
    base_logits : numpy.ndarray, float64, (K,)
        ``ct.features``' logits (unedited weights).
    """

    def __init__(self, model: keras.Model, image: Any, c: int | None, n_show: int,
                 n_edit: int, preprocess: Preprocess | None,
                 class_names: Sequence[str] | None):
        super().__init__(3, (11.0, 3.4), width_ratios=(1.2, 1, 1))
        _, feats = _image_features(model, image, preprocess)
        self.pooled = feats.pooled[0].astype(np.float64)
        self.W = np.array(feats.W, dtype=np.float64, copy=True)
        self.weights = self.W.copy()
        self.base_logits = feats.logits[0].astype(np.float64)
        self.names = _class_names(self.W.shape[1], class_names)
        first = int(np.argmax(self.base_logits)) if c is None else c
        self.classes = _shown_classes(self.base_logits, first)
        self._n_show, self._n_edit = min(n_show, len(self.pooled)), min(n_edit, n_show)
        self._class: int | None = None
        self.targets: list[int] = []
        bound = 3 * float(np.abs(self.W[:, self.classes]).max() or 1.0)
        sliders = {f"weight_{i}": ipw.FloatSlider(min=-bound, max=bound, step=bound / 200,
                                                  readout_format=".3f")
                   for i in range(self._n_edit)}
        self._draw_static()
        reset = ipw.Button(description="reset weights")
        reset.on_click(lambda _: self.reset())
        self._connect({"class": _class_dropdown(self.names, _softmax(self.base_logits),
                                                self.classes, first), **sliders},
                      extra=[reset])

    def _ranked(self, c: int) -> np.ndarray:
        """Channels by |pooled_k * W[k, c]| (unedited weights), largest first."""
        return np.argsort(-np.abs(self.pooled * self.W[:, c]), kind="stable")[:self._n_show]

    def _retarget(self, c: int) -> None:
        """Point the weight sliders at the class's most contributing features."""
        self._class, self.shown = c, self._ranked(c)
        self.targets = [int(k) for k in self.shown[:self._n_edit]]
        with self._held():
            for i, k in enumerate(self.targets):
                slider = self.controls[f"weight_{i}"]
                slider.description = f"w[{k}, {self.names[c]}]"
                slider.value = float(self.weights[k, c])
        labels = [f"feature {k}" + (" *" if k in self.targets else "") for k in self.shown]
        self.axes[0].set_yticks(np.arange(len(labels)), labels, fontsize=_FONT)
        self._invalidate()

    def reset(self) -> None:
        """Undo every edit (all classes) and redraw."""
        self.weights = self.W.copy()
        self._retarget(self.controls["class"].value)
        self.refresh()

    def _draw_static(self) -> None:
        ax_contrib, ax_logit, ax_prob = self.axes
        a = self.artists
        a["contributions"] = self._new_bars(ax_contrib, [""] * self._n_show, horizontal=True)
        ax_contrib.set_xlabel("pooled_k * w[k, c]", fontsize=_FONT)
        names = [self.names[k][:12] for k in self.classes]
        a["logits"] = self._new_bars(ax_logit, names)
        ax_logit.set_title("class scores (logits)", fontsize=_FONT)
        a["probabilities"] = self._new_bars(ax_prob, names)
        ax_prob.set_ylim(0, 1.12)
        ax_prob.set_yticks([])
        ax_prob.set_title("softmax probabilities", fontsize=_FONT)
        a["probability_labels"] = [ax_prob.text(i, 0, "", ha="center", va="bottom",
                                                fontsize=_FONT) for i in range(len(names))]
        self._animate(*a["probability_labels"])
        ax_contrib.xaxis.set_major_locator(MaxNLocator(4))
        ax_logit.yaxis.set_major_locator(MaxNLocator(5))
        if len(names) > 4:
            for ax in (ax_logit, ax_prob):
                ax.tick_params(axis="x", labelrotation=30)

    def _update(self) -> None:
        c = self.controls["class"].value
        if c != self._class:
            self._retarget(c)
        for i, k in enumerate(self.targets):
            self.weights[k, c] = self.controls[f"weight_{i}"].value
        logits = self.base_logits + self.pooled @ (self.weights - self.W)
        changed = np.argwhere(self.weights != self.W)
        self.state = {"class": int(c), "logits": logits, "probabilities": _softmax(logits),
                      "edited": {(int(k), int(j)): float(self.weights[k, j]) for k, j in changed},
                      "weights": {k: float(self.weights[k, c]) for k in self.targets},
                      "features": [int(k) for k in self.shown],
                      "contributions": self.pooled[self.shown] * self.weights[self.shown, c]}
        self._draw_state()

    def _draw_state(self) -> None:
        s, a = self.state, self.artists
        contrib = s["contributions"]
        _set_bars(a["contributions"], contrib, _sign_colors(contrib))
        reach = float(np.abs(contrib).max())
        self._fit(self.axes[0], "x", -reach, reach)
        self.axes[0].set_title(f"largest |contributions| to {self.names[s['class']]} "
                               f"(* = editable)", fontsize=_FONT)
        shown = s["logits"][self.classes]
        highlight = ["tab:orange" if k == s["class"] else "tab:blue" for k in self.classes]
        _set_bars(a["logits"], shown, highlight)
        self._fit(self.axes[1], "y", shown.min(), shown.max())
        probs = s["probabilities"][self.classes]
        _set_bars(a["probabilities"], probs, highlight)
        for i, (text, p) in enumerate(zip(a["probability_labels"], probs)):
            text.set_text(f"{p:.2f}")
            text.set_position((i, p + 0.01))


def weights_explorer(model: keras.Model, image: Any, *, c: int | None = None,
                     n_show: int = 8, n_edit: int = 3, preprocess: Preprocess | None = None,
                     class_names: Sequence[str] | None = None) -> WeightsExplorer:
    """The final Dense layer as logistic regression: contributions, scores, edits.

    Used in lesson 03 (logistic regression). The network runs once on
    ``image``; then ``logit_j = pooled @ W[:, j] + b_j`` is recomputed with an
    edited copy of ``W`` (the model's weights are never changed).

    Shows the ``n_show`` features with the largest ``|pooled_k * W[k, c]|``
    for the chosen class (green supports it, red argues against), the class
    scores (logits) and the softmax probabilities. The ``n_edit`` weight
    sliders set ``W[k, c]`` for the class's top features; edits are kept when
    the class changes; the "reset weights" button undoes them all.

    Parameters
    ----------
    model : keras.Model
        A GAP + Dense classifier.
    image : array-like, (224, 224, 3)
        One image of the model's input size (uint8 RGB for the course model).
    c : int, optional
        The class shown first (default: the best-scoring one).
    n_show : int
        How many features to show (ranked by |contribution|).
    n_edit : int
        How many of them get a weight slider (at most ``n_show``).
    preprocess : callable, optional
        Applied to ``image`` before the network (e.g. for ResNet50:
        ``lambda im: ct.preprocess("resnet50", im)``); the raw image is shown.
    class_names : sequence of str, optional
        Default: the scenes' classes for 4 outputs, ImageNet's for 1000.

    Returns
    -------
    WeightsExplorer
        Controls ``"class"`` and ``"weight_0"`` .. ``"weight_{n_edit-1}"``
        (FloatSliders; ``.targets[i]`` is the feature slider i edits).
        ``state``: ``class``, ``logits``, ``probabilities``, ``edited``
        ({(k, c): new weight}), ``weights`` ({k: w[k, class]} of the
        sliders), ``features``, ``contributions``.
    """
    graph.check_model(model)
    num_classes = int(model.outputs[0].shape[-1])
    if c is not None:
        c = _check_class(c, num_classes)
    n_show = checks.positive_int(n_show, "n_show")
    n_edit = checks.positive_int(n_edit, "n_edit", high=n_show)
    return WeightsExplorer(model, image, c, n_show, n_edit, preprocess, class_names)


# --------------------------------------------------------------------------
# 3. CAM builder (lesson 04)
# --------------------------------------------------------------------------

def _closeness(partials: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Relative error and correlation of every partial sum with the last (the CAM)."""
    n = len(partials)
    flat = partials.reshape(n, -1)
    full = flat[-1]
    norm = np.linalg.norm(full)
    error = np.linalg.norm(flat - full, axis=1) / (norm if norm > 0 else 1.0)
    centred = flat - flat.mean(axis=1, keepdims=True)
    full_c = centred[-1]
    denom = np.linalg.norm(centred, axis=1) * np.linalg.norm(full_c)
    corr = np.where(denom > 0, centred @ full_c / np.where(denom > 0, denom, 1.0), 0.0)
    return error, corr


class CamBuilder(Explorer):
    """The CAM ``sum_k F_k * w_k`` built one term at a time, largest first.

    Used in lesson 04 (the class activation map). Built by :func:`cam_builder`.

    Attributes
    ----------
    F : numpy.ndarray, float64, (h, w, C)
        The image's feature maps.
    pooled : numpy.ndarray, float64, (C,)
    W : numpy.ndarray, float64, (C, K)
    b : numpy.ndarray, float64, (K,)
    logits : numpy.ndarray, float64, (K,)
        ``ct.features``' logits.
    """

    def __init__(self, model: keras.Model, image: Any, c: int | None,
                 preprocess: Preprocess | None, class_names: Sequence[str] | None):
        super().__init__(4, (12.0, 3.3), width_ratios=(1, 1, 1, 1.2))
        self.image, feats = _image_features(model, image, preprocess)
        self.F = feats.F[0].astype(np.float64)
        self.pooled = feats.pooled[0].astype(np.float64)
        self.W, self.b = feats.W.astype(np.float64), feats.b.astype(np.float64)
        self.logits = feats.logits[0].astype(np.float64)
        names = _class_names(self.W.shape[1], class_names)
        first = int(np.argmax(self.logits)) if c is None else c
        self._draw_static()
        channels = self.F.shape[-1]
        self._connect({
            "class": _class_dropdown(names, _softmax(self.logits),
                                     _shown_classes(self.logits, first), first),
            "n_terms": ipw.IntSlider(min=0, max=channels, value=1, description="terms")})

    def terms_of(self, c: int) -> dict[str, np.ndarray]:
        """Order, cumulative sums and closeness for class ``c`` (computed once per class)."""
        return self._memo(("terms", c), lambda: self._terms(c))

    def _terms(self, c: int) -> dict[str, np.ndarray]:
        w = self.W[:, c]
        order = np.argsort(-np.abs(self.pooled * w), kind="stable")
        terms = np.moveaxis(self.F[..., order] * w[order], -1, 0)             # (C, h, w)
        partials = np.concatenate([np.zeros((1, *terms.shape[1:])), np.cumsum(terms, axis=0)])
        error, corr = _closeness(partials)
        return {"order": order, "terms": terms, "partials": partials, "error": error,
                "correlation": corr, "limit": float(np.abs(partials).max())}

    def _draw_static(self) -> None:
        ax_term, ax_part, ax_full, ax_curve = self.axes
        a = self.artists
        blank = np.zeros(self.F.shape[:2])
        for name, ax in (("term", ax_term), ("partial", ax_part), ("cam", ax_full)):
            a[name] = self._picture_axes(ax, blank, cmap="RdBu_r")
        a["score"] = ax_part.text(0.5, -0.04, "", transform=ax_part.transAxes, ha="center",
                                  va="top", fontsize=_FONT)
        (a["curve"],) = ax_curve.plot([0], [0], color="tab:blue", linewidth=1.2)
        (a["marker"],) = ax_curve.plot([0], [0], "o", color="tab:orange")
        self._animate(a["score"], a["marker"], ax_curve.title)
        self._curve_class: int | None = None
        ax_curve.set_xlabel("terms", fontsize=_FONT)
        ax_curve.set_ylabel("relative error", fontsize=_FONT)
        ax_curve.tick_params(labelsize=_FONT)

    def _update(self) -> None:
        c, n = self.controls["class"].value, self.controls["n_terms"].value
        t = self.terms_of(c)
        self.state = {"class": int(c), "n_terms": int(n), "order": t["order"],
                      "partial": t["partials"][n], "cam": t["partials"][-1],
                      "error": float(t["error"][n]), "correlation": float(t["correlation"][n]),
                      "score": float(t["partials"][n].mean() + self.b[c]),
                      "logit": float(self.logits[c]),
                      "term_channel": int(t["order"][n - 1]) if n else None,
                      "term": t["terms"][n - 1] if n else np.zeros(self.F.shape[:2])}
        self._draw_state(t)

    def _draw_state(self, t: dict[str, np.ndarray]) -> None:
        s, a, (ax_term, ax_part, ax_full, ax_curve) = self.state, self.artists, self.axes
        a["term"].set_data(s["term"])
        a["term"].set_clim(*_symmetric(np.abs(s["term"]).max()))
        for name in ("partial", "cam"):
            a[name].set_data(s[name])
            a[name].set_clim(*_symmetric(t["limit"]))
        k, c = s["term_channel"], s["class"]
        ax_term.set_title("no term yet" if k is None else
                          f"term {s['n_terms']}: F_{k} x w[{k}] ({self.W[k, c]:+.3f})",
                          fontsize=_FONT)
        ax_part.set_title(f"sum of the first {s['n_terms']} terms", fontsize=_FONT)
        ax_full.set_title(f"full CAM ({len(t['order'])} terms)", fontsize=_FONT)
        a["score"].set_text(f"mean + b = {s['score']:.3f}  (logit {s['logit']:.3f})")
        a["marker"].set_data([s["n_terms"]], [s["error"]])
        if c != self._curve_class:                      # the curve is static per class
            self._curve_class = c
            steps = np.arange(len(t["error"]))
            a["curve"].set_data(steps, t["error"])
            ax_curve.set_xlim(0, steps[-1])
            ax_curve.set_ylim(0, 1.05 * max(float(t["error"].max()), 1e-6))
            self._invalidate()
        ax_curve.set_title(f"error {s['error']:.3f}, correlation {s['correlation']:.3f}",
                           fontsize=_FONT)


def cam_builder(model: keras.Model, image: Any, c: int | None = None, *,
                preprocess: Preprocess | None = None,
                class_names: Sequence[str] | None = None) -> CamBuilder:
    """Build the class activation map term by term: ``CAM = sum_k F_k * w[k, c]``.

    Used in lesson 04 (the class activation map). The network runs once on
    ``image``. The terms ``F_k * w[k, c]`` are ordered by their contribution
    ``|mean(F_k) * w[k, c]|``, largest first; the "terms" slider chooses how
    many are summed.

    Shows the last term added, the partial sum (7x7) and the full CAM on the
    same colour scale (red > 0 supports the class, blue < 0 argues against),
    and how close the partial sum is to the CAM (relative error
    ``||partial - CAM|| / ||CAM||`` over the number of terms, and the
    correlation), with the identity ``mean(partial) + b_c`` versus
    ``logit_c`` (equal once all the terms are in).

    Parameters
    ----------
    model : keras.Model
        A GAP + Dense classifier.
    image : array-like, (224, 224, 3)
        One image of the model's input size.
    c : int, optional
        The class (default: the best-scoring one); also chosen by the
        "class" dropdown.
    preprocess : callable, optional
        Applied to ``image`` before the network.
    class_names : sequence of str, optional
        Names for the dropdown.

    Returns
    -------
    CamBuilder
        Controls ``"class"`` and ``"n_terms"`` (IntSlider 0..C). ``state``:
        ``class``, ``n_terms``, ``order``, ``partial`` (7x7), ``cam`` (7x7),
        ``error``, ``correlation``, ``score`` (mean + b), ``logit``,
        ``term_channel``, ``term``.
    """
    graph.check_model(model)
    if c is not None:
        c = _check_class(c, int(model.outputs[0].shape[-1]))
    return CamBuilder(model, image, c, preprocess, class_names)


# --------------------------------------------------------------------------
# 4. CAM viewer (lesson 05)
# --------------------------------------------------------------------------

def _check_box(box: Any, size: tuple[int, int]) -> np.ndarray | None:
    if box is None:
        return None
    array = np.asarray(box)
    if array.shape != (4,) or array.dtype.kind not in "iuf" or not np.all(np.isfinite(array)) \
            or array[2] < array[0] or array[3] < array[1]:
        raise ValueError(f"truth_box: expected (x0, y0, x1, y1) with x1 >= x0 and y1 >= y0 "
                         f"in pixels of the {size[1]}x{size[0]} image, got {box!r}")
    return array.astype(np.float64)


def _kept(heat: np.ndarray, threshold: float) -> np.ndarray:
    """The pixels ``ct.cam_box`` keeps: at least ``threshold`` of the (normalised) maximum."""
    if heat.max() <= 0:
        heat = heatmap.normalize(heat) if heat.max() > heat.min() else np.ones_like(heat)
    return heat >= threshold * heat.max()


class CamViewer(Explorer):
    """A CAM upsampled, coloured, laid over the image, thresholded to a box.

    Used in lesson 05 (upsampling and overlay). Built by :func:`cam_viewer`.

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
        self.image, feats = _image_features(model, image, preprocess)
        self.truth_box = truth_box
        classes = maps.top_classes(feats.logits, top)                    # (1, top)
        cams = maps.class_activation_maps(feats.F, feats.W, classes)[0]   # (top, h, w)
        self.cams = {int(k): m for k, m in zip(classes[0], cams)}
        names = _class_names(feats.W.shape[1], class_names)
        self._draw_static()
        self._connect({
            "class": _class_dropdown(names, _softmax(feats.logits[0]), list(self.cams),
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
        _place_box(a["truth"], self.truth_box)

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
        s, a, (ax_cam, ax_up, ax_over) = self.state, self.artists, self.axes
        a["cam"].set_data(s["cam"])
        a["cam"].set_cmap(s["cmap"])
        a["cam"].set_clim(float(s["cam"].min()), float(s["cam"].max()))
        colours = self._memo(("colours", s["class"], s["method"], s["cmap"]),
                             lambda: heatmap.colorize(s["heat"], s["cmap"]))
        dimmed = np.where(_kept(s["heat"], s["threshold"])[..., None], colours,
                          (colours * 0.3).astype(np.uint8))
        a["upsampled"].set_data(dimmed)
        a["overlay"].set_data(s["overlay"])
        _place_box(a["box_upsampled"], s["box"])
        _place_box(a["box"], s["box"])
        ax_cam.set_title("CAM 7x7", fontsize=_FONT)
        ax_up.set_title(f"{s['method']}; kept >= {s['threshold']:.2f} x max", fontsize=_FONT)
        iou = "" if s["iou"] is None else f", IoU with truth {s['iou']:.2f}"
        ax_over.set_title(f"alpha {s['alpha']:.2f}: CAM box (white){iou}", fontsize=_FONT)


def cam_viewer(model: keras.Model, image: Any, truth_box: Any = None, top: int = 5, *,
               preprocess: Preprocess | None = None,
               class_names: Sequence[str] | None = None) -> CamViewer:
    """From a 7x7 CAM to a picture and a box: upsampling, colours, alpha, threshold.

    Used in lesson 05 (upsampling and overlay). The network runs once on
    ``image`` and the CAMs of its ``top`` best classes are kept; every
    control then only resizes, colours and thresholds them.

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
        ``class``, ``method``, ``cmap``, ``alpha``, ``threshold``, ``box``,
        ``iou`` (None without ``truth_box``), ``cam`` (7x7), ``heat``
        (upsampled), ``overlay`` (uint8 image).
    """
    graph.check_model(model)
    truth_box = _check_box(truth_box, _input_size(model))
    top = min(checks.positive_int(top, "top"), int(model.outputs[0].shape[-1]))
    return CamViewer(model, image, truth_box, top, preprocess, class_names)
