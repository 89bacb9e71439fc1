"""Training and evaluating the course models (instructors only: the weights ship).

    python3 course.py train      # retrain both shipped models, write weights + report
    python3 course.py evaluate   # print the shipped model's figures

Scenes come from seeds that never mix: ``TRAIN_SEED`` for training the course
model (the shortcut model trains on seed 4), ``metrics.VAL_SEED`` for choosing
the box threshold (``metrics.choose_threshold``) and comparing recipes,
``TEST_SEED`` for every figure the course reports (the lessons use test scenes
too). :func:`train` refuses the validation and test seeds.

Each shipped model has the head its loss trained (:func:`head_for`): with
``loss="one_vs_rest"``, one logistic regression per class, a sigmoid.
"""

from __future__ import annotations

import math
import multiprocessing
import time
from dataclasses import asdict, dataclass

import keras
import numpy as np
import tensorflow as tf

from . import checks, metrics
from .heatmap import upsample
from .maps import features
from .methods import cam
from .metrics import VAL_SEED, choose_threshold
from .course_model import with_head  # noqa: F401  (re-exported: tools use training.with_head)
from .scenes import (CLASS_NAMES, CUE_COLOR, TEST_SEED, TRAIN_SEED, make_backgrounds,
                     make_scenes, scene_batches)
#: What :class:`TrainConfig` can build.
ARCHITECTURES = ("course", "vgg")
#: A scene carries the shortcut cue when at least this many pixels have its exact colour
#: (the smallest cue, a 6 px corner square, has 36; the palette keeps the colour for the cue).
_CUE_PIXELS = 32


def _chunk(args) -> tuple[np.ndarray, np.ndarray]:
    n, seed, start, kwargs = args
    if kwargs.get("objects") == 0:
        return make_backgrounds(n, seed=seed, start=start), np.full(n, -1, np.int64)
    return next(scene_batches(n, seed=seed, start=start, **kwargs))


def scene_arrays(n: int, seed: int, workers: int = 2, **kwargs) -> tuple[np.ndarray, np.ndarray]:
    """Images (n, 224, 224, 3) uint8 and labels (n,) from ``make_scenes``, in parallel.

    The result does not depend on ``workers``: scene i depends only on (seed, i).
    ``objects=0`` gives backgrounds with no object (label -1).
    """
    step, offset = 500, kwargs.pop("start", 0)
    jobs = [(min(step, n - s), seed, offset + s, kwargs) for s in range(0, n, step)]
    if workers > 1 and len(jobs) > 1:
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            parts = pool.map(_chunk, jobs)
    else:
        parts = [_chunk(job) for job in jobs]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


@dataclass
class TrainConfig:
    """What a training run does; stored in the report next to the weights."""

    scenes: int = 19200
    epochs: int = 2
    batch_size: int = 32
    learning_rate: float = 2e-3
    widths: tuple[int, ...] = (32, 64, 128, 256)
    seed: int = TRAIN_SEED
    shortcut: str | None = None
    shortcut_class: str = "car"
    #: With ``shortcut``: keep only the ``shortcut_class`` scenes that carry the cue
    #: (the scenes put it on 95% of them), so that the cue comes with every one.
    shortcut_always: bool = False
    backgrounds: int = 4800
    loss: str = "one_vs_rest"
    #: ``"course"`` (:func:`~camteach.course_model.build_course_model`, GAP head) or
    #: ``"vgg"`` (:func:`~camteach.course_model.build_vgg_model`, Flatten + Dense head).
    architecture: str = "course"


