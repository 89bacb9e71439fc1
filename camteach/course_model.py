"""The course's own network: a small CNN with ResNet50's head geometry.

    raw RGB 224x224x3 (0-255)
      -> conv1 (stride 4) -> conv2 .. conv5 stages (Conv-BN-ReLU)
      -> conv5_out: 7x7xC feature maps F, all >= 0 after the ReLU
      -> avg_pool: GlobalAveragePooling2D, C numbers
      -> predictions: Dense(4) with a sigmoid per class: four logistic
         regressions, one per class ("is there a face?", "a car?", ...)

Like ResNet50 (``conv5_block3_out`` 7x7x2048 -> ``avg_pool`` ->
``predictions``), only narrower, so that it trains on two CPU cores in
minutes and its CAMs can be checked against the exact masks of
:mod:`camteach.scenes`. Unlike ResNet50, whose softmax head (multinomial
logistic regression) makes the 1000 classes compete and must always pick
one, the course model's head is what it was trained as: one logistic
regression per class (sigmoid cross-entropy on each score, trained on
scenes and on empty backgrounds), so its probabilities need not sum to 1
and "nothing here" is every probability low. The CAMs explain the scores
before the sigmoid (the logits), as with any head. Its trained weights ship
inside the package and are checked against a SHA-256 (and its head's
activation against ``models.json``) before loading.

"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import keras

from . import checks

DATA = Path(__file__).resolve().parent / "data"
MANIFEST = DATA / "models.json"
FEATURE_LAYER = "conv5_out"
#: The stage outputs, from the image to the class scores.
STAGES = ("image", "conv1_relu", "conv2_a_relu", "conv3_b_relu", "conv4_b_relu", FEATURE_LAYER,
          "avg_pool", "predictions")
INPUT_SIZE = 224
#: The head activations :func:`build_course_model` accepts (None: raw scores).
HEADS = ("sigmoid", "softmax", None)


def _conv_bn_relu(x, filters: int, stride: int, name: str, kernel: int = 3):
    x = keras.layers.Conv2D(filters, kernel, strides=stride, padding="same", use_bias=False,
                            name=f"{name}_conv")(x)
    x = keras.layers.BatchNormalization(name=f"{name}_bn")(x)
    return keras.layers.ReLU(name=f"{name}_out" if name.startswith("conv5") else f"{name}_relu")(x)


def build_course_model(num_classes: int = 4, widths: tuple[int, ...] = (32, 64, 128, 256),
                       seed: int | None = 0, activation: str | None = "sigmoid") -> keras.Model:
    """Build the course model with fresh (random) weights.

    Parameters
    ----------
    num_classes : int
        Output classes (the scenes have 4: face, car, house, flower).
    widths : tuple of 4 ints
        Channels of the stages at 56, 28, 14 and 7 pixels; the last is C,
        the number of feature maps the CAM sums over.
    seed : int or None
        Seed for the initial weights (None: not seeded).
    activation : {"sigmoid", "softmax", None}
        The head's activation: "sigmoid" (one logistic regression per class,
        the shipped models), "softmax" (classes compete, as in ResNet50), or
        None for the raw scores (used in training, where the loss applies it).

    Returns
    -------
    keras.Model
        Input (None, 224, 224, 3) raw RGB; ``conv5_out`` (None, 7, 7, C);
        ``avg_pool`` (None, C); ``predictions`` (None, num_classes), after
        ``activation``.
    """
    if len(widths) != 4 or any(int(w) < 1 for w in widths):
        raise ValueError(f"widths: expected 4 positive channel counts, got {widths!r}")
    activation = checks.one_of(activation, "activation", HEADS)
    if seed is not None:
        keras.utils.set_random_seed(seed)
    inputs = keras.Input((INPUT_SIZE, INPUT_SIZE, 3), name="image")
    x = keras.layers.Rescaling(1 / 127.5, offset=-1.0, name="rescale")(inputs)
    x = _conv_bn_relu(x, widths[0], 4, "conv1", kernel=5)                  # 56x56
    x = _conv_bn_relu(x, widths[0], 1, "conv2_a")
    x = _conv_bn_relu(x, widths[1], 2, "conv3_a")                           # 28x28
    x = _conv_bn_relu(x, widths[1], 1, "conv3_b")
    x = _conv_bn_relu(x, widths[2], 2, "conv4_a")                           # 14x14
    x = _conv_bn_relu(x, widths[2], 1, "conv4_b")
    x = _conv_bn_relu(x, widths[3], 2, "conv5_a")                           # 7x7
    x = _conv_bn_relu(x, widths[3], 1, "conv5")                             # -> conv5_out
    x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = keras.layers.Dense(num_classes, activation=activation, name="predictions")(x)
    return keras.Model(inputs, outputs, name="course_cnn")


def sha256(path: Path) -> str:
    """The SHA-256 of a file, hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def save_course_model(model: keras.Model, path: Path) -> None:
    """Save weights and architecture only (no optimizer state) as a ``.keras`` file."""
    clean = keras.Model.from_config(model.get_config())   # a fresh, uncompiled copy
    clean.set_weights(model.get_weights())
    clean.save(path)


def manifest() -> dict:
    """The shipped models: name -> {"file", "sha256", "size_bytes", "head", "training",
    "evaluation"}."""
    if not MANIFEST.exists():
        return {}
    return json.loads(MANIFEST.read_text())


def load_course_model(name: str = "course") -> keras.Model:
    """Load a shipped, trained course model, offline, after checking its hash.

    Parameters
    ----------
    name : {"course", "shortcut"}
        ``"course"``: trained on ordinary scenes (the default everywhere).
        ``"shortcut"``: trained on scenes where a stripe at the edge gives one class
        away (lesson 06 catches it with its CAM).

    Returns
    -------
    keras.Model
        See :func:`build_course_model`; its input is raw RGB 0-255, its
        head a sigmoid per class (``models.json`` records it, and the loader
        checks it).
    """
    models = manifest()
    if name not in models:
        raise ValueError(f"name: expected one of {sorted(models)}, got {name!r}")
    entry = models[name]
    path = DATA / entry["file"]
    if not path.exists():
        raise FileNotFoundError(f"the weights file {path} is missing; reinstall camteach "
                                f"or retrain with `python3 course.py train`")
    if sha256(path) != entry["sha256"]:
        raise ValueError(f"{path.name}: SHA-256 mismatch (file corrupted or replaced "
                         f"without updating {MANIFEST.name}); retrain with "
                         f"`python3 course.py train` or restore the file")
    model = keras.saving.load_model(path, compile=False, safe_mode=True)
    head = model.get_layer("predictions").activation.__name__
    if head != entry.get("head", head):
        raise ValueError(f"{path.name}: its head is {head!r} but {MANIFEST.name} says "
                         f"{entry['head']!r}; retrain with `python3 course.py train`")
    return model
