"""Class activation maps (CAM) and Grad-CAM, one compiled forward pass each.

The lecture's recipe, for one class ``c`` of a network whose last feature
maps ``F`` (h, w, C) are globally average-pooled and read by a dense layer
with weights ``W`` (C, classes) and bias ``b``::

    w   = W[:, c]                                   # C weights
    cam = F[..., 0] * w[0] + ... + F[..., C-1] * w[C-1]   # an h x w heat map

and, because pooling and the dense layer are both linear,
``cam.mean() + b[c] == logit[c]`` (the pre-softmax score).

Grad-CAM replaces ``w`` by the spatial mean of the gradient of the score with
respect to any 4-D activation ``A``; on a GAP + Dense head it is
``ReLU(cam) / (h * w)``.

Used in lessons 04 (the CAM), 05-07, 08 (Grad-CAM), 09-11.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from . import checks, graph


@dataclass(frozen=True)
class CamResult:
    """Heat maps and the scores they explain.

    Attributes
    ----------
    maps : numpy.ndarray, float32, (N, K, h, w)
        One map per image and class, at the feature maps' resolution.
    classes : numpy.ndarray, int64, (N, K)
        The class each map explains (best first when chosen by score).
    logits : numpy.ndarray, float32, (N, num_classes)
        Pre-activation class scores (before any softmax).
    layer : str
        The name of the layer whose activations were used.
    """

    maps: np.ndarray
    classes: np.ndarray
    logits: np.ndarray
    layer: str


@dataclass(frozen=True)
class Features:
    """What the network computes just before its decision (lessons 01-04).

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


# model -> {key: compiled function}; entries go when the model goes.
_CACHE: "weakref.WeakKeyDictionary[keras.Model, dict]" = weakref.WeakKeyDictionary()


def _require_tensorflow() -> None:
    if keras.backend.backend() != "tensorflow":
        raise RuntimeError("camteach needs the TensorFlow backend of Keras; "
                           "set KERAS_BACKEND=tensorflow before importing keras")


def _head(model: keras.Model) -> graph.Classifier:
    head = graph.find_classifier(model)
    if head.pool is None:
        raise ValueError(
            f"model: {model.name!r} has no GlobalAveragePooling2D followed by a Dense "
            f"layer at its end, so its class activation map is not defined; "
            f"use ct.grad_cam(model, images, ...) instead")
    return head


def _dense_weights(dense) -> tuple[tf.Variable, tf.Tensor]:
    kernel = dense.kernel
    bias = dense.bias if dense.use_bias else tf.zeros([kernel.shape[-1]], kernel.dtype)
    return kernel, bias


def _cached(model: keras.Model, key, build):
    per_model = _CACHE.setdefault(model, {})
    if key not in per_model:
        per_model[key] = build()
    return per_model[key]


def _feature_fn(model: keras.Model):
    """Compiled ``x -> (F, pooled, logits)`` for a GAP + Dense model."""
    head = _head(model)
    tapped = graph.tap(model, [head.features, head.score_input])
    kernel, bias = _dense_weights(head.dense)

    @tf.function(reduce_retracing=True)
    def forward(x):
        F, pooled = tapped(x, training=False)
        logits = tf.matmul(tf.cast(pooled, tf.float32), tf.cast(kernel, tf.float32))
        return tf.cast(F, tf.float32), tf.cast(pooled, tf.float32), logits + tf.cast(bias, tf.float32)

    return forward, head


def _input_spec(model: keras.Model) -> tuple[int, tuple]:
    shape = model.inputs[0].shape
    return shape[-1], (shape[1], shape[2])


def _batches(x: np.ndarray, batch_size: int):
    for start in range(0, len(x), batch_size):
        yield x[start:start + batch_size]


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
    _require_tensorflow()
    graph.check_model(model)
    forward, head = _cached(model, "features", lambda: _feature_fn(model))
    channels, size = _input_spec(model)
    x = checks.as_batch(images, channels=channels, size=size)
    batch_size = checks.positive_int(batch_size, "batch_size")
    parts = [forward(tf.constant(chunk)) for chunk in _batches(x, batch_size)]
    F, pooled, logits = (np.concatenate([p[i].numpy() for p in parts]) for i in range(3))
    kernel, bias = _dense_weights(head.dense)
    return Features(F=F, pooled=pooled, logits=logits,
                    W=np.asarray(kernel, dtype=np.float32),
                    b=np.asarray(bias, dtype=np.float32), layer=head.features.name)


def top_classes(logits: np.ndarray, top: int) -> np.ndarray:
    """The ``top`` highest-scoring classes per row, best first: int64 (N, top)."""
    logits = np.asarray(logits)
    top = checks.positive_int(top, "top", high=logits.shape[-1])
    return np.argsort(-logits, axis=-1, kind="stable")[..., :top].astype(np.int64)


