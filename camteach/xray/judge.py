"""Heat maps of the X-ray model judged against each radiologist, and the readers against each other.

A radiograph of VinBigData is read by three radiologists, who disagree; the
fused box (:func:`camteach.xray.readers.fuse`) is one summary of them. A heat
map is therefore scored twice: against every reader who marked the finding,
and against the fused box. Its agreement with the readers is then put beside
the readers' agreement with each other (:func:`camteach.xray.readers.agreement`),
the ceiling no explanation can be expected to beat::

    table = judge(model, data, layer="mixed3")
    table.map_iou.mean(), table.reader_iou.mean()

Both agreements are box IoUs: the map's box is ``metrics.cam_box`` at
``threshold`` of its maximum (the CAM paper's box). Hits are the pointing
game: the map's peak within ``tolerance`` px of the box.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from .. import checks, metrics
from ..heatmap import upsample
from ..methods import explain
from .readers import agreement
from .vinbigdata import XrayData

#: The CAM-box threshold used for the map's box (a fraction of its maximum).
THRESHOLD = 0.5


def box_mask(box, size: int) -> np.ndarray:
    """A (size, size) bool mask of the box ``(x0, y0, x1, y1)`` in pixels (at least one pixel)."""
    x0, y0, x1, y1 = np.round(np.asarray(box, float)).astype(int)
    x0, y0 = min(max(x0, 0), size - 1), min(max(y0, 0), size - 1)
    mask = np.zeros((size, size), bool)
    mask[y0:max(y1, y0 + 1), x0:max(x1, x0 + 1)] = True
    return mask


def score_map(heat, data: XrayData, image: int, finding: int, threshold: float = THRESHOLD,
              tolerance: float = metrics.POINTING_TOLERANCE) -> dict:
    """One heat map of one finding scored against each reader's box and the fused box.

    Parameters
    ----------
    heat : array-like, (h, w)
        The map of ``finding`` on ``data.images[image]`` (any resolution;
        upsampled to the image).
    data : XrayData
    image, finding : int
        The radiograph's index and the finding's column in ``data.labels``.
    threshold : float
        The map's box: ``metrics.cam_box`` at this fraction of its maximum.
    tolerance : float
        Pointing-game tolerance, in pixels.

    Returns
    -------
    dict
        ``readers``: rad_id -> {"hit": bool, "iou": float} for every reader
        who boxed the finding; ``fused``: {"hit", "iou"} or None when no fused
        box; ``box``: the map's box (x0, y0, x1, y1); ``reader_iou``: the
        readers' IoUs with each other on this finding (list).
    """
    if not 0 <= int(image) < len(data):
        raise ValueError(f"image: expected an index 0..{len(data) - 1}, got {image!r}")
    if not 0 <= int(finding) < len(data.findings):
        raise ValueError(f"finding: expected a column 0..{len(data.findings) - 1}, got {finding!r}")
    size = data.images.shape[1]
    heat = upsample(checks.finite_maps(heat, min_ndim=2), size)
    if heat.ndim != 2:
        raise ValueError(f"heat: expected one map (h, w), got shape {np.shape(heat)}")
    box = metrics.cam_box(heat, threshold) if heat.max() > 0 else np.zeros(4)

    def against(target) -> dict:
        hit = metrics.pointing_game(heat[None], box_mask(target, size)[None], tolerance)[0]
        return {"hit": bool(hit), "iou": float(metrics.box_iou(box, target))}

    marks = [b for b in data.reader_boxes[image] if b.finding == finding]
    readers: dict[str, dict] = {}
    for b in marks:                        # a reader with two boxes: the better-matching one
        score = against(b.box)
        if b.rad_id not in readers or score["iou"] > readers[b.rad_id]["iou"]:
            readers[b.rad_id] = score
    fused = [against(b.box) for b in data.boxes[image] if b.finding == finding]
    return {"readers": readers, "fused": max(fused, key=lambda s: s["iou"]) if fused else None,
            "box": box, "reader_iou": agreement(marks)}


@dataclass(frozen=True)
class Judgement:
    """Heat maps of every present finding against the readers.

    Attributes
    ----------
    pairs : list of (int, int)
        (image, finding) pairs judged: every finding with a fused box.
    layer : str
    map_iou : numpy.ndarray, (M,)
        IoU of the map's box with each reader's box (one entry per map and reader).
    map_hit : numpy.ndarray of bool, (M,)
        Pointing game against each reader's box.
    fused_iou, fused_hit : numpy.ndarray, (P,)
        Against the fused box, one per pair.
    reader_iou : numpy.ndarray, (R,)
        IoU of every two readers who boxed the same finding (on the same pairs).
    """

    pairs: list
    layer: str
    map_iou: np.ndarray
    map_hit: np.ndarray
    fused_iou: np.ndarray
    fused_hit: np.ndarray
    reader_iou: np.ndarray

    def summary(self) -> str:
        """One line: the map against the readers beside the readers against each other."""
        return (f"{self.layer}: map vs a reader IoU {self.map_iou.mean():.2f} "
                f"(pointing {self.map_hit.mean():.0%}), vs the fused box IoU "
                f"{self.fused_iou.mean():.2f} (pointing {self.fused_hit.mean():.0%}); "
                f"reader vs reader IoU {self.reader_iou.mean():.2f}")


def judge(model: keras.Model, data: XrayData, method: str = "grad_cam", layer: str | None = None,
          threshold: float = THRESHOLD, tolerance: float = metrics.POINTING_TOLERANCE,
          **options) -> Judgement:
    """Every present finding's heat map scored against each reader and the fused box.

    Parameters
    ----------
    model : keras.Model
        The X-ray model (``ct.load_xray_model()``).
    data : XrayData
        Radiographs with their readers' boxes (``ct.xray.load`` or
        ``ct.xray.phantom_data``).
    method, layer, options
        As for :func:`camteach.explain` (the map of each finding's logit).
    threshold, tolerance
        As for :func:`score_map`.

    Returns
    -------
    Judgement
    """
    pairs = [(i, int(k)) for i in range(len(data)) for k in np.flatnonzero(data.labels[i])]
    if not pairs:
        raise ValueError("data: expected at least one radiograph with a finding (a fused box)")
    result = explain(model, data.images[[i for i, _ in pairs]], method,
                     classes=np.array([[k] for _, k in pairs]), layer=layer, **options)
    map_iou, map_hit, fused_iou, fused_hit, reader_iou = [], [], [], [], []
    for m, (i, k) in enumerate(pairs):
        s = score_map(result.maps[m, 0], data, i, k, threshold, tolerance)
        map_iou += [r["iou"] for r in s["readers"].values()]
        map_hit += [r["hit"] for r in s["readers"].values()]
        fused_iou.append(s["fused"]["iou"])
        fused_hit.append(s["fused"]["hit"])
        reader_iou += s["reader_iou"]
    return Judgement(pairs, result.layer, np.array(map_iou), np.array(map_hit, bool),
                     np.array(fused_iou), np.array(fused_hit, bool), np.array(reader_iou))
