"""Real photos for the real networks, read from files an installed package ships.

Lesson 07 puts ResNet50 in front of real photos. They must run offline, so
they come from scikit-image's bundled sample images (``skimage/data/*.png``
inside the installed wheel: chelsea the cat, a cup of coffee, a rocket, ...).
The files are read directly from the package's folder, never through
``skimage.data``'s fetchers (some of those download with ``pooch``).

Each photo comes with the ImageNet classes a student would expect for it
(chelsea: ``tabby``, ``tiger cat``, ``Egyptian cat``): what to look for in
the top-5, not a promise of what a network predicts.

Example::

    import camteach as ct
    p = ct.photos(["chelsea", "coffee"])        # Photos: images (2, 224, 224, 3) uint8
    p.names, p.expected_names[0]                # ('chelsea', 'coffee'), ('tabby', ...)
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from PIL import Image

from . import checks
from .imagenet import imagenet_class_names

__all__ = ["PHOTOS", "Photo", "Photos", "photo_path", "photos"]


@dataclass(frozen=True)
class Photo:
    """One bundled photo.

    Attributes
    ----------
    name : str
        Key in :data:`PHOTOS` (``"chelsea"``).
    file : str
        File name inside ``skimage/data/``.
    caption : str
        What it shows, for a figure title.
    expected : tuple of str
        ImageNet class names a student would look for in the top-5 (may be
        empty: ImageNet has no class for a person).
    """

    name: str
    file: str
    caption: str
    expected: tuple[str, ...]


#: The photos :func:`photos` knows, in its default order.
PHOTOS: dict[str, Photo] = {p.name: p for p in (
    Photo("chelsea", "chelsea.png", "Chelsea the cat", ("tabby", "tiger cat", "Egyptian cat")),
    Photo("coffee", "coffee.png", "a cup of coffee", ("espresso", "cup", "coffee mug")),
    Photo("rocket", "rocket.jpg", "a rocket on its pad", ("missile", "projectile",
                                                          "space shuttle")),
    Photo("motorcycle", "motorcycle_left.png", "a motorcycle", ("moped", "motor scooter",
                                                               "crash helmet")),
    Photo("camera", "camera.png", "a cameraman (greyscale)", ("tripod", "reflex camera",
                                                             "Polaroid camera")),
    Photo("astronaut", "astronaut.png", "an astronaut (a person)", ()),
)}


@dataclass(frozen=True)
class Photos:
    """Photos resized for a network, with what they show.

    Attributes
    ----------
    images : numpy.ndarray, uint8, (N, size, size, 3)
        Raw RGB, 0..255 (not preprocessed for any network).
    names : tuple of str
        Their keys in :data:`PHOTOS`.
    captions : tuple of str
        What each shows.
    expected : tuple of tuple of int
        ImageNet class indices a student would expect, per photo.
    expected_names : tuple of tuple of str
        The same classes, by name.
    """

    images: np.ndarray
    names: tuple[str, ...]
    captions: tuple[str, ...]
    expected: tuple[tuple[int, ...], ...]
    expected_names: tuple[tuple[str, ...], ...]

    def __len__(self) -> int:
        return len(self.names)


def photo_path(name: str) -> Path:
    """The file of a bundled photo inside the installed scikit-image package.

    Raises
    ------
    ValueError
        ``name`` is not in :data:`PHOTOS` (the message lists them).
    FileNotFoundError
        The installed scikit-image does not ship that file.
    """
    photo = _photo(name)
    path = Path(str(resources.files("skimage") / "data" / photo.file))
    if not path.is_file():
        raise FileNotFoundError(f"{photo.file} is not inside the installed scikit-image "
                                f"({path.parent}); the course reads only bundled files, "
                                f"never downloads: reinstall scikit-image>=0.19")
    return path


def _photo(name: str) -> Photo:
    if not isinstance(name, str) or name not in PHOTOS:
        raise ValueError(f"names: expected names from {list(PHOTOS)}, got {name!r}")
    return PHOTOS[name]


def _square(image: Image.Image, size: int, crop: bool) -> np.ndarray:
    """``image`` as (size, size, 3) uint8 RGB, centre-cropped to a square first if ``crop``."""
    image = image.convert("RGB")
    w, h = image.size
    side = min(w, h)
    box = ((w - side) // 2, (h - side) // 2, (w - side) // 2 + side, (h - side) // 2 + side) \
        if crop else (0, 0, w, h)
    return np.asarray(image.resize((size, size), Image.Resampling.BICUBIC, box=box),
                      dtype=np.uint8)


def photos(names: str | list[str] | tuple[str, ...] | None = None, size: int = 224, *,
           crop: bool = True) -> Photos:
    """Real photos from scikit-image's bundled samples, resized for a network.

    Parameters
    ----------
    names : str or sequence of str, optional
        Keys of :data:`PHOTOS` (``"chelsea"``, ``"coffee"``, ``"rocket"``,
        ``"motorcycle"``, ``"camera"``, ``"astronaut"``); default: all, in
        that order.
    size : int, default 224
        Side of the square images (224 for ResNet50 and VGG16, 299 for
        InceptionV3).
    crop : bool, default True
        Centre-crop each photo to a square before resizing (keeps its aspect
        ratio); False stretches it.

    Returns
    -------
    Photos
        ``images`` (N, size, size, 3) uint8 raw RGB, with names, captions and
        the ImageNet classes a student would expect.

    Raises
    ------
    ValueError
        An unknown name (the message lists the choices), no names, or a bad ``size``.
    """
    if names is None:
        names = tuple(PHOTOS)
    elif isinstance(names, str):
        names = (names,)
    names = tuple(names)
    if not names:
        raise ValueError(f"names: expected at least one of {list(PHOTOS)}, got none")
    size = checks.int_in_range(size, "size", 8, 4096)
    if not isinstance(crop, (bool, np.bool_)):
        raise ValueError(f"crop: expected True or False, got {crop!r}")
    chosen = [_photo(name) for name in names]
    index = {name: i for i, name in enumerate(imagenet_class_names())}
    images = []
    for photo in chosen:
        with Image.open(photo_path(photo.name)) as image:
            images.append(_square(image, size, crop))
    return Photos(images=np.stack(images), names=names,
                  captions=tuple(p.caption for p in chosen),
                  expected=tuple(tuple(index[c] for c in p.expected) for p in chosen),
                  expected_names=tuple(p.expected for p in chosen))
