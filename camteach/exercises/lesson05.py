"""Exercises on upsampling and boxes: a new CAM at the image's size, its box, its IoU.

The exercises work on a CAM the lesson has not computed (``cam2``, another scene, with
its true box ``true_box2``); the lesson's own ``cam`` is bound too, to recognise an
answer copied from the lesson::

    q1, q2, q3, q4 = lesson05.bind(cam2=cam2, true_box2=true_box2, cam=cam)

``help(lesson05.bind)`` shows what to bind.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np

import camteach as ct
from camteach import checks
from camteach.scenes import mask_box

from .checking import Box, Choice, Exercise, Numbers, Sheet
from .distinct import distinct


def bind(cam2, true_box2, cam, size: int = 224
         ) -> tuple[Exercise, Exercise, Exercise, Exercise]:
    """Bind the exercises to one new CAM and the true box of its object.

    Parameters
    ----------
    cam2 : array-like, (h, w)
        The exercises' raw CAM (e.g. ``ct.cam(model, scene2.images).maps[0, 0]``).
    true_box2 : array-like of int, (4,)
        Its object's box ``(x0, y0, x1, y1)``, x1 and y1 exclusive
        (``scene2.boxes[0]``).
    cam : array-like, (h, w)
        The lesson's own CAM: an answer computed on it gets a message saying so.
    size : int
        The image side (224).

    Returns
    -------
    q1, q2, q3, q4 : Exercise
        q1 ``heat2``: cam2 upsampled to size x size, bilinear. q2 ``box2``:
        ``ct.cam_box(heat2, 0.2)`` (20% of the raw maximum). q3 ``iou2``: its
        IoU with ``true_box2``. q4 ``bigger``: predict-then-check, is the box
        of the CAM authors' convention (min-max normalised first) "larger",
        "smaller" or the "same"?
    """
    cam2 = checks.numeric_array(cam2, "cam2", (None, None))
    cam = checks.numeric_array(cam, "cam", cam2.shape)
    size = checks.positive_int(size, "size")
    true_box2 = checks.box(true_box2, "true_box2", (size, size)).astype(np.int64)
    sheet = Sheet(cam2=cam2, true_box2=true_box2, cam=cam)

    @cache
    def up(method: str = "bilinear", side: tuple[int, int] = (size, size),
           lesson: bool = False) -> np.ndarray:
        return ct.upsample(cam if lesson else cam2, side, method=method)

    _ask_heat(sheet, cam2, size, up)
    _ask_box(sheet, cam2, size, up)
    _ask_iou(sheet, true_box2, up)
    _ask_convention(sheet, up)
    return tuple(sheet.exercises)


#: ``up(method="bilinear", side=(size, size), lesson=False)``: cam2 (or the lesson's
#: cam) upsampled (cached).
Upsampled = Callable[..., np.ndarray]


def _box_of(heat: np.ndarray) -> np.ndarray:
    """ct.cam_box at 20% of the raw maximum."""
    return ct.cam_box(heat, 0.2)


def _minmax_box(heat: np.ndarray) -> np.ndarray:
    """The CAM authors' code: min-max normalise, then keep >= 0.2, largest region."""
    return ct.cam_box(ct.normalize(heat), 0.2)


