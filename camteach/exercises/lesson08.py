"""Exercises on Grad-CAM: from the CAM identity, on the "vgg" model, per layer, and the logit.

The exercises work on scenes the lesson has not computed: the course model's
feature maps ``F`` and dense weights ``W`` of one new scene and a class ``c``;
the "vgg" model's Grad-CAM maps of new scenes at its last convolution
(``maps``, with the objects' ``masks``) and at the last convolution of every
block (``maps_by_layer``); and the logits of those scenes with their
``labels``::

    q1, q2, q3, q4 = lesson08.bind(F=F, W=W, c=c, maps=maps, masks=masks,
                                   maps_by_layer=maps_by_layer, logits=logits,
                                   labels=labels)

``help(lesson08.bind)`` shows what to bind.
"""

from __future__ import annotations

import numpy as np

import camteach as ct
from camteach import checks

from .checking import Choice, Exercise, Numbers, Sheet
from .distinct import distinct


def bind(F, W, c, maps, masks, maps_by_layer, logits, labels
         ) -> tuple[Exercise, Exercise, Exercise, Exercise]:
    """Bind the exercises to new scenes' features, Grad-CAM maps and logits.

    Parameters
    ----------
    F : array-like, (1, h, w, C)
        The course model's feature maps of one scene (``ct.features(model, x).F``).
    W : array-like, (C, K)
        Its dense layer's weights (``ct.features(...).W``).
    c : int
        The class to explain.
    maps : array-like, (N, h, w)
        The "vgg" model's Grad-CAM of each scene's true class at its last convolution.
    masks : array-like of bool, (N, H, H)
        The objects' pixels.
    maps_by_layer : dict of str -> array-like (N, h_l, w_l)
        Grad-CAM of the same scenes and classes at several layers.
    logits : array-like, (N, K)
        The "vgg" model's logits of the scenes.
    labels : array-like of int, (N,)
        The scenes' true classes.

    Returns
    -------
    q1, q2, q3, q4 : Exercise
        q1 ``grad_cam_map``: Grad-CAM of class ``c`` from ``F`` and ``W`` alone
        (the GAP identity). q2 ``rate``: the pointing game of ``maps``. q3
        ``best_layer``: predict-then-check, which layer wins the pointing game.
        q4 ``factor``: how much smaller each scene's Grad-CAM gets when the
        sigmoid's probability is explained instead of the logit.
    """
    F = checks.numeric_array(F, "F", (1, None, None, None))
    W = checks.numeric_array(W, "W", (F.shape[-1], None))
    c = checks.class_index(c, W.shape[1], "c")
    maps = checks.numeric_array(maps, "maps", (None, None, None))
    masks = checks.numeric_array(masks, "masks", (len(maps), None, None), dtype=bool)
    if not isinstance(maps_by_layer, dict) or not maps_by_layer:
        raise ValueError(f"maps_by_layer: expected a dict layer name -> maps (N, h, w), got "
                         f"{type(maps_by_layer).__name__}")
    maps_by_layer = {str(name): checks.numeric_array(m, f"maps_by_layer[{name!r}]",
                                                     (len(maps), None, None))
                     for name, m in maps_by_layer.items()}
    logits = checks.numeric_array(logits, "logits", (None, None))
    labels = checks.class_indices(labels, len(logits), logits.shape[1], "labels")[:, 0]
    sheet = Sheet(F=F, W=W, c=c, maps=maps, masks=masks, maps_by_layer=maps_by_layer,
                  logits=logits, labels=labels)
    _ask_grad_cam(sheet, F, W, c)
    _ask_rate(sheet, maps, masks)
    _ask_best_layer(sheet, maps_by_layer, masks)
    _ask_factor(sheet, logits, labels)
    return tuple(sheet.exercises)


