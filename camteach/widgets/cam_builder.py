"""The CAM builder: the class activation map summed one term ``F_k * w[k, c]`` at a time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as ipw
import keras
import numpy as np
from matplotlib.colors import Normalize

from .. import checks, graph, plots
from . import base, drawing
from .base import Explorer, Preprocess


def closeness(partials: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Relative error and correlation of every partial sum with the last (the CAM).

    Parameters
    ----------
    partials : numpy.ndarray, (n, h, w)
        Partial sums; ``partials[-1]`` is the full CAM.

    Returns
    -------
    error : numpy.ndarray, (n,)
        ``||partial - CAM|| / ||CAM||`` (divided by 1 when the CAM is zero).
    correlation : numpy.ndarray, (n,)
        Pearson correlation with the CAM (0 for a constant map).
    """
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

    Built by :func:`cam_builder`.

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
        super().__init__(5, (14.3, 4.0), width_ratios=(1, 1, 1, 0.07, 1.15))
        self.image, feats = base.image_features(model, image, preprocess)
        self.F = feats.F[0].astype(np.float64)
        self.pooled = feats.pooled[0].astype(np.float64)
        self.W, self.b = feats.W.astype(np.float64), feats.b.astype(np.float64)
        self.logits = feats.logits[0].astype(np.float64)
        names = base.class_names(self.W.shape[1], class_names)
        self.names = names
        first = int(np.argmax(self.logits)) if c is None else c
        self._draw_static()
        channels = self.F.shape[-1]
        self._connect({
            "class": base.class_dropdown(names, self.logits,
                                         base.shown_classes(self.logits, first), first,
                                         base.head_of(model)),
            "n_terms": ipw.IntSlider(min=0, max=channels, value=1, description="terms")})

    def terms_of(self, c: int) -> dict[str, np.ndarray]:
        """Order, cumulative sums and closeness for class ``c`` (computed once per class).

        Returns
        -------
        dict
            ``order`` (C,) channels largest contribution first, ``terms``
            (C, h, w), ``partials`` (C + 1, h, w) starting from zero,
            ``error`` and ``correlation`` (C + 1,) (see :func:`closeness`),
            ``limit`` (the largest |value| of any term or partial sum: the
            shared colour scale is ``[-limit, +limit]``).
        """
        return self._memo(("terms", c), lambda: self._terms(c))

    def _terms(self, c: int) -> dict[str, np.ndarray]:
        w = self.W[:, c]
        order = np.argsort(-np.abs(self.pooled * w), kind="stable")
        terms = np.moveaxis(self.F[..., order] * w[order], -1, 0)             # (C, h, w)
        partials = np.concatenate([np.zeros((1, *terms.shape[1:])), np.cumsum(terms, axis=0)])
        error, corr = closeness(partials)
        return {"order": order, "terms": terms, "partials": partials, "error": error,
                "correlation": corr,
                "limit": float(max(np.abs(partials).max(), np.abs(terms).max()))}

    def _lay_out(self) -> None:
        """Three 2.9-inch maps (290 px), their colour bar, the error curve."""
        drawing.place_row(self.axes, [2.9, 2.9, 2.9, 0.2, 3.0], [0.15, 0.15, 0.1, 1.6],
                          left=0.1, bottom=0.5, height=2.9)

    def _draw_static(self) -> None:
        ax_term, ax_part, ax_full, cax, ax_curve = self.axes
        a = self.artists
        blank = np.zeros(self.F.shape[:2])
        #: The one colour scale of the term, the partial sum and the CAM.
        self.norm = Normalize(-1.0, 1.0)
        for name, ax in (("term", ax_term), ("partial", ax_part), ("cam", ax_full)):
            a[name] = self._picture_axes(ax, blank, cmap=plots.SIGNED_CMAP, norm=self.norm)
        a["colorbar"] = self._colorbar(cax, self.norm, plots.SIGNED_CMAP,
                                       "value (one scale for all three, 0 = white)")
        a["score"] = ax_part.text(0.5, -0.04, "", transform=ax_part.transAxes, ha="center",
                                  va="top", fontsize=drawing.FONT)
        (a["curve"],) = ax_curve.plot([0], [0], color="tab:blue", linewidth=1.5)
        (a["marker"],) = ax_curve.plot([0], [0], "o", color="tab:orange")
        self._animate(a["score"], a["marker"], ax_curve.title)
        self._curve_class: int | None = None
        ax_curve.set_xlabel("terms", fontsize=drawing.FONT)
        ax_curve.set_ylabel("relative error", fontsize=drawing.FONT)
        ax_curve.tick_params(labelsize=drawing.FONT)

    def _update(self) -> None:
        c, n = self.controls["class"].value, self.controls["n_terms"].value
        t = self.terms_of(c)
        self.state = {"class": int(c), "n_terms": int(n), "order": t["order"],
                      "partial": t["partials"][n], "cam": t["partials"][-1],
                      "error": float(t["error"][n]), "correlation": float(t["correlation"][n]),
                      "score": float(t["partials"][n].mean() + self.b[c]),
                      "logit": float(self.logits[c]), "scale": t["limit"],
                      "term_channel": int(t["order"][n - 1]) if n else None,
                      "term": t["terms"][n - 1] if n else np.zeros(self.F.shape[:2])}
        self._draw_state(t)

    def _draw_state(self, t: dict[str, np.ndarray]) -> None:
        s, a = self.state, self.artists
        if drawing.set_symmetric(self.norm, t["limit"]):     # a new class: a new scale
            self._invalidate()
        for name in ("term", "partial", "cam"):
            a[name].set_data(s[name])
        self._draw_titles(t)
        a["score"].set_text(f"mean + b = {s['score']:+.3f}  (logit {s['logit']:+.3f})")
        a["marker"].set_data([s["n_terms"]], [s["error"]])
        self._draw_curve(t)

    def _draw_titles(self, t: dict[str, np.ndarray]) -> None:
        s, (ax_term, ax_part, ax_full, _, _) = self.state, self.axes
        k, c, font = s["term_channel"], s["class"], drawing.FONT
        name = self.names[c]
        if k is None:
            ax_term.set_title("no term yet\n(move the slider)", fontsize=font)
        else:
            w, added = self.W[k, c], float(s["term"].mean())
            side = "for" if added >= 0 else "against"
            ax_term.set_title(f"term {s['n_terms']}: F_{k} x w[{k}], w {w:+.3f}\n"
                              f"adds {added:+.3f} to the logit ({side} {name})",
                              fontsize=font)
        ax_part.set_title(f"sum of the first {s['n_terms']} terms", fontsize=font)
        ax_full.set_title(f"full CAM ({len(t['order'])} terms): {name}\n"
                          f"logit {s['logit']:+.2f}", fontsize=font)

    def _draw_curve(self, t: dict[str, np.ndarray]) -> None:
        """The error curve (static per class) and its title."""
        s, a, ax_curve = self.state, self.artists, self.axes[4]
        if s["class"] != self._curve_class:
            self._curve_class = s["class"]
            steps = np.arange(len(t["error"]))
            a["curve"].set_data(steps, t["error"])
            ax_curve.set_xlim(0, steps[-1])
            ax_curve.set_ylim(0, 1.05 * max(float(t["error"].max()), 1e-6))
            self._invalidate()
        ax_curve.set_title(f"error {s['error']:.3f}, correlation {s['correlation']:.3f}",
                           fontsize=drawing.FONT)


