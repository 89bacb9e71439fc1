"""Real pre-trained ImageNet networks from ``keras.applications``.

The course's own model (``ct.load_course_model()``) runs everywhere. This
module is the bridge to the networks the lecture talks about: ResNet50 (CAM,
lessons 01 and 07), VGG16 and InceptionV3 (Grad-CAM, lesson 08) and the
Inception family on chest X-rays (lesson 10).

* :func:`load_pretrained` builds the genuine ``keras.applications`` model.
  With ``weights="imagenet"`` Keras downloads the weights once and caches them
  in ``~/.keras/models`` (``$KERAS_HOME/models``). Offline, when they are not
  cached, it raises :class:`WeightsUnavailableError` within seconds, with a
  message that says what to do. ``weights=None`` builds the same architecture
  with random weights: layer names, shapes and the CAM identities hold for any
  weights, so tests and the shape lesson use it.
* :func:`preprocess` applies each network's own ``preprocess_input`` without
  touching the caller's array.
* :func:`imagenet_class_names` and :func:`decode` name the 1000 ImageNet
  classes offline, from ``camteach/data/imagenet_classes.json`` (built by
  ``tools/make_imagenet_classes.py`` from the lists shipped in the ``timm``
  1.0.31 wheel; same order and names as Keras' ``imagenet_class_index.json``).

Example (lesson 07)::

    import camteach.pretrained as pt
    model = pt.load_pretrained("resnet50")          # needs the weights once
    x = pt.preprocess("resnet50", photo)[None]      # (1, 224, 224, 3)
    probs = model.predict(x, verbose=0)             # (1, 1000), softmax
    pt.decode(probs, top=3)                         # [[(281, 'tabby', 0.61), ...]]
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import keras
import numpy as np
from keras.src.utils import file_utils as _keras_file_utils

__all__ = [
    "ARCHITECTURES",
    "ArchSpec",
    "WeightsUnavailableError",
    "decode",
    "feature_layer",
    "imagenet_class_names",
    "input_size",
    "load_pretrained",
    "preprocess",
    "weights_cached",
]

_DATA = Path(__file__).resolve().parent / "data" / "imagenet_classes.json"
_WEIGHTS_BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"
# Values this far outside [0, 255] (overshoot of bicubic resampling) are
# clipped; further out, the images were probably preprocessed already.
_RANGE_SLACK = 2.0


@dataclass(frozen=True)
class ArchSpec:
    """What the course needs to know about one ``keras.applications`` network.

    Attributes
    ----------
    name : str
        Key in :data:`ARCHITECTURES` (``"resnet50"``, ``"inceptionv3"``, ``"vgg16"``).
    display_name : str
        Human name, e.g. ``"ResNet50"``.
    constructor : callable
        The ``keras.applications`` constructor, e.g. ``keras.applications.ResNet50``.
    preprocess_input : callable
        The network's own ``preprocess_input`` (it may modify float arrays in
        place; :func:`preprocess` always hands it a private copy).
    preprocess_mode : str
        ``"caffe"``: RGB -> BGR, then subtract the ImageNet mean pixel
        (103.939, 116.779, 123.68), no scaling. ``"tf"``: scale to [-1, 1]
        (``x / 127.5 - 1``).
    input_size : int
        Side of the square input image in pixels (224 or 299).
    feature_layer : str
        Last convolutional feature layer, the one CAM / Grad-CAM look at.
    feature_shape : tuple of int
        Its output shape for one image, ``(h, w, channels)``.
    pooling_layer : str or None
        Name of the ``GlobalAveragePooling2D`` layer, or ``None`` when the head
        has no global average pooling (VGG16: Flatten + fully connected), the
        case where plain CAM does not apply and Grad-CAM is needed.
    classifier_layer : str
        The final ``Dense`` layer (1000 ImageNet classes, softmax built in).
    head : str
        One-line description of the classification head.
    weights_file, weights_file_notop : str
        File names Keras caches in ``~/.keras/models`` for ``include_top=True``
        and ``include_top=False``.
    weights_hash, weights_hash_notop : str
        Their md5 hashes, as Keras checks them.
    weights_mb : int
        Approximate download size of ``weights_file`` in megabytes.
    lessons : str
        Which lessons use the network.
    """

    name: str
    display_name: str
    constructor: Callable[..., keras.Model]
    preprocess_input: Callable[..., Any]
    preprocess_mode: str
    input_size: int
    feature_layer: str
    feature_shape: tuple[int, int, int]
    pooling_layer: str | None
    classifier_layer: str
    head: str
    weights_file: str
    weights_file_notop: str
    weights_hash: str
    weights_hash_notop: str
    weights_mb: int
    lessons: str

    @property
    def weights_url(self) -> str:
        """Where Keras downloads :attr:`weights_file` from."""
        folder = {"resnet50": "resnet", "inceptionv3": "inception_v3", "vgg16": "vgg16"}
        return f"{_WEIGHTS_BASE_URL}{folder[self.name]}/{self.weights_file}"


#: The three real networks of the course. Keys are lower-case names;
#: :func:`load_pretrained` and friends also accept ``"ResNet50"``,
#: ``"inception_v3"``, ``"VGG-16"`` and similar spellings.
ARCHITECTURES: dict[str, ArchSpec] = {
    "resnet50": ArchSpec(
        name="resnet50",
        display_name="ResNet50",
        constructor=keras.applications.ResNet50,
        preprocess_input=keras.applications.resnet50.preprocess_input,
        preprocess_mode="caffe",
        input_size=224,
        feature_layer="conv5_block3_out",
        feature_shape=(7, 7, 2048),
        pooling_layer="avg_pool",
        classifier_layer="predictions",
        head="conv5_block3_out (7x7x2048, after ReLU) -> avg_pool "
        "(GlobalAveragePooling2D, 2048) -> predictions (Dense 2048x1000, softmax)",
        weights_file="resnet50_weights_tf_dim_ordering_tf_kernels.h5",
        weights_file_notop="resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
        weights_hash="2cb95161c43110f7111970584f804107",
        weights_hash_notop="4d473c1dd8becc155b73f8504c6f6626",
        weights_mb=100,
        lessons="01 (shapes through ResNet50), 07 (a real pre-trained ResNet50)",
    ),
    "inceptionv3": ArchSpec(
        name="inceptionv3",
        display_name="InceptionV3",
        constructor=keras.applications.InceptionV3,
        preprocess_input=keras.applications.inception_v3.preprocess_input,
        preprocess_mode="tf",
        input_size=299,
        feature_layer="mixed10",
        feature_shape=(8, 8, 2048),
        pooling_layer="avg_pool",
        classifier_layer="predictions",
        head="mixed10 (8x8x2048, concatenation of ReLU branches) -> avg_pool "
        "(GlobalAveragePooling2D, 2048) -> predictions (Dense 2048x1000, softmax)",
        weights_file="inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
        weights_file_notop="inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
        weights_hash="9a0d58056eeedaa3f26cb7ebd46da564",
        weights_hash_notop="bcbd6486424b2319ff4ef7d526e38f63",
        weights_mb=92,
        lessons="08 (Grad-CAM), 10 (Inception family on chest X-rays)",
    ),
    "vgg16": ArchSpec(
        name="vgg16",
        display_name="VGG16",
        constructor=keras.applications.VGG16,
        preprocess_input=keras.applications.vgg16.preprocess_input,
        preprocess_mode="caffe",
        input_size=224,
        feature_layer="block5_conv3",
        feature_shape=(14, 14, 512),
        pooling_layer=None,
        classifier_layer="predictions",
        head="block5_conv3 (14x14x512) -> block5_pool (MaxPooling2D, 7x7x512) -> "
        "flatten (25088) -> fc1 (4096) -> fc2 (4096) -> predictions "
        "(Dense 4096x1000, softmax); no global average pooling",
        weights_file="vgg16_weights_tf_dim_ordering_tf_kernels.h5",
        weights_file_notop="vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
        weights_hash="64373286793e3c8b2b4e3219cbf3544b",
        weights_hash_notop="6d6bbae143d832006294945121d1f1fc",
        weights_mb=530,
        lessons="08 (Grad-CAM on a network without global average pooling)",
    ),
}


class WeightsUnavailableError(RuntimeError):
    """The ImageNet weights are not cached and could not be downloaded.

    Raised by :func:`load_pretrained` (lessons 07, 08, 10), chained ``from``
    the original download error. The attributes say what was missing.

    Attributes
    ----------
    architecture : str
        Key in :data:`ARCHITECTURES`.
    filename : str
        The weights file Keras needed, e.g.
        ``"resnet50_weights_tf_dim_ordering_tf_kernels.h5"``.
    url : str
        Where Keras tried to download it from.
    cache_dir : str
        The folder where Keras looks for it (``~/.keras/models`` by default).
    """

    def __init__(self, message: str, *, architecture: str, filename: str,
                 url: str, cache_dir: str) -> None:
        super().__init__(message)
        self.architecture = architecture
        self.filename = filename
        self.url = url
        self.cache_dir = cache_dir


# --------------------------------------------------------------------------
# Names and look-ups
# --------------------------------------------------------------------------

def _normalise(name: str) -> str:
    return str(name).lower().replace("_", "").replace("-", "").replace(" ", "")


def _spec(name: str) -> ArchSpec:
    if not isinstance(name, str):
        raise ValueError(
            f"name must be a string, one of {sorted(ARCHITECTURES)}; got {name!r}"
        )
    key = _normalise(name)
    if key not in ARCHITECTURES:
        raise ValueError(
            f"Unknown architecture name={name!r}. Valid choices: "
            + ", ".join(repr(k) for k in ARCHITECTURES)
        )
    return ARCHITECTURES[key]


def input_size(name: str) -> int:
    """Side of the square input image a network expects.

    Used in lessons 01, 07, 08 and 10.

    Parameters
    ----------
    name : str
        ``"resnet50"``, ``"inceptionv3"`` or ``"vgg16"`` (case and ``_``/``-``
        do not matter).

    Returns
    -------
    int
        224 for ResNet50 and VGG16, 299 for InceptionV3: the model takes
        images of shape ``(N, size, size, 3)``.

    Raises
    ------
    ValueError
        If ``name`` is not one of the known architectures.
    """
    return _spec(name).input_size


def feature_layer(name: str) -> str:
    """Name of the last convolutional feature layer (the one CAM looks at).

    Used in lessons 01 and 07 (CAM on ResNet50), 08 and 10 (Grad-CAM).

    Parameters
    ----------
    name : str
        ``"resnet50"``, ``"inceptionv3"`` or ``"vgg16"``.

    Returns
    -------
    str
        ``"conv5_block3_out"`` for ResNet50 (output ``(N, 7, 7, 2048)``),
        ``"mixed10"`` for InceptionV3 (``(N, 8, 8, 2048)`` at 299x299),
        ``"block5_conv3"`` for VGG16 (``(N, 14, 14, 512)``).

    Raises
    ------
    ValueError
        If ``name`` is not one of the known architectures.
    """
    return _spec(name).feature_layer


# --------------------------------------------------------------------------
# The Keras weights cache
# --------------------------------------------------------------------------

def _keras_cache_root() -> str:
    """The folder ``keras.utils.get_file`` uses as its cache root.

    Mirrors ``keras.src.utils.file_utils.get_file``: ``$KERAS_HOME`` (read by
    Keras when it is imported) or ``~/.keras``, and ``/tmp/.keras`` when that
    folder is not writable.
    """
    try:
        from keras.src.backend import config as _config

        root = _config.keras_home()
    except (ImportError, AttributeError):  # pragma: no cover - other Keras layouts
        root = os.environ.get("KERAS_HOME", os.path.join("~", ".keras"))
    root = os.path.expanduser(root)
    if not os.access(root, os.W_OK):
        root = os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(),
                            ".keras")
    return root


def _models_dir() -> str:
    return os.path.join(_keras_cache_root(), "models")


def _weights_file(spec: ArchSpec, include_top: bool) -> tuple[str, str]:
    if include_top:
        return spec.weights_file, spec.weights_hash
    return spec.weights_file_notop, spec.weights_hash_notop


def weights_cached(name: str, include_top: bool = True, verify: bool = False) -> bool:
    """Are the ImageNet weights of a network already in the Keras cache?

    If so, ``load_pretrained(name)`` works offline. Used in lessons 07, 08
    and 10 to choose between the real network and the course model.

    Parameters
    ----------
    name : str
        ``"resnet50"``, ``"inceptionv3"`` or ``"vgg16"``.
    include_top : bool, default True
        Ask about the full model (with the 1000-class head) or about the
        ``include_top=False`` file.
    verify : bool, default False
        Also check the file's md5 hash as Keras does (reads ~100 MB).

    Returns
    -------
    bool
        True when the file exists in ``$KERAS_HOME/models`` (default
        ``~/.keras/models``), is not empty, and (with ``verify``) has the
        right hash.
    """
    spec = _spec(name)
    fname, fhash = _weights_file(spec, include_top)
    path = os.path.join(_models_dir(), fname)
    if not os.path.isfile(path) or os.path.getsize(path) == 0:
        return False
    if verify:
        return bool(_keras_file_utils.validate_file(path, fhash))
    return True


def _code_of(fn: Any) -> Any:
    """The code object run when ``fn`` is called (function or callable object)."""
    code = getattr(fn, "__code__", None)
    if code is None and fn is not None:
        code = getattr(getattr(type(fn), "__call__", None), "__code__", None)
    return code


def _raised_in_fetch(err: BaseException) -> dict[str, Any] | None:
    """If ``err`` was raised inside Keras' download function, its locals.

    Returns the local variables of the innermost ``get_file`` frame of the
    traceback (``fname``, ``origin``, ...), or ``None`` when the error came
    from elsewhere (a genuine bug or bad arguments, which must not be hidden).
    """
    fetchers = {_code_of(_keras_file_utils.get_file),
                _code_of(getattr(keras.utils, "get_file", None))} - {None}
    found = None
    tb = err.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code in fetchers:
            found = tb.tb_frame.f_locals
        tb = tb.tb_next
    return None if found is None else dict(found)


def _offline_message(spec: ArchSpec, fname: str, url: str, models_dir: str,
                     err: BaseException) -> str:
    size = f"about {spec.weights_mb} MB" if fname == spec.weights_file else "a large file"
    return (
        f"Could not load the ImageNet weights of {spec.display_name}.\n"
        f"Keras needs the file {fname} ({size}). It is not in the Keras cache, "
        f"and downloading it from {url} failed:\n"
        f"    {type(err).__name__}: {err}\n"
        "This machine seems to be offline (or cannot reach storage.googleapis.com).\n"
        f"Keras caches downloaded weights in ~/.keras/models (here: {models_dir}; "
        "set KERAS_HOME before importing keras to change it). To fix it, either\n"
        "  * run this once on a machine that is online: Keras downloads the file "
        "and reuses it from the cache afterwards, or\n"
        f"  * copy {fname} from a machine that has it into {models_dir}/\n"
        "Meanwhile the course's own model works offline: ct.load_course_model()."
    )


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------

def load_pretrained(
    name: str = "resnet50",
    weights: str | os.PathLike | None = "imagenet",
    *,
    seed: int | None = None,
    download_timeout: float | None = 30.0,
    **kwargs: Any,
) -> keras.Model:
    """Build a real ``keras.applications`` network, optionally with ImageNet weights.

    Used in lesson 01 (``weights=None``: shapes through ResNet50), lesson 07
    (a real pre-trained ResNet50), lesson 08 (Grad-CAM on VGG16 and
    InceptionV3) and lesson 10 (the Inception family on chest X-rays).

    Parameters
    ----------
    name : str, default "resnet50"
        ``"resnet50"``, ``"inceptionv3"`` or ``"vgg16"`` (case and ``_``/``-``
        do not matter). See :data:`ARCHITECTURES`.
    weights : {"imagenet", None} or path, default "imagenet"
        ``"imagenet"``: the published weights, fetched by Keras on first use
        and cached in ``~/.keras/models`` (``$KERAS_HOME/models``).
        ``None``: random initial weights, same architecture (layer names and
        shapes are identical). A path: a weights file saved with
        ``model.save_weights(...)`` (``.weights.h5``) or a Keras ``.h5``
        weights file.
    seed : int, optional
        If given, ``keras.utils.set_random_seed(seed)`` is called before
        building, so ``weights=None`` models are reproducible. This seeds
        Python, NumPy and the backend globally.
    download_timeout : float or None, default 30.0
        Seconds a single network operation of the download may block before
        giving up (applied only while the model is built, and only if no
        global socket timeout is set). ``None`` waits forever.
    **kwargs
        Passed to the Keras constructor, e.g. ``include_top=False``,
        ``input_shape=(h, w, 3)``, ``pooling="avg"``. The default head keeps
        its built-in softmax; pass ``classifier_activation=None`` only if you
        want logits from the model itself (the CAM code elsewhere reads the
        ``predictions`` layer's weights and does not need this).

    Returns
    -------
    keras.Model
        A functional model. With the default head it maps
        ``(N, s, s, 3)`` preprocessed images (see :func:`preprocess`,
        ``s = input_size(name)``) to ``(N, 1000)`` softmax probabilities.

    Raises
    ------
    ValueError
        Unknown ``name`` (the message lists the valid choices), or invalid
        arguments rejected by Keras.
    FileNotFoundError
        ``weights`` is a path that does not exist.
    WeightsUnavailableError
        ``weights="imagenet"``, the file is not cached and the download
        failed (offline). Raised within seconds; the message names the file,
        the cache folder, how to fix it, and points to
        ``ct.load_course_model()``. Chained ``from`` the original error.

    Examples
    --------
    >>> model = load_pretrained("resnet50", weights=None, seed=0)   # offline
    >>> model.get_layer(feature_layer("resnet50")).output.shape
    (None, 7, 7, 2048)
    """
    spec = _spec(name)
    if isinstance(weights, os.PathLike):
        weights = os.fspath(weights)
    if weights is not None and not isinstance(weights, str):
        raise ValueError(
            f"weights must be 'imagenet', None or a path to a weights file; got {weights!r}"
        )
    if weights is not None and weights != "imagenet" and not os.path.isfile(weights):
        raise FileNotFoundError(
            f"weights={weights!r} is neither 'imagenet', None nor an existing weights file"
        )

    if seed is not None:
        keras.utils.set_random_seed(int(seed))

    if weights != "imagenet":
        return spec.constructor(weights=weights, **kwargs)

    # weights == "imagenet": the real Keras download-and-cache path.
    fname, _ = _weights_file(spec, kwargs.get("include_top", True))
    models_dir = _models_dir()
    had_dir = os.path.isdir(models_dir)

    previous_timeout = socket.getdefaulttimeout()
    set_timeout = download_timeout is not None and previous_timeout is None
    if set_timeout:
        socket.setdefaulttimeout(download_timeout)
    try:
        # Only this call is guarded; errors not raised inside Keras' download
        # function (bad arguments, genuine bugs) propagate unchanged below.
        return spec.constructor(weights="imagenet", **kwargs)
    except Exception as err:
        fetch_locals = _raised_in_fetch(err)
        if fetch_locals is None:
            raise
        fname = str(fetch_locals.get("fname") or fname)
        url = str(fetch_locals.get("origin")
                  or spec.weights_url.rsplit("/", 1)[0] + "/" + fname)
        target = os.path.join(models_dir, fname)
        # Keras deletes a partial download itself, but a file that failed its
        # hash check after a "successful" download (e.g. a captive portal's
        # HTML page) stays behind. After a failed fetch the file at `target`
        # is never valid (a valid cached file is not fetched), so remove it.
        if os.path.isfile(target):
            try:
                os.remove(target)
            except OSError:
                pass
        if not had_dir:
            try:
                os.rmdir(models_dir)  # only succeeds if it is empty
            except OSError:
                pass
        raise WeightsUnavailableError(
            _offline_message(spec, fname, url, models_dir, err),
            architecture=spec.name, filename=fname, url=url, cache_dir=models_dir,
        ) from err
    finally:
        if set_timeout:
            socket.setdefaulttimeout(previous_timeout)


# --------------------------------------------------------------------------
# Preprocessing
# --------------------------------------------------------------------------

def _validate_images(images: Any) -> np.ndarray:
    """Check ``images`` and return a float32 copy of shape (N, H, W, 3)."""
    try:
        arr = np.asarray(images)
    except Exception as err:  # e.g. ragged lists
        raise ValueError(
            "images must be an array of RGB images, shape (H, W, 3) or (N, H, W, 3); "
            f"could not convert it to an array ({err})"
        ) from err
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer)
                                 or np.issubdtype(arr.dtype, np.floating)):
        raise ValueError(
            "images must hold numbers (uint8 0..255 or float 0..255 RGB values); "
            f"got dtype {arr.dtype}"
        )
    if arr.ndim not in (3, 4):
        hint = ""
        if arr.ndim == 2:
            hint = " A grey image (H, W) can be repeated: np.stack([img] * 3, axis=-1)."
        raise ValueError(
            "images must have shape (H, W, 3) or (N, H, W, 3) (RGB, channels last); "
            f"got shape {arr.shape}.{hint}"
        )
    if arr.shape[-1] != 3:
        hint = ""
        if arr.shape[-1] == 4:
            hint = " Drop the alpha channel: images[..., :3]."
        elif arr.shape[-1] == 1:
            hint = " Repeat the grey channel: np.repeat(images, 3, axis=-1)."
        elif arr.shape[-3] == 3:
            hint = " Channels-first? Use np.moveaxis(images, -3, -1)."
        raise ValueError(
            "images must have 3 colour channels (RGB) in the last axis, shape "
            f"(H, W, 3) or (N, H, W, 3); got shape {arr.shape}.{hint}"
        )
    if arr.size == 0:
        raise ValueError(f"images must not be empty; got shape {arr.shape}")
    if np.issubdtype(arr.dtype, np.floating) and not np.all(np.isfinite(arr)):
        raise ValueError("images must not contain NaN or infinite values")
    lo, hi = float(arr.min()), float(arr.max())
    if lo < -_RANGE_SLACK or hi > 255 + _RANGE_SLACK:
        raise ValueError(
            "images must hold RGB values in [0, 255]; got values in "
            f"[{lo:.4g}, {hi:.4g}]. Were they already preprocessed?"
        )
    if np.issubdtype(arr.dtype, np.floating) and 0 < hi <= 1.0:
        warnings.warn(
            "images are floats with maximum <= 1: preprocess expects 0..255 RGB "
            "values (multiply [0, 1] images by 255).",
            UserWarning,
            stacklevel=3,
        )
    out = np.clip(np.asarray(arr, dtype=np.float32), 0.0, 255.0)  # always a new array
    return out if out.ndim == 4 else out[None]


def _center_crop(x: np.ndarray) -> np.ndarray:
    h, w = x.shape[1:3]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    return x[:, top:top + side, left:left + side, :]


def _resize(x: np.ndarray, size: int) -> np.ndarray:
    """Bilinear resize with antialiasing, (N, H, W, 3) float32 -> (N, size, size, 3)."""
    y = keras.ops.image.resize(
        x, (size, size), interpolation="bilinear", antialias=True,
        data_format="channels_last",
    )
    return np.clip(np.asarray(keras.ops.convert_to_numpy(y), dtype=np.float32), 0.0, 255.0)


def preprocess(name: str, images: Any, *, crop: bool = False) -> np.ndarray:
    """Resize RGB images to a network's input size and apply its ``preprocess_input``.

    Used in lessons 01, 07 (ResNet50), 08 (VGG16, InceptionV3) and 10.
    The caller's array is never modified (Keras' ``preprocess_input``
    changes float arrays in place; this function works on a copy).

    Parameters
    ----------
    name : str
        ``"resnet50"``, ``"inceptionv3"`` or ``"vgg16"``.
    images : array_like, shape (H, W, 3) or (N, H, W, 3)
        RGB images, channels last, values in [0, 255] (uint8 or float; not
        [0, 1]; values at most 2 outside the range, e.g. bicubic overshoot,
        are clipped). Any size: images whose side differs from
        ``input_size(name)`` are resized with bilinear interpolation and
        antialiasing (``keras.ops.image.resize(..., interpolation="bilinear",
        antialias=True)``, i.e. ``tf.image.resize`` on TensorFlow), in float
        without rounding. Non-square images are stretched unless ``crop``.
    crop : bool, default False
        Centre-crop non-square images to a square before resizing, which keeps
        the aspect ratio.

    Returns
    -------
    numpy.ndarray, float32, shape (s, s, 3) or (N, s, s, 3)
        Same rank as ``images``, ``s = input_size(name)``, in the network's
        own preprocessing: ResNet50 and VGG16 ("caffe"): BGR channel order,
        ImageNet mean pixel subtracted; InceptionV3 ("tf"): values in [-1, 1].
        Add a batch axis (``x[None]``) for a single image.

    Raises
    ------
    ValueError
        Unknown ``name``; or ``images`` with the wrong rank, not 3 channels
        last, empty, non-numeric, containing NaN/inf, or values outside
        [0, 255] (already preprocessed?).

    Warns
    -----
    UserWarning
        Float images whose maximum is <= 1 (probably [0, 1] scaled).
    """
    spec = _spec(name)
    single = np.ndim(images) == 3
    x = _validate_images(images)
    if crop and x.shape[1] != x.shape[2]:
        x = _center_crop(x)
    if x.shape[1:3] != (spec.input_size, spec.input_size):
        x = _resize(x, spec.input_size)
    x = np.array(x, dtype=np.float32, copy=True)  # private copy: keras works in place
    out = np.asarray(spec.preprocess_input(x), dtype=np.float32)
    return out[0] if single else out


# --------------------------------------------------------------------------
# Class names
# --------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _class_index() -> tuple[tuple[str, str], ...]:
    with open(_DATA, encoding="utf-8") as fh:
        raw = json.load(fh)
    return tuple((raw[str(i)][0], raw[str(i)][1]) for i in range(len(raw)))


def imagenet_class_names() -> tuple[str, ...]:
    """The 1000 ImageNet class names, in the networks' output order, offline.

    Used in lessons 07, 08 and 10. Read from the shipped
    ``camteach/data/imagenet_classes.json`` (Keras' ``imagenet_class_index.json``
    format and order: the ILSVRC-2012 classes sorted by WordNet id), so no
    download is needed.

    Returns
    -------
    tuple of str, length 1000
        Human-readable names: the first WordNet lemma, with spaces (Keras'
        ``decode_predictions`` shows the same names with underscores).
        Index 0 is ``"tench"``, 207 ``"golden retriever"``, 281 ``"tabby"``,
        409 ``"analog clock"``, 817 ``"sports car"``, 999 ``"toilet tissue"``.
        Names are not unique: 134 and 517 are both ``"crane"`` (bird and
        machine), 638 and 639 both ``"maillot"``.
    """
    return tuple(name.replace("_", " ") for _, name in _class_index())


def decode(logits_or_probs: Any, top: int = 5) -> list[list[tuple[int, str, float]]]:
    """The ``top`` highest-scoring ImageNet classes of each image, offline.

    Used in lessons 07, 08 and 10. Like Keras' ``decode_predictions`` but
    with no download, class indices instead of WordNet ids, and names from
    :func:`imagenet_class_names`.

    Parameters
    ----------
    logits_or_probs : array_like, shape (N, 1000) or (1000,)
        Model outputs: probabilities (the default softmax head) or logits.
        Scores are reported as given (not converted).
    top : int, default 5
        How many classes per image, 1..1000.

    Returns
    -------
    list of list of (int, str, float)
        One list per image (one list for a 1-D input too), each holding
        ``(class_index, name, score)`` sorted by decreasing score (ties by
        increasing index).

    Raises
    ------
    ValueError
        If the last axis is not 1000 long, the rank is not 1 or 2, values are
        NaN, or ``top`` is not in 1..1000.
    """
    arr = np.asarray(logits_or_probs)
    if arr.ndim not in (1, 2) or arr.shape[-1] != 1000:
        raise ValueError(
            "logits_or_probs must have shape (N, 1000) or (1000,) (one score per "
            f"ImageNet class); got shape {arr.shape}"
        )
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise ValueError(f"logits_or_probs must be numeric; got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.floating) and np.isnan(arr).any():
        raise ValueError("logits_or_probs must not contain NaN")
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or not 1 <= top <= 1000:
        raise ValueError(f"top must be an integer in 1..1000; got {top!r}")
    names = imagenet_class_names()
    rows = arr.reshape(-1, 1000).astype(np.float64)
    result = []
    for row in rows:
        order = np.argsort(-row, kind="stable")[: int(top)]
        result.append([(int(i), names[i], float(row[i])) for i in order])
    return result
