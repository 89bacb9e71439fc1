"""Lesson 10's helpers: heat maps judged against each radiologist, and the radiograph figure."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import camteach as ct
from camteach.exercises import lesson10
from camteach.xray import judge
from camteach.xray.readers import agreement


@pytest.fixture(scope="module")
def data():
    return ct.xray.phantom_data(6, seed=11)


def _present(data):
    i = int(np.flatnonzero(data.labels.any(axis=1))[0])
    return i, int(np.flatnonzero(data.labels[i])[0])


def _fused(data, i, k):
    return next(b.box for b in data.boxes[i] if b.finding == k)


def test_box_mask_covers_the_box_and_never_is_empty():
    mask = judge.box_mask([10.2, 20.0, 30.0, 25.0], 64)
    assert mask.shape == (64, 64) and mask.sum() == 20 * 5
    assert mask[20, 10] and not mask[25, 10] and not mask[20, 30]
    assert judge.box_mask([70, 70, 70, 70], 64).sum() == 1      # clipped, at least one pixel


def test_a_map_that_is_the_fused_box_hits_it_with_iou_one(data):
    i, k = _present(data)
    box = _fused(data, i, k)
    heat = judge.box_mask(box, 224).astype(np.float32)
    s = judge.score_map(heat, data, i, k)
    assert s["fused"]["hit"] and s["fused"]["iou"] > 0.95
    readers = {b.rad_id for b in data.reader_boxes[i] if b.finding == k}
    assert set(s["readers"]) == readers
    assert all(r["hit"] for r in s["readers"].values())
    assert s["reader_iou"] == agreement([b for b in data.reader_boxes[i] if b.finding == k])


def test_a_map_in_the_far_corner_misses_every_reader(data):
    i, k = _present(data)
    box = _fused(data, i, k)
    heat = np.zeros((224, 224), np.float32)
    far = (0, 0) if box[0] + box[1] > 224 else (223, 223)
    heat[far] = 1.0
    s = judge.score_map(heat, data, i, k)
    assert not s["fused"]["hit"] and s["fused"]["iou"] < 0.05
    assert not any(r["hit"] for r in s["readers"].values())


def test_score_map_names_bad_arguments(data):
    i, k = _present(data)
    with pytest.raises(ValueError, match="image"):
        judge.score_map(np.ones((7, 7)), data, len(data), k)
    with pytest.raises(ValueError, match="finding"):
        judge.score_map(np.ones((7, 7)), data, i, 99)
    with pytest.raises(ValueError, match="heat"):
        judge.score_map(np.ones((2, 7, 7)), data, i, k)


def test_judge_scores_every_present_finding_against_readers(data):
    model = ct.load_xray_model()
    table = judge.judge(model, data, layer="mixed3")
    assert len(table.pairs) == int(data.labels.sum()) == len(table.fused_iou)
    marks = sum(len({b.rad_id for b in data.reader_boxes[i] if b.finding == k})
                for i, k in table.pairs)
    assert len(table.map_iou) == len(table.map_hit) == marks
    assert table.layer == "mixed3"
    assert np.all((table.map_iou >= 0) & (table.map_iou <= 1))
    assert table.fused_hit.mean() >= 0.5              # the trained model points at its findings
    assert "reader vs reader" in table.summary()


def test_judge_refuses_radiographs_without_findings(data):
    empty = dataclasses.replace(data, labels=np.zeros_like(data.labels))
    with pytest.raises(ValueError, match="data"):
        judge.judge(ct.load_xray_model(), empty)


def test_radiographs_draws_boxes_and_a_colour_bar(data):
    i, _ = _present(data)
    picture = ct.plots.radiographs(data.images[[i, i]], np.ones((2, 7, 7)), ["a", "b"],
                                   reader_boxes=[data.reader_boxes[i]] * 2,
                                   fused_boxes=[data.boxes[i]] * 2, scores=[1.0, 2.0])
    axes = picture.figure.axes
    panel = axes[0]
    readers = {b.rad_id for b in data.reader_boxes[i]}
    assert len(panel.patches) == len(data.reader_boxes[i]) + len(data.boxes[i])
    assert {t.get_text() for t in panel.get_legend().get_texts()} == readers
    assert "logit +1.00" in panel.get_title()
    assert len(axes) == 3                                     # two panels and the colour bar
    assert picture.png()[:4] == b"\x89PNG"


def test_radiographs_without_maps_shows_the_grey_scale(data):
    picture = ct.plots.radiographs(data.images[:2])
    assert "intensity" in picture.figure.axes[-1].get_ylabel()
    with pytest.raises(ValueError, match="titles"):
        ct.plots.radiographs(data.images[:2], titles=["one"])
    with pytest.raises(ValueError, match="images"):
        ct.plots.radiographs(np.zeros((2, 8, 8, 3)))


def test_lesson10_bind_names_a_finding_the_phantom_lacks(data):
    i, _ = _present(data)
    absent = int(np.flatnonzero(data.labels[i] == 0)[0])
    with pytest.raises(ValueError, match="k:"):
        lesson10.bind(model=ct.load_xray_model(), new=data, i=i, k=absent)
    with pytest.raises(ValueError, match="i:"):
        lesson10.bind(model=ct.load_xray_model(), new=data, i=len(data), k=0)
