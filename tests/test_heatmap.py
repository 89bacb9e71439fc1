"""Upsampling, normalising and overlaying heat maps, with properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import camteach as ct

finite = st.floats(-1e4, 1e4, allow_nan=False, width=32)
small_maps = arrays(np.float32, st.tuples(st.integers(1, 3), st.integers(1, 9), st.integers(1, 9)),
                    elements=finite)
FAST = settings(max_examples=40, deadline=None)


@FAST
@given(small_maps)
def test_normalize_is_in_unit_range_and_keeps_order(maps):
    unit = ct.normalize(maps)
    assert unit.shape == maps.shape and unit.dtype == np.float32
    assert np.all(np.isfinite(unit)) and unit.min() >= 0 and unit.max() <= 1
    for raw, scaled in zip(maps, unit):
        if raw.max() > raw.min():
            assert scaled.max() == pytest.approx(1) and scaled.min() == pytest.approx(0)
            assert scaled.flat[raw.argmax()] == scaled.max()
        else:
            assert np.all(scaled == 0)


def test_normalize_constant_and_all_negative_maps():
    assert np.all(ct.normalize(np.full((7, 7), -3.0)) == 0)
    negative = -np.arange(49, dtype=np.float32).reshape(7, 7) - 10
    unit = ct.normalize(negative)
    assert unit[0, 0] == 1 and unit[-1, -1] == 0


@FAST
@given(small_maps, st.integers(1, 4), st.sampled_from(ct.heatmap.METHODS))
def test_upsample_shape_and_nearest_repeats(maps, factor, method):
    h, w = maps.shape[-2:]
    big = ct.upsample(maps, (h * factor, w * factor), method=method)
    assert big.shape == (*maps.shape[:-2], h * factor, w * factor)
    assert np.all(np.isfinite(big))
    if method == "nearest":
        np.testing.assert_array_equal(big, np.repeat(np.repeat(maps, factor, -2), factor, -1))
    if method == "bilinear":  # an average of neighbours never leaves the range
        tol = 1e-3 * (1 + np.abs(maps).max())
        assert big.min() >= maps.min() - tol and big.max() <= maps.max() + tol


def test_upsample_constant_stays_constant_and_peak_stays_put():
    np.testing.assert_allclose(ct.upsample(np.full((7, 7), 2.5), 224), 2.5, rtol=1e-6)
    peak = np.zeros((7, 7), np.float32)
    peak[1, 5] = 1
    big = ct.upsample(peak, 224, method="bicubic")
    row, col = np.unravel_index(big.argmax(), big.shape)
    assert row // 32 == 1 and col // 32 == 5


def test_resize_is_upsample_per_channel_and_antialias_smooths():
    images = np.random.default_rng(3).uniform(0, 255, (2, 9, 7, 3)).astype(np.float32)
    for method in ct.heatmap.METHODS:
        out = ct.heatmap.resize(images, (18, 21), method)
        assert out.shape == (2, 18, 21, 3) and out.dtype == np.float32
        per_channel = ct.upsample(np.moveaxis(images, -1, 1), (18, 21), method)
        np.testing.assert_array_equal(out, np.moveaxis(per_channel, 1, -1))
    # shrinking a checkerboard 5x: plain sampling keeps black and white pixels,
    # antialiasing averages them to grey
    board = (np.indices((40, 40)).sum(0) % 2 * 255.0)[None, ..., None]
    assert np.ptp(ct.heatmap.resize(board, 8)) == 255
    np.testing.assert_allclose(ct.heatmap.resize(board, 8, antialias=True), 127.5, atol=2)


@FAST
@given(st.integers(4, 40), st.integers(4, 40), st.floats(0, 1),
       st.sampled_from(["jet", "viridis", "magma"]))
def test_overlay_blends_image_and_colours(height, width, alpha, cmap):
    rng = np.random.default_rng(height * 100 + width)
    image = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    heat = rng.normal(size=(3, 3))
    out = ct.overlay(image, heat, alpha=alpha, cmap=cmap)
    assert out.shape == image.shape and out.dtype == np.uint8
    colours = ct.colorize(ct.upsample(heat, (height, width)), cmap).astype(float)
    expected = (1 - alpha) * image + alpha * colours
    assert np.abs(out - expected).max() <= 0.5 + 1e-6


def test_overlay_extremes_and_image_forms():
    image = np.full((16, 16, 3), 200, np.uint8)
    heat = np.arange(16.0).reshape(4, 4)
    np.testing.assert_array_equal(ct.overlay(image, heat, alpha=0), image)
    full = ct.overlay(image, heat, alpha=1.0)
    np.testing.assert_array_equal(full, ct.colorize(ct.upsample(heat, 16)))
    np.testing.assert_array_equal(ct.overlay(image / 255.0, heat), ct.overlay(image, heat))
    gray = ct.overlay(np.full((16, 16), 200, np.uint8), heat)
    np.testing.assert_array_equal(gray, ct.overlay(image, heat))


@pytest.mark.parametrize("call, match", [
    (lambda: ct.normalize(np.array([[np.nan, 1.0]])), "NaN"),
    (lambda: ct.normalize(np.zeros(5)), "at least 2 axes"),
    (lambda: ct.upsample(np.zeros((7, 7)), 0), "size"),
    (lambda: ct.upsample(np.zeros((7, 7)), (10, 2.5)), "size"),
    (lambda: ct.upsample(np.zeros((7, 7)), 14, method="area51"), "method"),
    (lambda: ct.heatmap.resize(np.zeros((1, 7, 7, 1)), 14, method="area51"), "^method: expected"),
    (lambda: ct.heatmap.resize(np.zeros((1, 7, 7, 1)), -3), "^size: expected"),
    (lambda: ct.overlay(np.zeros((8, 8, 3), np.uint8), np.zeros((7, 7)), alpha=1.5), "alpha"),
    (lambda: ct.overlay(np.zeros((8, 8, 3), np.uint8), np.zeros((7, 7)), cmap="rainbowz"), "cmap"),
    (lambda: ct.overlay(np.zeros((8, 8, 4), np.uint8), np.zeros((7, 7))), "image"),
    (lambda: ct.overlay(np.full((8, 8, 3), -120.0), np.zeros((7, 7))), "preprocessed"),
    (lambda: ct.overlay(np.zeros((8, 8, 3), np.uint8), np.zeros((2, 7, 7))), "heatmap"),
])
def test_errors_name_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_normalize_extreme_finite_maps_stay_finite():
    big = np.finfo(np.float32).max
    extreme = np.array([[-big, 0.0], [big / 2, big]], np.float32)
    unit = ct.normalize(extreme)
    assert np.all(np.isfinite(unit)) and unit.dtype == np.float32
    np.testing.assert_allclose(unit, [[0.0, 0.5], [0.75, 1.0]], atol=1e-6)
