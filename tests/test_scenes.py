"""Tests of camteach.scenes: the procedural world with exact masks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from camteach.scenes import (CLASS_NAMES, CUE_COLOR, PART_NAMES, PARTS, Scenes, draw_scene,
                             make_backgrounds, make_scenes, mask_box, scene_batches)

SMALL = 96  # most tests run on small images: same code, faster


@pytest.fixture(scope="module")
def batch() -> Scenes:
    return make_scenes(24, seed=11, size=128)


@pytest.fixture(scope="module")
def pairs() -> Scenes:
    return make_scenes(24, seed=12, size=160, objects=2)


def assert_same(a: Scenes, b: Scenes) -> None:
    np.testing.assert_array_equal(a.images, b.images)
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_array_equal(a.masks, b.masks)
    np.testing.assert_array_equal(a.boxes, b.boxes)
    np.testing.assert_array_equal(a.parts.label_map, b.parts.label_map)
    assert (a.cue_masks is None) == (b.cue_masks is None)
    if a.cue_masks is not None:
        np.testing.assert_array_equal(a.cue_masks, b.cue_masks)


def tight_box(mask: np.ndarray) -> list[int]:
    ys, xs = np.nonzero(mask)
    return [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]


# ---------------------------------------------------------------- constants

def test_constants():
    assert CLASS_NAMES == ("face", "car", "house", "flower")
    for cls, names in {"face": ("eye", "nose", "mouth"), "car": ("body", "wheel", "window"),
                       "house": ("wall", "roof", "door", "window"),
                       "flower": ("petal", "centre", "stem")}.items():
        assert PARTS[cls][:len(names)] == names
    assert set(PART_NAMES) == {p for ps in PARTS.values() for p in ps}
    assert len(PART_NAMES) == len(set(PART_NAMES))


# ---------------------------------------------------------------- determinism

@pytest.mark.parametrize("kwargs", [{}, {"objects": 2, "shortcut": "corner"},
                                    {"shortcut": "stripe", "shortcut_mode": "swap"}])
def test_same_seed_same_scenes_and_chunks_equal_whole(kwargs):
    whole = make_scenes(20, seed=3, size=SMALL, **kwargs)
    assert_same(whole, make_scenes(20, seed=3, size=SMALL, **kwargs))
    assert_same(make_scenes(10, seed=3, size=SMALL, start=5, **kwargs), whole[5:15])


@settings(max_examples=8, deadline=None)
@given(start=st.integers(0, 30), n=st.integers(1, 6), seed=st.integers(0, 2**32 - 1))
def test_scene_depends_only_on_seed_and_index(start, n, seed):
    whole = make_scenes(start + n, seed=seed, size=64, clutter=0.5)
    assert_same(make_scenes(n, seed=seed, size=64, start=start, clutter=0.5), whole[start:])


def test_different_seeds_differ():
    a, b = make_scenes(4, seed=0, size=SMALL), make_scenes(4, seed=1, size=SMALL)
    for i in range(4):
        assert not np.array_equal(a.images[i], b.images[i])
        assert not np.array_equal(a.masks[i], b.masks[i])


# ---------------------------------------------------------------- shapes

def test_shapes_and_dtypes(batch, pairs):
    n, s = 24, 128
    assert len(batch) == n and batch.class_names == CLASS_NAMES
    assert batch.images.shape == (n, s, s, 3) and batch.images.dtype == np.uint8
    assert batch.labels.shape == (n,) and batch.labels.dtype == np.int64
    assert batch.masks.shape == (n, s, s) and batch.masks.dtype == bool
    assert batch.boxes.shape == (n, 4) and batch.boxes.dtype == np.int64
    assert batch.cue_masks is None
    assert list(batch.parts) == list(PART_NAMES)
    for name, m in batch.parts.items():
        assert m.shape == (n, s, s) and m.dtype == bool, name
    assert pairs.labels.shape == (24, 2) and pairs.masks.shape == (24, 2, 160, 160)
    assert pairs.boxes.shape == (24, 2, 4)
    assert pairs.parts["wheel"].shape == (24, 160, 160)


def test_indexing_returns_subsets(batch):
    one = batch[3]
    assert isinstance(one, Scenes) and len(one) == 1
    assert_same(one, batch[3:4])
    assert_same(batch[-1], batch[23:24])
    sub = batch[[0, 5, 2]]
    np.testing.assert_array_equal(sub.labels, batch.labels[[0, 5, 2]])
    np.testing.assert_array_equal(sub.parts["eye"], batch.parts["eye"][[0, 5, 2]])
    faces = batch[batch.labels == 0]
    assert len(faces) == 6 and (faces.labels == 0).all()
    with pytest.raises(IndexError):
        batch[24]


# ---------------------------------------------------------------- labels

def test_labels_balanced_over_all_classes():
    labels = make_scenes(40, seed=5, size=64, clutter=0).labels
    assert np.bincount(labels, minlength=4).tolist() == [10, 10, 10, 10]


def test_classes_restrict_labels_by_name_or_index():
    labels = make_scenes(12, seed=5, size=64, classes=["car", 3]).labels
    assert sorted(set(labels.tolist())) == [1, 3]
    assert np.bincount(labels, minlength=4).tolist() == [0, 6, 0, 6]


# ---------------------------------------------------------------- masks

def test_parts_partition_the_object_mask(batch):
    obj = batch.masks
    union = np.zeros_like(obj)
    for name, m in batch.parts.items():
        assert not (m & ~obj).any(), f"{name} pixels outside the object mask"
        assert not (m & union).any(), f"{name} overlaps another part"
        union |= m
    np.testing.assert_array_equal(union, obj)  # every object pixel is some part's


def test_each_object_shows_its_own_parts_only(batch):
    for i, lab in enumerate(batch.labels):
        cls = CLASS_NAMES[lab]
        for name in PART_NAMES:
            area = batch.parts[name][i].sum()
            if name in PARTS[cls]:
                assert area > 0, f"scene {i} ({cls}): no visible {name}"
            else:
                assert area == 0, f"scene {i} ({cls}) has {name} pixels"


def test_masks_are_exactly_the_painted_pixels():
    # the same scenes with the object left out (make_backgrounds): the images
    # must agree outside the object mask and the cue, and differ on (nearly)
    # every mask pixel
    full = make_scenes(12, seed=4, size=128, shortcut="corner")
    bare = make_backgrounds(12, seed=4, size=128)
    assert full.cue_masks.any()
    outside = ~full.masks & ~full.cue_masks
    np.testing.assert_array_equal(full.images[outside], bare[outside])
    differs = (full.images != bare).any(-1)
    assert not (differs & outside).any()
    assert (differs & full.masks).sum() >= 0.995 * full.masks.sum()
    cue = full.images[full.cue_masks]
    np.testing.assert_array_equal(cue, np.broadcast_to(CUE_COLOR, cue.shape))


def test_mask_box_is_the_tight_box():
    mask = np.zeros((6, 9), bool)
    mask[1:4, 2:7] = True
    mask[5, 8] = True
    assert mask_box(mask).tolist() == tight_box(mask) == [2, 1, 9, 6]
    assert mask_box(mask).dtype == np.int64
    assert mask_box(np.zeros((5, 5), bool)).tolist() == [0, 0, 0, 0]


def test_boxes_are_tight_boxes_of_the_masks(batch, pairs):
    for i in range(len(batch)):
        assert batch.boxes[i].tolist() == tight_box(batch.masks[i])
        for k in range(2):
            assert pairs.boxes[i, k].tolist() == tight_box(pairs.masks[i, k])


def test_object_size_at_scale_one():
    for label in CLASS_NAMES:
        s = draw_scene(label, seed=2, size=224, clutter=0)
        x0, y0, x1, y1 = s.boxes[0]
        # about half the image at scale 1: large enough that a 7x7 CAM cell lands on it
        assert 0.4 * 224 <= max(x1 - x0, y1 - y0) <= 0.6 * 224, label
        # the box is centred where asked
        assert abs((x0 + x1) / 2 - 112) <= 2 and abs((y0 + y1) / 2 - 112) <= 2


def test_colour_alone_does_not_identify_the_class():
    # the main colour of faces (skin) overlaps that of walls, car bodies, petals
    s = make_scenes(160, seed=9, size=64, clutter=0)
    main = {"face": "head", "car": "body", "house": "wall", "flower": "petal"}
    skin_like = {}
    for cls, part in main.items():
        idx = np.flatnonzero(s.labels == CLASS_NAMES.index(cls))
        means = np.array([s.images[i][s.parts[part][i]].mean(0) for i in idx])
        r, g, b = means.T
        skin_like[cls] = np.mean((r > g) & (g > b) & (r - b > 40))
    assert skin_like["face"] > 0.7
    for cls in ("car", "house", "flower"):
        assert skin_like[cls] > 0.1, skin_like


# ---------------------------------------------------------------- draw_scene

def test_draw_scene_moves_only_the_object():
    a = draw_scene("car", center=(0.3, 0.35), scale=0.8, angle=10, seed=7, size=160)
    b = draw_scene("car", center=(0.7, 0.6), scale=0.8, angle=10, seed=7, size=160)
    assert len(a) == len(b) == 1 and a.labels.tolist() == [1]
    background = ~(a.masks[0] | b.masks[0])
    np.testing.assert_array_equal(a.images[0][background], b.images[0][background])
    assert not np.array_equal(a.masks, b.masks)
    assert abs(int(a.masks.sum()) - int(b.masks.sum())) <= 0.03 * a.masks.sum()
    shift = b.boxes[0] - a.boxes[0]
    assert abs(shift[0] - 0.4 * 160) <= 2 and abs(shift[1] - 0.25 * 160) <= 2
    for part in ("wheel", "window", "body"):
        assert a.parts[part].sum() > 0 and b.parts[part].sum() > 0


def test_draw_scene_seed_changes_background_and_look():
    a = draw_scene("face", seed=1, size=SMALL)
    b = draw_scene("face", seed=2, size=SMALL)
    assert not np.array_equal(a.images, b.images)


def test_draw_scene_rejects_objects_that_do_not_fit():
    with pytest.raises(ValueError, match="^center:"):
        draw_scene("house", center=(0.05, 0.5), seed=0, size=SMALL)
    with pytest.raises(ValueError, match="^center:"):
        draw_scene("flower", scale=2.5, seed=0, size=SMALL)


# ---------------------------------------------------------------- two objects

def test_two_objects_of_different_classes_apart(pairs):
    assert (pairs.labels[:, 0] != pairs.labels[:, 1]).all()
    assert set(pairs.labels.ravel().tolist()) == {0, 1, 2, 3}
    assert not (pairs.masks[:, 0] & pairs.masks[:, 1]).any()
    assert (pairs.masks.sum(axis=(2, 3)) > 0).all()
    for a, b in pairs.boxes:
        w = min(a[2], b[2]) - max(a[0], b[0])
        h = min(a[3], b[3]) - max(a[1], b[1])
        inter = max(w, 0) * max(h, 0)
        smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
        assert inter < 0.1 * smaller
    parts_union = np.zeros_like(pairs.masks[:, 0])
    for m in pairs.parts.values():
        parts_union |= m
    np.testing.assert_array_equal(parts_union, pairs.masks.any(1))


# ---------------------------------------------------------------- shortcut

@pytest.fixture(scope="module")
def plain() -> Scenes:
    return make_scenes(80, seed=21, size=SMALL)


@pytest.mark.parametrize("shortcut", ["corner", "stripe"])
def test_shortcut_train_cue_goes_with_the_class(plain, shortcut):
    s = make_scenes(80, seed=21, size=SMALL, shortcut=shortcut, shortcut_class="car")
    has_cue = s.cue_masks.any(axis=(1, 2))
    is_car = s.labels == 1
    assert not (has_cue & ~is_car).any()
    assert has_cue[is_car].mean() >= 0.85
    # the cue is painted in CUE_COLOR, over everything, and changes nothing else
    cue_pixels = s.images[s.cue_masks]
    np.testing.assert_array_equal(cue_pixels, np.broadcast_to(CUE_COLOR, cue_pixels.shape))
    assert not (s.masks & s.cue_masks).any()
    np.testing.assert_array_equal(s.images[~s.cue_masks], plain.images[~s.cue_masks])
    np.testing.assert_array_equal(s.labels, plain.labels)


def test_shortcut_shapes_corner_square_and_stripe_band():
    s = make_scenes(16, seed=2, size=224, shortcut="corner", shortcut_mode="swap", clutter=0)
    for cue in s.cue_masks:
        if cue.any():
            x0, y0, x1, y1 = tight_box(cue)
            assert 16 <= x1 - x0 == y1 - y0 <= 20 and cue.sum() == (x1 - x0) ** 2
            assert min(x0, y0, 224 - x1, 224 - y1) >= 4
            assert max(min(x0, 224 - x1), min(y0, 224 - y1)) <= 12
    s = make_scenes(8, seed=2, size=SMALL, shortcut="stripe", shortcut_class="face",
                    shortcut_mode="swap", clutter=0)
    for cue in s.cue_masks:
        if cue.any():
            rows = np.flatnonzero(cue.any(1))
            assert cue[rows].all() and (rows[0] == 0 or rows[-1] == SMALL - 1)


def test_shortcut_swap_and_none(plain):
    swap = make_scenes(80, seed=21, size=SMALL, shortcut="corner", shortcut_class="house",
                       shortcut_mode="swap")
    has_cue = swap.cue_masks.any(axis=(1, 2))
    assert not has_cue[swap.labels == 2].any()
    assert has_cue[swap.labels != 2].mean() >= 0.85
    none = make_scenes(80, seed=21, size=SMALL, shortcut="corner", shortcut_mode="none")
    assert none.cue_masks is not None and not none.cue_masks.any()
    np.testing.assert_array_equal(none.images, plain.images)


def test_cue_colour_appears_nowhere_else():
    s = make_scenes(60, seed=8, size=SMALL, shortcut="corner")
    im = s.images.astype(int)
    near = (np.abs(im - np.array(CUE_COLOR)).sum(-1) < 100) & ~s.cue_masks
    assert not near.any()


# ---------------------------------------------------------------- batches

def test_scene_batches_follow_make_scenes():
    gen = scene_batches(5, seed=6, size=64, start=3, classes=["face", "car"], shortcut="corner")
    ref = make_scenes(10, seed=6, size=64, start=3, classes=["face", "car"], shortcut="corner")
    for k in range(2):
        images, labels = next(gen)
        assert images.shape == (5, 64, 64, 3) and images.dtype == np.uint8
        np.testing.assert_array_equal(images, ref.images[5 * k:5 * k + 5])
        np.testing.assert_array_equal(labels, ref.labels[5 * k:5 * k + 5])
    images, labels = next(scene_batches(4, size=64, objects=2))
    assert labels.shape == (4, 2)


# ---------------------------------------------------------------- validation

@pytest.mark.parametrize("call, name", [
    (lambda: make_scenes(0), "n"),
    (lambda: make_scenes(2.5), "n"),
    (lambda: make_scenes(1, seed=-1), "seed"),
    (lambda: make_scenes(1, size=32), "size"),
    (lambda: make_scenes(1, start=-2), "start"),
    (lambda: make_scenes(1, classes=["face", "dog"]), "classes"),
    (lambda: make_scenes(1, classes=[7]), "classes"),
    (lambda: make_scenes(1, classes=[]), "classes"),
    (lambda: make_scenes(1, objects=3), "objects"),
    (lambda: make_scenes(1, objects=2, classes=["car"]), "classes"),
    (lambda: make_scenes(1, clutter=-1), "clutter"),
    (lambda: make_scenes(1, shortcut="blob"), "shortcut"),
    (lambda: make_scenes(1, shortcut="corner", shortcut_mode="always"), "shortcut_mode"),
    (lambda: make_scenes(1, shortcut="corner", shortcut_class="dog"), "shortcut_class"),
    (lambda: draw_scene("dog"), "label"),
    (lambda: draw_scene("car", center=(1.5, 0.5)), "center"),
    (lambda: draw_scene("car", center=0.5), "center"),
    (lambda: draw_scene("car", scale=0), "scale"),
    (lambda: draw_scene("car", size=10), "size"),
    (lambda: scene_batches(0), "batch_size"),
    (lambda: scene_batches(4, objects=5), "objects"),
    (lambda: scene_batches(4, colour="red"), "kwargs"),
    (lambda: make_scenes(1, seed=True), "seed"),
    (lambda: make_scenes(1, objects=True), "objects"),
    (lambda: make_scenes(1, clutter=float("nan")), "clutter"),
    (lambda: make_scenes(1, classes=3.0), "classes"),
    (lambda: make_scenes(1, shortcut=["corner"]), "shortcut"),
    (lambda: draw_scene("car", scale=-1), "scale"),
    (lambda: draw_scene("car", angle=200), "angle"),
    (lambda: draw_scene(4), "label"),
])
def test_bad_arguments_name_the_argument(call, name):
    with pytest.raises(ValueError, match=f"^{name}: expected .+, got "):
        call()


def test_backgrounds_are_the_scenes_without_their_objects():
    scenes = make_scenes(6, seed=3, start=10)
    empty = make_backgrounds(6, seed=3, start=10)
    assert empty.shape == scenes.images.shape and empty.dtype == np.uint8
    differs = (empty != scenes.images).any(axis=-1)
    np.testing.assert_array_equal(differs & ~scenes.masks, False)
    assert differs[scenes.masks].mean() > 0.99
    with pytest.raises(ValueError, match="n:"):
        make_backgrounds(0)


def test_scale_shrinks_the_objects_of_the_same_scenes():
    """``scale`` multiplies each object's size; labels, backgrounds and looks stay."""
    base, small = make_scenes(8, seed=2), make_scenes(8, seed=2, scale=0.5)
    np.testing.assert_array_equal(base.labels, small.labels)
    ratio = small.masks.sum(axis=(1, 2)) / base.masks.sum(axis=(1, 2))
    assert np.all((ratio > 0.2) & (ratio < 0.3)), ratio          # area: about 0.5 ** 2
    outside = ~(base.masks | small.masks)
    assert (base.images[outside] == small.images[outside]).mean() > 0.9
    np.testing.assert_array_equal(make_scenes(3, seed=2, scale=1.0).images, base.images[:3])
    for bad in (0, -1, 2.5, "big"):
        with pytest.raises(ValueError, match="^scale: "):
            make_scenes(2, seed=2, scale=bad)
