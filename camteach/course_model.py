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


def _rescaled_input(activation: str | None, seed: int | None):
    """Both builders' start: the checked head ``activation``, the seeded weights, and the
    raw-RGB input with its rescaling to [-1, 1] (``inputs``, ``x``)."""
    activation = checks.one_of(activation, "activation", HEADS)
    if seed is not None:
        keras.utils.set_random_seed(seed)
    inputs = keras.Input((INPUT_SIZE, INPUT_SIZE, 3), name="image")
    return activation, inputs, keras.layers.Rescaling(1 / 127.5, offset=-1.0, name="rescale")(inputs)


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
    activation, inputs, x = _rescaled_input(activation, seed)
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


#: The "vgg" course model's last convolution: the 14x14 maps Grad-CAM explains (like
#: VGG16's ``block5_conv3``), and the last convolution of each block, image to decision.
VGG_FEATURE_LAYER = "block3_conv2"
VGG_BLOCK_OUTPUTS = ("block1_conv2", "block2_conv2", VGG_FEATURE_LAYER)


def build_vgg_model(num_classes: int = 4, widths: tuple[int, ...] = (32, 64, 128),
                    dense: int = 128, seed: int | None = 0, activation: str | None = "sigmoid",
                    batch_norm: bool = False) -> keras.Model:
    """Build the "vgg" course model: VGG16's plan, no global average pooling.

        raw RGB 224x224x3 (0-255)
          -> block1 .. block3: two 3x3 convolutions with a ReLU each, then 2x2 max
             pooling (block1's first convolution is 5x5 with stride 4, as the
             course model's conv1, so that it trains on a laptop CPU: 56 px)
          -> block3_conv2: 14x14xC feature maps (VGG16: block5_conv3, 14x14x512)
          -> block3_pool (7x7xC) -> flatten -> fc1 (Dense, ReLU)
          -> predictions: Dense(num_classes), a sigmoid per class

    Every position of ``block3_pool`` has weights of its own in ``fc1``: there
    is no pooled feature per channel, so no CAM; Grad-CAM explains it.

    Parameters
    ----------
    num_classes : int
        Output classes.
    widths : tuple of ints
        Channels of each block, one block per entry (the default three: 56, 28
        and 14 px); the last block's second convolution is ``VGG_FEATURE_LAYER``
        with three blocks.
    dense : int
        Units of ``fc1``.
    seed : int or None
        Seed for the initial weights (None: not seeded).
    activation : {"sigmoid", "softmax", None}
        The head's activation (None: raw scores, as in training).
    batch_norm : bool
        Training form: each convolution (no bias) is followed by
        ``<name>_bn`` and ``<name>_relu`` (momentum 0.9). The shipped form (False) has the
        batch normalisation folded into each convolution (:func:`fold_batch_norm`),
        a ReLU built in, as in ``keras.applications.VGG16``.

    Returns
    -------
    keras.Model
        Input (None, 224, 224, 3) raw RGB; ``block3_conv2`` (None, 14, 14, C)
        in the shipped form; ``predictions`` (None, num_classes).
    """
    if not 1 <= len(widths) <= 5 or any(int(w) < 1 for w in widths):
        raise ValueError(f"widths: expected 1 to 5 positive channel counts, got {widths!r}")
    if int(dense) < 1:
        raise ValueError(f"dense: expected a positive number of units, got {dense!r}")
    activation, inputs, x = _rescaled_input(activation, seed)
    for block, width in enumerate(widths, start=1):
        for conv in (1, 2):
            name, first = f"block{block}_conv{conv}", block == 1 and conv == 1
            kernel, stride = (5, 4) if first else (3, 1)
            if batch_norm:
                x = keras.layers.Conv2D(width, kernel, strides=stride, padding="same",
                                        use_bias=False, name=name)(x)
                x = keras.layers.BatchNormalization(momentum=0.9, name=f"{name}_bn")(x)
                x = keras.layers.ReLU(name=f"{name}_relu")(x)
            else:
                x = keras.layers.Conv2D(width, kernel, strides=stride, padding="same",
                                        activation="relu", name=name)(x)
        x = keras.layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(int(dense), activation="relu", name="fc1")(x)
    outputs = keras.layers.Dense(num_classes, activation=activation, name="predictions")(x)
    return keras.Model(inputs, outputs, name="vgg_cnn")


def fold_batch_norm(trained: keras.Model, activation: str | None = "sigmoid") -> keras.Model:
    """The shipped form of a "vgg" model trained with ``batch_norm=True``: same scores.

    Each ``conv -> BatchNormalization -> ReLU`` becomes one convolution with a
    bias and a ReLU: ``kernel * s`` and ``beta - mean * s``, with
    ``s = gamma / sqrt(var + epsilon)`` (batch normalisation at inference is
    a per-channel affine map).
    """
    widths = tuple(layer.filters for layer in trained.layers if layer.name.endswith("_conv2"))
    shipped = build_vgg_model(trained.output_shape[-1], widths,
                              trained.get_layer("fc1").units, seed=None, activation=activation)
    for layer in shipped.layers:
        source = trained.get_layer(layer.name)
        if isinstance(layer, keras.layers.Conv2D):
            bn = trained.get_layer(f"{layer.name}_bn")
            gamma, beta, mean, var = (w.astype("float64") for w in bn.get_weights())
            scale = gamma / (var + bn.epsilon) ** 0.5
            kernel = source.get_weights()[0].astype("float64") * scale
            layer.set_weights([kernel.astype("float32"), (beta - mean * scale).astype("float32")])
        elif layer.weights:
            layer.set_weights(source.get_weights())
    return shipped


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
    name : {"course", "shortcut", "vgg"}
        ``"course"``: trained on ordinary scenes (the default everywhere).
        ``"shortcut"``: trained on scenes where a stripe at the edge gives one class
        away (lesson 06 catches it with its CAM).
        ``"vgg"``: VGG-style, no global average pooling (:func:`build_vgg_model`),
        trained on the same scenes as ``"course"``; CAM refuses it, Grad-CAM
        explains it (lesson 08).

    Returns
    -------
    keras.Model
        See :func:`build_course_model` (``"vgg"``: :func:`build_vgg_model`); its
        input is raw RGB 0-255, its
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


def with_head(model: keras.Model, activation: str | None) -> keras.Model:
    """A copy of a course model with another head activation and the same weights.

    The logits (and so every CAM) are unchanged; only what ``model.predict``
    returns after them changes.

    Parameters
    ----------
    model : keras.Model
        A model of the course architecture (``load_course_model()`` or
        ``load_course_model("shortcut")``).
    activation : {"sigmoid", "softmax", None}
        The new head (None: the logits themselves).

    Returns
    -------
    keras.Model
        Same layers and weights, ``predictions`` with ``activation``.
    """
    activation = checks.one_of(activation, "activation", HEADS)
    convs = ("conv1_conv", "conv3_a_conv", "conv4_a_conv", "conv5_a_conv")
    missing = [name for name in convs if name not in {layer.name for layer in model.layers}]
    if missing:
        raise ValueError(f"model: expected a course-architecture model (layers {convs}), "
                         f"got {model.name!r} without {missing}")
    widths = tuple(model.get_layer(name).filters for name in convs)
    rebuilt = build_course_model(model.output_shape[-1], widths, seed=None,
                                 activation=activation)
    rebuilt.set_weights(model.get_weights())
    return rebuilt