def cam_builder(model: keras.Model, image: Any, c: int | None = None, *,
                preprocess: Preprocess | None = None,
                class_names: Sequence[str] | None = None) -> CamBuilder:
    """Build the class activation map term by term: ``CAM = sum_k F_k * w[k, c]``.

    The network runs once on ``image``. The terms ``F_k * w[k, c]`` are
    ordered by their contribution ``|mean(F_k) * w[k, c]|``, largest first;
    the "terms" slider chooses how many are summed.

    Shows the last term added, the partial sum (7x7) and the full CAM on one
    shared, zero-centred colour scale with a colour bar (``[-m, +m]``, ``m``
    the largest |value| of any term or partial sum of the class: red > 0
    supports the class, blue < 0 argues against, so a negative term looks
    blue; its title gives its sign and what it adds to the logit),
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
        ``class``, ``n_terms``, ``order`` (C,), ``partial`` (7x7), ``cam``
        (7x7), ``error``, ``correlation``, ``score`` (mean + b), ``logit``,
        ``term_channel``, ``term`` (7x7), ``scale`` (the colour scale is
        ``[-scale, +scale]``). ``.norm`` is the one ``Normalize`` of the three maps.
    """
    graph.check_model(model)
    if c is not None:
        c = checks.class_index(c, base.num_classes(model), "c")
    return CamBuilder(model, image, c, preprocess, class_names)
