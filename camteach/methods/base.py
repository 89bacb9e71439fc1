"""The one path every explanation method shares.

:func:`explain` checks the arguments, finds the layer, chooses the classes
(``classes=None, top=1``: the best-scoring ones), batches the images and runs
one compiled function per (model, layer, method, score). A method only says how its
map is made from what that path hands it (:class:`Signals`): channel weights
(:meth:`Method.weights`, combined as ``sum_k weights_k * A_k``) or a whole
per-pixel map (:meth:`Method.combine`). Maps come back raw: signed, at the
layer's resolution, not rescaled (the lessons teach those steps).

The class score ``y_c`` a method explains is the **logit** by default
(``score="logit"``): the score before the model's softmax or sigmoid. The
logit is what the CAM identity ``mean(cam) + b = y_c`` speaks of, it says
how much evidence the image holds for class ``c`` alone, and it does not
saturate: the probability ``p_c`` of a confident prediction is flat in the
features (``sigma'(y) = p (1 - p)`` tends to 0), and a softmax probability
also falls when *other* classes gain (``dp_c/dy_j = -p_c p_j``). On the course
model, Grad-CAM taken on the softmax probability differs from CAM (max
difference 0.41 after normalising, correlation 0.86; FIELD-NOTES.md).
``score="probability"`` explains the model's own output instead (its
sigmoid per class or its softmax over classes, :attr:`graph.Classifier.activation`),
as tf-keras-vis does with the model left unmodified.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from .. import checks, graph


@dataclass(frozen=True)
class CamResult:
    """Heat maps and the scores they explain (every method returns one).

    Attributes
    ----------
    maps : numpy.ndarray, float32, (N, K, h, w)
        One map per image and class, at the layer's resolution, raw.
    classes : numpy.ndarray, int64, (N, K)
        The class each map explains (best first when chosen by score).
    logits : numpy.ndarray, float32, (N, num_classes)
        Pre-activation class scores (before any softmax or sigmoid).
    layer : str
        The name of the layer whose activations were used.
    """

    maps: np.ndarray
    classes: np.ndarray
    logits: np.ndarray
    layer: str


@dataclass(frozen=True)
class Signals:
    """What a method may use, for a batch of N images and K classes each.

    Attributes
    ----------
    A : tf.Tensor, float32, (N, h, w, C)
        The layer's activations.
    grads : tf.Tensor, float32, (N, K, h, w, C) or None
        d y[n, classes[n, k]] / d A[n], ``y`` the chosen score (the logits by
        default, see :data:`SCORES`); None unless ``Method.gradients``.
    classes : tf.Tensor, int, (N, K)
        The explained classes.
    logits : tf.Tensor, float32, (N, num_classes)
        The scores of the images.
    W_c : tf.Tensor, float32, (N, K, C) or None
        The dense layer's weight column ``W[:, c]`` of each explained class,
        when the model ends in GlobalAveragePooling2D + Dense (else None).
    x : tf.Tensor, float32, (N, H, W, channels) or None
        The images, as the model reads them (for methods that run it again).
    scores : callable or None
        ``images (M, H, W, channels) -> y (M, num_classes)``: the same forward
        pass to the chosen score (inference mode), e.g. on masked images.
    score : str
        Which score ``y`` is: ``"logit"`` or ``"probability"`` (see :data:`SCORES`).
    """

    A: tf.Tensor
    grads: tf.Tensor | None
    classes: tf.Tensor
    logits: tf.Tensor
    W_c: tf.Tensor | None
    x: tf.Tensor | None = None
    scores: Callable[[tf.Tensor], tf.Tensor] | None = None
    score: str = "logit"


#: The class scores a method may explain: the logit (default) or the model's own probability.
SCORES = ("logit", "probability")


class Method:
    """An explanation method: override :meth:`weights` (or :meth:`combine`).

    Class attributes
    ----------------
    name : str
        The registry name, e.g. ``"grad_cam"``.
    gradients : bool
        Whether :class:`Signals` must carry the gradients.
    needs_gap : bool
        Only defined at the feature maps a GlobalAveragePooling2D + Dense
        head reads (the CAM): ``layer`` must be left to the default.
    forward_passes_per_channel : bool
        Runs the model again once per channel of ``A`` and image (Score-CAM):
        C forward passes per image instead of one.
    logit_only : bool
        Defined on the logit only (the CAM): ``score="probability"`` is a ValueError.
    maps_at_input : bool
        Reads no layer: its maps have the image's resolution and
        ``CamResult.layer`` is ``"input"`` (LIME, which perturbs the image).
    """

    name: str = ""
    gradients: bool = True
    needs_gap: bool = False
    forward_passes_per_channel: bool = False
    logit_only: bool = False
    maps_at_input: bool = False

    def weights(self, s: Signals) -> tf.Tensor:
        """Channel weights (N, K, C) of the feature maps ``s.A``."""
        raise NotImplementedError(f"{type(self).__name__} must define weights() or combine()")

    def combine(self, s: Signals) -> tf.Tensor:
        """The maps (N, K, h, w); by default ``sum_k weights[n, j, k] * A[n, :, :, k]``."""
        return tf.einsum("nhwc,nkc->nkhw", s.A, self.weights(s))

    def explain(self, model: keras.Model, images, classes=None, top: int = 1, layer=None, *,
                batch_size: int = 32, score: str = "logit", **options) -> CamResult:
        """Run this method through the shared path (:func:`camteach.explain` calls it).

        ``score``: ``"logit"`` (default) or ``"probability"``, the class score
        explained (see the module docstring). A method with options of its own
        (LIME's ``num_samples``, ...) or a path of its own overrides this;
        here any other option is an error.
        """
        if options:
            raise ValueError(f"{', '.join(sorted(options))}: {self.name} takes no such option "
                             f"(its arguments: classes, top, layer, batch_size, score)")
        return run_method(model, images, self, classes, top, layer, batch_size=batch_size,
                          score=score)

    def __repr__(self) -> str:
        return f"<method {self.name!r}>"


def dense_weights(dense) -> tuple[tf.Variable, tf.Tensor]:
    """``(W, b)`` of a Dense layer; ``b`` is zeros if it has no bias."""
    kernel = dense.kernel
    bias = dense.bias if dense.use_bias else tf.zeros([kernel.shape[-1]], kernel.dtype)
    return kernel, bias


def score_function(head: graph.Classifier):
    """``source -> logits``: the dense layer without its activation (or the scores as they are)."""
    if head.dense is None:
        return lambda source: tf.cast(source, tf.float32)
    kernel, bias = dense_weights(head.dense)
    return lambda source: (tf.matmul(tf.cast(source, tf.float32), tf.cast(kernel, tf.float32))
                           + tf.cast(bias, tf.float32))


def probability_function(head: graph.Classifier):
    """``logits -> probabilities`` by the model's own head (its sigmoid or softmax)."""
    if head.activation == "sigmoid":
        return tf.sigmoid
    if head.activation == "softmax":
        return tf.nn.softmax
    raise ValueError(f"score: 'probability' needs a model whose output is a sigmoid or a "
                     f"softmax of its scores; this one ends in {head.activation!r}, so its "
                     f"scores are its output: use score='logit'")


def check_score(score, method: Method, head: graph.Classifier) -> str:
    """``score`` checked: one of :data:`SCORES`, and defined for ``method`` and the model."""
    score = checks.one_of(score, "score", SCORES)
    if score == "probability":
        if method.logit_only:
            raise ValueError(f"score: {method.name} is defined on the logit only (its weights "
                             f"are the dense layer's, mean(cam) + b = logit; no score is "
                             f"differentiated); for the probability use method='grad_cam' "
                             f"with score='probability', or leave score='logit'")
        probability_function(head)
    return score


def require_tensorflow() -> None:
    if keras.backend.backend() != "tensorflow":
        raise RuntimeError("camteach needs the TensorFlow backend of Keras; "
                           "set KERAS_BACKEND=tensorflow before importing keras")


class _OneTracePerFunction(logging.Filter):
    """Drop TensorFlow's "N out of the last M calls ... triggered tf.function retracing".

    Each (model, layer, method, score) has a compiled function of its own, all
    made by the same ``_build``; TensorFlow counts their first traces together
    and warns as if one function retraced. The test suite counts the real
    traces (``tests/test_methods.py::test_compiled_once_per_model_layer_and_method``).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not ("_build.<locals>.run" in message and "triggered tf.function retracing"
                    in message)


logging.getLogger("tensorflow").addFilter(_OneTracePerFunction())

# model -> {key: compiled function}; entries go when the model goes.
_COMPILED: "weakref.WeakKeyDictionary[keras.Model, dict]" = weakref.WeakKeyDictionary()


def compiled(model: keras.Model, key, build):
    """The function ``build()`` made once per ``model`` and ``key``."""
    per_model = _COMPILED.setdefault(model, {})
    if key not in per_model:
        per_model[key] = build()
    return per_model[key]


def model_images(model: keras.Model, images) -> np.ndarray:
    """``images`` checked against the model's input: float32 (N, H, W, C)."""
    shape = model.inputs[0].shape
    return checks.as_batch(images, channels=shape[-1], size=(shape[1], shape[2]))


def in_batches(fn, x: np.ndarray, batch_size: int, *per_image, **constant) -> list[np.ndarray]:
    """Call the compiled ``fn`` on slices of ``x`` (and of ``per_image`` arrays or None)
    and concatenate each of its outputs along the batch axis."""
    batch_size = checks.positive_int(batch_size, "batch_size")
    results = []
    for i in range(0, len(x), batch_size):
        extra = [None if a is None else tf.constant(a[i:i + batch_size]) for a in per_image]
        results.append(fn(tf.constant(x[i:i + batch_size]), *extra, **constant))
    return [np.concatenate([r[j].numpy() for r in results]) for j in range(len(results[0]))]


def compiled_functions(model: keras.Model) -> list:
    """The compiled functions made so far for ``model`` (to count their traces).

    An entry built as a group of functions (LIME's forward and masked passes)
    counts each of them.
    """
    found = []
    for entry in _COMPILED.get(model, {}).values():
        found.extend(entry if isinstance(entry, (tuple, list)) else [entry])
    return found


def _columns(head: graph.Classifier, classes) -> tf.Tensor | None:
    if head.pool is None:
        return None
    kernel = tf.cast(head.dense.kernel, tf.float32)                   # (C, classes)
    return tf.transpose(tf.gather(kernel, classes, axis=1), (1, 2, 0))  # (N, K, C)


def _build(model: keras.Model, site: graph.Site, method: Method, score: str = "logit"):
    """Compiled ``(x, classes or None, k) -> (maps, classes, logits)``; ``score``: what
    the gradients and ``Signals.scores`` are of (the logits or the model's probabilities)."""
    head = graph.find_classifier(model)
    tap = graph.Tap(model, [site, head.score_input])
    scores_of = score_function(head)
    chosen = probability_function(head) if score == "probability" else tf.identity
    score_tap = graph.Tap(model, [head.score_input])

    def scores(images: tf.Tensor) -> tf.Tensor:
        return chosen(scores_of(score_tap(images)[0]))

    @tf.function(reduce_retracing=True)
    def run(x, classes=None, k=1):
        with tf.GradientTape(persistent=True, watch_accessed_variables=False) as tape:
            tape.watch(x)
            A, source = tap(x)
            logits = scores_of(source)
            if classes is None:
                classes = tf.math.top_k(logits, k=k, sorted=True).indices
            picked = tf.gather(chosen(logits), classes, batch_dims=1)  # (N, K)
            parts = [tf.reduce_sum(picked[:, j]) for j in range(k)] if method.gradients else []
        grads = (tf.cast(tf.stack([tape.gradient(part, A) for part in parts], axis=1), tf.float32)
                 if method.gradients else None)
        del tape
        signals = Signals(A=tf.cast(A, tf.float32), grads=grads, classes=classes,
                          logits=logits, W_c=_columns(head, classes), x=x, scores=scores,
                          score=score)
        return method.combine(signals), tf.cast(classes, tf.int64), logits

    return run


def gap_head(model: keras.Model, what: str = "class activation map") -> graph.Classifier:
    """The model's GlobalAveragePooling2D + Dense head, or a ValueError saying what to use."""
    head = graph.find_classifier(model)
    if head.pool is None:
        raise ValueError(
            f"model: {model.name!r} has no GlobalAveragePooling2D followed by a Dense "
            f"layer at its end, so its {what} is not defined; use "
            f"ct.grad_cam(model, images, ...) (or method='grad_cam') instead")
    return head


def _site(model: keras.Model, method: Method, layer) -> graph.Site:
    if method.needs_gap:
        head = gap_head(model, method.name)
        if layer is not None and graph.find_layer(model, layer).key != head.features.key:
            raise ValueError(f"layer: {method.name} is defined only at the feature maps the "
                             f"global average pooling reads ({head.features.name!r}); "
                             f"leave layer=None")
        return head.features
    site = graph.last_feature_maps(model) if layer is None else graph.find_layer(model, layer)
    if len(site.shape) != 4:
        raise ValueError(f"layer: {method.name} needs a layer with a 4-D output (N, h, w, C); "
                         f"{site.name!r} has output shape {site.shape}")
    return site


def run_method(model: keras.Model, images, method: Method, classes=None, top: int = 1,
               layer=None, *, batch_size: int = 32, score: str = "logit") -> CamResult:
    """The shared path behind :func:`camteach.explain` (see there)."""
    require_tensorflow()
    graph.check_model(model)
    score = check_score(score, method, graph.find_classifier(model))
    site = _site(model, method, layer)
    run = compiled(model, (method.name, site.key, score),
                   lambda: _build(model, site, method, score))
    x = model_images(model, images)
    num_classes = int(model.outputs[0].shape[-1])
    if classes is None:
        k, chosen = checks.positive_int(top, "top", high=num_classes), None
    else:
        chosen = checks.class_indices(classes, len(x), num_classes)
        k = chosen.shape[1]
    # one trace for every batch size (the last batch is often smaller than the others)
    run.get_concrete_function(tf.TensorSpec([None, *x.shape[1:]], tf.float32),
                              None if chosen is None else tf.TensorSpec([None, k], chosen.dtype),
                              k=k)
    maps, picked, logits = in_batches(run, x, batch_size, chosen, k=k)
    return CamResult(maps=maps.astype(np.float32, copy=False), classes=picked,
                     logits=logits, layer=site.name)
