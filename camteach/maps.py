"""What a CAM is made of: the last feature maps, the pooled features, the scores.

One compiled forward pass gives ``F`` (the feature maps the global average
pooling reads), ``pooled`` and the logits ``pooled @ W + b`` (the scores
before softmax or sigmoid), with the dense layer's ``W`` and ``b``. The
lessons build the CAM from these by hand; :func:`camteach.cam` does it in
one call.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf
from scipy import special

from . import checks, graph
from .methods.base import (compiled, dense_weights, gap_head, in_batches, model_images,
                           require_tensorflow, score_function)
from .methods.cam import class_activation_maps

__all__ = ["Features", "class_activation_maps", "features", "probabilities", "top_classes"]


@dataclass(frozen=True)
class Features:
    """What the network computes just before its decision.

    Attributes
    ----------
    F : numpy.ndarray, float32, (N, h, w, C)
        The last feature maps, before global average pooling.
    pooled : numpy.ndarray, float32, (N, C)
        The pooled features that enter the dense layer.
    logits : numpy.ndarray, float32, (N, num_classes)
        ``pooled @ W + b``: the scores before softmax.
    W : numpy.ndarray, float32, (C, num_classes)
        The dense layer's weights (the logistic regression).
    b : numpy.ndarray, float32, (num_classes,)
        Its bias (zeros if the layer has none).
    layer : str
        The name of the layer that produces ``F``.
    """

    F: np.ndarray
    pooled: np.ndarray
    logits: np.ndarray
    W: np.ndarray
    b: np.ndarray
    layer: str


def _feature_fn(model: keras.Model):
    """Compiled ``x -> (F, pooled, logits)`` for a GAP + Dense model."""
    head = gap_head(model)
    tap = graph.Tap(model, [head.features, head.score_input])
    scores_of = score_function(head)

    @tf.function(reduce_retracing=True)
    def forward(x):
        F, pooled = tap(x)
        return tf.cast(F, tf.float32), tf.cast(pooled, tf.float32), scores_of(pooled)

    return forward


def features(model: keras.Model, images, *, batch_size: int = 32) -> Features:
    """Run the network once and keep what a CAM is made of.

    Parameters
    ----------
    model : keras.Model
        A classifier ending in GlobalAveragePooling2D -> Dense.
    images : array-like, (N, H, W, C) or (H, W, C)
        Already preprocessed for the model.
    batch_size : int
        Images per forward pass.

    Returns
    -------
    Features
        ``F`` (N, h, w, C), ``pooled`` (N, C), ``logits`` (N, classes), ``W``, ``b``.
    """
    require_tensorflow()
    graph.check_model(model)
    forward = compiled(model, "features", lambda: _feature_fn(model))
    F, pooled, logits = in_batches(forward, model_images(model, images), batch_size)
    head = graph.find_classifier(model)
    kernel, bias = dense_weights(head.dense)
    return Features(F=F, pooled=pooled, logits=logits,
                    W=np.asarray(kernel, dtype=np.float32),
                    b=np.asarray(bias, dtype=np.float32), layer=head.features.name)


def top_classes(logits: np.ndarray, top: int) -> np.ndarray:
    """The ``top`` highest-scoring classes per row, best first: int64 (N, top)."""
    logits = np.asarray(logits)
    top = checks.positive_int(top, "top", high=logits.shape[-1])
    return np.argsort(-logits, axis=-1, kind="stable")[..., :top].astype(np.int64)


def probabilities(logits, head: str) -> np.ndarray:
    """The model's output from its scores: its own head, applied to ``logits`` (..., classes).

    Parameters
    ----------
    logits : array-like, (..., num_classes)
        Scores before the last activation.
    head : str
        ``"sigmoid"`` (one logistic regression per class, as the course model),
        ``"softmax"`` (one multinomial logistic regression, as ResNet50), or
        ``"linear"`` (no activation: the scores are returned as they are).
        ``graph.find_classifier(model).activation`` says which a model has.

    Returns
    -------
    numpy.ndarray, float64, (..., num_classes)
    """
    logits = np.asarray(logits, dtype=np.float64)
    head = checks.one_of(head, "head", ("sigmoid", "softmax", "linear"))
    if head == "sigmoid":
        return special.expit(logits)
    return special.softmax(logits, axis=-1) if head == "softmax" else logits
