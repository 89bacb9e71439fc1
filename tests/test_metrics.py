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



def test_energy_pointing_is_the_positive_mass_on_the_object():
    masks = np.zeros((4, 4, 4), bool)
    masks[:, :2, :2] = True                       # the object: the top-left quarter
    maps = np.zeros((4, 4, 4))
    maps[0, 0, 0], maps[0, 3, 3] = 3.0, 1.0       # 3 of 4 units inside
    maps[1] = -1.0
    maps[1, 1, 1] = 2.0                           # negatives do not count: all inside
    maps[2] = 1.0                                 # flat: the object's share, 4 / 16
    maps[3] = -2.0                                # no positive mass: points nowhere
    np.testing.assert_allclose(ct.energy_pointing(maps, masks), [0.75, 1.0, 0.25, 0.0])
    assert ct.metrics.energy_pointing is ct.energy_pointing


def test_energy_pointing_upsamples_small_maps_the_course_way():
    rng = np.random.default_rng(0)
    small = rng.normal(size=(3, 7, 7))
    masks = rng.random((3, 56, 56)) > 0.7
    big = ct.upsample(small, 56)
    np.testing.assert_allclose(ct.energy_pointing(small, masks),
                               ct.energy_pointing(big, masks), rtol=1e-6)
    expected = [(np.maximum(b, 0) * m).sum() / np.maximum(b, 0).sum() for b, m in zip(big, masks)]
    np.testing.assert_allclose(ct.energy_pointing(small, masks), expected, rtol=1e-5)
    # the pointing game accepts the small maps too, and agrees with the upsampled ones
    np.testing.assert_array_equal(ct.pointing_game(small, masks), ct.pointing_game(big, masks))


def test_energy_pointing_refuses_bad_input():
    masks = np.ones((2, 8, 8), bool)
    with pytest.raises(ValueError, match="masks: expected one mask per map"):
        ct.energy_pointing(np.ones((3, 8, 8)), masks)
    with pytest.raises(ValueError, match="maps: contains NaN"):
        ct.energy_pointing(np.full((2, 8, 8), np.nan), masks)
    with pytest.raises(ValueError, match="masks: expected object masks"):
        ct.energy_pointing(np.ones((2, 8, 8)), np.ones((2, 8)))
    with pytest.raises(ValueError, match="maps: expected at least 3 axes"):
        ct.energy_pointing(np.ones((8, 8)), masks)


def test_top_level_exports_of_the_metrics():
    for name in ("energy_pointing", "peak_distance", "confusion_matrix", "pointing_game",
                 "box_iou"):
        assert getattr(ct, name) is getattr(ct.metrics, name)
        assert name in ct.__all__


def _leaderboard():
    """tools/leaderboard.py as a module (registered first: its dataclass needs it)."""
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "tools" / "leaderboard.py"
    spec = importlib.util.spec_from_file_location("camteach_tools_leaderboard", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_leaderboard_thresholds_table_and_figure(tmp_path):
    board = _leaderboard()
    heat = np.zeros((2, 20, 20))
    heat[:, 5:10, 5:10] = 1.0
    heat[:, 5:15, 5:15] += 0.3                     # a halo: a low threshold boxes it too
    boxes = [np.array([[5, 5, 10, 10], [0, 0, 2, 2]])] * 2     # the best of several boxes counts
    np.testing.assert_allclose(board.best_iou(heat, boxes, 0.5), [1.0, 1.0])
    np.testing.assert_allclose(board.best_iou(heat, boxes, 0.2), [0.25, 0.25])
    assert board.choose_threshold(heat, boxes) == 0.25     # the first above 0.3 / 1.3
    row = {"s_per_image": 0.0123, "pointing": 0.5, "sanity_pass": False}
    results = {"scenes": {"random": dict(row), "cam": dict(row, sanity_pass=True)}}
    table = board.markdown(results, "scenes").splitlines()
    assert table[2].startswith("| cam | 0.012 | 0.50 |") and table[2].endswith("| pass |")
    assert table[3].startswith("| random (baseline) |") and table[3].endswith("| FAIL |")
    assert table[2].count("| - ") == len(board.COLUMNS) - 3        # missing metrics say so
    board.figure(results, tmp_path / "board.png")
    assert (tmp_path / "board.png").stat().st_size > 10_000


def test_load_leaderboard_reads_a_saved_table(tmp_path):
    import json
    path = tmp_path / "leaderboard.json"
    rows = {"scenes": {"cam": {"pointing": 0.9}, "random": {"pointing": 0.1}},
            "phantoms": {"lime": {"error": "ValueError: x"}}}
    path.write_text(json.dumps({"minutes": 1.0, "results": rows}))
    assert ct.metrics.load_leaderboard(path) == rows["scenes"]
    assert ct.metrics.load_leaderboard(path, task="phantoms") == rows["phantoms"]
    with pytest.raises(ValueError, match="task: expected one of"):
        ct.metrics.load_leaderboard(path, task="photos")
    with pytest.raises(ValueError, match="path: expected a leaderboard.json"):
        ct.metrics.load_leaderboard(tmp_path / "missing.json")
    shipped = ct.metrics.load_leaderboard()                # the committed table, every baseline
    assert {"random", "gaussian", "grad_cam"} <= set(shipped)