def class_activation_maps(F: np.ndarray, W: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """The weighted sums ``maps[n, j] = sum_k F[n, :, :, k] * W[k, classes[n, j]]``.

    Parameters
    ----------
    F : numpy.ndarray, (N, h, w, C)
        Feature maps.
    W : numpy.ndarray, (C, num_classes)
        Dense weights.
    classes : numpy.ndarray, int, (N, K)
        Class indices.

    Returns
    -------
    numpy.ndarray, float32, (N, K, h, w)
        Raw maps: signed, no bias, no ReLU, no scaling.
    """
    F = np.asarray(F, dtype=np.float32)
    W = np.asarray(W, dtype=np.float32)
    n, h, w, c = F.shape
    if W.shape[0] != c:
        raise ValueError(f"W: expected {c} rows (one per feature map), got shape {W.shape}")
    classes = checks.class_indices(classes, n, W.shape[1])
    chosen = np.transpose(W[:, classes], (1, 0, 2))               # (N, C, K)
    maps = np.matmul(F.reshape(n, h * w, c), chosen)               # (N, h*w, K)
    return np.ascontiguousarray(maps.transpose(0, 2, 1).reshape(n, -1, h, w))


def cam(model: keras.Model, images, classes=None, top: int = 1, *,
        batch_size: int = 32) -> CamResult:
    """Class activation maps: one forward pass, then a weighted sum per class.

    Parameters
    ----------
    model : keras.Model
        A classifier whose last 4-D feature map ``F`` feeds
        GlobalAveragePooling2D followed by a Dense layer (any activation: the
        scores are taken before it). Functional, Sequential or nested.
    images : array-like, (N, H, W, C) or (H, W, C)
        Already preprocessed for the model.
    classes : None, int, or array-like of int (N,) or (N, K)
        None: the ``top`` best-scoring classes per image, best first.
    top : int
        How many classes when ``classes`` is None.
    batch_size : int
        Images per forward pass.

    Returns
    -------
    CamResult
        ``maps`` (N, K, h, w) with ``maps.mean(axis=(-2, -1)) + b[c] == logits[c]``.
    """
    feats = features(model, images, batch_size=batch_size)
    if classes is None:
        chosen = top_classes(feats.logits, top)
    else:
        chosen = checks.class_indices(classes, len(feats.F), feats.W.shape[1])
    return CamResult(maps=class_activation_maps(feats.F, feats.W, chosen),
                     classes=chosen, logits=feats.logits, layer=feats.layer)


def _grad_fn(model: keras.Model, layer: keras.layers.Layer):
    """Compiled ``(x, classes or None, K) -> (maps, classes, logits)`` for Grad-CAM."""
    head = graph.find_classifier(model)
    tapped = graph.tap(model, [layer, head.score_input])
    weights = _dense_weights(head.dense) if head.dense is not None else None

    def scores_of(source):
        source = tf.cast(source, tf.float32)
        if weights is None:
            return source
        return tf.matmul(source, tf.cast(weights[0], tf.float32)) + tf.cast(weights[1], tf.float32)

    @tf.function(reduce_retracing=True)
    def run(x, classes, k):
        with tf.GradientTape(persistent=True) as tape:
            A, source = tapped(x, training=False)
            logits = scores_of(source)
            if classes is None:
                classes = tf.math.top_k(logits, k=k, sorted=True).indices
            scores = tf.gather(logits, classes, batch_dims=1)        # (N, K)
            parts = [tf.reduce_sum(scores[:, j]) for j in range(k)]
        grads = tf.stack([tape.gradient(part, A) for part in parts], axis=1)  # (N,K,h,w,C)
        del tape
        alpha = tf.reduce_mean(tf.cast(grads, tf.float32), axis=(2, 3))       # (N, K, C)
        maps = tf.nn.relu(tf.einsum("nhwc,nkc->nkhw", tf.cast(A, tf.float32), alpha))
        return maps, tf.cast(classes, tf.int64), logits

    return run


def grad_cam(model: keras.Model, images, classes=None, top: int = 1,
             layer: str | keras.layers.Layer | None = None, *,
             batch_size: int = 32) -> CamResult:
    """Grad-CAM: gradient-weighted activation maps of any 4-D layer.

    ``maps = ReLU(sum_k alpha_k A_k)`` with ``alpha_k`` the spatial mean of
    d(score_c)/dA_k, where score_c is the pre-activation class score (never
    the softmax output). On a GAP + Dense head and the pooled layer,
    ``grad_cam == ReLU(cam) / (h * w)``.

    Parameters
    ----------
    model : keras.Model
        Any single-input classifier (Functional, Sequential or nested).
    images : array-like, (N, H, W, C) or (H, W, C)
        Already preprocessed for the model.
    classes : None, int, or array-like of int (N,) or (N, K)
        None: the ``top`` best-scoring classes per image, best first.
    top : int
        How many classes when ``classes`` is None.
    layer : str or keras layer, optional
        Whose activations ``A`` to use (default: the last layer with a 4-D
        output; for a nested model, the pre-trained base). Layers inside
        nested models may be named too.
    batch_size : int
        Images per forward pass.

    Returns
    -------
    CamResult
        ``maps`` (N, K, h, w), non-negative.
    """
    _require_tensorflow()
    graph.check_model(model)
    target = graph.last_conv_layer(model) if layer is None else graph.find_layer(model, layer)
    if graph._rank(target) != 4:
        raise ValueError(f"layer: Grad-CAM needs a layer with a 4-D output (N, h, w, C); "
                         f"{target.name!r} has output rank {graph._rank(target)}")
    run = _cached(model, ("grad_cam", id(target)), lambda: _grad_fn(model, target))
    channels, size = _input_spec(model)
    x = checks.as_batch(images, channels=channels, size=size)
    batch_size = checks.positive_int(batch_size, "batch_size")
    num_classes = int(model.outputs[0].shape[-1])
    if classes is None:
        top = checks.positive_int(top, "top", high=num_classes)
        chosen = None
    else:
        chosen = checks.class_indices(classes, len(x), num_classes)
    results = []
    for start in range(0, len(x), batch_size):
        chunk = tf.constant(x[start:start + batch_size])
        wanted = None if chosen is None else tf.constant(chosen[start:start + batch_size])
        results.append(run(chunk, wanted, top if chosen is None else chosen.shape[1]))
    maps, picked, logits = (np.concatenate([r[i].numpy() for r in results]) for i in range(3))
    return CamResult(maps=maps, classes=picked, logits=logits, layer=target.name)
