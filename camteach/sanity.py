"""Sanity checks for saliency maps (Adebayo et al. 2018): does the map depend on the model?

J. Adebayo, J. Gilmer, M. Muelly, I. Goodfellow, M. Hardt and B. Kim,
"Sanity checks for saliency maps", NeurIPS 2018 (arXiv:1810.03292).

Cascading model-parameter randomisation: on a *copy* of the model, the
layers are re-initialised one after another from the top (the logits) down,
and after each step the maps are drawn again and compared with the trained
model's: Spearman rank correlation and SSIM (scikit-image), each map first
upsampled to the image size the course's one way (bilinear) and, for SSIM,
min-max normalised (as in the paper). A map that stays alike while the
model is destroyed does not explain the model (an edge detector, for one,
looks right and passes the eye test). A "step" is a layer with a kernel
(Dense, Conv) together with the weighted layers that follow it before the
next one (its BatchNormalization); each layer is re-initialised with its
own initializers (a new seed).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import keras
import numpy as np
from scipy.stats import rankdata
from skimage.metrics import structural_similarity

from . import checks
from .heatmap import normalize, upsample
from .methods import explain
from .methods.base import model_images

#: A method passes when the mean |Spearman| of its maps with the trained
#: model's, after the whole cascade, is below this.
PASS_THRESHOLD = 0.5

MapFunction = Callable[[keras.Model, np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class SanityCheck:
    """The cascading randomisation's similarities.

    Attributes
    ----------
    steps : tuple of str
        The layers re-initialised at each step (cumulatively), top first;
        step ``j`` has re-initialised ``steps[:j + 1]`` (named by their
        kernel layer).
    depths : tuple of int
        The numbers of steps after which maps were compared (1: the top
        layer only; ``len(steps)``: the whole model).
    spearman, ssim : dict of str -> numpy.ndarray, float64, (D, N)
        For each method, the similarity of every image's map with the
        trained model's, at each depth.
    passes : dict of str -> bool
        Whether ``mean |spearman|`` at the last depth is below ``threshold``.
    threshold : float
    """

    steps: tuple[str, ...]
    depths: tuple[int, ...]
    spearman: dict
    ssim: dict
    passes: dict
    threshold: float


def spearman(a, b) -> np.ndarray:
    """Spearman rank correlation of maps ``a`` and ``b`` (N, H, W), per map (0 if one is flat)."""
    a, b = (np.asarray(m, np.float64).reshape(len(m), -1) for m in (a, b))
    ra, rb = (rankdata(m, axis=1) for m in (a, b))
    ra, rb = ra - ra.mean(axis=1, keepdims=True), rb - rb.mean(axis=1, keepdims=True)
    norm = np.sqrt((ra ** 2).sum(axis=1) * (rb ** 2).sum(axis=1))
    return np.where(norm > 0, (ra * rb).sum(axis=1) / np.where(norm > 0, norm, 1), 0.0)


def ssim(a, b) -> np.ndarray:
    """SSIM of min-max normalised maps ``a`` and ``b`` (N, H, W), per map (``data_range=1``)."""
    a, b = normalize(a), normalize(b)
    return np.array([structural_similarity(x, y, data_range=1.0) for x, y in zip(a, b)])


def weighted_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """The layers holding weights, in the model's order, nested models opened."""
    found = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            found.extend(weighted_layers(layer))
        elif layer.weights:
            found.append(layer)
    return found


def cascade_steps(model: keras.Model) -> list[list[keras.layers.Layer]]:
    """The weighted layers grouped into steps (a kernel layer and what follows it), top first."""
    groups: list[list] = []
    for layer in weighted_layers(model):
        if hasattr(layer, "kernel") or not groups:
            groups.append([layer])
        else:
            groups[-1].append(layer)
    return groups[::-1]


def reinitialise(layer: keras.layers.Layer, seed: int) -> None:
    """Draw every weight of ``layer`` again from its own initializer (Glorot if it has none)."""
    for k, variable in enumerate(layer.weights):
        init = getattr(layer, f"{variable.name}_initializer", None)
        if init is None:
            init = keras.initializers.GlorotUniform()
        config = init.get_config()
        if "seed" in config:
            config["seed"] = seed * 1000 + k
        fresh = type(init).from_config(config)
        variable.assign(fresh(tuple(variable.shape), dtype=variable.dtype))


