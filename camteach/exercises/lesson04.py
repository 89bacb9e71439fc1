"""Exercises on the class activation map: the weights, the map, its identity, top-k, the bias.

The exercises work on a scene the lesson has not computed (``F2``, class ``c2``); the
lesson's own scene (``F``, ``c``, ``logits``) is bound too, to recognise an answer
copied from it::

    q1, q2, q3, q4, q5 = lesson04.bind(F2=F2, c2=c2, W=W, b=b, F=F, c=c, logits=logits,
                                       class_names=ct.CLASS_NAMES)

``help(lesson04.bind)`` shows what to bind.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import camteach as ct
from camteach import checks

from .checking import Choice, Exercise, Index, Numbers, Sheet, named
from .distinct import distinct


def bind(F2, c2: int, W, b, F, c: int, logits, class_names: Sequence[str] | None = None
         ) -> tuple[Exercise, Exercise, Exercise, Exercise, Exercise]:
    """Bind the exercises to a new scene's features and the lesson's dense layer.

    Parameters
    ----------
    F2 : array-like, (h, w, C)
        The feature maps of the exercises' scene (one image, e.g.
        ``ct.features(model, scene2.images).F[0]``).
    c2 : int
        The class the exercises explain on that scene.
    W : array-like, (C, K)
        Dense weights (``feats.W``).
    b : array-like, (K,)
        Dense bias (``feats.b``).
    F : array-like, (h, w, C)
        The lesson's own scene's feature maps (``feats.F[0]``): an answer
        computed on it instead of ``F2`` gets a message saying so.
    c : int
        The lesson's class.
    logits : array-like, (K,)
        The lesson's scene's scores before the sigmoid/softmax
        (``feats.logits[0]``, not ``model.predict``).
    class_names : sequence of str, optional
        For the messages (``ct.CLASS_NAMES``).

    Returns
    -------
    q1, q2, q3, q4, q5 : Exercise
        q1 ``w2``: class c2's weights ``W[:, c2]``. q2 ``cam2``: the h x w CAM
        of ``F2`` for class c2, one einsum. q3 ``lhs2``: ``cam2.mean() + b[c2]``,
        the identity's left side (the scene's logit, printed nowhere). q4
        ``second2``: the class with the second-highest score on ``F2``. q5
        ``change``: if ``b[c2]`` grew by 5, what changes ("cam", "logit",
        "both", "neither")?
    """
    F2 = checks.numeric_array(F2, "F2", (None, None, None))
    W = checks.numeric_array(W, "W", (F2.shape[2], None))
    b = checks.numeric_array(b, "b", (W.shape[1],))
    F = checks.numeric_array(F, "F", F2.shape)
    logits = checks.numeric_array(logits, "logits", (len(b),))
    scale = _logit_scale(np.stack([F, F2]), W, b)
    if np.abs(F.mean(axis=(0, 1)) @ W + b - logits).max() > 1e-3 * scale:
        raise ValueError("logits: they are not F.mean(axis=(0, 1)) @ W + b; pass the scores "
                         "before the sigmoid/softmax (ct.features(...).logits[0]), not "
                         "model.predict(...)")
    c2 = checks.class_index(c2, W.shape[1], "c2")
    c = checks.class_index(c, W.shape[1], "c")
    sheet = Sheet(F2=F2, c2=c2, W=W, b=b, F=F, c=c, logits=logits)
    cams2 = np.einsum("hwk,kj->hwj", F2, W)                  # every class's map, scene 2
    cams = np.einsum("hwk,kj->hwj", F, W)                    # ... and the lesson's scene
    _ask_weights(sheet, W, c2, c, class_names)
    _ask_cam(sheet, F2, W, b, cams2, cams, c2, c, class_names)
    _ask_identity(sheet, cams2[..., c2], b, logits, c2, c, scale, class_names)
    _ask_second(sheet, cams2, b, logits, class_names)
    _ask_bias(sheet, cams2[..., c2], b, c2, class_names)
    return tuple(sheet.exercises)


def _logit_scale(F: np.ndarray, W: np.ndarray, b: np.ndarray) -> float:
    """The size of the terms summed into the logits: the tolerance's scale."""
    return float((np.abs(F.mean(axis=(1, 2))) @ np.abs(W) + np.abs(b)).max())


def _ask_weights(sheet: Sheet, W: np.ndarray, c2: int, c: int,
                 names: Sequence[str] | None) -> None:
    """q1 ``w2``: class c2's weights, one per feature map (C,)."""
    cname, others = named(c2, names), [k for k in range(W.shape[1]) if k not in (c2, c)]
    mistakes = [
        (lambda: W[c2], "W[c2] is a *row*: the weights of feature c2 for every class (W "
                        "transposed). The class's weights are the column W[:, c2]."),
        *([] if c == c2 else [
            (lambda: W[:, c], f"that is w = W[:, c], the lesson's class {named(c, names)}; "
                              f"the question asks for class c2 = {cname}.")]),
        *[(lambda k=k: W[:, k], f"that is the column of class {named(k, names)}; take "
                                f"class c2 = {cname}.") for k in others],
    ]
    sheet.add(
        question=f"The weights w2 of class c2 = {cname}: one per feature map, shape "
                 f"({W.shape[0]},).",
        var="w2", code="w2 = W[:, c2]",
        answer=lambda: W[:, c2], kind=Numbers(),
        why=f"each weight w2[k] says how much feature k counts for class {cname}: the CAM "
            f"weighs each feature map F2[:, :, k] by it.",
        hints=("W is (C, K): one row per feature, one column per class.",
               "Take column c2 of W."),
        mistakes=distinct(mistakes, lambda: W[:, c2], Numbers()))