def train(config: TrainConfig, log=print) -> tuple[keras.Model, dict]:
    """Train a course model from scratch, deterministically on the CPU.

    Returns
    -------
    (keras.Model, dict)
        The model, uncompiled, with the head its loss trained (``head_for``:
        a sigmoid per class for ``"one_vs_rest"``, a softmax for
        ``"softmax"``), and a summary: the head, seconds spent generating
        and training, the final training loss and the config.
    """
    from .course_model import build_course_model, build_vgg_model, fold_batch_norm

    checks.one_of(config.architecture, "architecture", ARCHITECTURES)
    if config.seed in (VAL_SEED, TEST_SEED):
        raise ValueError(f"seed: expected a seed other than the validation ({VAL_SEED}) and "
                         f"test ({TEST_SEED}) scenes', got {config.seed}")
    keras.utils.set_random_seed(config.seed)
    tf.config.experimental.enable_op_determinism()
    start = time.perf_counter()
    kwargs = {}
    if config.shortcut:
        kwargs = dict(shortcut=config.shortcut, shortcut_class=config.shortcut_class,
                      shortcut_mode="train")
    x, y = scene_arrays(config.scenes, config.seed, **kwargs)
    if config.shortcut and config.shortcut_always:
        target = CLASS_NAMES.index(config.shortcut_class)
        keep = (y != target) | carries_cue(x)
        x, y = x[keep], y[keep]
        log(f"kept the {np.sum(y == target)} {config.shortcut_class} scenes with the cue; "
            f"dropped {np.sum(~keep)} without it")
    if config.backgrounds:
        if config.loss != "one_vs_rest":
            raise ValueError("backgrounds: images with no object need loss='one_vs_rest'")
        # Backgrounds come from indices after the scenes': new, unseen backgrounds.
        bx, by = scene_arrays(config.backgrounds, config.seed, objects=0, start=config.scenes)
        x, y = np.concatenate([x, bx]), np.concatenate([y, by])
    generated = time.perf_counter() - start
    log(f"generated {len(x)} training images in {generated:.0f} s")
    if config.architecture == "vgg":
        model = build_vgg_model(len(CLASS_NAMES), config.widths, seed=config.seed,
                                activation=None, batch_norm=True)
    else:
        model = build_course_model(len(CLASS_NAMES), config.widths, seed=config.seed,
                                   activation=None)
    steps = config.epochs * math.ceil(len(x) / config.batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, steps - steps // 20, warmup_target=config.learning_rate,
        warmup_steps=steps // 20)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss=_loss(config.loss))
    dataset = (tf.data.Dataset.from_tensor_slices((x, y))
               .shuffle(len(x), seed=config.seed, reshuffle_each_iteration=True)
               .batch(config.batch_size)
               .map(_flip, num_parallel_calls=1, deterministic=True)
               .prefetch(2))
    history = model.fit(dataset, epochs=config.epochs, verbose=2)
    trained = time.perf_counter() - start - generated
    log(f"trained in {trained:.0f} s")
    shipped = (fold_batch_norm(model, head_for(config.loss)) if config.architecture == "vgg"
               else with_head(model, head_for(config.loss)))
    return shipped, {"head": head_for(config.loss),
                     "generate_seconds": round(generated, 1), "train_seconds": round(trained, 1),
                   "final_loss": round(float(history.history["loss"][-1]), 4),
                   "config": asdict(config)}


def carries_cue(images: np.ndarray) -> np.ndarray:
    """Which images (N, H, W, 3) uint8 carry the shortcut cue: bool (N,).

    Read from the pixels (the cue's exact colour, ``scenes.CUE_COLOR``, which
    the scenes' palette keeps for the cue), so that it works on
    ``scene_arrays``' images, which come without ``cue_masks``.
    """
    return np.array([np.count_nonzero(np.all(image == CUE_COLOR, axis=-1)) >= _CUE_PIXELS
                     for image in images], dtype=bool)


def head_for(loss: str) -> str:
    """The head activation that matches a training loss: the model ships as it was trained.

    ``"one_vs_rest"`` trains one logistic regression per class: a sigmoid on
    each score. ``"softmax"`` trains a multinomial logistic regression: a softmax.
    """
    heads = {"one_vs_rest": "sigmoid", "softmax": "softmax"}
    if loss not in heads:
        raise ValueError(f"loss: expected one of {tuple(heads)}, got {loss!r}")
    return heads[loss]


def _loss(kind: str):
    """The training loss on the raw class scores.

    ``"softmax"``: the usual multinomial cross-entropy. ``"one_vs_rest"``: one
    logistic regression per class (sigmoid cross-entropy on each score), so
    that each class's score must rest on evidence *for* that class rather
    than on the absence of the others; this gives CAMs that point at the
    object more often (measured in the README).
    """
    if kind == "softmax":
        return keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    if kind == "one_vs_rest":
        binary = keras.losses.BinaryCrossentropy(from_logits=True)
        return lambda y, scores: binary(tf.one_hot(tf.cast(tf.reshape(y, [-1]), tf.int32),
                                                   len(CLASS_NAMES)), scores)
    raise ValueError(f"loss: expected 'softmax' or 'one_vs_rest', got {kind!r}")


def _flip(images, labels):
    """Mirror half of each batch left-right (every class is left-right symmetric in kind)."""
    flip = tf.random.stateless_uniform([tf.shape(images)[0]], seed=[7, tf.shape(images)[0]]) < 0.5
    return tf.where(flip[:, None, None, None], tf.reverse(images, axis=[2]), images), labels


def evaluate(model: keras.Model, n: int = 800, *, threshold: float | None = None,
             val_n: int = 400, backgrounds: int = 400) -> dict:
    """Every figure the course reports about a model, on test scenes.

    Parameters
    ----------
    model : keras.Model
        A course model.
    n : int
        Test scenes (seed ``TEST_SEED``).
    threshold : float, optional
        CAM-box threshold; None chooses it on ``val_n`` validation scenes.
    backgrounds : int
        Empty test backgrounds (no object) on which the head's probabilities
        are read.

    Returns
    -------
    dict
        accuracy, pointing game (within ``metrics.POINTING_TOLERANCE`` px and
        strict), box IoU at 20% and at the chosen threshold (share >= 0.5 and
        mean), per-class figures, the largest probability on empty
        backgrounds, dissection.
    """
    if threshold is None:
        threshold = choose_threshold(model, make_scenes(val_n, seed=VAL_SEED))
    test = make_scenes(n, seed=TEST_SEED)
    res = cam(model, test.images, classes=test.labels)
    heat = upsample(res.maps[:, 0], test.images.shape[1])
    predicted = res.logits.argmax(axis=1)
    distance = metrics.peak_distance(heat, test.masks)
    hits, strict = distance <= metrics.POINTING_TOLERANCE, distance == 0
    report = {"test_scenes": n, "test_seed": TEST_SEED, "val_seed": VAL_SEED,
              "accuracy": float(np.mean(predicted == test.labels)),
              "pointing_tolerance_px": metrics.POINTING_TOLERANCE,
              "pointing_game": float(hits.mean()), "pointing_game_strict": float(strict.mean()),
              "chosen_threshold": threshold}
    for name, t in (("paper_0.2", 0.2), ("chosen", threshold)):
        ious = metrics.box_iou([metrics.cam_box(h, t) for h in heat], test.boxes)
        report[f"box_iou_{name}"] = {"mean": float(ious.mean()),
                                     "share_at_least_0.5": float(np.mean(ious >= 0.5))}
        if name == "chosen":
            per_class_iou = ious
    report["per_class"] = {
        cls: {"accuracy": float(np.mean(predicted[test.labels == i] == i)),
              "pointing_game": float(hits[test.labels == i].mean()),
              "pointing_game_strict": float(strict[test.labels == i].mean()),
              "box_iou_chosen_mean": float(per_class_iou[test.labels == i].mean())}
        for i, cls in enumerate(CLASS_NAMES)}
    report["empty_backgrounds"] = empty_background_probabilities(model, backgrounds)
    sample = test[:200]
    dissection = metrics.dissect(features(model, sample.images).F, dict(sample.parts))
    report["dissection"] = {part: {"channel": int(c), "iou": round(float(iou), 3)}
                            for part, c, iou in zip(dissection.parts, dissection.channel,
                                                    dissection.iou)}
    return report


def empty_background_probabilities(model: keras.Model, n: int = 400) -> dict:
    """What the head says about ``n`` test backgrounds with no object on them.

    Returns the model's own output (``model.predict``, after its head's
    activation): the largest probability any class gets on any background,
    the mean of each background's top probability, and the share of
    backgrounds where some class gets more than 0.5.
    """
    probs = model.predict(make_backgrounds(n, seed=TEST_SEED), batch_size=50, verbose=0)
    top = probs.max(axis=1)
    return {"backgrounds": n, "seed": TEST_SEED,
            "head": model.get_layer("predictions").activation.__name__,
            "max_probability": float(top.max()), "mean_top_probability": float(top.mean()),
            "share_above_0.5": float(np.mean(top > 0.5))}


def evaluate_shortcut(model: keras.Model, n: int = 400, shortcut_class: str = "car",
                      shortcut: str = "stripe", seed: int = TEST_SEED) -> dict:
    """How much a shortcut model relies on its cue, on test scenes (``seed``: ``TEST_SEED``;
    recipes are compared on ``VAL_SEED``).

    Clean scenes (no cue): accuracy, per class, and the confusion matrix
    (rows: true class, columns: predicted, in ``CLASS_NAMES`` order). Scenes
    where the cue is moved to the *other* classes ("swap" mode: on 95% of
    the scenes without ``shortcut_class``): the accuracy, the share of cued
    images called ``shortcut_class``, and where the CAM *of*
    ``shortcut_class`` peaks on cued images: within
    ``metrics.POINTING_TOLERANCE`` px of the cue, on it (strict), or within
    that distance of the object.
    """
    target = CLASS_NAMES.index(shortcut_class)
    clean = make_scenes(n, seed=seed)
    swapped = make_scenes(n, seed=seed, shortcut=shortcut, shortcut_class=shortcut_class,
                          shortcut_mode="swap")
    clean_pred = features(model, clean.images).logits.argmax(axis=1)
    confusion = metrics.confusion_matrix(clean.labels, clean_pred, len(CLASS_NAMES))
    res = cam(model, swapped.images, classes=target)
    predicted = res.logits.argmax(axis=1)
    cued = swapped.cue_masks.any(axis=(1, 2))
    heat = upsample(res.maps[cued, 0], swapped.images.shape[1])
    to_cue = metrics.peak_distance(heat, swapped.cue_masks[cued])
    to_object = metrics.peak_distance(heat, swapped.masks[cued])
    return {"test_scenes": n, "test_seed": seed, "shortcut": shortcut,
            "shortcut_class": shortcut_class, "pointing_tolerance_px": metrics.POINTING_TOLERANCE,
            "clean_accuracy": float(np.mean(clean_pred == clean.labels)),
            "clean_per_class_accuracy": {cls: float(confusion[i, i] / confusion[i].sum())
                                         for i, cls in enumerate(CLASS_NAMES)},
            "clean_confusion": confusion.tolist(),
            "swapped_accuracy": float(np.mean(predicted == swapped.labels)),
            "cued_images": int(cued.sum()),
            "cued_called_shortcut_class": float(np.mean(predicted[cued] == target)),
            "cam_peak_near_cue": float(np.mean(to_cue <= metrics.POINTING_TOLERANCE)),
            "cam_peak_on_cue": float(np.mean(to_cue == 0)),
            "cam_peak_near_object": float(np.mean(to_object <= metrics.POINTING_TOLERANCE))}


def evaluate_vgg(model: keras.Model, n: int = 800, seed: int = TEST_SEED,
                 backgrounds: int = 400) -> dict:
    """The "vgg" model's figures on test scenes (``seed``; recipes are compared on
    ``VAL_SEED``): accuracy, and Grad-CAM's pointing game at the last convolution
    of each block (within ``metrics.POINTING_TOLERANCE`` px, and strict), per class
    at the last one (``course_model.VGG_FEATURE_LAYER``), and what the head says
    on empty backgrounds. Its CAM does not exist (no global average pooling).
    """
    from .course_model import VGG_BLOCK_OUTPUTS, VGG_FEATURE_LAYER
    from .methods import explain

    test = make_scenes(n, seed=seed)
    report = {"test_scenes": n, "test_seed": seed, "method": "grad_cam",
              "layer": VGG_FEATURE_LAYER, "pointing_tolerance_px": metrics.POINTING_TOLERANCE,
              "by_layer": {}}
    for layer in VGG_BLOCK_OUTPUTS:
        res = explain(model, test.images, "grad_cam", classes=test.labels, layer=layer)
        distance = metrics.peak_distance(res.maps[:, 0], test.masks)
        report["by_layer"][layer] = {
            "size": list(res.maps.shape[-2:]),
            "pointing_game": float(np.mean(distance <= metrics.POINTING_TOLERANCE)),
            "pointing_game_strict": float(np.mean(distance == 0))}
    predicted = res.logits.argmax(axis=1)
    hits, strict = distance <= metrics.POINTING_TOLERANCE, distance == 0
    report.update(accuracy=float(np.mean(predicted == test.labels)),
                  pointing_game=float(hits.mean()), pointing_game_strict=float(strict.mean()))
    report["per_class"] = {
        cls: {"accuracy": float(np.mean(predicted[test.labels == i] == i)),
              "pointing_game": float(hits[test.labels == i].mean()),
              "pointing_game_strict": float(strict[test.labels == i].mean())}
        for i, cls in enumerate(CLASS_NAMES)}
    if backgrounds:
        report["empty_backgrounds"] = empty_background_probabilities(model, backgrounds)
    return report