def _ask_heat(sheet: Sheet, cam2: np.ndarray, size: int, up: Upsampled) -> None:
    """q1 ``heat2``: cam2 upsampled to size x size, bilinear."""
    kind = Numbers(scale=float(np.abs(cam2).max()))
    sheet.add(
        question=f"Upsample the new {cam2.shape[0]}x{cam2.shape[1]} CAM cam2 to "
                 f"{size}x{size}, bilinear.",
        var="heat2", code=f"heat2 = ct.upsample(cam2, {size})",
        answer=lambda: up(), kind=kind,
        why="bilinear interpolation turns the coarse grid into a smooth map at the image's "
            "size, so it can be drawn over the image and compared with its pixels.",
        hints=("ct.upsample(maps, size, method) resizes the last two axes.",
               f"ct.upsample(cam2, {size}); bilinear is the default method."),
        mistakes=distinct([
            (lambda: up("nearest"), "that is nearest-neighbour upsampling (blocky squares); "
                                    "use bilinear."),
            (lambda: up("bicubic"), "that is bicubic upsampling; use bilinear."),
            (lambda: ct.normalize(up()), "you normalised the map to [0, 1]: keep the raw "
                                         "values (ct.overlay normalises for display)."),
            (lambda: up(side=(size, size + 20)),
             f"that is {size}x{size + 20}, the lecture's typo: the input is {size}x{size}."),
            (lambda: up(lesson=True), "that is the lesson's map (`heat`, from `cam`): "
                                      "upsample the new one, cam2."),
        ], lambda: up(), kind))


def _ask_box(sheet: Sheet, cam2: np.ndarray, size: int, up: Upsampled) -> None:
    """q2 ``box2``: ct.cam_box of q1's heat2."""
    h, w = cam2.shape
    sheet.add(
        question="The CAM box of heat2: keep the pixels at or above 20% of heat2's (raw) "
                 "maximum, box the largest connected region, as (x0, y0, x1, y1).",
        var="box2", code="box2 = ct.cam_box(heat2, threshold=0.2)",
        answer=lambda: _box_of(up()), kind=Box(),
        why="thresholding the upsampled CAM turns an explanation into a localisation, "
            "trained with image labels only, which can be scored against the true box.",
        hints=("ct.cam_box(heat, threshold) does it and returns (x0, y0, x1, y1), x1 and y1 "
               "exclusive.",
               "Threshold the *upsampled* map heat2, not the 7x7 cam2: "
               "ct.cam_box(heat2, 0.2)."),
        mistakes=distinct([
            (lambda: _box_of(up())[[1, 0, 3, 2]],
             "that box is in (row, column) order: (y0, x0, y1, x1). Boxes are (x0, y0, x1, y1): "
             "x is the column."),
            (lambda: _box_of(up()) - [0, 0, 1, 1],
             "your x1 and y1 are inclusive (the last pixel); here they are exclusive "
             "(one past it), as in mask[y0:y1, x0:x1]."),
            (lambda: _box_of(cam2), f"that box is in cells of the {h}x{w} "
                                    f"map: threshold the upsampled heat2."),
            (lambda: _box_of(up("nearest")),
             f"that box follows the {h}x{w} cells (in steps of "
             f"{size / h:g} pixels): a map thresholded before upsampling, or upsampled with "
             f"nearest neighbours. Threshold the bilinear heat2 of q1."),
            (lambda: mask_box(up() >= 0.2 * up().max()),
             "that box covers every pixel above 20%; the CAM paper keeps only the largest "
             "connected region (ct.cam_box)."),
            (lambda: _minmax_box(up()),
             "that is the box after min-max normalising heat2 first: the convention of the "
             "CAM authors' own code (Zhou et al. 2016), a fair choice, and q4's subject. "
             "This question asks for ct.cam_box's rule, 20% of the raw maximum: with "
             "negative values in the map the two differ."),
            (lambda: _box_of(up(lesson=True)), "that is the box of the lesson's map; use "
                                               "heat2, from cam2."),
        ], lambda: _box_of(up()), Box()))


