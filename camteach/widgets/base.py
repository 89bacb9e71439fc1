"""The explorers' common machinery: controls above a picture, updated synchronously.

:class:`Explorer` draws a matplotlib figure (Agg canvas, no pyplot), encodes
it (:func:`encode`) and shows it in an ``ipywidgets.Image`` below the
controls. The functions below it are what every explorer asks of its inputs:
one checked image and the network's features of it (one forward pass), class
names, and the class drop-down.
"""

from __future__ import annotations

import io
import sys
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
from PIL import Image

from .. import graph, heatmap, maps, scenes
from . import drawing

#: Dots per inch of the explorers' pictures (with their figure sizes: panels >= 250 px).
DPI = 100
MAX_CLASSES_SHOWN = 10
Preprocess = Callable[[np.ndarray], np.ndarray]


# --------------------------------------------------------------------------
# The picture
# --------------------------------------------------------------------------

def picture_format() -> str:
    """The package setting ``camteach.widgets.PICTURE_FORMAT``, checked: "jpeg" or "png"."""
    fmt = sys.modules[__package__].PICTURE_FORMAT
    if fmt not in ("jpeg", "png"):
        raise ValueError(f"PICTURE_FORMAT: expected 'jpeg' or 'png', got {fmt!r}")
    return fmt


def encode(canvas: FigureCanvasAgg, fmt: str) -> bytes:
    """The canvas's current pixels, encoded as ``fmt`` ("jpeg" or "png")."""
    rgb = Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3])
    out = io.BytesIO()
    if fmt == "png":
        rgb.save(out, format="png", compress_level=1)
    else:
        rgb.save(out, format="jpeg", quality=90, subsampling=0)
    return out.getvalue()


# --------------------------------------------------------------------------
# The explorer
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
        self.figure = Figure(figsize=figsize, dpi=DPI)
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
        self._picture = ipw.Image(format=picture_format())
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
        im = drawing.show(ax, data, **kwargs)
        self._animate(im, ax.title, *ax.spines.values())
        return im

    def _new_box(self, ax: Axes, color: str, style: str = "-") -> Rectangle:
        """An animated, empty box; place it with :func:`drawing.place_box`."""
        rect = drawing.empty_box(ax, color, style)
        self._animate(rect)
        return rect

    def _colorbar(self, cax: Axes, norm, cmap, label: str, animated: bool = False):
        """A colour bar in ``cax`` for ``norm`` and ``cmap`` (see :func:`drawing.colorbar`).

        ``animated``: redrawn on every update (for a scale that changes with a
        control, without redrawing the whole figure).
        """
        bar = drawing.colorbar(cax, norm, cmap, label)
        if animated:
            self._animate(cax)
        return bar

    def _new_bars(self, ax: Axes, labels: Sequence[str],
                  horizontal: bool = False) -> BarContainer:
        """Animated bars at zero length (:func:`drawing.zero_bars`), animated title."""
        bars = drawing.zero_bars(ax, labels, horizontal)
        ax.title.set_fontsize(drawing.FONT)
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
        self._lay_out()
        self._invalidate()
        self._render()

    #: The part of the figure the panels are laid out in (room below for a legend).
    layout_rect: tuple[float, float, float, float] = (0, 0, 1, 1)

    def _lay_out(self) -> None:
        """Place the panels once (updates never re-lay out); explorers may place them by hand."""
        for _ in range(2):           # the second pass sees the titles where the first put them
            self.figure.tight_layout(rect=self.layout_rect)

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

    def refresh(self, full: bool = False) -> None:
        """Recompute the state from the controls and redraw (synchronously).

        Parameters
        ----------
        full : bool
            Redraw the whole figure from scratch instead of only the artists
            that change (the picture is the same either way).
        """
        self._update()
        if full:
            self._invalidate()
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
            set_(*drawing.padded(need_lo, need_hi))
        elif need_lo < lo or need_hi > hi:
            set_(*drawing.padded(min(need_lo, lo), max(need_hi, hi), pad=0.5))
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
        self._picture.value = encode(canvas, self._picture.format)
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
# What the explorers ask of their inputs
# --------------------------------------------------------------------------

