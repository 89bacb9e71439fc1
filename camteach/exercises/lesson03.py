"""Exercises on the last layer as logistic regression, on a scene the lesson did not score.

``q1, q2, q3, q4 = lesson03.bind(pair_pooled=pair_pooled, W=W, b=b, c=c, pooled=pooled,
class_names=ct.CLASS_NAMES)``; ``help(lesson03.bind)`` shows what to bind.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import expit, softmax

from camteach import checks

from .checking import Choice, Exercise, Index, Numbers, Sheet, named


def bind(pair_pooled, W, b, c: int, pooled, class_names: Sequence[str] | None = None
         ) -> tuple[Exercise, Exercise, Exercise, Exercise]:
    """Bind the exercises to a new scene's pooled features and the dense layer.

    Parameters
    ----------
    pair_pooled : array-like, (C,)
        The pooled features of one image the lesson has not scored (in the
        notebook, a scene with two objects, where a softmax and per-class
        sigmoids disagree).
    W : array-like, (C, K)
        Dense weights (``feats.W``).
    b : array-like, (K,)
        Dense bias (``feats.b``).
    c : int
        The class of q2.
    pooled : array-like, (C,)
        The lesson's own scene's pooled features: answers copied from the
        lesson get a message saying so.
    class_names : sequence of str, optional
        For the messages (``ct.CLASS_NAMES``).

    Returns
    -------
    q1, q2, q3, q4 : Exercise
        q1 ``pair_logits``: ``pair_pooled @ W + b``, (K,). q2 ``feature``:
        the feature with the largest positive weight for class c. q3
        ``pair_softmax``: what a softmax head would give (uses q1's
        ``pair_logits``), (K,). q4 ``changes`` (predict, then check): which
        probabilities move when every bias grows by 5.
    """
    pair_pooled = checks.numeric_array(pair_pooled, "pair_pooled", (None,))
    W = checks.numeric_array(W, "W", (pair_pooled.shape[0], None))
    b = checks.numeric_array(b, "b", (W.shape[1],))
    pooled = checks.numeric_array(pooled, "pooled", pair_pooled.shape)
    c = checks.class_index(c, W.shape[1], "c")
    names = list(class_names) if class_names is not None else None
    sheet = Sheet(pair_pooled=pair_pooled, W=W, b=b, c=c, pooled=pooled)
    pair_logits = pair_pooled @ W + b
    _ask_logits(sheet, pair_pooled, pooled, W, b, c, pair_logits)
    _ask_feature(sheet, pair_pooled, W, c, names)
    _ask_softmax(sheet, pair_pooled, pooled, W, b, pair_logits, names)
    _ask_shift(sheet)
    return tuple(sheet.exercises)


def _ask_logits(sheet: Sheet, pair_pooled: np.ndarray, pooled: np.ndarray, W: np.ndarray,
                b: np.ndarray, c: int, pair_logits: np.ndarray) -> None:
    """q1 ``pair_logits``: ``pair_pooled @ W + b``, (K,)."""
    scale = float((np.abs(pair_pooled) @ np.abs(W) + np.abs(b)).max())
    sheet.add(
        question="The class scores (logits, before any sigmoid or softmax) of the new scene: "
                 "pair_pooled @ W + b, shape (K,).",
        var="pair_logits", code="pair_logits = pair_pooled @ W + b",
        answer=lambda: pair_logits, kind=Numbers(scale=scale),
        why="the dense layer is a logistic regression on the pooled features: each score is "
            "a weighted vote of the features, plus a bias.",
        hints=("One matrix product and one addition: (C,) @ (C, K) gives (K,).",
               "pair_pooled @ W + b."),
        mistakes=[
            (lambda: pooled @ W + b, "those are the scores of the lesson's scene (`pooled`); "
                                     "score the new one, `pair_pooled`."),
            (lambda: pair_pooled @ W, "you forgot the bias b."),
            (lambda: expit(pair_logits), "those are probabilities (after a sigmoid or a "
                                          "softmax); the logits are the scores before any "
                                          "activation."),
        ])


def _ask_feature(sheet: Sheet, pair_pooled: np.ndarray, W: np.ndarray, c: int,
                 names: list[str] | None) -> None:
    """q2 ``feature``: the feature with the largest positive weight for class c."""
    cname = named(c, names)
    mistakes = [
        (lambda: np.argmax(W[c]), "W[c] is a *row*: the weights of feature c for every "
                                  "class. A class's weights are the column W[:, c]."),
        (lambda: np.argmin(W[:, c]), "that is the most *negative* weight: the feature that "
                                     "argues most *against* the class."),
        (lambda: np.argmax(W), "np.argmax(W) without an axis is a position in the "
                               "flattened W, not a feature."),
        (lambda: np.argmax(pair_pooled * W[:, c]),
         "that is the feature that contributes most to this scene's score for the class "
         "(pooled value * weight); the question is about the weight alone."),
    ]
    if names is not None and "face" in names and names.index("face") != c:
        face = names.index("face")
        mistakes.insert(0, (lambda: np.argmax(W[:, face]),
                            "that is the top feature of the *face* column (the lesson's bar "
                            f"chart); take class {cname}'s column, W[:, c]."))
    sheet.add(
        question=f"Which feature has the largest positive weight for class c = {cname}?",
        var="feature", code="feature = np.argmax(W[:, c])",
        answer=lambda: np.argmax(W[:, c]), kind=Index(W.shape[0], "feature"),
        why=f"feature {np.argmax(W[:, c])} supports class {cname} the most: the more it is "
            f"found, the higher the score. A weight of 0 has no effect, a negative one "
            f"argues against the class.",
        hints=("W is (C, K): one row per feature, one column per class.",
               "Take the class's column W[:, c] and find the position of its maximum."),
        mistakes=mistakes)


def _compare_heads(logits: np.ndarray, names: list[str] | None) -> str:
    """The two heads' probabilities of the top two classes, side by side."""
    top = np.argsort(-logits)[:2]
    soft, sig = softmax(logits), expit(logits)
    pairs = " and ".join(f"{named(int(k), names)} {soft[k]:.2f}" for k in top)
    own = " and ".join(f"{sig[k]:.2f}" for k in top)
    return (f"a softmax head would give {pairs}: the classes compete for a total of 1. The "
            f"course model's sigmoids give them {own}, each class on its own. Either way, "
            f"CAMs explain the logits.")


