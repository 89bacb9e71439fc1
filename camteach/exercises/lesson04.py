"""Exercises on the class activation map: the weights, the map, its identity, top-k.

``q1, q2, q3, q4 = lesson04.bind(F=F, W=W, b=b, logits=logits, c=c, class_names=names)``;
``help(lesson04.bind)`` shows what to bind.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import softmax

import camteach as ct
from camteach import checks

from .checking import Exercise, Index, Numbers, Sheet, named


def bind(F, W, b, logits, c: int, class_names: Sequence[str] | None = None
         ) -> tuple[Exercise, Exercise, Exercise, Exercise]:
    """Bind the exercises to the features, dense layer and logits; they use image 0.

    Parameters
    ----------
    F : array-like, (N, h, w, C)
        Feature maps (``feats.F``); the exercises use image 0, ``F[0]``.
    W : array-like, (C, K)
        Dense weights (``feats.W``).
    b : array-like, (K,)
        Dense bias (``feats.b``).
    logits : array-like, (N, K)
        Pre-softmax scores (``feats.logits``, not ``model.predict``).
    c : int
        The class to explain.
    class_names : sequence of str, optional
        For the messages (``ct.CLASS_NAMES``).

    Returns
    -------
    q1, q2, q3, q4 : Exercise
        q1 ``w``: the class's weights ``W[:, c]``. q2 ``cam``: the h x w CAM
        of image 0 with one einsum. q3 ``lhs``: ``cam.mean() + b[c]`` (equal
        to ``logits[0, c]``). q4 ``second``: the class of image 0's
        second-best CAM (second-highest logit).
    """
    F = checks.numeric_array(F, "F", (None,) * 4)
    W = checks.numeric_array(W, "W", (F.shape[3], None))
    b = checks.numeric_array(b, "b", (W.shape[1],))
    logits = checks.numeric_array(logits, "logits", (len(F), len(b)))
    if np.abs(F.mean(axis=(1, 2)) @ W + b - logits).max() > 1e-3 * _logit_scale(F, W, b):
        raise ValueError("logits: they are not F.mean(axis=(1, 2)) @ W + b; pass the scores "
                         "before the softmax (ct.features(...).logits), not model.predict(...)")
    c = checks.class_index(c, W.shape[1], "c")
    sheet = Sheet(F=F, W=W, b=b, logits=logits, c=c)
    cams = np.einsum("hwk,kj->hwj", F[0], W)                   # every class's map
    _ask_weights(sheet, W, c, class_names)
    _ask_cam(sheet, F[0], W, b, cams, c, class_names)
    _ask_identity(sheet, cams[..., c], b, logits, c, _logit_scale(F, W, b), class_names)
    _ask_second(sheet, cams, logits, class_names)
    return tuple(sheet.exercises)


def _logit_scale(F: np.ndarray, W: np.ndarray, b: np.ndarray) -> float:
    """The size of the terms summed into the logits: the tolerance's scale."""
    return float((np.abs(F.mean(axis=(1, 2))) @ np.abs(W) + np.abs(b)).max())


def _ask_weights(sheet: Sheet, W: np.ndarray, c: int, names: Sequence[str] | None) -> None:
    """q1 ``w``: the class's weights, one per feature map (C,)."""
    cname, others = named(c, names), [k for k in range(W.shape[1]) if k != c]
    sheet.add(
        question=f"The weights w of class {cname}: one per feature map, shape ({W.shape[0]},).",
        var="w", code="w = W[:, c]",
        answer=lambda: W[:, c], kind=Numbers(),
        why=f"w[k] says how much feature k counts for class {cname}: the CAM weighs each "
            f"feature map by it.",
        hints=("W is (C, K): one row per feature, one column per class.",
               "Take column c of W."),
        mistakes=[
            (lambda: W[c], "W[c] is a *row*: the weights of feature c for every class (W "
                           "transposed). The class's weights are the column W[:, c]."),
            *[(lambda k=k: W[:, k], f"that is the column of class {named(k, names)}; "
                                    f"take class c = {cname}.") for k in others],
        ])


