"""Real pre-trained ImageNet networks from ``keras.applications``.

The course's own model (``ct.load_course_model()``) runs everywhere. This
module is the bridge to the networks the lecture talks about: ResNet50,
VGG16 and InceptionV3.

* :func:`load_pretrained` builds the genuine ``keras.applications`` model.
  With ``weights="imagenet"`` it looks for the weights file in the Keras
  cache first (``$KERAS_HOME/models``, by default ``~/.keras/models``) and
  downloads it there only when it is missing (``keras.utils.get_file``).
  Offline it raises :class:`WeightsUnavailableError` within seconds, saying
  which file is missing, where to put it and what to do. ``weights=None``
  builds the same architecture with random weights: layer names, shapes and
  the CAM identities hold for any weights.
* :func:`preprocess` resizes images and applies each network's own
  ``preprocess_input`` without touching the caller's array.
* :func:`imagenet_class_names` and :func:`decode` (from
  :mod:`camteach.imagenet`) name the 1000 ImageNet classes offline.

Example::

    import camteach as ct
    model = ct.load_pretrained("resnet50")          # needs the weights once
    x = ct.preprocess("resnet50", photo)[None]      # (1, 224, 224, 3)
    probs = model.predict(x, verbose=0)             # (1, 1000), softmax
    ct.decode(probs, top=3)                         # [[(281, 'tabby', 0.61), ...]]
"""

from __future__ import annotations

import os
import socket
import tempfile
import urllib.parse
import warnings
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Callable

import keras
import numpy as np

from . import checks
from .heatmap import resize
from .imagenet import decode, imagenet_class_names

__all__ = ["ARCHITECTURES", "ArchSpec", "WeightsUnavailableError", "decode",
           "imagenet_class_names", "input_size", "load_pretrained", "preprocess",
           "weights_cached"]

_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"
# Values this far outside [0, 255] (overshoot of bicubic resampling) are
# clipped; further out, the images were probably preprocessed already.
_RANGE_SLACK = 2.0


@dataclass(frozen=True)
class ArchSpec:
    """What the course needs to build and feed one ``keras.applications`` network.

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
    input_size : int
        Side of the square input image in pixels (224 or 299).
    folder, prefix : str
        The weights' folder under the Keras download URL, and their file
        names' prefix: ``{prefix}_weights_tf_dim_ordering_tf_kernels.h5``
        (``..._notop.h5`` without the head), as Keras caches them.
    md5, md5_notop : str
        The md5 hashes of the two files, as Keras checks them.
    weights_mb : int
        Approximate download size of the file with the head, in megabytes.
    """

    name: str
    display_name: str
    constructor: Callable[..., keras.Model]
    preprocess_input: Callable[..., Any]
    input_size: int
    folder: str
    prefix: str
    md5: str
    md5_notop: str
    weights_mb: int

    def weights(self, include_top: bool = True) -> tuple[str, str, str]:
        """The ImageNet weights: ``(file name, md5 hash, download URL)``.

        E.g. ``resnet50_weights_tf_dim_ordering_tf_kernels.h5`` for ResNet50
        with its head, ``..._kernels_notop.h5`` with ``include_top=False``.
        """
        notop = "" if include_top else "_notop"
        fname = f"{self.prefix}_weights_tf_dim_ordering_tf_kernels{notop}.h5"
        md5 = self.md5 if include_top else self.md5_notop
        return fname, md5, f"{_WEIGHTS_URL}{self.folder}/{fname}"


