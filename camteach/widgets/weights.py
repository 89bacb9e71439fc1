"""The weights explorer: the final Dense layer as logistic regression, with editable weights."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as ipw
import keras
import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import checks, graph, maps
from . import base, drawing
from .base import Explorer, Preprocess


class WeightsExplorer(Explorer):
    """The dense layer as logistic regression on the pooled features; edit weights.

    Built by :func:`weights_explorer`. Works on a copy of ``W``: the model is
    never changed.

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
    classes : list of int
        The classes shown (all of them, or the 10 best).
    targets : list of int
        ``targets[i]`` is the feature that slider ``weight_i`` edits.
    """

    def __init__(self, model: keras.Model, image: Any, c: int | None, n_show: int,
                 n_edit: int, preprocess: Preprocess | None,
                 class_names: Sequence[str] | None):
        super().__init__(3, (12.5, 4.0), width_ratios=(1.2, 1, 1))
        _, feats = base.image_features(model, image, preprocess)
        self.pooled = feats.pooled[0].astype(np.float64)
        self.W = np.array(feats.W, dtype=np.float64, copy=True)
        self.weights = self.W.copy()
        self.base_logits = feats.logits[0].astype(np.float64)
        self.head = base.head_of(model)
        self.names = base.class_names(self.W.shape[1], class_names)
        first = int(np.argmax(self.base_logits)) if c is None else c
        self.classes = base.shown_classes(self.base_logits, first)
        self._n_show, self._n_edit = min(n_show, len(self.pooled)), min(n_edit, n_show)
        self._class: int | None = None
        self.targets: list[int] = []
        sliders = self._weight_sliders()
        self._draw_static()
        reset = ipw.Button(description="reset weights")
        reset.on_click(lambda _: self.reset())
        self._connect({"class": base.class_dropdown(self.names, self.base_logits,
                                                    self.classes, first, self.head), **sliders},
                      extra=[reset])

    def _weight_sliders(self) -> dict[str, ipw.FloatSlider]:
        """One slider per editable weight, over 3x the largest weight of the shown classes."""
        bound = 3 * float(np.abs(self.W[:, self.classes]).max() or 1.0)
        return {f"weight_{i}": ipw.FloatSlider(min=-bound, max=bound, step=bound / 200,
                                               readout_format=".3f")
                for i in range(self._n_edit)}

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
        self.axes[0].set_yticks(np.arange(len(labels)), labels, fontsize=drawing.FONT)
        self._invalidate()

    def reset(self) -> None:
        """Undo every edit (all classes) and redraw."""
        self.weights = self.W.copy()
        self._retarget(self.controls["class"].value)
        self.refresh()

    def _draw_static(self) -> None:
        ax_contrib, ax_logit, ax_prob = self.axes
        a, font = self.artists, drawing.FONT
        a["contributions"] = self._new_bars(ax_contrib, [""] * self._n_show, horizontal=True)
        ax_contrib.set_xlabel("pooled_k * w[k, c]", fontsize=font)
        names = [self.names[k][:12] for k in self.classes]
        a["logits"] = self._new_bars(ax_logit, names)
        ax_logit.set_title("class scores (logits)", fontsize=font)
        a["probabilities"] = self._new_bars(ax_prob, names)
        ax_prob.set_ylim(0, 1.12)
        ax_prob.set_yticks([])
        ax_prob.set_title(f"{self.head} probabilities", fontsize=font)
        a["probability_labels"] = [ax_prob.text(i, 0, "", ha="center", va="bottom",
                                                fontsize=font) for i in range(len(names))]
        self._animate(*a["probability_labels"])
        ax_contrib.xaxis.set_major_locator(MaxNLocator(4))
        ax_logit.yaxis.set_major_locator(MaxNLocator(5))
        if len(names) > 4:
            for ax in (ax_logit, ax_prob):
                ax.tick_params(axis="x", labelrotation=30)

    def _is_echo(self, i: int, value: float) -> bool:
        """Slider ``i`` at ``value`` within half a step of its weight: not an edit.

        A value set from code (a new class, a reset) is rounded by the
        browser's slider to its step and sent back; a student's move is at
        least one step. Taking the echo for an edit would redraw the picture a
        second time and edit the weight by a rounding error.
        """
        slider = self.controls[f"weight_{i}"]
        return abs(value - self.weights[self.targets[i], self._class]) < slider.step / 2

    def _on_change(self, change: dict) -> None:
        owner = change["owner"]
        sliders = [self.controls[f"weight_{i}"] for i in range(self._n_edit)]
        if not self._muted and owner in sliders and self._is_echo(sliders.index(owner),
                                                                   float(change["new"])):
            return
        super()._on_change(change)

    def _update(self) -> None:
        c = self.controls["class"].value
        if c != self._class:
            self._retarget(c)
        for i, k in enumerate(self.targets):
            value = float(self.controls[f"weight_{i}"].value)
            if not self._is_echo(i, value):
                self.weights[k, c] = value
        logits = self.base_logits + self.pooled @ (self.weights - self.W)
        changed = np.argwhere(self.weights != self.W)
        self.state = {"class": int(c), "logits": logits, "probabilities": maps.probabilities(logits, self.head),
                      "edited": {(int(k), int(j)): float(self.weights[k, j]) for k, j in changed},
                      "weights": {k: float(self.weights[k, c]) for k in self.targets},
                      "features": [int(k) for k in self.shown],
                      "contributions": self.pooled[self.shown] * self.weights[self.shown, c]}
        self._draw_state()

    def _draw_state(self) -> None:
        s, a = self.state, self.artists
        contrib = s["contributions"]
        drawing.set_bars(a["contributions"], contrib, drawing.sign_colors(contrib))
        reach = float(np.abs(contrib).max())
        self._fit(self.axes[0], "x", -reach, reach)
        self.axes[0].set_title(f"{self.names[s['class']]}: logit {s['logits'][s['class']]:+.2f}"
                               f"\nlargest |contributions| (* = editable)",
                               fontsize=drawing.FONT)
        shown = s["logits"][self.classes]
        highlight = ["tab:orange" if k == s["class"] else "tab:blue" for k in self.classes]
        drawing.set_bars(a["logits"], shown, highlight)
        self._fit(self.axes[1], "y", shown.min(), shown.max())
        probs = s["probabilities"][self.classes]
        drawing.set_bars(a["probabilities"], probs, highlight)
        for i, (text, p) in enumerate(zip(a["probability_labels"], probs)):
            text.set_text(f"{p:.2f}")
            text.set_position((i, p + 0.01))


def weights_explorer(model: keras.Model, image: Any, *, c: int | None = None,
                     n_show: int = 8, n_edit: int = 3, preprocess: Preprocess | None = None,
                     class_names: Sequence[str] | None = None) -> WeightsExplorer:
    """The final Dense layer as logistic regression: contributions, scores, edits.

    The network runs once on ``image``; then ``logit_j = pooled @ W[:, j] +
    b_j`` is recomputed with an edited copy of ``W`` (the model's weights are
    never changed).

    Shows the ``n_show`` features with the largest ``|pooled_k * W[k, c]|``
    for the chosen class (red supports it, blue argues against: the colours
    of the maps' diverging scale), the class
    scores (logits) and the probabilities of the model's own head (sigmoid or softmax). The ``n_edit`` weight
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
        ``state``: ``class``, ``logits`` (K,), ``probabilities`` (K,),
        ``edited`` ({(k, c): new weight}), ``weights`` ({k: w[k, class]} of
        the sliders), ``features`` (n_show,), ``contributions`` (n_show,).
    """
    graph.check_model(model)
    if c is not None:
        c = checks.class_index(c, base.num_classes(model), "c")
    n_show = checks.positive_int(n_show, "n_show")
    n_edit = checks.positive_int(n_edit, "n_edit", high=n_show)
    return WeightsExplorer(model, image, c, n_show, n_edit, preprocess, class_names)