def copy_model(model: keras.Model) -> keras.Model:
    """A clone of ``model`` with its own copy of the weights (the caller's stays untouched)."""
    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    return clone


def _maps(method, model, x, classes, size) -> np.ndarray:
    if callable(method):
        maps = np.asarray(method(model, x, classes), np.float32)
    else:
        maps = explain(model, x, method, classes=classes).maps
    if maps.ndim == 4:
        maps = maps[:, 0]
    if maps.ndim != 3 or len(maps) != len(x):
        raise ValueError(f"methods: a map function must return (N={len(x)}, h, w) or "
                         f"(N, 1, h, w), got shape {maps.shape}")
    return maps if maps.shape[1:] == size else upsample(maps, size)


def randomization_check(model: keras.Model, images, classes,
                        methods: Sequence[str] | dict = ("cam", "grad_cam"), *,
                        depths: Sequence[int] | None = None, threshold: float = PASS_THRESHOLD,
                        seed: int = 0) -> SanityCheck:
    """Adebayo et al.'s cascading randomisation, on a copy of ``model``.

    Parameters
    ----------
    model : keras.Model
        The trained classifier (never changed: the cascade runs on a clone).
    images : array-like, (N, H, W, C)
        Preprocessed for the model.
    classes : int or array-like of int, (N,)
        The class explained in every image (the same before and after).
    methods : sequence of str, or dict of str -> method
        Registered method names, or names mapped to a name or a function
        ``(model, images, classes) -> maps (N, h, w) or (N, 1, h, w)``
        (for options, e.g. LIME's ``num_samples``, or a baseline).
    depths : sequence of int, optional
        After how many steps to compare (default: after every step). Each
        depth costs one run of every method.
    threshold : float in (0, 1]
        The pass mark on the mean |Spearman| after the deepest depth.
    seed : int
        Seeds of the re-initialisation.

    Returns
    -------
    SanityCheck
    """
    x = model_images(model, images)
    num_classes = int(model.outputs[0].shape[-1])
    picked = checks.class_indices(classes, len(x), num_classes)
    if picked.shape[1] != 1:
        raise ValueError(f"classes: expected one class per image ({len(x)},), got shape "
                         f"{picked.shape}")
    picked = picked[:, 0]
    if isinstance(methods, str) or not isinstance(methods, (Sequence, dict)) or not methods:
        raise ValueError(f"methods: expected a non-empty list of method names or a dict of "
                         f"name -> method, got {methods!r}")
    table = dict(methods) if isinstance(methods, dict) else {name: name for name in methods}
    threshold = checks.number_in(threshold, "threshold", 0.0, 1.0, low_open=True)
    clone = copy_model(model)
    steps = cascade_steps(clone)
    if not steps:
        raise ValueError("model: has no weights to randomise")
    depths = tuple(range(1, len(steps) + 1)) if depths is None else tuple(
        checks.int_in_range(d, "depths", 1, len(steps)) for d in depths)
    if not depths or list(depths) != sorted(set(depths)):
        raise ValueError(f"depths: expected increasing ints in [1, {len(steps)}], got {depths!r}")
    size = x.shape[1:3]
    trained = {name: _maps(m, model, x, picked, size) for name, m in table.items()}
    rho = {name: [] for name in table}
    sim = {name: [] for name in table}
    done = 0
    for depth in depths:
        for j in range(done, depth):
            for layer in steps[j]:
                reinitialise(layer, seed + j)
        done = depth
        for name, m in table.items():
            after = _maps(m, clone, x, picked, size)
            rho[name].append(spearman(trained[name], after))
            sim[name].append(ssim(trained[name], after))
    rho = {name: np.array(v) for name, v in rho.items()}
    sim = {name: np.array(v) for name, v in sim.items()}
    return SanityCheck(steps=tuple(group[0].name for group in steps), depths=depths,
                       spearman=rho, ssim=sim,
                       passes={name: bool(np.abs(v[-1]).mean() < threshold)
                               for name, v in rho.items()},
                       threshold=threshold)
