"""The course's X-ray network: a small Inception-family model over the phantom findings.

    image (224, 224, 1) in [0, 1] (what ct.xray.load returns)
      -> stem: conv1 5x5/4 (56), conv2 3x3/2 (28)
      -> mixed0, mixed1 at 28x28      (Inception blocks)
      -> conv4 3x3 (28; stride 2 and 14x14 with ``last_size=14``)
      -> mixed2, mixed3 at 28x28      (mixed3: the feature maps F, 8 px a cell)
      -> avg_pool: GlobalAveragePooling2D
      -> predictions: Dense(6) with a sigmoid per finding

Each ``mixedN`` is an InceptionV3 block (Szegedy et al. 2016): four branches
read the same input in parallel, a 1x1 convolution, a 1x1 then 3x3, a 1x1
then two 3x3 (a 5x5 receptive field at a lower cost, as InceptionV3 factorises
it), and a 3x3 average pool then 1x1, and their outputs are concatenated
along the channels. The names follow Keras's InceptionV3 (``mixed0`` ...),
fixed, so that code can name a layer in every Python process (auto-numbered
names like ``conv2d_50`` change from one to the next).

The head is multi-label: one sigmoid per finding, as a radiograph can show
several findings or none; the heat maps explain the logits (before the
sigmoid). Trained on phantoms (``tools/train_xray_model.py``,
:func:`camteach.xray.training.train`): cross-entropy on the labels plus a
small term pulling each present finding's class activation map into the
readers' fused boxes (VinBigData is a detection data set: its boxes are
there to be learnt from). The heat maps are then judged on unseen phantoms.
The shortcut model (``load_xray_model("shortcut")``) learns from the labels
alone. The weights ship inside the package and are checked against their
SHA-256 before loading.
"""

from __future__ import annotations

import keras

from .. import course_model
from .phantoms import FINDINGS
from .vinbigdata import CLASS_NAMES, SIZE

#: The name of the shipped model in ``camteach/data/models.json``.
NAME = "xray"
#: ``load_xray_model`` names -> their entries in ``camteach/data/models.json``.
MODELS = {"xray": NAME, "shortcut": "xray_shortcut"}
#: The finding the shortcut model's training marker (:mod:`camteach.xray.marker`) goes with.
SHORTCUT_FINDING = "Pneumothorax"
FEATURE_LAYER = "mixed3"
MIXED = ("mixed0", "mixed1", "mixed2", "mixed3")
#: The model's outputs: the phantom findings in class-id order.
OUTPUTS = tuple(CLASS_NAMES[c] for c in sorted(FINDINGS))


def _conv(x, filters: int, kernel: int, name: str, stride: int = 1):
    x = keras.layers.Conv2D(filters, kernel, strides=stride, padding="same", use_bias=False,
                            name=f"{name}_conv")(x)
    x = keras.layers.BatchNormalization(name=f"{name}_bn")(x)
    return keras.layers.ReLU(name=f"{name}_relu")(x)


def mixed(x, width: int, name: str):
    """An Inception block: 1x1 | 1x1-3x3 | 1x1-3x3-3x3 | pool-1x1, concatenated.

    Outputs ``width`` channels: a quarter from each branch.
    """
    w = width // 4
    b1 = _conv(x, w, 1, f"{name}_1x1")
    b3 = _conv(_conv(x, w // 2, 1, f"{name}_3x3_reduce"), w, 3, f"{name}_3x3")
    b5 = _conv(x, w // 2, 1, f"{name}_5x5_reduce")
    b5 = _conv(_conv(b5, w, 3, f"{name}_5x5_a"), w, 3, f"{name}_5x5_b")
    bp = keras.layers.AveragePooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x)
    bp = _conv(bp, width - 3 * w, 1, f"{name}_pool_proj")
    return keras.layers.Concatenate(name=name)([b1, b3, b5, bp])


def build_xray_model(widths: tuple[int, int] = (96, 192), seed: int | None = 0,
                     activation: str | None = "sigmoid", last_size: int = 28) -> keras.Model:
    """The X-ray model with fresh (random) weights.

    Parameters
    ----------
    widths : (int, int)
        Channels of mixed0-1 and of mixed2-3 (the last is C).
    seed : int or None
        Seed of the initial weights.
    activation : {"sigmoid", None}
        The head (None: raw logits, for training with a from-logits loss).
    last_size : {28, 14}
        Side of ``mixed2`` and ``mixed3``: 28 (``conv4`` keeps the resolution; the
        shipped model, finer heat maps) or 14 (``conv4`` halves it).

    Returns
    -------
    keras.Model
        Input (None, 224, 224, 1); ``mixed3`` (None, last_size, last_size, C); ``avg_pool``;
        ``predictions`` (None, 6).
    """
    if len(widths) != 2 or any(int(w) < 8 for w in widths):
        raise ValueError(f"widths: expected 2 channel counts >= 8, got {widths!r}")
    if activation not in ("sigmoid", None):
        raise ValueError(f"activation: expected 'sigmoid' or None, got {activation!r}")
    if last_size not in (14, 28):
        raise ValueError(f"last_size: expected 14 or 28, got {last_size!r}")
    if seed is not None:
        keras.utils.set_random_seed(seed)
    inputs = keras.Input((SIZE, SIZE, 1), name="image")
    # kept in [0, 1]: the convolutions' zero padding then reads as air, like the background
    x = _conv(inputs, 32, 5, "conv1", stride=4)                       # 56
    x = _conv(x, 48, 3, "conv2", stride=2)                       # 28
    x = mixed(x, widths[0], "mixed0")
    x = mixed(x, widths[0], "mixed1")
    x = _conv(x, widths[0], 3, "conv4", stride=28 // last_size)  # 28 or 14
    x = mixed(x, widths[1], "mixed2")
    x = mixed(x, widths[1], "mixed3")
    x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = keras.layers.Dense(len(OUTPUTS), activation=activation, name="predictions")(x)
    return keras.Model(inputs, outputs, name="xray_inception")


def load_xray_model(name: str = "xray") -> keras.Model:
    """A shipped, trained X-ray model, offline, after checking its SHA-256.

    Parameters
    ----------
    name : {"xray", "shortcut"}
        ``"xray"``: trained on ordinary phantoms (the default everywhere).
        ``"shortcut"``: trained on phantoms where the burned-in "AP" corner tag
        (:mod:`camteach.xray.marker`) went with :data:`SHORTCUT_FINDING` (every
        training phantom with it carried the tag, no other did): right for the
        wrong reason, caught by its heat map (lesson 10).

    Returns
    -------
    keras.Model
        See :func:`build_xray_model`: input (None, 224, 224, 1) as
        :func:`camteach.xray.load` returns images, output a sigmoid per finding
        of :data:`OUTPUTS` (the columns of ``load(...).labels``).
    """
    if name not in MODELS:
        raise ValueError(f"name: expected one of {tuple(MODELS)}, got {name!r}")
    return course_model.load_course_model(MODELS[name])
