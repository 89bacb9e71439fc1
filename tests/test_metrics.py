"""Measuring explanations: hand-made cases with known answers."""

from __future__ import annotations

import numpy as np
import pytest

import camteach as ct


def test_box_iou_known_values():
    assert ct.box_iou([0, 0, 10, 10], [0, 0, 10, 10]) == 1
    assert ct.box_iou([0, 0, 10, 10], [5, 0, 15, 10]) == pytest.approx(50 / 150)
    assert ct.box_iou([0, 0, 10, 10], [20, 20, 30, 30]) == 0
    assert ct.box_iou([0, 0, 0, 0], [0, 0, 0, 0]) == 0
    many = ct.box_iou(np.array([[0, 0, 4, 4], [0, 0, 2, 2]]), [0, 0, 4, 4])
    np.testing.assert_allclose(many, [1, 0.25])
    with pytest.raises(ValueError, match="b: expected boxes"):
        ct.box_iou([0, 0, 1, 1], [0, 0, 1])
    with pytest.raises(ValueError, match="x1 >= x0"):
        ct.box_iou([5, 0, 1, 1], [0, 0, 1, 1])


def test_cam_box_keeps_the_largest_region_above_the_threshold():
    heat = np.zeros((20, 30))
    heat[2:6, 3:9] = 1.0         # the peak region, 4 x 6
    heat[10:18, 12:28] = 0.5     # larger, but below 0.6 of the max
    np.testing.assert_array_equal(ct.cam_box(heat, 0.6), [3, 2, 9, 6])
    # at 0.2 both regions survive; the larger one wins
    np.testing.assert_array_equal(ct.cam_box(heat, 0.2), [12, 10, 28, 18])


def test_cam_box_of_an_all_negative_map_still_finds_its_hottest_part():
    heat = np.full((10, 10), -5.0)
    heat[4:6, 7:9] = -1.0
    np.testing.assert_array_equal(ct.cam_box(heat, 0.5), [7, 4, 9, 6])
    with pytest.raises(ValueError, match="threshold"):
        ct.cam_box(heat, 0)


def test_pointing_game_inside_and_outside():
    masks = np.zeros((2, 8, 8), bool)
    masks[:, 2:5, 2:5] = True
    heat = np.zeros((2, 8, 8))
    heat[0, 3, 3] = 1   # inside
    heat[1, 7, 0] = 1   # outside, 3.6 px from the object's corner pixel (4, 2)
    np.testing.assert_array_equal(ct.pointing_game(heat, masks, tolerance=0), [True, False])
    np.testing.assert_array_equal(ct.pointing_game(heat, masks, tolerance=3), [True, False])
    np.testing.assert_array_equal(ct.pointing_game(heat, masks, tolerance=4), [True, True])
    with pytest.raises(ValueError, match="masks"):
        ct.pointing_game(heat, masks[:1])


def test_pointing_game_default_forgives_15_px_as_zhang_et_al():
    masks = np.zeros((4, 64, 64), bool)
    masks[:, 20:30, 20:30] = True
    heat = np.zeros((4, 64, 64))
    for i, (row, col) in enumerate([(25, 25), (25, 44), (25, 45), (40, 40)]):
        heat[i, row, col] = 1.0
    # distances to the object: 0, 15 (col 44 - col 29), 16, hypot(11, 11) = 15.6
    np.testing.assert_allclose(ct.metrics.peak_distance(heat, masks), [0, 15, 16, np.hypot(11, 11)])
    np.testing.assert_array_equal(ct.pointing_game(heat, masks), [True, True, False, False])
    np.testing.assert_array_equal(ct.pointing_game(heat, masks, tolerance=0),
                                  [True, False, False, False])
    assert ct.metrics.POINTING_TOLERANCE == 15
    with pytest.raises(ValueError, match="tolerance"):
        ct.pointing_game(heat, masks, tolerance=-1)


def test_peak_distance_agrees_with_the_distance_transform_and_handles_empty_masks():
    rng = np.random.default_rng(3)
    heat = rng.normal(size=(6, 40, 50))
    masks = rng.random((6, 40, 50)) > 0.995
    masks[5] = False
    got = ct.metrics.peak_distance(heat, masks)
    for h, m, d in zip(heat[:5], masks[:5], got[:5]):
        ys, xs = np.nonzero(m)
        py, px = np.unravel_index(h.argmax(), h.shape)
        assert d == pytest.approx(np.hypot(ys - py, xs - px).min())
    assert got[5] == np.inf and not ct.pointing_game(heat[5:], masks[5:], tolerance=1000)[0]


def test_confusion_matrix_counts_true_rows_predicted_columns():
    counts = ct.metrics.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 4)
    np.testing.assert_array_equal(counts, [[1, 1, 0, 0], [0, 1, 0, 0], [1, 0, 2, 0],
                                           [0, 0, 0, 0]])
    assert counts.dtype == np.int64
    with pytest.raises(ValueError, match="predicted: expected class indices"):
        ct.metrics.confusion_matrix([0, 1], [0, 4], 4)
    with pytest.raises(ValueError, match="true: expected class indices"):
        ct.metrics.confusion_matrix([0.5, 1], [0, 1], 4)
    with pytest.raises(ValueError, match="predicted: expected one class per true label"):
        ct.metrics.confusion_matrix([0, 1], [0], 4)
    with pytest.raises(ValueError, match="num_classes"):
        ct.metrics.confusion_matrix([0], [0], 0)


def test_dissect_finds_the_planted_detector():
    rng = np.random.default_rng(0)
    n, size = 6, 56
    part = np.zeros((n, size, size), bool)
    for i in range(n):
        r, c = rng.integers(0, 5, 2) * 8
        part[i, r:r + 16, c:c + 16] = True
    F = rng.uniform(0, 0.3, (n, 7, 7, 5)).astype(np.float32)
    # channel 3 is a "wheel detector": it fires exactly on the part's cells
    F[..., 3] += part[:, 4::8, 4::8] * 2.0
    result = ct.dissect(F, {"wheel": part, "nothing": np.zeros_like(part)})
    assert result.parts == ("wheel",)      # an empty part is skipped
    assert result.channel[0] == 3
    assert result.iou[0] > 0.5 > result.ious[0, [0, 1, 2, 4]].max()

