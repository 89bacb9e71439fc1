"""LIME (Ribeiro, Singh and Guestrin, 2016): a linear surrogate fitted on switched-off superpixels.

M. T. Ribeiro, S. Singh and C. Guestrin, '"Why should I trust you?":
Explaining the predictions of any classifier', KDD 2016 (arXiv:1602.04938).

For one image ``X`` cut into ``n`` superpixels and one class ``c``::

    z_s   in {0, 1}^n, s = 1 .. num_samples   # random on/off rows, z_1 = all on
    X(z)  = X where z is on, hide_color where off   # lime's default: each
                                                  # superpixel's mean colour
    y_s   = logit_c(X(z_s))                     # the model (score="probability": p_c)
    d_s   = cosine distance(z_s, 1)
    pi_s  = sqrt(exp(-d_s^2 / kernel_width^2))  # closer samples count more
    w, b  = argmin sum_s pi_s (y_s - b - w . z_s)^2 + ||w||^2   # ridge, alpha = 1
    map   = w painted on the superpixels        # (H, W), signed, raw
    R^2   = the weighted fit's score (fidelity of the surrogate)

This is the real ``lime`` package (``lime_image.LimeImageExplainer``: its
sampler's random draws, distances, kernel, ridge surrogate and explanation
object) with two changes that leave its numbers as they are: the perturbed
images are built a batch at a time inside one compiled function, as
``where(z[segments], X, hidden)``, which runs the model on them
``sample_batch`` at a time (lime's loop builds them one by one in NumPy and
its default batch is 10). The map explains
the logit, like every method of the course (lime's examples use the
probability). Superpixels come from :func:`camteach.superpixels.segment`
(SLIC by default, or lime's quickshift), labelled ``0 .. n-1``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace

import keras
import numpy as np
import tensorflow as tf
from lime import lime_image
from sklearn.metrics import pairwise_distances as sklearn_distances

from .. import checks, graph, superpixels
from .base import (CamResult, Method, check_score, compiled, model_images, probability_function,
                   require_tensorflow, score_function)

#: The options of ``ct.explain(..., method="lime", **options)`` and their defaults.
DEFAULTS = {"num_samples": 1000, "segmentation": "slic", "n_segments": 50, "compactness": 10.0,
            "seed": 0, "hide_color": None, "kernel_width": 0.25, "sample_batch": 128,
            "progress": None, "segments": None}
#: Runs over at least this many images show a progress bar (``progress=None``, a terminal).
PROGRESS_FROM = 10


@dataclass(frozen=True)
class LimeResult(CamResult):
    """A :class:`CamResult` (maps at the image's resolution, ``layer == "input"``) plus LIME's details.

    Attributes
    ----------
    segments : numpy.ndarray, int64, (N, H, W)
        The superpixels of each image, labels ``0 .. n_i - 1``.
    weights : tuple of N numpy.ndarray, float64, (K, n_i)
        The surrogate's weight of every superpixel, per explained class.
    intercepts : numpy.ndarray, float64, (N, K)
        The surrogate's intercept ``b``.
    r2 : numpy.ndarray, float64, (N, K)
        The weighted R^2 of the surrogate on its samples (lime's ``score``).
    num_samples : int
        Perturbed images per image (the model runs ``N * (num_samples + 1)`` images).
    samples : tuple of N (z, y)
        Each image's on/off rows ``z`` (num_samples, n_i) and the model's scores of
        them ``y`` (num_samples, classes): what the surrogate was fitted on
        (:func:`refit` fits it again on the first rows, without the model).
    options : dict
        The LIME options used.
    """

    segments: np.ndarray = None
    weights: tuple = ()
    intercepts: np.ndarray = None
    r2: np.ndarray = None
    num_samples: int = 0
    samples: tuple = ()
    options: dict = None


def _forward_functions(model: keras.Model, score: str = "logit"):
    """Compiled ``forward(x)`` and ``masked(on, segments, image, fudged)``, both to the
    logits (``score="logit"``) or to the model's own probabilities."""
    head = graph.find_classifier(model)
    tap, logits_of = graph.Tap(model, [head.score_input]), score_function(head)
    chosen = probability_function(head) if score == "probability" else tf.identity

    def scores_of(source):
        return chosen(logits_of(source))

    @tf.function(reduce_retracing=True)
    def forward(x):
        return scores_of(tap(x)[0])

    @tf.function(reduce_retracing=True)
    def masked(on, segments, image, fudged):
        keep = tf.gather(on, segments, axis=1)[..., None]              # (B, H, W, 1)
        return scores_of(tap(tf.where(keep, image[None], fudged[None]))[0])

    return forward, masked


def logit_function(model: keras.Model, score: str = "logit"):
    """The model's compiled forward pass to the logits, ``(M, H, W, C) -> (M, classes)``
    (to its probabilities with ``score="probability"``)."""
    return compiled(model, ("lime", "forward", score),
                    lambda: _forward_functions(model, score))[0]


def masked_logit_function(model: keras.Model, score: str = "logit"):
    """The same forward pass on perturbed images built inside it (one compiled function).

    ``(on (B, n) bool, segments (H, W) int, image (H, W, C), fudged (H, W, C))
    -> logits (B, classes)`` of ``where(on[segments], image, fudged)``: lime's
    perturbed images, made where the model runs instead of in NumPy.
    """
    return compiled(model, ("lime", "forward", score),
                    lambda: _forward_functions(model, score))[1]


class _Explainer(lime_image.LimeImageExplainer):
    """lime's explainer, its sampler vectorised; records each label's R^2."""

    def __init__(self, kernel_width: float, seed: int, masked=None, mean_fill: bool = False):
        super().__init__(kernel_width=kernel_width, random_state=seed)
        self.masked = masked
        self.mean_fill = mean_fill        # lime's mean colour for any channel count
        self.r2: dict[int, float] = {}
        fit = self.base.explain_instance_with_data

        def recorded(data, labels, distances, label, *args, **kwargs):
            out = fit(data, labels, distances, label, *args, **kwargs)
            self.r2[int(label)] = float(out[2])
            return out
        self.base.explain_instance_with_data = recorded

    def data_labels(self, image, fudged_image, segments, classifier_fn, num_samples,
                    batch_size=10, progress_bar=False):
        """lime's sampler (same random draws, same images), a batch at a time."""
        n_features = np.unique(segments).shape[0]
        if self.mean_fill:         # lime's own mean-colour loop reads exactly 3 channels
            fudged_image = mean_colours(image, segments)
        data = self.random_state.randint(0, 2, num_samples * n_features) \
            .reshape((num_samples, n_features))
        data[0, :] = 1
        labels = []
        if self.masked is not None:
            constants = [tf.constant(segments, tf.int32), tf.constant(image, tf.float32),
                         tf.constant(fudged_image, tf.float32)]
        for i in range(0, num_samples, batch_size):
            on = data[i:i + batch_size].astype(bool)                        # (B, n)
            if self.masked is not None:
                labels.append(self.masked(tf.constant(on), *constants).numpy())
            else:
                images = np.where(on[:, segments][..., None], image, fudged_image)
                labels.append(np.asarray(classifier_fn(images)))
        self.samples = (data, np.concatenate(labels))
        return self.samples


def mean_colours(image: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """Each pixel set to its superpixel's mean colour (lime's ``hide_color=None``).

    Parameters
    ----------
    image : numpy.ndarray, (H, W, C)
        Any number of channels C (lime's own loop needs C = 3).
    segments : numpy.ndarray of int, (H, W)
        Labels ``0 .. n-1``.

    Returns
    -------
    numpy.ndarray, (H, W, C), the image's dtype
    """
    seg = np.asarray(segments).ravel()
    flat = image.reshape(seg.size, -1).astype(np.float64)
    sizes = np.maximum(np.bincount(seg), 1)
    means = np.stack([np.bincount(seg, weights=flat[:, c], minlength=len(sizes)) / sizes
                      for c in range(flat.shape[1])], axis=-1)
    return means[seg].reshape(image.shape).astype(image.dtype)


def _hide_color(value, channels: int):
    if value is None:
        return None
    array = np.asarray(value, dtype=object if isinstance(value, str) else None)
    if array.dtype.kind not in "biuf" or array.shape not in ((), (channels,)) \
            or not np.all(np.isfinite(array.astype(np.float64))):
        raise ValueError(f"hide_color: expected None (each superpixel's mean colour), one "
                         f"number or {channels} numbers in the model's input units, "
                         f"got {value!r}")
    return array.astype(np.float64)


def _options(options: dict) -> dict:
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"{', '.join(unknown)}: lime takes no such option "
                         f"(its options: {', '.join(DEFAULTS)})")
    o = {**DEFAULTS, **options}
    o["num_samples"] = checks.int_in_range(o["num_samples"], "num_samples", 10)
    o["segmentation"] = checks.one_of(o["segmentation"], "segmentation", superpixels.METHODS)
    o["n_segments"] = checks.int_in_range(o["n_segments"], "n_segments", 2)
    o["compactness"] = checks.number_in(o["compactness"], "compactness", 0.0, 1e6, low_open=True)
    o["seed"] = checks.int_in_range(o["seed"], "seed", 0, 2**32 - 1)
    o["kernel_width"] = checks.number_in(o["kernel_width"], "kernel_width", 0.0, 1e6,
                                         low_open=True)
    o["sample_batch"] = checks.positive_int(o["sample_batch"], "sample_batch")
    if o["progress"] not in (None, True, False):
        raise ValueError(f"progress: expected None (automatic), True or False, "
                         f"got {o['progress']!r}")
    return o


def _images(model: keras.Model, images) -> np.ndarray:
    channels = model.inputs[0].shape[-1]
    if np.ndim(images) == 2:
        raise ValueError(f"images: got one grayscale image of shape {np.shape(images)}; the "
                         f"model reads (H, W, {channels}) images: give it {channels} "
                         f"channel(s) (e.g. "
                         + ("image[..., None])" if channels == 1 else
                            f"np.repeat(image[..., None], {channels}, axis=-1))"))
    shape = np.shape(images)
    if channels in (1, 3) and len(shape) in (3, 4) and shape[-1] in (1, 3) \
            and shape[-1] != channels:
        kind = {1: "grayscale (H, W, 1)", 3: "RGB (H, W, 3)"}
        raise ValueError(f"images: the model reads {kind[channels]} images, got "
                         f"{kind[shape[-1]]} images of shape {shape}; give the images the "
                         f"model was trained on")
    if channels not in (1, 3):
        raise ValueError(f"model: lime cuts images into superpixels and needs a model that "
                         f"reads grayscale (H, W, 1) or RGB (H, W, 3) images, got input shape "
                         f"{tuple(model.inputs[0].shape)}")
    return model_images(model, images)


def _given_segments(segments, shape: tuple) -> list:
    """Per image: the caller's superpixels relabelled ``0 .. n-1``, or None (cut them here)."""
    n, height, width = shape
    if segments is None:
        return [None] * n
    array = np.asarray(segments)
    if array.ndim == 2 and n == 1:
        array = array[None]
    if array.dtype.kind not in "iu" or array.shape != (n, height, width) or array.min() < 0:
        raise ValueError(f"segments: expected superpixel labels of ints >= 0, one (H, W) = "
                         f"({height}, {width}) map per image, i.e. shape ({n}, {height}, "
                         f"{width}); got dtype {array.dtype} and shape {array.shape}")
    return [np.unique(s, return_inverse=True)[1].reshape(s.shape).astype(np.int64)
            for s in array]


def _progress(items, show, total: int):
    if show is None:
        show = total >= PROGRESS_FROM and getattr(sys.stderr, "isatty", lambda: False)()
    if not show:
        return items
    from tqdm.auto import tqdm
    return tqdm(items, total=total, desc="LIME", unit="image")


class Lime(Method):
    """LIME through the ``lime`` package: superpixel weights of a ridge surrogate (see the module).

    Options (``ct.explain(model, images, "lime", ..., **options)``)
    ----------------------------------------------------------------
    num_samples : int >= 10, default 1000
        Perturbed images per explained image.
    segmentation : {"slic", "quickshift"}
        How to cut the image (:func:`camteach.superpixels.segment`).
    n_segments : int, default 50; compactness : float, default 10
        SLIC's settings.
    seed : int, default 0
        Seeds the on/off samples and quickshift: the same seed gives the same map.
    segments : None or int array (N, H, W) (or (H, W) for one image)
        Superpixels cut beforehand, e.g. on the raw photo when the model
        reads preprocessed input (ResNet50's BGR minus the mean pixel);
        ``segmentation``, ``n_segments`` and ``compactness`` are then unused.
    hide_color : None, a number or (3,) numbers
        What a switched-off superpixel shows: None (lime's default) its own
        mean colour; else this colour, in the model's input units.
    kernel_width : float, default 0.25
        Width of the kernel on the cosine distance (lime's default).
    sample_batch : int, default 128
        Perturbed images per forward pass. (``batch_size`` is, as for every
        method, the explained images per forward pass.)
    progress : None, True or False
        A progress bar over the images; None: on a terminal from
        :data:`PROGRESS_FROM` images (never in a notebook).

    ``score="probability"`` fits the surrogate to the model's own probability
    (lime's examples) instead of the logit; classes are chosen by logit either way.
    ``layer`` must stay None: LIME perturbs the input, and its maps have the
    image's resolution; ``result.layer`` is ``"input"``.
    """

    name = "lime"
    gradients = False
    maps_at_input = True

    def explain(self, model: keras.Model, images, classes=None, top: int = 1, layer=None, *,
                batch_size: int = 32, score: str = "logit", **options) -> LimeResult:
        o = _options(options)
        require_tensorflow()
        graph.check_model(model)
        score = check_score(score, self, graph.find_classifier(model))
        if layer is not None and layer != "input":
            raise ValueError(f"layer: lime perturbs the input image and reads no layer; "
                             f"leave layer=None, got {layer!r}")
        x = _images(model, images)
        batch_size = checks.positive_int(batch_size, "batch_size")
        hide = _hide_color(o["hide_color"], x.shape[-1])
        forward = logit_function(model)
        logits = np.concatenate([forward(tf.constant(x[i:i + batch_size])).numpy()
                                 for i in range(0, len(x), batch_size)]).astype(np.float32)
        num_classes = logits.shape[1]
        if classes is None:
            k = checks.positive_int(top, "top", high=num_classes)
            chosen = np.argsort(-logits, axis=1, kind="stable")[:, :k].astype(np.int64)
        else:
            chosen = checks.class_indices(classes, len(x), num_classes)

        explained = logit_function(model, score)

        def classifier_fn(batch: np.ndarray) -> np.ndarray:
            return explained(tf.constant(batch, tf.float32)).numpy()

        masked = masked_logit_function(model, score)
        given = _given_segments(o["segments"], x.shape[:3])
        parts = [self._one(image, row, classifier_fn, masked, hide, o, seg)
                 for image, row, seg in _progress(zip(x, chosen, given), o["progress"], len(x))]
        segments, weights, intercepts, r2, samples = zip(*parts)
        maps = np.stack([superpixels.paint(s, w) for s, w in zip(segments, weights)])
        return LimeResult(maps=maps.astype(np.float32), classes=chosen, logits=logits,
                          layer="input", segments=np.stack(segments), weights=tuple(weights),
                          intercepts=np.array(intercepts), r2=np.array(r2),
                          num_samples=o["num_samples"], samples=tuple(samples),
                          options={**o, "score": score})

    @staticmethod
    def _one(image: np.ndarray, classes: np.ndarray, classifier_fn, masked, hide, o: dict,
             seg: np.ndarray | None):
        """Segments (H, W), weights (K, n), intercepts (K,) and R^2 (K,) of one image."""
        if seg is None:
            seg = superpixels.segment(image, o["segmentation"], o["n_segments"], o["seed"],
                                      compactness=o["compactness"])
        mean_fill = hide is None and image.shape[-1] != 3
        explainer = _Explainer(o["kernel_width"], o["seed"], masked, mean_fill)
        exp = explainer.explain_instance(
            image, classifier_fn, labels=tuple(int(c) for c in classes),
            hide_color=0.0 if mean_fill else hide,
            top_labels=None, num_samples=o["num_samples"], batch_size=o["sample_batch"],
            segmentation_fn=lambda _image: seg, random_seed=o["seed"])
        w = np.zeros((len(classes), superpixels.count(seg)))
        for j, c in enumerate(classes):
            for feature, value in exp.local_exp[int(c)]:
                w[j, feature] = value
        return (seg, w, [exp.intercept[int(c)] for c in classes],
                [explainer.r2[int(c)] for c in classes], explainer.samples)


def refit(result: LimeResult, num_samples: int) -> LimeResult:
    """The same LIME with fewer samples, without running the model again.

    lime draws the on/off rows of ``num_samples`` samples as the first rows
    of a larger draw with the same seed, so LIME with ``num_samples=m`` is the
    surrogate fitted on the first ``m`` rows (and scores) of ``result``: this
    fits it there (a ridge fit per image and class, milliseconds).

    Parameters
    ----------
    result : LimeResult
        From ``ct.explain(..., method="lime")``.
    num_samples : int
        10 <= m <= ``result.num_samples``.

    Returns
    -------
    LimeResult
        Equal to LIME run with ``num_samples=m`` (same seed, segments, classes).
    """
    if not isinstance(result, LimeResult) or not result.samples:
        raise ValueError(f"result: expected a LimeResult from method='lime', "
                         f"got {type(result).__name__}")
    m = checks.int_in_range(num_samples, "num_samples", 10, result.num_samples)
    explainer = _Explainer(result.options["kernel_width"], result.options["seed"])
    weights, intercepts, r2 = [], [], []
    for (data, labels), row in zip(result.samples, result.classes):
        z, y = data[:m], labels[:m]
        distances = sklearn_distances(z, z[0].reshape(1, -1), metric="cosine").ravel()
        w = np.zeros((len(row), z.shape[1]))
        b = []
        for j, c in enumerate(row):
            intercept, local, _, _ = explainer.base.explain_instance_with_data(
                z, y, distances, int(c), 100000, feature_selection=explainer.feature_selection)
            for feature, value in local:
                w[j, feature] = value
            b.append(intercept)
        weights.append(w)
        intercepts.append(b)
        r2.append([explainer.r2[int(c)] for c in row])
    maps = np.stack([superpixels.paint(s, w) for s, w in zip(result.segments, weights)])
    return replace(result, maps=maps.astype(np.float32), weights=tuple(weights),
                   intercepts=np.array(intercepts), r2=np.array(r2), num_samples=m,
                   samples=tuple((d[:m], y[:m]) for d, y in result.samples),
                   options={**result.options, "num_samples": m})


# --- Grad-CAM versus LIME, measured against the scenes' truth (lesson 09, course.py lime) ----

@dataclass(frozen=True)
class Comparison:
    """Grad-CAM and LIME on the same scenes and classes, measured scene by scene.

    Attributes
    ----------
    grad, lime : CamResult, LimeResult
        The two explanations (Grad-CAM 7x7 at its default layer, LIME at 224x224).
    seconds : dict str -> float
        Seconds per image of each method, measured in this run.
    calls : dict str -> str
        What each method asks of the model per image.
    spearman : numpy.ndarray, (N,)
        Rank correlation of Grad-CAM's superpixel means with LIME's weights (NaN: constant).
    overlap : numpy.ndarray, (N,)
        Share of LIME's top-k superpixels among Grad-CAM's top-k.
    truth : dict str -> dict str -> numpy.ndarray (N,)
        Per method: "pointing" (15 px), "strict" (on the object), "iou" (CAM box at
        ``box_threshold`` against the true box), "energy" (positive mass on the object).
    k : int
    """

    grad: CamResult
    lime: LimeResult
    seconds: dict
    calls: dict
    spearman: np.ndarray
    overlap: np.ndarray
    truth: dict
    k: int


def _truth(maps: np.ndarray, scenes, box_threshold: float) -> dict:
    from .. import metrics
    from ..heatmap import upsample
    heat = upsample(maps, scenes.masks.shape[1:]) if maps.shape[1:] != scenes.masks.shape[1:] \
        else maps
    boxes = np.stack([metrics.cam_box(h, box_threshold) for h in heat])
    return {"pointing": metrics.pointing_game(heat, scenes.masks),
            "strict": metrics.pointing_game(heat, scenes.masks, tolerance=0),
            "iou": metrics.box_iou(boxes, scenes.boxes),
            "energy": metrics.energy_pointing(heat, scenes.masks)}


def agreement(grad: CamResult, lime: LimeResult, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """How far a CAM-type map and LIME agree, read over LIME's superpixels (first class of each).

    The CAM map is upsampled to the image (:func:`camteach.upsample`) and
    averaged over each superpixel, so both methods give one number per
    superpixel.

    Parameters
    ----------
    grad : CamResult
        Maps (N, K, h, w) of any resolution; the first class of each image is read.
    lime : LimeResult
        LIME of the same images and classes (``segments`` (N, H, W)).
    k : int
        How many top superpixels to compare.

    Returns
    -------
    spearman : numpy.ndarray, (N,)
        Spearman's rank correlation of the superpixel means with LIME's
        weights (NaN when one of them is constant).
    overlap : numpy.ndarray, (N,)
        The share of LIME's top-k superpixels among the CAM's top-k.
    """
    from ..heatmap import upsample
    k = checks.positive_int(k, "k")
    if len(grad.maps) != len(lime.segments):
        raise ValueError(f"lime: expected LIME of the same {len(grad.maps)} image(s) as grad, "
                         f"got {len(lime.segments)}")
    heat = upsample(grad.maps[:, 0], lime.segments.shape[1:3])
    spearman, overlap = [], []
    for h, seg, w in zip(heat, lime.segments, lime.weights):
        means = superpixels.superpixel_means(h, seg)
        spearman.append(superpixels.rank_correlation(means, w[0]))
        overlap.append(superpixels.top_overlap(w[0], means, min(k, len(means))))
    return np.array(spearman), np.array(overlap)


def compare(model: keras.Model, scenes, *, k: int = 5, box_threshold: float = 0.2,
            **lime_options) -> Comparison:
    """Grad-CAM and LIME explaining each scene's true class, timed and measured.

    Parameters
    ----------
    model : keras.Model
        The course model (or any model the scenes suit).
    scenes : camteach.Scenes
        One object per scene (``labels`` (N,), ``masks`` (N, H, W), ``boxes`` (N, 4)).
    k : int
        How many top superpixels the overlap compares.
    box_threshold : float
        The CAM-box threshold (fraction of the map's maximum), the same for both.
    **lime_options
        Passed to LIME (``num_samples``, ``segmentation``, ``seed``, ...).

    Returns
    -------
    Comparison
    """
    import time

    from . import explain
    if np.ndim(scenes.labels) != 1:
        raise ValueError("scenes: expected one object per scene (make_scenes(..., objects=1))")
    images = scenes.images.astype(np.float32)
    explain(model, images[:1], "grad_cam", classes=scenes.labels[:1])        # traces, untimed
    Lime().explain(model, images[:1], classes=scenes.labels[:1],
                   **{**lime_options, "progress": False})
    start = time.perf_counter()
    grad = explain(model, images, "grad_cam", classes=scenes.labels)
    grad_seconds = (time.perf_counter() - start) / len(images)
    start = time.perf_counter()
    lime = Lime().explain(model, images, classes=scenes.labels, **lime_options)
    lime_seconds = (time.perf_counter() - start) / len(images)
    spearman, overlap = agreement(grad, lime, k)
    return Comparison(
        grad=grad, lime=lime, seconds={"grad_cam": grad_seconds, "lime": lime_seconds},
        calls={"grad_cam": "1 forward + 1 backward",
               "lime": f"{lime.num_samples + 1} forwards"},
        spearman=spearman, overlap=overlap,
        truth={"grad_cam": _truth(grad.maps[:, 0], scenes, box_threshold),
               "lime": _truth(lime.maps[:, 0], scenes, box_threshold)}, k=k)


def stability(model: keras.Model, images, classes, *, seeds=(0, 1, 2, 3, 4),
              samples=(100, 300, 1000, 3000), k: int = 5, **lime_options) -> dict:
    """How much LIME's top-k superpixels move with the seed and with ``num_samples``.

    Returns
    -------
    dict
        ``"seeds"``: (N,) mean pairwise top-k overlap over ``seeds`` (at
        ``num_samples`` of the options, default 1000); ``"samples"``: dict
        level -> (N,) top-k overlap of that level with the largest one (seed 0).

    The first seed runs once at the largest level; its smaller levels are
    exact refits (:func:`refit`), so the model runs ``N * (max(samples) +
    (len(seeds) - 1) * num_samples)`` perturbed images.
    """
    base = {**lime_options, "seed": lime_options.get("seed", 0)}
    n_seed = base.get("num_samples", DEFAULTS["num_samples"])
    # one run per seed; the first seed runs at the largest level and every smaller level
    # (and its own n_seed-sample run) is an exact refit of it: no model call repeated
    first = Lime().explain(model, images, classes,
                           **{**base, "seed": seeds[0], "num_samples": max(*samples, n_seed)})

    def at(result: LimeResult, n: int) -> tuple:
        return (result if n == result.num_samples else refit(result, n)).weights

    by_seed = [at(first, n_seed)] + [
        Lime().explain(model, images, classes, **{**base, "seed": s}).weights
        for s in seeds[1:]]
    pairs = [(a, b) for a in range(len(seeds)) for b in range(a + 1, len(seeds))]
    seed_overlap = np.array([np.mean([superpixels.top_overlap(by_seed[a][i][0], by_seed[b][i][0], k)
                                      for a, b in pairs]) for i in range(len(by_seed[0]))])
    by_level = {n: at(first, n) for n in samples}
    reference = by_level[max(samples)]
    level_overlap = {n: np.array([superpixels.top_overlap(w[0], ref[0], k)
                                  for w, ref in zip(by_level[n], reference)])
                     for n in samples if n != max(samples)}
    return {"seeds": seed_overlap, "samples": level_overlap}