def _ask_grad_cam(sheet: Sheet, F: np.ndarray, W: np.ndarray, c: int) -> None:
    """q1 ``grad_cam_map``: ReLU(CAM) / (h*w), from F and W only."""
    f = F[0].astype(np.float64)
    h, w, channels = f.shape
    cam = f @ W[:, c].astype(np.float64)
    kind = Numbers(rtol=1e-4, scale=float(np.abs(cam).max()) / (h * w) or 1.0)

    def answer() -> np.ndarray:
        return np.maximum(cam, 0) / (h * w)

    sheet.add(
        question="Grad-CAM without a gradient: on the course model's GAP + Dense head, "
                 "d logit / dF_ij = W[:, c] / (h*w) at every position. Compute the Grad-CAM "
                 "map (h, w) of class c from F and W alone.",
        var="grad_cam_map",
        code="grad_cam_map = np.maximum(F[0] @ W[:, c], 0) / (F.shape[1] * F.shape[2])",
        answer=answer, kind=kind,
        why=lambda: (f"on a GAP head the gradient is the same at all {h * w} positions: "
                     f"alpha = W[:, c] / {h * w}, so Grad-CAM is the CAM, clipped at 0 and "
                     f"divided by {h * w}; ct.explain(model, x, 'grad_cam') gives the same map."),
        hints=("alpha_k, the mean gradient over the positions, is W[k, c] / (h*w); the map is "
               "ReLU(sum_k alpha_k F_k).",
               "F[0] @ W[:, c] is the CAM (h, w); clip it at 0 (np.maximum(..., 0)) and "
               "divide by h*w."),
        mistakes=distinct([
            (lambda: cam / (h * w), "you forgot Grad-CAM's ReLU: negative evidence is "
                                    "clipped to 0 (np.maximum(..., 0))."),
            (lambda: np.maximum(cam, 0), "that is ReLU(CAM): the gradient is W[:, c] / (h*w), "
                                         "so divide by the number of positions."),
            (lambda: np.abs(cam) / (h * w), "Grad-CAM clips negative values to 0 (ReLU), it "
                                            "does not flip them (abs)."),
            (lambda: np.maximum(cam, 0) / channels,
             "divide by the number of positions h*w, not by the number of channels C."),
            (lambda: np.maximum(f @ W[:, (c + 1) % W.shape[1]], 0) / (h * w),
             "that is another class's map: use the column W[:, c]."),
        ], answer, kind))


def _ask_rate(sheet: Sheet, maps: np.ndarray, masks: np.ndarray) -> None:
    """q2 ``rate``: the pointing game of the "vgg" model's Grad-CAM."""
    size, n = masks.shape[1], len(maps)
    kind = Numbers(rtol=1e-6, scale=1.0)

    def hits(tolerance: float = 15, method: str = "bilinear") -> np.ndarray:
        return ct.pointing_game(ct.upsample(maps, size, method=method), masks,
                                tolerance=tolerance)

    def rate() -> float:
        return float(hits().mean())

    sheet.add(
        question="The pointing game for the model CAM cannot explain: in what share of the "
                 "scenes does the Grad-CAM map (`maps`, upsampled) peak within 15 px of the "
                 "object?",
        var="rate",
        code="rate = ct.pointing_game(maps, masks).mean()",
        answer=rate, kind=kind,
        why=lambda: (f"{rate():.0%} of {n} scenes: Grad-CAM explains a network with no "
                     f"global average pooling, and the scenes' masks say how well."),
        hints=("ct.pointing_game(heatmaps, masks) gives one hit (True/False) per scene; it "
               "upsamples the maps to the masks' size itself (bilinear).",
               "Average the hits: ct.pointing_game(maps, masks).mean()."),
        mistakes=distinct([
            (lambda: hits(tolerance=0).mean(),
             "that is the strict version (the peak on the object's own pixels); the "
             "question asks for Zhang et al.'s: within 15 px (ct.pointing_game's default)."),
            (lambda: hits().sum(), "that is the number of hits; the share divides by the "
                                   "number of scenes (.mean())."),
            (lambda: 100 * rate(), "that is a percentage; give a fraction."),
            (lambda: 1 - rate(), "that is the share of misses."),
            (lambda: hits(method="nearest").mean(),
             "that is with nearest-neighbour upsampling (the peak lands on a block's "
             "corner); use bilinear, ct.upsample's and ct.pointing_game's default."),
        ], rate, kind))