def _ask_iou(sheet: Sheet, true_box2: np.ndarray, up: Upsampled) -> None:
    """q3 ``iou2``: the IoU of q2's box with the true box."""

    def iou(box: np.ndarray) -> float:
        return float(ct.box_iou(box, true_box2))

    sheet.add(
        question="The IoU (intersection over union) of box2 with the true box true_box2.",
        var="iou2", code="iou2 = ct.box_iou(box2, true_box2)",
        answer=lambda: iou(_box_of(up())), kind=Numbers(rtol=1e-6, scale=1.0),
        why=lambda: (f"IoU {iou(_box_of(up())):.2f} (0.5 is the usual bar for a "
                     f"correct localisation): a number that says how well the CAM found "
                     f"the object, not just a picture that looks right."),
        hints=("ct.box_iou(a, b) takes two boxes (x0, y0, x1, y1).",
               "ct.box_iou(box2, true_box2) with q2's box2."),
        mistakes=distinct([
            (lambda: iou(_box_of(up())[[1, 0, 3, 2]]),
             "that is the IoU of a (row, column) box: fix q2's box order to (x0, y0, x1, y1)."),
            (lambda: iou(_box_of(up()) - [0, 0, 1, 1]),
             "that is the IoU of a box with inclusive ends: fix q2 (x1, y1 exclusive)."),
            (lambda: iou(_box_of(up("nearest"))), "that is the IoU of a box that follows the "
                                                  "small map's cells: fix q2 (threshold the "
                                                  "bilinear heat2)."),
            (lambda: iou(_box_of(up())) * 100, "that is a percentage; give a fraction."),
            (lambda: iou(_box_of(up(lesson=True))), "that is the IoU of the lesson's box; "
                                                    "use box2."),
        ], lambda: iou(_box_of(up())), Numbers(rtol=1e-6, scale=1.0)))


#: q4's options.
SIZES = ("larger", "smaller", "same")


def _area(box: np.ndarray) -> int:
    return int((box[2] - box[0]) * (box[3] - box[1]))


def _ask_convention(sheet: Sheet, up: Upsampled) -> None:
    """q4 ``bigger``: the CAM authors' min-max box against ct.cam_box's, predicted."""

    def measured() -> tuple[str, int, int, float, float]:
        heat = up()
        raw, minmax = _area(_box_of(heat)), _area(_minmax_box(heat))
        word = "larger" if minmax > raw else "smaller" if minmax < raw else "same"
        # the raw value at which the min-max rule cuts: min + 0.2 * (max - min)
        cut = float(heat.min() + 0.2 * (heat.max() - heat.min()))
        return word, raw, minmax, cut, 0.2 * float(heat.max())

    def why() -> str:
        word, raw, minmax, cut, cut_raw = measured()
        return (f"min-max normalising first cuts heat2 at min + 0.2 (max - min) = {cut:.2f} "
                f"instead of 0.2 max = {cut_raw:.2f}: a map with negative values gets a "
                f"*lower* cut, so more pixels stay in. Measured: a box of {minmax} px "
                f"against {raw} px with ct.cam_box. Both are in use; say which one you "
                f"report.")

    def wrong() -> str:
        return ("not what the boxes say: min-max normalising first cuts heat2 at "
                "min + 0.2 (max - min) in its raw values, ct.cam_box at 0.2 max. Is heat2.min() "
                "negative? Compute ct.cam_box(ct.normalize(heat2), 0.2) and compare its "
                "area with box2's.")

    sheet.add(
        question="Predict, then check: the CAM authors' code (Zhou et al. 2016) min-max "
                 "normalises the map before keeping the pixels above 20%. Is that box "
                 "larger, smaller or the same as box2 (in area)? Answer one of "
                 f"{list(SIZES)}; check with ct.cam_box(ct.normalize(heat2), 0.2).",
        var="bigger",
        code="def area(box):\n"
             "    return (box[2] - box[0]) * (box[3] - box[1])\n"
             "minmax_area = area(ct.cam_box(ct.normalize(heat2), 0.2))\n"
             "bigger = (\"larger\" if minmax_area > area(box2) else\n"
             "          \"smaller\" if minmax_area < area(box2) else \"same\")",
        answer=lambda: measured()[0], kind=Choice(SIZES),
        why=why,
        hints=("After min-max normalising, 0.2 of the new maximum is min + 0.2 (max - min) "
               "in the raw map's values. Is heat2.min() negative?",
               "A lower cut keeps more pixels: compare the two cuts, then the two boxes' "
               "areas (ct.cam_box(ct.normalize(heat2), 0.2) against box2)."),
        mistakes=[(lambda o=o: o, wrong()) for o in SIZES if o != measured()[0]])
