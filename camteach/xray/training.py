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
from .model import build_xray_model
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
    seed: int = TRAIN_SEED


def _chunk(args) -> tuple[np.ndarray, np.ndarray]:
    n, seed, start = args
    data = phantom_data(n, seed=seed, start=start)
    return data.images, data.labels


def phantom_arrays(n: int, seed: int, workers: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Images (n, 224, 224, 1) float32 and labels (n, 6) of in-memory phantoms, in parallel.

    Does not depend on ``workers``: phantom i depends only on (seed, i).
    """
    step = 250
    jobs = [(min(step, n - s), seed, s) for s in range(0, n, step)]
    if workers > 1 and len(jobs) > 1:
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            parts = pool.map(_chunk, jobs)
    else:
        parts = [_chunk(job) for job in jobs]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def train(config: XrayTrainConfig, log=print) -> tuple[keras.Model, dict]:
    """Train the X-ray model from scratch on phantoms (sigmoid cross-entropy per finding).

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
    x, y = phantom_arrays(config.phantoms, config.seed)
    generated = time.perf_counter() - start
    log(f"generated {len(x)} training phantoms in {generated:.0f} s; "
        f"finding rates {np.round(y.mean(axis=0), 2).tolist()}")
    model = build_xray_model(config.widths, seed=config.seed, activation=None)
    steps = config.epochs * math.ceil(len(x) / config.batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, steps - steps // 20, warmup_target=config.learning_rate, warmup_steps=steps // 20)
    model.compile(optimizer=keras.optimizers.Adam(schedule),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True))
    dataset = (tf.data.Dataset.from_tensor_slices((x, y.astype(np.float32)))
               .shuffle(len(x), seed=config.seed, reshuffle_each_iteration=True)
               .batch(config.batch_size).prefetch(2))
    history = model.fit(dataset, epochs=config.epochs, verbose=2)
    trained = time.perf_counter() - start - generated
    log(f"trained in {trained:.0f} s")
    shipped = build_xray_model(config.widths, seed=None, activation="sigmoid")
    shipped.set_weights(model.get_weights())
    return shipped, {"head": "sigmoid", "generate_seconds": round(generated, 1),
                     "train_seconds": round(trained, 1),
                     "final_loss": round(float(history.history["loss"][-1]), 4),
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
        ``reader_iou`` (mean IoU between two readers' boxes of a finding), ``pairs``.
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
    per = {data.findings[k]: round(float(np.mean([h for h, (_, kk) in zip(hits, pairs) if kk == k])), 4)
           for k in sorted({k for _, k in pairs})}
    return {"pairs": len(pairs), "layer": result.layer, "pointing_game": round(float(hits.mean()), 4),
            "per_finding": per, "box_iou": round(float(np.mean(ious)), 4),
            "reader_iou": round(float(np.mean(readers)), 4)}


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