def _ask_softmax(sheet: Sheet, pair_pooled: np.ndarray, pooled: np.ndarray, W: np.ndarray,
                 b: np.ndarray, pair_logits: np.ndarray, names: list[str] | None) -> None:
    """q3 ``pair_softmax``: the softmax of q1's logits, (K,)."""
    sheet.add(
        question="If the course model had a softmax head like ResNet50's, what probabilities "
                 "would it give the new scene? The softmax of pair_logits, shape (K,).",
        var="pair_softmax",
        code="pair_softmax = np.exp(pair_logits) / np.exp(pair_logits).sum()",
        answer=lambda: softmax(pair_logits), kind=Numbers(scale=1.0),
        why=lambda: _compare_heads(pair_logits, names),
        hints=("Exponentiate the logits, then divide by their sum over the classes.",
               "np.exp(pair_logits) / np.exp(pair_logits).sum()"),
        mistakes=[
            (lambda: expit(pair_logits),
             "those are per-class sigmoid probabilities: what the course model's own head "
             "(and model.predict) gives. A softmax head makes the classes compete: "
             "exponentiate, then divide by the sum."),
            (lambda: softmax(pooled @ W + b), "that is the softmax of the lesson's scene "
                                              "(`pooled`); use pair_logits."),
            (lambda: softmax(pair_pooled @ W), "you forgot the bias b in the logits."),
            (lambda: pair_logits / pair_logits.sum(),
             "you forgot the exponential: np.exp(pair_logits) first."),
            (lambda: np.exp(pair_logits), "np.exp alone: divide by the sum over the classes."),
        ])


def _ask_shift(sheet: Sheet) -> None:
    """q4 ``changes`` (predict, then check): add 5 to every class's bias."""
    sheet.add(
        question="Predict, then check: add 5 to every entry of b (every class's bias). Which "
                 "probabilities change: 'sigmoid' (the course model's), 'softmax' (a softmax "
                 "head's), 'both' or 'neither'? Check your guess on pair_logits + 5.",
        var="changes",
        code='changes = "sigmoid"   # compare 1 / (1 + np.exp(-(pair_logits + 5))) and the '
             'softmax of pair_logits + 5',
        answer=lambda: "sigmoid", kind=Choice(("sigmoid", "softmax", "both", "neither")),
        why="every score rises by 5. Each sigmoid reads its own score, so every sigmoid "
            "probability rises; the softmax sees only the differences between the scores, "
            "which do not change: a softmax head's weights and biases are defined only up to "
            "a shift shared by all classes.",
        hints=("Write softmax(s + 5) out: exp(s_j + 5) / sum_i exp(s_i + 5). What does "
               "exp(5) do on top and bottom?",
               "Each sigmoid 1 / (1 + exp(-s_j)) reads one score s_j alone."),
        mistakes=[
            (lambda: "softmax", "the other way round: exp(5) cancels between the top and "
                                "the bottom of the softmax, while each sigmoid reads its own, "
                                "now larger, score."),
            (lambda: "both", "the softmax does not move: exp(s_j + 5) / sum_i exp(s_i + 5) "
                             "= exp(s_j) / sum_i exp(s_i). Only the sigmoids do."),
            (lambda: "neither", "every score goes up by 5, and each sigmoid reads its own "
                                "score: compare 1 / (1 + np.exp(-pair_logits)) with "
                                "1 / (1 + np.exp(-(pair_logits + 5)))."),
        ])
