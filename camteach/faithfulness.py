"""Does the model need what the map points at? Deletion, insertion and ROAD.

- :func:`deletion_auc` (Petsiuk et al. 2018, "RISE", BMVC): remove the
  pixels in the order of the map, most relevant first, and watch the class
  score fall. A faithful map makes it fall fast: a *low* area under the curve.
- :func:`insertion_auc` (same paper): start from a blurred copy and restore
  the original pixels in the map's order. A faithful map makes the score rise
  fast: a *high* area.
- :func:`road` (Rong et al. 2022, "A consistent and efficient evaluation
  strategy for attribution methods", ICML): removed pixels are not painted a
  flat colour, whose outline would itself tell the class, but imputed from
  their neighbours (noisy linear imputation); most relevant first (MoRF,
  low is good) and least relevant first (LeRF, high is good).

Maps come at any resolution (a 7x7 CAM or the image's) and are upsampled
the course's one way (:func:`camteach.upsample`, bilinear) to the image
size before the pixels are ranked; ties are broken by a fixed random order
(a ReLU'd map has many zeros, and row-major order would favour the top
rows). Every perturbed image goes through one compiled forward pass per
model (:func:`class_scores`), ``batch_size`` images at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import scipy.sparse as sparse
import tensorflow as tf
from scipy import ndimage
from scipy.sparse.linalg import splu

from . import checks, graph
from .heatmap import upsample
from .methods.base import compiled, model_images, score_function

SCORES = ("probability", "logit")
SUBSTRATES = ("zero", "mean", "blur")
#: Petsiuk et al.'s insertion start: their 11x11 Gaussian kernel with sigma 5 px.
BLUR_SIGMA = 5.0
#: ROAD's removal percentages (Rong et al. 2022 evaluate 10%, 20%, ..., 90%).
ROAD_PERCENTAGES = (10, 20, 30, 40, 50, 60, 70, 80, 90)
#: Noisy linear imputation: neighbour weights (Rong et al.'s code: 1/6 for the
#: 4 direct neighbours, 1/12 for the 4 diagonal ones).
NEIGHBOURS = tuple((dy, dx, 1 / 6 if dy == 0 or dx == 0 else 1 / 12)
                   for dy in (-1, 0, 1) for dx in (-1, 0, 1) if (dy, dx) != (0, 0))


@dataclass(frozen=True)
class Curves:
    """Scores of perturbed images along a pixel order.

    Attributes
    ----------
    fractions : numpy.ndarray, float64, (S + 1,)
        The share of the pixels removed (deletion) or restored (insertion),
        from 0 to 1.
    scores : numpy.ndarray, float64, (N, S + 1)
        The explained class's score (probability or logit) at each step.
    auc : numpy.ndarray, float64, (N,)
        The normalised area under each curve: the trapezoid rule over
        ``fractions`` (the x axis runs from 0 to 1), i.e. the curve's mean
        height, in the units of the score.
    """

    fractions: np.ndarray
    scores: np.ndarray
    auc: np.ndarray


def normalised_auc(scores, fractions) -> np.ndarray:
    """Trapezoid area under ``scores`` (..., S + 1) over ``fractions`` (S + 1,) in [0, 1].

    With equal steps this is Petsiuk et al.'s ``(sum - first/2 - last/2) / S``.
    """
    scores, x = np.asarray(scores, np.float64), np.asarray(fractions, np.float64)
    return ((scores[..., 1:] + scores[..., :-1]) / 2 * np.diff(x)).sum(axis=-1) / (x[-1] - x[0])


def _logits_function(model: keras.Model):
    head = graph.find_classifier(model)
    tap, scores_of = graph.Tap(model, [head.score_input]), score_function(head)

    @tf.function(reduce_retracing=True)
    def logits(x):
        return scores_of(tap(x)[0])

    return logits


def _to_score(logits: np.ndarray, model: keras.Model, score: str) -> np.ndarray:
    if score == "logit":
        return logits
    activation = graph.find_classifier(model).activation
    if activation == "softmax":
        shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
        return shifted / shifted.sum(axis=-1, keepdims=True)
    if activation == "sigmoid":
        return 1.0 / (1.0 + np.exp(-logits))
    if activation == "linear":
        raise ValueError("score: the model has no output activation, so there is no "
                         "probability; use score='logit'")
    return np.asarray(keras.activations.get(activation)(logits), np.float64)


def class_scores(model: keras.Model, images, classes, score: str = "probability", *,
                 batch_size: int = 64) -> np.ndarray:
    """The score of ``classes`` for ``images``, through the model's one compiled forward pass.

    Parameters
    ----------
    model : keras.Model
    images : array-like, (M, H, W, C)
        Preprocessed for the model.
    classes : array-like of int, (M,)
    score : {"probability", "logit"}
        The model's output (after its softmax or sigmoid) or the logit before it.
    batch_size : int

    Returns
    -------
    numpy.ndarray, float64, (M,)
    """
    checks.one_of(score, "score", SCORES)
    batch_size = checks.positive_int(batch_size, "batch_size")
    x = model_images(model, images)
    picked = checks.class_indices(classes, len(x), int(model.outputs[0].shape[-1]))
    if picked.shape[1] != 1:
        raise ValueError(f"classes: expected one class per image ({len(x)},), got shape "
                         f"{picked.shape}")
    fn = compiled(model, "faithfulness.logits", lambda: _logits_function(model))
    logits = np.concatenate([fn(tf.constant(x[i:i + batch_size])).numpy()
                             for i in range(0, len(x), batch_size)]).astype(np.float64)
    return _to_score(logits, model, score)[np.arange(len(x)), picked[:, 0]]


def _checked(model, images, maps, classes):
    """(x float32 (N, H, W, C), heat float32 (N, H, W), classes int64 (N,))."""
    x = model_images(model, images)
    n, size = len(x), x.shape[1:3]
    heat = checks.finite_maps(maps, name="maps", min_ndim=3)
    if heat.ndim == 4 and heat.shape[1] == 1:
        heat = heat[:, 0]                             # a CamResult's (N, 1, h, w)
    if heat.ndim != 3 or len(heat) != n:
        raise ValueError(f"maps: expected one map per image, (N={n}, h, w) or (N, 1, h, w), "
                         f"got shape {np.shape(maps)}")
    if heat.shape[1:] != size:
        heat = upsample(heat, size)
    num_classes = int(model.outputs[0].shape[-1])
    classes = checks.class_indices(classes, n, num_classes)
    if classes.shape[1] != 1:
        raise ValueError(f"classes: expected one class per image ({n},), got shape "
                         f"{classes.shape}")
    return x, heat, classes[:, 0]


def pixel_order(heat: np.ndarray, seed: int = 0) -> np.ndarray:
    """Each map's pixel indices, most relevant first (N, H*W); ties in a fixed random order."""
    flat = heat.reshape(len(heat), -1)
    tiebreak = np.random.default_rng(seed).random(flat.shape[1])
    return np.stack([np.lexsort((tiebreak, -row)) for row in flat])


