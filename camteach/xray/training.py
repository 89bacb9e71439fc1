"""Training the X-ray model on phantoms, and measuring it against the radiologists.

Training phantoms come from seed 0 (:data:`TRAIN_SEED`), model choices are
checked on seed 1 and the shipped figures on seed 2 (never trained on).
"""

from __future__ import annotations

import math
import multiprocessing
import time
from dataclasses import asdict, dataclass

import keras
import numpy as np
import tensorflow as tf
from sklearn.metrics import roc_auc_score

from .. import metrics
from ..heatmap import upsample
from ..methods import explain
from .generate import phantom_data
from .marker import marker_box
from .model import FEATURE_LAYER, SHORTCUT_FINDING, build_xray_model
from .readers import agreement
from .vinbigdata import XrayData

TRAIN_SEED, VAL_SEED, TEST_SEED = 0, 1, 2


@dataclass
class XrayTrainConfig:
    """What a training run does; stored in ``models.json`` beside the weights."""

    phantoms: int = 8000
    epochs: int = 3
    batch_size: int = 32
    learning_rate: float = 2e-3
    widths: tuple[int, int] = (96, 192)
    last_size: int = 28
    seed: int = TRAIN_SEED
    marker: str | None = None           # a finding's name: train with the corner tag going with it
    marker_rate: float = 0.9
    localisation: float = 0.1           # weight of the readers'-box term (0: labels only)


#: The shortcut model's recipe (``course.py train --only xray_shortcut``): quick, and the
#: tag on every training phantom with :data:`SHORTCUT_FINDING` and on no other (as a chest
#: drain on every pneumothorax film of a data set). Batches of 16: enough steps (500) for
#: batch normalisation's moving statistics to settle.
SHORTCUT_CONFIG = {"phantoms": 4000, "epochs": 2, "batch_size": 16, "widths": (64, 128),
                   "marker": SHORTCUT_FINDING, "marker_rate": 1.0, "localisation": 0.0}


def box_cells(data: XrayData, cells: int) -> np.ndarray:
    """Which cells of a ``cells`` x ``cells`` grid each fused box touches: (N, K, cells, cells) uint8."""
    out = np.zeros((len(data), len(data.findings), cells, cells), np.uint8)
    step = data.images.shape[1] / cells
    for i, group in enumerate(data.boxes):
        for b in group:
            x0, y0, x1, y1 = b.box / step
            out[i, b.finding, max(int(np.floor(y0)), 0):int(np.ceil(y1)),
                max(int(np.floor(x0)), 0):int(np.ceil(x1))] = 1
    return out


def _chunk(args) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n, seed, start, marker, marker_rate, cells = args
    data = phantom_data(n, seed=seed, start=start, marker=marker, marker_rate=marker_rate)
    return data.images, data.labels, box_cells(data, cells)