#: The three real networks of the course. Keys are lower-case names;
#: :func:`load_pretrained` and friends also accept ``"ResNet50"``,
#: ``"inception_v3"``, ``"VGG-16"`` and similar spellings.
ARCHITECTURES: dict[str, ArchSpec] = {
    "resnet50": ArchSpec(
        name="resnet50",
        display_name="ResNet50",
        constructor=keras.applications.ResNet50,
        preprocess_input=keras.applications.resnet50.preprocess_input,
        input_size=224,
        folder="resnet",
        prefix="resnet50",
        md5="2cb95161c43110f7111970584f804107",
        md5_notop="4d473c1dd8becc155b73f8504c6f6626",
        weights_mb=100,
    ),
    "inceptionv3": ArchSpec(
        name="inceptionv3",
        display_name="InceptionV3",
        constructor=keras.applications.InceptionV3,
        preprocess_input=keras.applications.inception_v3.preprocess_input,
        input_size=299,
        folder="inception_v3",
        prefix="inception_v3",
        md5="9a0d58056eeedaa3f26cb7ebd46da564",
        md5_notop="bcbd6486424b2319ff4ef7d526e38f63",
        weights_mb=92,
    ),
    "vgg16": ArchSpec(
        name="vgg16",
        display_name="VGG16",
        constructor=keras.applications.VGG16,
        preprocess_input=keras.applications.vgg16.preprocess_input,
        input_size=224,
        folder="vgg16",
        prefix="vgg16",
        md5="64373286793e3c8b2b4e3219cbf3544b",
        md5_notop="6d6bbae143d832006294945121d1f1fc",
        weights_mb=530,
    ),
}


class WeightsUnavailableError(RuntimeError):
    """The ImageNet weights are not cached and could not be downloaded.

    Raised by :func:`load_pretrained`, chained ``from`` the original network
    error. The attributes say what was missing.

    Attributes
    ----------
    architecture : str
        Key in :data:`ARCHITECTURES`.
    filename : str
        The weights file needed, e.g.
        ``"resnet50_weights_tf_dim_ordering_tf_kernels.h5"``.
    url : str
        Where it is downloaded from.
    cache_dir : str
        The folder where it is looked for (``~/.keras/models`` by default).
    """

    def __init__(self, message: str, *, architecture: str, filename: str,
                 url: str, cache_dir: str) -> None:
        super().__init__(message)
        self.architecture = architecture
        self.filename = filename
        self.url = url
        self.cache_dir = cache_dir


# --------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------

def _spec(name: str) -> ArchSpec:
    key = str(name).lower().replace("_", "").replace("-", "").replace(" ", "")
    if not isinstance(name, str) or key not in ARCHITECTURES:
        raise ValueError(f"name: expected one of {', '.join(map(repr, ARCHITECTURES))} "
                         f"(case, '_' and '-' do not matter), got {name!r}")
    return ARCHITECTURES[key]


def input_size(name: str) -> int:
    """Side of the square input image a network expects.

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


# --------------------------------------------------------------------------
# The Keras weights cache
# --------------------------------------------------------------------------

def _models_dir() -> str:
    """The folder ``keras.utils.get_file`` keeps weights in.

    ``$KERAS_HOME/models`` (default ``~/.keras/models``), or, as in Keras,
    ``/tmp/.keras/models`` when that home folder is not writable.
    """
    home = os.path.expanduser(os.environ.get("KERAS_HOME", os.path.join("~", ".keras")))
    if not os.access(home, os.W_OK):
        home = os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(),
                            ".keras")
    return os.path.join(home, "models")


def _is_cached(fname: str) -> bool:
    path = os.path.join(_models_dir(), fname)
    return os.path.isfile(path) and os.path.getsize(path) > 0


def weights_cached(name: str, include_top: bool = True) -> bool:
    """Are the ImageNet weights of a network already in the Keras cache?

    If so, ``load_pretrained(name)`` works offline.

    Parameters
    ----------
    name : str
        ``"resnet50"``, ``"inceptionv3"`` or ``"vgg16"``.
    include_top : bool, default True
        Ask about the full model (with the 1000-class head) or about the
        ``include_top=False`` file.

    Returns
    -------
    bool
        True when the file exists in ``$KERAS_HOME/models`` (default
        ``~/.keras/models``) and is not empty. Its hash is checked when it is
        loaded.
    """
    return _is_cached(_spec(name).weights(include_top)[0])


def _offline_message(spec: ArchSpec, fname: str, url: str, models_dir: str,
                     err: BaseException) -> str:
    size = f"about {spec.weights_mb} MB" if fname == spec.weights()[0] else "a large file"
    return (
        f"Could not load the ImageNet weights of {spec.display_name}.\n"
        f"Keras needs the file {fname} ({size}). It is not in the Keras cache, "
        f"and downloading it from {url} failed:\n"
        f"    {type(err).__name__}: {err}\n"
        "This machine seems to be offline (or cannot reach storage.googleapis.com).\n"
        f"Keras caches downloaded weights in ~/.keras/models (here: {models_dir}; "
        "set KERAS_HOME to change it). To fix it, either\n"
        "  * run this once on a machine that is online: Keras downloads the file "
        "and reuses it from the cache afterwards, or\n"
        f"  * copy {fname} from a machine that has it into {models_dir}/\n"
        "Meanwhile the course's own model works offline: ct.load_course_model()."
    )


def _reach(url: str, timeout: float) -> None:
    """Connect to ``url``'s server and hang up; OSError if that fails in ``timeout`` s."""
    parts = urllib.parse.urlsplit(url)
    socket.create_connection((parts.hostname, parts.port or 443), timeout=timeout).close()