def _ask_best_layer(sheet: Sheet, maps_by_layer: dict[str, np.ndarray],
                    masks: np.ndarray) -> None:
    """q3 ``best_layer``: predict, then measure, which layer points best."""
    names = tuple(maps_by_layer)
    rates = {name: float(ct.pointing_game(m, masks).mean()) for name, m in maps_by_layer.items()}
    best = max(names, key=rates.get)

    def table() -> str:
        return ", ".join(f"{name} {rates[name]:.0%}" for name in names)

    sheet.add(
        question=f"Predict, then check: on these scenes, which layer's Grad-CAM wins the "
                 f"pointing game (15 px), one of {list(names)}? Write your prediction down, "
                 f"then measure it with maps_by_layer and masks.",
        var="best_layer",
        code="best_layer = max(maps_by_layer, key=lambda name: "
             "ct.pointing_game(maps_by_layer[name], masks).mean())",
        answer=lambda: best, kind=Choice(names),
        why=lambda: (f"measured: {table()}. Early layers are sharp but see edges and colours "
                     f"(of the clutter too); the last convolution sees whole objects at 14x14, "
                     f"which is why Grad-CAM's paper explains the last one."
                     if best == names[-1] else
                     f"measured: {table()}. Here an earlier, sharper layer points better; "
                     f"look at its maps before trusting it: sharp is not the same as meaningful."),
        hints=("ct.pointing_game(maps_by_layer[name], masks).mean() is one layer's score.",
               "Compute it for every name in maps_by_layer and keep the best (max with a "
               "key)."),
        mistakes=[(lambda o=o: o, "not what the measurement says: compare "
                                  "ct.pointing_game(maps_by_layer[name], masks).mean() "
                                  "over the layers.")
                  for o in names if o != best])


def _ask_factor(sheet: Sheet, logits: np.ndarray, labels: np.ndarray) -> None:
    """q4 ``factor``: sigmoid'(z) = p (1 - p), what explaining the probability multiplies by."""
    z = logits[np.arange(len(logits)), labels].astype(np.float64)
    p = 1 / (1 + np.exp(-z))
    kind = Numbers(rtol=1e-3, scale=0.25)

    def answer() -> np.ndarray:
        return p * (1 - p)

    sheet.add(
        question="Why the logit: on a sigmoid head p = sigmoid(z), so the gradient of p is "
                 "sigmoid'(z) = p (1 - p) times the gradient of z, and Grad-CAM of the "
                 "probability is the logit's map times that factor. Compute the factor "
                 "(N,) for each scene's true class from `logits` and `labels`.",
        var="factor",
        code="p = 1 / (1 + np.exp(-logits[np.arange(len(labels)), labels]))\n"
             "factor = p * (1 - p)",
        answer=answer, kind=kind,
        why=lambda: (f"the most confident scene's map is multiplied by {answer().min():.1e}, the "
                     f"least confident one's by {answer().max():.2f}: explained through the "
                     f"probability, the maps of the scenes the model is surest of fade, "
                     f"because the sigmoid is flat there. The logit's map does not."),
        hints=("Pick each scene's true-class logit: logits[np.arange(len(labels)), labels].",
               "p = 1 / (1 + np.exp(-z)); the factor is p * (1 - p)."),
        mistakes=distinct([
            (lambda: p, "that is the probability itself; its derivative is p * (1 - p)."),
            (lambda: 1 - p, "that is 1 - p; the sigmoid's derivative is p * (1 - p)."),
            (lambda: _softmax(logits, labels) * (1 - _softmax(logits, labels)),
             "that uses a softmax over the classes; this model has one sigmoid per class."),
            (lambda: (lambda q: q * (1 - q))(1 / (1 + np.exp(-logits.max(axis=1)))),
             "that is the best-scoring class's factor; use each scene's true class (labels)."),
        ], answer, kind))


def _softmax(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Each row's softmax probability of its label, (N,)."""
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True))[np.arange(len(labels)), labels]