def _ask_cam(sheet: Sheet, F2: np.ndarray, W: np.ndarray, b: np.ndarray, cams2: np.ndarray,
             cams: np.ndarray, c2: int, c: int, names: Sequence[str] | None) -> None:
    """q2 ``cam2``: the CAM (h, w) of F2 for class c2, with one einsum."""
    C = W.shape[0]
    cam, cname = cams2[..., c2], named(c2, names)
    others = [k for k in range(W.shape[1]) if k != c2]
    kind = Numbers(scale=float((np.abs(F2) @ np.abs(W[:, c2])).max()))
    mistakes = [
        (lambda: cam + b[c2], "you added the bias b[c2]: the CAM is the weighted sum alone "
                              "(the bias comes back in q3's identity)."),
        (lambda: np.maximum(cam, 0), "you applied a ReLU: the raw CAM is asked, negative "
                                     "values included (Grad-CAM clips them, lesson 08)."),
        (lambda: ct.normalize(cam), "you normalised the map to [0, 1]: keep the raw "
                                    "values (normalise only to draw it)."),
        (lambda: cam.T, "rows and columns are swapped (transposed): the map is (h, w) = "
                        "F2's first two axes."),
        (lambda: F2.sum(axis=-1), "that is the unweighted sum of the feature maps: "
                                  "multiply each map F2[:, :, k] by its weight w2[k]."),
        (lambda: cam / C, f"you averaged over the features instead of summing (the map "
                          f"is {C} times too small)."),
        (lambda: cams2, "that is the maps of *all* classes (h, w, K); take class c2 only."),
        (lambda: cams[..., c2], "that is the map of the lesson's scene F; the question is "
                                "about the new scene, F2."),
        *([] if c == c2 else [
            (lambda: cams[..., c], f"that is `cam`, the lesson's map (scene F, class "
                                   f"{named(c, names)}); compute the map of F2 for c2 = "
                                   f"{cname}.")]),
        *[(lambda k=k: cams2[..., k], f"that is the map of class {named(k, names)} (column "
                                      f"{k} of W); take column c2 = {cname}.")
          for k in others],
    ]
    sheet.add(
        question=f"The CAM of the new scene F2 for class c2 = {cname}: "
                 f"F2[:, :, 0]*w2[0] + ... + F2[:, :, {C - 1}]*w2[{C - 1}], with one "
                 f"np.einsum.",
        var="cam2", code='cam2 = np.einsum("hwk,k->hw", F2, w2)',
        answer=lambda: cam, kind=kind,
        why="the CAM is the class's weighted sum of the feature maps: where the things that "
            "support the class were found. Raw, it is signed: positive where the evidence "
            "for the class is, negative where the evidence against it is.",
        hints=('np.einsum("hwk,k->hw", maps, weights) multiplies each map k by weight k and '
               'sums over k.',
               "The maps are F2 (h, w, C); the weights are q1's w2 = W[:, c2]."),
        mistakes=distinct(mistakes, lambda: cam, kind))


def _ask_identity(sheet: Sheet, cam: np.ndarray, b: np.ndarray, logits: np.ndarray,
                  c2: int, c: int, scale: float, names: Sequence[str] | None) -> None:
    """q3 ``lhs2``: ``mean(CAM) + b[c2]`` of q2's map (the new scene's logit)."""
    cname = named(c2, names)
    kind, lhs = Numbers(scale=scale), float(cam.mean() + b[c2])
    mistakes = [
        (lambda: cam.mean(), "you forgot the bias: add b[c2]."),
        (lambda: ct.normalize(cam).mean() + b[c2],
         "you normalised the map before averaging: the identity holds for the raw CAM."),
        (lambda: np.maximum(cam, 0).mean() + b[c2],
         "you applied a ReLU before averaging: the identity holds for the raw CAM."),
        (lambda: cam.sum() + b[c2], "you summed the map; the pooling *averages* it "
                                    "(.mean())."),
        (lambda: 1 / (1 + np.exp(-lhs)), "that is the *probability* (the sigmoid of the "
                                         "score); the identity holds for the logit, the "
                                         "score before the sigmoid."),
        (lambda: cam.mean() + b[c], f"you added the bias of class {named(c, names)} (the "
                                    f"lesson's c): use b[c2]."),
        (lambda: logits[c2], "that is the lesson's scene's score for c2 (logits is the "
                             "lesson's scene): compute the left side from cam2."),
        *[(lambda k=k: logits[k], f"that is a score of the lesson's scene (logits[{k}], "
                                  f"class {named(k, names)}), not of the new scene: compute "
                                  f"mean(cam2) + b[c2].")
          for k in range(len(b)) if k != c2],
    ]
    sheet.add(
        question="The identity's left side for the new scene: mean(CAM) + b[c2], from q2's "
                 "cam2. (Its logit is printed nowhere: the identity is the way to get it.)",
        var="lhs2", code="lhs2 = cam2.mean() + b[c2]",
        answer=lambda: lhs, kind=kind,
        why=f"the identity gives mean(cam2) + b[c2] = {lhs:.4g}, the new scene's logit for "
            f"{cname} "
            f"(ct.features(model, ...).logits would give the same): pooling and the dense "
            f"layer are linear, so the CAM spreads the score over the image. The score "
            f"before the sigmoid, not the probability ({1 / (1 + np.exp(-lhs)):.3f}).",
        hints=("Average the whole map (one number), then add the class's bias.",
               "cam2.mean() + b[c2], with cam2 from q2 (the raw map)."),
        mistakes=distinct(mistakes, lambda: lhs, kind))


