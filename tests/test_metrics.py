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
    heat[1, 7, 0] = 1   # outside
    np.testing.assert_array_equal(ct.pointing_game(heat, masks), [True, False])
    with pytest.raises(ValueError, match="masks"):
        ct.pointing_game(heat, masks[:1])


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