def substrate_images(x: np.ndarray, kind: str, blur_sigma: float = BLUR_SIGMA) -> np.ndarray:
    """What removed pixels become: ``"zero"``, each image's ``"mean"`` colour, or a ``"blur"``.

    The blur is a Gaussian of ``blur_sigma`` px cut at 11x11 for the default
    5 px (radius ``round(sigma)``), as Petsiuk et al.'s insertion start.
    """
    checks.one_of(kind, "substrate", SUBSTRATES)
    if kind == "zero":
        return np.zeros_like(x)
    if kind == "mean":
        return np.broadcast_to(x.mean(axis=(1, 2), keepdims=True), x.shape).copy()
    return ndimage.gaussian_filter(x, sigma=(0, blur_sigma, blur_sigma, 0), truncate=1.0,
                                   mode="reflect").astype(np.float32)


def _curves(model, x, order, start, end, classes, steps, score, batch_size) -> Curves:
    """Scores of images showing ``end`` on the first pixels of ``order``, ``start`` elsewhere."""
    steps = checks.positive_int(steps, "steps")
    n, height, width = x.shape[:3]
    pixels = height * width
    per_step = -(-pixels // steps)
    counts = np.minimum(np.arange(steps + 1) * per_step, pixels)
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(pixels)[None], axis=1)
    rank = rank.reshape(n, height, width)
    rows = [(i, j) for i in range(n) for j in range(steps + 1)]
    scores = np.empty(len(rows))
    for b in range(0, len(rows), batch_size):
        chunk = rows[b:b + batch_size]
        batch = np.stack([np.where((rank[i] < counts[j])[..., None], end[i], start[i])
                          for i, j in chunk])
        scores[b:b + len(chunk)] = class_scores(model, batch, classes[[i for i, _ in chunk]],
                                                score, batch_size=batch_size)
    scores = scores.reshape(n, steps + 1)
    fractions = counts / pixels
    return Curves(fractions=fractions, scores=scores, auc=normalised_auc(scores, fractions))