def _remove_leftovers(path: str, folder: str | None) -> None:
    """Remove a failed download's file, and ``folder`` if it is then empty."""
    with suppress(OSError):
        os.remove(path)
    if folder is not None:
        with suppress(OSError):
            os.rmdir(folder)


def _imagenet_weights(spec: ArchSpec, include_top: bool, timeout: float | None) -> str:
    """The path of the cached ImageNet weights file, downloaded first if missing.

    Raises
    ------
    WeightsUnavailableError
        The file is not cached and the download failed; nothing is left behind.
    """
    fname, md5, url = spec.weights(include_top)
    models = _models_dir()
    created = not os.path.isdir(models)
    try:
        if timeout is not None and not _is_cached(fname):
            _reach(url, timeout)
        return keras.utils.get_file(fname, url, file_hash=md5, cache_subdir="models",
                                    cache_dir=os.path.dirname(models))
    except Exception as err:
        # A file that failed its hash check (e.g. a captive portal's page) stays
        # behind after Keras' own clean-up: after a failed fetch it is never valid.
        _remove_leftovers(os.path.join(models, fname), models if created else None)
        raise WeightsUnavailableError(
            _offline_message(spec, fname, url, models, err),
            architecture=spec.name, filename=fname, url=url, cache_dir=models,
        ) from err


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------

def _check_weights(weights: str | os.PathLike | None) -> str | None:
    if isinstance(weights, os.PathLike):
        weights = os.fspath(weights)
    if weights is not None and not isinstance(weights, str):
        raise ValueError(f"weights: expected 'imagenet', None or a path to a weights file, "
                         f"got {weights!r}")
    if weights not in (None, "imagenet") and not os.path.isfile(weights):
        raise FileNotFoundError(f"weights: expected 'imagenet', None or an existing weights "
                                f"file, got {weights!r}")
    return weights


