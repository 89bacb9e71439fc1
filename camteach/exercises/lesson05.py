"""Exercises on upsampling and boxes: the CAM at the image's size, its box, its IoU.

``q1, q2, q3 = lesson05.bind(cam=cam, true_box=box)``; ``help(lesson05.bind)`` shows
what to bind.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np

import camteach as ct
from camteach import checks
from camteach.scenes import mask_box

from .checking import Box, Exercise, Numbers, Sheet


def bind(cam, true_box, size: int = 224) -> tuple[Exercise, Exercise, Exercise]:
    """Bind the exercises to one CAM and the true box of its object.

    Parameters
    ----------
    cam : array-like, (h, w)
        One raw CAM (e.g. ``res.maps[0, 0]``).
    true_box : array-like of int, (4,)
        The object's box ``(x0, y0, x1, y1)``, x1 and y1 exclusive
        (``scenes.boxes[0]``).
    size : int
        The image side (224).

    Returns
    -------
    q1, q2, q3 : Exercise
        q1 ``heat``: the CAM upsampled to size x size, bilinear. q2 ``box``:
        the CAM paper's box at 20% of the max (``ct.cam_box``) of q1's
        ``heat``. q3 ``iou``: its IoU with ``true_box``.
    """
    cam = checks.numeric_array(cam, "cam", (None, None))
    size = checks.positive_int(size, "size")
    true_box = checks.box(true_box, "true_box", (size, size)).astype(np.int64)
    sheet = Sheet(cam=cam, true_box=true_box)

    @cache
    def up(method: str = "bilinear", side: tuple[int, int] = (size, size)) -> np.ndarray:
        return ct.upsample(cam, side, method=method)

    _ask_heat(sheet, cam, size, up)
    _ask_box(sheet, cam, size, up)
    _ask_iou(sheet, true_box, up)
    return tuple(sheet.exercises)


#: ``up(method="bilinear", side=(size, size))``: the bound CAM upsampled (cached).
Upsampled = Callable[..., np.ndarray]


def _box_of(heat: np.ndarray) -> np.ndarray:
    """The CAM paper's box at 20% of the maximum."""
    return ct.cam_box(heat, 0.2)


def _ask_heat(sheet: Sheet, cam: np.ndarray, size: int, up: Upsampled) -> None:
    """q1 ``heat``: the CAM upsampled to size x size, bilinear."""
    sheet.add(
        question=f"Upsample the {cam.shape[0]}x{cam.shape[1]} CAM to {size}x{size}, bilinear.",
        var="heat", code=f"heat = ct.upsample(cam, {size})",
        answer=lambda: up(), kind=Numbers(scale=float(np.abs(cam).max())),
        why="bilinear interpolation turns the coarse grid into a smooth map at the image's "
            "size, so it can be drawn over the image and compared with its pixels.",
        hints=("ct.upsample(maps, size, method) resizes the last two axes.",
               f"ct.upsample(cam, {size}); bilinear is the default method."),
        mistakes=[
            (lambda: up("nearest"), "that is nearest-neighbour upsampling (blocky squares); "
                                    "use bilinear."),
            (lambda: up("bicubic"), "that is bicubic upsampling; use bilinear."),
            (lambda: ct.normalize(up()), "you normalised the map to [0, 1]: keep the raw "
                                         "values (ct.overlay normalises for display)."),
            (lambda: up(side=(size, size + 20)),
             f"that is {size}x{size + 20}, the lecture's typo: the input is {size}x{size}."),
        ])


def _ask_box(sheet: Sheet, cam: np.ndarray, size: int, up: Upsampled) -> None:
    """q2 ``box``: the CAM paper's box of q1's heat."""
    h, w = cam.shape
    sheet.add(
        question="The CAM paper's box: keep the pixels above 20% of heat's maximum, box the "
                 "largest connected region, as (x0, y0, x1, y1).",
        var="box", code="box = ct.cam_box(heat, threshold=0.2)",
        answer=lambda: _box_of(up()), kind=Box(),
        why="thresholding the upsampled CAM turns an explanation into a localisation, "
            "trained with image labels only, which can be scored against the true box.",
        hints=("ct.cam_box(heat, threshold) does it and returns (x0, y0, x1, y1), x1 and y1 "
               "exclusive.",
               "Threshold the *upsampled* map heat, not the 7x7 cam: ct.cam_box(heat, 0.2)."),
        mistakes=[
            (lambda: _box_of(up())[[1, 0, 3, 2]],
             "that box is in (row, column) order: (y0, x0, y1, x1). Boxes are (x0, y0, x1, y1): "
             "x is the column."),
            (lambda: _box_of(up()) - [0, 0, 1, 1],
             "your x1 and y1 are inclusive (the last pixel); here they are exclusive "
             "(one past it), as in mask[y0:y1, x0:x1]."),
            (lambda: _box_of(cam), f"that box is in cells of the {h}x{w} "
                                   f"map: threshold the upsampled heat."),
            (lambda: _box_of(up("nearest")),
             f"that box follows the {h}x{w} cells (in steps of "
             f"{size / h:g} pixels): a map thresholded before upsampling, or upsampled with "
             f"nearest neighbours. Threshold the bilinear heat of q1."),
            (lambda: mask_box(up() >= 0.2 * up().max()),
             "that box covers every pixel above 20%; the CAM paper keeps only the largest "
             "connected region (ct.cam_box)."),
            (lambda: _box_of(ct.normalize(up())),
             "you normalised before thresholding: the threshold is 20% of the raw map's "
             "maximum."),
        ])


def _ask_iou(sheet: Sheet, true_box: np.ndarray, up: Upsampled) -> None:
    """q3 ``iou``: the IoU of q2's box with the true box."""

    def iou(box: np.ndarray) -> np.ndarray:
        return ct.box_iou(box, true_box)

    sheet.add(
        question="The IoU (intersection over union) of your box with the true box.",
        var="iou", code="iou = ct.box_iou(box, true_box)",
        answer=lambda: iou(_box_of(up())), kind=Numbers(rtol=1e-6, scale=1.0),
        why=lambda: (f"IoU {float(iou(_box_of(up()))):.2f} (0.5 is the usual bar for a "
                     f"correct localisation): a number that says how well the CAM found "
                     f"the object, not just a picture that looks right."),
        hints=("ct.box_iou(a, b) takes two boxes (x0, y0, x1, y1).",
               "ct.box_iou(box, true_box) with q2's box."),
        mistakes=[
            (lambda: iou(_box_of(up())[[1, 0, 3, 2]]),
             "that is the IoU of a (row, column) box: fix q2's box order to (x0, y0, x1, y1)."),
            (lambda: iou(_box_of(up()) - [0, 0, 1, 1]),
             "that is the IoU of a box with inclusive ends: fix q2 (x1, y1 exclusive)."),
            (lambda: iou(_box_of(up("nearest"))), "that is the IoU of a box that follows the "
                                                  "small map's cells: fix q2 (threshold the "
                                                  "bilinear heat)."),
            (lambda: iou(_box_of(up())) * 100, "that is a percentage; give a fraction."),
        ])