def phantom_arrays(n: int, seed: int, workers: int = 2, marker: str | None = None,
                   marker_rate: float = 0.9, cells: int = 28
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Images (n, 224, 224, 1) float32, labels (n, 6) and fused-box cells (n, 6, cells, cells).

    In parallel; does not depend on ``workers``: phantom i depends only on (seed, i).
    ``marker``, ``marker_rate``: the corner tag, as in :func:`camteach.xray.phantom_data`.
    """
    step = 250
    jobs = [(min(step, n - s), seed, s, marker, marker_rate, cells) for s in range(0, n, step)]
    if workers > 1 and len(jobs) > 1:
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            parts = pool.map(_chunk, jobs)
    else:
        parts = [_chunk(job) for job in jobs]
    return tuple(np.concatenate([p[j] for p in parts]) for j in range(3))


def _step(model: keras.Model, optimizer, weight: float):
    """One training step: sigmoid cross-entropy, plus ``weight`` times the readers'-box term.

    The box term: for each present finding, the class activation map of its
    logit at the last mixed block (what Grad-CAM shows for this head, up to
    scale) as a spatial softmax; minus the log of its mass on the cells of
    the finding's fused boxes. It teaches the network where the readers saw
    the finding, as detectors trained on VinBigData's boxes are taught.
    """
    features = keras.Model(model.inputs, [model.get_layer(FEATURE_LAYER).output, model.output])
    dense = model.get_layer("predictions")

    @tf.function
    def step(x, y, cells):
        with tf.GradientTape() as tape:
            f, logits = features(x, training=True)
            bce = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(y, logits))
            cam = tf.einsum("bhwc,ck->bkhw", f, dense.kernel) + dense.bias[None, :, None, None]
            flat = tf.reshape(cam, (tf.shape(cam)[0], tf.shape(cam)[1], -1))
            inside = tf.reshape(cells, tf.shape(flat)) > 0
            log_mass = (tf.reduce_logsumexp(tf.where(inside, flat, -1e9), axis=-1)
                        - tf.reduce_logsumexp(flat, axis=-1))
            present = y * tf.cast(tf.reduce_any(inside, axis=-1), tf.float32)
            box = -tf.reduce_sum(present * log_mass) / tf.maximum(tf.reduce_sum(present), 1.0)
            loss = bce + weight * box
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return bce, box

    return step


def train(config: XrayTrainConfig, log=print) -> tuple[keras.Model, dict]:
    """Train the X-ray model from scratch on phantoms.

    Sigmoid cross-entropy per finding, plus ``config.localisation`` times a
    term pulling each present finding's class activation map into its fused
    boxes (see :func:`_step`; 0 for the shortcut model, which learns from the
    labels alone).

    Returns
    -------
    model : keras.Model
        Uncompiled, with its sigmoid head.
    summary : dict
        Seconds spent generating and training, the final loss, the config.
    """
    if config.seed in (VAL_SEED, TEST_SEED):
        raise ValueError(f"seed: expected a seed other than the validation ({VAL_SEED}) and "
                         f"test ({TEST_SEED}) phantoms', got {config.seed}")
    keras.utils.set_random_seed(config.seed)
    tf.config.experimental.enable_op_determinism()
    start = time.perf_counter()
    x, y, cells = phantom_arrays(config.phantoms, config.seed, marker=config.marker,
                                 marker_rate=config.marker_rate, cells=config.last_size)
    generated = time.perf_counter() - start
    log(f"generated {len(x)} training phantoms in {generated:.0f} s; "
        f"finding rates {np.round(y.mean(axis=0), 2).tolist()}")
    model = build_xray_model(config.widths, seed=config.seed, activation=None,
                             last_size=config.last_size)
    steps = config.epochs * math.ceil(len(x) / config.batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, steps - steps // 20, warmup_target=config.learning_rate, warmup_steps=steps // 20)
    step = _step(model, keras.optimizers.Adam(schedule), config.localisation)
    dataset = (tf.data.Dataset.from_tensor_slices((x, y.astype(np.float32), cells))
               .shuffle(len(x), seed=config.seed, reshuffle_each_iteration=True)
               .batch(config.batch_size).prefetch(2))
    for epoch in range(config.epochs):
        t0, losses = time.perf_counter(), []
        for xb, yb, cb in dataset:
            losses.append([float(v) for v in step(xb, yb, cb)])
        bce, box = np.mean(losses, axis=0)
        log(f"epoch {epoch + 1}/{config.epochs}: {time.perf_counter() - t0:.0f} s, "
            f"cross-entropy {bce:.4f}, box term {box:.3f}")
    trained = time.perf_counter() - start - generated
    log(f"trained in {trained:.0f} s")
    shipped = build_xray_model(config.widths, seed=None, activation="sigmoid",
                               last_size=config.last_size)
    shipped.set_weights(model.get_weights())
    return shipped, {"head": "sigmoid", "generate_seconds": round(generated, 1),
                     "train_seconds": round(trained, 1),
                     "final_loss": round(float(bce), 4), "final_box_term": round(float(box), 4),
                     "config": asdict(config)}


def pointing(model: keras.Model, data: XrayData, method: str = "grad_cam", layer=None,
             tolerance: float = metrics.POINTING_TOLERANCE, threshold: float = 0.5) -> dict:
    """Heat maps of every present finding against its fused boxes.

    For each (image, finding) with label 1, the map of that finding's logit
    (at ``layer``, default the last mixed block), upsampled to the image: a hit
    when its peak lies within ``tolerance`` px of a fused box of the finding
    (the pointing game); its box (``metrics.cam_box`` at ``threshold``) is
    compared with the fused box by IoU, beside the IoU of the readers' boxes
    with each other.

    Returns
    -------
    dict
        ``pointing_game`` (share of hits), ``per_finding`` hits, ``box_iou``
        (mean IoU of the map's box with the best-matching fused box),
        ``reader_iou`` (mean IoU between two readers' boxes of a finding), ``pairs``,
        and per finding: ``per_finding_box_iou``, ``per_finding_reader_iou``.
    """
    pairs = [(i, int(k)) for i in range(len(data)) for k in np.flatnonzero(data.labels[i])]
    if not pairs:
        raise ValueError("data: expected at least one image with a finding")
    images = data.images[[i for i, _ in pairs]]
    classes = np.array([[k] for _, k in pairs])
    result = explain(model, images, method, classes=classes, layer=layer)
    heat = upsample(result.maps[:, 0], data.images.shape[1])
    hits = metrics.pointing_game(heat, data.box_masks(pairs), tolerance=tolerance)
    ious = []
    for m, (i, k) in enumerate(pairs):
        box = metrics.cam_box(heat[m], threshold) if heat[m].max() > 0 else np.zeros(4)
        ious.append(max(float(metrics.box_iou(box, b.box)) for b in data.boxes[i] if b.finding == k))
    readers = [v for boxes in data.reader_boxes for v in agreement(boxes)]
    present = sorted({k for _, k in pairs})

    def mean_of(values, k):
        return round(float(np.mean([v for v, (_, kk) in zip(values, pairs) if kk == k])), 4)

    per_reader = {data.findings[k]: round(float(np.mean(
        [v for boxes in data.reader_boxes for v in agreement([b for b in boxes if b.finding == k])]
        or [np.nan])), 4) for k in present}
    return {"pairs": len(pairs), "layer": result.layer, "pointing_game": round(float(hits.mean()), 4),
            "per_finding": {data.findings[k]: mean_of(hits, k) for k in present},
            "box_iou": round(float(np.mean(ious)), 4), "reader_iou": round(float(np.mean(readers)), 4),
            "per_finding_box_iou": {data.findings[k]: mean_of(ious, k) for k in present},
            "per_finding_reader_iou": per_reader}


def auc(model: keras.Model, data: XrayData) -> dict:
    """ROC AUC of each finding's probability against the fused labels."""
    p = model.predict(data.images, batch_size=32, verbose=0)
    per = {name: round(float(roc_auc_score(data.labels[:, k], p[:, k])), 4)
           for k, name in enumerate(data.findings)}
    return {"per_finding": per, "mean": round(float(np.mean(list(per.values()))), 4),
            "min": round(float(min(per.values())), 4)}


def evaluate(model: keras.Model, n: int = 600, seed: int = TEST_SEED) -> dict:
    """The shipped figures on ``n`` unseen phantoms: AUC, pointing, box IoU vs readers."""
    data = phantom_data(n, seed=seed)
    return {"phantoms": n, "seed": seed, "positives": data.labels.sum(axis=0).tolist(),
            "auc": auc(model, data), "grad_cam": pointing(model, data)}


def evaluate_shortcut(model: keras.Model, finding: str = SHORTCUT_FINDING, n: int = 400,
                      seed: int = TEST_SEED, tolerance: float = metrics.POINTING_TOLERANCE) -> dict:
    """How much a model relies on the corner tag for ``finding``, on unseen phantoms.

    The same ``n`` phantoms twice: without the tag, and with it burned into
    every phantom without ``finding`` (``marker_rate=0``; nothing else
    changes). On those phantoms (label 0 for ``finding``): the mean
    probability of ``finding`` and the share above 0.5, without and with the
    tag, and how often the peak of ``finding``'s Grad-CAM (last mixed block)
    lies within ``tolerance`` px of the tag's box. Also the ROC AUC of
    ``finding`` on the phantoms without any tag.

    Returns
    -------
    dict
        ``without_finding`` (count), ``probability_without_marker``,
        ``probability_with_marker``, ``positive_without_marker``,
        ``positive_with_marker``, ``grad_cam_on_marker`` (with the tag),
        ``grad_cam_on_marker_without`` (same phantoms, no tag), ``auc_clean``.
    """
    clean = phantom_data(n, seed=seed)
    tagged = phantom_data(n, seed=seed, marker=finding, marker_rate=0.0)
    k = clean.findings.index(finding)
    rows = np.flatnonzero((clean.labels[:, k] == 0) & tagged.markers)
    p_clean = model.predict(clean.images, batch_size=32, verbose=0)
    p_tag = model.predict(tagged.images[rows], batch_size=32, verbose=0)[:, k]
    x0, y0, x1, y1 = np.round(marker_box(clean.images.shape[1])).astype(int)
    mask = np.zeros((len(rows),) + clean.images.shape[1:3], bool)
    mask[:, y0:y1, x0:x1] = True
    on = {}
    for key, images in (("grad_cam_on_marker", tagged.images[rows]),
                        ("grad_cam_on_marker_without", clean.images[rows])):
        result = explain(model, images, "grad_cam", classes=np.full((len(rows), 1), k))
        heat = upsample(result.maps[:, 0], clean.images.shape[1])
        on[key] = round(float(metrics.pointing_game(heat, mask, tolerance=tolerance).mean()), 4)
    return {"finding": finding, "phantoms": n, "seed": seed, "without_finding": int(len(rows)),
            "layer": result.layer,
            "probability_without_marker": round(float(p_clean[rows, k].mean()), 4),
            "probability_with_marker": round(float(p_tag.mean()), 4),
            "positive_without_marker": round(float((p_clean[rows, k] > 0.5).mean()), 4),
            "positive_with_marker": round(float((p_tag > 0.5).mean()), 4),
            **on, "auc_clean": round(float(roc_auc_score(clean.labels[:, k], p_clean[:, k])), 4)}
