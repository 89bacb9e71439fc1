"""Real photos from scikit-image's own files: offline, shapes, dtype, names, errors."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest
import skimage
from PIL import Image

from camteach.imagenet import imagenet_class_names
from camteach.photos import PHOTOS, photo_path, photos


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection (a pooch download, say) fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("photos must not touch the network")
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    try:                                 # scikit-image downloads through pooch, if installed
        import pooch
    except ImportError:
        return
    monkeypatch.setattr(pooch, "retrieve", refuse)


def test_every_photo_loads_offline_from_the_installed_package(no_network):
    shots = photos()
    assert shots.names == tuple(PHOTOS) and len(shots) == len(PHOTOS)
    assert shots.images.shape == (len(PHOTOS), 224, 224, 3)
    assert shots.images.dtype == np.uint8
    package = Path(skimage.__file__).resolve().parent / "data"
    for name in PHOTOS:
        assert photo_path(name).resolve().parent == package
    # real photos, not blank or constant images
    assert all(img.std() > 20 and img.max() > 150 for img in shots.images)


def test_the_files_are_scikit_images_own_samples(no_network):
    from skimage import data
    # these fetchers read the legacy folder inside the package (no pooch): same pixels
    np.testing.assert_array_equal(np.asarray(Image.open(photo_path("chelsea"))), data.chelsea())
    np.testing.assert_array_equal(np.asarray(Image.open(photo_path("coffee"))), data.coffee())
    np.testing.assert_array_equal(np.asarray(Image.open(photo_path("camera"))), data.camera())


def test_sizes_crop_greyscale_and_determinism(no_network):
    one = photos("chelsea", size=299)
    assert one.images.shape == (1, 299, 299, 3) and one.names == ("chelsea",)
    again = photos(["chelsea"], size=299)
    np.testing.assert_array_equal(one.images, again.images)
    stretched = photos("chelsea", crop=False)
    cropped = photos("chelsea")
    assert stretched.images.shape == cropped.images.shape == (1, 224, 224, 3)
    assert not np.array_equal(stretched.images, cropped.images)
    grey = photos("camera").images[0]
    assert np.array_equal(grey[..., 0], grey[..., 1]) and np.array_equal(grey[..., 1], grey[..., 2])
    order = photos(["rocket", "chelsea"])
    np.testing.assert_array_equal(order.images[1], cropped.images[0])


def test_expected_imagenet_classes():
    names = imagenet_class_names()
    shots = photos(["chelsea", "coffee", "astronaut"], size=32)
    assert shots.expected[0] == (281, 282, 285)
    assert shots.expected_names[0] == ("tabby", "tiger cat", "Egyptian cat")
    assert "cup" in shots.expected_names[1] and "espresso" in shots.expected_names[1]
    assert shots.expected[2] == ()          # ImageNet has no class for a person
    for photo in PHOTOS.values():
        assert all(name in names for name in photo.expected), photo.name
    full = photos(size=32)
    for indices, labels in zip(full.expected, full.expected_names):
        assert tuple(names[i] for i in indices) == labels


@pytest.mark.parametrize("bad", ["cat", ["chelsea", "dog"], [3]])
def test_unknown_name_lists_the_choices(bad):
    with pytest.raises(ValueError, match="^names: expected names from") as info:
        photos(bad)
    for name in PHOTOS:
        assert repr(name) in str(info.value)


@pytest.mark.parametrize("kwargs, match", [
    (dict(names=[]), "^names: expected at least one"),
    (dict(size=0), "^size: expected an int"),
    (dict(size=2.5), "^size: expected an int"),
    (dict(crop="yes"), "^crop: expected True or False"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        photos(**kwargs)
