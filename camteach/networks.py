"""The offline rule for lessons on real pre-trained networks, in one call.

A lesson on ResNet50 needs its ImageNet weights, which a machine without
network access cannot fetch. :func:`pretrained_or_fallback` tries them
(cached, or downloaded once) and always returns a :class:`LessonNetwork`
the lesson runs on, with a one-line ``status`` it prints near its top:

========================  ==========================  ==========================
mode                      ``model`` (the claims)      ``architecture``
========================  ==========================  ==========================
``"imagenet"``            ResNet50, ImageNet weights  the same model
``"architecture-only"``   ResNet50, ``weights=None``  the same model
``"course-model"``        the course model            ResNet50, ``weights=None``
========================  ==========================  ==========================

* ``"imagenet"``: the weights were found or fetched; ``images`` are real
  photos (:func:`camteach.photos`).
* ``"course-model"`` (offline): the cells that make claims about what a
  network sees run on the course model and its scenes (:mod:`camteach.scenes`),
  whose truth is known; the cells about the architecture (layer names,
  shapes, the 2048 x 1000 head, ``mean(CAM) + b = logit``, which holds for
  any weights) run on a ResNet50 built with ``weights=None``.
* ``"architecture-only"``: forced by the environment variable
  ``CAMTEACH_FORCE_ARCHITECTURE_ONLY=1`` (:data:`FORCE_ARCHITECTURE_ONLY`).
  A ``weights=None`` ResNet50 plays the real network on the real photos, so
  the test suite executes the real-network branch of a lesson without the
  weights; its predictions and maps mean nothing.

Example::

    net = ct.pretrained_or_fallback("resnet50")
    print(net.status)                  # one line: which network the cells run on
    x = net.preprocess(net.images)     # what net.model reads
    res = ct.cam(net.model, x, top=5)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np

from .course_model import load_course_model
from .imagenet import imagenet_class_names
from .photos import photos
from .pretrained import WeightsUnavailableError, _spec, load_pretrained, preprocess
from .scenes import CLASS_NAMES, make_scenes

__all__ = ["FORCE_ARCHITECTURE_ONLY", "MODES", "LessonNetwork", "forced_architecture_only",
           "pretrained_or_fallback"]

#: Set this environment variable to ``1`` to make :func:`pretrained_or_fallback`
#: skip the ImageNet weights and use a ``weights=None`` network as the real one
#: (mode ``"architecture-only"``): the tests run a lesson's real-network branch this way.
FORCE_ARCHITECTURE_ONLY = "CAMTEACH_FORCE_ARCHITECTURE_ONLY"

#: The three modes, see the module's docstring.
MODES = ("imagenet", "architecture-only", "course-model")

#: The photos the real network is shown by default (``"astronaut"`` is left for exercises).
LESSON_PHOTOS = ("chelsea", "coffee", "rocket", "motorcycle", "camera")

#: The seed of the ``weights=None`` networks (reproducible random weights).
SEED = 0


@dataclass(frozen=True)
class LessonNetwork:
    """What a real-network lesson runs on, and a line saying so.

    Attributes
    ----------
    mode : str
        ``"imagenet"``, ``"architecture-only"`` or ``"course-model"`` (see
        :data:`MODES`).
    status : str
        One line for the lesson to print: which network the cells run on and why.
    model : keras.Model
        The network whose predictions and maps the lesson shows: the real one
        (ImageNet weights, or ``weights=None`` when forced), or offline the
        course model.
    architecture : keras.Model
        Always the real architecture (e.g. ResNet50): ``model`` itself, or
        offline the same architecture with ``weights=None``. Layer names,
        shapes and the CAM identities hold for it in every mode.
    name : str
        The architecture's key (``"resnet50"``).
    display_name : str
        Its human name (``"ResNet50"``).
    images : numpy.ndarray, uint8, (N, s, s, 3)
        Raw RGB inputs for ``model``: the bundled photos, or offline course scenes.
    captions : tuple of str
        What each image shows.
    expected : tuple of tuple of int
        Per image, the classes of ``model`` one expects (ImageNet classes of a
        photo; the scene's true class).
    class_names : tuple of str
        ``model``'s class names (1000 ImageNet classes, or the course's 4).
    reason : str
        Why the ImageNet weights are not used ("" in mode ``"imagenet"``).
    """

    mode: str
    status: str
    model: keras.Model
    architecture: keras.Model
    name: str
    display_name: str
    images: np.ndarray
    captions: tuple[str, ...]
    expected: tuple[tuple[int, ...], ...]
    class_names: tuple[str, ...]
    reason: str = ""

    @property
    def real(self) -> bool:
        """True when ``model`` is the real architecture (ImageNet or forced ``weights=None``)."""
        return self.mode != "course-model"

    def preprocess(self, images: Any) -> np.ndarray:
        """``images`` (raw RGB 0..255) as ``model`` reads them.

        The real network: its own ``preprocess_input`` (ResNet50: RGB -> BGR,
        ImageNet mean pixel subtracted), via :func:`camteach.preprocess`. The
        course model has its rescaling built in: raw RGB as float32.

        Returns
        -------
        numpy.ndarray, float32, same shape as ``images``
        """
        if self.real:
            return preprocess(self.name, images)
        return np.asarray(images, dtype=np.float32).copy()

    def trap(self, images: Any) -> np.ndarray:
        """The preprocessing trap: ``images`` in the *other* network's convention.

        The real network gets raw RGB 0..255 (``preprocess_input`` forgotten);
        the course model, whose rescaling is built in, gets the real network's
        ``preprocess_input`` output (preprocessing applied twice).

        Returns
        -------
        numpy.ndarray, float32, same shape as ``images``
        """
        if self.real:
            return np.asarray(images, dtype=np.float32).copy()
        return preprocess(self.name, images)

    def architecture_input(self, images: Any) -> np.ndarray:
        """``images`` (raw RGB 0..255) as ``architecture`` reads them (its ``preprocess_input``)."""
        return preprocess(self.name, images)


def forced_architecture_only() -> bool:
    """Is :data:`FORCE_ARCHITECTURE_ONLY` set to a true value (``1``, ``true``, ``yes``)?"""
    value = os.environ.get(FORCE_ARCHITECTURE_ONLY, "").strip().lower()
    return value in ("1", "true", "yes", "on")


def _without_weights(name: str) -> keras.Model:
    return load_pretrained(name, weights=None, seed=SEED)


def _first_line(error: WeightsUnavailableError) -> str:
    cause = error.__cause__
    what = f"{type(cause).__name__}: {cause}" if cause is not None else str(error)
    what = " ".join(what.split())
    return what if len(what) <= 90 else what[:87] + "..."


def _photos_mode(mode: str, name: str, model: keras.Model, status: str,
                 reason: str, photo_names) -> LessonNetwork:
    spec = _spec(name)
    shots = photos(LESSON_PHOTOS if photo_names is None else photo_names, size=spec.input_size)
    return LessonNetwork(mode=mode, status=status, model=model, architecture=model,
                         name=spec.name, display_name=spec.display_name, images=shots.images,
                         captions=shots.captions, expected=shots.expected,
                         class_names=imagenet_class_names(), reason=reason)


def _course_mode(name: str, status: str, reason: str, scenes: int) -> LessonNetwork:
    spec = _spec(name)
    shown = make_scenes(scenes, seed=7)
    return LessonNetwork(mode="course-model", status=status, model=load_course_model(),
                         architecture=_without_weights(name), name=spec.name,
                         display_name=spec.display_name, images=shown.images,
                         captions=tuple(f"a {CLASS_NAMES[y]} scene" for y in shown.labels),
                         expected=tuple((int(y),) for y in shown.labels),
                         class_names=tuple(CLASS_NAMES), reason=reason)


def pretrained_or_fallback(name: str = "resnet50", *, photo_names=None, scenes: int = 5,
                           download_timeout: float = 5.0) -> LessonNetwork:
    """The real network with ImageNet weights if they can be had, else the offline fallback.

    Parameters
    ----------
    name : str, default "resnet50"
        ``"resnet50"``, ``"inceptionv3"`` or ``"vgg16"``.
    photo_names : sequence of str, optional
        Which bundled photos (:data:`camteach.photos.PHOTOS`) the real network
        is shown; default :data:`LESSON_PHOTOS` (all but ``"astronaut"``).
    scenes : int, default 5
        How many course scenes the course model is shown offline (seed 7).
    download_timeout : float, default 5.0
        Seconds to wait for the download server when the weights are not cached.

    Returns
    -------
    LessonNetwork
        ``mode``, the one-line ``status``, ``model`` and ``architecture``,
        the ``images`` they run on, ``class_names``.

    Notes
    -----
    ``CAMTEACH_FORCE_ARCHITECTURE_ONLY=1`` in the environment skips the
    weights: ``weights=None`` plays the real network (mode
    ``"architecture-only"``), so tests can run a lesson's real-network
    branch offline.
    """
    spec = _spec(name)
    if not isinstance(scenes, int) or isinstance(scenes, bool) or not 1 <= scenes <= 64:
        raise ValueError(f"scenes: expected an int in [1, 64], got {scenes!r}")
    if forced_architecture_only():
        reason = f"{FORCE_ARCHITECTURE_ONLY}=1 is set"
        status = (f"{reason}: the cells below run on {spec.display_name} with random weights "
                  f"(weights=None) and the photos; its predictions and maps mean nothing.")
        return _photos_mode("architecture-only", name, _without_weights(name), status, reason,
                            photo_names)
    try:
        model = load_pretrained(name, download_timeout=download_timeout)
    except WeightsUnavailableError as error:
        reason = _first_line(error)
        status = (f"ImageNet weights unavailable here ({error.filename} is not cached and "
                  f"cannot be downloaded): the cells below run on the course model and its "
                  f"scenes, and on {spec.display_name} with random weights (weights=None) for "
                  f"its architecture.")
        return _course_mode(name, status, reason, scenes)
    status = f"{spec.display_name} with its ImageNet weights: the cells below run on the photos."
    return _photos_mode("imagenet", name, model, status, "", photo_names)
