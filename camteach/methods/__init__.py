"""Explanation methods behind one call, :func:`explain`, and a registry of their names.

Adding a method: write a small module with a :class:`Method` subclass that
gives its channel weights (or its whole map) and its formula in the
docstring, then add one ``register(...)`` line below. The shared contract in
``tests/test_methods.py`` then runs on it with no other edit.
"""

from __future__ import annotations

import keras

from .base import SCORES, CamResult, Method, Signals, run_method
from .cam import CAM, class_activation_maps
from .eigen_cam import EigenCAM
from .grad_cam import GradCAM
from .grad_cam_plus_plus import GradCAMPlusPlus
from .hires_cam import HiResCAM
from .layer_cam import LayerCAM
from .lime import Lime, LimeResult
from .score_cam import ScoreCAM

_REGISTRY: dict[str, Method] = {}


def register(method: Method) -> Method:
    """Add ``method`` to the registry under ``method.name``; returns it."""
    if not isinstance(method, Method) or not method.name:
        raise ValueError(f"method: expected a Method instance with a name, got {method!r}")
    if method.name in _REGISTRY:
        raise ValueError(f"method: the name {method.name!r} is already registered")
    _REGISTRY[method.name] = method
    return method


def unregister(name: str) -> None:
    """Remove a method from the registry (for tests and experiments)."""
    _REGISTRY.pop(get(name).name)


def names() -> tuple[str, ...]:
    """The registered method names, in registration order."""
    return tuple(_REGISTRY)


def get(name: str) -> Method:
    """The registered method called ``name``."""
    if name not in _REGISTRY:
        raise ValueError(f"method: expected one of {list(_REGISTRY)}, got {name!r}")
    return _REGISTRY[name]


register(CAM())
register(GradCAM())
register(HiResCAM())
register(GradCAMPlusPlus())
register(LayerCAM())
register(EigenCAM())
register(ScoreCAM())
register(Lime())


def explain(model: keras.Model, images, method: str = "grad_cam", classes=None, top: int = 1,
            layer=None, *, batch_size: int = 32, score: str = "logit", **options) -> CamResult:
    """Heat maps of ``images`` by any registered method, one compiled pass per batch.

    Parameters
    ----------
    model : keras.Model
        A single-input Functional or Sequential classifier (nested models too).
    images : array-like, (N, H, W, C) or (H, W, C)
        Already preprocessed for the model.
    method : str
        A name from :func:`names`, e.g. ``"cam"`` or ``"grad_cam"``.
    classes : None, int, or array-like of int (N,) or (N, K)
        None: the ``top`` best-scoring classes per image, best first.
    top : int
        How many classes when ``classes`` is None.
    layer : str or keras layer, optional
        Whose activations to use (default: the last 4-D feature maps that feed
        the decision, found inside nested models). Any depth may be named.
    batch_size : int
        Images per forward pass.
    score : {"logit", "probability"}
        The class score explained: the logit (default: the score before the
        softmax or sigmoid, which does not saturate and speaks of one class
        alone; CAM's ``mean(cam) + b = logit``), or the model's own
        probability (its sigmoid per class or softmax). ``"probability"`` is
        a ValueError for ``cam`` (defined on the logit) and for models whose
        output has no sigmoid or softmax. Classes are chosen by score either way.
    **options
        Options of the method itself (see its docstring); an option it does
        not take is a ValueError.

    Returns
    -------
    CamResult
        ``maps`` (N, K, h, w) raw, ``classes`` (N, K), ``logits`` (N, classes), ``layer``.
    """
    return get(method).explain(model, images, classes, top, layer, batch_size=batch_size,
                               score=score, **options)


def cam(model: keras.Model, images, classes=None, top: int = 1, *,
        batch_size: int = 32) -> CamResult:
    """Class activation maps: ``sum_k W[k, c] F_k`` for a GAP + Dense classifier.

    ``maps.mean(axis=(-2, -1)) + b[c] == logits[c]``. See :func:`explain`
    for the arguments; the layer is always the one the pooling reads.
    """
    return explain(model, images, "cam", classes, top, batch_size=batch_size)


def grad_cam(model: keras.Model, images, classes=None, top: int = 1, layer=None, *,
             batch_size: int = 32, score: str = "logit") -> CamResult:
    """Grad-CAM: ``ReLU(sum_k alpha_k A_k)``, ``alpha_k`` the mean gradient of the logit
    (or of the probability with ``score="probability"``).

    On a GAP + Dense head at the pooled layer, ``grad_cam == ReLU(cam) / (h * w)``.
    See :func:`explain` for the arguments.
    """
    return explain(model, images, "grad_cam", classes, top, layer, batch_size=batch_size,
                   score=score)


__all__ = ["CAM", "CamResult", "GradCAM", "Method", "SCORES", "Signals", "cam",
           "class_activation_maps",
           "explain", "get", "grad_cam", "names", "register", "unregister",
           "HiResCAM", "GradCAMPlusPlus", "LayerCAM", "EigenCAM", "ScoreCAM"]
