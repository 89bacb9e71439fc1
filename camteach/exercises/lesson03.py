"""Exercises on the dense layer as a logistic regression: logits, weights, softmax.

``q1, q2, q3 = lesson03.bind(pooled=pooled, W=W, b=b, c=c, class_names=names)``;
``help(lesson03.bind)`` shows what to bind.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import expit, softmax

from camteach import checks

from .checking import Exercise, Index, Numbers, Sheet, named


def bind(pooled, W, b, c: int, class_names: Sequence[str] | None = None
         ) -> tuple[Exercise, Exercise, Exercise]:
    """Bind the exercises to the pooled features and the dense layer.

    Parameters
    ----------
    pooled : array-like, (N, C)
        Pooled features (``feats.pooled``).
    W : array-like, (C, K)
        Dense weights (``feats.W``).
    b : array-like, (K,)
        Dense bias (``feats.b``).
    c : int
        The class of q2.
    class_names : sequence of str, optional
        For the messages (``ct.CLASS_NAMES``).

    Returns
    -------
    q1, q2, q3 : Exercise
        q1 ``logits``: ``pooled @ W + b``, (N, K). q2 ``feature``: the feature
        with the largest positive weight for class c. q3 ``probs``: the
        softmax of the logits, (N, K) (uses q1's ``logits``).
    """
    pooled = checks.numeric_array(pooled, "pooled", (None, None))
    W = checks.numeric_array(W, "W", (pooled.shape[1], None))
    b = checks.numeric_array(b, "b", (W.shape[1],))
    c = checks.class_index(c, W.shape[1], "c")
    sheet = Sheet(pooled=pooled, W=W, b=b, c=c)
    logits = pooled @ W + b
    _ask_logits(sheet, pooled, W, b, c, logits)
    _ask_feature(sheet, pooled, W, c, named(c, class_names))
    _ask_probs(sheet, logits)
    return tuple(sheet.exercises)


def _ask_logits(sheet: Sheet, pooled: np.ndarray, W: np.ndarray, b: np.ndarray, c: int,
                logits: np.ndarray) -> None:
    """q1 ``logits``: ``pooled @ W + b``, (N, K)."""
    scale = float((np.abs(pooled) @ np.abs(W) + np.abs(b)).max())
    sheet.add(
        question="The logits (scores before the softmax) of every image: pooled @ W + b.",
        var="logits", code="logits = pooled @ W + b",
        answer=lambda: logits, kind=Numbers(scale=scale),
        why="the dense layer is a logistic regression on the pooled features: each score is "
            "a weighted vote of the features, plus a bias.",
        hints=("One matrix product and one addition: (N, C) @ (C, K) gives (N, K).",
               "pooled @ W + b (the bias broadcasts over the images)."),
        mistakes=[
            (lambda: pooled @ W, "you forgot the bias b."),
            (lambda: softmax(logits, axis=-1), "those are probabilities (after the softmax); "
                                               "the logits are the scores before it."),
            (lambda: expit(logits), "that is the sigmoid of the scores; the logits are "
                                    "the scores before any activation."),
            (lambda: pooled @ W[:, c] + b[c], "that is class c only; compute every class at "
                                              "once: pooled @ W + b."),
        ])


def _ask_feature(sheet: Sheet, pooled: np.ndarray, W: np.ndarray, c: int,
                 cname: str) -> None:
    """q2 ``feature``: the feature with the largest positive weight for class c."""
    sheet.add(
        question=f"Which feature has the largest positive weight for class {cname}?",
        var="feature", code="feature = np.argmax(W[:, c])",
        answer=lambda: np.argmax(W[:, c]), kind=Index(W.shape[0], "feature"),
        why=f"feature {np.argmax(W[:, c])} supports class {cname} the most: the more it is "
            f"found, the higher the score. A weight of 0 has no effect, a negative one "
            f"argues against the class.",
        hints=("W is (C, K): one row per feature, one column per class.",
               "Take the class's column W[:, c] and find the position of its maximum."),
        mistakes=[
            (lambda: np.argmax(W[c]), "W[c] is a *row*: the weights of feature c for every "
                                      "class. A class's weights are the column W[:, c]."),
            (lambda: np.argmin(W[:, c]), "that is the most *negative* weight (the largest "
                                         "in absolute value?): the feature that argues most "
                                         "*against* the class."),
            (lambda: np.argmax(W), "np.argmax(W) without an axis is a position in the "
                                   "flattened W, not a feature."),
            (lambda: np.argmax(pooled[0] * W[:, c]),
             "that is the feature that contributes most to image 0's score (pooled * weight); "
             "the question is about the weight alone."),
        ])


def _ask_probs(sheet: Sheet, logits: np.ndarray) -> None:
    """q3 ``probs``: the softmax of q1's logits, (N, K)."""
    sheet.add(
        question="The softmax probabilities of every image, (N, K), from the logits.",
        var="probs", code="probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)",
        answer=lambda: softmax(logits, axis=-1), kind=Numbers(scale=1.0),
        why="the softmax turns scores into probabilities that compete (they sum to 1); it "
            "keeps their order, so the top class is the same. CAMs explain the logits.",
        hints=("Exponentiate the logits, then divide each image's values by their sum.",
               "Sum over the classes (axis=1) and keep the axis (keepdims=True) to divide."),
        mistakes=[
            (lambda: softmax(logits, axis=0), "you normalised across the *images* (axis 0); "
                                              "the softmax normalises each image's scores "
                                              "across the classes (axis=1)."),
            (lambda: logits / logits.sum(axis=1, keepdims=True),
             "you forgot the exponential: np.exp(logits) first."),
            (lambda: np.exp(logits), "np.exp alone: divide by the sum over the classes."),
            (lambda: expit(logits), "that is the sigmoid of each score on its own; the "
                                    "softmax makes the classes compete (sum to 1)."),
        ])