def deletion_curves(model: keras.Model, images, maps, classes, *, steps: int = 32,
                    score: str = "probability", substrate: str = "mean",
                    batch_size: int = 64, seed: int = 0) -> Curves:
    """Petsiuk et al.'s deletion: remove pixels, most relevant first, and score each step.

    Parameters
    ----------
    model : keras.Model
        A classifier (any head; see ``score``).
    images : array-like, (N, H, W, C)
        Preprocessed for the model.
    maps : array-like, (N, h, w) or (N, 1, h, w)
        One raw map per image, at any resolution (upsampled bilinearly).
    classes : int or array-like of int, (N,)
        The class each map explains.
    steps : int
        How many steps from the whole image to none of it (``ceil(H*W /
        steps)`` pixels a step; Petsiuk et al. remove 224 of 224x224 a step,
        i.e. ``steps=224``).
    score : {"probability", "logit"}
        The model's output probability (their choice) or the logit.
    substrate : {"mean", "zero", "blur"}
        What a removed pixel becomes. "mean": the image's mean colour (what
        Petsiuk et al.'s zero is for inputs normalised by the mean colour;
        this course's models read raw RGB, where zero is black).
    batch_size : int
        Perturbed images per forward pass.
    seed : int
        The tie-breaking order of equal map values.

    Returns
    -------
    Curves
    """
    x, heat, classes = _checked(model, images, maps, classes)
    order = pixel_order(heat, seed)
    start, end = x, substrate_images(x, substrate)
    return _curves(model, x, order, start, end, classes, steps, score,
                   checks.positive_int(batch_size, "batch_size"))


def insertion_curves(model: keras.Model, images, maps, classes, *, steps: int = 32,
                     score: str = "probability", blur_sigma: float = BLUR_SIGMA,
                     batch_size: int = 64, seed: int = 0) -> Curves:
    """Petsiuk et al.'s insertion: from a blurred image, restore pixels most relevant first.

    Arguments as :func:`deletion_curves`; ``blur_sigma`` (px) sets the start
    (their 11x11 Gaussian kernel with sigma 5 by default).
    """
    x, heat, classes = _checked(model, images, maps, classes)
    blur_sigma = checks.number_in(blur_sigma, "blur_sigma", 0.0, np.inf, low_open=True)
    order = pixel_order(heat, seed)
    start, end = substrate_images(x, "blur", blur_sigma), x
    return _curves(model, x, order, start, end, classes, steps, score,
                   checks.positive_int(batch_size, "batch_size"))


def deletion_auc(model: keras.Model, images, maps, classes, **options) -> np.ndarray:
    """Area under the deletion curve, (N,) float64 (lower: a more faithful map).

    See :func:`deletion_curves` for the arguments and options.
    """
    return deletion_curves(model, images, maps, classes, **options).auc


def insertion_auc(model: keras.Model, images, maps, classes, **options) -> np.ndarray:
    """Area under the insertion curve, (N,) float64 (higher: a more faithful map).

    See :func:`insertion_curves` for the arguments and options.
    """
    return insertion_curves(model, images, maps, classes, **options).auc


def noisy_linear_imputation(image, removed, noise: float = 0.01, seed: int = 0) -> np.ndarray:
    """Rong et al.'s imputation: each removed pixel is the weighted mean of its 8 neighbours.

    Solves the sparse linear system ``sum_q w_q (v_p - v_q) = 0`` for every
    removed pixel ``p`` (neighbours ``q`` inside the image, removed or not;
    ``w`` = 1/6 direct, 1/12 diagonal), one right-hand side per channel, and
    adds Gaussian noise of ``noise`` times the image's standard deviation to
    the imputed pixels (their 0.01 on standardised inputs).

    Parameters
    ----------
    image : array-like, (H, W, C)
    removed : array-like of bool, (H, W)
    noise : float >= 0
    seed : int

    Returns
    -------
    numpy.ndarray, float32, (H, W, C)
        ``image`` with the removed pixels imputed; the others unchanged.
    """
    image = np.asarray(image, np.float64)
    removed = np.asarray(removed, bool)
    if image.ndim != 3 or removed.shape != image.shape[:2]:
        raise ValueError(f"removed: expected a mask (H, W) = {image.shape[:2]} for an image "
                         f"(H, W, C), got {removed.shape} for {image.shape}")
    noise = checks.number_in(noise, "noise", 0.0, np.inf)
    height, width, channels = image.shape
    unknown = np.flatnonzero(removed)
    out = image.copy().reshape(-1, channels)
    if len(unknown) == 0:
        return out.reshape(image.shape).astype(np.float32)
    if len(unknown) == removed.size:
        raise ValueError("removed: at least one pixel must be kept to impute from")
    index = np.full(removed.size, -1)
    index[unknown] = np.arange(len(unknown))
    ys, xs = np.divmod(unknown, width)
    diagonal, rhs = np.zeros(len(unknown)), np.zeros((len(unknown), channels))
    rows, cols, vals = [np.arange(len(unknown))], [np.arange(len(unknown))], []
    for dy, dx, w in NEIGHBOURS:
        y, x = ys + dy, xs + dx
        inside = (y >= 0) & (y < height) & (x >= 0) & (x < width)
        diagonal[inside] += w
        q = np.where(inside, y * width + x, 0)
        also_removed = inside & removed.ravel()[q]
        rows.append(np.flatnonzero(also_removed))
        cols.append(index[q[also_removed]])
        vals.append(np.full(also_removed.sum(), -w))
        known = inside & ~removed.ravel()[q]
        rhs[known] += w * out[q[known]]
    matrix = sparse.csc_matrix((np.concatenate([diagonal] + vals),
                                (np.concatenate(rows), np.concatenate(cols))),
                               shape=(len(unknown), len(unknown)))
    values = splu(matrix).solve(rhs)
    values += np.random.default_rng(seed).normal(0, noise * image.std() or 0.0, values.shape)
    out[unknown] = values
    return out.reshape(image.shape).astype(np.float32)