def load_pretrained(
    name: str = "resnet50",
    weights: str | os.PathLike | None = "imagenet",
    *,
    seed: int | None = None,
    download_timeout: float | None = 30.0,
    **kwargs: Any,
) -> keras.Model:
    """Build a real ``keras.applications`` network, optionally with ImageNet weights.

    Parameters
    ----------
    name : str, default "resnet50"
        ``"resnet50"``, ``"inceptionv3"`` or ``"vgg16"`` (case and ``_``/``-``
        do not matter). See :data:`ARCHITECTURES`.
    weights : {"imagenet", None} or path, default "imagenet"
        ``"imagenet"``: the published weights, looked for in the Keras cache
        (``$KERAS_HOME/models``, default ``~/.keras/models``) and downloaded
        there once when missing. ``None``: random initial weights, same
        architecture (layer names and shapes are identical). A path: a
        weights file saved with ``model.save_weights(...)``
        (``.weights.h5``) or a Keras ``.h5`` weights file.
    seed : int, optional
        If given, ``keras.utils.set_random_seed(seed)`` is called before
        building, so ``weights=None`` models are reproducible. This seeds
        Python, NumPy and the backend globally.
    download_timeout : float or None, default 30.0
        When the weights are not cached: seconds to wait for the download
        server to answer before giving up. ``None`` skips that check (the
        download then waits as long as the network does).
    **kwargs
        Passed to the Keras constructor, e.g. ``include_top=False``,
        ``input_shape=(h, w, 3)``, ``pooling="avg"``. The default head keeps
        its built-in softmax; ``ct.cam`` reads the scores before it.

    Returns
    -------
    keras.Model
        A functional model. With the default head it maps
        ``(N, s, s, 3)`` preprocessed images (see :func:`preprocess`,
        ``s = input_size(name)``) to ``(N, 1000)`` softmax probabilities.

    Raises
    ------
    ValueError
        Unknown ``name`` (the message lists the valid choices), ``classes``
        other than 1000 with the ImageNet head, or invalid arguments
        rejected by Keras.
    FileNotFoundError
        ``weights`` is a path that does not exist.
    WeightsUnavailableError
        ``weights="imagenet"``, the file is not cached and the download
        failed (offline). Raised within seconds; the message names the file,
        the cache folder, how to fix it, and points to
        ``ct.load_course_model()``. Chained ``from`` the original error.
    """
    spec = _spec(name)
    weights = _check_weights(weights)
    if weights == "imagenet":
        include_top = kwargs.get("include_top", True)
        if include_top and kwargs.get("classes", 1000) != 1000:
            raise ValueError(f"classes: expected 1000 with the ImageNet head (or "
                             f"include_top=False), got {kwargs['classes']!r}")
        weights = _imagenet_weights(spec, include_top, download_timeout)
    if seed is not None:
        keras.utils.set_random_seed(int(seed))
    return spec.constructor(weights=weights, **kwargs)


# --------------------------------------------------------------------------
# Preprocessing
# --------------------------------------------------------------------------

def _rgb_batch(images: Any) -> np.ndarray:
    """Check RGB images in [0, 255]; return a float32 copy (N, H, W, 3)."""
    floats = np.asarray(images).dtype.kind == "f"
    x = checks.as_batch(images, channels=3)
    lo, hi = float(x.min()), float(x.max())
    if lo < -_RANGE_SLACK or hi > 255 + _RANGE_SLACK:
        raise ValueError(f"images: expected RGB values in [0, 255], got values in "
                         f"[{lo:.4g}, {hi:.4g}]; were they already preprocessed?")
    if floats and 0 < hi <= 1.0:
        warnings.warn("images are floats with maximum <= 1: preprocess expects 0..255 RGB "
                      "values (multiply [0, 1] images by 255).", UserWarning, stacklevel=3)
    return np.clip(x, 0.0, 255.0)  # always a new array


def _center_crop(x: np.ndarray) -> np.ndarray:
    h, w = x.shape[1:3]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    return x[:, top:top + side, left:left + side, :]


def preprocess(name: str, images: Any, *, crop: bool = False) -> np.ndarray:
    """Resize RGB images to a network's input size and apply its ``preprocess_input``.

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
        antialiasing (:func:`camteach.heatmap.resize`, i.e.
        ``tf.image.resize``), in float without rounding. Non-square images
        are stretched unless ``crop``.
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
    x = _rgb_batch(images)
    if crop and x.shape[1] != x.shape[2]:
        x = _center_crop(x)
    if x.shape[1:3] != (spec.input_size, spec.input_size):
        x = np.clip(resize(x, spec.input_size, "bilinear", antialias=True), 0.0, 255.0)
    out = np.asarray(spec.preprocess_input(x), dtype=np.float32)
    return out[0] if single else out