def _ask_cam(sheet: Sheet, F0: np.ndarray, W: np.ndarray, b: np.ndarray, cams: np.ndarray,
             c: int, names: Sequence[str] | None) -> None:
    """q2 ``cam``: image 0's CAM (h, w) for class c, with one einsum."""
    C = W.shape[0]
    cam, cname = cams[..., c], named(c, names)
    others = [k for k in range(W.shape[1]) if k != c]
    sheet.add(
        question=f"The CAM of image 0 for class {cname}: F[0][:, :, 0]*w[0] + ... + "
                 f"F[0][:, :, {C - 1}]*w[{C - 1}], with one np.einsum.",
        var="cam", code='cam = np.einsum("hwk,k->hw", F[0], W[:, c])',
        answer=lambda: cam, kind=Numbers(scale=float((np.abs(F0) @ np.abs(W[:, c])).max())),
        why="the CAM is the class's weighted sum of the feature maps: where the things that "
            "support the class were found. Raw, it is signed: positive where the evidence "
            "for the class is.",
        hints=('np.einsum("hwk,k->hw", maps, weights) multiplies each map k by weight k and '
               'sums over k.',
               "The maps of image 0 are F[0] (h, w, C); the weights are W[:, c]."),
        mistakes=[
            (lambda: cam + b[c], "you added the bias b[c]: the CAM is the weighted sum alone "
                                 "(the bias comes back in q3's identity)."),
            (lambda: np.maximum(cam, 0), "you applied a ReLU: the raw CAM is asked, negative "
                                         "values included (Grad-CAM clips them, lesson 08)."),
            (lambda: ct.normalize(cam), "you normalised the map to [0, 1]: keep the raw "
                                        "values (normalise only to draw it)."),
            (lambda: cam.T, "rows and columns are swapped (transposed): the map is (h, w) = "
                            "F[0]'s first two axes."),
            (lambda: F0.sum(axis=-1), "that is the unweighted sum of the feature maps: "
                                      "multiply each map by its weight w[k]."),
            (lambda: cam / C, "you averaged over the features instead of summing (the map "
                              f"is {C} times too small)."),
            (lambda: cams, "that is the maps of *all* classes (h, w, K); take class c only."),
            *[(lambda k=k: cams[..., k], f"that is the map of class {named(k, names)} "
                                         f"(column {k} of W); take column c = {cname}.")
              for k in others],
        ])


def _ask_identity(sheet: Sheet, cam: np.ndarray, b: np.ndarray, logits: np.ndarray, c: int,
                  scale: float, names: Sequence[str] | None) -> None:
    """q3 ``lhs``: ``mean(CAM) + b[c]``, equal to ``logits[0, c]``."""
    cname, others = named(c, names), [k for k in range(len(b)) if k != c]
    probs = softmax(logits[0])
    sheet.add(
        question="Check the identity mean(CAM) + b[c] == logit[c]: compute the left side.",
        var="lhs", code="lhs = cam.mean() + b[c]",
        answer=lambda: logits[0, c], kind=Numbers(scale=scale),
        why=f"mean(CAM) + b[c] = {logits[0, c]:.4g} = logits[0, c]: pooling and the dense "
            f"layer are linear, so the CAM spreads the score over the image. The score "
            f"before the softmax, not the probability ({probs[c]:.3f}).",
        hints=("Average the whole map (one number), then add the class's bias.",
               "cam.mean() + b[c], with cam from q2 (the raw map)."),
        mistakes=[
            (lambda: cam.mean(), "you forgot the bias: add b[c]."),
            (lambda: ct.normalize(cam).mean() + b[c],
             "you normalised the map before averaging: the identity holds for the raw CAM."),
            (lambda: np.maximum(cam, 0).mean() + b[c],
             "you applied a ReLU before averaging: the identity holds for the raw CAM."),
            (lambda: cam.sum() + b[c], "you summed the map; the pooling *averages* it "
                                       "(.mean())."),
            (lambda: probs[c], "that is the softmax *probability*; the identity holds for the "
                               "logit, the score before the softmax."),
            *[(lambda k=k: logits[0, k], f"that is the identity for class "
                                         f"{named(k, names)}: use class c = {cname}.")
              for k in others],
        ])


def _ask_second(sheet: Sheet, cams: np.ndarray, logits: np.ndarray,
                names: Sequence[str] | None) -> None:
    """q4 ``second``: the class of image 0's second-best CAM (second-highest logit)."""
    order = np.argsort(logits[0])
    sheet.add(
        question="Of image 0's top CAMs, which class does the *second* best explain?",
        var="second", code="second = np.argsort(logits[0])[-2]",
        answer=lambda: order[-2], kind=Index(logits.shape[1], "class", names),
        why=f"class {named(order[-2], names)} has the second-highest logit: its CAM is "
            f"the second of the top-k maps (ct.cam(model, images, top=5)).",
        hints=("The CAMs are ranked by the score they explain: logit = mean(CAM) + b.",
               "np.argsort sorts ascending: the best class is last, the second best is [-2]."),
        mistakes=[
            (lambda: order[1], "np.argsort sorts ascending: [1] is the second *lowest* "
                               "score; take [-2]."),
            (lambda: order[-1], "that is the best class; the question asks for the second."),
            (lambda: np.argsort(cams.max(axis=(0, 1)))[-2],
             "you ranked the maps by their hottest cell; they are ranked by the score "
             "mean(CAM) + b."),
            (lambda: np.argsort(cams.mean(axis=(0, 1)))[-2],
             "you ranked by mean(CAM) alone: the score adds the bias, mean(CAM) + b."),
        ])