@dataclass(frozen=True)
class Road:
    """ROAD curves: class scores after imputing a share of the pixels.

    Attributes
    ----------
    percentages : numpy.ndarray, int64, (P,)
        The removed share of the pixels, in %.
    morf, lerf : numpy.ndarray, float64, (N, P)
        Scores with the most (least) relevant pixels removed first.
    morf_auc, lerf_auc : numpy.ndarray, float64, (N,)
        Their normalised areas from 0% (the intact image) to the last
        percentage (see :func:`normalised_auc`): MoRF low and LeRF high is
        faithful.
    """

    percentages: np.ndarray
    morf: np.ndarray
    lerf: np.ndarray
    morf_auc: np.ndarray
    lerf_auc: np.ndarray

    @property
    def gap(self) -> np.ndarray:
        """``lerf_auc - morf_auc`` (N,): positive when the map's order matters the right way."""
        return self.lerf_auc - self.morf_auc


def road(model: keras.Model, images, maps, classes, *,
         percentages=ROAD_PERCENTAGES, score: str = "probability", noise: float = 0.01,
         batch_size: int = 64, seed: int = 0) -> Road:
    """ROAD (Rong et al. 2022): remove and debias, most or least relevant first.

    For each percentage, the top (MoRF) or bottom (LeRF) share of the pixels
    in the map's order is replaced by :func:`noisy_linear_imputation`, so
    that the removed region's outline does not tell the class; the model is
    not retrained (that is ROAR's cost, which ROAD avoids).

    Parameters
    ----------
    model, images, maps, classes, score, batch_size, seed
        As :func:`deletion_curves`.
    percentages : sequence of int in (0, 100)
        Shares of the pixels to remove, increasing.
    noise : float >= 0
        The imputation noise, a multiple of each image's standard deviation.

    Returns
    -------
    Road

    Notes
    -----
    Each imputation is an exact sparse solve (scipy's SuperLU); large
    removed regions cost up to about a second per 224x224 image here.
    """
    x, heat, classes = _checked(model, images, maps, classes)
    percentages = checks.numeric_array(percentages, "percentages", (None,), dtype=None)
    if percentages.dtype.kind not in "iu" or len(percentages) == 0 \
            or np.any(percentages <= 0) or np.any(percentages >= 100) \
            or np.any(np.diff(percentages) <= 0):
        raise ValueError(f"percentages: expected increasing ints in (0, 100), got {percentages!r}")
    noise = checks.number_in(noise, "noise", 0.0, np.inf)
    order = pixel_order(heat, seed)
    n, pixels = len(x), order.shape[1]
    intact = class_scores(model, x, classes, score, batch_size=batch_size)
    curves = {}
    for name, ranked in (("morf", order), ("lerf", order[:, ::-1])):
        imputed = np.empty((n, len(percentages)) + x.shape[1:], np.float32)
        for i in range(n):
            for j, p in enumerate(percentages):
                removed = np.zeros(pixels, bool)
                removed[ranked[i, :int(round(p / 100 * pixels))]] = True
                imputed[i, j] = noisy_linear_imputation(
                    x[i], removed.reshape(x.shape[1:3]), noise, seed=seed + 7919 * i + j)
        scores = class_scores(model, imputed.reshape(-1, *x.shape[1:]),
                              np.repeat(classes, len(percentages)), score,
                              batch_size=batch_size).reshape(n, -1)
        curves[name] = scores
    axis = np.concatenate([[0.0], percentages / 100])
    auc = {name: normalised_auc(np.concatenate([intact[:, None], s], axis=1), axis)
           for name, s in curves.items()}
    return Road(percentages=percentages.astype(np.int64), morf=curves["morf"],
                lerf=curves["lerf"], morf_auc=auc["morf"], lerf_auc=auc["lerf"])