def _ask_second(sheet: Sheet, cams2: np.ndarray, b: np.ndarray, logits: np.ndarray,
                names: Sequence[str] | None) -> None:
    """q4 ``second2``: the class with the second-highest score on the new scene."""
    scores = cams2.mean(axis=(0, 1)) + b
    order = np.argsort(scores)
    kind = Index(len(b), "class", names)
    mistakes = [
        (lambda: order[1], "np.argsort sorts ascending: [1] is the second *lowest* "
                           "score; take [-2]."),
        (lambda: order[-1], "that is the best class; the question asks for the second."),
        (lambda: np.argsort(cams2.max(axis=(0, 1)))[-2],
         "you ranked the maps by their hottest cell; they are ranked by the score "
         "mean(CAM) + b."),
        (lambda: np.argsort(cams2.mean(axis=(0, 1)))[-2],
         "you ranked by mean(CAM) alone: the score adds the bias, mean(CAM) + b."),
        (lambda: np.argsort(logits)[-2],
         "that is the second class of the lesson's scene (logits); rank the new scene's "
         "scores, F2.mean(axis=(0, 1)) @ W + b."),
    ]
    sheet.add(
        question="Which class has the second-highest score on the new scene F2 (the second "
                 "of its top CAMs)?",
        var="second2", code="second2 = np.argsort(F2.mean(axis=(0, 1)) @ W + b)[-2]",
        answer=lambda: order[-2], kind=kind,
        why=lambda: (f"class {named(order[-2], names)} has the second-highest score "
                     f"({scores[order[-2]]:.2f}, after {named(order[-1], names)} at "
                     f"{scores[order[-1]]:.2f}): its CAM is the second of the top-k maps "
                     f"(ct.cam(model, images, top=k))."),
        hints=("The CAMs are ranked by the score they explain: logit = mean(CAM) + b, for "
               "every class at once: F2.mean(axis=(0, 1)) @ W + b.",
               "np.argsort sorts ascending: the best class is last, the second best is [-2]."),
        mistakes=distinct(mistakes, lambda: order[-2], kind))


#: q5's options.
CHANGES = ("cam", "logit", "both", "neither")


def _ask_bias(sheet: Sheet, cam: np.ndarray, b: np.ndarray, c2: int,
              names: Sequence[str] | None) -> None:
    """q5 ``change``: predict what a bias 5 larger changes."""
    cname = named(c2, names)
    lhs = float(cam.mean() + b[c2])
    sheet.add(
        question=f"Predict, then check: if b[c2] (class {cname}) grew by 5, what would change: "
                 f"the CAM, the logit, both, or neither? Answer one of {list(CHANGES)}. "
                 f"(Check it: recompute cam2 and cam2.mean() + b[c2] + 5.)",
        var="change", code='change = "logit"',
        answer=lambda: "logit", kind=Choice(CHANGES),
        why=f"the CAM is sum_k F2[:, :, k] * w2[k]: no bias in it, so the map stays the same "
            f"and the logit moves from {lhs:.2f} to {lhs + 5:.2f}. A bias adds the same to the "
            f"score whatever the image shows, so it belongs to no place in it: the CAM shows "
            f"*where* the evidence is, not the part of the score that needs none.",
        hints=("Write both down: CAM = sum_k F2[:, :, k] * w2[k]; logit = mean(CAM) + b[c2]. "
               "Which one contains b?",
               "The bias is added after the average, once for the whole image."),
        mistakes=[
            (lambda: "cam", "the CAM is sum_k F2[:, :, k] * w2[k]: b does not appear in it "
                            "(q2's answer has no b). Only the score, mean(CAM) + b, moves."),
            (lambda: "both", "b is added *after* the average: the map stays the same, only "
                             "the score mean(CAM) + b moves (by exactly 5)."),
            (lambda: "neither", "the score is mean(CAM) + b[c2]: it moves by exactly 5 "
                                "(the map does not)."),
        ])