def input_size(model: keras.Model) -> tuple[int, int]:
    """The model's input (H, W); 224 where the model accepts any size."""
    shape = graph.check_model(model).inputs[0].shape
    return (shape[1] or 224, shape[2] or 224)


def num_classes(model: keras.Model) -> int:
    """The number of classes K the model scores."""
    return int(model.outputs[0].shape[-1])


def checked_image(model: keras.Model, image: Any) -> np.ndarray:
    """``image`` as an array of the model's input shape (H, W, 3), else ValueError."""
    array = np.asarray(image)
    expected = (*input_size(model), 3)
    if array.shape != expected:
        raise ValueError(f"image: expected one RGB image of shape {expected}, "
                         f"got shape {array.shape}")
    return array


def image_features(model: keras.Model, image: Any,
                   preprocess: Preprocess | None) -> tuple[np.ndarray, maps.Features]:
    """The network run once on one image.

    Parameters
    ----------
    model : keras.Model
        A GAP + Dense classifier.
    image : array-like, (H, W, 3)
        The raw image, of the model's input size.
    preprocess : callable or None
        Applied to ``image`` before the network.

    Returns
    -------
    raw : numpy.ndarray, uint8, (H, W, 3)
        The image as shown.
    features : maps.Features
        ``F`` (1, h, w, C), ``pooled`` (1, C), ``logits`` (1, K), ``W`` (C, K), ``b`` (K,).
    """
    array = checked_image(model, image)
    if preprocess is not None and not callable(preprocess):
        raise ValueError(f"preprocess: expected None or a function image -> network input, "
                         f"got {type(preprocess).__name__}")
    raw = heatmap.to_uint8_rgb(array)
    x = array if preprocess is None else preprocess(array)
    return raw, maps.features(model, x)


def class_names(count: int, names: Sequence[str] | None) -> tuple[str, ...]:
    """Names of the model's ``count`` classes: given, the scenes', ImageNet's, or numbers."""
    if names is not None:
        given = tuple(str(n) for n in names)
        if len(given) != count:
            raise ValueError(f"class_names: expected {count} names (one per class), "
                             f"got {len(given)}")
        return given
    if count == len(scenes.CLASS_NAMES):
        return scenes.CLASS_NAMES
    if count == 1000:
        from ..pretrained import imagenet_class_names
        return imagenet_class_names()
    return tuple(f"class {k}" for k in range(count))


def shown_classes(logits: np.ndarray, must: int | None = None,
                  limit: int = MAX_CLASSES_SHOWN) -> list[int]:
    """All classes when there are few, else the ``limit`` best of ``logits`` (K,), plus ``must``."""
    if len(logits) <= limit:
        return list(range(len(logits)))
    best = [int(k) for k in maps.top_classes(logits[None], limit)[0]]
    if must is not None and must not in best:
        best[-1] = must
    return best


def head_of(model: keras.Model) -> str:
    """How the explorers turn scores into probabilities: the model's own head,
    "sigmoid" (one per class) or "softmax" (also for heads without an activation)."""
    return "sigmoid" if graph.find_classifier(model).activation == "sigmoid" else "softmax"


def class_dropdown(names: Sequence[str], logits: np.ndarray, classes: Sequence[int],
                   value: int, head: str = "softmax") -> ipw.Dropdown:
    """The "class" drop-down over ``classes``, labelled with names and probabilities.

    Parameters
    ----------
    names : sequence of str, (K,)
    logits : numpy.ndarray, (K,)
        Scores before the model's last activation.
    classes : sequence of int
        The classes offered, in order.
    value : int
        The class selected first.
    head : str
        The model's head (``head_of(model)``): the labels show its probabilities.
    """
    probs = maps.probabilities(logits, head)
    options = [(f"{names[k]} (p={probs[k]:.2f})", int(k)) for k in classes]
    return ipw.Dropdown(options=options, value=int(value), description="class")
